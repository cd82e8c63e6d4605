"""The pure core of an import: ``match_rows`` and ``plan_sync`` on small in-memory frames, one
test per rule, no database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from leerlingimport.params import SchoolParams
from leerlingimport.schema import FIELDS, SOURCE_ROW
from leerlingimport.sync.match import key_owners, match_rows, settled
from leerlingimport.sync.plan import plan_sync
from leerlingimport.sync.state import State, candidates
from leerlingimport.validation import Validated

HERE, OTHER = 1, 2
SCHOOL = SchoolParams(brin="99ZZ", name="OBS Test", branch="0101")
COLUMNS = {"student_number": "LEERLINGNUMMER", "surname": "NAAM", "first_name": "ROEPNAAM"}


def person(cid: int, first: str, surname: str, born: str, **more: Any) -> dict[str, Any]:
    return {
        "customer_id": cid,
        "initials": first[0] + ".",
        "first_name": first,
        "prefix": more.pop("prefix", ""),
        "surname": surname,
        "birth_date": dt.date.fromisoformat(born),
        "sex": None,
        "street": None,
        "house_number": None,
        "house_number_suffix": None,
        "postcode": None,
        "city": None,
        "email": None,
        "source": "school_import",
        "card_number": f"2099{cid:010d}",
        "active_enrollment_id": more.pop("active_enrollment_id", None),
        "active_school_id": more.pop("active_school_id", None),
        **more,
    }


def enrolled(eid: int, number: str, status: str, who: dict[str, Any]) -> dict[str, Any]:
    active = status == "active"
    return {
        **who,
        "enrollment_id": eid,
        "student_number": number,
        "student_key": number.lstrip("0") or "0",
        "status": status,
        "group_code": "G5",
        "year_group": 5,
        "last_seen_school_year": 2026,
        "active_enrollment_id": eid if active else None,
        "active_school_id": HERE if active else None,
    }


def state(
    here: list[dict[str, Any]] = (),  # type: ignore[assignment]
    people: list[dict[str, Any]] = (),  # type: ignore[assignment]
    schools: list[dict[str, Any]] = (),  # type: ignore[assignment]
) -> State:
    columns = list(person(0, "X", "X", "2016-01-01"))
    here_frame = pd.DataFrame(
        list(here),
        columns=[
            *columns,
            "enrollment_id",
            "student_number",
            "student_key",
            "status",
            "group_code",
            "year_group",
            "last_seen_school_year",
        ],
    )
    people_frame = pd.DataFrame(list(people), columns=columns)
    cards = pd.concat([here_frame, people_frame])[["card_number", "customer_id"]]
    return State(
        HERE,
        here_frame,
        cards.rename(columns={"card_number": "number"}).assign(status="active"),
        people_frame,
        pd.DataFrame(columns=["customer_id", "outstanding"]),
        pd.DataFrame(list(schools), columns=["school_id", "brin", "active"]),
    )


def row(number: str, first: str, surname: str, born: str | None, **more: str) -> dict[str, Any]:
    base = {f: "" for f in FIELDS if f != "full_name"}
    base.update(
        student_number=number,
        student_key=number.lstrip("0") or ("0" if number else ""),
        first_name=first,
        initials=first[:1] + ".",
        surname=surname,
        group_code="G5",
        group_name="Groep 5",
        year_group="5",
        birth_date=pd.Timestamp(born) if born else pd.NaT,
        **more,
    )
    return base


def table(*rows: dict[str, Any], ok: tuple[bool, ...] = ()) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows))
    frame[SOURCE_ROW] = range(2, len(frame) + 2)
    frame["row_ok"] = list(ok) if ok else True
    frame["birth_date"] = pd.to_datetime(frame["birth_date"])
    return frame


ANNA = person(10, "Anna", "Smit", "2016-03-07")
BOB = person(11, "Bob", "Jansen", "2016-05-01")


def test_a_student_number_match_must_be_the_same_child() -> None:
    st = state(here=[enrolled(100, "4001", "deregistered", ANNA)])
    same = match_rows(table(row("4001", "Anna", "Smit", "2016-03-07")), st)
    assert same.loc[0, "matched_by"] == "student_number" and same.loc[0, "enrollment_id"] == 100
    other = match_rows(table(row("4001", "Quinten", "Zwart", "2015-01-02")), st)
    assert other.loc[0, "skip"] == "identity-mismatch" and pd.isna(other.loc[0, "customer_id"])
    assert other.loc[0, "owner_card"] == ANNA["card_number"]


def test_a_changed_surname_or_birth_date_typo_is_judged_by_the_rule() -> None:
    st = state(here=[enrolled(100, "4001", "active", ANNA)])
    renamed = match_rows(table(row("4001", "Anna", "de Boer", "2016-03-07")), st)
    assert renamed.loc[0, "skip"] == ""  # the first name and birth date agree
    other_birthday = match_rows(table(row("4001", "Anna", "Smit", "2016-07-03")), st)
    assert other_birthday.loc[0, "skip"] == "identity-mismatch"
    undated = match_rows(table(row("4001", "Anna", "Smit", None)), st)
    assert undated.loc[0, "skip"] == ""  # no birth date on one side: the names decide


def test_a_card_number_match_must_be_the_same_child() -> None:
    st = state(people=[BOB])
    r = row("9", "Anna", "Smit", "2016-03-07", card_number=BOB["card_number"])
    assert match_rows(table(r), st).loc[0, "skip"] == "identity-mismatch"
    r = row("9", "Bob", "Jansen", "2016-05-01", card_number=BOB["card_number"])
    assert match_rows(table(r), st).loc[0, "matched_by"] == "card"


def test_only_rows_the_schools_own_pupils_settle_skip_the_lookup_by_personal_data() -> None:
    here = state(here=[enrolled(100, "4001", "active", ANNA), enrolled(101, "4002", "active", BOB)])
    rows = table(
        row("4001", "Anna", "Smit", "2016-03-07"),  # the same child: settled
        row("4002", "Quinten", "Zwart", "2015-01-02"),  # a reused number: looked up
        row("4003", "Cas", "Bos", "2016-01-01"),  # nobody's number: looked up
        row("4001", "Anna", "Smit", "2016-03-07", card_number=BOB["card_number"]),  # Bob's card
        row("4002", "Bob", "Jansen", "2016-05-01"),
        ok=(True, True, True, True, False),  # a rejected row protects: looked up
    )
    assert settled(rows, here.here, here.cards).tolist() == [True, False, False, False, False]
    assert candidates(here, rows) == {10, 11}


def test_personal_data_ignores_case_accents_and_where_the_prefix_is() -> None:
    zoe = person(12, "ZOE", "VRIES", "2016-02-02", prefix="De")
    st = state(people=[zoe])
    r = row("5", "Zoë", "de Vries", "2016-02-02")
    assert match_rows(table(r), st).loc[0, "customer_id"] == 12


def test_twins_with_the_same_initials_are_not_one_child() -> None:
    twin = person(13, "Sara", "Bouzid", "2016-04-04")
    st = state(people=[twin])
    r = row("6", "Salma", "Bouzid", "2016-04-04")  # S. too
    assert pd.isna(match_rows(table(r), st).loc[0, "customer_id"])


def test_two_candidates_are_never_guessed() -> None:
    st = state(people=[ANNA, {**ANNA, "customer_id": 14, "card_number": "2"}])
    out = match_rows(table(row("7", "Anna", "Smit", "2016-03-07")), st)
    assert out.loc[0, "skip"] == "ambiguous-match"


def test_the_key_owner_is_the_active_enrollment_then_the_newest() -> None:
    here = pd.DataFrame(
        {
            "enrollment_id": [1, 2, 3, 4],
            "student_key": ["123", "123", "55", "55"],
            "status": ["active", "deregistered", "deregistered", "deregistered"],
        }
    )
    assert key_owners(here).set_index("student_key")["enrollment_id"].to_dict() == {
        "123": 1,
        "55": 4,
    }


def checked(frame: pd.DataFrame) -> Validated:
    return Validated(frame, [])


def test_transfers_count_against_the_source_schools_threshold() -> None:
    movers = [
        person(20 + i, f"Kind{i}", "Mover", "2016-01-01", active_enrollment_id=200 + i)
        for i in range(12)
    ]
    movers = [{**m, "active_school_id": OTHER} for m in movers]
    st = state(people=movers, schools=[{"school_id": OTHER, "brin": "99YY", "active": 15}])
    rows = table(*[row(f"7{i}", f"Kind{i}", "Mover", "2016-01-01") for i in range(12)])
    plan = plan_sync(checked(rows), st, SCHOOL, COLUMNS)
    assert plan.held and [(h.brin, h.kind, h.count) for h in plan.holds] == [
        ("99YY", "transfer", 12)
    ]
    assert plan.hold_all  # none of them is this school's own pupil
    assert plan_sync(checked(rows), st, SCHOOL, COLUMNS, confirm_deregistration=True).held is False


def test_a_rejected_row_protects_whoever_it_may_be() -> None:
    st = state(here=[enrolled(100, "4001", "active", ANNA), enrolled(101, "4002", "active", BOB)])
    rows = table(
        row("", "Anna", "Smit", "2016-03-07"),  # no number: name and birth date
        row("4002", "Bob", "Jansen", "2016-05-01"),
        ok=(False, True),
    )
    plan = plan_sync(checked(rows), st, SCHOOL, COLUMNS)
    assert plan.deregister.empty and plan.counts["rejected"] == 1
    undated = table(row("", "Anna", "Smit", None), row("4002", "Bob", "Jansen", "2016-05-01"))
    undated["row_ok"] = [False, True]
    assert plan_sync(checked(undated), st, SCHOOL, COLUMNS).deregister.empty


def test_many_identity_mismatches_reject_the_file() -> None:
    kids = [person(30 + i, f"Kind{i}", "Hier", "2016-01-01") for i in range(5)]
    st = state(here=[enrolled(300 + i, f"40{i}", "active", k) for i, k in enumerate(kids)])
    rows = table(*[row(f"40{i}", f"Ander{i}", "Daar", "2015-06-06") for i in range(5)])
    plan = plan_sync(checked(rows), st, SCHOOL, COLUMNS)
    assert plan.rejected and "wrong-school-file" in [i.code for i in plan.issues]
    assert plan.deregister.empty  # the mismatched rows' numbers protect the school's pupils


def test_duplicate_keys_in_the_database_are_reported() -> None:
    st = state(
        here=[
            enrolled(1, "0123", "active", ANNA),
            {**enrolled(2, "123", "deregistered", BOB)},
        ]
    )
    plan = plan_sync(checked(table(row("0123", "Anna", "Smit", "2016-03-07"))), st, SCHOOL, COLUMNS)
    assert plan.rows.loc[0, "action"] == "unchanged" and plan.rows.loc[0, "enrollment_id"] == 1
    assert "duplicate-student-key" in [i.code for i in plan.issues]
