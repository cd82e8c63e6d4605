"""Large inserts the way a plain loader writes them, inside the caller's transaction.

SQLAlchemy's executemany processes every parameter of every row in Python (compiling, type
processing, and on PostgreSQL one long multi-VALUES statement that psycopg parses again); for
100,000 pupils that was most of the enroll step. Here every column is converted once, by the
column's own SQLAlchemy type, and the rows go straight to the driver: ``executemany`` on SQLite,
``COPY ... FROM STDIN`` on PostgreSQL. Keys are reserved up front (``reserve_keys``), so nothing
has to be read back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import repeat
from typing import Any, cast

from sqlalchemy import Connection, String, Table, bindparam, exc, func, select, text, update
from sqlalchemy.orm import DeclarativeBase


def bulk_insert(
    conn: Connection,
    model: type[DeclarativeBase],
    columns: Mapping[str, Sequence[Any]],
    constants: Mapping[str, Any] | None = None,
) -> int:
    """Insert one row per position of the equally long ``columns`` (name: values), with
    ``constants`` (name: value) in every row; returns the number of rows. Columns left out get
    NULL or their server default, never a Python-side default."""
    table = _table(model)
    lengths = {len(values) for values in columns.values()}
    if len(lengths) > 1:
        raise ValueError(f"columns of different lengths: {sorted(lengths)}")
    count = lengths.pop() if lengths else 0
    if count == 0:
        return 0
    names = [*columns, *(constants or {})]
    converted: list[Iterable[Any]] = [
        _converted(conn, table, name, values) for name, values in columns.items()
    ]
    for name, value in (constants or {}).items():
        converted.append(repeat(_converted(conn, table, name, [value])[0], count))
    rows = zip(*converted, strict=False)  # repeat() is endless; the columns bound it
    quoted = ", ".join(f'"{name}"' for name in names)
    if conn.dialect.name == "postgresql":
        statement = f'COPY "{table.name}" ({quoted}) FROM STDIN'
    else:
        marks = ", ".join("?" for _ in names)
        statement = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})'
    _send(conn, statement, rows)
    return count


def _send(conn: Connection, statement: str, rows: Iterable[tuple[Any, ...]]) -> None:
    """Through the connection's own driver connection, in its transaction; a driver error
    becomes SQLAlchemy's, as from ``conn.execute`` (so it is told to people the same way)."""
    driver = conn.dialect.loaded_dbapi
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        if conn.dialect.name == "postgresql":
            with cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(statement, rows)  # type: ignore[arg-type]  # any iterable
    except driver.Error as err:
        raise exc.DBAPIError.instance(
            statement, None, err, driver.Error, hide_parameters=True, dialect=conn.dialect
        ) from err
    finally:
        cursor.close()


def bulk_update(
    conn: Connection,
    model: type[DeclarativeBase],
    keys: Sequence[int],
    columns: Mapping[str, Sequence[Any]],
    constants: Mapping[str, Any] | None = None,
) -> None:
    """Set ``columns`` (name: one value per key) and ``constants`` (name: value) in the rows
    with primary keys ``keys``, each row written once. PostgreSQL takes them all in one
    statement over arrays (an executemany there is a statement per row); SQLite, whose
    statements cost no round trip, an executemany."""
    if not keys:
        return
    table = _table(model)
    key = next(iter(table.primary_key.columns))
    fixed = dict(constants or {})
    if conn.dialect.name != "postgresql":
        stmt = (
            update(table)
            .where(key == bindparam("_key"))
            .values({**{name: bindparam(f"_{name}") for name in columns}, **fixed})
        )
        params: list[dict[str, Any]] = [{"_key": k} for k in keys]
        for name, values in columns.items():
            for row, value in zip(params, values, strict=True):
                row[f"_{name}"] = value
        conn.execute(stmt, params)
        return
    arrays = [f"CAST(:_{n} AS {_element(table.c[n].type, conn)}[])" for n in columns]
    sets = [f'"{n}" = u."{n}"' for n in columns] + [f'"{n}" = :{n}' for n in fixed]
    names = ", ".join(f'"{n}"' for n in columns)
    stmt_text = text(
        f'UPDATE "{table.name}" SET {", ".join(sets)} '
        f"FROM unnest(CAST(:_keys AS integer[]), {', '.join(arrays)}) AS u(_key, {names}) "
        f'WHERE "{table.name}"."{key.name}" = u._key'
    ).bindparams(*(bindparam(n, type_=table.c[n].type) for n in fixed))
    arrays_in = {f"_{n}": _converted(conn, table, n, v) for n, v in columns.items()}
    conn.execute(stmt_text, {"_keys": list(keys), **arrays_in, **fixed})


def reserve_keys(conn: Connection, model: type[DeclarativeBase], count: int) -> list[int]:
    """``count`` new primary keys for ``table``, in order. PostgreSQL takes them from the
    table's sequence (other writers never get them); on SQLite the caller holds the write lock
    (BEGIN IMMEDIATE), so the keys after the highest are free."""
    if count == 0:
        return []
    table = _table(model)
    key = next(iter(table.primary_key.columns))
    if conn.dialect.name == "postgresql":
        sequence = f"pg_get_serial_sequence('{table.name}', '{key.name}')"
        reserved = conn.execute(
            text(f"SELECT nextval({sequence}) FROM generate_series(1, :n)"), {"n": count}
        )
        return [int(k) for k in reserved.scalars()]
    first = int(conn.scalar(select(func.coalesce(func.max(key), 0))) or 0) + 1
    return list(range(first, first + count))


def _element(kind: Any, conn: Connection) -> str:
    """The array element type for a column: text without a length, so a value too long for
    the column fails on assignment (a cast to ``varchar(n)`` would cut it silently)."""
    return "text" if isinstance(kind, String) else str(kind.compile(dialect=conn.dialect))


def _table(model: type[DeclarativeBase]) -> Table:
    return cast(Table, model.__table__)


def _converted(conn: Connection, table: Table, name: str, values: Iterable[Any]) -> list[Any]:
    """``values`` as the driver wants them, converted by the column's own type."""
    process = table.c[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    if process is None:
        return list(values)
    return [None if value is None else process(value) for value in values]
