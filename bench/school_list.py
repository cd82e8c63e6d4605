"""Writing the school's printable list: .xlsx (XlsxWriter, constant memory) for 10k and 100k
pupils, next to the floor (the same strings written cell by cell with plain XlsxWriter, no
headings, sheets or print setup), and .ods (odfpy) for 1k and 10k, with the peak memory of each.
Goal: 100k pupils as .xlsx in a few seconds, memory flat."""

from __future__ import annotations

import datetime as dt
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _data import SPEC

from leerlingimport.printable import ListHeading, write_ods, write_xlsx
from leerlingimport.synthetic.people import make_pupils

HEADING = ListHeading("Bench School", "99ZZ", 2026, dt.datetime(2026, 10, 31, 10, 0))


def pupils(count: int) -> pd.DataFrame:
    ps = make_pupils(SPEC, count, random.Random(count), 100001)
    return pd.DataFrame(
        {
            "group_code": [p.group_code for p in ps],
            "group_name": [p.group_name for p in ps],
            "first_name": [p.first_name for p in ps],
            "prefix": [p.prefix for p in ps],
            "surname": [p.surname for p in ps],
            "card_number": [f"2099{i:09d}7" for i in range(count)],
            "one_time_password": ["abcdefghjkmn"] * count,
        }
    )


def floor(table: pd.DataFrame, path: Path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet()
    columns = ["surname", "prefix", "first_name", "card_number", "one_time_password"]
    for row, values in enumerate(table[columns].fillna("").itertuples(index=False, name=None)):
        for column, value in enumerate(values):
            sheet.write_string(row, column, value)
    book.close()


def main() -> None:
    print(f"{'format':>6} {'pupils':>7} {'seconds':>8} {'peak MB':>8}")
    with tempfile.TemporaryDirectory() as out:
        for fmt, counts, write in (
            ("floor", (10_000, 100_000), lambda t, p, _: floor(t, p)),
            ("xlsx", (10_000, 100_000), write_xlsx),
            ("ods", (1_000, 10_000), write_ods),
        ):
            for count in counts:
                table = pupils(count)
                start = time.perf_counter()
                write(table, Path(out) / f"list.{fmt}", HEADING)
                took = time.perf_counter() - start
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                print(f"{fmt:>6} {count:7d} {took:8.2f} {peak:8.0f}")


if __name__ == "__main__":
    main()
