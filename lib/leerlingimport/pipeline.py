"""One import, as one function: read, check, plan, apply, record (DESIGN §5, §7.1).

The run record with status ``running`` is inserted in the same transaction that applies the
plan: the partial unique index makes it the per-school lock (a second import of the school
waits for it, then finds nothing left to do), and a crash rolls it back with everything else.
A rejected file and a failed run are recorded in transactions of their own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, insert, select, update

from leerlingimport.checking import CheckResult, check_file
from leerlingimport.dates import local_date
from leerlingimport.db import writing
from leerlingimport.db.tables import ImportRun
from leerlingimport.errors import LeerlingimportError
from leerlingimport.faults import fault_point
from leerlingimport.issues import Issue, Language, make_issue
from leerlingimport.library import school_id
from leerlingimport.params import Params
from leerlingimport.sync.apply import Context, apply_plan
from leerlingimport.sync.locks import lock_customers, lock_people
from leerlingimport.sync.plan import Plan, plan_sync
from leerlingimport.sync.state import ids, load_state

log = logging.getLogger(__name__)
COUNT_KEYS = (
    "rows",
    "rejected",
    "new",
    "created",
    "transferred",
    "reactivated",
    "updated",
    "unchanged",
    "deregistered",
)


@dataclass(frozen=True)
class ImportResult:
    run_id: str
    school: str
    dry_run: bool
    status: str  # applied | planned | held | rejected | failed
    archive: str
    counts: dict[str, int]
    issues: list[Issue] = field(default_factory=list)
    new_pupils: pd.DataFrame = field(default_factory=pd.DataFrame)
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
) -> ImportResult:
    """Import one school's file; the database is changed completely or not at all."""
    school = params.school(brin)
    now = now or dt.datetime.now(dt.UTC)
    run_id = f"{school.brin}-{now:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
    run_dir = data_dir / "runs" / run_id
    record = _RunRecord(
        run_id,
        school.brin,
        dry_run,
        hashlib.sha256(data).hexdigest(),
        school.model_dump(mode="json"),
        now,
    )
    today = local_date(now, params.library.timezone)
    checked = check_file(data, name, school, language=language, today=today)
    if checked.rejected:
        counts = _rejected_counts(checked.rows)
        record.write(engine, "rejected", counts, str(run_dir))
        return ImportResult(
            run_id, school.brin, dry_run, "rejected", str(run_dir), counts, checked.issues
        )
    try:
        result = _apply(engine, checked, params, record, run_dir, confirm_deregistration, language)
    except Exception as err:
        message = _failure_message(err)
        log.warning("import %s failed: %s", run_id, message)
        log.debug("import %s failed", run_id, exc_info=True)
        try:
            record.write(engine, "failed", dict.fromkeys(COUNT_KEYS, 0), str(run_dir), message)
        except LeerlingimportError:
            if isinstance(err, LeerlingimportError):
                raise err from None
            raise
        if isinstance(err, LeerlingimportError) and err.retryable:
            raise
        return ImportResult(
            run_id,
            school.brin,
            dry_run,
            "failed",
            str(run_dir),
            dict.fromkeys(COUNT_KEYS, 0),
            checked.issues,
            error=message,
        )
    _write_artifacts(run_dir, result)
    return result


def _apply(
    engine: Engine,
    checked: CheckResult,
    params: Params,
    record: _RunRecord,
    run_dir: Path,
    confirm: bool,
    language: Language,
) -> ImportResult:
    school = params.school(record.brin)
    with writing(engine) as conn:
        school_pk = school_id(conn, school.brin)
        run_pk = record.start(conn, school_pk, str(run_dir))
        earlier = _same_file_before(conn, school_pk, record, params.library.timezone, language)
        table = checked.checked.table
        concurrent = lock_people(conn, table)
        plan = _plan(conn, school_pk, checked, params, record.brin, confirm, language)
        held: set[int] = set()
        while concurrent:  # PostgreSQL: lock what the plan matched, then plan again
            matched = set(ids(plan.rows["customer_id"].dropna()))
            if matched <= held:
                break
            held = lock_customers(conn, matched, held)
            plan = _plan(conn, school_pk, checked, params, record.brin, confirm, language)
        counts = plan.counts
        new_pupils = pd.DataFrame()
        if plan.rejected:
            status = "rejected"
            counts = _rejected_counts(checked.rows)
        elif not record.dry_run and not plan.hold_all:
            ctx = Context(
                run_pk,
                school_pk,
                school,
                params.library.card_prefix,
                record.now,
                params.library.timezone,
            )
            new_pupils = apply_plan(conn, plan, ctx)
        if not plan.rejected:
            status = "held" if plan.held else "planned" if record.dry_run else "applied"
        fault_point("before-commit")
        record.finish(conn, run_pk, status, counts)
    return ImportResult(
        record.run_id,
        school.brin,
        record.dry_run,
        status,
        str(run_dir),
        counts,
        [*checked.issues, *earlier, *plan.issues],
        new_pupils,
    )


def _failure_message(err: Exception) -> str:
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


def _rejected_counts(rows: int) -> dict[str, int]:
    return {**dict.fromkeys(COUNT_KEYS, 0), "rows": rows, "rejected": rows}


def _same_file_before(
    conn: Any, school_pk: int, record: _RunRecord, timezone: str, language: Language
) -> list[Issue]:
    """An info when this very file (same sha256) was applied for the school before."""
    from zoneinfo import ZoneInfo

    when = conn.scalar(
        select(func.max(ImportRun.started_at)).where(
            ImportRun.school_id == school_pk,
            ImportRun.input_sha256 == record.sha256,
            ImportRun.status == "applied",
            ImportRun.dry_run.is_(False),
        )
    )
    if when is None:
        return []
    local = when.astimezone(ZoneInfo(timezone)).strftime("%d-%m-%Y %H:%M")
    return [make_issue("same-file-again", when=local, language=language)]


def _plan(
    conn: Any,
    school_pk: int,
    checked: CheckResult,
    params: Params,
    brin: str,
    confirm: bool,
    language: Language,
) -> Plan:
    school = params.school(brin)
    state = load_state(conn, school_pk, school, checked.checked.table)
    return plan_sync(
        checked.checked,
        state,
        school,
        checked.read.columns,
        other_schools={b: s.deregistration for b, s in params.schools.items()},
        confirm_deregistration=confirm,
        language=language,
    )


@dataclass(frozen=True)
class _RunRecord:
    run_id: str
    brin: str
    dry_run: bool
    sha256: str
    params: dict[str, Any]
    now: dt.datetime

    def start(self, conn: Any, school_pk: int, archive: str) -> int:
        return int(
            conn.execute(
                insert(ImportRun)
                .values(
                    run_id=self.run_id,
                    school_id=school_pk,
                    started_at=self.now,
                    dry_run=self.dry_run,
                    status="running",
                    input_sha256=self.sha256,
                    params_snapshot=self.params,
                    code_version=version("leerlingimport"),
                    archive_path=archive,
                )
                .returning(ImportRun.id)
            ).scalar_one()
        )

    def finish(
        self,
        conn: Any,
        run_pk: int,
        status: str,
        counts: dict[str, int],
        error: str | None = None,
    ) -> None:
        conn.execute(
            update(ImportRun)
            .where(ImportRun.id == run_pk)
            .values(status=status, counts=counts, finished_at=dt.datetime.now(dt.UTC), error=error)
        )

    def write(
        self,
        engine: Engine,
        status: str,
        counts: dict[str, int],
        archive: str,
        error: str | None = None,
    ) -> None:
        """A run that changed nothing (rejected or failed), in a transaction of its own."""
        with writing(engine) as conn:
            run_pk = self.start(conn, school_id(conn, self.brin), archive)
            self.finish(conn, run_pk, status, counts, error)


def _write_artifacts(run_dir: Path, result: ImportResult) -> None:
    """The run's printable list of new pupils with their card numbers and one-time passwords."""
    if result.new_pupils.empty:
        return
    from leerlingimport.reporting import write_new_pupils

    run_dir.mkdir(parents=True, exist_ok=True)
    write_new_pupils(result.new_pupils, run_dir / "nieuwe_leerlingen.xlsx")
