"""Identity keys: customers.name_key, and enrollment columns named for what they hold

``customers.name_key`` is the folded prefix + surname (leerlingimport.names), indexed with the
birth date, so the personal-data lookup finds "VRIES" for "de Vries". ``last_seen_run_id`` only
ever held the run that created or reactivated an enrollment: it is now ``started_by_run_id``,
and ``last_seen_school_year`` is stamped on every enrollment a run sees. A failed run keeps
its reason in ``import_runs.error``.

Revision ID: 0003
Revises: 0002
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from leerlingimport.names import name_key

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000


def upgrade() -> None:
    # Plain ALTER TABLE on both databases: a batch copy of SQLite's tables is not needed.
    op.add_column(
        "customers", sa.Column("name_key", sa.String(length=120), server_default="", nullable=False)
    )
    _fill_name_keys()
    op.create_index(
        op.f("ix_customers_name_key_birth_date"), "customers", ["name_key", "birth_date"]
    )
    op.execute("ALTER TABLE enrollments RENAME COLUMN last_seen_run_id TO started_by_run_id")
    op.add_column("enrollments", sa.Column("last_seen_school_year", sa.SmallInteger()))
    _fill_school_years()
    op.add_column("import_runs", sa.Column("error", sa.Text()))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE enrollments RENAME CONSTRAINT fk_enrollments_last_seen_run_id_import_runs"
            " TO fk_enrollments_started_by_run_id_import_runs"
        )


def _fill_name_keys() -> None:
    conn = op.get_bind()
    customers = sa.table(
        "customers",
        sa.column("id", sa.Integer),
        sa.column("prefix", sa.String),
        sa.column("surname", sa.String),
        sa.column("name_key", sa.String),
    )
    update = (
        sa.update(customers)
        .where(customers.c.id == sa.bindparam("key"))
        .values(name_key=sa.bindparam("value"))
    )
    last = 0
    while True:
        rows = conn.execute(
            sa.select(customers.c.id, customers.c.prefix, customers.c.surname)
            .where(customers.c.id > last)
            .order_by(customers.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        conn.execute(update, [{"key": r.id, "value": name_key(r.prefix, r.surname)} for r in rows])
        last = rows[-1].id


def _fill_school_years() -> None:
    """Active pupils were in their school's last imported file: its school year is theirs
    (else the school year they started in), so end_of_school_year ends them on time."""
    conn = op.get_bind()
    runs = sa.table(
        "import_runs",
        sa.column("school_id", sa.Integer),
        sa.column("started_at", sa.DateTime(timezone=True)),
        sa.column("status", sa.String),
        sa.column("dry_run", sa.Boolean),
    )
    enrollments = sa.table(
        "enrollments",
        sa.column("id", sa.Integer),
        sa.column("school_id", sa.Integer),
        sa.column("started_on", sa.Date),
        sa.column("status", sa.String),
        sa.column("last_seen_school_year", sa.SmallInteger),
    )
    last_run = dict(
        conn.execute(
            sa.select(runs.c.school_id, sa.func.max(runs.c.started_at))
            .where(runs.c.status.in_(["applied", "held"]), runs.c.dry_run.is_(False))
            .group_by(runs.c.school_id)
        ).all()
    )
    active = conn.execute(
        sa.select(enrollments.c.id, enrollments.c.school_id, enrollments.c.started_on).where(
            enrollments.c.status == "active"
        )
    ).all()
    values = []
    for pk, school, started in active:
        seen = last_run.get(school)
        day = _as_date(seen) if seen is not None else started
        values.append({"key": pk, "value": day.year if day.month >= 8 else day.year - 1})
    if values:
        conn.execute(
            sa.update(enrollments)
            .where(enrollments.c.id == sa.bindparam("key"))
            .values(last_seen_school_year=sa.bindparam("value")),
            values,
        )


def _as_date(value: object) -> dt.date:
    if isinstance(value, str):  # SQLite hands back text for a raw table
        value = dt.datetime.fromisoformat(value)
    assert isinstance(value, dt.date)
    return value.date() if isinstance(value, dt.datetime) else value


def downgrade() -> None:
    op.drop_column("import_runs", "error")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE enrollments RENAME CONSTRAINT fk_enrollments_started_by_run_id_import_runs"
            " TO fk_enrollments_last_seen_run_id_import_runs"
        )
    op.drop_column("enrollments", "last_seen_school_year")
    op.execute("ALTER TABLE enrollments RENAME COLUMN started_by_run_id TO last_seen_run_id")
    op.drop_index(op.f("ix_customers_name_key_birth_date"), table_name="customers")
    op.drop_column("customers", "name_key")
