"""Writing the school's printable list: .xlsx (rustpy-xlsxwriter, constant memory) for 10k and
100k pupils next to the goal (100k in under 3 s on a quiet 2-core machine, peak memory under
300 MB) and the floor (the same five strings a pupil, written as one plain sheet by
rustpy-xlsxwriter: no grouping, sorting, cleaning, headings or print setup), and .ods (odfpy)
for 1k and 10k. Each figure in a process of its own, so its peak memory is its own (it includes
the synthetic pupils the process makes first: "table MB"). Wall and CPU seconds: on a shared
machine the CPU time is what the writing costs. ``school_list.py xlsx 100000`` runs one."""

from __future__ import annotations

import datetime as dt
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _data import SPEC

from leerlingimport.printable import ListHeading, write_ods, write_xlsx
from leerlingimport.synthetic.people import make_pupils

HEADING = ListHeading("Bench School", "99ZZ", 2026, dt.datetime(2026, 10, 31, 10, 0))
GOAL_S, GOAL_MB = 3.0, 300
COLUMNS = ["surname", "prefix", "first_name", "card_number", "one_time_password"]


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


def floor(table: pd.DataFrame, path: Path, _: object) -> None:
    import rustpy_xlsxwriter as rx

    rx.write_worksheet(table[COLUMNS].fillna(""), str(path), autofit=False)


def measure(fmt: str, count: int) -> tuple[float, ...]:
    """One figure, in a process of its own: its own peak memory, nothing left behind."""
    done = subprocess.run(
        [sys.executable, __file__, fmt, str(count)], capture_output=True, text=True, check=True
    )
    return tuple(float(figure) for figure in done.stdout.split())


def one(fmt: str, count: int) -> None:
    """Make the pupils, write them once; print wall s, CPU s, peak MB, MB before writing."""
    table = pupils(count)
    rss = int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    with tempfile.TemporaryDirectory() as out:
        start, cpu = time.perf_counter(), time.process_time()
        WRITERS[fmt](table, Path(out) / f"list.{fmt}", HEADING)
        took, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(took, cpu, peak, rss / 2**20)


WRITERS: dict[str, Callable[[pd.DataFrame, Path, ListHeading], None]] = {
    "floor": floor,
    "xlsx": write_xlsx,
    "ods": write_ods,
}


def main() -> None:
    print(f"load average {os.getloadavg()[0]:.2f}")
    print(f"{'format':>6} {'pupils':>7} {'seconds':>8} {'CPU s':>8} {'peak MB':>8} {'table MB':>8}")
    for fmt, counts in (
        ("floor", (10_000, 100_000)),
        ("xlsx", (10_000, 100_000)),
        ("ods", (1_000, 10_000)),
    ):
        for count in counts:
            took, cpu, peak, table = measure(fmt, count)
            line = f"{fmt:>6} {count:7d} {took:8.2f} {cpu:8.2f} {peak:8.0f} {table:8.0f}"
            if fmt == "xlsx" and count == 100_000:
                met = took < GOAL_S and peak < GOAL_MB
                line += f"  goal: {GOAL_S:.0f} s, {GOAL_MB} MB: {'met' if met else 'NOT met'}"
            print(line, flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 3:
        one(sys.argv[1], int(sys.argv[2]))
    else:
        main()
