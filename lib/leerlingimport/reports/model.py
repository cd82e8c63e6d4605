"""The run report as data: ``run_report(engine, run_id, data_dir)`` → ``RunReport``.

Example (a notebook or a session; ``show_personal_data`` adds names, never by default)::

    from pathlib import Path
    from leerlingimport import make_engine, run_report, render_report, chart_year_groups
    engine = make_engine("sqlite:///var/leerlingimport.db")
    report = run_report(engine, "99ZZ-20260901T080000-a1b2c3", Path("var"))
    report.counts["new"], report.year_groups, report.changes, report.leavers_with_loans
    print(render_report(report))        # mail-ready text
    chart_year_groups(report)           # a chart (PNG in a notebook): pupils per year group
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from leerlingimport.artifacts import load_json
from leerlingimport.db import reading
from leerlingimport.db.tables import ImportRun, School
from leerlingimport.errors import NotFound
from leerlingimport.issues import Language
from leerlingimport.reports import attention
from leerlingimport.reports.changes import (
    CHANGE_COLUMNS,
    logged_changes,
    per_group,
    planned_changes,
)


@dataclass(frozen=True)
class FileFacts:
    """How the run's file was read: its name, container, encoding, delimiter, sheet, header
    row, data rows, the rows that were valid, and the columns that were dropped."""

    name: str
    container: str | None
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    header_row: int | None
    rows: int
    valid_rows: int
    dropped_columns: list[str]


@dataclass(frozen=True)
class PreviousRun:
    run_id: str
    started_at: dt.datetime
    status: str


@dataclass(frozen=True)
class RunReport:
    """What happened in one run, for the library's staff, the school and the auditor.

    Tables are DataFrames, pseudonymous unless ``show_personal_data`` (a pupil is a customer id
    and ``pupil``, a keyed hash of the student number; names are added only when asked)."""

    run_id: str
    brin: str
    school: str
    dry_run: bool
    status: str
    started_at: dt.datetime
    counts: dict[str, int]
    file: FileFacts | None
    rejected_rows: pd.DataFrame  # row, code, column, message
    previous_run: PreviousRun | None
    year_groups: pd.DataFrame  # by year group: before, after, difference
    changes: pd.DataFrame  # kind, group, customer_id, pupil, card_number, from_school, field, ...
    changes_per_group: pd.DataFrame  # group × kind: pupils
    holds: list[dict[str, Any]]  # brin, count, active, kind: why the run is held
    held_pupils: pd.DataFrame  # held (deregister | transfer), customer_id, pupil, card_number
    ambiguous: pd.DataFrame  # row, pupil, candidate, card_number, school
    mismatches: pd.DataFrame  # row, pupil, matched_by, other_card
    leavers_with_loans: pd.DataFrame  # card_number, customer_id, pupil, item, due_on
    unusual: list[tuple[str, float]]  # (arriving | deregistered | rejected, share)
    show_personal_data: bool = False
    language: Language = "nl"
    issues: list[dict[str, Any]] = field(default_factory=list)

    @property
    def needs_attention(self) -> bool:
        """Whether a person has something to do: held changes, ambiguous matches, identity
        mismatches, leavers with items on loan, or an unusual share of changes."""
        tables = (self.held_pupils, self.ambiguous, self.mismatches, self.leavers_with_loans)
        return bool(self.holds or self.unusual or any(len(t) for t in tables))

    def as_json(self) -> dict[str, Any]:
        """Plain values for ``leerlingimport report --json``."""

        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            plain = frame.astype("object").where(frame.notna(), None)
            return [{str(k): _plain(v) for k, v in r.items()} for r in plain.to_dict("records")]

        years = self.year_groups.reset_index()
        return {
            "run_id": self.run_id,
            "school": self.brin,
            "school_name": self.school,
            "dry_run": self.dry_run,
            "status": self.status,
            "started_at": self.started_at.isoformat(),
            "counts": self.counts,
            "file": None if self.file is None else vars(self.file),
            "rejected_rows": records(self.rejected_rows),
            "previous_run": None
            if self.previous_run is None
            else {
                **vars(self.previous_run),
                "started_at": self.previous_run.started_at.isoformat(),
            },
            "year_groups": records(years),
            "changes": records(self.changes),
            "holds": self.holds,
            "held_pupils": records(self.held_pupils),
            "ambiguous": records(self.ambiguous),
            "mismatches": records(self.mismatches),
            "leavers_with_loans": records(self.leavers_with_loans),
            "unusual": [{"what": w, "share": round(s, 3)} for w, s in self.unusual],
            "needs_attention": self.needs_attention,
        }


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10] if isinstance(value, dt.date) else value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def run_report(
    engine: Engine,
    run_id: str,
    data_dir: Path,
    *,
    show_personal_data: bool = False,
    language: Language = "nl",
) -> RunReport:
    """Everything a person needs to know about run ``run_id``: counts, how the file was read,
    rejected rows, pupils per year group before and after, the change lists, and what needs a
    person. Reads the database and the run's directory (``data_dir/runs/<run_id>``); writes
    nothing. A run that never reached a step has what it has: the rest is empty."""
    directory = data_dir / "runs" / run_id
    with reading(engine) as conn:
        record = conn.execute(
            select(
                ImportRun.id,
                ImportRun.school_id,
                ImportRun.dry_run,
                ImportRun.status,
                ImportRun.started_at,
                ImportRun.counts,
                School.brin,
                School.name,
            )
            .join(School, School.id == ImportRun.school_id)
            .where(ImportRun.run_id == run_id)
        ).one_or_none()
        if record is None:
            raise NotFound(f"Import {run_id} bestaat niet; 'leerlingimport runs' toont de imports.")
        enrolled = _saved(directory, "enrolled")
        # A run still running (the workbook reports before it ends) is what its enroll step
        # decided.
        status = enrolled["status"] if enrolled and record.status == "running" else record.status
        parts = (
            _planned(conn, directory, data_dir, record, enrolled, status, show_personal_data)
            if enrolled
            else _nothing_planned()
        )
        report = RunReport(
            run_id=run_id,
            brin=record.brin,
            school=record.name,
            dry_run=record.dry_run,
            status=status,
            started_at=record.started_at,
            counts=dict(record.counts or {}),
            file=_file_facts(directory),
            rejected_rows=_rejected_rows(directory, enrolled),
            previous_run=_previous(conn, record),
            show_personal_data=show_personal_data,
            language=language,
            issues=_issues(directory, enrolled),
            **parts,
        )
    return report


def _planned(
    conn: Any,
    directory: Path,
    data_dir: Path,
    record: Any,
    enrolled: dict[str, Any],
    status: str,
    show_personal_data: bool,
) -> dict[str, Any]:
    """The parts of the report that come from the enroll step's plan."""
    codes = {i["code"] for i in enrolled["issues"]}
    args = (conn, directory, data_dir, show_personal_data)
    if not record.dry_run:
        changes = logged_changes(conn, record.id, record.school_id, *args[2:])
    elif codes & attention.APPLIES_NOTHING or status == "rejected":
        changes = planned_changes(conn, directory, *args[2:]).iloc[0:0]
    else:
        changes = planned_changes(conn, directory, *args[2:])
        if status == "held":  # what a held apply would leave undone is in held_pupils
            changes = changes[~changes["kind"].isin(["transferred", "deregistered"])]
    counts = dict(record.counts or {})
    return {
        "year_groups": attention.year_groups(directory, status, codes),
        "changes": changes.reset_index(drop=True),
        "changes_per_group": per_group(changes),
        "holds": list(enrolled["holds"]),
        "held_pupils": attention.held_pupils(*args) if status == "held" else pd.DataFrame(),
        "ambiguous": attention.ambiguous(*args),
        "mismatches": attention.mismatches(directory, data_dir, show_personal_data),
        "leavers_with_loans": attention.leavers_with_loans(*args),
        "unusual": attention.unusual(counts, _before_count(directory)),
    }


def _nothing_planned() -> dict[str, Any]:
    """A run that never planned (its file was rejected, or it stopped before enroll)."""
    return {
        "year_groups": _empty_years(),
        "changes": pd.DataFrame(columns=CHANGE_COLUMNS),
        "changes_per_group": pd.DataFrame(),
        "holds": [],
        "held_pupils": pd.DataFrame(),
        "ambiguous": pd.DataFrame(),
        "mismatches": pd.DataFrame(),
        "leavers_with_loans": pd.DataFrame(),
        "unusual": [],
    }


def _saved(directory: Path, name: str) -> Any:
    return load_json(directory, name) if (directory / f"{name}.json").exists() else None


def _file_facts(directory: Path) -> FileFacts | None:
    read = _saved(directory, "read")
    if read is None:
        return None
    fmt = read["format"]
    checked = directory / "checked.parquet"
    rows = valid = 0
    if checked.exists():
        table = pd.read_parquet(checked)
        whole = "row_ok" not in table.columns  # a file rejected whole was not checked by row
        rows, valid = len(table), 0 if whole else int(table["row_ok"].sum())
    return FileFacts(
        read["name"],
        fmt.get("container"),
        fmt.get("encoding"),
        fmt.get("delimiter"),
        fmt.get("sheet"),
        fmt.get("header_row"),
        rows,
        valid,
        list(read["dropped_columns"]),
    )


def _issues(directory: Path, enrolled: Any) -> list[dict[str, Any]]:
    checked = _saved(directory, "checked")
    found = list(checked["issues"]) if checked else []
    return found + (list(enrolled["issues"]) if enrolled else [])


def _rejected_rows(directory: Path, enrolled: Any) -> pd.DataFrame:
    """Every issue that kept a row out of the run: row errors, and skipped rows' issues."""
    issues = pd.DataFrame(
        _issues(directory, enrolled), columns=["code", "severity", "row", "column", "message"]
    )
    skipped: set[int] = set()
    if enrolled is not None:
        plan = pd.read_parquet(directory / "plan.parquet", columns=["source_row", "skip"])
        skipped = set(plan.loc[plan["skip"] != "", "source_row"])
    keep = issues["row"].notna() & ((issues["severity"] == "error") | issues["row"].isin(skipped))
    table = issues[keep][["row", "code", "column", "message"]]
    return table.astype({"row": "int64"}).sort_values("row", kind="stable", ignore_index=True)


def _previous(conn: Any, record: Any) -> PreviousRun | None:
    row = conn.execute(
        select(ImportRun.run_id, ImportRun.started_at, ImportRun.status)
        .where(
            ImportRun.school_id == record.school_id,
            ImportRun.started_at < record.started_at,
            ImportRun.dry_run.is_(False),
            ImportRun.status.in_(["applied", "held"]),
        )
        .order_by(ImportRun.started_at.desc())
        .limit(1)
    ).first()
    return None if row is None else PreviousRun(row.run_id, row.started_at, row.status)


def _before_count(directory: Path) -> int:
    path = directory / "before.parquet"
    return len(pd.read_parquet(path, columns=["enrollment_id"])) if path.exists() else 0


def _empty_years() -> pd.DataFrame:
    return pd.DataFrame(columns=["before", "after", "difference"]).rename_axis("year_group")
