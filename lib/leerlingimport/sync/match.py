"""Matching file rows to customers, in DESIGN §5.3's order, as pure DataFrame work.

(a) the card number the row carries; (b) this school's enrollment that owns the student key
(``key_owners``: the active one first, then the newest); (c) exactly one customer anywhere with
the same name key (prefix + surname, folded), birth date, and first name (or, when one side has
no first name, initials). Two or more candidates: no guess, the row is skipped.

A match by number (card or student number) must prove it is the same child: the birth date
agrees when both sides have one, and the surname or the first name agrees. Otherwise the row is
skipped as ``identity-mismatch`` and the stored person is never touched: a reused number, or a
file imported as the wrong school, cannot hand one child's record to another.
A customer is never claimed by two rows, and twins are never merged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd

from leerlingimport.names import folded, name_keys
from leerlingimport.schema import SOURCE_ROW

if TYPE_CHECKING:  # the state module asks ``settled`` which rows it must look up
    from leerlingimport.sync.state import State

SKIP_CARD_TAKEN = "card-number-taken"
SKIP_AMBIGUOUS = "ambiguous-match"
SKIP_IDENTITY = "identity-mismatch"
SKIP_SAME_CHILD = "same-child-twice"
BY_NUMBER = ("student_number", "card")


def text_in(values: pd.Series, wanted: Iterable[str]) -> pd.Series:
    """``values.isin(wanted)`` for a text column. pandas' ``isin`` on its pyarrow strings makes
    a pyarrow scalar per wanted value (a second for 100k student keys); the hash table of
    Python objects does not."""
    return values.astype("object").isin(list(wanted))


def ranked(here: pd.DataFrame) -> pd.DataFrame:
    """The school's enrollments in the order that decides between two of them: active first,
    then the newest. One rule for the key owner and for a customer's enrollment here."""
    order = here.assign(_inactive=here["status"] != "active").sort_values(
        ["_inactive", "enrollment_id"], ascending=[True, False]
    )
    return order.drop(columns="_inactive")


def key_owners(here: pd.DataFrame) -> pd.DataFrame:
    """The one enrollment that owns each student key: active first, then the newest."""
    return ranked(here).drop_duplicates("student_key")


def duplicate_keys(here: pd.DataFrame) -> list[str]:
    """Student keys that more than one enrollment of the school has (e.g. '0123' and '123'
    once the school ignores leading zeros)."""
    counts = here["student_key"].value_counts()
    return sorted(str(k) for k in counts[counts > 1].index)


def settled(rows: pd.DataFrame, here: pd.DataFrame, cards: pd.DataFrame) -> pd.Series:
    """The rows whose match no person elsewhere can change: valid, their student key owned
    here by the same child (``_check_identity`` passes), and no card of somebody else. Each is
    matched by student number and never skipped, protected or matched by personal data, so the
    state need not look up the people it may be. Every other row is looked up."""
    if "row_ok" not in rows.columns or rows.empty or here.empty:
        return pd.Series(False, index=rows.index)
    owners = key_owners(here).set_index("student_key")
    owner = rows["student_key"].map(owners["customer_id"])
    holders = cards.drop_duplicates("number").set_index("number")["customer_id"]
    nothing = pd.Series(float("nan"), index=rows.index)
    holder = rows["card_number"].map(holders) if len(holders) else nothing
    found = rows["row_ok"].astype(bool) & owner.notna() & (holder.isna() | (holder == owner))
    if not found.any():
        return found
    numbered = rows[found]
    stored = owners.reindex(numbered["student_key"])
    stored.index = numbered.index
    row, old = _identity(numbered), _identity(stored)
    birth_differs = row["birth"].notna() & old["birth"].notna() & (row["birth"] != old["birth"])
    same = (~birth_differs & _same_name(row, old)).reindex(rows.index, fill_value=False)
    return found & same.astype(bool)


def match_rows(rows: pd.DataFrame, state: State) -> pd.DataFrame:
    """``rows`` with ``customer_id`` and ``enrollment_id`` (nullable), ``matched_by`` (card |
    student_number | personal_data | none), ``skip`` (a reason code, or empty) and
    ``owner_card`` (for a skipped row: the card number of the person the number belongs to)."""
    out = rows.copy()
    nothing = pd.Series(pd.NA, index=out.index, dtype="Int64")
    out["customer_id"] = nothing
    out["enrollment_id"] = nothing
    out["matched_by"] = "none"
    out["skip"] = ""
    out["owner_card"] = ""
    out["owner_row"] = pd.Series(pd.NA, index=out.index, dtype="Int64")
    owners = key_owners(state.here).set_index("student_key")
    by_key = out["student_key"].map(owners["customer_id"]).astype("Int64")
    key_enrollment = out["student_key"].map(owners["enrollment_id"]).astype("Int64")
    holders = state.cards.drop_duplicates("number").set_index("number")["customer_id"]
    by_card = out["card_number"].map(holders).astype("Int64") if len(holders) else nothing

    taken = by_card.notna() & by_key.notna() & (by_card != by_key)
    out.loc[taken, "skip"] = SKIP_CARD_TAKEN
    use_key = by_key.notna() & ~taken
    out.loc[use_key, "customer_id"] = by_key[use_key]
    out.loc[use_key, "enrollment_id"] = key_enrollment[use_key]
    out.loc[use_key, "matched_by"] = "student_number"
    use_card = by_card.notna() & by_key.isna()
    out.loc[use_card, "customer_id"] = by_card[use_card]
    out.loc[use_card, "matched_by"] = "card"
    _claim_twice(out)
    _check_identity(out, state.known)
    return _match_people(out, state)


def known_people(state: State) -> pd.DataFrame:
    """Everyone the state knows, once, by customer id: the school's own pupils (their active
    enrollment first) and the people the file may mean elsewhere."""
    here = ranked(state.here).drop_duplicates("customer_id")
    people = pd.concat([here, state.people]).drop_duplicates("customer_id")
    return people.set_index("customer_id")


def _check_identity(out: pd.DataFrame, people: pd.DataFrame) -> None:
    """Rows matched by a number whose stored person is somebody else lose the match."""
    numbered = out[out["matched_by"].isin(BY_NUMBER)]
    if numbered.empty:
        return
    stored = people.reindex(numbered["customer_id"].astype(int))
    stored.index = numbered.index
    row, old = _identity(numbered), _identity(stored)
    birth_differs = row["birth"].notna() & old["birth"].notna() & (row["birth"] != old["birth"])
    same_name = _same_name(row, old)
    wrong = numbered.index[(birth_differs | ~same_name).to_numpy()]
    out.loc[wrong, "owner_card"] = stored.loc[wrong, "card_number"].fillna("").astype("str")
    out.loc[wrong, ["customer_id", "enrollment_id"]] = pd.NA
    out.loc[wrong, "skip"] = SKIP_IDENTITY  # matched_by stays: which number disagreed


def _same_name(row: pd.DataFrame, old: pd.DataFrame) -> pd.Series:
    """First names decide when both sides have one (twins share a surname and a birth date,
    and a surname may change); otherwise the surname must agree, and the initials when both
    sides have them."""
    both_first = (row["first"] != "") & (old["first"] != "")
    initials_agree = (row["initial"] == "") | (old["initial"] == "")
    initials_agree |= row["initial"] == old["initial"]
    by_surname = (row["name"] == old["name"]) & initials_agree
    return (row["first"] == old["first"]).where(both_first, by_surname)


def _identity(frame: pd.DataFrame) -> pd.DataFrame:
    """The name key, the folded first name, its initial (or, without one, the first folded
    initial: folding drops the dots and spaces) and the birth date."""
    first = folded(frame["first_name"])
    bare = (first == "").to_numpy()
    initial = first.str.slice(0, 1).to_numpy(dtype="object")
    initial[bare] = folded(frame["initials"][bare]).str.slice(0, 1).to_numpy(dtype="object")
    return pd.DataFrame(
        {
            "name": name_keys(frame["prefix"], frame["surname"]),
            "first": first,
            "initial": pd.Series(initial, index=frame.index, dtype="str"),
            "birth": pd.to_datetime(frame["birth_date"]).dt.normalize(),
        },
        index=frame.index,
    )


def _match_people(out: pd.DataFrame, state: State) -> pd.DataFrame:
    open_rows = out[out["customer_id"].isna() & (out["skip"] == "") & out["birth_date"].notna()]
    if open_rows.empty or state.people.empty:
        return out
    claimed = out.loc[out["customer_id"].notna()]
    claimed_by = dict(zip(claimed["customer_id"].astype(int), claimed[SOURCE_ROW], strict=True))
    pairs = person_pairs(open_rows, state.people)
    # The same child under a second number: never a second customer.
    twice = pairs[pairs["candidate"].isin(list(claimed_by))]
    out.loc[twice["row_index"].to_numpy(), "skip"] = SKIP_SAME_CHILD
    out.loc[twice["row_index"].to_numpy(), "owner_row"] = (
        twice["candidate"].map(claimed_by).to_numpy()
    )
    pairs = pairs[~pairs["row_index"].isin(twice["row_index"])]
    pairs = pairs[~pairs["candidate"].isin(list(claimed_by))]
    per_row = pairs.groupby("row_index")["candidate"].nunique()
    per_candidate = pairs.groupby("candidate")["row_index"].nunique()
    pairs = pairs.assign(
        rows_for_candidate=pairs["candidate"].map(per_candidate),
        candidates_for_row=pairs["row_index"].map(per_row),
    )
    unique = pairs[(pairs["rows_for_candidate"] == 1) & (pairs["candidates_for_row"] == 1)]
    ambiguous = set(pairs["row_index"]) - set(unique["row_index"])
    out.loc[list(ambiguous), "skip"] = SKIP_AMBIGUOUS
    index = unique["row_index"].to_numpy()
    out.loc[index, "customer_id"] = unique["candidate"].astype("Int64").to_numpy()
    out.loc[index, "matched_by"] = "personal_data"
    return out


def person_pairs(rows: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """(row_index, candidate) for every stored person who has the row's name key and birth
    date, and its first name (initials only when a side has no first name: twins share
    initials, not first names)."""
    left = _person_keys(rows).rename_axis("row_index").reset_index()
    right = _person_keys(people).assign(candidate=people["customer_id"].to_numpy())
    pairs = left.merge(right, on=["name", "birth"], suffixes=("", "_c"))
    both_first = (pairs["first"] != "") & (pairs["first_c"] != "")
    same_first = pairs["first"] == pairs["first_c"]
    same_initials = (pairs["initials"] != "") & (pairs["initials"] == pairs["initials_c"])
    return pairs[same_first.where(both_first, same_initials)][["row_index", "candidate"]]


def _person_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """Comparable keys: the name key, the folded first name, initials without dots, the
    birth date."""
    return pd.DataFrame(
        {
            "name": name_keys(frame["prefix"], frame["surname"]),
            "first": folded(frame["first_name"]),
            "initials": _bare_initials(frame["initials"]),
            "birth": pd.to_datetime(frame["birth_date"]).dt.normalize(),
        },
        index=frame.index,
    )


def _bare_initials(values: pd.Series) -> pd.Series:
    """Initials without dots or spaces, in capitals ("j. p." is "JP"), worked out once per
    distinct value (a school has a few hundred; Python's ``re`` per value was most of it)."""
    text = values.fillna("").astype("str")
    distinct = pd.Series(text.unique(), dtype="str")
    bare = distinct.str.replace(r"[.\s]", "", regex=True).str.upper()
    return text.map(pd.Series(bare.to_numpy(), index=distinct)).astype("str")


def protected_customers(rows: pd.DataFrame, state: State) -> set[int]:
    """Everyone a rejected or skipped row may be: by its student key, its card number, its
    name and birth date, or (without a birth date) its name and first name at this school.
    None of them is deregistered for being absent from the file."""
    if rows.empty:
        return set()
    here = state.here
    found = set(here.loc[here["student_key"].isin(set(rows["student_key"]) - {""}), "customer_id"])
    numbers = set(rows["card_number"]) - {""}
    found |= set(state.cards.loc[state.cards["number"].isin(numbers), "customer_id"])
    dated = rows[rows["birth_date"].notna()]
    if len(dated) and len(state.people):
        found |= set(person_pairs(dated, state.people)["candidate"])
    found |= set(person_pairs(dated, here)["candidate"]) if len(dated) and len(here) else set()
    undated = _identity(rows[rows["birth_date"].isna()])
    pupils = _identity(here).assign(candidate=here["customer_id"].to_numpy())
    same = undated.merge(pupils, on="name", suffixes=("", "_c"))
    if len(same):
        row = same[["name", "first", "initial"]]
        old = same[["name", "first_c", "initial_c"]].set_axis(["name", "first", "initial"], axis=1)
        found |= set(same.loc[_same_name(row, old), "candidate"])
    return {int(c) for c in found}


def _claim_twice(out: pd.DataFrame) -> None:
    """Two rows that name the same customer (e.g. by card) cannot both be that customer."""
    values = out["customer_id"]
    twice = values.notna() & values.duplicated(keep=False)
    by_card = twice & (out["matched_by"] == "card")
    out.loc[by_card, "customer_id"] = pd.NA
    out.loc[by_card, "matched_by"] = "none"
    out.loc[by_card, "skip"] = SKIP_CARD_TAKEN
