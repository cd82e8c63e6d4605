"""Reading 10k and 100k pupils with ``ingest`` next to the floor: a plain pandas read.

The floor is ``pandas.read_csv(dtype=str)`` for CSV and ``read_excel(engine="calamine",
dtype=str)`` for the spreadsheets: what any reader must at least spend. Goal: within 1.5x.
XLS holds at most 65,536 rows, so its large case has 60,000 pupils.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _data import bench_file

from leerlingimport.intake import ingest

GOAL = 1.5  # ingest within this multiple of the floor
CASES = [
    ("csv", 10_000),
    ("csv", 100_000),
    ("xlsx", 10_000),
    ("xlsx", 100_000),
    ("xls", 10_000),
    ("xls", 60_000),
    ("ods", 10_000),
    ("ods", 100_000),
]


def best_of(runs: int, func: Callable[..., object], *args: object) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func(*args)
        times.append(time.perf_counter() - start)
    return min(times)


def floor(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    return pd.read_excel(path, engine="calamine", dtype=str)


def run(only: set[str] | None = None, quick: bool = False) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    print(f"{'format':6} {'rows':>7} {'ingest s':>9} {'floor s':>8} {'ratio':>6} goal {GOAL}x")
    for fmt, count in CASES:
        if (only and fmt not in only) or (quick and count > 10_000):
            continue
        path = bench_file(fmt, count)
        data = path.read_bytes()
        read = ingest(data, path.name)
        assert len(read.table) == count and not read.rejected, read.issues[:3]
        ours = best_of(3, ingest, data, path.name)
        base = best_of(3, floor, path)
        met = "met" if ours / base <= GOAL else "not met"
        print(f"{fmt:6} {count:7d} {ours:9.3f} {base:8.3f} {ours / base:6.2f} {met}", flush=True)
        results.append({"format": fmt, "rows": count, "ingest_s": ours, "floor_s": base})
    return results


if __name__ == "__main__":
    run(set(sys.argv[1:]))
