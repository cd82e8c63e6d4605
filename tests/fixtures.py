"""Small fixture files for tests, made from the project's own synthetic pupils."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import zipfile
from collections.abc import Sequence

import pandas as pd

from leerlingimport.synthetic import exports
from leerlingimport.synthetic.people import Pupil, SchoolSpec, make_pupils

PO = SchoolSpec("99ZZ", "OBS Test", "po", ("nl", "tr", "ma"), 2026)
VO = SchoolSpec("99XX", "Test College", "vo", ("nl", "tr", "ma"), 2026)
WISE_HEADER = exports.WISE_HEADER


def pupils(count: int = 12, spec: SchoolSpec = PO, seed: int = 1) -> list[Pupil]:
    return make_pupils(spec, count, random.Random(seed), 4001 if spec.sector == "po" else 21001)


def wise_rows(ps: Sequence[Pupil]) -> list[list[str]]:
    """The clean twin: Wise's template columns, ISO dates, exactly as the pupils are."""
    return exports.wise_rows(ps, "%Y-%m-%d")


def csv_bytes(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    delimiter: str = ";",
    encoding: str = "utf-8",
    bom: bool = False,
    tail: str = "",
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    data = (out.getvalue() + tail).encode(encoding)
    return (b"\xef\xbb\xbf" if bom else b"") + data


def xlsx_bytes(
    sheets: dict[str, Sequence[Sequence[object]]],
    hidden: Sequence[str] = (),
    formulas: dict[str, str] | None = None,
) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    for name, rows in sheets.items():
        sheet = wb.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
        if name in hidden:
            sheet.sheet_state = "hidden"
        for ref, formula in (formulas or {}).items():
            sheet[ref] = formula
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def replace_member(archive: bytes, name: str, data: bytes) -> bytes:
    """A copy of a ZIP-based document with one member's content replaced."""
    source = zipfile.ZipFile(io.BytesIO(archive))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            zf.writestr(info.filename, data if info.filename == name else source.read(info))
    return out.getvalue()


def expected(ps: Sequence[Pupil], fields: Sequence[str]) -> pd.DataFrame:
    """What the canonical table must hold for these pupils (birth dates as dates)."""
    rows = []
    for p in ps:
        row = {f: getattr(p, f) for f in fields}
        if "year_group" in row:
            row["year_group"] = str(p.year_group)
        rows.append(row)
    return pd.DataFrame(rows, columns=list(fields))


def as_dates(values: pd.Series) -> list[dt.date | None]:
    from leerlingimport.dates import parse_dates

    dates, _ = parse_dates(values)
    return [None if pd.isna(d) else d.date() for d in dates]
