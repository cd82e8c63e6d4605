"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL tests create and drop their own database on the local server (127.0.0.1:5432, user
postgres). An unreachable server fails the run; set LEERLINGIMPORT_TEST_NO_POSTGRES=1 only on a
machine that has none (CI never does).
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# Prefect, offline and quiet, with a home of its own (stack.md §0); set before anything
# imports prefect, which reads its settings once.
os.environ.pop("PREFECT_API_URL", None)
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="leerlingimport-prefect-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
from sqlalchemy import Engine

from leerlingimport.db import make_engine, upgrade, writing
from leerlingimport.library import register_params
from leerlingimport.params import Params, load_params

REPO = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = os.environ.get(
    "LEERLINGIMPORT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(scope="session")
def params() -> Params:
    return load_params(REPO / "params")


def _postgres_database() -> Iterator[str]:
    import psycopg

    if os.environ.get("LEERLINGIMPORT_TEST_NO_POSTGRES") == "1":
        pytest.skip("PostgreSQL tests switched off by LEERLINGIMPORT_TEST_NO_POSTGRES=1")
    admin = PG_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    name = f"leerlingimport_test_{uuid.uuid4().hex[:12]}"
    try:
        conn = psycopg.connect(admin, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as err:
        pytest.fail(f"PostgreSQL is not reachable at {admin}: {err}")
    with conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
    else:
        yield from _postgres_database()


@pytest.fixture
def engine(database_url: str, params: Params) -> Iterator[Engine]:
    """A migrated database holding the demo library's branches and schools."""
    eng = make_engine(database_url)
    upgrade(eng)
    with writing(eng) as conn:
        register_params(conn, params)
    yield eng
    eng.dispose()


@pytest.fixture(autouse=True)
def otp_key_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A one-time password key for every test, so none makes ``var/otp.key`` where it runs."""
    monkeypatch.setenv("LEERLINGIMPORT_OTP_KEY", "test-only-key-" + "k" * 32)
