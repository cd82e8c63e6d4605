"""Benchmark inputs: synthetic pupils in each format, cached in bench/out/ (git-ignored)."""

from __future__ import annotations

import csv
import io
import random
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from leerlingimport.synthetic.exports import WISE_HEADER, wise_rows
from leerlingimport.synthetic.people import Pupil, SchoolSpec, make_pupils, next_school_year

OUT = Path(__file__).parent / "out"
HEADER = [*WISE_HEADER, "ADRES", "HUISNUMMER", "POSTCODE", "WOONPLAATS"]
SPEC = SchoolSpec("99ZZ", "Bench School", "po", ("nl", "tr", "ma", "be"), 2026)


def rows(count: int) -> list[list[str]]:
    return _rows(_pupils(count))


def _pupils(count: int) -> list[Pupil]:
    return make_pupils(SPEC, count, random.Random(count), 100001)


def _rows(ps: list[Pupil]) -> list[list[str]]:
    return [
        [*row, p.street, p.house_number + p.house_number_suffix, p.postcode, p.city]
        for p, row in zip(ps, wise_rows(ps), strict=True)
    ]


def bench_file(fmt: str, count: int) -> Path:
    """The cached benchmark file for ``fmt`` with ``count`` pupils, made when missing."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"pupils_{count}.{fmt}"
    if not path.exists():
        data = rows(count)
        {"csv": _csv, "xlsx": _xlsx, "xls": _xls, "ods": _ods}[fmt](path, data)
    return path


def next_year_file(count: int) -> Path:
    """The CSV of the same school a year on: everyone a year up, the last year and a few
    others gone, some moved, an eighth new."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"pupils_{count}_next_year.csv"
    if not path.exists():
        rng = random.Random(count + 1)
        _spec, later, _left = next_school_year(
            SPEC, _pupils(count), rng, 100001 + count, count // 8
        )
        _csv(path, _rows(later))
    return path


def _csv(path: Path, data: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows(data)


def _xlsx(path: Path, data: list[list[str]]) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    sheet = wb.create_sheet("Leerlingen")
    sheet.append(HEADER)
    for row in data:
        sheet.append(row)
    wb.save(path)


def _xls(path: Path, data: list[list[str]]) -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Leerlingen")
    for r, row in enumerate([HEADER, *data]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(path))


def _ods(path: Path, data: list[list[str]]) -> None:
    # odfpy needs minutes for 100k rows; a minimal ODS written directly is the same to a reader.
    body = io.StringIO()
    for row in [HEADER, *data]:
        body.write("<table:table-row>")
        for value in row:
            body.write(
                '<table:table-cell office:value-type="string"><text:p>'
                f"{escape(value)}</text:p></table:table-cell>"
            )
        body.write("</table:table-row>")
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Leerlingen">'
        f"{body.getvalue()}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("META-INF/manifest.xml", manifest)
        zf.writestr("content.xml", content)
