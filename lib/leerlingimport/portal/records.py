"""What the staff pages read and change: customers, subscriptions, upload rights, the inbox,
the rows of a run linked by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, delete, func, insert, or_, select

from leerlingimport.db.tables import (
    Branch,
    Card,
    Change,
    Customer,
    ImportRun,
    PortalEvent,
    School,
    Subscription,
    Upload,
    UploadPermission,
)
from leerlingimport.errors import ConflictError
from leerlingimport.names import name_key
from leerlingimport.portal.access import may_log_in

SEARCH_LIMIT = 50


def find_customers(conn: Connection, query: str) -> list[dict[str, Any]]:
    """Adults and staff by card number, surname or e-mail (pupils are not portal users)."""
    text = query.strip()
    like = f"%{text.casefold()}%"
    rows = conn.execute(
        select(
            Customer.id,
            Customer.first_name,
            Customer.prefix,
            Customer.surname,
            Customer.email,
            Card.number,
        )
        .join(Card, (Card.customer_id == Customer.id) & (Card.status == "active"), isouter=True)
        .where(Customer.role != "pupil")
        .where(
            or_(
                Card.number == text,
                Customer.name_key.like(f"%{name_key(None, text)}%"),
                func.lower(Customer.email).like(like),
            )
        )
        .order_by(Customer.surname, Customer.id)
        .limit(SEARCH_LIMIT)
    )
    return [dict(r._mapping) for r in rows]


def customer_details(conn: Connection, customer_id: int) -> dict[str, Any] | None:
    customer = conn.execute(select(Customer.__table__).where(Customer.id == customer_id)).first()
    if customer is None or customer.role == "pupil":
        return None
    card = conn.scalar(
        select(Card.number).where(Card.customer_id == customer_id, Card.status == "active")
    )
    branches = conn.execute(
        select(Branch.id, Branch.number, Branch.name)
        .join(UploadPermission, UploadPermission.branch_id == Branch.id)
        .where(UploadPermission.customer_id == customer_id)
        .order_by(Branch.number)
    ).all()
    return {
        "customer": customer,
        "card": card,
        "branches": branches,
        "library_member": may_log_in(conn, customer_id),
    }


def add_library_subscription(conn: Connection, customer_id: int, today: dt.date) -> bool:
    """Make the customer a member of the public library; False if they already were."""
    if may_log_in(conn, customer_id):
        return False
    conn.execute(
        insert(Subscription).values(customer_id=customer_id, kind="library", starts_on=today)
    )
    return True


def check_may_upload(conn: Connection, customer_id: int) -> None:
    """Upload rights need a public-library subscription: the portal's login requires one."""
    if not may_log_in(conn, customer_id):
        raise ConflictError(
            "Deze klant is geen lid van de openbare bibliotheek en kan dus niet inloggen op de "
            "website. Voeg eerst een bibliotheekabonnement toe."
        )


def revoke_upload(conn: Connection, customer_id: int, branch_id: int) -> bool:
    done = conn.execute(
        delete(UploadPermission).where(
            UploadPermission.customer_id == customer_id, UploadPermission.branch_id == branch_id
        )
    )
    return bool(done.rowcount)


def branches(conn: Connection) -> list[tuple[str, str]]:
    """(number, label) of every branch that has schools, for a select list."""
    rows = conn.execute(
        select(Branch.number, func.min(School.name), func.count(School.id))
        .join(School, School.branch_id == Branch.id)
        .group_by(Branch.number)
        .order_by(Branch.number)
    )
    return [(n, f"{n} ({first}{' e.a.' if count > 1 else ''})") for n, first, count in rows]


def schools(conn: Connection) -> list[tuple[str, str]]:
    rows = conn.execute(select(School.brin, School.name).order_by(School.name))
    return [(brin, f"{name} ({brin})") for brin, name in rows]


def inbox(conn: Connection, since: dt.datetime) -> list[dict[str, Any]]:
    """Kept uploads received since ``since``, newest first."""
    rows = conn.execute(
        select(
            Upload.id,
            Upload.original_name,
            Upload.received_at,
            Upload.status,
            Upload.check_result,
            School.brin,
            School.name.label("school"),
            Customer.surname,
        )
        .join(School, School.id == Upload.school_id)
        .join(Customer, Customer.id == Upload.uploader_id)
        .where(Upload.status.in_(("received", "checked", "imported")), Upload.received_at >= since)
        .order_by(Upload.received_at.desc())
    )
    return [dict(r._mapping) for r in rows]


def upload_details(conn: Connection, upload_id: int) -> dict[str, Any] | None:
    upload = conn.execute(
        select(
            Upload.__table__,
            School.brin,
            School.name.label("school"),
            Customer.first_name,
            Customer.surname,
        )
        .join(School, School.id == Upload.school_id)
        .join(Customer, Customer.id == Upload.uploader_id)
        .where(Upload.id == upload_id, Upload.status.in_(("received", "checked", "imported")))
    ).first()
    if upload is None:
        return None
    runs = conn.execute(
        select(PortalEvent.at, PortalEvent.detail)
        .where(PortalEvent.upload_id == upload_id, PortalEvent.event == "import-finished")
        .order_by(PortalEvent.id.desc())
    ).all()
    uploader = " ".join(p for p in (upload.first_name, upload.surname) if p)
    return {
        "upload": upload,
        "brin": upload.brin,
        "school": upload.school,
        "uploader": uploader,
        "runs": runs,
    }


def linked_by_hand(conn: Connection, run_id: str) -> set[int]:
    """The customers that rows of run ``run_id`` were linked to by hand (``link_row``)."""
    found = conn.scalars(
        select(Change.customer_id)
        .join(ImportRun, ImportRun.id == Change.run_id)
        .where(
            ImportRun.run_id == run_id,
            Change.action == "link",
            Change.field == "student_number",
        )
    )
    return {int(c) for c in found}
