"""Import scenarios with files from the generator, on SQLite and PostgreSQL (DESIGN §5.3-§5.4)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from sqlalchemy import Engine, select

from leerlingimport.cards import format_card_number
from leerlingimport.credentials import authenticate
from leerlingimport.customers import NewCustomer, add_customer
from leerlingimport.db import reading, writing
from leerlingimport.db.tables import Change, Credential, Customer, Enrollment, Group, ImportRun
from leerlingimport.params import Params
from leerlingimport.printable import read_school_list
from leerlingimport.synthetic import demo_library, exports

from .fixtures import PO, WISE_HEADER, csv_bytes, pupils, wise_rows
from .sync_helpers import (
    NEXT_YEAR,
    NOW,
    cards_of,
    count,
    customer_of,
    enrollments,
    imp,
    snapshot,
    subscriptions_of,
)

YY = dataclasses.replace(PO, brin="99YY")


def test_first_import_creates_members_cards_and_passwords(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    ps = pupils(12)
    result = imp(engine, params, tmp_path, exports.parnassys_csv(PO, ps))
    assert result.status == "applied" and result.exit_status == 0
    assert result.counts == {
        "rows": 12,
        "rejected": 0,
        "new": 12,
        "created": 12,
        "transferred": 0,
        "reactivated": 0,
        "updated": 0,
        "unchanged": 0,
        "deregistered": 0,
    }
    assert set(enrollments(engine, "99ZZ").values()) == {"active"}
    customer = customer_of(engine, "99ZZ", ps[0].student_number)
    assert cards_of(engine, customer) == [("library", "active", True)]  # 99ZZ: library members
    assert subscriptions_of(engine, customer) == [
        ("library", "active"),
        ("school_library", "active"),
    ]
    with reading(engine) as conn:
        groups = set(conn.execute(select(Group.code, Group.name)).all())
        assert {(p.group_code, p.group_name) for p in ps} == groups
        assert len(conn.execute(select(Change.id).where(Change.action == "create")).all()) == 12
        stored = conn.scalars(select(Credential.password_hash)).all()
    # The printable export holds the only plain one-time passwords, and they work once.
    printed = read_school_list(Path(result.archive) / "nieuwe_leerlingen.xlsx")
    assert len(printed) == 12 and all(h.startswith("hmac-sha256$") for h in stored)
    first = printed.iloc[0]
    assert not any(first["Eenmalig wachtwoord"] in h for h in stored)
    with writing(engine) as conn:
        login = authenticate(conn, first["Pasnummer"], first["Eenmalig wachtwoord"], NOW)
    assert login.ok and login.must_change


def test_next_school_year(engine: Engine, params: Params, tmp_path: Path) -> None:
    years = demo_library(seed=5, pupils=40)["99ZZ"]
    imp(engine, params, tmp_path, exports.parnassys_csv(years.spec, years.first))
    result = imp(
        engine, params, tmp_path, exports.parnassys_csv(years.next_spec, years.next), now=NEXT_YEAR
    )
    before = {p.student_number for p in years.first}
    after = {p.student_number for p in years.next}
    c = result.counts
    assert result.status == "applied"
    assert c["deregistered"] == len(before - after) > 0
    assert c["new"] == len(after - before) > 0
    assert c["updated"] == len(after & before)  # everyone moved up a year
    state = enrollments(engine, "99ZZ")
    assert all(state[n] == "deregistered" for n in before - after)
    assert all(state[n] == "active" for n in after)
    with reading(engine) as conn:
        years_now = dict(
            conn.execute(select(Enrollment.student_number, Enrollment.year_group)).all()
        )
        logged = conn.execute(
            select(Change.action, Change.field, Change.old_value, Change.new_value).where(
                Change.action.in_(["update", "deregister"])
            )
        ).all()
    assert all(years_now[p.student_number] == p.year_group for p in years.next)
    stayer = next(p for p in years.next if p.student_number in before)
    assert ("update", "year_group", str(stayer.year_group - 1), str(stayer.year_group)) in logged
    assert sum(1 for action, *_ in logged if action == "deregister") == c["deregistered"]
    leaver = customer_of(engine, "99ZZ", sorted(before - after)[0])
    assert subscriptions_of(engine, leaver) == [("library", "active"), ("school_library", "ended")]


def test_the_same_file_twice_changes_nothing_the_second_time(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    data = exports.parnassys_csv(PO, pupils(15))
    imp(engine, params, tmp_path, data)
    before = snapshot(engine)
    again = imp(engine, params, tmp_path, data)
    assert again.counts["unchanged"] == 15 and again.counts["new"] == again.counts["updated"] == 0
    assert snapshot(engine) == before


def test_transfer_between_schools_in_either_order(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    ps = pupils(12)
    mover = ps[3]
    at_yy = dataclasses.replace(mover, student_number="777001")
    for order in ("new school first", "old school first"):
        imp(engine, params, tmp_path, exports.parnassys_csv(PO, ps))
        imp(engine, params, tmp_path, exports.parnassys_csv(YY, pupils(4, YY, seed=9)), brin="99YY")
        zz_without = exports.parnassys_csv(PO, [p for p in ps if p is not mover])
        yy_with = exports.parnassys_csv(YY, [*pupils(4, YY, seed=9), at_yy])
        steps = [("99YY", yy_with), ("99ZZ", zz_without)]
        if order == "old school first":
            steps.reverse()
        results = [
            imp(engine, params, tmp_path, data, brin=brin, now=NEXT_YEAR) for brin, data in steps
        ]
        yy_result = results[0] if steps[0][0] == "99YY" else results[1]
        zz_result = results[1] if steps[0][0] == "99YY" else results[0]
        expected_transfer = 1 if order == "new school first" else 0
        assert yy_result.counts["transferred"] == expected_transfer
        assert yy_result.counts["new"] == 1
        assert zz_result.counts["deregistered"] == 1 - expected_transfer
        customer = customer_of(engine, "99ZZ", mover.student_number)
        assert customer == customer_of(engine, "99YY", "777001")  # one person, not two
        assert enrollments(engine, "99ZZ")[mover.student_number] == "deregistered"
        assert enrollments(engine, "99YY")["777001"] == "active"
        subs = subscriptions_of(engine, customer)
        assert ("school_library", "ended") in subs and ("school_library", "active") in subs
        engine.dispose()
        _empty(engine)


def _empty(engine: Engine) -> None:
    """Reset the pupil data between the two orders of one test."""
    from leerlingimport.db.tables import Base

    with writing(engine) as conn:
        for name in (
            "changes",
            "credentials",
            "subscriptions",
            "loans",
            "cards",
            "enrollments",
            "groups",
            "import_runs",
            "customers",
        ):
            conn.execute(Base.metadata.tables[name].delete())


def test_forgotten_pupil_is_reactivated_with_the_same_enrollment(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    ps = pupils(12, YY)
    imp(engine, params, tmp_path, exports.parnassys_csv(YY, ps), brin="99YY")
    forgotten = ps[5]
    customer = customer_of(engine, "99YY", forgotten.student_number)
    assert cards_of(engine, customer) == [("school", "active", True)]  # 99YY: no library member
    imp(
        engine,
        params,
        tmp_path,
        exports.parnassys_csv(YY, [p for p in ps if p is not forgotten]),
        brin="99YY",
    )
    assert cards_of(engine, customer) == [("school", "blocked", True)]
    back = imp(engine, params, tmp_path, exports.parnassys_csv(YY, ps), brin="99YY")
    assert back.counts["reactivated"] == 1 and back.counts["unchanged"] == 11
    assert customer_of(engine, "99YY", forgotten.student_number) == customer
    assert enrollments(engine, "99YY")[forgotten.student_number] == "active"
    assert cards_of(engine, customer) == [("school", "active", True)]
    assert count(engine, Enrollment) == 12


def test_twins_are_never_merged(engine: Engine, params: Params, tmp_path: Path) -> None:
    ps = pupils(6)
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, ps))
    sibling = customer_of(engine, "99ZZ", ps[0].student_number)
    # The twin of ps[0] arrives at another school: same surname, prefix, birth date and
    # initials, another first name. A new customer, not a link to (or transfer of) the sibling.
    twin = dataclasses.replace(ps[0], student_number="009999", first_name="Mees")
    others = pupils(4, YY, seed=9)
    arrived = imp(engine, params, tmp_path, exports.parnassys_csv(YY, [*others, twin]), brin="99YY")
    assert arrived.counts["created"] == len(others) + 1 and arrived.counts["transferred"] == 0
    assert customer_of(engine, "99YY", twin.student_number) != sibling
    assert enrollments(engine, "99ZZ")[ps[0].student_number] == "active"
    # A row with only the shared initials could be either twin: skipped, never guessed.
    unsure = wise_rows([dataclasses.replace(ps[0], student_number="008888")])[0]
    unsure[5] = ""  # no first name
    rows = [*wise_rows(others), unsure]  # the twin's own row is absent: both twins are candidates
    again = imp(engine, params, tmp_path, csv_bytes(WISE_HEADER, rows), brin="99YY")
    assert [(i.row, i.code) for i in again.issues if i.code == "ambiguous-match"] == [
        (6, "ambiguous-match")
    ]
    assert again.counts["rejected"] == 1 and again.counts["created"] == 0
    assert count(engine, Customer) == len(ps) + len(others) + 1


def test_partial_file_is_held_then_confirmed(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    ps = pupils(40)
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, ps))
    partial = exports.parnassys_csv(PO, ps[:20])
    held = imp(engine, params, tmp_path, partial)
    assert held.status == "held" and held.exit_status == 1
    assert held.counts["deregistered"] == 20
    assert "deregistration-held" in [i.code for i in held.issues]
    assert set(enrollments(engine, "99ZZ").values()) == {"active"}  # nobody deregistered
    dry = imp(engine, params, tmp_path, partial, dry_run=True)
    assert dry.status == "held"
    confirmed = imp(engine, params, tmp_path, partial, confirm_deregistration=True)
    assert confirmed.status == "applied" and confirmed.counts["deregistered"] == 20
    assert list(enrollments(engine, "99ZZ").values()).count("deregistered") == 20


def test_empty_or_rejected_file_deregisters_nobody(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, pupils(12)))
    before = snapshot(engine)
    for data in (
        csv_bytes(WISE_HEADER, []),
        b"",
        csv_bytes(
            ["LEERLINGNUMMER", "NAAM", "ROEPNAAM", "GROEP", "BSN"],
            [["1", "A", "B", "5", "999999990"]],
        ),
    ):
        result = imp(engine, params, tmp_path, data)
        assert result.status == "rejected" and result.exit_status == 1
        assert result.counts["deregistered"] == 0
        assert snapshot(engine) == before
    with reading(engine) as conn:
        statuses = conn.scalars(select(ImportRun.status)).all()
    assert statuses.count("rejected") == 3


def test_rejected_rows_pupils_are_not_deregistered(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    ps = pupils(12)
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, ps))
    rows = wise_rows(ps)
    rows[4][7] = ""  # no surname: this row is rejected
    result = imp(engine, params, tmp_path, csv_bytes(WISE_HEADER, rows))
    assert result.counts["rejected"] == 1 and result.counts["deregistered"] == 0
    assert enrollments(engine, "99ZZ")[ps[4].student_number] == "active"


def test_library_member_is_linked_and_keeps_password_and_address(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    child = pupils(1, seed=3)[0]
    with writing(engine) as conn:
        member = add_customer(
            conn,
            NewCustomer(
                surname=child.surname,
                prefix=child.prefix or None,
                first_name=child.first_name,
                birth_date=child.birth_date,
                role="pupil",
                street="Eigen Straat",
                house_number="1",
                postcode="9999 ZZ",
                city="Thuis",
            ),
            "2099",
            NOW,
            dt.timedelta(days=1),
        )
    with reading(engine) as conn:
        password_before = conn.scalar(select(Credential.password_hash))
    header = [*WISE_HEADER, "ADRES", "HUISNUMMER", "POSTCODE", "WOONPLAATS"]
    row = [*wise_rows([child])[0], "Schoolstraat", "5", "1234 AB", "Voorbeelddorp"]
    result = imp(engine, params, tmp_path, csv_bytes(header, [row]))
    assert result.counts["new"] == 1 and result.counts["created"] == 0
    assert "matched-by-personal-data" in [i.code for i in result.issues]
    assert count(engine, Customer) == 1
    with reading(engine) as conn:
        street, city = conn.execute(select(Customer.street, Customer.city)).one()
        assert conn.scalar(select(Credential.password_hash)) == password_before
    assert (street, city) == ("Eigen Straat", "Thuis")
    assert cards_of(engine, member.customer_id) == [("library", "active", True)]  # no second card


def test_dry_run_writes_only_its_run_record(engine: Engine, params: Params, tmp_path: Path) -> None:
    before = snapshot(engine)
    result = imp(engine, params, tmp_path, exports.parnassys_csv(PO, pupils(10)), dry_run=True)
    assert result.status == "planned" and result.counts["created"] == 10
    assert snapshot(engine) == before
    with reading(engine) as conn:
        assert conn.execute(select(ImportRun.status, ImportRun.dry_run)).all() == [
            ("planned", True)
        ]


def test_replacement_main_card_and_a_card_that_belongs_to_someone_else(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    ps = pupils(6)
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, ps))
    first, second = (customer_of(engine, "99ZZ", p.student_number) for p in ps[:2])
    with reading(engine) as conn:
        from leerlingimport.db.tables import Card

        taken = conn.scalar(select(Card.number).where(Card.customer_id == second))
    header = [*WISE_HEADER, "LENERNUMMER"]
    rows = [[*r, ""] for r in wise_rows(ps)]
    # A pre-printed card of the library that the school hands out: the new main card.
    rows[0][-1] = format_card_number("2099", 5000)
    rows[2][-1] = str(taken)  # someone else's card
    result = imp(engine, params, tmp_path, csv_bytes(header, rows))
    assert [(i.row, i.code) for i in result.issues if i.severity == "error"] == [
        (4, "card-number-taken")
    ]
    assert cards_of(engine, first) == [("library", "replaced", True), ("library", "active", True)]
    assert result.counts["deregistered"] == 0  # the rejected row's pupil stays


def test_subscription_end_per_deregistration_mode() -> None:
    from leerlingimport.params import DeregistrationRules
    from leerlingimport.sync.apply import subscription_end

    autumn, spring = dt.date(2026, 10, 5), dt.date(2027, 3, 1)
    school_year = DeregistrationRules(mode="end_of_school_year")
    assert subscription_end(DeregistrationRules(mode="immediate"), autumn, 2026) == autumn
    assert subscription_end(school_year, autumn, 2026) == dt.date(2027, 7, 31)
    assert subscription_end(school_year, spring, 2026) == dt.date(2027, 7, 31)
    # Last in a file in 2026/27, gone in September 2027: it ended on 31 July, at once.
    assert subscription_end(school_year, dt.date(2027, 9, 1), 2026) == dt.date(2027, 7, 31)
    assert subscription_end(school_year, spring, None) == dt.date(2027, 7, 31)
    grace = DeregistrationRules(mode="grace", grace_days=30)
    assert subscription_end(grace, autumn, 2026) == dt.date(2026, 11, 4)
