"""The flows under Prefect's test harness: one school through import_school, the inbox."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, select

from leerlingimport.customers import NewCustomer, add_customer
from leerlingimport.db import reading, writing
from leerlingimport.db.tables import ImportRun, School, Upload
from leerlingimport.params import load_params
from leerlingimport.synthetic.exports import handmade_csv, parnassys_csv
from leerlingimport.synthetic.samples import demo_library
from leerlingimport.workbook import verify_archive

from ..conftest import REPO
from ..sync_helpers import add_upload

sys.path.insert(0, str(REPO))
from flows.import_school import import_school
from flows.process_inbox import process_inbox

LIBRARY = demo_library(seed=5, pupils=24)


@pytest.fixture
def environment(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The flows read their settings from the environment, as a deployment's do."""
    data_dir = tmp_path / "var"
    monkeypatch.setenv("LEERLINGIMPORT_DATABASE_URL", engine.url.render_as_string(False))
    monkeypatch.setenv("LEERLINGIMPORT_PARAMS_DIR", str(REPO / "params"))
    monkeypatch.setenv("LEERLINGIMPORT_DATA_DIR", str(data_dir))
    return data_dir


def test_import_school_runs_the_workbook_and_a_failure_is_a_failed_flow(
    environment: Path, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    zz = LIBRARY["99ZZ"]
    file = tmp_path / "leerlingen.csv"
    file.write_bytes(parnassys_csv(zz.spec, zz.first))
    done = import_school(school="99ZZ", file=str(file))
    assert (done["status"], done["counts"]["created"]) == ("applied", 24)
    assert verify_archive(Path(done["archive"]), engine) == []

    monkeypatch.setenv("LEERLINGIMPORT_FAIL_AT", "deregister-before-commit")
    file.write_bytes(parnassys_csv(zz.next_spec, zz.next))
    state = import_school(school="99ZZ", file=str(file), return_state=True)
    assert state.is_failed()
    with reading(engine) as conn:
        last = conn.execute(
            select(ImportRun.status, ImportRun.error, ImportRun.archive_path)
            .order_by(ImportRun.id.desc())
            .limit(1)
        ).one()
    assert last.status == "failed" and last.error.startswith("Stap deregister")
    assert (Path(last.archive_path) / "04_deregister.ipynb").exists()


def test_process_inbox_checks_every_upload_and_applies_only_where_allowed(
    environment: Path, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    params_dir = tmp_path / "params"
    shutil.copytree(REPO / "params", params_dir)
    school_file = params_dir / "schools" / "99YY.yaml"
    settings = yaml.safe_load(school_file.read_text())
    school_file.write_text(yaml.safe_dump({**settings, "auto_apply": True}))
    monkeypatch.setenv("LEERLINGIMPORT_PARAMS_DIR", str(params_dir))
    params = load_params(params_dir)
    now = dt.datetime.now(dt.UTC)
    with writing(engine) as conn:
        teacher = add_customer(
            conn, NewCustomer(surname="Docent"), params.library.card_prefix, now, dt.timedelta(1)
        )
    uploads = {
        "99ZZ": [
            parnassys_csv(LIBRARY["99ZZ"].spec, LIBRARY["99ZZ"].first[:5]),
            parnassys_csv(LIBRARY["99ZZ"].spec, LIBRARY["99ZZ"].first),
        ],  # corrected
        "99YY": [handmade_csv(LIBRARY["99YY"].spec, LIBRARY["99YY"].first)],
    }
    for brin, files in uploads.items():
        for number, data in enumerate(files):
            name = f"{brin}-{number}-{hashlib.sha256(data).hexdigest()[:16]}.csv"
            at = now + dt.timedelta(minutes=number)
            add_upload(engine, environment, teacher.customer_id, brin, name, data, at)

    outcomes = process_inbox()

    assert outcomes == {"99YY": "applied", "99ZZ": "planned"}
    with reading(engine) as conn:
        runs = conn.execute(
            select(School.brin, ImportRun.dry_run, ImportRun.status, ImportRun.upload_id)
            .join(School, School.id == ImportRun.school_id)
            .order_by(ImportRun.id)
        ).all()
        statuses = dict(conn.execute(select(Upload.id, Upload.status)).all())
    by_school = sorted((r.brin, r.dry_run, r.status) for r in runs)
    assert by_school == [
        ("99YY", False, "applied"),
        ("99YY", True, "planned"),
        ("99ZZ", True, "planned"),
    ]
    assert sorted(statuses.values()) == ["checked", "checked", "imported"]
    assert process_inbox() == {}  # nothing is handled twice


def test_only_an_unavailable_database_is_retried_never_bad_data() -> None:
    from prefect import flow, task

    from leerlingimport.errors import DatabaseUnavailable, InputFileError
    from leerlingimport.workbook.tasks import RETRY

    attempts: list[str] = []

    @task(**{**RETRY, "retry_delay_seconds": 0})
    def flaky(kind: str) -> str:
        attempts.append(kind)
        if len(attempts) == 1:
            raise (DatabaseUnavailable if kind == "database" else InputFileError)("weg")
        return "gelukt"

    @flow
    def once(kind: str) -> str:
        return flaky(kind)

    assert once("database") == "gelukt" and attempts == ["database", "database"]
    attempts.clear()
    assert once("file", return_state=True).is_failed() and attempts == ["file"]


def test_serve_offers_the_four_deployments_with_their_schedules() -> None:
    from leerlingimport.workbook.deployments import deployments

    found = {d.name: d for d in deployments("Europe/Amsterdam")}
    assert sorted(found) == ["inbox", "manual", "nightly", "september"]
    september = found["september"].schedules[0].schedule
    assert (september.cron, september.timezone) == ("0 6 1 9 *", "Europe/Amsterdam")
    assert not found["manual"].schedules
