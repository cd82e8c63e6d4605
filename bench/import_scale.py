"""The whole import in-process (ingest to deregister), next to a fair floor, at several sizes.

The floor reads the same file with the same reader (``ingest``) and inserts the very rows the
import wrote, in every table (captured from the import's own database), with a plain
executemany (SQLite) or COPY (PostgreSQL) in one transaction. The import's time is reported
per step, each as a multiple of the floor. Each measurement runs in a fresh process on a fresh
copy of a cached base database of N customers, so its peak RSS is its own.

    python bench/import_scale.py [sqlite|postgresql ...] [--quick]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _data import OUT, bench_file, next_year_file
from _db import PARAMS, base_url, capture, drop_copy, fresh_copy, high_keys, write_plainly

# (pupils, customers in the database, also the same file again and a next-school-year file)
CASES = [
    (1_000, 10_000, False),
    (1_000, 100_000, False),
    (1_000, 1_000_000, False),
    (500, 1_000_000, False),
    (10_000, 1_000_000, False),
    (100_000, 1_000_000, True),
]
SMALL = 1_000  # pupils: up to this many, an import is measured three times
QUICK = [(1_000, 10_000, True), (10_000, 100_000, False)]
PARTIAL = Path(__file__).parent / "results" / "imports-partial.json"
FIRST = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
NEXT = dt.datetime(2027, 9, 1, tzinfo=dt.UTC)
# The steps of leerlingimport.pipeline, timed where it calls them (a step that moves or is
# added is timed once it is named here), and two parts of the password step.
STEPS = [
    "start_run",
    "ingest_step",
    "validate_step",
    "_same_file_before",
    "enroll",
    "issue_passwords",
    "deregister",
    "finish_run",
]
PARTS = {"pupil_one_time_passwords": "one-time passwords", "write_school_list": "printable list"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("databases", nargs="*", default=["sqlite", "postgresql"])
    parser.add_argument("--quick", action="store_true", help="two small cases only")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--json", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(STEP_FUNCTIONS[args.step](**json.loads(args.json))))
        return
    run(args.databases, QUICK if args.quick else CASES)


def run(databases: list[str], cases: list[tuple[int, int, bool]]) -> list[dict[str, Any]]:
    """Measure every case on every database; prints a line per measurement."""
    os.environ.setdefault("LEERLINGIMPORT_OTP_KEY", "bench-only-key-" + "b" * 32)
    results = []
    for kind in databases:
        for pupils, customers, again in cases:
            start = time.perf_counter()
            base = base_url(kind, customers)
            made = time.perf_counter() - start
            if made > 1:
                print(f"  {kind}: made a base of {customers:,} customers in {made:.0f} s")
            results.append(measure(kind, base, pupils, customers, again))
            PARTIAL.parent.mkdir(exist_ok=True)
            PARTIAL.write_text(json.dumps(results, indent=1))  # kept if a later case fails
    return results


def measure(kind: str, base: str, pupils: int, customers: int, again: bool) -> dict[str, Any]:
    path = bench_file("csv", pupils)
    captured = OUT / f"captured_{kind}.pickle"
    # A small import takes about a second, of which the machine's noise can be a third: its
    # figure is the fastest of three, each on a fresh copy (the rows written are the same).
    tries = []
    for _ in range(3 if pupils <= SMALL else 1):
        url = fresh_copy(base, kind, "import")
        before = high_keys(url)
        tries.append(_in_process("import", url=url, path=str(path), now=FIRST.isoformat()))
    first = min(tries, key=lambda t: float(t["seconds"]))
    first["rows"] = capture(url, before, captured)
    result: dict[str, Any] = {
        "database": kind,
        "pupils": pupils,
        "customers": customers,
        "import": first,
    }
    if again:
        result["same_file"] = _in_process("import", url=url, path=str(path), now=FIRST.isoformat())
        later = next_year_file(pupils)
        result["next_year"] = _in_process("import", url=url, path=str(later), now=NEXT.isoformat())
    drop_copy(url)
    url = fresh_copy(base, kind, "floor")
    result["floor"] = _in_process("floor", url=url, path=str(path), captured=str(captured))
    drop_copy(url)
    _show(result)
    return result


def _show(r: dict[str, Any]) -> None:
    floor, first = r["floor"]["seconds"], r["import"]["seconds"]
    print(
        f"  {r['database']:<10} {r['pupils']:>7,} pupils into {r['customers']:>9,}: "
        f"import {first:6.2f} s  floor {floor:6.2f} s  ratio {first / floor:5.2f}  "
        f"peak {r['import']['peak_mb']} MB"
        + "".join(f"  {k} {r[k]['seconds']:.2f} s" for k in ("same_file", "next_year") if k in r),
        flush=True,
    )
    steps = "  ".join(f"{k} {v:.2f} ({v / floor:.2f}x)" for k, v in r["import"]["steps"].items())
    print(f"      steps: {steps}", flush=True)


def _in_process(step: str, **kwargs: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--step", step, "--json", json.dumps(kwargs)],
        check=False,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        sys.exit(f"bench step {step} failed:\n{out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def import_step(url: str, path: str, now: str) -> dict[str, Any]:
    """One in-process import of ``path``, timed as a whole and per step."""
    from leerlingimport.db import make_engine
    from leerlingimport.params import load_params
    from leerlingimport.pipeline import run_import

    params = load_params(PARAMS)
    engine = make_engine(url)
    data = Path(path).read_bytes()
    steps = _time_steps()
    start = time.perf_counter()
    result = run_import(
        engine,
        data,
        Path(path).name,
        params,
        "99ZZ",
        data_dir=OUT / "var",
        now=dt.datetime.fromisoformat(now),
        confirm_deregistration=True,
    )
    seconds = time.perf_counter() - start
    assert result.status == "applied", (result.status, result.error, result.issues[:3])
    return {
        "seconds": round(seconds, 3),
        "peak_mb": _peak_mb(),
        "counts": result.counts,
        "steps": {k: round(v, 3) for k, v in steps.items()},
    }


def floor_step(url: str, path: str, captured: str) -> dict[str, Any]:
    """The floor: the same reader on the same file, then the captured rows written plainly."""
    from leerlingimport.intake import ingest

    data = Path(path).read_bytes()
    start = time.perf_counter()
    ingested = ingest(data, Path(path).name)
    read = time.perf_counter() - start
    assert not ingested.rejected
    write = write_plainly(url, Path(captured))
    return {
        "seconds": round(read + write, 3),
        "read_s": round(read, 3),
        "write_s": round(write, 3),
        "peak_mb": _peak_mb(),
    }


STEP_FUNCTIONS = {"import": import_step, "floor": floor_step}


def _time_steps() -> dict[str, float]:
    import leerlingimport.passwords as passwords
    import leerlingimport.pipeline as pipeline

    spent: dict[str, float] = {}

    def timed(module: object, name: str, label: str) -> None:
        original = getattr(module, name, None)
        if original is None:
            return

        def wrapper(*args: object, **kwargs: object) -> object:
            begin = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - begin

        setattr(module, name, wrapper)

    for name in STEPS:
        timed(pipeline, name, name.strip("_").removesuffix("_step"))
    for name, label in PARTS.items():
        timed(passwords, name, f"({label})")
    return spent


def _peak_mb() -> int:
    """This process's peak resident memory (VmHWM: ru_maxrss would carry the parent's peak
    over fork and exec)."""
    status = Path("/proc/self/status").read_text()
    line = next(x for x in status.splitlines() if x.startswith("VmHWM:"))
    return round(int(line.split()[1]) / 1024)


if __name__ == "__main__":
    main()
