"""The life of one import run: started (the per-school lock, committed), its steps, finished
or failed, and released when it was left behind.

The run's row in ``import_runs`` with status ``running`` is the per-school lock (a partial
unique index): committed at the start, so it holds across the five steps, each of which may run
in a process of its own (a notebook's kernel). While a step runs, its process id and a
heartbeat mark the run alive (``in_step``); a step only runs for a run that is still running.
A run is stale when a step's process on this machine is gone, a step elsewhere went silent for
``STALE_AFTER``, or no step ran for ``IDLE_AFTER``: the next run of the school releases it, and
so does ``leerlingimport runs --release RUN_ID``. Releasing is logged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select, update

from leerlingimport.artifacts import load_json, run_directory, save_json
from leerlingimport.db import reading, writing
from leerlingimport.db.tables import ImportRun, School
from leerlingimport.errors import ConflictError, NotFound
from leerlingimport.library import school_id
from leerlingimport.params import Params

log = logging.getLogger(__name__)
STALE_AFTER = dt.timedelta(minutes=15)  # a step on another machine that went silent
IDLE_AFTER = dt.timedelta(hours=24)  # a run with no step running, left by its analyst
POLL_SECONDS = 0.5


class RunLocked(ConflictError):
    """Another run of the school is busy."""


class RunNotRunning(ConflictError):
    """A step was asked of a run that is finished, failed or released."""


@dataclass(frozen=True)
class Run:
    """One import run: what every step needs to find its inputs and write its outputs."""

    pk: int
    run_id: str
    brin: str
    school_id: int
    dry_run: bool
    now: dt.datetime  # the run's moment: every step dates its changes by it
    directory: Path
    started_by: str

    def as_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "brin": self.brin,
            "dry_run": self.dry_run,
            "now": self.now.isoformat(),
            "started_by": self.started_by,
        }


def start_run(
    engine: Engine,
    params: Params,
    brin: str,
    *,
    data_dir: Path,
    data: bytes = b"",
    dry_run: bool = False,
    started_by: str | None = None,
    now: dt.datetime | None = None,
    wait_seconds: float = 0.0,
) -> Run:
    """Take the school's lock as a committed run record; another busy run of the school is
    refused with a clear message, or waited for up to ``wait_seconds``. A stale run of the
    school (its process died) is released first."""
    school = params.school(brin)
    now = now or dt.datetime.now(dt.UTC)
    run_id = f"{school.brin}-{now:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
    who = started_by or operator_name()
    deadline = time.monotonic() + wait_seconds
    with reading(engine) as conn:
        school_pk = school_id(conn, school.brin)
    sha256 = hashlib.sha256(data).hexdigest() if data else None
    while True:
        release_stale(engine, school.brin)
        try:
            with writing(engine) as conn:
                pk = int(
                    conn.execute(
                        insert(ImportRun)
                        .values(
                            run_id=run_id,
                            school_id=school_pk,
                            started_at=now,
                            dry_run=dry_run,
                            status="running",
                            input_sha256=sha256,
                            params_snapshot=school.model_dump(mode="json"),
                            code_version=version("leerlingimport"),
                            archive_path=str(data_dir / "runs" / run_id),
                            started_by=who,
                            host=socket.gethostname(),
                            pid=None,  # no step is running yet
                            heartbeat_at=dt.datetime.now(dt.UTC),
                        )
                        .returning(ImportRun.id)
                    ).scalar_one()
                )
            break
        except ConflictError:
            if time.monotonic() >= deadline:
                raise _locked(engine, school.brin) from None
            time.sleep(POLL_SECONDS)
    run = Run(
        pk, run_id, school.brin, school_pk, dry_run, now, run_directory(data_dir, run_id), who
    )
    save_json(run.directory, "run", run.as_json())
    return run


def load_run(engine: Engine, run_id: str, data_dir: Path) -> Run:
    """A started run, for a step that runs in a process of its own."""
    with reading(engine) as conn:
        row = conn.execute(
            select(ImportRun.id, ImportRun.school_id, School.brin, ImportRun.dry_run)
            .join(School, School.id == ImportRun.school_id)
            .where(ImportRun.run_id == run_id)
        ).one_or_none()
    if row is None:
        raise NotFound(f"Import {run_id} bestaat niet.")
    directory = data_dir / "runs" / run_id
    if not (directory / "run.json").exists():
        raise NotFound(f"De map van import {run_id} staat niet in {data_dir / 'runs'}.")
    saved = load_json(directory, "run")
    now = dt.datetime.fromisoformat(saved["now"])
    return Run(
        row.id, run_id, row.brin, row.school_id, row.dry_run, now, directory, saved["started_by"]
    )


@contextmanager
def in_step(engine: Engine, run: Run) -> Iterator[None]:
    """A step of ``run`` is running in this process: the run must still be running (not
    finished, failed or released), and while the step runs its process id marks it alive.
    Between steps no process holds the run, and it is stale only after ``IDLE_AFTER``."""
    _mark(engine, run, os.getpid())
    try:
        yield
    finally:
        _mark(engine, run, None, check=False)


def _mark(engine: Engine, run: Run, pid: int | None, *, check: bool = True) -> None:
    with writing(engine) as conn:
        done = conn.execute(
            update(ImportRun)
            .where(ImportRun.id == run.pk, ImportRun.status == "running")
            .values(heartbeat_at=dt.datetime.now(dt.UTC), host=socket.gethostname(), pid=pid)
        ).rowcount
    if check and not done:
        raise RunNotRunning(_not_running(engine, run))


STATUSES = ("applied", "planned", "held", "rejected", "failed")


def finish_run(
    engine: Engine, run: Run, status: str, counts: dict[str, int], error: str | None = None
) -> None:
    """End the run with its status (``applied``, ``planned``, ``held``, ``rejected``,
    ``failed``) and counts; the school's lock is free again. A run that is no longer running
    (released, or finished before) is not changed: that is an error."""
    if status not in STATUSES:
        raise ConflictError(f"Onbekende status '{status}'; kies uit {', '.join(STATUSES)}.")
    if status in ("applied", "held") and not (run.directory / "enrolled.json").exists():
        raise ConflictError(
            f"Import {run.run_id} kan niet '{status}' eindigen: de stap 'enroll' is niet gedaan."
        )
    with writing(engine) as conn:
        done = conn.execute(
            update(ImportRun)
            .where(ImportRun.id == run.pk, ImportRun.status == "running")
            .values(
                status=status,
                counts=counts,
                finished_at=dt.datetime.now(dt.UTC),
                error=error,
                pid=None,
            )
        ).rowcount
    if not done:
        raise RunNotRunning(_not_running(engine, run))


def fail_run(engine: Engine, run: Run, message: str, counts: dict[str, int]) -> None:
    finish_run(engine, run, "failed", counts, message)


def release_run(engine: Engine, run_id: str, reason: str) -> bool:
    """Release a running run (its process died, or nobody will finish it): it becomes
    ``failed`` with ``reason``. False when the run was not running; refused while one of its
    steps is running in a live process on this machine."""
    with reading(engine) as conn:
        row = conn.execute(
            select(ImportRun.host, ImportRun.pid).where(
                ImportRun.run_id == run_id, ImportRun.status == "running"
            )
        ).first()
    if row is not None and row.host == socket.gethostname() and row.pid and _alive(row.pid):
        raise RunLocked(
            f"Import {run_id} is bezig (proces {row.pid} draait nog); die wordt niet vrijgegeven."
        )
    with writing(engine) as conn:
        done = conn.execute(
            update(ImportRun)
            .where(ImportRun.run_id == run_id, ImportRun.status == "running")
            .values(status="failed", finished_at=dt.datetime.now(dt.UTC), error=reason)
        ).rowcount
    if done:
        log.warning("import %s vrijgegeven: %s", run_id, reason)
    return bool(done)


def release_stale(engine: Engine, brin: str) -> list[str]:
    """Release the school's running runs whose process is gone; returns their run ids."""
    with reading(engine) as conn:
        running = conn.execute(
            select(ImportRun.run_id, ImportRun.host, ImportRun.pid, ImportRun.heartbeat_at)
            .join(School, School.id == ImportRun.school_id)
            .where(School.brin == brin, ImportRun.status == "running")
        ).all()
    released = []
    for run_id, host, pid, beat in running:
        why = _stale_reason(host, pid, beat)
        if why and release_run(engine, run_id, f"vrijgegeven: {why}"):
            released.append(run_id)
    return released


def _stale_reason(host: str | None, pid: int | None, beat: dt.datetime | None) -> str | None:
    """Why a running run is stale, or None: a step whose process on this machine is gone; a
    step elsewhere silent for ``STALE_AFTER``; a run with no step running for ``IDLE_AFTER``
    (an analyst may pause between steps, but not for days)."""
    age = dt.datetime.now(dt.UTC) - beat if beat is not None else dt.timedelta(0)
    if pid and host == socket.gethostname():
        return None if _alive(pid) else f"het proces ({pid}) van een stap bestaat niet meer"
    if pid and age > STALE_AFTER:
        return f"een stap op {host} gaf geen teken van leven sinds {beat:%Y-%m-%d %H:%M} UTC"
    if not pid and age > IDLE_AFTER:
        return f"er is sinds {beat:%Y-%m-%d %H:%M} UTC geen stap meer uitgevoerd"
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _not_running(engine: Engine, run: Run) -> str:
    with reading(engine) as conn:
        status = conn.scalar(select(ImportRun.status).where(ImportRun.id == run.pk))
    return (
        f"Import {run.run_id} loopt niet meer (status: {status}); er is niets gedaan. Start een "
        "nieuwe import voor deze school."
    )


def _locked(engine: Engine, brin: str) -> RunLocked:
    with reading(engine) as conn:
        row = conn.execute(
            select(ImportRun.run_id, ImportRun.started_by, ImportRun.started_at)
            .join(School, School.id == ImportRun.school_id)
            .where(School.brin == brin, ImportRun.status == "running")
        ).first()
    if row is None:
        return RunLocked(f"Er loopt al een import voor school {brin}; probeer het zo opnieuw.")
    return RunLocked(
        f"Er loopt al een import voor school {brin}: {row.run_id}, gestart door "
        f"{row.started_by or 'onbekend'}. Wacht tot die klaar is; is het proces gestopt, "
        f"geef de run dan vrij met 'leerlingimport runs --release {row.run_id}'."
    )


def operator_name() -> str:
    """Who runs this process: the operator's login name."""
    try:
        return os.getlogin()
    except OSError:
        import getpass

        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return "onbekend"
