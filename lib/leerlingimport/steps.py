"""The five steps of an import, as public functions over one run directory (DESIGN §5).

``ingest`` → ``validate`` (``raise_for_rejection`` stops a run on a rejected file) → ``enroll``
(plans and applies creates, links, updates, transfers and cards in one transaction, planning
inside it) → ``issue_passwords`` → ``deregister`` (its own transaction; takes the enroll
step's plan, applies the hold guard). Each step saves its output in the run directory and the
next loads it, so a step can run in a process of its own (a notebook's kernel) and be run
again. Steps return data and never print. ``pipeline.run_import`` composes the same functions.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select, update

from leerlingimport.artifacts import load_json, load_table, save_json, save_table
from leerlingimport.dates import local_date
from leerlingimport.db import writing
from leerlingimport.db.frames import result_frame
from leerlingimport.db.tables import Enrollment, ImportRun
from leerlingimport.errors import ConflictError, InputFileError
from leerlingimport.faults import fault_point
from leerlingimport.intake import FileFormat, Ingested, ingest
from leerlingimport.issues import Issue, Language, file_errors
from leerlingimport.params import Params
from leerlingimport.runs import Run, in_step
from leerlingimport.sync.apply import Context, apply_deregistration, apply_enrollment
from leerlingimport.sync.findings import Hold
from leerlingimport.sync.locks import lock_customers, lock_people
from leerlingimport.sync.plan import Plan, plain_text, plan_sync
from leerlingimport.sync.state import State, candidates, load_state
from leerlingimport.validation import Validated, validate

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


class FileRejected(InputFileError):
    """The file is rejected as a whole; ``issues`` say why."""

    def __init__(self, issues: list[Issue]) -> None:
        lines = "\n".join(f"- {i.message}" for i in file_errors(issues))
        super().__init__(f"Het bestand is geweigerd:\n{lines}")
        self.issues = issues


@dataclass(frozen=True)
class Enrolled:
    """What the enroll step decided (and, unless a dry run, applied)."""

    counts: dict[str, int]
    status: str  # planned | applied | held | rejected
    holds: list[Hold] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def ingest_step(run: Run, data: bytes, name: str, *, language: Language = "nl") -> Ingested:
    """Step 1: read the file into the canonical table; saved as ``read``. Run again (another
    file), what the later steps saved is thrown away, until the run has enrolled."""
    _start_over(run, after="ingest")
    read = ingest(data, name, language=language)
    save_table(run.directory, "read", read.table)
    save_json(
        run.directory,
        "read",
        {
            "name": name,
            "format": asdict(read.format),
            "columns": read.columns,
            "dropped_columns": read.dropped_columns,
            "issues": [i.as_dict() for i in read.issues],
        },
    )
    return read


def load_ingested(run: Run) -> Ingested:
    saved = _load(run, "read", "ingest")
    fmt = dict(saved["format"])
    fmt["mixed_lines"] = tuple(fmt.get("mixed_lines") or ())
    return Ingested(
        load_table(run.directory, "read"),
        FileFormat(**fmt),
        saved["columns"],
        saved["dropped_columns"],
        _issues(saved["issues"]),
    )


def validate_step(
    run: Run, params: Params, *, language: Language = "nl", timezone: str | None = None
) -> Validated:
    """Step 2: the field rules; saved as ``checked``."""
    read = load_ingested(run)
    _start_over(run, after="validate")
    today = local_date(run.now, timezone or params.library.timezone)
    checked = validate(read, params.school(run.brin), language=language, today=today)
    save_table(run.directory, "checked", checked.table)
    save_json(run.directory, "checked", {"issues": [i.as_dict() for i in checked.issues]})
    return checked


def load_validated(run: Run) -> Validated:
    issues = _issues(_load(run, "checked", "validate")["issues"])
    return Validated(load_table(run.directory, "checked"), issues)


def raise_for_rejection(checked: Validated) -> None:
    """Stop a run on a file that is rejected as a whole."""
    if checked.rejected:
        raise FileRejected(checked.issues)


def enroll(
    engine: Engine,
    run: Run,
    params: Params,
    *,
    confirm: bool = False,
    language: Language = "nl",
) -> Enrolled:
    """Step 3: match and plan inside one transaction (after locking what the file may match),
    then apply creates, links, updates, transfers and cards, unless the run is a dry run, the
    file looks like another school's, or the run is held whole. Saves the plan. A file
    rejected as a whole is refused here too: it changes nothing, whoever calls."""
    checked = load_validated(run)
    raise_for_rejection(checked)
    columns = _load(run, "read", "ingest")["columns"]
    with in_step(engine, run), writing(engine) as conn:
        done = _enrolled_before(conn, run)
        if done is not None:  # this run's enroll step was applied already: never twice
            return done
        state = _locked_state(conn, run, checked, params)
        plan = _plan(state, run, checked, columns, params, confirm, language)
        status = _status(plan, run)
        counts = rejected_counts(len(checked.table)) if plan.rejected else plan.counts
        enrolled = Enrolled(counts, status, plan.holds, plan.issues)
        _save_plan(run, plan, enrolled)  # before the commit: a crash after it finds them
        save_table(run.directory, "before", _active_pupils(state.here))
        if not run.dry_run and status in ("applied", "held") and not plan.hold_all:
            apply_enrollment(conn, plan, _context(run, params))
        conn.execute(update(ImportRun).where(ImportRun.id == run.pk).values(counts=counts))
        fault_point("enroll-before-commit")
    return enrolled


def deregister(engine: Engine, run: Run, params: Params) -> int:
    """Step 5: deregister the leavers the enroll step found, in a transaction of its own,
    unless the run is held, rejected or a dry run; returns how many were deregistered. Run
    again after a crash, it deregisters whoever is still active."""
    saved = _load(run, "enrolled", "enroll")
    if saved["status"] != "applied":
        return 0
    leavers = load_table(run.directory, "leavers")
    with in_step(engine, run), writing(engine) as conn:
        still = set(
            conn.scalars(
                select(Enrollment.id).where(
                    Enrollment.school_id == run.school_id, Enrollment.status == "active"
                )
            )
        )
        leaving = leavers[leavers["enrollment_id"].isin(still)]
        apply_deregistration(conn, leaving, _context(run, params))
        fault_point("deregister-before-commit")
    return len(leaving)


def enrolled_counts(run: Run) -> tuple[str, dict[str, int], list[Issue]]:
    """The status, counts and issues the enroll step saved."""
    saved = _load(run, "enrolled", "enroll")
    return saved["status"], saved["counts"], _issues(saved["issues"])


class StepOrderError(ConflictError):
    """A step was asked before the step whose output it needs."""


LATER = {
    "ingest": ("checked", "plan", "leavers", "diffs", "before"),
    "validate": ("plan", "leavers", "diffs", "before"),
}


def _start_over(run: Run, *, after: str) -> None:
    """A step run again makes what the later steps saved stale: it goes, unless the run has
    already enrolled (then the run's file is settled; start a new run)."""
    if (run.directory / "enrolled.json").exists():
        raise StepOrderError(
            f"Import {run.run_id} heeft de stap 'enroll' al gedaan; lees geen ander bestand in "
            "deze run. Start een nieuwe import."
        )
    for name in LATER[after]:
        for suffix in (".json", ".parquet"):
            (run.directory / f"{name}{suffix}").unlink(missing_ok=True)


def _load(run: Run, name: str, step: str) -> Any:
    if not (run.directory / f"{name}.json").exists():
        raise StepOrderError(
            f"Voor deze stap is eerst de stap '{step}' van import {run.run_id} nodig; voer die "
            "eerst uit."
        )
    return load_json(run.directory, name)


def school_pupils(conn: Any, school_id: int) -> pd.DataFrame:
    """The school's active pupils as they are: enrollment, customer, group and year group."""
    result = conn.execute(
        select(
            Enrollment.id.label("enrollment_id"),
            Enrollment.customer_id,
            Enrollment.group_code,
            Enrollment.year_group,
        ).where(Enrollment.school_id == school_id, Enrollment.status == "active")
    )
    return result_frame(result)


def _enrolled_before(conn: Any, run: Run) -> Enrolled | None:
    """The enroll step's result when this run applied it already (its counts are committed
    with it), so running the step again changes nothing and reports the same."""
    counts = conn.scalar(select(ImportRun.counts).where(ImportRun.id == run.pk))
    if counts is None or run.dry_run:
        return None
    saved = load_json(run.directory, "enrolled")
    holds = [Hold(**h) for h in saved["holds"]]
    return Enrolled(saved["counts"], saved["status"], holds, _issues(saved["issues"]))


def _locked_state(conn: Any, run: Run, checked: Validated, params: Params) -> State:
    """The state the plan is made from, read once everything it may match is locked. On
    PostgreSQL the file's person keys and cards are locked first (``lock_people``); then every
    customer the state says a plan may match (``candidates``: a row matched by student number
    alone has no person key), and the state is read again, until it holds them all. A run
    that held one of them has committed by then, and the state read after its commit sees
    its work: the plan is made once, from a state no concurrent run can change."""
    school = params.school(run.brin)
    concurrent = lock_people(conn, checked.table)
    state = load_state(conn, run.school_id, school, checked.table)
    held: set[int] = set()
    while concurrent:
        wanted = candidates(state, checked.table)
        if wanted <= held:
            break
        held = lock_customers(conn, wanted, held)
        state = load_state(conn, run.school_id, school, checked.table)
    return state


def _plan(
    state: State,
    run: Run,
    checked: Validated,
    columns: dict[str, str],
    params: Params,
    confirm: bool,
    language: Language,
) -> Plan:
    return plan_sync(
        checked,
        state,
        params.school(run.brin),
        columns,
        other_schools={b: s.deregistration for b, s in params.schools.items()},
        confirm_deregistration=confirm,
        language=language,
    )


def _active_pupils(here: pd.DataFrame) -> pd.DataFrame:
    """``school_pupils`` from the state the plan was made from (same transaction, same rows)."""
    active = here[here["status"] == "active"]
    return active[["enrollment_id", "customer_id", "group_code", "year_group"]].reset_index(
        drop=True
    )


def _status(plan: Plan, run: Run) -> str:
    if plan.rejected:
        return "rejected"
    if plan.held:
        return "held"
    return "planned" if run.dry_run else "applied"


def _context(run: Run, params: Params) -> Context:
    school = params.school(run.brin)
    return Context(
        run.pk, run.school_id, school, params.library.card_prefix, run.now, params.library.timezone
    )


def _save_plan(run: Run, plan: Plan, enrolled: Enrolled) -> None:
    keep = [
        "source_row",
        "action",
        "matched_by",
        "skip",
        "customer_id",
        "enrollment_id",
        "old_school_id",
        "owner_card",
    ]
    rows = plan.rows[[c for c in keep if c in plan.rows.columns]]
    save_table(run.directory, "plan", rows.astype({"customer_id": "Int64"}))
    diffs = plan.diffs.assign(
        source_row=plan.rows["source_row"].reindex(plan.diffs["row"]).array,
        old=plan.diffs["old"].map(plain_text),
        new=plan.diffs["new"].map(plain_text),
    )
    save_table(run.directory, "diffs", diffs.drop(columns="row"))
    save_table(run.directory, "leavers", plan.deregister)
    save_json(
        run.directory,
        "enrolled",
        {
            "status": enrolled.status,
            "counts": enrolled.counts,
            "holds": [asdict(h) for h in enrolled.holds],
            "issues": [i.as_dict() for i in enrolled.issues],
        },
    )


def rejected_counts(rows: int) -> dict[str, int]:
    """The counts of a rejected file: every row rejected, nothing else."""
    return {**dict.fromkeys(COUNT_KEYS, 0), "rows": rows, "rejected": rows}


def _issues(saved: list[dict[str, Any]]) -> list[Issue]:
    return [Issue(**i) for i in saved]


__all__ = [
    "COUNT_KEYS",
    "Enrolled",
    "FileRejected",
    "deregister",
    "enroll",
    "enrolled_counts",
    "ingest_step",
    "load_ingested",
    "load_validated",
    "raise_for_rejection",
    "rejected_counts",
    "school_pupils",
    "validate_step",
]
