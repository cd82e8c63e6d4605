"""Issuing pupils' one-time passwords: an idempotent act of its own, so none is ever lost.

The pupils an import created who have no password yet get one. The printable list is written
completely (a temporary file, renamed when done, mode 0600) before their hashes are committed:
a crash before the commit leaves them without a password, and running the step again issues
new ones and writes the list again; a crash after it leaves a complete list. The plain passwords
exist only in that file: no function returns them and nothing logs them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine, and_, insert, select

from leerlingimport.artifacts import write_secret
from leerlingimport.credentials import pupil_one_time_passwords
from leerlingimport.db import reading, writing
from leerlingimport.db.tables import Card, Credential, Customer, Enrollment, Group
from leerlingimport.faults import fault_point
from leerlingimport.runs import Run

OTP_VALID = dt.timedelta(days=60)
LIST_NAME = "nieuwe_leerlingen.xlsx"


def issue_passwords(engine: Engine, run: Run) -> int:
    """Give every pupil of the school whom an import created and who has no password yet a
    one-time password, and write the printable list (``LIST_NAME`` in the run directory);
    returns how many."""
    with reading(engine) as conn:
        pupils = _waiting(conn, run)
    if pupils.empty:
        return 0
    pairs = pupil_one_time_passwords(len(pupils))
    listed = pupils.assign(one_time_password=[plain for plain, _ in pairs])
    write_secret(run.directory / LIST_NAME, lambda path: _write_list(listed, path))
    fault_point("passwords-listed")
    with writing(engine) as conn:
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
                }
                for customer, (_, hashed) in zip(pupils["customer_id"], pairs, strict=True)
            ],
        )
        fault_point("passwords-before-commit")
    return len(pupils)


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
