"""Spreadsheets (XLSX, XLS, ODS) read with python-calamine: fast, and its XML reader expands no
entities. Before it runs, every XML member is checked for a DTD, and formula cells are found so
they can be reported (calamine returns the cached value; a formula is never evaluated)."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

from leerlingimport.ingest.containers import Container, Refused, check_xml, read_member

Cell = str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None


@dataclass(frozen=True)
class Grid:
    """One sheet: its name, whether a person sees it, and its cells from A1 on."""

    name: str
    visible: bool
    rows: Sequence[Sequence[Cell]]


def read_workbook(data: bytes, container: Container) -> list[Grid]:
    """Every worksheet of the workbook, cells typed as calamine reads them."""
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetVisibleEnum

    if container in ("xlsx", "ods"):
        _check_xml_members(data)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        grids = []
        for meta in workbook.sheets_metadata:
            if getattr(meta.typ, "name", "WorkSheet") != "WorkSheet":
                continue
            sheet = workbook.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=False)
            grids.append(Grid(meta.name, meta.visible == SheetVisibleEnum.Visible, rows))
        return grids
    except PasswordError:
        raise Refused("encrypted-file") from None
    except (CalamineError, ValueError, OSError) as err:
        raise Refused("unsupported-file", f"werkmap niet te lezen: {str(err)[:80]}") from None


def _check_xml_members(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if info.filename.endswith((".xml", ".rels")):
                check_xml(read_member(archive, info))


_XLSX_FORMULA = re.compile(rb"<f[\s>/]")
_XLSX_CELL_REF = re.compile(rb'\br="([A-Z]{1,3}[0-9]+)"')
_ODS_FORMULA = re.compile(rb"table:formula=")


def formula_cells(data: bytes, container: Container) -> list[str]:
    """Where the workbook holds formulas: cell references (XLSX) or a count (ODS)."""
    if container not in ("xlsx", "ods"):
        return []
    found: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in sorted(archive.namelist()):
            if container == "xlsx" and name.startswith("xl/worksheets/") and name.endswith(".xml"):
                found += _xlsx_formula_refs(read_member(archive, name))
            elif container == "ods" and name == "content.xml":
                count = len(_ODS_FORMULA.findall(read_member(archive, name)))
                found += [f"{count} cel(len)"] if count else []
    return found


def _xlsx_formula_refs(sheet: bytes) -> list[str]:
    """The reference of every cell holding a formula (found by its <f> tag, then its <c>)."""
    refs = []
    for match in _XLSX_FORMULA.finditer(sheet):
        start = sheet.rfind(b"<c ", 0, match.start())
        ref = _XLSX_CELL_REF.search(sheet, start, match.start()) if start >= 0 else None
        refs.append(ref[1].decode() if ref else "?")
    return refs


def cell_text(value: Cell) -> str:
    """A cell as the text a person sees: whole numbers without ``.0``, dates as ISO dates."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


EXCEL_EPOCH = dt.date(1899, 12, 30)


def serial_to_date(value: float) -> dt.date | None:
    """An Excel date serial (1900 system) as a date; None when it cannot be one."""
    if not 1 <= value < 2958466:
        return None
    return EXCEL_EPOCH + dt.timedelta(days=int(value))
