"""Benchmark databases: a base of N customers made once and cached, fresh copies per run, and
the fair floor's two halves (capturing what an import wrote; writing it back plainly).

SQLite bases are files in bench/out/; PostgreSQL bases are databases ``bench_base_<N>`` on the
local server, copied with CREATE DATABASE ... TEMPLATE.
"""

from __future__ import annotations

import datetime as dt
import pickle
import shutil
from pathlib import Path
from typing import Any

from _data import OUT

PG = "postgresql+psycopg://postgres@127.0.0.1:5432"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PARAMS = Path(__file__).parents[1] / "params"
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


def base_url(kind: str, customers: int) -> str:
    """The cached base database with ``customers`` customers, seeded when missing (into a
    temporary name that is renamed when complete, so an interrupted seed is never used)."""
    name = f"bench_base_{customers}"
    if kind == "sqlite":
        path = OUT / f"{name}.db"
        if not path.exists():
            OUT.mkdir(exist_ok=True)
            partial = OUT / f"{name}.partial.db"
            partial.unlink(missing_ok=True)
            seed(f"sqlite:///{partial}", customers)
            partial.rename(path)
        return f"sqlite:///{path}"
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            c.execute(f'DROP DATABASE IF EXISTS "{name}_partial" WITH (FORCE)')
            c.execute(f'CREATE DATABASE "{name}_partial"')
            seed(f"{PG}/{name}_partial", customers)
            c.execute(f'ALTER DATABASE "{name}_partial" RENAME TO "{name}"')
    return f"{PG}/{name}"


def fresh_copy(base: str, kind: str, name: str) -> str:
    """A copy of ``base`` called ``name`` (replacing an earlier one)."""
    if kind == "sqlite":
        target = OUT / f"run_{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copy(base.removeprefix("sqlite:///"), target)
        return f"sqlite:///{target}"
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "bench_run_{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "bench_run_{name}" TEMPLATE "{base.rsplit("/", 1)[1]}"')
    return f"{PG}/bench_run_{name}"


def drop_copy(url: str) -> None:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def seed(url: str, customers: int) -> None:
    """The schema, the demo params and ``customers`` adults with a library card each, made by
    the database itself (one INSERT ... SELECT per table: a million in seconds)."""
    from sqlalchemy import bindparam, func, select, text

    from leerlingimport.db import make_engine, upgrade, writing
    from leerlingimport.db.tables import Customer, UTCDateTime
    from leerlingimport.library import register_params
    from leerlingimport.names import name_key
    from leerlingimport.params import load_params

    engine = make_engine(url)
    upgrade(engine)
    sqlite = engine.dialect.name == "sqlite"
    names = ", ".join(
        f"({k}, '{s.replace(chr(39), chr(39) * 2)}', '{name_key('', s)}')"
        for k, s in enumerate(SURNAMES)
    )
    born = (
        "date('1950-01-01', '+' || (i % 27000 * 7919 % 27000) || ' days')"
        if sqlite
        else ("DATE '1950-01-01' + (i % 27000 * 7919 % 27000)")
    )
    series = (
        "WITH RECURSIVE s(i) AS (SELECT :first UNION ALL SELECT i + 1 FROM s WHERE i < :last), "
        if sqlite
        else "WITH s(i) AS (SELECT generate_series(CAST(:first AS int), CAST(:last AS int))), "
    ) + f"names(k, surname, name_key) AS (VALUES {names}) "
    people = text(
        series
        + "INSERT INTO customers (id, role, surname, name_key, first_name, birth_date, source, "
        "created_at, updated_at) "
        f"SELECT i, 'adult', surname, name_key, 'Klant' || i, {born}, 'staff', :now, :now "
        f"FROM s JOIN names ON k = i * 7 % {len(SURNAMES)}"
    ).bindparams(bindparam("now", type_=UTCDateTime))
    cards = text(
        series + "INSERT INTO cards (number, customer_id, kind, status, is_primary, issued_at) "
        "SELECT '10' || substr('000000000000' || i, -12), i, 'library', 'active', TRUE, :now FROM s"
        if sqlite
        else series
        + "INSERT INTO cards (number, customer_id, kind, status, is_primary, issued_at) "
        "SELECT '10' || lpad(i::text, 12, '0'), i, 'library', 'active', TRUE, :now FROM s"
    ).bindparams(bindparam("now", type_=UTCDateTime))
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with writing(engine) as conn:
        register_params(conn, load_params(PARAMS))
        first = int(conn.scalar(select(func.coalesce(func.max(Customer.id), 0))) or 0) + 1
        bounds = {"first": first, "last": first + customers - 1, "now": now}
        conn.execute(people, bounds)
        conn.execute(cards, bounds)
        if not sqlite:  # explicit keys leave the sequence behind
            conn.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('customers', 'id'), "
                "(SELECT max(id) FROM customers))"
            )
    engine.dispose()


def _keyed_tables() -> list[Any]:
    """The tables with one integer primary key (new rows have higher keys), parents first."""
    from sqlalchemy import Integer

    from leerlingimport.db.tables import Base

    tables = []
    for table in Base.metadata.sorted_tables:
        keys = list(table.primary_key.columns)
        if len(keys) == 1 and isinstance(keys[0].type, Integer):
            tables.append(table)
    return tables


def high_keys(url: str) -> dict[str, int]:
    """Each keyed table's highest key now: what an import adds comes after it."""
    from sqlalchemy import func, select

    from leerlingimport.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        return {
            t.name: int(conn.scalar(select(func.coalesce(func.max(_key(t)), 0))) or 0)
            for t in _keyed_tables()
        }


def capture(url: str, before: dict[str, int], path: Path) -> dict[str, int]:
    """Store the rows an import added (as the database holds them) in ``path``; returns the
    count per table."""
    from leerlingimport.db import make_engine

    engine = make_engine(url)
    rows: dict[str, tuple[list[str], list[tuple[object, ...]]]] = {}
    with engine.connect() as conn:
        for t in _keyed_tables():
            result = conn.exec_driver_sql(
                f'SELECT * FROM "{t.name}" WHERE "{_key(t).name}" > {before[t.name]}'
            )
            found = [tuple(r) for r in result.fetchall()]
            if found:
                rows[t.name] = (list(result.keys()), found)
    path.write_bytes(pickle.dumps(rows))
    return {name: len(found) for name, (_, found) in rows.items()}


def write_plainly(url: str, path: Path) -> float:
    """Insert the captured rows in one transaction: executemany on SQLite, COPY on PostgreSQL.
    Returns the seconds the writing took (loading the capture is not counted)."""
    import time

    from psycopg.types.json import Json

    from leerlingimport.db import make_engine

    rows = pickle.loads(path.read_bytes())
    engine = make_engine(url)
    order = [t.name for t in _keyed_tables() if t.name in rows]
    raw = engine.raw_connection()
    try:
        start = time.perf_counter()
        cursor = raw.cursor()
        if url.startswith("sqlite"):
            cursor.execute("BEGIN IMMEDIATE")  # the engine's connections are in autocommit mode
        for name in order:
            columns, values = rows[name]
            quoted = ", ".join(f'"{c}"' for c in columns)
            if url.startswith("sqlite"):
                marks = ", ".join("?" for _ in columns)
                cursor.executemany(f'INSERT INTO "{name}" ({quoted}) VALUES ({marks})', values)
            else:
                with cursor.copy(f'COPY "{name}" ({quoted}) FROM STDIN') as copy:  # type: ignore[attr-defined]
                    for row in values:
                        copy.write_row([Json(v) if isinstance(v, dict | list) else v for v in row])
        raw.commit()
        return time.perf_counter() - start
    finally:
        raw.close()
        engine.dispose()


def _key(table: Any) -> Any:
    return next(iter(table.primary_key.columns))
