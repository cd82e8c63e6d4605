from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from leerlingimport.synthetic import demo_library, write_samples

from .conftest import REPO


@pytest.fixture(scope="module")
def library():  # type: ignore[no-untyped-def]
    return demo_library(seed=7, pupils=48)


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    a = write_samples(tmp_path / "a", seed=3, pupils=20)
    b = write_samples(tmp_path / "b", seed=3, pupils=20)
    assert [p.name for p in a] == [p.name for p in b]
    assert all(x.read_bytes() == y.read_bytes() for x, y in zip(a, b, strict=True))


def test_committed_samples_are_what_the_generator_makes(tmp_path: Path) -> None:
    made = write_samples(tmp_path, seed=2026, pupils=60)
    committed = REPO / "data" / "samples"
    for path in made:
        assert (committed / path.name).read_bytes() == path.read_bytes(), path.name


def test_ages_fit_year_groups(library) -> None:  # type: ignore[no-untyped-def]
    for years in library.values():
        for pupil in years.first:
            ref, born = dt.date(2026, 10, 1), pupil.birth_date
            age = ref.year - born.year - ((ref.month, ref.day) < (born.month, born.day))
            expected = pupil.year_group + (4 if years.spec.sector == "po" else 11)
            assert age == expected, pupil


def test_next_year_moves_everyone_up_and_lets_the_last_year_go(library) -> None:  # type: ignore[no-untyped-def]
    for years in library.values():
        before = {p.student_number: p for p in years.first}
        last = 8 if years.spec.sector == "po" else 6
        stayers = [p for p in years.next if p.student_number in before]
        assert stayers and all(
            p.year_group == before[p.student_number].year_group + 1 for p in stayers
        )
        assert all(before[p.student_number].year_group < last for p in stayers)
        newcomers = [p for p in years.next if p.student_number not in before]
        assert any(p.year_group == 1 for p in newcomers)


def test_leavers_transfer_to_the_other_school_of_their_sector(library) -> None:  # type: ignore[no-untyped-def]
    def people(pupils):  # type: ignore[no-untyped-def]
        return {(p.surname, p.first_name, p.birth_date) for p in pupils}

    zz, yy = library["99ZZ"], library["99YY"]
    moved_in = people(yy.next) - people(yy.first)
    assert moved_in & people(zz.first), "some pupils of 99ZZ turn up at 99YY a year later"


def test_parnassys_csv_shape(tmp_path: Path) -> None:
    paths = {p.name: p for p in write_samples(tmp_path, seed=1, pupils=16)}
    raw = paths["99ZZ_parnassys_2026-2027.csv"].read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8")), delimiter=";"))
    assert rows[0][:4] == ["LEERLINGNUMMER", "GROEP", "GROEPSNAAM", "JAARGROEP"]
    assert rows[1][0].startswith("00")  # leading zeros are data
    assert rows[-1] == []  # the final empty line


def test_somtoday_is_windows_1252(tmp_path: Path) -> None:
    paths = {p.name: p for p in write_samples(tmp_path, seed=1, pupils=40)}
    raw = paths["99WW_somtoday_2026-2027.csv"].read_bytes()
    text = raw.decode("cp1252")
    assert any(ord(c) > 127 for c in text), "the sample holds names with diacritics"
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert {r[7] for r in rows[1:]} <= {"Man", "Vrouw"}
    assert any(r[-1] == "" for r in rows[1:])  # empty e-mail: a trailing ';'


def test_magister_xlsx_has_numbers_and_dates(tmp_path: Path) -> None:
    paths = {p.name: p for p in write_samples(tmp_path, seed=1, pupils=16)}
    wb = load_workbook(paths["99XX_magister_2026-2027.xlsx"])
    assert wb.sheetnames == ["Info", "Leerlingen"]
    sheet = wb["Leerlingen"]
    assert sheet["A1"].value == "Stamnr"
    assert isinstance(sheet["A2"].value, int)
    assert isinstance(sheet["H2"].value, dt.datetime)


def test_zip_holds_the_csv_and_a_readme(tmp_path: Path) -> None:
    paths = {p.name: p for p in write_samples(tmp_path, seed=1, pupils=16)}
    with zipfile.ZipFile(paths["99ZZ_parnassys_2026-2027.zip"]) as zf:
        assert zf.namelist() == ["LEESMIJ.txt", "99ZZ_parnassys_2026-2027.csv"]
