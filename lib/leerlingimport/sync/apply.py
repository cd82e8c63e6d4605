"""Writing a plan, in bulk, inside the caller's transaction: the enroll step (customers,
cards, enrollments, groups, subscriptions, transfers) and the deregister step, each with its
change log. One-time passwords are issued by their own step (leerlingimport.passwords)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import ARRAY, Connection, Integer, any_, bindparam, insert, literal, select, update

from leerlingimport.cards import allocate_card_numbers
from leerlingimport.dates import local_date, school_year, school_year_end
from leerlingimport.db.bulk import bulk_insert, bulk_update, reserve_keys
from leerlingimport.db.chunks import chunks
from leerlingimport.db.tables import (
    Card,
    Change,
    Customer,
    Enrollment,
    Group,
    Subscription,
)
from leerlingimport.faults import fault_point
from leerlingimport.names import name_key
from leerlingimport.params import DeregistrationRules, SchoolParams
from leerlingimport.schema import CONTACT_FIELDS
from leerlingimport.sync.plan import NEW_ACTIONS, Plan, plain_text
from leerlingimport.sync.state import ids

PERSON_FIELDS = (
    "initials",
    "first_name",
    "prefix",
    "surname",
    "birth_date",
    "sex",
    *CONTACT_FIELDS,
)


@dataclass(frozen=True)
class Context:
    run_pk: int
    school_id: int
    school: SchoolParams
    card_prefix: str
    now: dt.datetime
    timezone: str = "Europe/Amsterdam"

    @property
    def today(self) -> dt.date:
        """The library's local date: start and end dates are calendar dates there."""
        return local_date(self.now, self.timezone)

    @property
    def school_year(self) -> int:
        return school_year(self.today)


def apply_enrollment(conn: Connection, plan: Plan, ctx: Context) -> None:
    """Write the enroll step of ``plan``: new customers, links, updates, transfers, enrollments,
    cards, subscriptions, groups and their change log. A held plan creates and updates only:
    its transfers are held back, and so are the held pupils' field changes."""
    rows = plan.rows[plan.rows["action"] != "skip"]
    diffs = plan.diffs
    if plan.held:  # a pupil taken from another school, as new or as a returning one
        rows = rows[rows["old_enrollment_id"].isna()]
        diffs = diffs[diffs["row"].isin(rows.index)]
    rows = rows.copy()
    created = rows["action"] == "create"
    rows.loc[created, "customer_id"] = _create_customers(conn, rows[created], ctx)
    fault_point("after-customers")
    _update_fields(conn, Customer, diffs[diffs["target"] == "customer"], "customer_id", ctx)
    _update_fields(conn, Enrollment, diffs[diffs["target"] == "enrollment"], "enrollment_id", ctx)
    _end_elsewhere(conn, rows[rows["old_enrollment_id"].notna()], ctx)
    rows["enrollment_id"] = _enroll(conn, rows, ctx)
    fault_point("after-enrollments")
    _issue_cards(conn, rows, ctx)
    _ensure_subscriptions(conn, ctx)
    _upsert_groups(conn, rows, ctx)
    _log(conn, rows, diffs, ctx)


def apply_deregistration(conn: Connection, leaving: pd.DataFrame, ctx: Context) -> None:
    """Deregister ``leaving`` (enrollment_id, customer_id, last_seen_school_year), with the
    change log: enrollment ended, this school's cards blocked, the school_library
    subscription ended per the school's mode; the customer, library subscription and loans
    stay."""
    _deregister(conn, leaving, ctx)
    fault_point("after-deregistration")
    _log_actions(conn, leaving, ["deregister"] * len(leaving), ctx)


def _create_customers(conn: Connection, rows: pd.DataFrame, ctx: Context) -> list[int]:
    fields = PERSON_FIELDS if ctx.school.address == "home" else PERSON_FIELDS[:6]
    keys = reserve_keys(conn, Customer, len(rows))
    columns = {f: _values(rows[f]) for f in fields}
    pairs = zip(columns["prefix"], columns["surname"], strict=True)
    columns["name_key"] = [name_key(p, s) for p, s in pairs]
    stamps = {
        "role": "pupil",
        "source": "school_import",
        "created_at": ctx.now,
        "updated_at": ctx.now,
    }
    bulk_insert(conn, Customer, {"id": keys, **columns}, stamps)
    return keys


def _update_fields(
    conn: Connection, table: Any, diffs: pd.DataFrame, key: str, ctx: Context
) -> None:
    """One bulk update per set of changed fields, so each row is written once (an enrollment
    also gets its school year stamp in the same write)."""
    stamp = (
        {"updated_at": ctx.now} if table is Customer else {"last_seen_school_year": ctx.school_year}
    )
    by_row: dict[int, dict[str, Any]] = {}
    for k, name, new in _tuples(diffs, key, "field", "new"):
        by_row.setdefault(int(k), {})[str(name)] = _db(new)
    alike: dict[tuple[str, ...], dict[int, dict[str, Any]]] = {}
    for k, change in by_row.items():
        alike.setdefault(tuple(sorted(change)), {})[k] = change
    for fields, rows in alike.items():
        columns = {f: [change[f] for change in rows.values()] for f in fields}
        bulk_update(conn, table, list(rows), columns, stamp)
    if table is Customer:
        _refresh_name_keys(conn, diffs[diffs["field"].isin(["prefix", "surname"])])


def _refresh_name_keys(conn: Connection, diffs: pd.DataFrame) -> None:
    """Customers whose prefix or surname changed get their name key again."""
    changed = ids(diffs["customer_id"].unique())
    names = _in_chunks_rows(
        conn,
        lambda chunk: select(Customer.id, Customer.prefix, Customer.surname).where(
            Customer.id.in_(chunk)
        ),
        changed,
    )
    if names:
        conn.execute(
            update(Customer).where(Customer.id == bindparam("key")).values(name_key=bindparam("v")),
            [{"key": i, "v": name_key(p, s)} for i, p, s in names],
        )


def _end_elsewhere(conn: Connection, rows: pd.DataFrame, ctx: Context) -> None:
    """A transfer: the old school's enrollment ends, its cards are blocked and its
    school_library subscription ends."""
    if rows.empty:
        return
    _end_enrollments(conn, ids(rows["old_enrollment_id"]), ctx.today)
    for school, movers in rows.groupby("old_school_id"):
        customers = ids(movers["customer_id"])
        _set_school_cards(conn, customers, _int(school), "active", "blocked")
        _end_subscriptions(conn, customers, _int(school), ctx.today, ctx.today)


def _enroll(conn: Connection, rows: pd.DataFrame, ctx: Context) -> pd.Series:
    """New enrollments for new pupils here; reactivated ones become active again."""
    enrollment = rows["enrollment_id"].copy()
    back = rows[rows["action"] == "reactivate"]
    if len(back):
        _in_chunks(
            conn,
            lambda chunk: (
                update(Enrollment)
                .where(Enrollment.id.in_(chunk))
                .values(status="active", ended_on=None, started_by_run_id=ctx.run_pk)
            ),
            ids(back["enrollment_id"]),
        )
        # The school card blocked when they left works again (as Wise unblocks EDUB cards),
        # unless they got another card meanwhile (at another school, or the library's).
        carded = set(_active_primary_holders(conn, ids(back["customer_id"])))
        cardless = [c for c in ids(back["customer_id"]) if c not in carded]
        _set_school_cards(conn, cardless, ctx.school_id, "blocked", "active")
    fresh = rows[rows["action"].isin(NEW_ACTIONS)]
    if len(fresh):
        keys = reserve_keys(conn, Enrollment, len(fresh))
        columns = {
            "id": keys,
            "customer_id": ids(fresh["customer_id"]),
            "student_number": _values(fresh["student_key"]),
            "group_code": _values(fresh["group_code"]),
            "year_group": ids(fresh["year_group"]),
        }
        stamps = {
            "school_id": ctx.school_id,
            "status": "active",
            "started_on": ctx.today,
            "started_by_run_id": ctx.run_pk,
            "last_seen_school_year": ctx.school_year,
        }
        bulk_insert(conn, Enrollment, columns, stamps)
        enrollment[fresh.index] = keys
    _stamp_school_year(conn, ids(rows.loc[~rows["action"].isin(NEW_ACTIONS), "enrollment_id"]), ctx)
    return enrollment.astype("Int64")


def _stamp_school_year(conn: Connection, enrollments: list[int], ctx: Context) -> None:
    """Every enrollment the file holds was seen in this school year (a no-op when re-run)."""
    seen = Enrollment.last_seen_school_year
    stale = seen.is_(None) | (seen != ctx.school_year)
    stamp = update(Enrollment).values(last_seen_school_year=ctx.school_year)
    if conn.dialect.name == "postgresql" and enrollments:  # one statement over an array
        listed = bindparam("ids", enrollments, type_=ARRAY(Integer))
        conn.execute(stamp.where(Enrollment.id == any_(listed), stale))
        return
    _in_chunks(conn, lambda chunk: stamp.where(Enrollment.id.in_(chunk), stale), enrollments)


def _issue_cards(conn: Connection, rows: pd.DataFrame, ctx: Context) -> None:
    """Cards: a number from the file becomes the primary card (a replacement for an existing
    customer); a pupil without an active primary card gets a new number."""
    kind = "library" if ctx.school.library_membership else "school"
    school_id = None if kind == "library" else ctx.school_id
    given = rows[rows["card_number"] != ""]
    existing = set(
        _in_chunks(
            conn,
            lambda chunk: select(Card.number).where(Card.number.in_(chunk)),
            list(given["card_number"]),
        )
    )
    replace_for = given[~given["card_number"].isin(existing)]
    _in_chunks(
        conn,
        lambda chunk: (
            update(Card)
            .where(Card.customer_id.in_(chunk), Card.is_primary, Card.status == "active")
            .values(status="replaced")
        ),
        ids(replace_for["customer_id"]),
    )
    holders = _school_card_holders(conn, ctx.school_id)
    issued = dict(zip(ids(replace_for["customer_id"]), replace_for["card_number"], strict=True))
    needing = [c for c in ids(rows["customer_id"]) if c not in holders and c not in issued]
    issued.update(
        zip(needing, allocate_card_numbers(conn, ctx.card_prefix, len(needing)), strict=True)
    )
    stamps = {
        "kind": kind,
        "school_id": school_id,
        "status": "active",
        "is_primary": True,
        "issued_at": ctx.now,
    }
    columns = {"number": list(issued.values()), "customer_id": list(issued)}
    bulk_insert(conn, Card, columns, stamps)


def _school_card_holders(conn: Connection, school_id: int) -> set[int]:
    """The school's active pupils (every row of the plan is one by now) who have an active
    primary card: one query by the school, not an IN list per 900 pupils."""
    return set(
        conn.scalars(
            select(Card.customer_id)
            .join(Enrollment, Enrollment.customer_id == Card.customer_id)
            .where(
                Enrollment.school_id == school_id,
                Enrollment.status == "active",
                Card.is_primary,
                Card.status == "active",
            )
        )
    )


def _active_primary_holders(conn: Connection, customers: list[int]) -> list[int]:
    return _in_chunks(
        conn,
        lambda chunk: select(Card.customer_id).where(
            Card.customer_id.in_(chunk), Card.is_primary, Card.status == "active"
        ),
        customers,
    )


def _ensure_subscriptions(conn: Connection, ctx: Context) -> None:
    """Every pupil this run enrolled or brought back has a full school_library subscription
    (and a library one, when the school says so): a pending end from an earlier
    deregistration is lifted, and a missing one is added, one INSERT ... SELECT per kind on
    the enrollments this run started, so no pupil row travels through Python."""
    started = select(Enrollment.customer_id).where(
        Enrollment.started_by_run_id == ctx.run_pk,
        Enrollment.school_id == ctx.school_id,
        Enrollment.status == "active",
    )
    conn.execute(
        update(Subscription)
        .where(
            Subscription.customer_id.in_(started),
            Subscription.kind == "school_library",
            Subscription.school_id == ctx.school_id,
            Subscription.status == "active",
            Subscription.ends_on.is_not(None),
        )
        .values(ends_on=None)
    )
    wanted: list[tuple[str, int | None]] = [("school_library", ctx.school_id)]
    if ctx.school.library_membership:
        wanted.append(("library", None))
    for kind, school in wanted:
        same_school = (
            Subscription.school_id.is_(None) if school is None else Subscription.school_id == school
        )
        has_one = (
            select(Subscription.id)
            .where(
                Subscription.customer_id == Enrollment.customer_id,
                Subscription.kind == kind,
                Subscription.status == "active",
                same_school,
            )
            .exists()
        )
        pupils = select(
            Enrollment.customer_id,
            literal(kind),
            literal(school, Integer),
            literal(ctx.today),
            literal("active"),
        ).where(
            Enrollment.started_by_run_id == ctx.run_pk,
            Enrollment.school_id == ctx.school_id,
            Enrollment.status == "active",
            ~has_one,
        )
        conn.execute(
            insert(Subscription).from_select(
                ["customer_id", "kind", "school_id", "starts_on", "status"], pupils
            )
        )


def _upsert_groups(conn: Connection, rows: pd.DataFrame, ctx: Context) -> None:
    """The school's group table, as the file has it (a combination group has no one year)."""
    if rows.empty:
        return
    groups = rows.groupby("group_code").agg(
        name=("group_name", "first"), years=("year_group", "nunique"), year=("year_group", "first")
    )
    stored = {
        code: (name, year)
        for code, name, year in conn.execute(
            select(Group.code, Group.name, Group.year_group).where(Group.school_id == ctx.school_id)
        )
    }
    fresh, changed = [], []
    for code, g in groups.iterrows():
        year = int(g["year"]) if g["years"] == 1 else None
        record = {"school_id": ctx.school_id, "code": code, "name": g["name"], "year_group": year}
        if code not in stored:
            fresh.append(record)
        elif stored[code] != (g["name"], year):
            changed.append({"c": code, "n": g["name"], "y": year})
    if fresh:
        conn.execute(insert(Group), fresh)
    if changed:
        conn.execute(
            update(Group)
            .where(Group.school_id == ctx.school_id, Group.code == bindparam("c"))
            .values(name=bindparam("n"), year_group=bindparam("y")),
            changed,
        )


def _deregister(conn: Connection, leaving: pd.DataFrame, ctx: Context) -> None:
    """End the enrollments, block this school's cards, end the school_library subscription
    per the school's mode; the customer, the library subscription and loans stay."""
    if leaving.empty:
        return
    _end_enrollments(conn, ids(leaving["enrollment_id"]), ctx.today)
    _set_school_cards(conn, ids(leaving["customer_id"]), ctx.school_id, "active", "blocked")
    rules = ctx.school.deregistration
    ends = [subscription_end(rules, ctx.today, _year(y)) for y in leaving["last_seen_school_year"]]
    for ends_on, group in leaving.groupby(pd.Series(ends, index=leaving.index)):
        _end_subscriptions(conn, ids(group["customer_id"]), ctx.school_id, ends_on, ctx.today)


def subscription_end(rules: DeregistrationRules, today: dt.date, last_seen: int | None) -> dt.date:
    """When a leaver's school_library subscription ends, per the school's deregistration mode:
    ``end_of_school_year`` is 31 July of the last school year in which the pupil was in a file
    of the school (so a September import ends July's leavers at once)."""
    if rules.mode == "end_of_school_year":
        return school_year_end(school_year(today) if last_seen is None else last_seen)
    if rules.mode == "grace":
        return today + dt.timedelta(days=rules.grace_days)
    return today


def _year(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _end_enrollments(conn: Connection, enrollments: list[int], today: dt.date) -> None:
    _in_chunks(
        conn,
        lambda chunk: (
            update(Enrollment)
            .where(Enrollment.id.in_(chunk))
            .values(status="deregistered", ended_on=today)
        ),
        enrollments,
    )


def _set_school_cards(
    conn: Connection, customers: list[int], school_id: int, old: str, new: str
) -> None:
    """Block (active → blocked) or unblock the customers' school cards of one school."""
    _in_chunks(
        conn,
        lambda chunk: (
            update(Card)
            .where(
                Card.customer_id.in_(chunk),
                Card.kind == "school",
                Card.school_id == school_id,
                Card.status == old,
            )
            .values(status=new)
        ),
        customers,
    )


def _end_subscriptions(
    conn: Connection, customers: list[int], school_id: int, ends_on: dt.date, today: dt.date
) -> None:
    _in_chunks(
        conn,
        lambda chunk: (
            update(Subscription)
            .where(
                Subscription.customer_id.in_(chunk),
                Subscription.kind == "school_library",
                Subscription.school_id == school_id,
                Subscription.status == "active",
            )
            .values(ends_on=ends_on, status="ended" if ends_on <= today else "active")
        ),
        customers,
    )


def _log(conn: Connection, rows: pd.DataFrame, diffs: pd.DataFrame, ctx: Context) -> None:
    """The change log: one row per action, one per changed field."""
    acted = rows[rows["action"].isin([*NEW_ACTIONS, "reactivate"])]
    _log_actions(conn, acted, acted["action"].tolist(), ctx)
    columns: dict[str, list[Any]] = {
        "customer_id": ids(diffs["customer_id"]),
        "enrollment_id": [None if _db(e) is None else int(e) for e in diffs["enrollment_id"]],
        "field": diffs["field"].tolist(),
        "old_value": [_text(v) for v in diffs["old"].tolist()],
        "new_value": [_text(v) for v in diffs["new"].tolist()],
    }
    bulk_insert(conn, Change, columns, {"run_id": ctx.run_pk, "action": "update"})


def _log_actions(conn: Connection, rows: pd.DataFrame, actions: list[str], ctx: Context) -> None:
    """One change-log row per pupil in ``rows`` (customer_id, enrollment_id) and action."""
    columns: dict[str, list[Any]] = {
        "customer_id": ids(rows["customer_id"]),
        "enrollment_id": ids(rows["enrollment_id"]),
        "action": actions,
    }
    bulk_insert(conn, Change, columns, {"run_id": ctx.run_pk})


def _values(column: pd.Series) -> list[Any]:
    """A column's values as stored: empty text and missing values NULL, timestamps dates."""
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        column = column.dt.date
    values = column.astype(object).where(column.notna(), None)
    return [None if v == "" else v for v in values.tolist()]


def _tuples(frame: pd.DataFrame, *names: str) -> Iterator[tuple[Any, ...]]:
    """The rows of ``names`` as tuples; pandas' itertuples boxes an arrow column's values one
    by one, ten times slower."""
    return zip(*(frame[n].tolist() for n in names), strict=True)


def _in_chunks_rows(
    conn: Connection, make: Callable[[list[Any]], Any], values: list[Any]
) -> list[tuple[Any, ...]]:
    """Like ``_in_chunks``, for selects of whole rows."""
    found: list[tuple[Any, ...]] = []
    for chunk in chunks(values):
        found.extend(tuple(r) for r in conn.execute(make(list(chunk))))
    return found


def _in_chunks(conn: Connection, make: Callable[[list[Any]], Any], values: list[Any]) -> list[Any]:
    """Run ``make(chunk)`` for chunks of ``values`` (PostgreSQL takes at most 65,535 bound
    parameters a statement); returns the scalars of every select, nothing for updates."""
    found: list[Any] = []
    for chunk in chunks(values):
        result = conn.execute(make(list(chunk)))
        if result.returns_rows:
            found.extend(result.scalars())
    return found


def _int(value: Any) -> int:
    return int(value)


def _db(value: Any) -> Any:
    """Empty text and missing values are stored as NULL."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return None if value == "" else value


def _text(value: Any) -> str | None:
    return plain_text(value) or None
