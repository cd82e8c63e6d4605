"""Issuing pupils' one-time passwords: an idempotent act of its own, so none is ever lost.

The school's pupils whom an import created and who have no password yet get one. In one
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
from sqlalchemy import Connection, Engine, and_, insert, select

from leerlingimport.artifacts import write_secret
from leerlingimport.credentials import otp_key, pupil_one_time_passwords
from leerlingimport.db import writing
from leerlingimport.db.tables import Card, Credential, Customer, Enrollment, Group, ImportRun
from leerlingimport.faults import fault_point
from leerlingimport.runs import Run, in_step

OTP_VALID = dt.timedelta(days=60)
LIST_NAME = "nieuwe_leerlingen.xlsx"


@dataclass(frozen=True)
class Issued:
    """How many pupils got a one-time password, and the list that holds them (a path, never
    the passwords)."""

    count: int
    list_path: str | None


def issue_passwords(engine: Engine, run: Run) -> Issued:
    """Give every pupil of the school whom an import created and who has no password yet a
    one-time password, in a new printable list in the run directory. Nothing in a dry run."""
    if run.dry_run:
        return Issued(0, None)
    with in_step(engine, run):
        _after_enroll(run)
        return _issue(engine, run)


def _after_enroll(run: Run) -> None:
    if not (run.directory / "enrolled.json").exists():
        from leerlingimport.steps import StepOrderError

        raise StepOrderError(
            f"Voor deze stap is eerst de stap 'enroll' van import {run.run_id} nodig; voer die "
            "eerst uit."
        )


def _issue(engine: Engine, run: Run) -> Issued:
    """The list first, then the hashes naming it, in one transaction that holds the run."""
    with writing(engine) as conn:
        conn.execute(select(ImportRun.id).where(ImportRun.id == run.pk).with_for_update())
        _throw_away_dead_lists(conn, run)
        pupils = _waiting(conn, run)
        if pupils.empty:
            return Issued(0, None)
        pairs = pupil_one_time_passwords(len(pupils), otp_key())
        listed = pupils.assign(one_time_password=[plain for plain, _ in pairs])
        path = _new_list_path(run)
        write_secret(path, lambda tmp: _write_list(listed, tmp))
        fault_point("passwords-listed")
        conn.execute(
            insert(Credential),
            [
                {
                    "customer_id": int(customer),
                    "password_hash": hashed,
                    "must_change": True,
                    "otp_expires_at": run.now + OTP_VALID,
                    "failed_attempts": 0,
                    "updated_at": run.now,
                    "otp_list": f"{run.run_id}/{path.name}",
                }
                for customer, (_, hashed) in zip(pupils["customer_id"], pairs, strict=True)
            ],
        )
        fault_point("passwords-before-commit")
    return Issued(len(pupils), str(path))


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
    candidates = {
        f"{path.parent.name}/{path.name}": path
        for path in run.directory.parent.glob(f"{run.brin}-*/{Path(LIST_NAME).stem}*.xlsx")
        if path.parent.name == run.run_id or path.parent.name in failed
    }
    # Only these lists, among the school's pupils (by the enrollments' school index): all
    # credentials would be a scan of every pupil of every school, per issue.
    live = set(
        conn.scalars(
            select(Credential.otp_list)
            .join(Enrollment, Enrollment.customer_id == Credential.customer_id)
            .where(Enrollment.school_id == run.school_id, Credential.otp_list.in_(list(candidates)))
            .distinct()
        )
    )
    for name, path in candidates.items():
        if name not in live:
            path.unlink(missing_ok=True)


def _write_list(listed: pd.DataFrame, path: Path) -> None:
    from leerlingimport.reporting import write_new_pupils

    fault_point("passwords-writing")
    write_new_pupils(listed, path)


def _waiting(conn: Connection, run: Run) -> pd.DataFrame:
    """The school's active pupils whom an import created and who have no password yet (this
    run's new pupils, and any an earlier run could not finish), with what the list shows."""
    has_password = select(Credential.customer_id).where(Credential.customer_id == Customer.id)
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
        .where(Customer.source == "school_import", ~has_password.exists())
        .order_by(Customer.id)
    )
    result = conn.execute(query)
    return pd.DataFrame(result.all(), columns=list(result.keys()))
