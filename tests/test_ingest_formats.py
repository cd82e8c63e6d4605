"""Every format the generator writes reads into the same canonical table as its clean twin."""

from __future__ import annotations

import pandas as pd
import pytest

from leerlingimport.intake import ingest
from leerlingimport.synthetic import exports

from .fixtures import PO, VO, WISE_HEADER, as_dates, csv_bytes, expected, pupils, wise_rows

NAMES = ["student_number", "first_name", "prefix", "surname"]


def _same(table: pd.DataFrame, ps, fields) -> None:  # type: ignore[no-untyped-def]
    want = expected(ps, fields)
    pd.testing.assert_frame_equal(
        table[list(fields)].reset_index(drop=True), want, check_dtype=False
    )


def test_clean_twin() -> None:
    ps = pupils(20)
    read = ingest(csv_bytes(WISE_HEADER, wise_rows(ps)), "clean.csv")
    assert read.issues == []
    _same(read.table, ps, [*NAMES, "group_code", "group_name", "year_group", "initials", "sex"])
    assert as_dates(read.table["birth_date"]) == [p.birth_date for p in ps]
    assert list(read.table["source_row"]) == list(range(2, 22))


def test_parnassys_csv() -> None:
    ps = pupils(20)
    read = ingest(exports.parnassys_csv(PO, ps), "parnassys.csv")
    assert (read.format.encoding, read.format.delimiter) == ("utf-8", ";")
    assert read.issues == []
    _same(read.table, ps, [*NAMES, "group_code", "group_name", "year_group", "initials", "sex"])
    assert as_dates(read.table["birth_date"]) == [p.birth_date for p in ps]


def test_somtoday_csv_from_dutch_excel() -> None:
    spec = VO.__class__(**{**VO.__dict__, "cp1252_names": True})
    ps = pupils(24, spec)
    read = ingest(exports.somtoday_csv(spec, ps), "somtoday.csv")
    assert read.format.encoding == "windows-1252"
    assert read.issues == []
    _same(
        read.table,
        ps,
        [
            *NAMES,
            "year_group",
            "sex",
            "street",
            "house_number",
            "house_number_suffix",
            "postcode",
            "city",
        ],
    )
    assert list(read.table["group_code"]) == [p.group_code.lower() for p in ps]
    assert as_dates(read.table["birth_date"]) == [p.birth_date for p in ps]
    emails = list(read.table["email"])
    assert emails[0] == "" and emails[1] == ps[1].email  # an empty e-mail is empty, not shifted


def test_magister_xlsx() -> None:
    ps = pupils(20, VO)
    read = ingest(exports.magister_xlsx(VO, ps), "magister.xlsx")
    assert (read.format.container, read.format.sheet) == ("xlsx", "Leerlingen")
    assert read.dropped_columns == ["Studie"]
    _same(read.table, ps, [*NAMES, "group_code", "year_group", "email"])
    assert list(read.table["birth_date"]) == [p.birth_date.isoformat() for p in ps]


@pytest.mark.parametrize(
    "writer", [exports.handmade_ods, exports.handmade_xls, exports.handmade_csv]
)
def test_handmade_lists(writer) -> None:  # type: ignore[no-untyped-def]
    ps = pupils(16)
    read = ingest(writer(PO, ps), "lijst")
    assert read.issues == []
    _same(read.table, ps, NAMES)
    assert list(read.table["group_code"]) == [p.group_name for p in ps]  # the one group column
    assert as_dates(read.table["birth_date"]) == [p.birth_date for p in ps]
    header_row = 1 if writer is exports.handmade_csv else 3
    assert read.format.header_row == header_row
    assert read.table["source_row"].iloc[0] == header_row + 1


def test_edexml() -> None:
    ps = pupils(12)
    read = ingest(exports.edexml(PO, ps), "EDEX.XML")
    assert read.format.container == "edexml"
    _same(read.table, ps, [*NAMES, "group_code", "group_name", "year_group", "sex", "postcode"])
    assert list(read.table["initials"]) == [p.initials.replace(".", "") for p in ps]
    assert list(read.table["birth_date"]) == [p.birth_date.isoformat() for p in ps]


def test_zip_picks_the_pupil_file_and_reports_the_rest() -> None:
    ps = pupils(8)
    read = ingest(exports.zipped("leerlingen.csv", exports.parnassys_csv(PO, ps)), "x.zip")
    assert read.format.member == "leerlingen.csv"
    assert [i.code for i in read.issues] == ["archive-entry-ignored"]
    assert "LEESMIJ.txt" in read.issues[0].message
    _same(read.table, ps, NAMES)
