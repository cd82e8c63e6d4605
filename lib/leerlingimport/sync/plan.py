"""The plan of an import: what happens to every row and every pupil of the school. Pure.

Actions per row: ``create`` (a new customer), ``link`` (an existing customer, new here),
``transfer`` (new here, active elsewhere: that ends), ``reactivate`` (deregistered here, back),
``update`` / ``unchanged`` (active here), ``skip`` (not processed: see its issue). Active pupils
of the school who are not in the file, and whose row was not rejected, are deregistered, unless
the school's hold guard stops that (DESIGN §7.2).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from leerlingimport.issues import Issue, Language
from leerlingimport.params import DeregistrationRules, SchoolParams
from leerlingimport.schema import CONTACT_FIELDS
from leerlingimport.sync.findings import Hold, plan_issues
from leerlingimport.sync.match import (
    SKIP_IDENTITY,
    duplicate_keys,
    match_rows,
    protected_customers,
    ranked,
    text_in,
)
from leerlingimport.sync.state import State
from leerlingimport.validation import Validated

NEW_ACTIONS = ("create", "link", "transfer")
ENROLLMENT_FIELDS = ("group_code", "year_group", "student_number")
# More identity mismatches than this (and more than this share of the rows) look like another
# school's file, not a few reused numbers: the file is rejected before anything is written.
FEW_MISMATCHES, MISMATCH_SHARE = 3, 0.05


@dataclass(frozen=True)
class Plan:
    rows: pd.DataFrame  # every valid row: action, customer_id, enrollment_id, old_enrollment_id
    diffs: pd.DataFrame  # row, customer_id, enrollment_id, target, field, old, new
    deregister: pd.DataFrame  # enrollment_id, customer_id, student_key, loans
    counts: dict[str, int]
    holds: list[Hold] = field(default_factory=list)  # why the run is held (empty: not held)
    issues: list[Issue] = field(default_factory=list)
    rejected: bool = False  # the file looks like another school's: nothing is applied
    hold_all: bool = False  # held, and most rows are not this school's pupils: apply nothing

    @property
    def held(self) -> bool:
        """A held run creates and updates, but transfers and deregisters nobody; when most of
        the file's pupils are not the school's own (``hold_all``) it applies nothing at all."""
        return bool(self.holds)


def plan_sync(
    checked: Validated,
    state: State,
    school: SchoolParams,
    columns: dict[str, str],
    *,
    other_schools: Mapping[str, DeregistrationRules] | None = None,
    confirm_deregistration: bool = False,
    language: Language = "nl",
) -> Plan:
    """Decide everything an import of ``checked`` would do at the school of ``state``.
    ``other_schools`` holds the hold thresholds of the schools transfers may come from."""
    matched = match_rows(checked.valid.reset_index(drop=True), state)
    people = state.known
    rows = _classify(matched, state, people)
    diffs = _diffs(rows, people, state.here, school, columns, set(state.cards["number"]))
    changed = set(diffs.loc[diffs["target"] != "", "row"])
    steady = rows["action"] == "unchanged"
    rows.loc[steady & rows.index.isin(changed), "action"] = "update"
    table = checked.table
    unprocessed = pd.concat([table[~table["row_ok"]], matched[matched["skip"] != ""]])
    protected = protected_customers(unprocessed, state)
    deregister = _deregistrations(rows, state, set(table["student_key"]), protected)
    holds = (
        []
        if confirm_deregistration
        else [
            *_holds(rows, deregister, state, school, other_schools or {}),
            *_older_file(rows, diffs, school),
        ]
    )
    processed = rows[rows["action"] != "skip"]
    own = processed["action"].isin(["unchanged", "update", "reactivate"])
    own &= processed["old_enrollment_id"].isna()
    foreign = bool(holds) and int(own.sum()) * 2 < len(processed)
    hold_all = foreign or any(h.kind == "older" for h in holds)
    mismatches = int((rows["skip"] == SKIP_IDENTITY).sum())
    rejected = mismatches > FEW_MISMATCHES and mismatches > MISMATCH_SHARE * len(table)
    issues = plan_issues(
        rows,
        deregister,
        holds,
        duplicate_keys(state.here),
        columns,
        language,
        wrong_school=(mismatches, len(table), school) if rejected else None,
        foreign=(int(own.sum()), len(processed), school) if foreign else None,
        applied_partly=bool(holds) and not hold_all,
    )
    counts = _counts(checked, rows, deregister)
    return Plan(rows, diffs, deregister, counts, holds, issues, rejected, hold_all)


def _classify(matched: pd.DataFrame, state: State, people: pd.DataFrame) -> pd.DataFrame:
    rows = matched.copy()
    here = state.here
    mine = ranked(here).drop_duplicates("customer_id").set_index("customer_id")["enrollment_id"]
    by_person = rows["customer_id"].map(mine).astype("Int64")
    rows["enrollment_id"] = rows["enrollment_id"].fillna(by_person)
    status = rows["enrollment_id"].map(here.set_index("enrollment_id")["status"])
    elsewhere = rows["customer_id"].map(people["active_school_id"]).astype("Int64")
    away = elsewhere.notna() & (elsewhere != state.school_id)
    rows["old_enrollment_id"] = (
        rows["customer_id"].map(people["active_enrollment_id"]).astype("Int64").where(away)
    )
    rows["old_school_id"] = elsewhere.where(away)
    rows["action"] = "create"
    known = rows["customer_id"].notna()
    rows.loc[known & away, "action"] = "transfer"
    rows.loc[known & ~away, "action"] = "link"
    rows.loc[status == "deregistered", "action"] = "reactivate"
    rows.loc[status == "active", "action"] = "unchanged"
    rows.loc[rows["skip"] != "", "action"] = "skip"
    return rows


def _holds(
    rows: pd.DataFrame,
    deregister: pd.DataFrame,
    state: State,
    school: SchoolParams,
    others: Mapping[str, DeregistrationRules],
) -> list[Hold]:
    """Every threshold this run would cross: its own school's leavers, and for each school
    that transfers would take pupils from, those pupils (DESIGN §7.2)."""
    holds = []
    active = int((state.here["status"] == "active").sum())
    if _over(len(deregister), active, school.deregistration):
        holds.append(Hold(school.brin, len(deregister), active, "deregister"))
    moving = rows.loc[rows["action"] != "skip", "old_school_id"].value_counts()
    for other in state.schools.to_dict("records"):
        count, brin = int(moving.get(other["school_id"], 0)), str(other["brin"])
        total = int(other["active"])
        if _over(count, total, others.get(brin, DeregistrationRules())):
            holds.append(Hold(brin, count, total, "transfer"))
    return holds


def _older_file(rows: pd.DataFrame, diffs: pd.DataFrame, school: SchoolParams) -> list[Hold]:
    """Most pupils who stay would go down a year group: an older file (last school year's,
    sent again). Nothing of it is applied without confirmation."""
    stayers = int(rows["action"].isin(["unchanged", "update"]).sum())
    years = diffs[(diffs["target"] == "enrollment") & (diffs["field"] == "year_group")]
    down = int((pd.to_numeric(years["new"]) < pd.to_numeric(years["old"])).sum())
    if stayers >= 5 and down * 2 > stayers:
        return [Hold(school.brin, down, stayers, "older")]
    return []


def _over(count: int, active: int, rules: DeregistrationRules) -> bool:
    return count > rules.hold_above_count and count * 100 > rules.hold_above_percent * active


def _diffs(
    rows: pd.DataFrame,
    people: pd.DataFrame,
    here: pd.DataFrame,
    school: SchoolParams,
    columns: dict[str, str],
    known_cards: set[str],
) -> pd.DataFrame:
    """One row per field that changes for an existing customer or enrollment, and one per
    replacement main card (a card number in the file that is new to the library)."""
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
    frames.append(_card_diffs(existing, stored, known_cards))
    return (
        pd.concat(frames, ignore_index=True)
        if frames
        else _diff_frame(rows[:0], "", "", None, None)
    )


def _card_diffs(existing: pd.DataFrame, stored: pd.DataFrame, known: set[str]) -> pd.DataFrame:
    given = existing["card_number"].fillna("")
    new_card = (given != "") & ~given.isin(known) & (existing["action"] != "create")
    old = stored["card_number"].astype("object")
    return _diff_frame(existing[new_card], "card", "card_number", old[new_card], given[new_card])


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
    """``plain_text`` of every value, as text. Columns of text, whole numbers or dates are
    done at once (a Python call per value was 2.4 million calls for 100k pupils); anything
    else goes value by value."""
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in ("string", "integer", "empty"):
        texts = values.astype("object").where(values.notna(), "")
    elif kind == "date":
        days = pa.array(values.to_numpy(dtype="object"), type=pa.date32(), from_pandas=True)
        texts = pc.cast(days, pa.string()).fill_null("").to_numpy(zero_copy_only=False)
    else:
        texts = values.astype("object").map(plain_text)
    return pd.Series(texts, index=values.index, dtype="str")


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


def _deregistrations(
    rows: pd.DataFrame, state: State, file_keys: set[str], protected: set[int]
) -> pd.DataFrame:
    """Active pupils of the school whom the file does not hold, and whom no row that was
    rejected or skipped may be."""
    here = state.here
    kept = set(rows["enrollment_id"].dropna().astype(int))
    leaving = here[
        (here["status"] == "active")
        & ~here["enrollment_id"].isin(kept)
        & ~text_in(here["student_key"], file_keys)
        & ~here["customer_id"].isin(protected)
    ]
    loans = leaving["customer_id"].map(state.loans.set_index("customer_id")["outstanding"])
    return pd.DataFrame(
        {
            "enrollment_id": leaving["enrollment_id"].astype(int).to_numpy(),
            "customer_id": leaving["customer_id"].astype(int).to_numpy(),
            "card_number": leaving["card_number"].fillna("").astype("str").to_numpy(),
            "last_seen_school_year": leaving["last_seen_school_year"].astype("Int64").to_numpy(),
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
