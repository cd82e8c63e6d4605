"""The school's printable list: every pupil who got a card or a one-time password in a run.

One sheet per group, headed by the school's name, the school year, the group and until when the
one-time passwords work; laid out to print (A4, fit to the page's width, the heading and column
row repeated on every page, the grid printed). Written as .xlsx (rustpy-xlsxwriter, the Python
binding of rust_xlsxwriter, in its constant-memory mode: 100,000 pupils in about a second, memory
flat) and as .ods (odfpy, up to ``ODS_LIMIT`` pupils) for schools that use LibreOffice, plus a
short letter for the school; each a run artifact with mode 0600 (``artifacts.write_secret``),
complete under its name or not there, never archived.

Every cell is text, and no cell ever becomes a formula: control characters are removed (one
vectorised pass per column), a value longer than a cell holds is cut, every .xlsx cell is a
string with Excel's quote prefix (LibreOffice: a string cell), so neither program evaluates a
value that starts with = + - or @, now or when someone edits the cell.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from leerlingimport.artifacts import write_secret
from leerlingimport.faults import fault_point
from leerlingimport.issues import Language

LIST_STEM = "nieuwe_leerlingen"
HEADER_ROW = 4  # the column row (1-based); above it the school, the group and the validity
FORMULA_START = ("=", "+", "-", "@")
_LIST_FILE = re.compile(rf"^\.?({LIST_STEM}(?:-\d+)?)(?:_brief)?\.(?:xlsx|ods|txt)(?:\.tmp)?$")
# odfpy builds the whole document in memory, about a second per thousand pupils: a longer list
# (a synthetic benchmark, never a school) comes as .xlsx only.
ODS_LIMIT = 10_000
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# A4 portrait, one page wide and as many down as needed, the heading rows on every page, the grid
# printed (the school cuts the list into slips)
_PAGE: dict[str, Any] = {
    "paper_size": 9,
    "fit_to_pages": (1, 0),
    "repeat_rows": (0, HEADER_ROW - 1),
    "print_gridlines": True,
}
MAX_CELL = 32_767  # the most characters a cell holds (Excel); a longer value is cut
_COLUMNS: dict[str, tuple[str, str, int]] = {  # field: Dutch, English, width (characters)
    "surname": ("Achternaam", "Surname", 24),
    "prefix": ("Tussenvoegsel", "Prefix", 13),
    "first_name": ("Roepnaam", "First name", 16),
    "card_number": ("Pasnummer", "Card number", 17),
    "one_time_password": ("Eenmalig wachtwoord", "One-time password", 21),
}


@dataclass(frozen=True)
class ListHeading:
    """What heads every sheet: the school, its school year (2026 for 2026/2027) and the local
    moment the one-time passwords stop working."""

    school: str
    brin: str
    school_year: int
    valid_until: dt.datetime
    language: Language = "nl"

    @property
    def year_text(self) -> str:
        return f"{self.school_year}/{self.school_year + 1}"


def neutralise(value: object) -> str:
    """A value as text for a spreadsheet cell or a line: missing is empty, control characters
    go. Write one that ``looks_like_formula`` as text with a quote prefix."""
    if value is None or value is pd.NA or value is pd.NaT or value != value:
        return ""
    return _CONTROL.sub("", str(value))


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_START)


def headers(language: Language = "nl") -> list[str]:
    return [nl if language == "nl" else en for nl, en, _ in _COLUMNS.values()]


def write_school_list(pupils: pd.DataFrame, xlsx: Path, heading: ListHeading) -> list[Path]:
    """Write ``pupils`` (group_code, group_name and the list's fields) as ``xlsx``, the same
    list as .ods beside it (up to ``ODS_LIMIT`` pupils) and the letter; each file complete
    under its own name (mode 0600) or not at all. Returns the paths written."""
    fault_point("passwords-writing")
    parts = list(groups(pupils))
    written = [write_secret(xlsx, lambda tmp: _write_xlsx(parts, tmp, heading))]
    if len(pupils) <= ODS_LIMIT:
        ods = xlsx.with_suffix(".ods")
        written.append(write_secret(ods, lambda tmp: _write_ods(parts, tmp, heading)))
    letter = _letter(parts, heading)
    written.append(
        write_secret(letter_path(xlsx), lambda tmp: tmp.write_text(letter, encoding="utf-8"))
    )
    return written


def list_files(directory: Path) -> dict[str, list[Path]]:
    """The list files in a run directory (finished or left half-written), by the name of the
    .xlsx they belong to: the .xlsx, its .ods and letter, and temporary files."""
    found: dict[str, list[Path]] = {}
    for path in directory.glob(f"*{LIST_STEM}*"):
        match = _LIST_FILE.match(path.name)
        if match:
            found.setdefault(f"{match[1]}.xlsx", []).append(path)
    return found


def groups(pupils: pd.DataFrame) -> Iterator[tuple[str, pd.DataFrame]]:
    """(the group as the school names it, its pupils as neutralised text in print order),
    groups in the natural order of their codes (G2 before G10)."""
    table = pd.DataFrame({column: _text(pupils[column]) for column in ["group_code", *_COLUMNS]})
    name = _text(pupils["group_name"])
    table["group"] = name.where(name != "", table["group_code"])
    table = table.sort_values(["surname", "first_name", "card_number"], kind="stable")
    members = table.groupby("group_code", sort=False).indices
    for code in sorted(map(str, members), key=_natural):
        rows = table.iloc[members[code]]
        yield str(rows["group"].iloc[0]), rows[list(_COLUMNS)].reset_index(drop=True)


def _text(column: pd.Series) -> pd.Series:
    """A column as text without control characters, missing as empty: one vectorised pass
    (Arrow's regular expressions, not Python's per value)."""
    text = column.astype("str").fillna("")
    return text.str.replace(_CONTROL.pattern, "", regex=True).str.slice(0, MAX_CELL)


def _sheets(parts: list[tuple[str, pd.DataFrame]]) -> list[tuple[str, pd.DataFrame]]:
    """The groups to write as sheets; an empty list is one sheet with only its headings."""
    return parts or [("", pd.DataFrame({column: pd.Series(dtype="str") for column in _COLUMNS}))]


def _natural(text: str) -> list[tuple[int, str]]:
    return [(int(p), "") if p.isdigit() else (0, p.casefold()) for p in re.split(r"(\d+)", text)]


def sheet_names(names: list[str]) -> list[str]:
    """Sheet names both programs accept: no []:*?/\\, at most 31 characters, all different."""
    taken: set[str] = set()
    out = []
    for name in names:
        base = re.sub(r"[\[\]:*?/\\']", "_", neutralise(name)).strip()[:31] or "Groep"
        candidate, number = base, 1
        while candidate.casefold() in taken:
            number += 1
            candidate = f"{base[: 31 - len(str(number)) - 1]}~{number}"
        taken.add(candidate.casefold())
        out.append(candidate)
    return out


def _title_lines(heading: ListHeading, group: str) -> list[str]:
    until = f"{heading.valid_until:%d-%m-%Y %H:%M}"
    if not re.match(r"(?i)(groep|group|klas|class)\b", group):
        group = f"{'Groep' if heading.language == 'nl' else 'Group'} {group}"
    if heading.language == "nl":
        return [
            f"{heading.school} ({heading.brin}), schooljaar {heading.year_text}",
            f"{group}: eenmalige wachtwoorden werken tot {until}",
        ]
    return [
        f"{heading.school} ({heading.brin}), school year {heading.year_text}",
        f"{group}: one-time passwords work until {until}",
    ]


def write_xlsx(pupils: pd.DataFrame, path: Path, heading: ListHeading) -> None:
    """The list as .xlsx, streamed (rustpy-xlsxwriter, rust_xlsxwriter's constant-memory mode):
    memory stays flat however long the list. Every cell is written as a string, never as a
    formula, and carries the quote prefix."""
    _write_xlsx(list(groups(pupils)), path, heading)


def _write_xlsx(parts: list[tuple[str, pd.DataFrame]], path: Path, heading: ListHeading) -> None:
    import rustpy_xlsxwriter as rx

    bold = rx.Format().set_bold().set_quote_prefix()
    text = rx.Format().set_quote_prefix()
    parts = _sheets(parts)
    names = sheet_names([group for group, _ in parts])
    columns = headers(heading.language)
    last = len(columns) - 1
    titles: dict[str, list[Any]] = {}  # the heading lines, each merged across the columns
    for name, (group, _) in zip(names, parts, strict=True):
        top, sub = (neutralise(line) for line in _title_lines(heading, group))
        titles[name] = [(0, 0, 0, last, top, bold), (1, 0, 1, last, sub, text)]
    rx.write_worksheets(
        [
            (name, rows.set_axis(columns, axis=1))
            for name, (_, rows) in zip(names, parts, strict=True)
        ],
        str(path),
        autofit=False,
        header_row={"general": HEADER_ROW - 1},
        header_format={"general": bold},
        column_widths={"general": [width for _, _, width in _COLUMNS.values()]},
        column_formats={"general": [text] * len(columns)},  # the quote prefix on every cell
        merge_ranges=titles,
        page_setup={"general": _PAGE},
    )


def write_ods(pupils: pd.DataFrame, path: Path, heading: ListHeading) -> None:
    """The list as .ods (odfpy): the same sheets, string cells only, A4 fitted to the width,
    the heading rows repeated on every printed page."""
    _write_ods(list(groups(pupils)), path, heading)


def _write_ods(parts: list[tuple[str, pd.DataFrame]], path: Path, heading: ListHeading) -> None:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import (
        MasterPage,
        PageLayout,
        PageLayoutProperties,
        Style,
        TableColumnProperties,
        TextProperties,
    )
    from odf.table import Table, TableColumn, TableHeaderRows

    doc = OpenDocumentSpreadsheet()
    layout = PageLayout(name="A4")
    layout.addElement(
        PageLayoutProperties(
            pagewidth="21cm",
            pageheight="29.7cm",
            printorientation="portrait",
            scaletox="1",  # one page wide, as many down as needed (LibreOffice)
            scaletoy="0",
        )
    )
    doc.automaticstyles.addElement(layout)
    doc.masterstyles.addElement(MasterPage(name="Default", pagelayoutname=layout))
    table_style = Style(name="ta1", family="table", masterpagename="Default")
    bold = Style(name="bold", family="table-cell")
    bold.addElement(TextProperties(fontweight="bold"))
    doc.automaticstyles.addElement(table_style)
    doc.automaticstyles.addElement(bold)
    widths = []
    for number, (_, _, width) in enumerate(_COLUMNS.values()):
        column = Style(name=f"co{number}", family="table-column")
        column.addElement(TableColumnProperties(columnwidth=f"{width * 0.21:.2f}cm"))
        doc.automaticstyles.addElement(column)
        widths.append(column)
    parts = _sheets(parts)
    for name, (group, rows) in zip(sheet_names([g for g, _ in parts]), parts, strict=True):
        table = Table(name=name, stylename=table_style)
        for column in widths:
            table.addElement(TableColumn(stylename=column))
        title, sub = _title_lines(heading, group)
        top = TableHeaderRows()
        top.addElement(_ods_row([title], bold))
        top.addElement(_ods_row([sub]))
        top.addElement(_ods_row([]))
        top.addElement(_ods_row(headers(heading.language), bold))
        table.addElement(top)
        for values in rows.itertuples(index=False, name=None):
            table.addElement(_ods_row(values))
        doc.spreadsheet.addElement(table)
    doc.save(str(path))


def _ods_row(values: Any, style: Any = None) -> Any:
    from odf.table import TableCell, TableRow
    from odf.text import P

    row = TableRow()
    for value in values:
        cell = (
            TableCell(valuetype="string", stylename=style)
            if style
            else TableCell(valuetype="string")
        )
        cell.addElement(P(text=neutralise(value)))
        row.addElement(cell)
    return row


def school_letter(pupils: pd.DataFrame, heading: ListHeading) -> str:
    """A short letter for the school that goes with the list (no passwords in it)."""
    return _letter(list(groups(pupils)), heading)


def _letter(parts: list[tuple[str, pd.DataFrame]], heading: ListHeading) -> str:
    counts = {group: len(rows) for group, rows in parts}
    total = sum(len(rows) for _, rows in parts)
    until = f"{heading.valid_until:%d-%m-%Y}"
    per_group = "\n".join(f"  - {neutralise(g)}: {n}" for g, n in counts.items())
    if heading.language == "en":
        return (
            f"To {heading.school} ({heading.brin}),\n\n"
            f"With this letter you receive the list of the {total} pupils who got a library "
            f"card or a one-time password for school year {heading.year_text}, one sheet per "
            f"group:\n{per_group}\n\n"
            "Please give every pupil their card number and one-time password. The password works "
            f"once, until {until}; at the first login the pupil chooses a password of their own. "
            "A pupil who already had a password of their own keeps it.\n\n"
            "The list holds personal data: destroy it once it has been handed out.\n\n"
            "Kind regards,\nThe library\n"
        )
    return (
        f"Aan {heading.school} ({heading.brin}),\n\n"
        f"Hierbij ontvangt u de lijst van de {total} leerlingen die voor schooljaar "
        f"{heading.year_text} een bibliotheekpas of een eenmalig wachtwoord hebben gekregen, "
        f"per groep op een eigen blad:\n{per_group}\n\n"
        "Wilt u elke leerling zijn of haar pasnummer en eenmalige wachtwoord geven? Het "
        f"wachtwoord werkt één keer, tot {until}; bij de eerste keer inloggen kiest de leerling "
        "een eigen wachtwoord. Een leerling die al een eigen wachtwoord had, houdt dat.\n\n"
        "De lijst bevat persoonsgegevens: vernietig hem als alles is uitgedeeld.\n\n"
        "Met vriendelijke groet,\nDe bibliotheek\n"
    )


def letter_path(xlsx: Path) -> Path:
    """The letter that goes with the list ``xlsx``."""
    return xlsx.with_name(f"{xlsx.stem}_brief.txt")


def read_school_list(path: Path | str) -> pd.DataFrame:
    """Every pupil on a written list (.xlsx or .ods), all sheets, as text, with ``sheet``."""
    sheets = pd.read_excel(
        path, sheet_name=None, header=HEADER_ROW - 1, dtype=str, engine="calamine"
    )
    frames = [frame.assign(sheet=name) for name, frame in sheets.items()]
    return pd.concat(frames, ignore_index=True).fillna("")


__all__ = [
    "HEADER_ROW",
    "LIST_STEM",
    "ODS_LIMIT",
    "ListHeading",
    "headers",
    "letter_path",
    "list_files",
    "looks_like_formula",
    "neutralise",
    "read_school_list",
    "school_letter",
    "write_ods",
    "write_school_list",
    "write_xlsx",
]
