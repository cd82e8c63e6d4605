"""Import 100k pupils into a database that already holds 1M customers (SQLite, PostgreSQL).

Next to the floor: the same rows read with calamine and inserted with a plain executemany into
customers, cards and enrollments. Goal: the whole pipeline within 2x of that floor, peak memory
under 1.5 GB. Each measurement runs in a fresh process, so its peak RSS is its own.

    python bench/sync_import.py [sqlite|postgresql] [--customers N] [--pupils N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _data import OUT, bench_file

PG = "postgresql+psycopg://postgres@127.0.0.1:5432"
SURNAMES = [
    "Jansen",
    "de Vries",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "Mulder",
    "de Boer",
    "Yılmaz",
    "El Idrissi",
    "Peeters",
    "Maes",
    "van Dijk",
    "Bos",
    "Vos",
    "Peters",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("database", choices=["sqlite", "postgresql"], nargs="?", default="sqlite")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--pupils", type=int, default=100_000)
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        step = {"seed": seed, "floor": floor, "pipeline": pipeline}[args.step]
        print(json.dumps(step(args.url, args)))
        return
    base = base_database(args)
    print(f"{args.database}: {args.pupils:,} pupils into {args.customers:,} customers")
    results = {}
    for step in ("floor", "pipeline"):
        url = fresh_copy(base, args, step)
        results[step] = run_step(step, url, args)
        shown = results[step]
        print(
            f"  {step:<9} {shown['seconds']:7.1f} s   peak {shown['peak_mb']:6.0f} MB"
            + "".join(f"   {k} {v}" for k, v in shown.items() if k not in ("seconds", "peak_mb")),
            flush=True,
        )
    ours, base = results["pipeline"], results["floor"]
    ratio = float(ours["seconds"]) / float(base["seconds"])  # type: ignore[arg-type]
    rest = float(ours["seconds"]) - float(ours.get("otp_s", 0)) - float(ours.get("export_s", 0))  # type: ignore[arg-type]
    print(
        f"  ratio     {ratio:7.2f}x (goal: within 2x); without one-time passwords and the "
        f"printable list: {rest / float(base['seconds']):.2f}x"
    )  # type: ignore[arg-type]


def run_step(step: str, url: str, args: argparse.Namespace) -> dict[str, object]:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            args.database,
            "--step",
            step,
            "--url",
            url,
            "--customers",
            str(args.customers),
            "--pupils",
            str(args.pupils),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def base_database(args: argparse.Namespace) -> str:
    """A database with the schema, the demo params and ``customers`` customers (made once)."""
    name = f"bench_base_{args.customers}"
    if args.database == "sqlite":
        path = OUT / f"{name}.db"
        if not path.exists():
            run_step("seed", f"sqlite:///{path}", args)
        return f"sqlite:///{path}"
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            c.execute(f'CREATE DATABASE "{name}"')
            run_step("seed", f"{PG}/{name}", args)
    return f"{PG}/{name}"


def fresh_copy(base: str, args: argparse.Namespace, step: str) -> str:
    if args.database == "sqlite":
        source = Path(base.removeprefix("sqlite:///"))
        target = OUT / f"run_{step}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copy(source, target)
        return f"sqlite:///{target}"
    import psycopg

    name = f"bench_run_{step}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}" TEMPLATE "{base.rsplit("/", 1)[1]}"')
    return f"{PG}/{name}"


def seed(url: str, args: argparse.Namespace) -> dict[str, object]:
    from sqlalchemy import insert

    from leerlingimport.db import make_engine, upgrade, writing
    from leerlingimport.db.tables import Card, Customer
    from leerlingimport.library import register_params
    from leerlingimport.params import load_params

    engine = make_engine(url)
    upgrade(engine)
    rng = random.Random(1)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with writing(engine) as conn:
        register_params(conn, load_params(Path(__file__).parents[1] / "params"))
        for start in range(0, args.customers, 50_000):
            n = min(50_000, args.customers - start)
            ids = (
                conn.execute(
                    insert(Customer).returning(Customer.id, sort_by_parameter_order=True),
                    [
                        {
                            "role": "adult",
                            "surname": rng.choice(SURNAMES),
                            "first_name": f"Klant{start + i}",
                            "birth_date": dt.date(1950, 1, 1)
                            + dt.timedelta(days=rng.randint(0, 27000)),
                            "created_at": now,
                            "updated_at": now,
                        }
                        for i in range(n)
                    ],
                )
                .scalars()
                .all()
            )
            conn.execute(
                insert(Card),
                [
                    {
                        "number": f"10{start + i:012d}",
                        "customer_id": cid,
                        "kind": "library",
                        "issued_at": now,
                    }
                    for i, cid in enumerate(ids)
                ],
            )
    engine.dispose()
    return {"seeded": args.customers}


def floor(url: str, args: argparse.Namespace) -> dict[str, object]:
    import pandas as pd
    from sqlalchemy import insert

    from leerlingimport.db import make_engine, writing
    from leerlingimport.db.tables import Card, Customer, Enrollment

    path = bench_file("xlsx", args.pupils)
    engine = make_engine(url)
    start = time.perf_counter()
    table = pd.read_excel(path, engine="calamine", dtype=str, keep_default_na=False)
    now = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
    with writing(engine) as conn:
        ids = (
            conn.execute(
                insert(Customer).returning(Customer.id, sort_by_parameter_order=True),
                [
                    {
                        "role": "pupil",
                        "surname": r.NAAM,
                        "first_name": r.ROEPNAAM,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for r in table.itertuples()
                ],
            )
            .scalars()
            .all()
        )
        conn.execute(
            insert(Card),
            [
                {"number": f"20{i:012d}", "customer_id": c, "kind": "school", "issued_at": now}
                for i, c in enumerate(ids)
            ],
        )
        conn.execute(
            insert(Enrollment),
            [
                {
                    "customer_id": c,
                    "school_id": 1,
                    "student_number": n,
                    "group_code": g,
                    "year_group": int(y),
                    "started_on": now.date(),
                }
                for c, n, g, y in zip(
                    ids, table.LEERLINGNUMMER, table.GROEP, table.JAARGROEP, strict=True
                )
            ],
        )
    return _measured(start, {"rows": len(table)})


def pipeline(url: str, args: argparse.Namespace) -> dict[str, object]:
    from leerlingimport.db import make_engine
    from leerlingimport.params import load_params
    from leerlingimport.pipeline import run_import

    path = bench_file("xlsx", args.pupils)
    params = load_params(Path(__file__).parents[1] / "params")
    engine = make_engine(url)
    parts = _time_parts()
    start = time.perf_counter()
    result = run_import(
        engine,
        path.read_bytes(),
        path.name,
        params,
        "99ZZ",
        data_dir=OUT / "var",
        now=dt.datetime(2026, 9, 1, tzinfo=dt.UTC),
    )
    assert result.status == "applied", (result.status, result.error)
    return _measured(
        start, {"created": result.counts["created"], **{k: round(v, 1) for k, v in parts.items()}}
    )


def _time_parts() -> dict[str, float]:
    """Time the two parts the floor has no counterpart for: hashing the new pupils' one-time
    passwords and writing their printable list."""
    import leerlingimport.passwords as passwords_module

    parts: dict[str, float] = {}

    def timed(module: object, name: str, label: str) -> None:
        original = getattr(module, name)

        def wrapper(*args: object, **kwargs: object) -> object:
            begin = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                parts[label] = parts.get(label, 0.0) + time.perf_counter() - begin

        setattr(module, name, wrapper)

    timed(passwords_module, "pupil_one_time_passwords", "otp_s")
    timed(passwords_module, "_write_list", "export_s")
    return parts


def _measured(start: float, extra: dict[str, object]) -> dict[str, object]:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": round(time.perf_counter() - start, 2), "peak_mb": round(peak), **extra}


if __name__ == "__main__":
    main()
