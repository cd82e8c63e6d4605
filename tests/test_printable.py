"""The school's printable list: sheets, headings, values, print settings, and never a formula;
transferred pupils are on the new school's list (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import zipfile
from pathlib import Path

import pandas as pd
from defusedxml import ElementTree
from openpyxl import load_workbook
from sqlalchemy import Engine, select

from leerlingimport.credentials import authenticate
from leerlingimport.db import reading, writing
from leerlingimport.db.tables import Credential
from leerlingimport.params import Params
from leerlingimport.printable import (
    HEADER_ROW,
    ListHeading,
    headers,
    letter_path,
    read_school_list,
    write_school_list,
)
from leerlingimport.reports import run_report
from leerlingimport.synthetic import exports

from .fixtures import PO, pupils
from .sync_helpers import NEXT_YEAR, NOW, customer_of, imp

HOSTILE = ['=HYPERLINK("x")', "+31 6 1234", "-2+3", "@SUM(A1)", "\x07=1+1", "\tTab"]
HEADING = ListHeading("OBS Test", "99ZZ", 2026, dt.datetime(2026, 10, 31, 10, 0))
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def _listed() -> pd.DataFrame:
    ps = pupils(8)
    return pd.DataFrame(
        {
            "customer_id": range(1, 9),
            "group_code": ["G5A"] * 4 + ["G6B"] * 4,
            "group_name": ["Groep 5a"] * 4 + [None] * 4,
            "first_name": [p.first_name for p in ps[:2]] + HOSTILE,
            "prefix": [p.prefix or None for p in ps],
            "surname": [p.surname for p in ps],
            "card_number": [f"2099{i:010d}" for i in range(8)],
            "one_time_password": [f"otp{i}abcdefgh" for i in range(8)],
        }
    )


def test_xlsx_has_a_sheet_per_group_laid_out_to_print_and_no_formula(tmp_path: Path) -> None:
    listed = _listed()
    path = tmp_path / "lijst.xlsx"
    ods = write_school_list(listed, path, HEADING)[1]
    book = load_workbook(path)
    assert book.sheetnames == ["Groep 5a", "G6B"]
    for sheet in book.worksheets:
        assert sheet.print_title_rows == f"$1:${HEADER_ROW}"
        # one page wide (an absent fitToWidth is 1 in OOXML), as many pages down as needed
        assert (sheet.page_setup.fitToWidth or 1) == 1 and sheet.page_setup.fitToHeight == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.page_setup.paperSize == 9 and sheet.page_setup.orientation == "portrait"
        assert sheet["A1"].value == "OBS Test (99ZZ), schooljaar 2026/2027"
        assert (
            "31-10-2026 10:00" in sheet["A2"].value and sheet.title.split()[-1] in sheet["A2"].value
        )
        assert [c.value for c in sheet[HEADER_ROW]] == headers("nl")
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type in ("s", "n") and cell.data_type != "f"
                if cell.value is not None:
                    assert isinstance(cell.value, str)
    cells = {c.value: c for s in book.worksheets for row in s.iter_rows() for c in row}
    assert cells['=HYPERLINK("x")'].quotePrefix and cells["@SUM(A1)"].quotePrefix
    assert cells["=1+1"].quotePrefix  # the control character is gone, the formula stays text
    printed = read_school_list(path)
    names = [*listed["first_name"][:2], *_clean(HOSTILE)]
    # text as written (card numbers keep every digit), the hostile names verbatim, not run
    assert dict(zip(printed["Pasnummer"], printed["Roepnaam"], strict=True)) == dict(
        zip(listed["card_number"], names, strict=True)
    )
    assert read_school_list(ods).drop(columns="sheet").equals(printed.drop(columns="sheet"))


def test_xlsx_keeps_text_as_written_and_an_empty_list_has_its_headings(tmp_path: Path) -> None:
    listed = _listed()
    listed.loc[0, "surname"] = "_x0041_ & <b>"  # Excel's own escape for "A", and markup
    listed.loc[1, "surname"] = "x" * 40_000  # more than a cell holds: cut, not refused
    printed = read_school_list(write_school_list(listed, tmp_path / "lijst.xlsx", HEADING)[0])
    assert "_x0041_ & <b>" in set(printed["Achternaam"])
    assert printed["Achternaam"].str.len().max() == 32_767
    empty = write_school_list(listed.iloc[:0], tmp_path / "leeg.xlsx", HEADING)[0]
    assert list(read_school_list(empty).columns) == [*headers("nl"), "sheet"]


def _clean(values: list[str]) -> list[str]:
    return [v.replace("\x07", "").replace("\t", "") for v in values]


def test_ods_is_strings_only_with_repeated_headings_and_fit_to_width(tmp_path: Path) -> None:
    ods = write_school_list(_listed(), tmp_path / "lijst.xlsx", HEADING)[1]
    with zipfile.ZipFile(ods) as archive:
        content = ElementTree.fromstring(archive.read("content.xml"))
        styles = archive.read("styles.xml").decode()
    tables = content.iter(f"{TABLE}table")
    names = []
    for table in tables:
        names.append(table.get(f"{TABLE}name"))
        head = table.find(f"{TABLE}table-header-rows")
        assert head is not None and len(head.findall(f"{TABLE}table-row")) == HEADER_ROW
        for cell in table.iter(f"{TABLE}table-cell"):
            assert cell.get(f"{TABLE}formula") is None
            assert cell.get(f"{OFFICE}value-type") == "string"
    assert names == ["Groep 5a", "G6B"]
    assert 'scale-to-X="1"' in styles and 'print-orientation="portrait"' in styles


def test_letter_names_the_school_groups_and_validity() -> None:
    from leerlingimport.printable import school_letter

    text = school_letter(_listed(), HEADING)
    assert "OBS Test (99ZZ)" in text and "2026/2027" in text and "31-10-2026" in text
    assert "Groep 5a: 4" in text and "G6B: 4" in text
    assert "otp0" not in text  # no password in the letter
    assert "one-time password" in school_letter(
        _listed(), dataclasses.replace(HEADING, language="en")
    )


def test_a_transferred_pupil_is_on_the_new_schools_list(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    from .test_sync_scenarios import YY

    ps = pupils(12)
    mover = ps[3]
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, ps))
    customer = customer_of(engine, "99ZZ", mover.student_number)
    at_yy = dataclasses.replace(mover, student_number="777001")
    others = pupils(4, YY, seed=9)
    data = exports.parnassys_csv(YY, [*others, at_yy])
    trial = imp(engine, params, tmp_path, data, "99YY", NEXT_YEAR, dry_run=True)
    moved = imp(engine, params, tmp_path, data, "99YY", NEXT_YEAR)
    for run_id in (trial.run_id, moved.run_id):  # the change list says where they came from
        changes = run_report(engine, run_id, tmp_path).changes
        came = changes[changes["kind"] == "transferred"]
        assert list(came["from_school"]) == ["99ZZ"] and list(came["customer_id"]) == [customer]
    assert moved.counts["transferred"] == 1 and moved.passwords_file
    listed = read_school_list(moved.passwords_file)
    assert len(listed) == len(others) + 1
    row = listed[listed["Achternaam"] == mover.surname].iloc[0]
    assert customer_of(engine, "99YY", "777001") == customer
    with writing(engine) as conn:
        assert authenticate(conn, row["Pasnummer"], row["Eenmalig wachtwoord"], NEXT_YEAR).ok
        stored = conn.scalar(select(Credential.otp_list).where(Credential.customer_id == customer))
    assert stored == f"{moved.run_id}/nieuwe_leerlingen.xlsx"
    assert Path(moved.passwords_file).with_suffix(".ods").exists()
    letter = letter_path(Path(moved.passwords_file)).read_text(encoding="utf-8")
    assert "2027/2028" in letter
    mode = Path(moved.passwords_file).stat().st_mode & 0o777
    assert (
        mode == 0o600
        and (Path(moved.passwords_file).with_suffix(".ods").stat().st_mode & 0o777) == 0o600
    )


def test_a_transferred_pupil_who_chose_a_password_keeps_it(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    from leerlingimport.credentials import hash_password

    from .test_sync_scenarios import YY

    ps = pupils(12)
    mover = ps[5]
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, ps))
    customer = customer_of(engine, "99ZZ", mover.student_number)
    with writing(engine) as conn:
        conn.execute(
            Credential.__table__.update()
            .where(Credential.customer_id == customer)
            .values(password_hash=hash_password("mijn-eigen-wachtwoord"), must_change=False)
        )
    at_yy = dataclasses.replace(mover, student_number="777002")
    moved = imp(engine, params, tmp_path, exports.parnassys_csv(YY, [at_yy]), "99YY", NEXT_YEAR)
    assert moved.counts["transferred"] == 1 and moved.passwords_issued == 0
    listed = read_school_list(str(moved.passwords_file))
    assert list(listed["Eenmalig wachtwoord"]) == ["(eigen wachtwoord)"]
    with writing(engine) as conn:
        assert authenticate(conn, listed["Pasnummer"][0], "mijn-eigen-wachtwoord", NEXT_YEAR).ok
    with reading(engine) as conn:
        assert (
            conn.scalar(select(Credential.must_change).where(Credential.customer_id == customer))
            is False
        )
    assert NOW < NEXT_YEAR
