"""Connecting to SQLite or PostgreSQL, and the transactions every writing step uses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, exc
from sqlalchemy.engine import make_url

from leerlingimport.errors import ConfigError, DatabaseUnavailable

_WRITE = "leerlingimport_write"


def make_engine(url: str) -> Engine:
    """An engine for ``url``: SQLite (WAL, foreign keys, waits on locks) or PostgreSQL."""
    try:
        parsed = make_url(url)
    except exc.ArgumentError as err:
        raise ConfigError(f"De database-URL '{url}' is ongeldig: {err}") from err
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed.render_as_string(hide_password=False))
    if parsed.get_backend_name() != "postgresql":
        raise ConfigError(f"Database '{parsed.get_backend_name()}' wordt niet ondersteund.")
    return create_engine(parsed, pool_pre_ping=True, hide_parameters=True)


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # hide_parameters: an error message must never carry a pupil's data into a log.
    engine = create_engine(url, connect_args={"timeout": 60}, hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (SQLAlchemy's recipe).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A writing transaction takes the write lock at once, so two writers queue up instead
        # of failing when a reader tries to become a writer.
        immediate = conn.get_execution_options().get(_WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """One transaction that writes: committed when the block ends, rolled back on any error."""
    with _mapped_errors(), engine.connect() as conn:
        conn = conn.execution_options(**{_WRITE: True})
        with conn.begin():
            yield conn


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection for reading; anything it did is rolled back at the end."""
    with _mapped_errors(), engine.connect() as conn:
        yield conn


@contextmanager
def _mapped_errors() -> Iterator[None]:
    try:
        yield
    except exc.OperationalError as err:
        if err.connection_invalidated or _is_connect_error(err):
            raise DatabaseUnavailable(
                f"De database is niet bereikbaar ({err.orig}). Probeer het later opnieuw."
            ) from err
        raise


def _is_connect_error(err: exc.OperationalError) -> bool:
    text = str(err.orig).lower()
    return any(
        s in text for s in ("connection refused", "could not connect", "unable to open database")
    )
