"""Customers registered by library staff: teachers and school staff who upload pupil files.

The seed's manual steps in the library's client: create the customer with a generated card
number ("V" + Enter) or a scanned pre-printed card, give a one-time password once, grant the
upload permission for a branch, and reset the password when asked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Connection, insert, select

from leerlingimport.cards import allocate_card_numbers, check_scanned_number
from leerlingimport.credentials import set_one_time_password
from leerlingimport.db.tables import Card, Customer, StaffPermission, Subscription, UploadPermission
from leerlingimport.errors import NotFound
from leerlingimport.library import branch_id, school_id
from leerlingimport.names import name_key

GENERATE = "V"
PERMISSIONS = ("manage_student_files", "run_imports")


@dataclass(frozen=True)
class NewCustomer:
    """What staff type in for a teacher or staff member."""

    surname: str
    role: Literal["teacher", "staff", "adult", "pupil"] = "teacher"
    first_name: str | None = None
    initials: str | None = None
    prefix: str | None = None
    sex: Literal["M", "V", "X"] | None = None
    birth_date: dt.date | None = None
    email: str | None = None
    username: str | None = None
    street: str | None = None
    house_number: str | None = None
    postcode: str | None = None
    city: str | None = None
    school: str | None = None  # BRIN
    group_code: str | None = None
    card: str = GENERATE  # "V" makes a number; anything else is a scanned card number
    library_member: bool = True  # needed to log in on the library's website


@dataclass(frozen=True)
class Registered:
    customer_id: int
    card_number: str
    one_time_password: str
    otp_expires_at: dt.datetime


def add_customer(
    conn: Connection, new: NewCustomer, card_prefix: str, now: dt.datetime, otp_valid: dt.timedelta
) -> Registered:
    """Create the customer, their card, subscription and a one-time password."""
    card = (
        allocate_card_numbers(conn, card_prefix, 1)[0]
        if new.card.strip().upper() == GENERATE
        else check_scanned_number(conn, new.card)
    )
    home_school = school_id(conn, new.school) if new.school else None
    customer_id = conn.execute(
        insert(Customer)
        .values(
            role=new.role,
            surname=new.surname.strip(),
            name_key=name_key(new.prefix, new.surname.strip()),
            first_name=new.first_name,
            initials=new.initials or _initials(new.first_name),
            prefix=new.prefix,
            sex=new.sex,
            birth_date=new.birth_date,
            email=new.email,
            username=new.username,
            street=new.street,
            house_number=new.house_number,
            postcode=new.postcode,
            city=new.city,
            school_id=home_school,
            group_code=new.group_code,
            created_at=now,
            updated_at=now,
        )
        .returning(Customer.id)
    ).scalar_one()
    conn.execute(
        insert(Card).values(
            number=card, customer_id=customer_id, kind="library", is_primary=True, issued_at=now
        )
    )
    if new.library_member:
        conn.execute(
            insert(Subscription).values(
                customer_id=customer_id, kind="library", starts_on=now.date()
            )
        )
    otp = set_one_time_password(conn, customer_id, now, otp_valid)
    return Registered(customer_id, card, otp, now + otp_valid)


def grant_upload(conn: Connection, card_number: str, branch: str, now: dt.datetime) -> bool:
    """Allow the card's customer to upload pupil files for ``branch``; False if already allowed."""
    customer_id = customer_by_card(conn, card_number)
    branch_pk = branch_id(conn, branch)
    exists = conn.scalar(
        select(UploadPermission.id).where(
            UploadPermission.customer_id == customer_id, UploadPermission.branch_id == branch_pk
        )
    )
    if exists is not None:
        return False
    conn.execute(
        insert(UploadPermission).values(
            customer_id=customer_id, branch_id=branch_pk, granted_at=now
        )
    )
    return True


def grant_staff(conn: Connection, card_number: str, permission: str) -> bool:
    """Give a library staff member a permission such as ``manage_student_files``."""
    if permission not in PERMISSIONS:
        raise NotFound(f"Onbekend recht '{permission}'; kies uit {', '.join(PERMISSIONS)}.")
    customer_id = customer_by_card(conn, card_number)
    exists = conn.scalar(
        select(StaffPermission.id).where(
            StaffPermission.customer_id == customer_id, StaffPermission.permission == permission
        )
    )
    if exists is None:
        conn.execute(insert(StaffPermission).values(customer_id=customer_id, permission=permission))
    return exists is None


def reset_password(
    conn: Connection, card_number: str, now: dt.datetime, otp_valid: dt.timedelta
) -> str:
    """A new one-time password for the card's customer; the old password stops working."""
    return set_one_time_password(conn, customer_by_card(conn, card_number), now, otp_valid)


def customer_by_card(conn: Connection, card_number: str) -> int:
    """The customer who holds the active card ``card_number``."""
    found = conn.scalar(
        select(Card.customer_id).where(Card.number == card_number.strip(), Card.status == "active")
    )
    if found is None:
        raise NotFound(f"Er is geen actieve pas met nummer {card_number}.")
    return int(found)


def _initials(first_name: str | None) -> str | None:
    return f"{first_name.strip()[0].upper()}." if first_name and first_name.strip() else None
