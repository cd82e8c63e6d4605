"""Crash safety and concurrency: a killed import leaves the database exactly as it was, and two
imports of one school at once apply nothing twice (reference/security.md TX-01, TX-03)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from leerlingimport.credentials import authenticate
from leerlingimport.db import reading, writing
from leerlingimport.db.tables import Credential, Customer, Enrollment, ImportRun
from leerlingimport.params import Params
from leerlingimport.printable import read_school_list
from leerlingimport.synthetic import demo_library, exports

from .sync_helpers import NEXT_YEAR, cli_import, count, imp, snapshot

ENROLL_POINTS = ["after-customers", "after-enrollments", "enroll-before-commit"]
DEREGISTER_POINTS = ["after-deregistration", "deregister-before-commit"]
CONFIRM = ("--confirm-deregistration",)
PASSWORD_POINTS = ["passwords-writing", "passwords-listed", "passwords-before-commit"]


@pytest.fixture
def two_years(tmp_path: Path) -> tuple[bytes, Path]:
    years = demo_library(seed=11, pupils=40)["99ZZ"]
    second = tmp_path / "next.csv"
    second.write_bytes(exports.parnassys_csv(years.next_spec, years.next))
    return exports.parnassys_csv(years.spec, years.first), second


def _killed(database_url: str, data_dir: Path, path: Path, point: str) -> None:
    killed = cli_import(
        database_url, data_dir, path, "99ZZ", *CONFIRM, LEERLINGIMPORT_KILL_AT=point
    )
    killed.communicate(timeout=120)
    assert killed.returncode == -9  # SIGKILL, like a power cut


def _statuses(engine: Engine) -> list[tuple[str, str | None]]:
    with reading(engine) as conn:
        return [
            (status, error)
            for status, error in conn.execute(
                select(ImportRun.status, ImportRun.error).order_by(ImportRun.id)
            )
        ]


@pytest.mark.parametrize("point", ENROLL_POINTS)
def test_a_run_killed_inside_enroll_leaves_the_database_as_it_was(
    point: str,
    engine: Engine,
    database_url: str,
    params: Params,
    tmp_path: Path,
    two_years: tuple[bytes, Path],
) -> None:
    first, second = two_years
    imp(engine, params, tmp_path, first)
    before = snapshot(engine)
    _killed(database_url, tmp_path, second, point)
    assert snapshot(engine) == before
    assert [s for s, _ in _statuses(engine)] == ["applied", "running"]  # its lock, now stale
    with reading(engine) as conn:
        if engine.dialect.name == "sqlite":
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    rerun = imp(engine, params, tmp_path, second.read_bytes(), now=NEXT_YEAR)
    assert rerun.status == "applied" and rerun.counts["new"] > 0
    statuses = _statuses(engine)
    assert statuses[1][0] == "failed" and "vrijgegeven" in str(statuses[1][1])


@pytest.mark.parametrize("point", DEREGISTER_POINTS)
def test_a_run_killed_inside_deregister_leaves_enroll_applied_and_nobody_deregistered(
    point: str,
    engine: Engine,
    database_url: str,
    params: Params,
    tmp_path: Path,
    two_years: tuple[bytes, Path],
) -> None:
    first, second = two_years
    imp(engine, params, tmp_path, first)
    _killed(database_url, tmp_path, second, point)
    with reading(engine) as conn:
        statuses = set(conn.scalars(select(Enrollment.status)))
        passwords = len(conn.scalars(select(Credential.customer_id)).all())
    assert statuses == {"active"}  # the newcomers enrolled, the leavers not yet gone
    assert passwords == count(engine, Customer)  # every new pupil got a password
    rerun = imp(engine, params, tmp_path, second.read_bytes(), now=NEXT_YEAR)
    assert rerun.status == "applied" and rerun.counts["new"] == 0
    assert rerun.counts["deregistered"] > 0


@pytest.mark.parametrize("point", PASSWORD_POINTS)
def test_no_pupil_is_left_without_a_password_a_rerun_cannot_issue(
    point: str,
    engine: Engine,
    database_url: str,
    params: Params,
    tmp_path: Path,
    two_years: tuple[bytes, Path],
) -> None:
    first, _second = two_years
    path = tmp_path / "first.csv"
    path.write_bytes(first)
    _killed(database_url, tmp_path, path, point)
    pupils = count(engine, Customer)
    with reading(engine) as conn:
        assert conn.scalars(select(Credential.customer_id)).all() == []  # none committed
    assert pupils > 0
    rerun = imp(engine, params, tmp_path, first, now=NEXT_YEAR)
    assert rerun.passwords_issued == pupils and rerun.passwords_file
    lists = sorted(str(p) for p in tmp_path.glob("runs/*/nieuwe_leerlingen*.xlsx"))
    assert lists == [rerun.passwords_file]  # the dead run's list of unusable passwords is gone
    live = Path(rerun.passwords_file)  # and so are its .ods, letter and half-written files
    left = {p.name for p in tmp_path.glob("runs/*/*nieuwe_leerlingen*")}
    assert left == {live.name, live.with_suffix(".ods").name, f"{live.stem}_brief.txt"}
    printed = read_school_list(rerun.passwords_file)
    assert len(printed) == pupils
    row = printed.iloc[0]
    with writing(engine) as conn:
        login = authenticate(conn, row["Pasnummer"], row["Eenmalig wachtwoord"], NEXT_YEAR)
    assert login.ok and login.must_change


def test_two_imports_of_one_school_at_once_apply_nothing_twice(
    engine: Engine,
    database_url: str,
    params: Params,
    tmp_path: Path,
    two_years: tuple[bytes, Path],
) -> None:
    _first, second = two_years
    slow = cli_import(
        database_url,
        tmp_path,
        second,
        "99ZZ",
        *CONFIRM,
        LEERLINGIMPORT_SLOW_AT="enroll-before-commit",
        LEERLINGIMPORT_SLOW_SECONDS="3",
    )
    time.sleep(1.5)  # the first holds the school's lock, waiting before its commit
    quick = cli_import(database_url, tmp_path, second, "99ZZ", *CONFIRM)
    outputs = [p.communicate(timeout=120) for p in (slow, quick)]
    results = [json.loads(out) for out, _err in outputs]
    assert [p.returncode for p in (slow, quick)] == [0, 0], outputs
    first, later = results
    assert first["status"] == later["status"] == "applied"
    assert first["counts"]["created"] > 0
    assert later["counts"]["created"] == later["counts"]["new"] == 0  # it waited, then found
    assert later["counts"]["unchanged"] == first["counts"]["rows"]  # everything already done
    assert count(engine, Customer) == first["counts"]["created"]
