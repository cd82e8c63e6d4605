"""Settling by hand what an import left to a person: find a customer, link an ambiguous row to
the right one, add a library subscription, revoke an upload permission.

Linking records the row's student number at the school for the chosen customer, as an
enrollment that is not active yet: the next import of the school matches the row by student
number (the identity rule still checks name and birth date), and enrolls the pupil the way it
brings back any pupil: subscriptions, card, and a transfer when the pupil is still at another
school. The link is in the change log of the run whose row it settles.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, and_, delete, func, insert, or_, select

from leerlingimport.artifacts import load_table
from leerlingimport.customers import customer_by_card
from leerlingimport.db.frames import result_frame
from leerlingimport.db.tables import (
    Card,
    Change,
    Customer,
    Enrollment,
    ImportRun,
    School,
    Subscription,
    UploadPermission,
)
from leerlingimport.errors import ConflictError, NotFound
from leerlingimport.library import branch_id
from leerlingimport.names import fold
from leerlingimport.sync.match import SKIP_AMBIGUOUS, person_pairs

FOUND_LIMIT = 50


def find_customers(
    conn: Connection,
    *,
    card: str | None = None,
    name: str | None = None,
    birth_date: dt.date | None = None,
    email: str | None = None,
) -> pd.DataFrame:
    """Customers that fit every given criterion (a card number, any of their cards; part of
    the surname with its prefix, folded: "de vries" finds "Vries, de"; a birth date; an
    e-mail address, case-insensitive), with their main card, school, group and
    subscriptions. At most ``FOUND_LIMIT``."""
    if not any((card, name, birth_date, email)):
        raise NotFound("Zoek op pasnummer, naam, geboortedatum of e-mailadres.")
    query = select(Customer.id).limit(FOUND_LIMIT).order_by(Customer.id)
    if card:
        query = query.where(
            Customer.id.in_(select(Card.customer_id).where(Card.number == card.strip()))
        )
    if name:
        query = query.where(Customer.name_key.contains(fold(name), autoescape=True))
    if birth_date:
        query = query.where(Customer.birth_date == birth_date)
    if email:
        query = query.where(func.lower(Customer.email) == email.strip().lower())
    return describe_customers(conn, [int(i) for i in conn.scalars(query)])


def describe_customers(conn: Connection, customers: list[int]) -> pd.DataFrame:
    """What staff need to tell customers apart: card, names, birth date, e-mail, role, the
    school and group where they are enrolled, their active subscriptions."""
    active_card = and_(Card.customer_id == Customer.id, Card.is_primary, Card.status == "active")
    enrolled = and_(Enrollment.customer_id == Customer.id, Enrollment.status == "active")
    result = conn.execute(
        select(
            Customer.id.label("customer_id"),
            Card.number.label("card_number"),
            Customer.initials,
            Customer.first_name,
            Customer.prefix,
            Customer.surname,
            Customer.birth_date,
            Customer.email,
            Customer.role,
            School.brin.label("school"),
            Enrollment.group_code,
            Enrollment.student_number,
        )
        .outerjoin(Card, active_card)
        .outerjoin(Enrollment, enrolled)
        .outerjoin(School, School.id == Enrollment.school_id)
        .where(Customer.id.in_(customers))
        .order_by(Customer.id)
    )
    frame = result_frame(result)
    kinds = conn.execute(
        select(Subscription.customer_id, Subscription.kind).where(
            Subscription.customer_id.in_(customers), Subscription.status == "active"
        )
    ).all()
    held: dict[int, list[str]] = {}
    for customer, kind in kinds:
        held.setdefault(int(customer), []).append(str(kind))
    frame["subscriptions"] = frame["customer_id"].map(lambda c: ", ".join(sorted(held.get(c, []))))
    return frame


@dataclass(frozen=True)
class Linked:
    """The row's pupil is now known at the school by ``student_number`` as ``customer_id``;
    ``new`` is False when it was linked so before."""

    customer_id: int
    brin: str
    student_number: str
    new: bool


def link_row(
    conn: Connection, run_id: str, row: int, card: str, data_dir: Path, now: dt.datetime
) -> Linked:
    """Link the pupil of row ``row`` of run ``run_id`` (skipped as an ambiguous match) to the
    customer with ``card``, one of the row's candidates, so that the next import of the school
    matches the row by its student number."""
    run = conn.execute(
        select(ImportRun.id, ImportRun.school_id, School.brin)
        .join(School, School.id == ImportRun.school_id)
        .where(ImportRun.run_id == run_id)
    ).one_or_none()
    if run is None:
        raise NotFound(f"Import {run_id} bestaat niet; 'leerlingimport runs' toont de imports.")
    pupil = _ambiguous_row(data_dir / "runs" / run_id, run_id, row)
    customer = customer_by_card(conn, card)
    _must_be_candidate(conn, pupil, customer, card, row)
    key = str(pupil["student_key"].iloc[0])
    owner = conn.execute(
        select(Enrollment.customer_id).where(
            Enrollment.school_id == run.school_id, Enrollment.student_number == key
        )
    ).scalar_one_or_none()
    if owner is not None and int(owner) != customer:
        raise ConflictError(
            f"Leerlingnummer {key} hoort op school {run.brin} al bij een andere klant; er is "
            "niets gekoppeld. Zoek die klant met 'leerlingimport customer find'."
        )
    here = conn.scalar(
        select(Enrollment.student_number).where(
            Enrollment.customer_id == customer,
            Enrollment.school_id == run.school_id,
            Enrollment.status == "active",
        )
    )
    if owner is None and here is not None:
        raise ConflictError(
            f"De klant met pasnummer {card} staat al op school {run.brin} ingeschreven, met "
            f"leerlingnummer {here}; er is niets gekoppeld. Vraag de school welk nummer klopt."
        )
    if owner is None:
        _record_key(conn, run.id, run.school_id, customer, pupil, now.date())
    return Linked(customer, str(run.brin), key, owner is None)


def _ambiguous_row(directory: Path, run_id: str, row: int) -> pd.DataFrame:
    if not (directory / "plan.parquet").exists():
        raise NotFound(
            f"De gegevens van import {run_id} zijn er niet (meer); importeer het bestand "
            "opnieuw en koppel dan de rij uit die import."
        )
    plan = load_table(directory, "plan")
    skipped = plan.loc[(plan["source_row"] == row) & (plan["skip"] == SKIP_AMBIGUOUS)]
    if skipped.empty:
        raise NotFound(
            f"Rij {row} van import {run_id} is geen rij met meerdere mogelijke klanten; "
            f"'leerlingimport report {run_id}' toont welke rijen dat zijn."
        )
    checked = load_table(directory, "checked")
    return checked[checked["source_row"] == row].reset_index(drop=True)


def _must_be_candidate(
    conn: Connection, pupil: pd.DataFrame, customer: int, card: str, row: int
) -> None:
    """The identity rule, by hand: the customer has the row's name and birth date."""
    result = conn.execute(
        select(
            Customer.id.label("customer_id"),
            Customer.initials,
            Customer.first_name,
            Customer.prefix,
            Customer.surname,
            Customer.birth_date,
        ).where(Customer.id == customer)
    )
    stored = result_frame(result)
    if person_pairs(pupil, stored).empty:
        raise ConflictError(
            f"De klant met pasnummer {card} heeft niet de naam en geboortedatum van rij {row}; "
            "er is niets gekoppeld. Kies een van de kandidaten die het verslag van de import "
            "noemt."
        )


def _record_key(
    conn: Connection, run_pk: int, school: int, customer: int, pupil: pd.DataFrame, today: dt.date
) -> None:
    """The row's student number for the customer at the school, and the change log's line."""
    key = str(pupil["student_key"].iloc[0])
    enrollment = conn.execute(
        insert(Enrollment)
        .values(
            customer_id=customer,
            school_id=school,
            student_number=key,
            group_code=str(pupil["group_code"].iloc[0]),
            year_group=int(pupil["year_group"].iloc[0]),
            status="deregistered",  # not active until the next import enrolls the pupil
            started_on=today,
            ended_on=today,
        )
        .returning(Enrollment.id)
    ).scalar_one()
    conn.execute(
        insert(Change).values(
            run_id=run_pk,
            customer_id=customer,
            enrollment_id=enrollment,
            action="link",
            field="student_number",
            old_value=None,
            new_value=key,
        )
    )


def add_library_subscription(conn: Connection, card: str, today: dt.date) -> bool:
    """Make the card's customer a member of the public library; False if they are already."""
    customer = customer_by_card(conn, card)
    exists = conn.scalar(
        select(Subscription.id).where(
            Subscription.customer_id == customer,
            Subscription.kind == "library",
            Subscription.status == "active",
            or_(Subscription.ends_on.is_(None), Subscription.ends_on >= today),
        )
    )
    if exists is not None:
        return False
    conn.execute(
        insert(Subscription).values(
            customer_id=customer, kind="library", starts_on=today, status="active"
        )
    )
    return True


def revoke_upload(conn: Connection, card: str, branch: str) -> bool:
    """Take away the card's customer's permission to upload pupil files for ``branch``; False
    when they did not have it."""
    customer = customer_by_card(conn, card)
    done = conn.execute(
        delete(UploadPermission).where(
            UploadPermission.customer_id == customer,
            UploadPermission.branch_id == branch_id(conn, branch),
        )
    )
    return bool(done.rowcount)


__all__ = [
    "Linked",
    "add_library_subscription",
    "describe_customers",
    "find_customers",
    "link_row",
    "revoke_upload",
]
