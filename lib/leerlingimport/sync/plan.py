"""The plan of an import: what happens to every row and every pupil of the school. Pure.

Actions per row: ``create`` (a new customer), ``link`` (an existing customer, new here),
``transfer`` (new here, active elsewhere: that ends), ``reactivate`` (deregistered here, back),
``update`` / ``unchanged`` (active here), ``skip`` (not processed: see its issue). Active pupils
of the school who are not in the file, and whose row was not rejected, are deregistered, unless
the school's hold guard stops that (DESIGN §7.2).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from leerlingimport.issues import Issue, Language, make_issue
from leerlingimport.params import SchoolParams
from leerlingimport.schema import CONTACT_FIELDS, SOURCE_ROW
from leerlingimport.sync.match import match_rows
from leerlingimport.sync.state import State
from leerlingimport.validate import Validated

NEW_ACTIONS = ("create", "link", "transfer")
ENROLLMENT_FIELDS = ("group_code", "year_group", "student_number")


@dataclass(frozen=True)
class Plan:
    rows: pd.DataFrame  # every valid row: action, customer_id, enrollment_id, old_enrollment_id
    diffs: pd.DataFrame  # customer_id, enrollment_id, target, field, old, new
    deregister: pd.DataFrame  # enrollment_id, customer_id, student_key, loans
    counts: dict[str, int]
    held: bool
    issues: list[Issue] = field(default_factory=list)


def plan_sync(
    checked: Validated,
    state: State,
    school: SchoolParams,
    columns: dict[str, str],
    *,
    confirm_deregistration: bool = False,
    language: Language = "nl",
) -> Plan:
    """Decide everything an import of ``checked`` would do at the school of ``state``."""
    matched = match_rows(checked.valid.reset_index(drop=True), state)
    people = _people(state)
    rows = _classify(matched, state, people)
    diffs = _diffs(rows, people, state.here, school, columns)
    changed = set(diffs.loc[diffs["target"] != "", "row"])
    steady = rows["action"] == "unchanged"
    rows.loc[steady & rows.index.isin(changed), "action"] = "update"
    deregister = _deregistrations(rows, state, set(checked.table["student_key"]))
    active = int((state.here["status"] == "active").sum())
    hold = school.deregistration
    held = (
        not confirm_deregistration
        and len(deregister) > hold.hold_above_count
        and len(deregister) * 100 > hold.hold_above_percent * active
    )
    issues = _issues(rows, deregister, held, active, columns, language)
    return Plan(rows, diffs, deregister, _counts(checked, rows, deregister), held, issues)


def _people(state: State) -> pd.DataFrame:
    here = state.here.sort_values("status").drop_duplicates("customer_id")  # 'active' first
    return pd.concat([here, state.people]).drop_duplicates("customer_id").set_index("customer_id")


def _classify(matched: pd.DataFrame, state: State, people: pd.DataFrame) -> pd.DataFrame:
    rows = matched.copy()
    here = state.here.assign(active_first=state.here["status"] != "active")
    by_key = here.drop_duplicates("student_key").set_index("student_key")["enrollment_id"]
    by_customer = (
        here.sort_values("active_first")
        .drop_duplicates("customer_id")
        .set_index("customer_id")["enrollment_id"]
    )
    from_key = rows["student_key"].map(by_key).where(rows["matched_by"] == "student_number")
    by_person = rows["customer_id"].map(by_customer).astype("Int64")
    rows["enrollment_id"] = from_key.astype("Int64").fillna(by_person)
    status = rows["enrollment_id"].map(here.set_index("enrollment_id")["status"])
    elsewhere = rows["customer_id"].map(people["active_school_id"]).astype("Int64")
    away = elsewhere.notna() & (elsewhere != state.school_id)
    rows["old_enrollment_id"] = (
        rows["customer_id"].map(people["active_enrollment_id"]).astype("Int64").where(away)
    )
    rows["old_school_id"] = elsewhere.where(away)
    rows["has_card"] = (
        rows["customer_id"].map(people["has_card"]).notna() & rows["customer_id"].notna()
    )
    rows["action"] = "create"
    known = rows["customer_id"].notna()
    rows.loc[known & away, "action"] = "transfer"
    rows.loc[known & ~away, "action"] = "link"
    rows.loc[status == "deregistered", "action"] = "reactivate"
    rows.loc[status == "active", "action"] = "unchanged"
    rows.loc[rows["skip"] != "", "action"] = "skip"
    return rows


def _diffs(
    rows: pd.DataFrame,
    people: pd.DataFrame,
    here: pd.DataFrame,
    school: SchoolParams,
    columns: dict[str, str],
) -> pd.DataFrame:
    """One row per field that changes for an existing customer or enrollment."""
    existing = rows[rows["customer_id"].notna() & (rows["action"] != "skip")]
    stored = people.reindex(existing["customer_id"].astype(int))
    stored.index = existing.index
    frames = []
    for name in _customer_fields(school, columns):
        new, old = existing[name], stored[name]
        if name == "birth_date":
            new = new.dt.date.astype("object").where(new.notna())
            give = new.notna()
        elif name == "prefix":
            give = pd.Series(True, index=existing.index)
        else:
            give = new.fillna("") != ""
        if name in CONTACT_FIELDS:
            give &= (old.fillna("") == "") | (stored["source"] == "school_import")
        change = give & (_comparable(new) != _comparable(old))
        frames.append(_diff_frame(existing[change], "customer", name, old[change], new[change]))
    enrolled = existing[existing["enrollment_id"].notna()]
    stored_enrollments = here.drop_duplicates("enrollment_id").set_index("enrollment_id")
    for name in ENROLLMENT_FIELDS:
        column = "student_key" if name == "student_number" else name
        new = enrolled[column].astype("object")
        old = enrolled["enrollment_id"].map(stored_enrollments[column]).astype("object")
        change = _comparable(new) != _comparable(old)
        frames.append(_diff_frame(enrolled[change], "enrollment", name, old[change], new[change]))
    return (
        pd.concat(frames, ignore_index=True)
        if frames
        else _diff_frame(rows[:0], "", "", None, None)
    )


def plain_text(value: object) -> str:
    """A stored or file value as text that compares equal across storage types: 2 and 2.0 are
    "2", a date is ISO, NULL, NaN and NaT are ""."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float):
        return "" if value != value else str(int(value)) if value.is_integer() else str(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())[:10]
    return str(value)


def _comparable(values: pd.Series) -> pd.Series:
    return values.astype("object").map(plain_text)


def _customer_fields(school: SchoolParams, columns: dict[str, str]) -> list[str]:
    names: list[str] = [f for f in ("initials", "first_name", "prefix", "surname") if f in columns]
    if "full_name" in columns:
        names += ["first_name", "prefix", "surname"]
    names += ["birth_date", "sex"]
    if school.address == "home":
        names += [f for f in CONTACT_FIELDS if f in columns]
    return list(dict.fromkeys(names))


def _diff_frame(
    rows: pd.DataFrame, target: str, name: str, old: object, new: object
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": rows.index,
            "customer_id": rows["customer_id"].astype("Int64").to_numpy(),
            "enrollment_id": rows["enrollment_id"].astype("Int64").to_numpy(),
            "target": target,
            "field": name,
            "old": pd.Series(old, dtype="object").to_numpy() if len(rows) else [],
            "new": pd.Series(new, dtype="object").to_numpy() if len(rows) else [],
        }
    )


def _deregistrations(rows: pd.DataFrame, state: State, file_keys: set[str]) -> pd.DataFrame:
    here = state.here
    kept = set(rows["enrollment_id"].dropna().astype(int))
    leaving = here[
        (here["status"] == "active")
        & ~here["enrollment_id"].isin(kept)
        & ~here["student_key"].isin(file_keys)
    ]
    loans = leaving["customer_id"].map(state.loans.set_index("customer_id")["outstanding"])
    return pd.DataFrame(
        {
            "enrollment_id": leaving["enrollment_id"].astype(int).to_numpy(),
            "customer_id": leaving["customer_id"].astype(int).to_numpy(),
            "student_key": leaving["student_key"].to_numpy(),
            "loans": loans.fillna(0).astype(int).to_numpy(),
        }
    )


def _counts(checked: Validated, rows: pd.DataFrame, deregister: pd.DataFrame) -> dict[str, int]:
    action = rows["action"]
    total = len(checked.table)
    return {
        "rows": total,
        "rejected": total - len(rows) + int((action == "skip").sum()),
        "new": int(action.isin(NEW_ACTIONS).sum()),
        "created": int((action == "create").sum()),
        "transferred": int((action == "transfer").sum()),
        "reactivated": int((action == "reactivate").sum()),
        "updated": int((action == "update").sum()),
        "unchanged": int((action == "unchanged").sum()),
        "deregistered": len(deregister),
    }


def _issues(
    rows: pd.DataFrame,
    deregister: pd.DataFrame,
    held: bool,
    active: int,
    columns: dict[str, str],
    language: Language,
) -> list[Issue]:
    issues = []
    number = columns.get("student_number")
    for _, r in rows[rows["skip"] != ""].iterrows():
        column = columns.get("card_number") if r["skip"] == "card-number-taken" else number
        value = r["card_number"] if r["skip"] == "card-number-taken" else r["student_number"]
        issues.append(
            make_issue(
                r["skip"], row=int(r[SOURCE_ROW]), column=column, value=value, language=language
            )
        )
    for _, r in rows[
        (rows["matched_by"] == "personal_data") & (rows["action"] != "skip")
    ].iterrows():
        issues.append(
            make_issue(
                "matched-by-personal-data",
                row=int(r[SOURCE_ROW]),
                customer=int(r["customer_id"]),
                language=language,
            )
        )
    for _, r in rows[rows["old_enrollment_id"].notna()].iterrows():
        issues.append(make_issue("transferred", row=int(r[SOURCE_ROW]), language=language))
    for _, r in deregister[deregister["loans"] > 0].iterrows():
        issues.append(
            make_issue(
                "leaver-with-loans",
                customer=int(r["customer_id"]),
                loans=int(r["loans"]),
                language=language,
            )
        )
    if held:
        issues.append(
            make_issue(
                "deregistration-held", count=len(deregister), active=active, language=language
            )
        )
    return issues
