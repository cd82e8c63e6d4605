"""Never give one child's record to another (issue 8): the ordinary mistakes of a school or a
librarian, each on SQLite and PostgreSQL. Each test fails on the engine before identity checks."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from leerlingimport.customers import NewCustomer, add_customer
from leerlingimport.db import reading, writing
from leerlingimport.db.tables import Card, Customer, Enrollment, School, Subscription
from leerlingimport.params import Params
from leerlingimport.synthetic import exports
from leerlingimport.synthetic.people import Pupil

from .conftest import REPO
from .fixtures import PO, WISE_HEADER, csv_bytes, pupils, wise_rows
from .sync_helpers import NEXT_YEAR, NOW, cli_import, customer_of, enrollments, imp, snapshot

YY = dataclasses.replace(PO, brin="99YY")
WW = dataclasses.replace(PO, brin="99WW")


def codes(result: object) -> list[str]:
    return [i.code for i in result.issues]  # type: ignore[attr-defined]


def person(engine: Engine, customer: int) -> tuple[str, str, dt.date | None]:
    with reading(engine) as conn:
        row = conn.execute(
            select(Customer.first_name, Customer.surname, Customer.birth_date).where(
                Customer.id == customer
            )
        ).one()
    return row[0], row[1], row[2]


def stranger(like: Pupil, number: str) -> Pupil:
    """Another child who happens to get ``like``'s number."""
    return dataclasses.replace(
        like,
        student_number=number,
        first_name="Quinten",
        initials="Q.",
        prefix="",
        surname="Zwart",
        birth_date=like.birth_date - dt.timedelta(days=200),
    )


def with_school(params: Params, brin: str, **changes: object) -> Params:
    school = params.schools[brin].model_copy(update=changes)
    return params.model_copy(update={"schools": {**params.schools, brin: school}})


def test_a_reused_student_number_never_hands_over_the_old_pupils_record(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    ps = pupils(12)
    a = ps[0]
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, ps))
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, ps[1:]), now=NEXT_YEAR)
    a_id = customer_of(engine, "99ZZ", a.student_number)
    b = stranger(a, a.student_number)
    result = imp(
        engine,
        params,
        tmp_path,
        exports.parnassys_csv(PO, [*ps[1:], b]),
        now=NEXT_YEAR + dt.timedelta(days=30),
    )
    assert result.status == "applied"
    assert result.counts["rejected"] == 1 and result.counts["new"] == 0
    mismatch = next(i for i in result.issues if i.code == "identity-mismatch")
    assert mismatch.column == "LEERLINGNUMMER" and mismatch.value == a.student_number
    with reading(engine) as conn:
        card = conn.scalar(select(Card.number).where(Card.customer_id == a_id))
    assert card and card in mismatch.message  # pseudonymous: the card, not the name
    assert a.surname not in mismatch.message and a.first_name not in mismatch.message
    assert person(engine, a_id) == (a.first_name, a.surname, a.birth_date)
    assert enrollments(engine, "99ZZ")[a.student_number] == "deregistered"


def test_a_file_imported_as_the_wrong_school_with_the_same_numbers_is_rejected(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    zz, yy = pupils(15), pupils(15, YY, seed=8)  # both numbered 4001, 4002, ... (ParnasSys)
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, zz))
    imp(engine, params, tmp_path, exports.parnassys_csv(YY, yy), brin="99YY")
    before = snapshot(engine)
    result = imp(engine, params, tmp_path, exports.parnassys_csv(PO, zz), brin="99YY")
    assert result.status == "rejected" and result.exit_status == 1
    assert "wrong-school-file" in codes(result)
    assert result.counts["rejected"] == result.counts["rows"] == 15
    assert snapshot(engine) == before


def test_another_schools_file_with_other_numbers_is_held_and_moves_no_one(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    zz = pupils(15)
    yy = [
        dataclasses.replace(p, student_number=f"77{i:04d}")
        for i, p in enumerate(pupils(15, YY, seed=8))
    ]
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, zz))
    imp(engine, params, tmp_path, exports.parnassys_csv(YY, yy), brin="99YY")
    before = snapshot(engine)
    held = imp(engine, params, tmp_path, exports.parnassys_csv(PO, zz), brin="99YY")
    assert held.status == "held" and held.exit_status == 1
    assert "transfers-held" in codes(held)
    assert held.counts["transferred"] == 15  # held back, as deregistered is
    assert snapshot(engine) == before  # the real school keeps every pupil, card, subscription
    dry = imp(engine, params, tmp_path, exports.parnassys_csv(PO, zz), brin="99YY", dry_run=True)
    assert dry.status == "held"
    # A merger is legitimate: confirmed, the pupils move.
    merged = imp(
        engine,
        params,
        tmp_path,
        exports.parnassys_csv(PO, zz),
        brin="99YY",
        confirm_deregistration=True,
    )
    assert merged.status == "applied" and merged.counts["transferred"] == 15
    assert set(enrollments(engine, "99ZZ").values()) == {"deregistered"}


def test_pupil_numbers_in_the_card_column_never_match_another_schools_pupils(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    header = ["LENERNUMMER", *WISE_HEADER]
    zz, yy = pupils(12), pupils(12, YY, seed=8)  # both numbered 4001, 4002, ...
    for spec, ps in (("99ZZ", zz), ("99YY", yy)):
        rows = [[p.student_number, *r] for p, r in zip(ps, wise_rows(ps), strict=True)]
        result = imp(engine, params, tmp_path, csv_bytes(header, rows), brin=spec)
        assert result.status == "applied" and result.counts["transferred"] == 0
        assert result.counts["created"] == 12
    assert set(enrollments(engine, "99ZZ").values()) == {"active"}
    with reading(engine) as conn:
        numbers = set(conn.scalars(select(Card.number)))
    assert not numbers & {p.student_number for p in zz + yy}


def test_a_schools_access_pass_is_not_a_library_card(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    ps = pupils(6)
    header = ["Toegangspasnummer", *WISE_HEADER]
    rows = [[f"9{i:09d}", *r] for i, r in enumerate(wise_rows(ps))]
    result = imp(engine, params, tmp_path, csv_bytes(header, rows))
    assert result.status == "applied" and result.counts["created"] == 6
    with reading(engine) as conn:
        numbers = set(conn.scalars(select(Card.number)))
    assert not any(n.startswith("9") for n in numbers)


def test_duplicate_student_keys_pick_one_owner_and_wake_no_one(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    ps = pupils(12)
    gone = dataclasses.replace(ps[0], student_number="123")
    now = dataclasses.replace(stranger(ps[1], "0123"), first_name="Vera", initials="V.")
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, [gone, *ps[2:]]))
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, [now, *ps[2:]]), now=NEXT_YEAR)
    stripping = with_school(
        params,
        "99ZZ",
        student_number=params.schools["99ZZ"].student_number.model_copy(
            update={"strip_leading_zeros": True}
        ),
    )
    later = NEXT_YEAR + dt.timedelta(days=20)
    result = imp(engine, stripping, tmp_path, exports.parnassys_csv(PO, [now, *ps[2:]]), now=later)
    assert result.status == "applied"
    assert result.counts["unchanged"] == 11 and result.counts["reactivated"] == 0
    assert "duplicate-student-key" in codes(result)
    state = enrollments(engine, "99ZZ")
    assert state["123"] == "deregistered" and state["0123"] == "active"
    with reading(engine) as conn:
        active = conn.scalars(
            select(Enrollment.customer_id).where(Enrollment.status == "active")
        ).all()
    assert len(active) == len(set(active)) == 11


def _school_library_ends(engine: Engine, customer: int, brin: str) -> list[object]:
    with reading(engine) as conn:
        return list(
            conn.scalars(
                select(Subscription.ends_on)
                .join(School, School.id == Subscription.school_id)
                .where(
                    Subscription.customer_id == customer,
                    Subscription.kind == "school_library",
                    Subscription.status == "active",
                    School.brin == brin,
                )
            )
        )


def test_a_returning_pupil_gets_the_school_library_back_without_an_end(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    ps = pupils(12, YY, seed=3)  # 99YY ends leavers' subscriptions on 31 July
    mover = ps[0]
    imp(engine, params, tmp_path, exports.parnassys_csv(YY, ps), brin="99YY")
    january = dt.datetime(2027, 1, 10, 9, tzinfo=dt.UTC)
    imp(engine, params, tmp_path, exports.parnassys_csv(YY, ps[1:]), brin="99YY", now=january)
    pupil = customer_of(engine, "99YY", mover.student_number)
    assert _school_library_ends(engine, pupil, "99YY") == [dt.date(2027, 7, 31)]
    back = imp(
        engine,
        params,
        tmp_path,
        exports.parnassys_csv(YY, ps),
        brin="99YY",
        now=january + dt.timedelta(days=7),
    )
    assert back.counts["reactivated"] == 1
    assert _school_library_ends(engine, pupil, "99YY") == [None]
    # Gone again, to 99ZZ for a while, then transferred back in: no pending end either.
    imp(engine, params, tmp_path, exports.parnassys_csv(YY, ps[1:]), brin="99YY", now=january)
    away = dataclasses.replace(mover, student_number="888001")
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, [away]), now=january)
    returned = imp(
        engine,
        params,
        tmp_path,
        exports.parnassys_csv(YY, ps),
        brin="99YY",
        now=january + dt.timedelta(days=14),
    )
    assert returned.counts["reactivated"] == 1
    assert _school_library_ends(engine, pupil, "99YY") == [None]
    assert enrollments(engine, "99ZZ")["888001"] == "deregistered"


def test_end_of_school_year_means_the_last_school_year_the_pupil_was_in_a_file(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    ps = pupils(12, YY, seed=3)
    imp(engine, params, tmp_path, exports.parnassys_csv(YY, ps), brin="99YY")
    # Seen again in a January correction: the stamp is the school year, whichever run saw it.
    january = dt.datetime(2027, 1, 10, 9, tzinfo=dt.UTC)
    imp(engine, params, tmp_path, exports.parnassys_csv(YY, ps), brin="99YY", now=january)
    september = imp(
        engine, params, tmp_path, exports.parnassys_csv(YY, ps[1:]), brin="99YY", now=NEXT_YEAR
    )
    assert september.counts["deregistered"] == 1
    leaver = customer_of(engine, "99YY", ps[0].student_number)
    with reading(engine) as conn:
        ended = conn.execute(
            select(Subscription.status, Subscription.ends_on).where(
                Subscription.customer_id == leaver, Subscription.kind == "school_library"
            )
        ).all()
    assert ended == [("ended", dt.date(2027, 7, 31))]  # July's leaver ends at once


def test_a_rejected_rows_pupil_is_never_deregistered_whatever_key_it_kept(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    ps = pupils(12)
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, ps))
    rows = wise_rows(ps)
    rows[0][0] = ""  # the number went missing, name and birth date are there
    rows[1][0] = "9" * 25  # a number too long to be stored
    rows[2][0], rows[2][8] = "", ""  # no number and no birth date: name and first name
    result = imp(engine, params, tmp_path, csv_bytes(WISE_HEADER, rows))
    assert result.status == "applied"
    assert result.counts["rejected"] == 3 and result.counts["deregistered"] == 0
    assert set(enrollments(engine, "99ZZ").values()) == {"active"}


def test_a_member_in_capitals_is_the_same_person(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    p = dataclasses.replace(pupils(1)[0], prefix="de", surname="Vries", first_name="Zoë")
    with writing(engine) as conn:
        member = add_customer(
            conn,
            NewCustomer(
                surname="VRIES",
                prefix="De",
                first_name="ZOE",
                birth_date=p.birth_date,
                role="adult",
            ),
            "2099",
            NOW,
            dt.timedelta(hours=72),
        )
    result = imp(engine, params, tmp_path, exports.parnassys_csv(PO, [p]))
    assert result.counts["created"] == 0 and result.counts["new"] == 1
    assert customer_of(engine, "99ZZ", p.student_number) == member.customer_id


def test_dates_are_the_librarys_local_dates(engine: Engine, params: Params, tmp_path: Path) -> None:
    ps = pupils(3)
    late = dt.datetime(2026, 8, 31, 23, 30, tzinfo=dt.UTC)  # 01:30 on 1 September in Amsterdam
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, ps), now=late)
    new_year = dt.datetime(2027, 7, 31, 22, 30, tzinfo=dt.UTC)  # 00:30 on 1 August
    imp(engine, params, tmp_path, exports.parnassys_csv(YY, ps), brin="99YY", now=new_year)
    with reading(engine) as conn:
        stored = conn.execute(
            select(School.brin, Enrollment.started_on, Enrollment.last_seen_school_year).join(
                School, School.id == Enrollment.school_id
            )
        ).all()
    assert set(stored) == {
        ("99ZZ", dt.date(2026, 9, 1), 2026),
        ("99YY", dt.date(2027, 8, 1), 2027),
    }


def test_two_schools_importing_the_same_children_at_once(
    engine: Engine, database_url: str, params: Params, tmp_path: Path
) -> None:
    zz = pupils(12)
    mover = next(p for p in zz if p.year_group >= 6)  # old enough for 99WW (vo) as well
    newcomer = dataclasses.replace(stranger(mover, "0"), first_name="Olaf", initials="O.")
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, zz))
    files = {}
    for brin, number in (("99YY", "5501"), ("99WW", "6601")):
        movers = [
            dataclasses.replace(mover, student_number=number),
            dataclasses.replace(newcomer, student_number=str(int(number) + 1)),
        ]
        files[brin] = tmp_path / f"{brin}.csv"
        files[brin].write_bytes(exports.parnassys_csv(YY, movers))
    slow = cli_import(
        database_url,
        tmp_path,
        files["99YY"],
        "99YY",
        LEERLINGIMPORT_SLOW_AT="after-enrollments",
        LEERLINGIMPORT_SLOW_SECONDS="3",
    )
    import time

    time.sleep(1.5)  # the first is inside its transaction, holding the mover
    quick = cli_import(database_url, tmp_path, files["99WW"], "99WW")
    outputs = [p.communicate(timeout=120) for p in (slow, quick)]
    assert [p.returncode for p in (slow, quick)] == [0, 0], outputs
    results = [json.loads(out) for out, _ in outputs]
    assert [r["status"] for r in results] == ["applied", "applied"]
    mover_id = customer_of(engine, "99ZZ", mover.student_number)
    with reading(engine) as conn:
        olafs = conn.scalars(
            select(Customer.id).where(Customer.first_name == "Olaf", Customer.surname == "Zwart")
        ).all()
        active = conn.execute(
            select(Enrollment.customer_id, School.brin)
            .join(School, School.id == Enrollment.school_id)
            .where(Enrollment.status == "active", Enrollment.customer_id.in_([mover_id, *olafs]))
        ).all()
    assert len(olafs) == 1  # the new child was created once, not by both schools
    assert sorted(active) == sorted([(mover_id, "99WW"), (olafs[0], "99WW")])


SAMPLES = {
    "99ZZ": "99ZZ_parnassys_2026-2027.csv",
    "99YY": "99YY_handmade_2026-2027.csv",
    "99XX": "99XX_magister_2026-2027.xlsx",
    "99WW": "99WW_somtoday_2026-2027.csv",
}


def test_no_sample_schools_file_changes_another_school(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    files = {brin: (REPO / "data" / "samples" / name) for brin, name in SAMPLES.items()}
    for brin, path in files.items():
        done = run_file(engine, params, tmp_path, path, brin)
        assert done.status == "applied", (brin, done.issues)
    before = snapshot(engine)
    for source, path in files.items():
        for target in files:
            if target == source:
                continue
            result = run_file(engine, params, tmp_path, path, target)
            assert result.status in ("rejected", "held"), (source, target, result.counts)
            assert snapshot(engine) == before, (source, target)


def run_file(engine: Engine, params: Params, data_dir: Path, path: Path, brin: str) -> object:
    from leerlingimport.pipeline import run_import

    return run_import(
        engine, path.read_bytes(), path.name, params, brin, data_dir=data_dir, now=NOW
    )


def test_a_file_that_names_another_school_is_rejected(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    ps = pupils(5)
    edex = exports.edexml(PO, ps)  # <brincode>99ZZ</brincode>
    assert run_file_bytes(engine, params, tmp_path, edex, "99ZZ").status == "applied"
    before = snapshot(engine)
    wrong = run_file_bytes(engine, params, tmp_path, edex, "99YY")
    assert wrong.status == "rejected" and "wrong-school-brin" in codes(wrong)
    header = ["BRIN", *WISE_HEADER]
    rows = [["99ZZ01", *r] for r in wise_rows(ps)]
    as_yy = imp(engine, params, tmp_path, csv_bytes(header, rows), brin="99YY")
    assert as_yy.status == "rejected" and "wrong-school-brin" in codes(as_yy)
    assert snapshot(engine) == before
    same = imp(engine, params, tmp_path, csv_bytes(header, rows))
    assert same.status == "applied" and same.counts["new"] == 0


def run_file_bytes(engine: Engine, params: Params, data_dir: Path, data: bytes, brin: str) -> Any:
    from leerlingimport.pipeline import run_import

    return run_import(engine, data, "leerlingen.xml", params, brin, data_dir=data_dir, now=NOW)
