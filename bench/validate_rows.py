"""Validating 10k and 100k pupils, next to ingesting them. Goal: well under a second more."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _data import bench_file

from leerlingimport.intake import ingest
from leerlingimport.params import SchoolParams
from leerlingimport.validation import validate

SCHOOL = SchoolParams(brin="99ZZ", name="Bench School", branch="0101")


def run() -> list[dict[str, object]]:
    results: list[dict[str, object]] = []
    print(f"{'rows':>7} {'ingest s':>9} {'validate s':>11} {'issues':>7}")
    for count in (10_000, 100_000):
        data = bench_file("csv", count).read_bytes()
        read = ingest(data, "pupils.csv")
        ingest_s, validate_s = [], []
        for _ in range(3):
            start = time.perf_counter()
            read = ingest(data, "pupils.csv")
            middle = time.perf_counter()
            checked = validate(read, SCHOOL)
            validate_s.append(time.perf_counter() - middle)
            ingest_s.append(middle - start)
        assert len(checked.valid) > 0.9 * count
        print(f"{count:7d} {min(ingest_s):9.3f} {min(validate_s):11.3f} {len(checked.issues):7d}")
        results.append({"rows": count, "ingest_s": min(ingest_s), "validate_s": min(validate_s)})
    return results


if __name__ == "__main__":
    run()
