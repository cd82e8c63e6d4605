"""Synthetic pupils written the way real school exports look (reference/exports.md §2 and §8).

Each writer returns the file's bytes, deterministically for the same pupils: fixed document
properties, no clocks.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape

from leerlingimport.synthetic.people import Pupil, SchoolSpec

FIXED_TIME = dt.datetime(2026, 1, 1, 12, 0, 0)
_FIXED_STAMP = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
Writer = Callable[[SchoolSpec, Sequence[Pupil]], bytes]


WISE_HEADER = [
    "LEERLINGNUMMER",
    "GROEP",
    "GROEPSNAAM",
    "JAARGROEP",
    "VOORLETTERS",
    "ROEPNAAM",
    "NAAMTUS",
    "NAAM",
    "GEBOORTEDATUM",
    "GESLACHT",
]


def wise_rows(pupils: Sequence[Pupil], date_format: str = "%d-%m-%Y") -> list[list[str]]:
    """The pupils in the columns of ``WISE_HEADER`` (schoolWise's Dutch template)."""
    return [
        [
            p.student_number,
            p.group_code,
            p.group_name,
            str(p.year_group),
            p.initials,
            p.first_name,
            p.prefix,
            p.surname,
            p.birth_date.strftime(date_format),
            p.sex,
        ]
        for p in pupils
    ]


def parnassys_csv(spec: SchoolSpec, pupils: Sequence[Pupil]) -> bytes:
    """ParnasSys 'dBOS' file for the schoolWise template: UTF-8, ';', CRLF, dd-mm-jjjj."""
    return _csv(WISE_HEADER, wise_rows(pupils), ";").encode("utf-8") + b"\r\n"


def somtoday_csv(spec: SchoolSpec, pupils: Sequence[Pupil]) -> bytes:
    """SOMtoday list re-saved by Dutch Excel: Windows-1252, ';', d-m-jjjj, gender words,
    postcodes in three spellings, an empty e-mail leaving a trailing ';'."""
    header = (
        "Leerlingnummer;Roepnaam;Voorvoegsel;Achternaam;Stamgroep;Leerjaar;Geboortedatum;"
        "Geslacht;Straat;Huisnummer;Toevoeging;Postcode;Plaats;E-mailadres"
    ).split(";")
    rows = []
    for i, p in enumerate(pupils):
        digits, letters = p.postcode.split(" ")
        postcode = [f"{digits}{letters.lower()}", p.postcode, f"{digits}{letters}"][i % 3]
        rows.append(
            [
                p.student_number,
                p.first_name,
                p.prefix,
                p.surname,
                p.group_code.lower(),
                str(p.year_group),
                f"{p.birth_date.day}-{p.birth_date.month}-{p.birth_date.year}",
                "Man" if p.sex == "M" else "Vrouw",
                p.street,
                p.house_number,
                p.house_number_suffix,
                postcode,
                p.city,
                p.email if i % 4 else "",
            ]
        )
    return _csv(header, rows, ";").encode("cp1252")


def magister_xlsx(spec: SchoolSpec, pupils: Sequence[Pupil]) -> bytes:
    """Magister list from the search screen: an info sheet first, numeric Stamnr cells,
    real date cells for the birth date."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    info = wb.active
    assert info is not None
    info.title = "Info"
    info.append(["Export uit Magister"])
    info.append(["School", spec.name])
    info.append(["Schooljaar", _school_year(spec)])
    sheet = wb.create_sheet("Leerlingen")
    header = [
        "Stamnr",
        "Roepnaam",
        "Tussenv",
        "Achternaam",
        "Klas",
        "Studie",
        "Leerjaar",
        "Geb. datum",
        "E-mail",
    ]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for p in pupils:
        sheet.append(
            [
                int(p.student_number),
                p.first_name,
                p.prefix or None,
                p.surname,
                p.group_code,
                p.group_name.rsplit(" ", 1)[0] + f" {p.year_group}",
                p.year_group,
                p.birth_date,
                p.email,
            ]
        )
        sheet.cell(sheet.max_row, 8).number_format = "dd-mm-yyyy"
    out = io.BytesIO()
    wb.save(out)
    return _fixed_zip_times(out.getvalue())


HANDMADE_HEADER = [
    "Leerlingnummer",
    "Voornaam",
    "Tussenvoegsel",
    "Achternaam",
    "Groep",
    "Geboortedatum",
]


def _handmade_rows(pupils: Sequence[Pupil]) -> list[list[str]]:
    return [
        [
            p.student_number,
            p.first_name,
            p.prefix,
            p.surname,
            p.group_name,
            f"{p.birth_date.day}-{p.birth_date.month}-{p.birth_date.year}",
        ]
        for p in pupils
    ]


def _title(spec: SchoolSpec) -> str:
    return f"Leerlingenlijst {spec.name} schooljaar {_school_year(spec)}"


def handmade_ods(spec: SchoolSpec, pupils: Sequence[Pupil]) -> bytes:
    """A hand-kept list in LibreOffice: a title row and a blank row above the header."""
    from odf.element import Element
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    # odfpy collects namespace declarations in a class-level dict that grows with every
    # document written; start each document from the same state so its bytes repeat.
    Element.namespaces.clear()
    doc = OpenDocumentSpreadsheet()
    table = Table(name="Leerlingen")
    for values in [[_title(spec)], [], HANDMADE_HEADER, *_handmade_rows(pupils)]:
        row = TableRow()
        for value in values:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=value))
            row.addElement(cell)
        table.addElement(row)
    doc.spreadsheet.addElement(table)
    out = io.BytesIO()
    doc.write(out)
    return _fixed_zip_times(out.getvalue())


def handmade_xls(spec: SchoolSpec, pupils: Sequence[Pupil]) -> bytes:
    """The same hand-kept list saved as Excel 97-2003 (.xls, BIFF8)."""
    try:
        import xlwt
    except ImportError:
        from leerlingimport.errors import ConfigError

        raise ConfigError(
            "Voor het XLS-voorbeeld is xlwt nodig: pip install 'leerlingimport[synthetic]'."
        ) from None

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Blad1")
    sheet.write(0, 0, _title(spec))
    for r, values in enumerate([HANDMADE_HEADER, *_handmade_rows(pupils)], start=2):
        for c, value in enumerate(values):
            sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def handmade_csv(spec: SchoolSpec, pupils: Sequence[Pupil]) -> bytes:
    """The hand-kept list saved as Excel's 'CSV UTF-8': a BOM, ';', empty rows of separators."""
    text = _csv(HANDMADE_HEADER, _handmade_rows(pupils), ";") + ";;;;;\r\n;;;;;\r\n"
    return "\ufeff".encode() + text.encode("utf-8")


def edexml(spec: SchoolSpec, pupils: Sequence[Pupil]) -> bytes:
    """EDEXML 2.1 as ParnasSys and ESIS write it (groups, pupils; no BSN in our samples)."""
    groups = sorted({(p.group_code, p.group_name, p.year_group) for p in pupils})
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<EDEX>",
        "  <school>",
        f"    <schooljaar>{_school_year(spec)}</schooljaar>",
        f"    <brincode>{spec.brin}</brincode>",
        "    <dependancecode>00</dependancecode>",
        "    <xsdversie>2.1</xsdversie>",
        "  </school>",
        "  <groepen>",
    ]
    lines += [
        f'    <groep key="{escape(c)}"><naam>{escape(n)}</naam><jaargroep>{y}</jaargroep></groep>'
        for c, n, y in groups
    ]
    lines += ["  </groepen>", "  <leerlingen>"]
    for p in pupils:
        fields = [
            ("achternaam", p.surname),
            ("voorvoegsel", p.prefix),
            ("voorletters-1", p.initials.replace(".", "")),
            ("roepnaam", p.first_name),
            ("geboortedatum", p.birth_date.isoformat()),
            ("geslacht", "1" if p.sex == "M" else "2"),
            ("jaargroep", str(p.year_group)),
        ]
        body = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in fields if v)
        lines.append(
            f'    <leerling key="{escape(p.student_number)}">{body}'
            f'<groep key="{escape(p.group_code)}"/>'
            f"<postcodenl>{p.postcode.replace(' ', '')}</postcodenl></leerling>"
        )
    lines += ["  </leerlingen>", "</EDEX>", ""]
    return "\n".join(lines).encode("utf-8")


def zipped(name: str, content: bytes) -> bytes:
    """``content`` as the only pupil file in a ZIP, next to a small read-me (as schools send)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            zipfile.ZipInfo("LEESMIJ.txt", FIXED_TIME.timetuple()[:6]),
            "Leerlingbestand voor de bibliotheek.\r\n",
        )
        zf.writestr(zipfile.ZipInfo(name, FIXED_TIME.timetuple()[:6]), content)
    return out.getvalue()


def _csv(header: list[str], rows: list[list[str]], delimiter: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _school_year(spec: SchoolSpec) -> str:
    return f"{spec.school_year}-{spec.school_year + 1}"


def _fixed_zip_times(data: bytes) -> bytes:
    """Rewrite a ZIP-based document with fixed entry times: the same input, the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, FIXED_TIME.timetuple()[:6])
            fixed.compress_type = info.compress_type
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                content = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", _FIXED_STAMP, content)
            zf.writestr(fixed, content)
    return out.getvalue()
