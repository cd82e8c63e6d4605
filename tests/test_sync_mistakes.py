"""Ordinary mistakes that a fresh-eyed review found against the identity rules (issue 8):
twins, reused numbers without birth dates, the same child twice, a merger, races. On SQLite
and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from leerlingimport.db import reading
from leerlingimport.db.tables import Customer
from leerlingimport.params import Params
from leerlingimport.synthetic import exports

from .fixtures import PO, WISE_HEADER, csv_bytes, pupils, wise_rows
from .sync_helpers import NEXT_YEAR, NOW, customer_of, enrollments, imp, snapshot

YY = dataclasses.replace(PO, brin="99YY")


def first_name_of(engine: Engine, customer: int) -> str:
    with reading(engine) as conn:
        return str(conn.scalar(select(Customer.first_name).where(Customer.id == customer)))


def twins(ps):  # two children, same surname and birth date, different first names
    a = ps[0]
    b = dataclasses.replace(
        ps[1],
        prefix=a.prefix,
        surname=a.surname,
        birth_date=a.birth_date,
        first_name="Quinten" if a.first_name != "Quinten" else "Olaf",
        initials="Q.",
    )
    return a, b


# 1. Twins whose numbers the school swaps (fixing an earlier mix-up): each twin's record,
# card, loans and password go to the other twin.
def test_twins_with_swapped_numbers_keep_their_own_records(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    ps = pupils(12)
    a, b = twins(ps)
    ps = [a, b, *ps[2:]]
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, ps))
    a_id = customer_of(engine, "99ZZ", a.student_number)
    b_id = customer_of(engine, "99ZZ", b.student_number)
    swapped = [
        dataclasses.replace(a, student_number=b.student_number),
        dataclasses.replace(b, student_number=a.student_number),
        *ps[2:],
    ]
    imp(
        engine, params, tmp_path, exports.parnassys_csv(PO, swapped), now=NOW + dt.timedelta(days=7)
    )
    assert first_name_of(engine, a_id) == a.first_name  # fails: a's record now says b's name
    assert first_name_of(engine, b_id) == b.first_name


# 2. Twin b left; the school types b's old number for twin a (a stays). The leaver b's record
# is reactivated and renamed to a; a is deregistered.
def test_a_stayer_twin_typed_with_the_leaver_twins_number(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    ps = pupils(12)
    a, b = twins(ps)
    ps = [a, b, *ps[2:]]
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, ps))
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, [a, *ps[2:]]), now=NEXT_YEAR)
    b_id = customer_of(engine, "99ZZ", b.student_number)
    typo = dataclasses.replace(a, student_number=b.student_number)
    later = NEXT_YEAR + dt.timedelta(days=10)
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, [typo, *ps[2:]]), now=later)
    state = enrollments(engine, "99ZZ")
    seen = (first_name_of(engine, b_id), state[a.student_number], state[b.student_number])
    assert seen == (b.first_name, "active", "deregistered"), seen


# 3. A reused number in a hand-made list without birth dates, with initials only: the first
# initial is enough to hand the old pupil's record to a new child with another surname.
def test_reused_number_undated_initials_only(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    ps = pupils(12)
    old = ps[0]
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, ps))
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, ps[1:]), now=NEXT_YEAR)
    old_id = customer_of(engine, "99ZZ", old.student_number)
    new = dataclasses.replace(
        old, first_name="", initials=old.first_name[0] + ".", prefix="", surname="Zwart"
    )
    header = [h for h in WISE_HEADER if h != "GEBOORTEDATUM"]
    rows = [
        [v for h, v in zip(WISE_HEADER, r, strict=True) if h != "GEBOORTEDATUM"]
        for r in wise_rows([*ps[1:], new])
    ]
    result = imp(
        engine, params, tmp_path, csv_bytes(header, rows), now=NEXT_YEAR + dt.timedelta(days=10)
    )
    codes = [i.code for i in result.issues]
    with reading(engine) as conn:
        surname = conn.scalar(select(Customer.surname).where(Customer.id == old_id))
    assert (surname, "identity-mismatch" in codes) == (old.surname, True), (result.counts, surname)


# 3b. Same, with a full hand-made file whose dates have a two-digit year (a warning: the row
# goes on without a birth date): a younger sibling given the leaver's number takes the record.
def test_reused_number_for_a_sibling_two_digit_years(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    ps = pupils(12)
    old = ps[0]
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, ps))
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, ps[1:]), now=NEXT_YEAR)
    old_id = customer_of(engine, "99ZZ", old.student_number)
    sibling = dataclasses.replace(
        old,
        first_name="Quinten",
        initials="Q.",
        birth_date=old.birth_date + dt.timedelta(days=900),
        year_group=1,
        group_code="1A",
        group_name="Groep 1A",
    )
    rows = exports.wise_rows([*ps[1:], sibling], "%d-%m-%y")
    result = imp(
        engine,
        params,
        tmp_path,
        csv_bytes(WISE_HEADER, rows),
        now=NEXT_YEAR + dt.timedelta(days=10),
    )
    codes = [i.code for i in result.issues]
    got = first_name_of(engine, old_id)
    assert (got, "identity-mismatch" in codes) == (old.first_name, True), (result.counts, got)


# 4. A rejected row (no number, no usable birth date) in an initials-only file: its pupil is
# deregistered.
def test_rejected_row_initials_only_no_birth_date_protects(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    ps = pupils(12)
    header = [h for h in WISE_HEADER if h != "ROEPNAAM"]

    def rows_of(ps):
        return [
            [v for h, v in zip(WISE_HEADER, r, strict=True) if h != "ROEPNAAM"]
            for r in wise_rows(ps)
        ]

    imp(engine, params, tmp_path, csv_bytes(header, rows_of(ps)))
    rows = rows_of(ps)
    rows[0][0] = ""  # number went missing
    rows[0][header.index("GEBOORTEDATUM")] = ""
    result = imp(engine, params, tmp_path, csv_bytes(header, rows), now=NOW + dt.timedelta(days=3))
    assert result.counts["rejected"] == 1
    assert result.counts["deregistered"] == 0  # fails?


# 6. A hand-made list holds the same child twice (copied from last year's list under an old
# number and again under the new one): a second customer is created for the child.
def test_same_child_twice_in_a_file_is_not_created_again(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    ps = pupils(12)
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, ps))
    again = dataclasses.replace(ps[0], student_number="9999")
    result = imp(
        engine,
        params,
        tmp_path,
        exports.parnassys_csv(PO, [*ps, again]),
        now=NOW + dt.timedelta(days=3),
    )
    with reading(engine) as conn:
        same = conn.scalars(
            select(Customer.id).where(
                Customer.first_name == ps[0].first_name,
                Customer.surname == ps[0].surname,
                Customer.birth_date == ps[0].birth_date,
            )
        ).all()
    assert len(same) == 1, (result.counts, same)


# 7. A merged school's file keeps each pupil's original BRIN in a BRIN column: refused with
# the way out in the message; without the column, the confirmed merger applies.
def test_merger_file_with_old_brins_says_how_to_confirm(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    zz, yy = pupils(12), pupils(12, YY, seed=8)
    yy = [dataclasses.replace(p, student_number=f"77{i:04d}") for i, p in enumerate(yy)]
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, zz))
    imp(engine, params, tmp_path, exports.parnassys_csv(YY, yy), brin="99YY")
    header = ["BRIN", *WISE_HEADER]
    rows = [["99ZZ", *r] for r in wise_rows(zz)] + [["99YY", *r] for r in wise_rows(yy)]
    later = NOW + dt.timedelta(days=3)
    result = imp(
        engine, params, tmp_path, csv_bytes(header, rows), confirm_deregistration=True, now=later
    )
    refusal = next(i for i in result.issues if i.code == "wrong-school-brin")
    assert result.status == "rejected" and "fusie" in refusal.message
    merged = csv_bytes(WISE_HEADER, [r[1:] for r in rows])
    result = imp(engine, params, tmp_path, merged, confirm_deregistration=True, now=later)
    assert result.status == "applied" and result.counts["transferred"] == 12


# 8. Dry runs write nothing, also when rows are skipped, reactivated, transferred.
def test_dry_runs_write_nothing(engine: Engine, params: Params, tmp_path: Path) -> None:
    ps = pupils(12)
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, ps))
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, ps[2:]), now=NEXT_YEAR)
    before = snapshot(engine)
    reused = dataclasses.replace(
        ps[1],
        first_name="Olaf",
        surname="Zwart",
        prefix="",
        birth_date=ps[1].birth_date - dt.timedelta(days=300),
    )
    yy_file = exports.parnassys_csv(YY, [ps[3], dataclasses.replace(ps[0], student_number="5")])
    for data, brin in (
        (exports.parnassys_csv(PO, [ps[0], reused, *ps[4:]]), "99ZZ"),
        (yy_file, "99YY"),
    ):
        r = imp(
            engine,
            params,
            tmp_path,
            data,
            brin=brin,
            now=NEXT_YEAR + dt.timedelta(days=5),
            dry_run=True,
        )
        assert r.status in ("planned", "held")
        assert snapshot(engine) == before


# 9. PostgreSQL: a school's file without birth dates takes no person lock, so it races with
# another school's import of the same child: one of the two runs fails.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_undated_reactivation_races_a_link_elsewhere(
    engine: Engine, database_url: str, params: Params, tmp_path: Path
) -> None:
    import json
    import time

    from .sync_helpers import cli_import

    ps = pupils(12)
    p = ps[0]
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, ps))
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, ps[1:]), now=NOW + dt.timedelta(days=1))
    header = [h for h in WISE_HEADER if h != "GEBOORTEDATUM"]
    rows = [
        [v for h, v in zip(WISE_HEADER, r, strict=True) if h != "GEBOORTEDATUM"]
        for r in wise_rows(ps)
    ]
    zz = tmp_path / "zz.csv"
    zz.write_bytes(csv_bytes(header, rows))  # p is back at ZZ, the list has no birth dates
    yy = tmp_path / "yy.csv"
    yy.write_bytes(exports.parnassys_csv(YY, [dataclasses.replace(p, student_number="5501")]))
    slow = cli_import(
        database_url,
        tmp_path,
        zz,
        "99ZZ",
        LEERLINGIMPORT_SLOW_AT="after-enrollments",
        LEERLINGIMPORT_SLOW_SECONDS="3",
    )
    time.sleep(1.5)
    quick = cli_import(database_url, tmp_path, yy, "99YY")
    outputs = [x.communicate(timeout=120) for x in (slow, quick)]
    statuses = [json.loads(out)["status"] for out, _ in outputs]
    assert "failed" not in statuses, (statuses, outputs[1][1][-600:])


@pytest.mark.parametrize("value", ["99zz", " 99ZZ01 ", "", "  ", "99ZZ-01"])
def test_brin_column_variants_of_this_school(
    engine: Engine, params: Params, tmp_path: Path, value: str
) -> None:
    ps = pupils(5)
    header = ["BRIN", *WISE_HEADER]
    rows = [[value, *r] for r in wise_rows(ps)]
    result = imp(engine, params, tmp_path, csv_bytes(header, rows))
    assert result.status == "applied", [i.code for i in result.issues]
