"""Crash safety and concurrency: a killed import leaves the database exactly as it was, and two
imports of one school at once apply nothing twice (reference/security.md TX-01, TX-03)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from leerlingimport.db import reading
from leerlingimport.db.tables import Customer, ImportRun
from leerlingimport.params import Params
from leerlingimport.synthetic import demo_library, exports

from .conftest import REPO
from .sync_helpers import NEXT_YEAR, count, imp, snapshot

POINTS = ["after-customers", "after-enrollments", "after-deregistration", "before-commit"]


def _cli(database_url: str, data_dir: Path, path: Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "leerlingimport",
            "--database-url",
            database_url,
            "--params-dir",
            str(REPO / "params"),
            "--data-dir",
            str(data_dir),
            "import",
            str(path),
            "--school",
            "99ZZ",
            "--json",
            "--confirm-deregistration",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )


@pytest.fixture
def two_years(tmp_path: Path) -> tuple[bytes, Path]:
    years = demo_library(seed=11, pupils=40)["99ZZ"]
    second = tmp_path / "next.csv"
    second.write_bytes(exports.parnassys_csv(years.next_spec, years.next))
    return exports.parnassys_csv(years.spec, years.first), second


@pytest.mark.parametrize("point", POINTS)
def test_killed_import_leaves_nothing_and_the_rerun_succeeds(
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
    killed = _cli(database_url, tmp_path, second, LEERLINGIMPORT_KILL_AT=point)
    killed.communicate(timeout=120)
    assert killed.returncode == -9  # SIGKILL, mid-transaction
    assert snapshot(engine) == before
    with reading(engine) as conn:
        assert conn.scalars(select(ImportRun.status)).all() == ["applied"]  # no 'running' left
        if engine.dialect.name == "sqlite":
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    rerun = imp(engine, params, tmp_path, second.read_bytes(), now=NEXT_YEAR)
    assert rerun.status == "applied" and rerun.counts["new"] > 0


def test_two_imports_of_one_school_at_once_apply_nothing_twice(
    engine: Engine,
    database_url: str,
    params: Params,
    tmp_path: Path,
    two_years: tuple[bytes, Path],
) -> None:
    _first, second = two_years
    slow = _cli(
        database_url,
        tmp_path,
        second,
        LEERLINGIMPORT_SLOW_AT="before-commit",
        LEERLINGIMPORT_SLOW_SECONDS="3",
    )
    time.sleep(1.5)  # the first holds the school's lock, waiting before its commit
    quick = _cli(database_url, tmp_path, second)
    outputs = [p.communicate(timeout=120) for p in (slow, quick)]
    results = [json.loads(out) for out, _err in outputs]
    assert [p.returncode for p in (slow, quick)] == [0, 0], outputs
    first, later = results
    assert first["status"] == later["status"] == "applied"
    assert first["counts"]["created"] > 0
    assert later["counts"]["created"] == later["counts"]["new"] == 0  # it waited, then found
    assert later["counts"]["unchanged"] == first["counts"]["rows"]  # everything already done
    assert count(engine, Customer) == first["counts"]["created"]
