"""Retention: uploads, run directories and archives past their time go; a dry run lists."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import Engine, select, update

from leerlingimport.customers import NewCustomer, add_customer
from leerlingimport.db import reading, writing
from leerlingimport.db.tables import ImportRun, Upload
from leerlingimport.params import Params
from leerlingimport.runs import start_run
from leerlingimport.workbook import retention

from .sync_helpers import add_upload

NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)


def _upload(engine: Engine, params: Params, data_dir: Path, name: str, at: dt.datetime) -> None:
    with writing(engine) as conn:
        teacher = add_customer(
            conn, NewCustomer(surname=name), params.library.card_prefix, at, dt.timedelta(1)
        )
    add_upload(engine, data_dir, teacher.customer_id, "99ZZ", name, b"x", at)


def _archive(data_dir: Path, run_id: str, started: dt.datetime) -> Path:
    folder = data_dir / "archive" / "99ZZ" / "2019-2020" / run_id
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({"started_at": started.isoformat()}))
    (folder / "manifest.json").chmod(0o444)
    folder.chmod(0o555)
    return folder


def test_what_is_past_its_time_goes_and_a_dry_run_only_lists(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    data_dir = tmp_path / "var"
    days = params.library.retention_days
    _upload(engine, params, data_dir, "oud.csv", NOW - dt.timedelta(days=days.uploads + 1))
    _upload(engine, params, data_dir, "nieuw.csv", NOW - dt.timedelta(days=days.uploads - 1))
    old_run = start_run(engine, params, "99ZZ", data_dir=data_dir, now=NOW - dt.timedelta(days=99))
    with writing(engine) as conn:  # ended long ago; a running run's directory always stays
        conn.execute(update(ImportRun).where(ImportRun.id == old_run.pk).values(status="failed"))
    running = start_run(engine, params, "99ZZ", data_dir=data_dir, now=NOW - dt.timedelta(days=99))
    old_archive = _archive(data_dir, "oud", NOW - dt.timedelta(days=days.archive + 1))
    young_archive = _archive(data_dir, "jong", NOW - dt.timedelta(days=30))

    found = retention.expired(engine, params, data_dir, NOW)
    assert sorted((e.kind, e.path.name) for e in found) == [
        ("archive", "oud"),
        ("run", old_run.run_id),
        ("upload", "oud.csv"),
    ]
    assert old_run.directory.exists() and old_archive.exists()  # listing deletes nothing

    assert retention.purge(engine, found) == 3
    assert not old_run.directory.exists() and not old_archive.exists()
    assert running.directory.exists() and young_archive.exists()
    assert not (data_dir / "inbox" / "oud.csv").exists()
    assert (data_dir / "inbox" / "nieuw.csv").exists()
    with reading(engine) as conn:
        statuses = dict(conn.execute(select(Upload.stored_name, Upload.status)).all())
    assert statuses == {"oud.csv": "purged", "nieuw.csv": "received"}
    assert retention.expired(engine, params, data_dir, NOW) == []
