"""Connecting to SQLite or PostgreSQL, and the transactions every writing step uses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, exc
from sqlalchemy.engine import make_url

from leerlingimport.errors import (
    ConfigError,
    ConflictError,
    DatabaseError,
    DatabaseUnavailable,
    LeerlingimportError,
)

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
    except exc.DBAPIError as err:
        raise database_error(err) from err


# Unique constraints a person can run into: what SQLite or PostgreSQL names, and what to say.
_TAKEN = (
    (
        ("import_runs.school_id", "uq_import_runs_one_running"),
        "Er loopt al een import voor deze school; wacht tot die klaar is.",
    ),
    (
        ("customers.username", "uq_customers_username"),
        "Deze gebruikersnaam is al in gebruik; kies een andere.",
    ),
    (
        ("cards.number", "uq_cards_number"),
        "Dit pasnummer is al in gebruik; scan of kies een andere pas.",
    ),
    (("schools.brin", "uq_schools_brin"), "Deze school (BRIN) bestaat al."),
)


def database_error(err: exc.DBAPIError) -> LeerlingimportError:
    """A database error as a short Dutch sentence: never SQL, never bound values."""
    text = str(err.orig).lower()
    if isinstance(err, exc.OperationalError) and (
        err.connection_invalidated or _is_connect_error(err)
    ):
        return DatabaseUnavailable(
            "De database is niet bereikbaar. Controleer of de databaseserver draait en of de "
            "database-URL (--database-url of LEERLINGIMPORT_DATABASE_URL) klopt, en probeer het "
            "opnieuw."
        )
    if "no such table" in text or ("does not exist" in text and "relation" in text):
        return ConfigError(
            "De database is nog niet (bij)gewerkt. Voer eerst 'leerlingimport init' uit."
        )
    if isinstance(err, exc.IntegrityError):
        for names, message in _TAKEN:
            if any(name in text for name in names):
                return ConflictError(message)
        return ConflictError(
            "De database weigert deze wijziging omdat die botst met wat er al staat; er is "
            "niets gewijzigd. Probeer het opnieuw; blijft het gebeuren, meld het de beheerder."
        )
    if "locked" in text or "deadlock" in text or "could not serialize" in text:
        return DatabaseUnavailable("De database is even bezet. Probeer het zo opnieuw.")
    return DatabaseError(
        f"De database gaf een fout ({type(err.orig).__name__}); er is niets gewijzigd. Meld het "
        "de beheerder als het blijft gebeuren."
    )


def _is_connect_error(err: exc.OperationalError) -> bool:
    text = str(err.orig).lower()
    return any(
        s in text for s in ("connection refused", "could not connect", "unable to open database")
    )
