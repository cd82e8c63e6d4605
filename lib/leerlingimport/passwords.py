"""Issuing pupils' one-time passwords: an idempotent act of its own, so none is ever lost.

The school's pupils whom an import created and who have no password yet get one, and so do the
pupils this run transferred in whose password is still an unused one-time password (it is on
their old school's list); a transferred pupil who chose a password keeps it and is on the list
for the card number. In one
transaction that holds the run (a second caller waits, then finds nobody left): the printable
list is written completely (a new file for every issue, temporary name, renamed when done,
mode 0600), then the hashes are committed, each naming its list. A crash before the commit
leaves no password and a list nobody's password refers to: the next issue throws that list away
and gives those pupils new passwords. The plain passwords exist only in the lists: no function
returns them and nothing logs them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine, and_, delete, literal, or_, select

from leerlingimport.credentials import otp_key, pupil_one_time_passwords
from leerlingimport.dates import local_date, school_year
from leerlingimport.db import writing
from leerlingimport.db.bulk import bulk_insert
from leerlingimport.db.chunks import chunks
from leerlingimport.db.frames import result_frame
from leerlingimport.db.tables import (
    Card,
    Change,
    Credential,
    Customer,
    Enrollment,
    Group,
    ImportRun,
    School,
)
from leerlingimport.faults import fault_point
from leerlingimport.issues import Language
from leerlingimport.printable import LIST_STEM, ListHeading, list_files, write_school_list
from leerlingimport.runs import Run, in_step
from leerlingimport.sync.state import ids

OTP_VALID = dt.timedelta(days=60)
LIST_NAME = f"{LIST_STEM}.xlsx"
OWN_PASSWORD = {"nl": "(eigen wachtwoord)", "en": "(own password)"}


@dataclass(frozen=True)
class Issued:
    """How many pupils got a one-time password, and the list that holds them (a path, never
    the passwords)."""

    count: int
    list_path: str | None


def issue_passwords(
    engine: Engine, run: Run, *, timezone: str = "Europe/Amsterdam", language: Language = "nl"
) -> Issued:
    """Give every pupil of the school whom an import created and who has no password yet (and
    every pupil the run transferred in whose one-time password is unused) a one-time password,
    in a new printable list in the run directory (.xlsx, .ods and a letter for the school).
    Nothing in a dry run."""
    if run.dry_run:
        return Issued(0, None)
    with in_step(engine, run):
        _after_enroll(run)
        return _issue(engine, run, timezone, language)


def _after_enroll(run: Run) -> None:
    if not (run.directory / "enrolled.json").exists():
        from leerlingimport.steps import StepOrderError

        raise StepOrderError(
            f"Voor deze stap is eerst de stap 'enroll' van import {run.run_id} nodig; voer die "
            "eerst uit."
        )


def _issue(engine: Engine, run: Run, timezone: str, language: Language) -> Issued:
    """The list first, then the hashes naming it, in one transaction that holds the run."""
    with writing(engine) as conn:
        conn.execute(select(ImportRun.id).where(ImportRun.id == run.pk).with_for_update())
        _throw_away_dead_lists(conn, run)
        waiting = _waiting(conn, run)
        if waiting.empty:
            return Issued(0, None)
        pupils = waiting[~waiting["own_password"]]
        pairs = pupil_one_time_passwords(len(pupils), otp_key(run.directory.parent.parent))
        listed = waiting.assign(one_time_password=OWN_PASSWORD[language])
        listed.loc[pupils.index, "one_time_password"] = [plain for plain, _ in pairs]
        path = _new_list_path(run)
        write_school_list(listed, path, _heading(conn, run, timezone, language))
        fault_point("passwords-listed")
        if len(pupils):
            replaced = ids(pupils.loc[pupils["has_password"], "customer_id"])
            _store(
                conn, run, ids(pupils["customer_id"]), [h for _, h in pairs], path.name, replaced
            )
        fault_point("passwords-before-commit")
    return Issued(len(pupils), str(path))


def _store(
    conn: Connection,
    run: Run,
    customers: list[int],
    hashes: list[str],
    name: str,
    replaced: list[int],
) -> None:
    """The hashes, each naming its list; ``replaced`` (transferred pupils whose unused
    one-time password is on the old school's list) lose their old one first."""
    for chunk in chunks(replaced):
        conn.execute(delete(Credential).where(Credential.customer_id.in_(chunk)))
    stamps = {
        "must_change": True,
        "otp_expires_at": run.now + OTP_VALID,
        "failed_attempts": 0,
        "updated_at": run.now,
        "otp_list": f"{run.run_id}/{name}",
    }
    bulk_insert(conn, Credential, {"customer_id": customers, "password_hash": hashes}, stamps)


def _heading(conn: Connection, run: Run, timezone: str, language: Language) -> ListHeading:
    from zoneinfo import ZoneInfo

    name = conn.scalar(select(School.name).where(School.id == run.school_id)) or run.brin
    until = (run.now + OTP_VALID).astimezone(ZoneInfo(timezone))
    year = school_year(local_date(run.now, timezone))
    return ListHeading(name, run.brin, year, until, language)


def _new_list_path(run: Run) -> Path:
    path, number = run.directory / LIST_NAME, 1
    while path.exists():
        number += 1
        path = run.directory / f"{Path(LIST_NAME).stem}-{number}.xlsx"
    return path


def _throw_away_dead_lists(conn: Connection, run: Run) -> None:
    """Lists that no password refers to, in this run's directory or a failed run's of the
    school (their issue died before its commit), hold passwords that never worked: remove
    them, so nobody prints them."""
    failed = set(
        conn.scalars(
            select(ImportRun.run_id).where(
                ImportRun.school_id == run.school_id, ImportRun.status == "failed"
            )
        )
    )
    lists = {
        f"{directory.name}/{name}": paths
        for directory in run.directory.parent.glob(f"{run.brin}-*")
        if directory.name == run.run_id or directory.name in failed
        for name, paths in list_files(directory).items()
    }
    # Only these lists, among the school's pupils (by the enrollments' school index): all
    # credentials would be a scan of every pupil of every school, per issue.
    live = set(
        conn.scalars(
            select(Credential.otp_list)
            .join(Enrollment, Enrollment.customer_id == Credential.customer_id)
            .where(Enrollment.school_id == run.school_id, Credential.otp_list.in_(list(lists)))
            .distinct()
        )
    )
    for name, paths in lists.items():
        if name not in live:
            for path in paths:  # the .xlsx, its .ods, its letter, or their halves
                path.unlink(missing_ok=True)


def _waiting(conn: Connection, run: Run) -> pd.DataFrame:
    """Who goes on the list, with what it shows and ``own_password`` (they keep theirs): the
    school's active pupils whom an import created and who have no password yet (this run's new
    pupils, and any an earlier run could not finish), and the pupils this run transferred in
    and has not listed yet (an unused one-time password of theirs is on the old school's list
    and is replaced; one they chose stays)."""
    has_password = select(Credential.customer_id).where(Credential.customer_id == Customer.id)
    chosen = has_password.where(Credential.must_change.is_(False))
    listed_here = has_password.where(Credential.otp_list.startswith(f"{run.run_id}/"))
    moved_in = select(Change.customer_id).where(
        Change.run_id == run.pk, Change.action == "transfer"
    )
    first_list = not list_files(run.directory)
    query = (
        select(
            Customer.id.label("customer_id"),
            Customer.initials,
            Customer.first_name,
            Customer.prefix,
            Customer.surname,
            Enrollment.group_code,
            Group.name.label("group_name"),
            Card.number.label("card_number"),
            chosen.exists().label("own_password"),
            has_password.exists().label("has_password"),
        )
        .join(
            Enrollment,
            and_(
                Enrollment.customer_id == Customer.id,
                Enrollment.school_id == run.school_id,
                Enrollment.status == "active",
            ),
        )
        .outerjoin(
            Group,
            and_(Group.school_id == Enrollment.school_id, Group.code == Enrollment.group_code),
        )
        .outerjoin(
            Card,
            and_(Card.customer_id == Customer.id, Card.is_primary, Card.status == "active"),
        )
        .where(
            or_(
                and_(Customer.source == "school_import", ~has_password.exists()),
                and_(
                    Customer.id.in_(moved_in),
                    ~listed_here.exists(),
                    ~chosen.exists() | literal(first_list),
                ),
            )
        )
        .order_by(Customer.id)
    )
    result = conn.execute(query)
    frame = result_frame(result)
    return frame.astype({"own_password": "bool", "has_password": "bool"})
