"""Each validation rule on a tiny fixture, asserting the exact (row, column, code) tuples."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from leerlingimport.groups import derive_code
from leerlingimport.intake import ingest
from leerlingimport.params import SchoolParams
from leerlingimport.synthetic import exports
from leerlingimport.validation import Validated, normalise_student_numbers, validate

from .fixtures import PO, WISE_HEADER, csv_bytes, pupils, wise_rows, xlsx_bytes

SCHOOL = SchoolParams(brin="99ZZ", name="OBS Test", branch="0101")
TODAY = dt.date(2026, 10, 1)
OK = ["1001", "G5A", "Groep 5a", "5", "S.", "Sem", "de", "Vries", "07-03-2017", "M"]


def run(
    header: list[str], rows: list[list[str]], school: SchoolParams = SCHOOL, language: str = "nl"
) -> Validated:
    return validate(
        ingest(csv_bytes(header, rows), "x.csv"), school, today=TODAY, language=language
    )  # type: ignore[arg-type]


def found(result: Validated, *skip: str) -> list[tuple[int | None, str | None, str]]:
    return [(i.row, i.column, i.code) for i in result.issues if i.code not in skip]


def found_messages(result: Validated, code: str) -> str:
    return " ".join(i.message for i in result.issues if i.code == code)


FIRST_NAMES = ["Sem", "Noor", "Daan", "Tess", "Finn", "Lieke", "Bram", "Saar", "Joep", "Fenna"]


def row(**changes: str) -> list[str]:
    """A clean row; each pupil number its own child (the same name and birth date under two
    numbers is the same child twice)."""
    values = dict(zip(WISE_HEADER, OK, strict=True))
    number = changes.get("LEERLINGNUMMER", OK[0])
    if number.isdigit() and number != OK[0]:
        values["ROEPNAAM"] = FIRST_NAMES[int(number) % len(FIRST_NAMES)] + number[-2:]
    values.update(changes)
    return list(values.values())


def test_clean_rows_pass() -> None:
    result = run(WISE_HEADER, [row(), row(LEERLINGNUMMER="1002")])
    assert found(result) == []
    assert len(result.valid) == 2
    assert list(result.valid["year_group"]) == [5, 5]
    assert list(result.valid["birth_date"].dt.date) == [dt.date(2017, 3, 7)] * 2


def test_missing_required_columns_are_all_listed_with_their_aliases() -> None:
    result = run(["ROEPNAAM", "Geboortedatum", "Geslacht"], [["Sem", "07-03-2017", "M"]])
    assert found(result) == [(None, None, "missing-column")] * 3
    messages = " ".join(i.message for i in result.issues)
    assert "het leerlingnummer" in messages and "LEERLINGNUMMER, EXTERN_NR" in messages
    assert "de achternaam" in messages and "de groep" in messages
    assert "... en nog" in messages
    assert result.rejected and len(result.valid) == 0


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"LEERLINGNUMMER": ""}, (2, "LEERLINGNUMMER", "student-number-missing")),
        ({"LEERLINGNUMMER": "1" * 21}, (2, "LEERLINGNUMMER", "student-number-too-long")),
        ({"GROEP": "G5AAAAAAAAA"}, (2, "GROEP", "group-code-too-long")),
        ({"GROEP": "G5/A"}, (2, "GROEP", "group-code-invalid-character")),
        ({"GROEP": "G5“A"}, (2, "GROEP", "group-code-invalid-character")),
        (
            {"GROEPSNAAM": "Groep 5a met een heel erg lange naam"},
            (2, "GROEPSNAAM", "group-name-too-long"),
        ),
        ({"GROEP": "", "GROEPSNAAM": ""}, (2, "GROEP", "group-missing")),
        ({"JAARGROEP": "12"}, (2, "JAARGROEP", "year-group-invalid")),
        ({"JAARGROEP": "x"}, (2, "JAARGROEP", "year-group-invalid")),
        (
            {"JAARGROEP": "", "GROEP": "G12", "GROEPSNAAM": "Groep 1/2", "GEBOORTEDATUM": ""},
            (2, "GROEP", "year-group-unknown"),
        ),
        ({"VOORLETTERS": "", "ROEPNAAM": ""}, (2, "ROEPNAAM", "name-missing")),
        ({"NAAM": ""}, (2, "NAAM", "surname-missing")),
    ],
)
def test_row_errors_reject_only_their_row(
    changes: dict[str, str], expected: tuple[int, str, str]
) -> None:
    result = run(
        WISE_HEADER,
        [
            row(**changes),
            *[
                row(LEERLINGNUMMER=str(2000 + i), GROEP="G6", GROEPSNAAM="Groep 6", JAARGROEP="6")
                for i in range(3)
            ],
        ],
    )
    assert found(result) == [expected]
    assert list(result.table["row_ok"]) == [False, True, True, True]
    assert not result.rejected


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"GEBOORTEDATUM": "31-02-2017"}, (2, "GEBOORTEDATUM", "birth-date-invalid")),
        ({"GEBOORTEDATUM": "7-3-17"}, (2, "GEBOORTEDATUM", "birth-date-ambiguous")),
        ({"GEBOORTEDATUM": "07-03-1987"}, (2, "GEBOORTEDATUM", "birth-date-implausible")),
        ({"GEBOORTEDATUM": "07-03-2026"}, (2, "GEBOORTEDATUM", "birth-date-implausible")),
        ({"GESLACHT": "onzijdig"}, (2, "GESLACHT", "sex-unknown")),
    ],
)
def test_warnings_keep_the_row_without_the_bad_value(
    changes: dict[str, str], expected: tuple[int, str, str]
) -> None:
    result = run(WISE_HEADER, [row(**changes)])
    assert found(result) == [expected]
    assert list(result.table["row_ok"]) == [True]
    column = {"GEBOORTEDATUM": "birth_date", "GESLACHT": "sex"}[expected[1]]
    value = result.valid[column].iloc[0]
    assert value == "" or value != value  # emptied (or NaT): the bad value is not imported


def test_birth_date_formats_schools_use() -> None:
    dates = ["2017-03-07", "07-03-2017", "7-3-2017", "07/03/2017", "07.03.2017", "42801"]
    result = run(
        WISE_HEADER, [row(LEERLINGNUMMER=str(i), GEBOORTEDATUM=d) for i, d in enumerate(dates)]
    )
    assert found(result) == []
    assert set(result.valid["birth_date"].dt.date) == {dt.date(2017, 3, 7)}


def test_email_and_postcode_syntax() -> None:
    header = ["Leerlingnummer", "Roepnaam", "Achternaam", "Klas", "E-mail", "Postcode"]
    rows = [
        ["1", "Sem", "Vries", "H2b", "sem@example.org", "1234ab"],
        ["2", "Noa", "Bakker", "H2b", "noa@", "0123 AB"],
        ["3", "Tim", "Jansen", "H2b", "", "1234 SS"],
        ["4", "Lotte", "Peeters", "H2b", "lotte@x.be", "9000"],
    ]
    result = run(header, rows)
    assert found(result, "initials-derived") == [
        (3, "E-mail", "email-invalid"),
        (3, "Postcode", "postcode-invalid"),
        (4, "Postcode", "postcode-invalid"),
    ]
    assert list(result.valid["email"]) == ["sem@example.org", "", "", "lotte@x.be"]
    assert list(result.valid["postcode"]) == ["1234 AB", "", "", "9000"]


def test_duplicate_student_numbers_reject_both_rows_and_list_them() -> None:
    rows = [row(LEERLINGNUMMER="7"), row(LEERLINGNUMMER="8"), row(LEERLINGNUMMER="7")]
    result = run(WISE_HEADER, rows)
    assert found(result) == [
        (2, "LEERLINGNUMMER", "duplicate-student-number"),
        (4, "LEERLINGNUMMER", "duplicate-student-number"),
    ]
    assert "rijen 2, 4" in result.issues[0].message
    assert result.rejected_keys == {"7"}
    assert list(result.valid["student_number"]) == ["8"]


def test_student_number_rules_of_the_school() -> None:
    school = SchoolParams(
        brin="99ZZ",
        name="X",
        branch="0101",
        student_number={"strip_brin_prefix": True, "strip_leading_zeros": True},
    )
    given = pd.Series(["99ZZ00123", "99zz-0042", "000", "0", "12AB007", " 0100 "])
    assert list(normalise_student_numbers(given, school)) == [
        "123",
        "42",
        "0",
        "0",
        "12AB007",
        "100",
    ]
    rows = [
        row(LEERLINGNUMMER="0123"),
        row(LEERLINGNUMMER="123"),
        *[row(LEERLINGNUMMER=str(500 + i)) for i in range(4)],
    ]
    result = run(WISE_HEADER, rows, school)
    assert found(result) == [
        (2, "LEERLINGNUMMER", "duplicate-student-number"),
        (3, "LEERLINGNUMMER", "duplicate-student-number"),
    ]


def test_group_code_with_two_names_and_name_with_two_codes() -> None:
    rows = [
        row(LEERLINGNUMMER="1", GROEP="G5A", GROEPSNAAM="Groep 5a"),
        row(LEERLINGNUMMER="2", GROEP="G5A", GROEPSNAAM="Groep 5A"),
        row(LEERLINGNUMMER="3", GROEP="G6", GROEPSNAAM="Groep 6", JAARGROEP="6"),
        row(LEERLINGNUMMER="4", GROEP="G6B", GROEPSNAAM="Groep 6", JAARGROEP="6"),
        *[
            row(LEERLINGNUMMER=str(10 + i), GROEP="G7", GROEPSNAAM="Groep 7", JAARGROEP="7")
            for i in range(5)
        ],
    ]
    result = run(WISE_HEADER, rows)
    assert found(result) == [
        (2, "GROEP", "group-code-conflict"),
        (3, "GROEP", "group-code-conflict"),
        (4, "GROEPSNAAM", "group-name-conflict"),
        (5, "GROEPSNAAM", "group-name-conflict"),
    ]
    assert "Groep 5A, Groep 5a" in result.issues[0].message
    assert not result.rejected


def test_duplicate_card_numbers() -> None:
    header = [*WISE_HEADER, "LENERNUMMER"]
    rows = [
        [*row(LEERLINGNUMMER="1"), "20990000000116"],
        [*row(LEERLINGNUMMER="2"), "20990000000116"],
        [*row(LEERLINGNUMMER="3"), ""],
        [*row(LEERLINGNUMMER="4"), ""],
    ]
    result = run(header, rows)
    assert found(result) == [
        (2, "LENERNUMMER", "duplicate-card-number"),
        (3, "LENERNUMMER", "duplicate-card-number"),
    ]


def test_card_numbers_that_are_not_the_librarys_are_ignored_with_a_warning() -> None:
    header = [*WISE_HEADER, "LENERNUMMER"]
    rows = [
        [*row(LEERLINGNUMMER="1"), "4001"],  # a pupil number typed into the card column
        [*row(LEERLINGNUMMER="20990000000116"), "20990000000116"],  # the pupil number itself
        [*row(LEERLINGNUMMER="3"), "2099-0000-0001"],
        [*row(LEERLINGNUMMER="4"), "2099 0000 0001 24"],  # spaces as printed on the card
    ]
    result = run(header, rows)
    assert found(result) == [(r, "LENERNUMMER", "card-number-ignored") for r in (2, 3, 4)]
    assert not result.rejected and len(result.valid) == 4
    assert list(result.valid["card_number"]) == ["", "", "", "20990000000124"]


def test_initials_derived_with_one_info() -> None:
    rows = [
        row(LEERLINGNUMMER="1", VOORLETTERS=""),
        row(LEERLINGNUMMER="2", VOORLETTERS="", ROEPNAAM="ömer"),
    ]
    result = run(WISE_HEADER, rows)
    assert found(result) == [(None, None, "initials-derived")]
    assert "2 leerling" in result.issues[0].message
    assert list(result.valid["initials"]) == ["N.", "Ö."]


def test_one_group_column_holds_codes_or_names() -> None:
    header = ["Leerlingnummer", "Voornaam", "Achternaam", "Groep"]
    rows = [
        ["1", "Sem", "Vries", "Groep 5a"],
        ["2", "Noa", "Bakker", "8A"],
        ["3", "Tim", "Jansen", "De kevers"],
        ["4", "Lotte", "Peeters", "groep 1-2"],
    ]
    result = run(header, rows)
    t = result.table
    assert list(t["group_code"]) == ["5A", "8A", "DEKEVERS", "12"]
    assert list(t["group_name"]) == ["Groep 5a", "8A", "De kevers", "groep 1-2"]
    assert [None if pd.isna(v) else int(v) for v in t["year_group"]] == [5, 8, None, None]
    assert found(result, "initials-derived") == [
        (4, "Groep", "year-group-unknown"),
        (5, "Groep", "year-group-unknown"),
        (None, None, "group-code-derived"),
    ]
    assert "Groep 5a → 5A" in found_messages(result, "group-code-derived")


def test_derived_codes_are_safe_and_stable() -> None:
    assert derive_code("Groep 1/2a") == "12A"
    assert derive_code("Groep 1/2a") == derive_code(" Groep 1/2a")
    assert derive_code('De "Sterren" & Maan') == "DESTERRENM"
    assert derive_code("///") == derive_code("///") and len(derive_code("///")) == 7


def test_too_many_rejected_rows_reject_the_file() -> None:
    rows = [row(LEERLINGNUMMER=str(i), NAAM="" if i < 3 else "Vries") for i in range(5)]
    result = run(WISE_HEADER, rows)
    assert result.rejected
    assert found(result)[-1] == (None, None, "too-many-rejected")
    assert "3 van de 5 rijen" in result.issues[-1].message
    assert len(result.valid) == 0


def test_english_messages_on_request() -> None:
    result = run(WISE_HEADER, [row(NAAM=""), row(LEERLINGNUMMER="2")], language="en")
    assert result.issues[0].message == "row 2, column 'NAAM': the surname is missing."


def test_rejected_file_from_ingest_stays_rejected() -> None:
    result = validate(ingest(b"", "x.csv"), SCHOOL)
    assert found(result) == [(None, None, "empty-file")] and result.rejected


# Row numbers are what a person sees in the spreadsheet: the header row counted, title rows too.
def test_row_numbers_match_the_spreadsheet_csv_xlsx_and_ods() -> None:
    ps = pupils(6)
    bad = wise_rows(ps)
    bad[2][7] = ""  # the third pupil has no surname
    csv_result = validate(ingest(csv_bytes(WISE_HEADER, bad), "x.csv"), SCHOOL, today=TODAY)
    titled = [["Leerlingen OBS Test"], ["afgedrukt 1-9-2026"], WISE_HEADER, *bad]
    xlsx_result = validate(ingest(xlsx_bytes({"Blad1": titled}), "x.xlsx"), SCHOOL, today=TODAY)
    broken = [
        p if i != 2 else p.__class__(**{**p.__dict__, "surname": ""}) for i, p in enumerate(ps)
    ]
    ods_result = validate(ingest(exports.handmade_ods(PO, broken), "x.ods"), SCHOOL, today=TODAY)
    assert [(i.row, i.code) for i in csv_result.issues] == [(4, "surname-missing")]
    assert [(i.row, i.code) for i in xlsx_result.issues] == [(6, "surname-missing")]
    ods = [(i.row, i.column, i.code) for i in ods_result.issues if i.code == "surname-missing"]
    assert ods == [(6, "Achternaam", "surname-missing")]  # title, blank, header: data from row 4
