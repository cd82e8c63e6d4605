"""Matching file rows to customers, in DESIGN §5.3's order, as pure DataFrame work.

(a) the card number the row carries; (b) this school's enrollment with the same student key
(active or deregistered); (c) exactly one customer anywhere with the same surname, prefix,
birth date, and first name (or, when one side has no first name, initials). Two or more
candidates: no guess, the row is skipped.
A customer is never claimed by two rows, and twins are never merged.
"""

from __future__ import annotations

import pandas as pd

from leerlingimport.sync.state import State

SKIP_CARD_TAKEN = "card-number-taken"
SKIP_AMBIGUOUS = "ambiguous-match"


def match_rows(rows: pd.DataFrame, state: State) -> pd.DataFrame:
    """``rows`` with ``customer_id`` (nullable), ``matched_by`` (card | student_number |
    personal_data | none) and ``skip`` (a reason code, or empty)."""
    out = rows.copy()
    out["customer_id"] = pd.Series(pd.NA, index=out.index, dtype="Int64")
    out["matched_by"] = "none"
    out["skip"] = ""
    # One enrollment per key; 'active' sorts before 'deregistered', so the active one wins.
    here = state.here.sort_values("status").drop_duplicates("student_key")
    by_key = out["student_key"].map(here.set_index("student_key")["customer_id"])
    owners = state.cards.drop_duplicates("number").set_index("number")["customer_id"]
    nothing = pd.Series(pd.NA, index=out.index, dtype="Int64")
    by_card = out["card_number"].map(owners).astype("Int64") if len(owners) else nothing
    by_key = by_key.astype("Int64") if len(here) else nothing

    taken = by_card.notna() & by_key.notna() & (by_card != by_key)
    out.loc[taken, "skip"] = SKIP_CARD_TAKEN
    use_key = by_key.notna() & ~taken
    out.loc[use_key, "customer_id"] = by_key[use_key]
    out.loc[use_key, "matched_by"] = "student_number"
    use_card = by_card.notna() & by_key.isna()
    out.loc[use_card, "customer_id"] = by_card[use_card]
    out.loc[use_card, "matched_by"] = "card"
    _claim_twice(out, "customer_id")
    return _match_people(out, state)


def _match_people(out: pd.DataFrame, state: State) -> pd.DataFrame:
    open_rows = out[out["customer_id"].isna() & (out["skip"] == "") & out["birth_date"].notna()]
    if open_rows.empty or state.people.empty:
        return out
    claimed = set(out["customer_id"].dropna().astype(int))
    people = state.people[~state.people["customer_id"].isin(claimed)]
    left = _person_keys(open_rows.reset_index(names="row_index"))
    right = _person_keys(people.rename(columns={"customer_id": "candidate"}))
    pairs = left.merge(right, on=["k_surname", "k_prefix", "k_birth"], suffixes=("", "_c"))
    # First names decide when both sides have one (twins share initials, not first names);
    # only when one side has none do the initials decide.
    both_first = (pairs["k_first"] != "") & (pairs["k_first_c"] != "")
    same_first = pairs["k_first"] == pairs["k_first_c"]
    same_initials = (pairs["k_initials"] != "") & (pairs["k_initials"] == pairs["k_initials_c"])
    same_name = same_first.where(both_first, same_initials)
    pairs = pairs[same_name]
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


def _person_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """Comparable keys: case-folded names, initials without dots, the birth date."""
    return frame.assign(
        k_surname=frame["surname"].fillna("").astype("str").str.casefold(),
        k_prefix=frame["prefix"].fillna("").astype("str").str.casefold(),
        k_first=frame["first_name"].fillna("").astype("str").str.casefold(),
        k_initials=frame["initials"]
        .fillna("")
        .astype("str")
        .str.replace(r"[.\s]", "", regex=True)
        .str.upper(),
        k_birth=pd.to_datetime(frame["birth_date"]).dt.normalize(),
    )[
        [c for c in ("row_index", "candidate") if c in frame.columns]
        + ["k_surname", "k_prefix", "k_first", "k_initials", "k_birth"]
    ]


def _claim_twice(out: pd.DataFrame, column: str) -> None:
    """Two rows that name the same customer (e.g. by card) cannot both be that customer."""
    values = out[column]
    twice = values.notna() & values.duplicated(keep=False)
    by_card = twice & (out["matched_by"] == "card")
    out.loc[by_card, "customer_id"] = pd.NA
    out.loc[by_card, "skip"] = SKIP_CARD_TAKEN
