"""One import, in one call: the five steps of ``steps`` in order, in one process (DESIGN §5,
§7.1). The command line's fast path, the tests and the benchmarks use it; the workbook runs
the same steps one notebook at a time.

The run's record is committed when it starts (the per-school lock) and ended with its status;
a failure at any step ends it as ``failed`` with a sentence for people. The enroll step and the
deregister step each commit on their own: a crash between them leaves what a held run leaves.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from leerlingimport.db import reading
from leerlingimport.db.tables import ImportRun
from leerlingimport.errors import LeerlingimportError
from leerlingimport.issues import Issue, Language, make_issue
from leerlingimport.params import Params
from leerlingimport.passwords import issue_passwords
from leerlingimport.runs import Run, fail_run, finish_run, start_run
from leerlingimport.steps import (
    COUNT_KEYS,
    deregister,
    enroll,
    ingest_step,
    rejected_counts,
    validate_step,
)

log = logging.getLogger(__name__)
# Seconds an import waits for a busy run of the same school before it says who holds it: long
# enough for another import to finish, short enough that an analyst's open run is reported.
WAIT_FOR_SCHOOL = 30.0


@dataclass(frozen=True)
class ImportResult:
    run_id: str
    school: str
    dry_run: bool
    status: str  # applied | planned | held | rejected | failed
    archive: str
    counts: dict[str, int]
    issues: list[Issue] = field(default_factory=list)
    passwords_issued: int = 0  # one-time passwords in the run's printable list
    passwords_file: str | None = None  # that list (a path; the passwords are only in it)
    error: str | None = None

    @property
    def exit_status(self) -> int:
        return 0 if self.status in ("applied", "planned") else 1

    def as_json(self) -> dict[str, Any]:
        """The object ``import --json`` prints (DESIGN §7.1)."""
        return {
            "run_id": self.run_id,
            "school": self.school,
            "dry_run": self.dry_run,
            "status": self.status,
            "archive": self.archive,
            "counts": self.counts,
        }


def run_import(
    engine: Engine,
    data: bytes,
    name: str,
    params: Params,
    brin: str,
    *,
    data_dir: Path,
    dry_run: bool = False,
    confirm_deregistration: bool = False,
    now: dt.datetime | None = None,
    language: Language = "nl",
    started_by: str | None = None,
) -> ImportResult:
    """Import one school's file through the five steps; a second run of the same school waits
    for the first."""
    run = start_run(
        engine,
        params,
        brin,
        data_dir=data_dir,
        data=data,
        dry_run=dry_run,
        started_by=started_by,
        now=now,
        wait_seconds=WAIT_FOR_SCHOOL,
    )
    notes: list[Issue] = []
    try:
        ingest_step(run, data, name, language=language)
        checked = validate_step(run, params, language=language)
        if checked.rejected:
            counts = rejected_counts(len(checked.table))
            finish_run(engine, run, "rejected", counts)
            return _result(run, "rejected", counts, checked.issues)
        notes = _same_file_before(engine, run, params.library.timezone, language)
        enrolled = enroll(engine, run, params, confirm=confirm_deregistration, language=language)
        issued = issue_passwords(engine, run)
        deregister(engine, run, params)
        finish_run(engine, run, enrolled.status, enrolled.counts)
    except Exception as err:
        return _failed(engine, run, err)
    issues = [*checked.issues, *notes, *enrolled.issues]
    return _result(run, enrolled.status, enrolled.counts, issues, issued.count, issued.list_path)


def _result(
    run: Run,
    status: str,
    counts: dict[str, int],
    issues: list[Issue],
    issued: int = 0,
    listed: str | None = None,
    error: str | None = None,
) -> ImportResult:
    directory = str(run.directory)
    return ImportResult(
        run.run_id, run.brin, run.dry_run, status, directory, counts, issues, issued, listed, error
    )


def _failed(engine: Engine, run: Run, err: Exception) -> ImportResult:
    """End the run as ``failed`` with a sentence for people; a database that is gone or busy
    is raised again (the caller may retry) once the run is ended, if it can be."""
    message = failure_message(err)
    log.warning("import %s failed: %s", run.run_id, message)
    log.debug("import %s failed", run.run_id, exc_info=True)
    counts = dict.fromkeys(COUNT_KEYS, 0)
    try:
        fail_run(engine, run, message, counts)
    except LeerlingimportError:
        if isinstance(err, LeerlingimportError):
            raise err from None
        raise
    if isinstance(err, LeerlingimportError) and err.retryable:
        raise err
    return _result(run, "failed", counts, [], error=message)


def failure_message(err: Exception) -> str:
    """Why a run failed, as a sentence for people (no SQL, no values, no traceback)."""
    from sqlalchemy.exc import DBAPIError

    from leerlingimport.db.engine import database_error

    if isinstance(err, DBAPIError):
        return database_error(err).user_message
    if isinstance(err, LeerlingimportError):
        return err.user_message
    return (
        f"Interne fout ({type(err).__name__}); er is niets gewijzigd. Meld dit aan de "
        "beheerder, met het run-nummer."
    )


def _same_file_before(engine: Engine, run: Run, timezone: str, language: Language) -> list[Issue]:
    """An info when this very file (same sha256) was applied for the school before."""
    from zoneinfo import ZoneInfo

    with reading(engine) as conn:
        sha = conn.scalar(select(ImportRun.input_sha256).where(ImportRun.id == run.pk))
        when = conn.scalar(
            select(func.max(ImportRun.started_at)).where(
                ImportRun.school_id == run.school_id,
                ImportRun.input_sha256 == sha,
                ImportRun.status == "applied",
                ImportRun.dry_run.is_(False),
            )
        )
    if when is None:
        return []
    local = when.astimezone(ZoneInfo(timezone)).strftime("%d-%m-%Y %H:%M")
    return [make_issue("same-file-again", when=local, language=language)]
