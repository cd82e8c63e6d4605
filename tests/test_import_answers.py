"""Imports that must give a clear answer instead of a failed run or a silent change (issue 9),
on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sqlalchemy import Engine, select

from leerlingimport.cards import format_card_number
from leerlingimport.db import reading
from leerlingimport.db.tables import Change
from leerlingimport.params import Params
from leerlingimport.synthetic import exports

from .fixtures import PO, WISE_HEADER, csv_bytes, pupils, wise_rows
from .sync_helpers import NEXT_YEAR, customer_of, enrollments, imp, snapshot


def test_a_value_too_long_for_its_column_is_a_row_answer_on_every_database(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    header = [*WISE_HEADER, "EMAIL"]
    rows = [[*r, ""] for r in wise_rows(pupils(4))]
    rows[0][4] = "A" * 22  # initials: 20 at most
    rows[1][-1] = "x" * 190 + "@example.org"  # e-mail: 200 at most
    result = imp(engine, params, tmp_path, csv_bytes(header, rows))
    assert result.status == "applied"
    found = {(i.row, i.code) for i in result.issues if i.code.startswith("field-too-long")}
    assert found == {(2, "field-too-long"), (3, "field-too-long-dropped")}
    assert result.counts["rejected"] == 1 and result.counts["created"] == 3


def test_a_replacement_card_is_an_update_in_the_change_log(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    ps = pupils(4)
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, ps))
    pupil = customer_of(engine, "99ZZ", ps[0].student_number)
    card = format_card_number("2099", 7000)
    rows = [[*r, card if i == 0 else ""] for i, r in enumerate(wise_rows(ps))]
    result = imp(engine, params, tmp_path, csv_bytes([*WISE_HEADER, "LENERNUMMER"], rows))
    assert result.counts["updated"] == 1 and result.counts["unchanged"] == 3
    with reading(engine) as conn:
        logged = conn.execute(
            select(Change.action, Change.field, Change.new_value).where(
                Change.customer_id == pupil, Change.field == "card_number"
            )
        ).all()
    assert logged == [("update", "card_number", card)]


def test_the_same_file_again_says_so(engine: Engine, params: Params, tmp_path: Path) -> None:
    data = exports.parnassys_csv(PO, pupils(4))
    first = imp(engine, params, tmp_path, data)
    assert "same-file-again" not in [i.code for i in first.issues]
    again = imp(engine, params, tmp_path, data)
    note = next(i for i in again.issues if i.code == "same-file-again")
    assert "01-09-2026 10:00" in note.message  # 08:00 UTC, shown in the library's time


def test_last_years_file_sent_again_is_held_whole(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    ps = pupils(12)
    older = exports.parnassys_csv(PO, ps)
    up = [dataclasses.replace(p, year_group=min(p.year_group + 1, 8)) for p in ps[:10]]
    newcomer = dataclasses.replace(ps[10], student_number="9001", first_name="Olaf")
    imp(engine, params, tmp_path, older)
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, [*up, newcomer]), now=NEXT_YEAR)
    before = snapshot(engine)
    result = imp(engine, params, tmp_path, older, now=NEXT_YEAR)
    assert result.status == "held" and "older-file-held" in [i.code for i in result.issues]
    assert snapshot(engine) == before
    assert enrollments(engine, "99ZZ")["9001"] == "active"
    confirmed = imp(engine, params, tmp_path, older, now=NEXT_YEAR, confirm_deregistration=True)
    assert confirmed.status == "applied"
