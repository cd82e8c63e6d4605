"""The change lists of a run: who was new, linked, transferred (from which school), back,
updated (field, old → new), given a replacement card, or deregistered, with their group.

An applied or held run's list comes from the change log in the database (what was written); a
dry run's from the plan in its run directory (what an apply would write). Both give one frame,
``CHANGE_COLUMNS``, pseudonymous: the customer id and a keyed hash of the student number; the
names only when asked.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, select

from leerlingimport.artifacts import load_table
from leerlingimport.db.frames import result_frame
from leerlingimport.db.tables import Card, Change, Customer, Enrollment, School
from leerlingimport.display import HIDDEN, pseudonym, pseudonym_key

# The kinds, in the order a person reads them; ``card`` is a replacement main card.
KINDS = ("new", "linked", "transferred", "reactivated", "updated", "card", "deregistered")
ACTION_KIND = {
    "create": "new",
    "link": "linked",
    "transfer": "transferred",
    "reactivate": "reactivated",
    "update": "updated",
    "deregister": "deregistered",
}
NAMES = ["first_name", "prefix", "surname"]
# Changed fields whose old and new values say nothing about who a pupil is.
NOT_PERSONAL = {"group_code", "group_name", "year_group", "status"}
CHANGE_COLUMNS = [
    "kind",
    "group",
    "customer_id",
    "pupil",
    "card_number",
    "from_school",
    "field",
    "old",
    "new",
]


def logged_changes(
    conn: Connection, run_pk: int, school_id: int, data_dir: Path, show_personal_data: bool
) -> pd.DataFrame:
    """What the run wrote, from the ``changes`` table."""
    result = conn.execute(
        select(
            Change.action,
            Change.field,
            Change.old_value.label("old"),
            Change.new_value.label("new"),
            Change.customer_id,
            Enrollment.student_number.label("student_key"),
            Enrollment.group_code.label("group"),
            *[getattr(Customer, n) for n in NAMES],
        )
        .outerjoin(Enrollment, Enrollment.id == Change.enrollment_id)
        .join(Customer, Customer.id == Change.customer_id)
        .where(Change.run_id == run_pk)
        .order_by(Change.id)
    )
    frame = result_frame(result)
    frame["kind"] = frame["action"].map(ACTION_KIND)
    frame.loc[frame["field"] == "card_number", "kind"] = "card"
    customers = [int(c) for c in frame["customer_id"].unique()]
    frame["card_number"] = frame["customer_id"].map(primary_cards(conn, customers))
    moved = [int(c) for c in frame.loc[frame["kind"] == "transferred", "customer_id"]]
    frame["from_school"] = frame["customer_id"].map(_left_school(conn, moved, school_id))
    return finish(frame, data_dir, show_personal_data)


def planned_changes(
    conn: Connection, directory: Path, data_dir: Path, show_personal_data: bool
) -> pd.DataFrame:
    """What the run's plan says an apply would write (a dry run's change list)."""
    plan = load_table(directory, "plan")
    checked = load_table(directory, "checked")
    rows = plan.merge(
        checked[["source_row", "student_key", "group_code", *NAMES]], on="source_row", how="left"
    ).rename(columns={"group_code": "group"})
    arriving = rows[rows["action"].isin(["create", "link", "transfer", "reactivate"])].assign(
        kind=lambda f: f["action"].map(ACTION_KIND), field=None, old=None, new=None
    )
    diffs = load_table(directory, "diffs").drop(columns=["customer_id", "enrollment_id"])
    updates = diffs.merge(
        rows.drop(columns=["field", "old", "new"], errors="ignore"), on="source_row", how="left"
    )
    updates["kind"] = updates["field"].map(lambda f: "card" if f == "card_number" else "updated")
    leaving = _planned_leavers(conn, directory)
    frame = pd.concat([arriving, updates, leaving], ignore_index=True)
    customers = [int(c) for c in frame["customer_id"].dropna().unique()]
    frame["card_number"] = frame["customer_id"].map(primary_cards(conn, customers))
    schools = _brins(conn, [int(s) for s in frame.get("old_school_id", pd.Series()).dropna()])
    frame["from_school"] = frame.get("old_school_id", pd.Series(dtype="Int64")).map(schools)
    return finish(frame, data_dir, show_personal_data)


def _planned_leavers(conn: Connection, directory: Path) -> pd.DataFrame:
    leavers = load_table(directory, "leavers")
    groups = load_table(directory, "before").set_index("enrollment_id")["group_code"]
    names = people(conn, [int(c) for c in leavers["customer_id"]])
    return leavers.assign(kind="deregistered", group=leavers["enrollment_id"].map(groups)).merge(
        names, on="customer_id", how="left"
    )


def finish(frame: pd.DataFrame, data_dir: Path, show_personal_data: bool) -> pd.DataFrame:
    """The frame in ``CHANGE_COLUMNS`` (and the names when asked), ordered by kind and group."""
    key = pseudonym_key(data_dir)
    out = frame.reindex(columns=[*CHANGE_COLUMNS, "student_key", *NAMES]).copy()
    out["pupil"] = out["student_key"].fillna("").astype("str").map(lambda v: pseudonym(v, key))
    out["customer_id"] = out["customer_id"].astype("Int64")
    text = ["group", "card_number", "from_school", "field", "old", "new"]
    out[text] = out[text].astype("object").where(out[text].notna(), "").astype("str")
    out["kind"] = pd.Categorical(out["kind"], categories=KINDS, ordered=True)
    out = out.sort_values(["kind", "group", "customer_id", "field"], ignore_index=True)
    if not show_personal_data:  # an old or new name, birth date or address is personal data
        personal = ~out["field"].isin(NOT_PERSONAL) & out["field"].ne("")
        out.loc[personal, ["old", "new"]] = HIDDEN
    shown = CHANGE_COLUMNS + (NAMES if show_personal_data else [])
    return out[shown]


def people(conn: Connection, customers: list[int]) -> pd.DataFrame:
    """customer_id and the names, for the customers."""
    result = conn.execute(
        select(Customer.id.label("customer_id"), *[getattr(Customer, n) for n in NAMES]).where(
            Customer.id.in_(customers)
        )
    )
    return result_frame(result)


def primary_cards(conn: Connection, customers: list[int]) -> dict[int, str]:
    """Each customer's main card number: the active one, else the newest (a leaver's blocked
    school card)."""
    rows = conn.execute(
        select(Card.customer_id, Card.number)
        .where(Card.customer_id.in_(customers), Card.is_primary)
        .order_by(Card.customer_id, (Card.status == "active").desc(), Card.issued_at.desc())
    ).all()
    found: dict[int, str] = {}
    for customer, number in rows:
        found.setdefault(int(customer), str(number))
    return found


def _left_school(conn: Connection, customers: list[int], school_id: int) -> dict[int, str]:
    """The school each transferred customer left: their latest ended enrollment elsewhere."""
    rows = conn.execute(
        select(Enrollment.customer_id, School.brin)
        .join(School, School.id == Enrollment.school_id)
        .where(
            Enrollment.customer_id.in_(customers),
            Enrollment.school_id != school_id,
            Enrollment.status == "deregistered",
        )
        .order_by(Enrollment.customer_id, Enrollment.ended_on.desc(), Enrollment.id.desc())
    ).all()
    found: dict[int, str] = {}
    for customer, brin in rows:
        found.setdefault(int(customer), str(brin))
    return found


def _brins(conn: Connection, schools: list[int]) -> dict[int, str]:
    rows = conn.execute(select(School.id, School.brin).where(School.id.in_(schools))).all()
    return {int(i): str(b) for i, b in rows}


def per_group(changes: pd.DataFrame) -> pd.DataFrame:
    """How many pupils of each group each kind of change concerns (a pupil updated in two
    fields counts once)."""
    once = changes.drop_duplicates(["kind", "pupil", "group"])
    table = pd.crosstab(once["group"], once["kind"])
    return table.reindex(columns=[k for k in KINDS if k in table.columns])
