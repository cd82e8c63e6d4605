"""The production shape: a real `prefect server start` on PostgreSQL, a process work pool, one
worker, the deployments of prefect.yaml, and an import_school run through them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, select

from leerlingimport.db import reading
from leerlingimport.db.tables import ImportRun
from leerlingimport.synthetic.exports import parnassys_csv
from leerlingimport.synthetic.samples import demo_library
from leerlingimport.workbook import verify_archive

from ..conftest import PG_ADMIN_URL, REPO

BIN = Path(sys.executable).parent
POOL = "leerlingimport"  # the work pool prefect.yaml names


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "LEERLINGIMPORT_"))}
    return env | {
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE": (
            "prefect.server.concurrency.lease_storage.filesystem"
        ),
        "LEERLINGIMPORT_HOME": str(REPO),
    }


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            command,
            env=env,
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # stack.md pitfall 3
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_healthy(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 150
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()[-3000:]
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"prefect server did not start:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def prefect_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, dict[str, str]]]:
    """A Prefect server on a PostgreSQL database of its own, with the pool and deployments."""
    home = tmp_path_factory.mktemp("prefect-home")
    name = f"prefect_test_{uuid.uuid4().hex[:10]}"
    admin = PG_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = _environment(home) | {
        "PREFECT_SERVER_DATABASE_CONNECTION_URL": (
            PG_ADMIN_URL.replace("+psycopg", "+asyncpg").rsplit("/", 1)[0] + f"/{name}"
        )
    }
    log = home / "server.log"
    server = _start(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env,
        log,
    )
    try:
        _wait_healthy(url, server, log)
        client_env = env | {"PREFECT_API_URL": url}
        for command in (
            ["work-pool", "create", POOL, "--type", "process"],
            ["--no-prompt", "deploy", "--name", "manual"],
        ):
            done = subprocess.run(
                [str(BIN / "prefect"), *command],
                env=client_env,
                cwd=REPO,
                capture_output=True,
                text=True,
                timeout=180,
            )
            assert done.returncode == 0, done.stdout + done.stderr
        yield url, client_env
    finally:
        _stop(server)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_worker_runs_import_school_from_the_deployment(
    prefect_server: tuple[str, dict[str, str]], engine: Engine, tmp_path: Path
) -> None:
    _url, env = prefect_server
    school = demo_library(seed=3, pupils=20)["99ZZ"]
    file = tmp_path / "leerlingen.csv"
    file.write_bytes(parnassys_csv(school.spec, school.first))
    worker_env = env | {
        "LEERLINGIMPORT_DATABASE_URL": engine.url.render_as_string(False),
        "LEERLINGIMPORT_PARAMS_DIR": str(REPO / "params"),
        "LEERLINGIMPORT_DATA_DIR": str(tmp_path / "var"),
    }
    log = tmp_path / "worker.log"
    worker = _start(
        [str(BIN / "prefect"), "worker", "start", "--pool", POOL, "--limit", "1"], worker_env, log
    )
    try:
        done = subprocess.run(
            [
                str(BIN / "prefect"),
                "deployment",
                "run",
                "import-school/manual",
                "-p",
                "school=99ZZ",
                "-p",
                f"file={file}",
                "--watch",
                "--watch-interval",
                "2",
            ],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        _stop(worker)
    assert done.returncode == 0, done.stdout + done.stderr + log.read_text()[-3000:]
    with reading(engine) as conn:
        run = conn.execute(
            select(ImportRun.status, ImportRun.started_by, ImportRun.archive_path)
        ).one()
    assert (run.status, run.started_by) == ("applied", "prefect")
    assert verify_archive(Path(run.archive_path), engine) == []
