"""What the database knows that a plan needs: a few bulk queries, no query per row."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pandas as pd
from sqlalchemy import (
    Column,
    Connection,
    Date,
    MetaData,
    String,
    Table,
    and_,
    func,
    insert,
    select,
)

from leerlingimport.db.chunks import chunks
from leerlingimport.db.frames import result_frame
from leerlingimport.db.tables import Card, Customer, Enrollment, Loan, School
from leerlingimport.names import name_keys
from leerlingimport.params import SchoolParams
from leerlingimport.sync.match import known_people, person_pairs, settled, text_in
from leerlingimport.validation import normalise_student_numbers

PERSON = [
    Customer.id.label("customer_id"),
    Customer.initials,
    Customer.first_name,
    Customer.prefix,
    Customer.surname,
    Customer.birth_date,
    Customer.sex,
    Customer.street,
    Customer.house_number,
    Customer.house_number_suffix,
    Customer.postcode,
    Customer.city,
    Customer.email,
    Customer.source,
]


@dataclass(frozen=True)
class State:
    """The school's enrollments, the cards the file names, and the people it may mean."""

    school_id: int
    here: pd.DataFrame  # every enrollment at this school, with its customer, keyed by student_key
    cards: pd.DataFrame  # card numbers named in the file: number, customer_id, status
    people: pd.DataFrame  # customers who may match by card or personal data, with where they are
    loans: pd.DataFrame  # customer_id, outstanding: open loans of this school's active pupils
    schools: pd.DataFrame  # school_id, brin, active: the other schools these people attend

    @cached_property
    def known(self) -> pd.DataFrame:
        """``match.known_people``, worked out once for the matching and the plan (callers never
        change it)."""
        return known_people(self)


def load_state(conn: Connection, school_id: int, school: SchoolParams, rows: pd.DataFrame) -> State:
    """Read everything the plan needs for ``rows`` (the checked table: valid and rejected
    rows, since a rejected row protects whoever it may be) at ``school_id``. People elsewhere
    are looked up by personal data only for the rows the school's own pupils do not settle
    (``match.settled``): a file sent again reads its pupils once, not twice."""
    here = _here(conn, school_id, school)
    numbers = [n for n in rows["card_number"].unique() if n] if len(rows) else []
    cards = _frame_chunks(
        conn,
        numbers,
        lambda chunk: select(Card.number, Card.customer_id, Card.status).where(
            Card.number.in_(chunk)
        ),
    )
    unsettled = rows[~settled(rows, here, cards)] if len(rows) else rows
    wanted = _personal_keys(unsettled)
    people = _people(conn, wanted, list(cards["customer_id"].unique()))
    loans = result_frame(
        conn.execute(
            select(Enrollment.customer_id, func.count(Loan.id).label("outstanding"))
            .join(
                Loan, and_(Loan.customer_id == Enrollment.customer_id, Loan.returned_at.is_(None))
            )
            .where(Enrollment.school_id == school_id, Enrollment.status == "active")
            .group_by(Enrollment.customer_id)
        )
    )
    return State(school_id, here, cards, people, loans, _schools(conn, here, people, school_id))


def _here(conn: Connection, school_id: int, school: SchoolParams) -> pd.DataFrame:
    """Every enrollment at the school, with its customer, keyed by ``student_key``."""
    active = _active_enrollments()
    here = result_frame(
        conn.execute(
            select(
                Enrollment.id.label("enrollment_id"),
                Enrollment.student_number,
                Enrollment.status,
                Enrollment.group_code,
                Enrollment.year_group,
                Enrollment.last_seen_school_year,
                *PERSON,
                active.c.active_enrollment_id,
                active.c.active_school_id,
                _primary_card(),
            )
            .join(Customer, Customer.id == Enrollment.customer_id)
            .outerjoin(active, active.c.customer_id == Customer.id)
            .where(Enrollment.school_id == school_id)
        )
    )
    here["student_key"] = normalise_student_numbers(here["student_number"], school)
    return here


def candidates(state: State, rows: pd.DataFrame) -> set[int]:
    """Every customer a plan of ``rows`` on ``state`` may match: the owners of their student
    keys, the holders of their cards, and the people their names and birth dates pair with
    (``match.person_pairs``); what a run locks before it plans (``locks.lock_customers``)."""
    keys = set(rows["student_key"]) - {""} if len(rows) else set()
    owners = state.here.loc[text_in(state.here["student_key"], keys), "customer_id"]
    dated = rows[rows["birth_date"].notna()] if len(rows) else rows
    paired = (
        person_pairs(dated, state.people)["candidate"]
        if len(dated) and len(state.people)
        else pd.Series([], dtype="int64")
    )
    found = [owners, state.cards["customer_id"], paired]
    return set(ids(pd.concat(found).dropna().unique()))


def _schools(
    conn: Connection, here: pd.DataFrame, people: pd.DataFrame, school_id: int
) -> pd.DataFrame:
    """The other schools the file's people (and the school's own pupils) are active at, with
    their active pupil counts: a transfer counts against the hold thresholds of the school it
    takes a pupil from."""
    active = pd.concat([here["active_school_id"], people["active_school_id"]])
    others = ids(set(active.dropna()) - {school_id})
    return _frame_chunks(
        conn,
        others,
        lambda chunk: (
            select(Enrollment.school_id, School.brin, func.count(Enrollment.id).label("active"))
            .join(School, School.id == Enrollment.school_id)
            .where(Enrollment.school_id.in_(chunk), Enrollment.status == "active")
            .group_by(Enrollment.school_id, School.brin)
        ),
    )


def _personal_keys(rows: pd.DataFrame) -> list[tuple[str, Any]]:
    if not len(rows):
        return []
    known = rows[rows["birth_date"].notna()]
    keys = name_keys(known["prefix"], known["surname"])
    return sorted(set(zip(keys, pd.to_datetime(known["birth_date"]).dt.date, strict=True)))


def _people(conn: Connection, pairs: list[tuple[str, Any]], ids: list[Any]) -> pd.DataFrame:
    """Customers with a (name key, birth date) of the file, or holding a card the file names,
    with their active enrollment (if any) and their active primary card number (if any)."""
    active = _active_enrollments()
    columns = [*PERSON, active.c.active_enrollment_id, active.c.active_school_id, _primary_card()]
    by_name = _by_personal_data(conn, columns, active, pairs)
    by_card = _frame_chunks(
        conn,
        [int(i) for i in ids],
        lambda chunk: (
            select(*columns)
            .outerjoin(active, active.c.customer_id == Customer.id)
            .where(Customer.id.in_(chunk))
        ),
    )
    return pd.concat([by_name, by_card]).drop_duplicates("customer_id").reset_index(drop=True)


def _by_personal_data(
    conn: Connection, columns: list[Any], active: Any, pairs: list[tuple[str, Any]]
) -> pd.DataFrame:
    """Customers with one of the (name key, birth date) pairs: the pairs go into a temporary
    table joined on the (name_key, birth_date) index, one query however many pupils. The
    pairs come first in the FROM: SQLite keeps the tables of a LEFT JOIN in their order, and
    customers first was a scan of every customer."""
    wanted = Table(
        "li_wanted_people",
        MetaData(),
        Column("name_key", String(120)),
        Column("birth_date", Date),
        prefixes=["TEMPORARY"],
    )
    wanted.create(conn)
    try:
        if pairs:
            conn.execute(insert(wanted), [{"name_key": k, "birth_date": d} for k, d in pairs])
        return result_frame(
            conn.execute(
                select(*columns)
                .select_from(wanted)
                .join(
                    Customer,
                    and_(
                        wanted.c.name_key == Customer.name_key,
                        wanted.c.birth_date == Customer.birth_date,
                    ),
                )
                .outerjoin(active, active.c.customer_id == Customer.id)
            )
        )
    finally:
        wanted.drop(conn)


def _active_enrollments() -> Any:
    return (
        select(
            Enrollment.customer_id,
            Enrollment.id.label("active_enrollment_id"),
            Enrollment.school_id.label("active_school_id"),
        )
        .where(Enrollment.status == "active")
        .subquery()
    )


def _primary_card() -> Any:
    """The customer's active primary card number, looked up per customer on the cards'
    customer index (a subquery grouped over all cards read every card of the library, per
    query: 13 s with a million cards)."""
    return (
        select(func.max(Card.number))
        .where(Card.customer_id == Customer.id, Card.is_primary, Card.status == "active")
        .correlate(Customer)
        .scalar_subquery()
        .label("card_number")
    )


def _frame_chunks(conn: Connection, values: Sequence[Any], make: Any) -> pd.DataFrame:
    frames = [result_frame(conn.execute(make(chunk))) for chunk in chunks(values)]
    if frames:
        return pd.concat(frames, ignore_index=True)
    return result_frame(conn.execute(make([])))


def ids(values: Iterable[Any]) -> list[int]:
    """Plain ints for bound parameters (numpy and pandas ints are not accepted by every driver)."""
    return [int(v) for v in values]
