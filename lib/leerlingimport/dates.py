"""Birth dates in the formats schools really write, parsed a whole column at a time.

ISO ``2014-03-07``; Dutch ``07-03-2014`` and Excel's short ``7-3-2014``; Belgian ``07/03/2014``;
``07.03.2014``; an Excel serial (``41705``). Day first, always: no Dutch or Flemish system writes
month first. A two-digit year is ambiguous (2014 or 1914?) and so is not guessed.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import pandas as pd

from leerlingimport.textops import extract, matches

DateStatus = Literal["ok", "empty", "bad", "ambiguous", "month_first"]

_ISO = r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[ T]00:00(?::00)?)?$"
_DMY = r"^(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$"
_SHORT_YEAR = r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{2}$"
_SERIAL = r"^\d{5}(?:\.0+)?$"
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(dates, statuses) for a column of text: dates as ``datetime64`` (NaT where none)."""
    text = values.fillna("").astype("str").str.strip()
    parts = extract(text, _ISO).astype("float64")
    dmy = extract(text, _DMY).astype("float64")[["y", "m", "d"]]
    parts = parts.fillna(dmy)
    dates = pd.to_datetime(
        pd.DataFrame({"year": parts["y"], "month": parts["m"], "day": parts["d"]}),
        errors="coerce",
    )
    serial = matches(text, _SERIAL)
    if serial.any():
        days = pd.to_numeric(text.where(serial), errors="coerce")
        dates = dates.fillna(_EXCEL_EPOCH + pd.to_timedelta(days, unit="D"))
    status = pd.Series("bad", index=text.index, dtype="str")
    status[dates.notna()] = "ok"
    status[matches(text, _SHORT_YEAR)] = "ambiguous"
    # One date with a 'month' above 12 and none with a 'day' above 12: the column is written
    # month first (an American export), so none of its day/month dates can be trusted.
    if (dmy["m"] > 12).any() and not (dmy["d"] > 12).any():
        status[dmy["d"].notna()] = "month_first"
    status[text == ""] = "empty"
    return dates.where(status == "ok"), status


def local_date(moment: dt.datetime, timezone: str) -> dt.date:
    """The library's calendar date at ``moment`` (stored timestamps stay UTC)."""
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(timezone)).date()


def school_year(day: dt.date) -> int:
    """The school year ``day`` falls in, by its first calendar year: 1 August starts a new one."""
    return day.year if day.month >= 8 else day.year - 1


def school_year_end(year: int) -> dt.date:
    """31 July at the end of school year ``year`` (2026 → 2027-07-31)."""
    return dt.date(year + 1, 7, 31)
