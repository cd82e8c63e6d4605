"""Every benchmark, each figure next to its goal (issue 14), saved for the record.

    python bench/run.py [--quick] [--databases sqlite postgresql]

Writes bench/results/<UTC time>.json (the machine, every figure, every goal) and
bench/results/latest.{json,md,png}: the same, a table, and a chart of time against size.
``--quick`` runs two small import cases and skips the 100k ingest files (a smoke test).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
RESULTS = HERE / "results"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    os.environ.setdefault("LEERLINGIMPORT_OTP_KEY", "bench-only-key-" + "b" * 32)
    import cli_startup
    import import_scale
    import ingest_read
    import validate_rows
    import workbook

    start = time.perf_counter()
    record: dict[str, Any] = {"machine": machine(args.databases)}
    print("== start-up (cli_startup.py)", flush=True)
    record["startup"] = cli_startup.run()
    print("== ingest per format (ingest_read.py)", flush=True)
    record["ingest"] = ingest_read.run(quick=args.quick)
    print("== validate (validate_rows.py)", flush=True)
    record["validate"] = validate_rows.run()
    print("== the import in-process, next to its floor (import_scale.py)", flush=True)
    cases = import_scale.QUICK if args.quick else import_scale.CASES
    record["imports"] = import_scale.run(args.databases, cases)
    print(
        "== the workbook: one school through the notebooks, a batch through process-inbox",
        flush=True,
    )
    record["workbook"] = workbook.run(
        batch_pupils=100 if args.quick else 300, schools=4 if args.quick else 20
    )
    print("== other scripts", flush=True)
    record["other"] = other_scripts()
    record["seconds"] = round(time.perf_counter() - start, 1)
    record["machine"]["load_after"] = os.getloadavg()
    record["goals"] = goals(record)
    save(record)


OWN = {
    "run.py",
    "cli_startup.py",
    "ingest_read.py",
    "validate_rows.py",
    "import_scale.py",
    "workbook.py",
}


def other_scripts() -> dict[str, str]:
    """Every other script in bench/ (e.g. the printable list's, the workbook's), run as it is;
    what it printed is kept."""
    printed = {}
    for script in sorted(HERE.glob("*.py")):
        if script.name in OWN or script.name.startswith("_"):
            continue
        print(f"== {script.name}", flush=True)
        done = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, check=False
        )
        print(done.stdout + done.stderr[-2000:], flush=True)
        printed[script.name] = done.stdout if done.returncode == 0 else done.stderr[-2000:]
    return printed


def machine(databases: list[str]) -> dict[str, Any]:
    """What the figures were measured on."""
    import sqlite3
    from importlib.metadata import version

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        line.split()[1]
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    described: dict[str, Any] = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(int(memory) / 2**20, 1),
        "system": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "packages": {
            p: version(p) for p in ("pandas", "pyarrow", "SQLAlchemy", "psycopg", "python-calamine")
        },
        "commit": _git("rev-parse", "--short", "HEAD"),
        "load_before": os.getloadavg(),
    }
    if "postgresql" in databases:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres") as c:
            row = c.execute("SHOW server_version").fetchone()
            described["postgresql"] = row[0] if row else "?"
    return described


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=HERE, capture_output=True, text=True, check=False)
    return done.stdout.strip() or "?"


def goals(r: dict[str, Any]) -> list[dict[str, Any]]:
    """Each goal of issue 14 that this run measured: the figure, the goal, met or not."""
    out: list[dict[str, Any]] = []

    def goal(name: str, value: float, limit: float, unit: str) -> None:
        out.append(
            {
                "goal": name,
                "value": round(value, 2),
                "limit": limit,
                "unit": unit,
                "met": value < limit,
            }
        )

    goal("`--help` start-up (median wall)", r["startup"]["help"]["median_s"], 0.5, "s")
    goal("`check` of a small file (median wall)", r["startup"]["check"]["median_s"], 1.0, "s")
    for i in r["ingest"]:
        if i["rows"] >= 60_000:
            goal(
                f"ingest {i['format']} {i['rows']:,} rows / floor",
                i["ingest_s"] / i["floor_s"],
                1.5,
                "x",
            )
    imports = {(i["database"], i["pupils"], i["customers"]): i for i in r["imports"]}
    limits = {"sqlite": 15.0, "postgresql": 20.0}
    for (db, pupils, customers), i in imports.items():
        if pupils == 100_000 and customers == 1_000_000:
            first = i["import"]
            goal(f"{db}: 100k pupils into 1M customers", first["seconds"], limits[db], "s")
            goal(
                f"{db}: the same / the fair floor",
                first["seconds"] / i["floor"]["seconds"],
                1.5,
                "x",
            )
            goal(f"{db}: peak memory of that import", first["peak_mb"], 1536, "MB")
            listed = first["steps"].get("(printable list)")
            if listed is not None:
                goal(f"{db}: of which the printable list", listed, 3.0, "s")
            if "same_file" in i:
                goal(f"{db}: the same file again", i["same_file"]["seconds"], 5.0, "s")
                ratio = i["next_year"]["seconds"] / first["seconds"]
                goal(f"{db}: next school year / first import", ratio, 1.0001, "x")
        if pupils == 500 and customers == 1_000_000:
            goal(f"{db}: a 500-pupil school into 1M customers", i["import"]["seconds"], 1.0, "s")
    for db in {d for d, _, _ in imports}:
        scale = [
            i["import"]["seconds"] for (d, p, _), i in imports.items() if d == db and p == 1_000
        ]
        if len(scale) > 1:
            goal(
                f"{db}: 1k pupils, slowest / fastest of 10k-1M customers",
                max(scale) / min(scale),
                1.3,
                "x",
            )
    book = r.get("workbook")
    if book:
        one = book["one_school"]
        goal(f"workbook overhead, one {one['pupils']}-pupil school", one["overhead_s"], 10.0, "s")
        goal(
            "100-school September batch (projected)",
            book["inbox"]["projected_100_min"],
            15.0,
            "min",
        )
    goal("`make bench` (this run, without setting up the venv)", r["seconds"] / 60, 20.0, "min")
    return out


def save(record: dict[str, Any]) -> None:
    RESULTS.mkdir(exist_ok=True)
    stamp = record["machine"]["when"].replace(":", "").replace("-", "")[:15]
    text = json.dumps(record, indent=1, ensure_ascii=False)
    (RESULTS / f"{stamp}.json").write_text(text)
    (RESULTS / "latest.json").write_text(text)
    table = render(record)
    (RESULTS / "latest.md").write_text(table)
    chart(record, RESULTS / "latest.png")
    print(table)
    print(f"Saved: {RESULTS}/{stamp}.json, latest.json, latest.md, latest.png")


def render(r: dict[str, Any]) -> str:
    m = r["machine"]
    lines = [
        f"# Benchmark run {m['when']} (commit {m['commit']}, {r['seconds'] / 60:.1f} min)",
        "",
        f"{m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; {m['system']}; Python "
        f"{m['python']}, SQLite {m['sqlite']}, PostgreSQL {m.get('postgresql', '-')}; "
        + ", ".join(f"{k} {v}" for k, v in m["packages"].items())
        + f". Load average {m['load_before'][0]:.1f} before, {m['load_after'][0]:.1f} after.",
        "",
        "| goal | measured | limit | met |",
        "|---|---:|---:|---|",
    ]
    lines += [
        f"| {g['goal']} | {g['value']:,} {g['unit']} | {g['limit']:,} {g['unit']} | "
        f"{'yes' if g['met'] else '**no**'} |"
        for g in r["goals"]
    ]
    lines += [
        "",
        "| database | pupils | customers | import s | floor s | ratio | peak MB | steps (s, x) |",
    ]
    lines += ["|---|---:|---:|---:|---:|---:|---:|---|"]
    for i in r["imports"]:
        first, floor = i["import"], i["floor"]["seconds"]
        steps = ", ".join(f"{k} {v:.2f} ({v / floor:.2f}x)" for k, v in first["steps"].items())
        lines.append(
            f"| {i['database']} | {i['pupils']:,} | {i['customers']:,} | {first['seconds']:.2f} | "
            f"{floor:.2f} | {first['seconds'] / floor:.2f} | {first['peak_mb']} | {steps} |"
        )
    again = [i for i in r["imports"] if "same_file" in i]
    if again:
        lines += ["", "| database | pupils | customers | first s | same file s | next year s |"]
        lines += ["|---|---:|---:|---:|---:|---:|"]
        lines += [
            f"| {i['database']} | {i['pupils']:,} | {i['customers']:,} | "
            f"{i['import']['seconds']:.2f} | {i['same_file']['seconds']:.2f} | "
            f"{i['next_year']['seconds']:.2f} |"
            for i in again
        ]
    lines += ["", "| format | rows | ingest s | floor s | ratio |", "|---|---:|---:|---:|---:|"]
    lines += [
        f"| {i['format']} | {i['rows']:,} | {i['ingest_s']:.3f} | {i['floor_s']:.3f} | "
        f"{i['ingest_s'] / i['floor_s']:.2f} |"
        for i in r["ingest"]
    ]
    book = r.get("workbook")
    if book:
        one, batch = book["one_school"], book["inbox"]
        lines += [
            "",
            f"The workbook: one {one['pupils']}-pupil school in-process {one['in_process_s']} s, "
            f"through `leerlingimport import` {one['workbook_s']} s (overhead "
            f"{one['overhead_s']} s); {batch['schools']} schools of {batch['pupils']} pupils "
            f"through process-inbox {batch['flow_s']} s ({batch['per_school_s']} s a school; "
            f"100 schools projected {batch['projected_100_min']} min).",
        ]
    for name, text in r.get("other", {}).items():
        lines += ["", f"`{name}`:", "", "```", text.strip(), "```"]
    return "\n".join(lines) + "\n"


def chart(r: dict[str, Any], path: Path) -> None:
    """Time against size: the import and its floor against pupils (into the largest
    database), and the 1k-pupil import against the database's size."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (by_file, by_db) = plt.subplots(1, 2, figsize=(11, 4.2))
    for db in sorted({i["database"] for i in r["imports"]}):
        mine = [i for i in r["imports"] if i["database"] == db]
        largest = max(i["customers"] for i in mine)
        sized = sorted((i for i in mine if i["customers"] == largest), key=lambda i: i["pupils"])
        x = [i["pupils"] for i in sized]
        by_file.plot(x, [i["import"]["seconds"] for i in sized], "o-", label=f"{db} import")
        by_file.plot(x, [i["floor"]["seconds"] for i in sized], "s--", label=f"{db} floor")
        scale = sorted((i for i in mine if i["pupils"] == 1_000), key=lambda i: i["customers"])
        by_db.plot(
            [i["customers"] for i in scale], [i["import"]["seconds"] for i in scale], "o-", label=db
        )
    by_file.set(xscale="log", yscale="log", xlabel="pupils in the file", ylabel="seconds")
    by_file.set_title("Import vs its fair floor (largest database)")
    by_db.set(xscale="log", xlabel="customers in the database", ylabel="seconds")
    by_db.set_title("1,000 pupils into databases of growing size")
    by_db.set_ylim(bottom=0)
    for ax in (by_file, by_db):
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.suptitle(f"leerlingimport bench {r['machine']['when']} ({r['machine']['cores']} cores)")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


if __name__ == "__main__":
    main()
