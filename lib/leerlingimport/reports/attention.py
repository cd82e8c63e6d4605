"""What a run leaves to a person: held changes, ambiguous matches with their candidates,
identity mismatches, leavers who still have items on loan, and an unusual share of changes;
and the school's pupils per year group before and after the run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, and_, select

from leerlingimport.artifacts import load_table
from leerlingimport.db.frames import result_frame
from leerlingimport.db.tables import Card, Customer, Enrollment, Loan, School
from leerlingimport.display import pseudonym, pseudonym_key
from leerlingimport.names import name_key
from leerlingimport.reports.changes import NAMES, people, primary_cards
from leerlingimport.sync.match import SKIP_AMBIGUOUS, SKIP_IDENTITY, person_pairs

# Shares above these are worth a second look even when no hold guard stops the run.
# (A new school year updates nearly everyone, and a school's first import is all new: neither
# is unusual.)
UNUSUAL_ARRIVING = 0.5  # of the school's pupils before the run: new or back
UNUSUAL_LEAVING = 0.25  # of the school's pupils before the run: deregistered
UNUSUAL_REJECTED = 0.1  # of the file's rows: not processed
APPLIES_NOTHING = {"foreign-file-held", "older-file-held"}


def _pupils(frame: pd.DataFrame, data_dir: Path) -> pd.Series:
    key = pseudonym_key(data_dir)
    return frame["student_key"].fillna("").astype("str").map(lambda v: pseudonym(v, key))


def _shown(frame: pd.DataFrame, columns: list[str], show_personal_data: bool) -> pd.DataFrame:
    return frame.reindex(columns=columns + (NAMES if show_personal_data else [])).reset_index(
        drop=True
    )


def year_groups(directory: Path, status: str, codes: set[str]) -> pd.DataFrame:
    """Pupils per year group before the run and after it (for a dry run: after an apply)."""
    before = load_table(directory, "before")
    plan = load_table(directory, "plan")
    checked = load_table(directory, "checked")[["source_row", "year_group"]]
    rows = plan.merge(checked, on="source_row", how="left")
    after = before.set_index("enrollment_id")["year_group"].astype("Int64")
    applies = status in ("applied", "planned", "held") and not codes & APPLIES_NOTHING
    if applies:
        staying = rows[rows["action"].isin(["unchanged", "update"])]
        after.loc[list(staying["enrollment_id"].astype(int))] = staying["year_group"].array
        arriving = rows[rows["action"].isin(["create", "link", "transfer", "reactivate"])]
        if status == "held":
            arriving = arriving[arriving["action"] != "transfer"]
        if status != "held":
            after = after.drop(load_table(directory, "leavers")["enrollment_id"], errors="ignore")
        after = pd.concat([after, arriving["year_group"].astype("Int64")], ignore_index=True)
    table = pd.DataFrame(
        {
            "before": before["year_group"].value_counts(),
            "after": after.value_counts(),
        }
    )
    table = table.fillna(0).astype(int).sort_index().rename_axis("year_group")
    return table.assign(difference=table["after"] - table["before"])


def held_pupils(
    conn: Connection, directory: Path, data_dir: Path, show_personal_data: bool
) -> pd.DataFrame:
    """Who a held run held back: leavers not deregistered and pupils not transferred."""
    leavers = load_table(directory, "leavers").assign(held="deregister")
    plan = load_table(directory, "plan")
    checked = load_table(directory, "checked")[["source_row", "student_key"]]
    moving = plan[plan["action"] == "transfer"].merge(checked, on="source_row")
    frame = pd.concat([leavers, moving.assign(held="transfer")], ignore_index=True)
    customers = [int(c) for c in frame["customer_id"].dropna()]
    frame = frame.merge(people(conn, customers), on="customer_id", how="left")
    frame["card_number"] = frame["customer_id"].map(primary_cards(conn, customers))
    frame["pupil"] = _pupils(frame, data_dir)
    columns = ["held", "customer_id", "pupil", "card_number"]
    return _shown(frame, columns, show_personal_data)


def ambiguous(
    conn: Connection, directory: Path, data_dir: Path, show_personal_data: bool
) -> pd.DataFrame:
    """Every row skipped as ``ambiguous-match``, once per candidate customer (with card and
    school): the person who settles it (``leerlingimport customer link``) picks one."""
    plan = load_table(directory, "plan")
    checked = load_table(directory, "checked")
    rows = checked[
        checked["source_row"].isin(plan.loc[plan["skip"] == SKIP_AMBIGUOUS, "source_row"])
    ]
    columns = ["row", "pupil", "candidate", "card_number", "school"]
    if rows.empty:
        return _shown(pd.DataFrame(columns=columns), columns, show_personal_data)
    keys = {name_key(p, s) for p, s in zip(rows["prefix"], rows["surname"], strict=True)}
    births = {d.date() for d in pd.to_datetime(rows["birth_date"]).dropna()}
    result = conn.execute(
        select(
            Customer.id.label("customer_id"),
            Customer.initials,
            *[getattr(Customer, n) for n in NAMES],
            Customer.birth_date,
            School.brin.label("school"),
        )
        .outerjoin(
            Enrollment,
            and_(Enrollment.customer_id == Customer.id, Enrollment.status == "active"),
        )
        .outerjoin(School, School.id == Enrollment.school_id)
        .where(Customer.name_key.in_(keys), Customer.birth_date.in_(births))
    )
    found = result_frame(result)
    pairs = person_pairs(rows, found).merge(
        found.rename(columns={"customer_id": "candidate"}), on="candidate"
    )
    pairs = pairs.drop(columns=NAMES).join(
        rows[["source_row", "student_key", *NAMES]], on="row_index"
    )
    pairs["row"] = pairs["source_row"]
    pairs["pupil"] = _pupils(pairs, data_dir)
    pairs["card_number"] = pairs["candidate"].map(
        primary_cards(conn, [int(c) for c in pairs["candidate"]])
    )
    pairs["school"] = pairs["school"].fillna("")
    return _shown(pairs.sort_values(["row", "candidate"]), columns, show_personal_data)


def mismatches(directory: Path, data_dir: Path, show_personal_data: bool) -> pd.DataFrame:
    """Rows skipped because their number belongs to another child (that child's card)."""
    plan = load_table(directory, "plan")
    checked = load_table(directory, "checked")[["source_row", "student_key", *NAMES]]
    rows = plan[plan["skip"] == SKIP_IDENTITY].merge(checked, on="source_row")
    rows = rows.rename(columns={"source_row": "row", "owner_card": "other_card"})
    rows["pupil"] = _pupils(rows, data_dir)
    return _shown(rows, ["row", "pupil", "matched_by", "other_card"], show_personal_data)


def leavers_with_loans(
    conn: Connection, directory: Path, data_dir: Path, show_personal_data: bool
) -> pd.DataFrame:
    """Leavers who still have items on loan: card number, item and due date, one line each."""
    leavers = load_table(directory, "leavers")
    leavers = leavers[leavers["loans"] > 0]
    customers = [int(c) for c in leavers["customer_id"]]
    result = conn.execute(
        select(Loan.customer_id, Card.number.label("card_number"), Loan.item, Loan.due_on)
        .join(Card, Card.id == Loan.card_id)
        .where(Loan.customer_id.in_(customers), Loan.returned_at.is_(None))
        .order_by(Loan.customer_id, Loan.due_on, Loan.id)
    )
    loans = result_frame(result)
    frame = loans.merge(leavers[["customer_id", "student_key"]], on="customer_id")
    frame = frame.merge(people(conn, customers), on="customer_id", how="left")
    frame["pupil"] = _pupils(frame, data_dir)
    columns = ["card_number", "customer_id", "pupil", "item", "due_on"]
    return _shown(frame, columns, show_personal_data)


def unusual(counts: dict[str, int], before: int) -> list[tuple[str, float]]:
    """(what, share) for every share of the run's changes above its threshold."""
    rows = counts.get("rows", 0)
    found = []
    arriving = counts.get("new", 0) + counts.get("reactivated", 0)
    if before and arriving / before > UNUSUAL_ARRIVING:
        found.append(("arriving", arriving / before))
    if before and counts.get("deregistered", 0) / before > UNUSUAL_LEAVING:
        found.append(("deregistered", counts["deregistered"] / before))
    if rows and counts.get("rejected", 0) / rows > UNUSUAL_REJECTED:
        found.append(("rejected", counts["rejected"] / rows))
    return found
