"""Who is logged in, what they may do, and the event log (AUTH-08, AUTH-09, UPL-01, PRIV-05)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, g, has_request_context, request, session
from sqlalchemy import Connection, Engine, and_, insert, select

from leerlingimport.db import writing
from leerlingimport.db.tables import (
    Branch,
    Card,
    Credential,
    Customer,
    PortalEvent,
    School,
    StaffPermission,
    Subscription,
    UploadPermission,
)

log = logging.getLogger("leerlingimport.portal")
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class UploadSchool:
    """A school the user may upload for: the permission names its branch."""

    school_id: int
    brin: str
    name: str
    branch_id: int
    branch: str


@dataclass(frozen=True)
class User:
    id: int
    card: str
    name: str
    must_change: bool
    permissions: frozenset[str]
    schools: tuple[UploadSchool, ...]

    @property
    def is_staff(self) -> bool:
        return "manage_student_files" in self.permissions


def engine() -> Engine:
    found: Engine = current_app.extensions["leerlingimport.engine"]
    return found


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def may_log_in(conn: Connection, customer_id: int) -> bool:
    """Whether the customer holds a current public-library subscription, which logging in on
    the library's website needs (DESIGN §7.3)."""
    today = now().date()
    found = conn.scalar(
        select(Subscription.id).where(
            Subscription.customer_id == customer_id,
            Subscription.kind == "library",
            Subscription.status == "active",
            Subscription.starts_on <= today,
            (Subscription.ends_on.is_(None)) | (Subscription.ends_on >= today),
        )
    )
    return found is not None


def load_user(conn: Connection, customer_id: int) -> User | None:
    """The logged-in customer as the database says now; None once their card is blocked or
    their subscription ended, so disabling an account ends its sessions at once."""
    row = conn.execute(
        select(
            Customer.first_name,
            Customer.prefix,
            Customer.surname,
            Card.number,
            Credential.must_change,
        )
        .join(Card, and_(Card.customer_id == Customer.id, Card.status == "active"))
        .join(Credential, Credential.customer_id == Customer.id)
        .where(Customer.id == customer_id)
    ).first()
    if row is None or not may_log_in(conn, customer_id):
        return None
    permissions = conn.scalars(
        select(StaffPermission.permission).where(StaffPermission.customer_id == customer_id)
    )
    schools = conn.execute(
        select(School.id, School.brin, School.name, Branch.id, Branch.number)
        .join(Branch, Branch.id == School.branch_id)
        .join(UploadPermission, UploadPermission.branch_id == Branch.id)
        .where(UploadPermission.customer_id == customer_id)
        .order_by(School.name)
    )
    name = " ".join(p for p in row[:3] if p)
    return User(
        id=customer_id,
        card=row.number,
        name=name,
        must_change=bool(row.must_change),
        permissions=frozenset(permissions),
        schools=tuple(UploadSchool(*s) for s in schools),
    )


def current_user() -> User | None:
    user: User | None = g.get("user")
    return user


def staff_required(view: F) -> F:
    """Library staff with ``manage_student_files``; everyone else gets 403."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        user = current_user()
        if user is None:
            abort(401)
        if not user.is_staff:
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def record(
    event: str,
    customer_id: int | None = None,
    upload_id: int | None = None,
    conn: Connection | None = None,
    **detail: Any,
) -> None:
    """Write one event (who, when, from where, what) to ``portal_events`` and the log.

    Never pass a password or pupil data in ``detail``."""
    values = {
        "at": now(),
        "event": event,
        "customer_id": customer_id,
        "address": (request.remote_addr or "")[:64] if has_request_context() else None,
        "upload_id": upload_id,
        "detail": detail or None,
    }
    if conn is None:
        with writing(engine()) as own:
            own.execute(insert(PortalEvent).values(**values))
    else:
        conn.execute(insert(PortalEvent).values(**values))
    # %r encodes newlines and control characters: no log injection through a card number.
    log.info("%s customer=%s upload=%s %r", event, customer_id, upload_id, detail)


def sign_in(customer_id: int) -> None:
    """Start a fresh session for the customer: a new token, the old one deleted (SESS-01)."""
    session.clear()
    session["customer_id"] = customer_id
    session.rotate()  # type: ignore[attr-defined]
