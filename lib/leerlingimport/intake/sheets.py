"""Spreadsheets (XLSX, XLS, ODS) read with python-calamine: fast, and its XML reader expands no
entities. Before it runs, every XML member is checked for a DTD, and formula cells are found so
they can be reported (calamine returns the cached value; a formula is never evaluated)."""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

from leerlingimport.intake.containers import Container, Refused, check_xml, read_member

Cell = str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None


@dataclass(frozen=True)
class Grid:
    """One sheet: its name, whether a person sees it, and its cells from A1 on."""

    name: str
    visible: bool
    rows: Sequence[Sequence[Cell]]


def read_workbook(data: bytes, container: Container) -> list[Grid]:
    """Every worksheet of the workbook, cells typed as calamine reads them; read in a child
    process under a memory and time cap (``bounded``), after the XML safety checks."""
    from leerlingimport.intake.bounded import read_bounded

    if container in ("xlsx", "ods"):
        _check_xml_members(data)
    grids = read_bounded(data, container)
    assert isinstance(grids, list)
    return grids


def read_grids(data: bytes, container: Container) -> list[Grid]:
    """The reader itself: run it only through ``read_workbook``."""
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetVisibleEnum

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
        raise Refused(
            "unsupported-file",
            (f"werkmap niet te lezen: {str(err)[:80]}", f"unreadable workbook: {str(err)[:80]}"),
        ) from None


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
                found += [f"{count} ×"] if count else []
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
EPOCH_1904 = dt.date(1904, 1, 1)  # Excel for Mac's old date system: serial 0 is 1 January 1904
_DATE1904 = re.compile(rb"<(?:\w+:)?workbookPr\b[^>]*\bdate1904=\"(?:1|true)\"")


def serial_to_date(value: float, epoch: dt.date = EXCEL_EPOCH) -> dt.date | None:
    """An Excel date serial as a date in the workbook's date system; None when it cannot be
    one."""
    if not 1 <= value < 2958466:
        return None
    return epoch + dt.timedelta(days=int(value))


def workbook_epoch(data: bytes, container: Container) -> dt.date:
    """Day zero of the workbook's date serials: 1904 when the workbook says so (XLSX's
    ``date1904``, XLS's DATEMODE record), else Excel's 1900 system."""
    if container == "xlsx":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names:
                return (
                    EPOCH_1904
                    if _DATE1904.search(read_member(archive, "xl/workbook.xml"))
                    else EXCEL_EPOCH
                )
    if container == "xls":
        return EPOCH_1904 if _xls_date1904(data) else EXCEL_EPOCH
    return EXCEL_EPOCH


def _xls_date1904(data: bytes) -> bool:
    """Whether the BIFF8 workbook globals hold DATEMODE = 1 (records before the first EOF)."""
    import olefile

    with olefile.OleFileIO(data) as ole:
        streams = {"/".join(map(str, s)) for s in ole.listdir(streams=True, storages=False)}
        stream = "Workbook" if "Workbook" in streams else "Book"
        if stream not in streams:
            return False
        biff = bytes(ole.openstream(stream).read(1 << 20))  # type: ignore[arg-type]
    position = 0
    while position + 4 <= len(biff):
        kind, length = struct.unpack_from("<HH", biff, position)
        if kind == 0x0022 and length >= 2:  # DATEMODE
            return bool(struct.unpack_from("<H", biff, position + 4)[0] == 1)
        if kind == 0x000A:  # EOF of the globals
            return False
        position += 4 + length
    return False
