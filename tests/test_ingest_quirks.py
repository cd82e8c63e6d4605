"""Each quirk of real school exports (reference/exports.md §5, §7, §8) on a tiny fixture."""

from __future__ import annotations

import pandas as pd
import pytest

from leerlingimport.intake import ingest
from leerlingimport.intake.normalise import split_full_name

from .fixtures import WISE_HEADER, csv_bytes, pupils, wise_rows, xlsx_bytes, zip_bytes


def codes(read) -> list[tuple[int | None, str]]:  # type: ignore[no-untyped-def]
    return [(i.row, i.code) for i in read.issues]


def test_text_is_kept_as_text() -> None:
    rows = [
        ["000123", "G5", "Groep 5", "5", "N", "Nan", "", "NA", "2016-01-02", "V"],
        ["N/A", "G5", "Groep 5", "5", "J", "Null", "", "None", "2016-01-03", "M"],
    ]
    read = ingest(csv_bytes(WISE_HEADER, rows), "x.csv")
    assert list(read.table["student_number"]) == ["000123", "N/A"]
    assert list(read.table["surname"]) == ["NA", "None"]
    assert list(read.table["first_name"]) == ["Nan", "Null"]


@pytest.mark.parametrize(
    "header",
    [
        "\ufeffLEERLINGNUMMER",
        "LEERLING\u00a0NUMMER",
        "Leerling_nr.",
        "leerlingnummer\u200b",
        " Extern_Nr ",
    ],
)
def test_header_spellings(header: str) -> None:
    read = ingest(csv_bytes([header, *WISE_HEADER[1:]], wise_rows(pupils(2))), "x.csv")
    assert read.columns["student_number"] == header.strip().lstrip("\ufeff")
    assert not read.issues


def test_wise_alias_headers_and_the_klas_naam_typo() -> None:
    header = [
        "EXTERN_NR",
        "KLAS_CODE",
        "KLAS_ NAAM",
        "LEERJAAR",
        "VOORLETTER",
        "ROEPNAAM",
        "VOORVOEGSEL",
        "NAAM",
        "GEBOORTEDATUM",
        "GESLACHT",
    ]
    read = ingest(csv_bytes(header, wise_rows(pupils(2))), "x.csv")
    assert set(read.columns) >= {
        "student_number",
        "group_code",
        "group_name",
        "year_group",
        "initials",
        "first_name",
        "prefix",
        "surname",
    }
    assert read.columns["group_name"] == "KLAS_ NAAM"


@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
def test_delimiters_and_quoting(delimiter: str) -> None:
    rows = wise_rows(pupils(3))
    rows[0][7] = f"Bakker{delimiter} van Dam"  # a delimiter inside a (quoted) value
    read = ingest(csv_bytes(WISE_HEADER, rows, delimiter=delimiter), "x.csv")
    assert read.format.delimiter == delimiter
    # A tab inside a name is whitespace, and whitespace in names is collapsed.
    assert read.table["surname"].iloc[0] == " ".join(f"Bakker{delimiter} van Dam".split())
    assert not read.issues


def test_utf16_tab_text_from_excel() -> None:
    rows = wise_rows(pupils(3))
    rows[0][5] = "Zoë"
    read = ingest(
        b"\xff\xfe" + csv_bytes(WISE_HEADER, rows, delimiter="\t", encoding="utf-16-le"), "x.txt"
    )
    assert (read.format.encoding, read.format.delimiter) == ("utf-16", "\t")
    assert read.table["first_name"].iloc[0] == "Zoë"


def test_replacement_characters_are_refused() -> None:
    rows = wise_rows(pupils(2))
    rows[0][5] = "Zo\ufffd"
    read = ingest(csv_bytes(WISE_HEADER, rows), "x.csv")
    assert codes(read) == [(None, "unknown-encoding")]
    assert read.rejected


def test_rows_with_wrong_field_counts_are_reported_never_shifted() -> None:
    body = csv_bytes(WISE_HEADER, wise_rows(pupils(4)))
    lines = body.decode().split("\r\n")
    lines[1] += ";EXTRA"  # row 2: one field too many
    lines[3] = ";".join(lines[3].split(";")[:-2])  # row 4: two fields short
    lines[4] += ";"  # row 5: a trailing separator is harmless
    read = ingest("\r\n".join(lines).encode(), "x.csv")
    assert codes(read) == [(2, "too-many-fields"), (4, "too-few-fields")]
    assert "11 velden, de kopregel 10" in read.issues[0].message
    assert list(read.table["source_row"]) == [2, 3, 4, 5]
    assert read.table["sex"].iloc[0] in ("M", "V")  # not shifted to 'EXTRA'
    assert not read.rejected  # only those rows are in error


def test_unbalanced_quote_rejects_the_file_with_its_line() -> None:
    body = csv_bytes(WISE_HEADER, wise_rows(pupils(3))).decode().split("\r\n")
    body[2] = body[2].replace(";", ';"', 1)
    read = ingest("\r\n".join(body).encode(), "x.csv")
    assert codes(read) == [(None, "unbalanced-quote")]
    assert "rij 3" in read.issues[0].message


def test_separator_only_rows_and_blank_lines_are_ignored() -> None:
    read = ingest(
        csv_bytes(WISE_HEADER, wise_rows(pupils(2)), tail=";;;;;;;;;\r\n\r\n;;;\r\n"), "x.csv"
    )
    assert len(read.table) == 2 and not read.issues


def test_title_rows_above_the_header() -> None:
    rows = [
        ["Leerlingenlijst schooljaar 2026-2027"],
        ["afgedrukt op 01-09-2026"],
        [],
        WISE_HEADER,
        *wise_rows(pupils(2)),
    ]
    read = ingest(xlsx_bytes({"Blad1": rows}), "x.xlsx")
    assert read.format.header_row == 4
    assert list(read.table["source_row"]) == [5, 6]


def test_hidden_first_sheet_is_never_read() -> None:
    old, new = wise_rows(pupils(3, seed=1)), wise_rows(pupils(2, seed=2))
    read = ingest(
        xlsx_bytes({"Oud": [WISE_HEADER, *old], "Nu": [WISE_HEADER, *new]}, hidden=["Oud"]),
        "x.xlsx",
    )
    assert read.format.sheet == "Nu"
    assert list(read.table["student_number"]) == [r[0] for r in new]


def test_two_pupil_sheets_are_ambiguous() -> None:
    rows = [WISE_HEADER, *wise_rows(pupils(2))]
    read = ingest(xlsx_bytes({"A": rows, "B": rows}), "x.xlsx")
    assert codes(read) == [(None, "ambiguous-sheet")]


def test_numbers_dates_and_serials_in_cells() -> None:
    rows = [
        ["Leerlingnummer", "Voornaam", "Achternaam", "Groep", "Geboortedatum"],
        [1201, "Sem", "Vries", "8A", pd.Timestamp("2014-03-07").to_pydatetime()],
        [1202.0, "Julia", "Bakker", "8A", 42437],
        ["01203", "Tim", "Jansen", "8A", "7-3-2014"],
    ]
    read = ingest(xlsx_bytes({"Blad1": rows}), "x.xlsx")
    assert list(read.table["student_number"]) == ["1201", "1202", "01203"]
    assert list(read.table["birth_date"]) == ["2014-03-07", "2016-03-08", "7-3-2014"]


def test_formula_cells_are_reported_not_evaluated() -> None:
    rows = [WISE_HEADER, *wise_rows(pupils(2))]
    read = ingest(xlsx_bytes({"Blad1": rows}, formulas={"D3": "=1+4"}), "x.xlsx")
    assert codes(read) == [(None, "formula-cell")]
    assert "D3" in read.issues[0].message and read.issues[0].severity == "warning"


def test_duplicate_columns_reject_the_file() -> None:
    header = ["LEERLINGNUMMER", "GROEP", "KLAS_CODE", "ROEPNAAM", "NAAM"]
    read = ingest(csv_bytes(header, [["1", "5A", "5B", "Sem", "Vries"]]), "x.csv")
    assert codes(read) == [(None, "duplicate-column")]
    assert "'GROEP' en 'KLAS_CODE'" in read.issues[0].message


def test_one_name_column_is_split() -> None:
    header = ["Naam", "Groep", "Geboortedatum", "Leerlingnummer", "Postcode", "Telefoon ouders"]
    rows = [
        ["Vries, Sem de", "Groep 8a", "7-3-2014", "1201", "1234 AB", "612345678"],
        ["Bakker-van Dam, Julia", "8A", "42437", "01202", "1234ab", "06-12345678"],
        ["Tim Jansen", "groep 1-2", "1-10-2020", "1203", "2345", ""],
        ["Lotte van den Berg", "3", "1-10-2019", "1204", "", ""],
    ]
    read = ingest(csv_bytes(header, rows, bom=True), "leerlingen bieb 2025 (2).csv")
    table = read.table
    assert list(zip(table["first_name"], table["prefix"], table["surname"], strict=True)) == [
        ("Sem", "de", "Vries"),
        ("Julia", "", "Bakker-van Dam"),
        ("Tim", "", "Jansen"),
        ("Lotte", "van den", "Berg"),
    ]
    assert list(table["postcode"]) == ["1234 AB", "1234 AB", "2345", ""]
    assert read.dropped_columns == ["Telefoon ouders"]
    assert "phone" not in table.columns


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Veld, Anouk in 't", ("Anouk", "in 't", "Veld")),
        ("Sem", ("", "", "Sem")),
        ("Noor  el   Amrani", ("Noor", "el", "Amrani")),
    ],
)
def test_split_full_name(text: str, parts: tuple[str, str, str]) -> None:
    assert split_full_name(text) == parts


def test_sex_codes_postcodes_and_house_numbers() -> None:
    header = [
        "Leerlingnummer",
        "Roepnaam",
        "Achternaam",
        "Klas",
        "Geslacht",
        "Postcode",
        "Huisnummer",
        "Adres",
    ]
    rows = [
        ["1", "A", "B", "1A", "jongen", "1234ab", "12a", "Kerkstraat"],
        ["2", "A", "B", "1A", "Meisje", " 1234  AB ", "12-2", "Kerkstraat"],
        ["3", "A", "B", "1A", "2", "0123 AB", "145", "Kerkstraat"],
        ["4", "A", "B", "1A", "0", "1234 A", "12 hs", "Kerkstraat"],
        ["5", "A", "B", "1A", "9", "", "", ""],
        ["6", "A", "B", "1A", "?", "", "7 bis", ""],
    ]
    read = ingest(csv_bytes(header, rows), "x.csv")
    t = read.table
    assert list(t["sex"]) == ["M", "V", "V", "", "X", "?"]
    assert list(t["postcode"]) == ["1234 AB", "1234 AB", "0123 AB", "1234 A", "", ""]
    assert list(t["house_number"]) == ["12", "12", "145", "12", "", "7"]
    assert list(t["house_number_suffix"]) == ["a", "2", "", "hs", "", "bis"]


def test_names_are_nfc_with_whitespace_collapsed() -> None:
    rows = wise_rows(pupils(1))
    rows[0][5] = "Zoe\u0308  "  # decomposed ë and trailing spaces
    rows[0][6] = " van  der "
    read = ingest(csv_bytes(WISE_HEADER, rows), "x.csv")
    assert read.table["first_name"].iloc[0] == "Zoë"
    assert read.table["prefix"].iloc[0] == "van der"


def test_edexml_sensitive_elements_are_dropped() -> None:
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><EDEX><school><brincode>99ZZ</brincode></school>'
        '<groepen><groep key="G56"><naam>Groep 5/6</naam><jaargroep>5</jaargroep></groep></groepen>'
        '<leerlingen><leerling key="00231" eckid="https://ketenid.nl/x"><achternaam>Jong</achternaam>'
        "<voorvoegsel>de</voorvoegsel><roepnaam>Jesse</roepnaam><geboortedatum>2015-04-02"
        '</geboortedatum><geslacht>1</geslacht><jaargroep>6</jaargroep><groep key="G56"/>'
        "<bsn>999999990</bsn><gewicht_nieuw>0,3</gewicht_nieuw></leerling>"
        '<leerling key="00198"><roepnaam>Sem</roepnaam><geslacht>0</geslacht><jaargroep>14</jaargroep>'
        '<groep key="G8A"/></leerling></leerlingen><leerkrachten><leerkracht key="t1"/></leerkrachten></EDEX>'
    )
    read = ingest(xml.encode(), "EDEX.XML")
    assert codes(read) == [(None, "sensitive-element-dropped")]
    assert "bsn" in read.issues[0].message and "999999990" not in read.issues[0].message
    assert "999999990" not in read.table.to_csv()
    t = read.table
    assert list(t["student_number"]) == ["00231", "00198"]
    assert list(t["year_group"]) == ["6", "4"]  # the pupil's own year; 14 is leerjaar 4
    assert list(t["group_name"]) == ["Groep 5/6", ""]
    assert list(t["surname"]) == ["Jong", ""]
    assert list(t["sex"]) == ["M", ""]


def test_zip_with_two_pupil_files_takes_the_best_and_names_the_other() -> None:
    good = csv_bytes(WISE_HEADER, wise_rows(pupils(3)))
    poor = csv_bytes(["Leerlingnummer", "Naam", "Opmerking"], [["1", "x", "y"]])
    read = ingest(zip_bytes({"oud/namen.csv": poor, "export.csv": good}), "x.zip")
    assert read.format.member == "export.csv"
    assert codes(read) == [(None, "archive-entry-ignored")]
    assert "oud/namen.csv" in read.issues[0].message


def test_english_messages() -> None:
    read = ingest(b"", "x.csv", language="en")
    assert read.issues[0].message == "the file is empty. Export it again and upload that."
