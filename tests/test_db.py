from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, insert, inspect, select, update

from leerlingimport.db import current_revision, make_engine, reading, upgrade, writing
from leerlingimport.db.migrate import head_revision
from leerlingimport.db.tables import Base, ImportRun, School
from leerlingimport.errors import ConfigError, ConflictError, DatabaseError, DatabaseUnavailable

NOW = dt.datetime(2026, 9, 1, 8, 0, tzinfo=dt.UTC)


def test_migrations_create_everything_and_are_idempotent(database_url: str) -> None:
    engine = make_engine(database_url)
    assert current_revision(engine) is None
    assert upgrade(engine) == head_revision()
    assert upgrade(engine) == head_revision()  # a second run changes nothing and does not fail
    assert current_revision(engine) == head_revision()
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    with engine.connect() as conn:
        # The migrations and the models describe the same schema.
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    engine.dispose()


def _start_run(conn: object, school: int, run_id: str) -> None:
    conn.execute(  # type: ignore[attr-defined]
        insert(ImportRun).values(run_id=run_id, school_id=school, started_at=NOW, dry_run=False)
    )


def test_per_school_lock_refuses_a_second_running_import(engine: Engine) -> None:
    with reading(engine) as conn:
        zz, yy = (conn.scalar(select(School.id).where(School.brin == b)) for b in ("99ZZ", "99YY"))
    with writing(engine) as conn:
        _start_run(conn, zz, "run-1")
    with pytest.raises(ConflictError, match="loopt al een import"), writing(engine) as conn:
        _start_run(conn, zz, "run-2")
    with writing(engine) as conn:
        _start_run(conn, yy, "run-3")  # another school is not blocked
        conn.execute(update(ImportRun).where(ImportRun.run_id == "run-1").values(status="applied"))
    with writing(engine) as conn:
        _start_run(conn, zz, "run-4")  # the lock is free again once the first run finished
    with reading(engine) as conn:
        runs = conn.execute(select(ImportRun.run_id, ImportRun.status).order_by(ImportRun.id)).all()
    assert runs == [("run-1", "applied"), ("run-3", "running"), ("run-4", "running")]


def test_failed_transaction_leaves_nothing(engine: Engine) -> None:
    with pytest.raises(RuntimeError), writing(engine) as conn:
        conn.execute(update(School).values(name="Kapot"))
        raise RuntimeError("boom")
    with reading(engine) as conn:
        assert "Kapot" not in set(conn.scalars(select(School.name)))


def test_sqlite_pragmas(tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/p/x.db")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_unreachable_database_is_a_clear_error() -> None:
    engine = make_engine("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(DatabaseUnavailable, match="niet bereikbaar") as caught, reading(engine):
        pass
    assert caught.value.retryable
    engine.dispose()


def test_unsupported_database_url() -> None:
    with pytest.raises(ConfigError):
        make_engine("mysql://x/y")


def test_the_name_key_migration_fills_existing_customers(database_url: str) -> None:
    from alembic import command
    from sqlalchemy import text

    from leerlingimport.db.migrate import alembic_config

    engine = make_engine(database_url)
    command.upgrade(alembic_config(engine), "0002")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO customers (role, prefix, surname, source, created_at, updated_at)"
                " VALUES ('adult', 'De', 'VRIES', 'staff', :t, :t),"
                " ('pupil', NULL, 'Çelik-Öztürk', 'school_import', :t, :t)"
            ),
            {"t": NOW.isoformat(" ")},
        )
    upgrade(engine)
    with engine.connect() as conn:
        keys = conn.execute(text("SELECT name_key FROM customers ORDER BY id")).scalars().all()
    assert keys == ["devries", "celikozturk"]
    engine.dispose()


def test_the_school_year_migration_stamps_active_pupils_with_their_last_file(
    database_url: str,
) -> None:
    """end_of_school_year needs the school year each pupil was last in a file: for pupils
    from before migration 0003 it is the school year of their school's last import."""
    from alembic import command
    from sqlalchemy import text

    from leerlingimport.db.migrate import alembic_config

    engine = make_engine(database_url)
    command.upgrade(alembic_config(engine), "0002")
    statements = [
        "INSERT INTO branches (id, number, name, kind) VALUES (1, '0101', 'B', 'library')",
        "INSERT INTO schools (id, brin, name, branch_id, sector) VALUES (1, '99ZZ', 'S', 1, 'po')",
        "INSERT INTO customers (id, role, surname, source, created_at, updated_at)"
        " VALUES (1, 'pupil', 'Smit', 'school_import', :t, :t),"
        " (2, 'pupil', 'Smit', 'school_import', :t, :t)",
        "INSERT INTO import_runs (id, run_id, school_id, started_at, dry_run, status)"
        " VALUES (1, 'r1', 1, :t, false, 'applied')",
        "INSERT INTO enrollments (customer_id, school_id, student_number, group_code, year_group,"
        " status, started_on) VALUES (1, 1, '1', 'G5', 5, 'active', '2024-09-01'),"
        " (2, 1, '2', 'G5', 5, 'deregistered', '2024-09-01')",
    ]
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement), {"t": NOW.isoformat(" ")})
    upgrade(engine)
    with engine.connect() as conn:
        stamps = conn.execute(
            text("SELECT status, last_seen_school_year FROM enrollments ORDER BY id")
        ).all()
    assert [tuple(s) for s in stamps] == [("active", 2026), ("deregistered", None)]
    engine.dispose()


def test_bulk_writes_store_what_the_orm_reads_and_refuse_a_value_too_long(engine: Engine) -> None:
    """The driver paths (executemany, COPY, arrays) store dates, aware timestamps, NULLs and
    text as SQLAlchemy itself would; on PostgreSQL a value too long for its column fails the
    write (never cut short)."""
    from leerlingimport.db.bulk import bulk_insert, bulk_update, reserve_keys
    from leerlingimport.db.tables import Customer

    with writing(engine) as conn:
        keys = reserve_keys(conn, Customer, 2)
        columns = {
            "id": keys,
            "surname": ["Jansen", "de Vries"],
            "prefix": [None, "de"],
            "birth_date": [dt.date(2015, 3, 1), None],
        }
        stamps = {"role": "pupil", "source": "school_import", "created_at": NOW}
        bulk_insert(conn, Customer, columns, {**stamps, "updated_at": NOW})
        later = NOW + dt.timedelta(days=1)
        bulk_update(conn, Customer, keys[:1], {"first_name": ["Sanne"]}, {"updated_at": later})
    with reading(engine) as conn:
        stored = conn.execute(
            select(Customer.prefix, Customer.birth_date, Customer.first_name, Customer.updated_at)
            .where(Customer.id.in_(keys))
            .order_by(Customer.id)
        ).all()
    assert [tuple(r) for r in stored] == [
        (None, dt.date(2015, 3, 1), "Sanne", later),
        ("de", None, None, NOW),
    ]
    if engine.dialect.name == "postgresql":
        with pytest.raises(DatabaseError, match="StringDataRightTruncation"), writing(engine) as c:
            bulk_update(c, Customer, keys[:1], {"first_name": ["x" * 500]})
        with reading(engine) as conn:
            assert conn.scalar(select(Customer.first_name).where(Customer.id == keys[0])) == "Sanne"
