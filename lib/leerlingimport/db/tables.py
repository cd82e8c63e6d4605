"""The SQLAlchemy 2 tables of DESIGN §4; the Alembic migrations are checked against them."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from leerlingimport.schema import MAX_LENGTH

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timestamps stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use datetime.now(UTC)")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=dt.UTC)


def _in(column: str, *values: str) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UTCDateTime, dict[str, Any]: JSON}


class Branch(Base):
    __tablename__ = "branches"
    __table_args__ = (CheckConstraint(_in("kind", "library", "school"), name="kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(4), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10), default="library")


class School(Base):
    __tablename__ = "schools"
    __table_args__ = (CheckConstraint(_in("sector", "po", "vo", "other"), name="sector"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    brin: Mapped[str] = mapped_column(String(6), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    sector: Mapped[str] = mapped_column(String(5), default="po")


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (
        CheckConstraint(_in("role", "pupil", "teacher", "staff", "adult"), name="role"),
        CheckConstraint("sex IS NULL OR " + _in("sex", "M", "V", "X"), name="sex"),
        CheckConstraint(_in("source", "staff", "school_import"), name="source"),
        Index(None, "surname", "birth_date"),
        Index(None, "name_key", "birth_date"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(10))
    initials: Mapped[str | None] = mapped_column(String(MAX_LENGTH["initials"]))
    first_name: Mapped[str | None] = mapped_column(String(MAX_LENGTH["first_name"]))
    prefix: Mapped[str | None] = mapped_column(String(MAX_LENGTH["prefix"]))
    surname: Mapped[str] = mapped_column(String(MAX_LENGTH["surname"]))
    # fold(prefix + surname): the personal-data lookup's indexed key (leerlingimport.names).
    name_key: Mapped[str] = mapped_column(String(120), default="", server_default="")
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(1))
    street: Mapped[str | None] = mapped_column(String(MAX_LENGTH["street"]))
    house_number: Mapped[str | None] = mapped_column(String(MAX_LENGTH["house_number"]))
    house_number_suffix: Mapped[str | None] = mapped_column(
        String(MAX_LENGTH["house_number_suffix"])
    )
    postcode: Mapped[str | None] = mapped_column(String(MAX_LENGTH["postcode"]))
    city: Mapped[str | None] = mapped_column(String(MAX_LENGTH["city"]))
    email: Mapped[str | None] = mapped_column(String(MAX_LENGTH["email"]))
    username: Mapped[str | None] = mapped_column(String(100), unique=True)
    # A teacher's (or staff member's) school and group; pupils have enrollments instead.
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"))
    group_code: Mapped[str | None] = mapped_column(String(MAX_LENGTH["group_code"]))
    # Who made the record: library staff ("staff") or a school import ("school_import").
    source: Mapped[str] = mapped_column(String(15), default="staff", server_default="staff")
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class Card(Base):
    __tablename__ = "cards"
    __table_args__ = (
        CheckConstraint(_in("kind", "library", "school"), name="kind"),
        CheckConstraint(_in("status", "active", "blocked", "replaced"), name="status"),
        # One active primary card per customer.
        Index(
            "uq_cards_active_primary",
            "customer_id",
            unique=True,
            sqlite_where=text("is_primary AND status = 'active'"),
            postgresql_where=text("is_primary AND status = 'active'"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(MAX_LENGTH["card_number"]), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"))
    status: Mapped[str] = mapped_column(String(10), default="active")
    is_primary: Mapped[bool] = mapped_column(Boolean, default=True)
    issued_at: Mapped[dt.datetime]


class Enrollment(Base):
    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("school_id", "student_number"),
        CheckConstraint(_in("status", "active", "deregistered"), name="status"),
        CheckConstraint("year_group BETWEEN 0 AND 9", name="year_group"),
        Index(
            "uq_enrollments_one_active",
            "customer_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    student_number: Mapped[str] = mapped_column(String(MAX_LENGTH["student_number"]))
    group_code: Mapped[str] = mapped_column(String(MAX_LENGTH["group_code"]))
    year_group: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(15), default="active")
    started_on: Mapped[dt.date] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    # The run that created or reactivated this enrollment.
    started_by_run_id: Mapped[int | None] = mapped_column(ForeignKey("import_runs.id"))
    # The school year (2026 for 2026/27) of the last file of this school that held the pupil:
    # end_of_school_year deregistration ends the subscription on 31 July after it.
    last_seen_school_year: Mapped[int | None] = mapped_column(SmallInteger)


class Group(Base):
    __tablename__ = "groups"
    __table_args__ = (UniqueConstraint("school_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    code: Mapped[str] = mapped_column(String(MAX_LENGTH["group_code"]))
    name: Mapped[str] = mapped_column(String(MAX_LENGTH["group_name"]))
    year_group: Mapped[int | None] = mapped_column(SmallInteger)


class Subscription(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (
        CheckConstraint(_in("kind", "school_library", "library"), name="kind"),
        CheckConstraint(_in("status", "active", "ended"), name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(15))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="active")


class Credential(Base):
    __tablename__ = "credentials"
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    must_change: Mapped[bool] = mapped_column(Boolean, default=True)
    otp_expires_at: Mapped[dt.datetime | None]
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime]
    otp_list: Mapped[str | None] = mapped_column(String(100))  # <run_id>/<file> of the list


class UploadPermission(Base):
    __tablename__ = "upload_permissions"
    __table_args__ = (UniqueConstraint("customer_id", "branch_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    granted_at: Mapped[dt.datetime]


class StaffPermission(Base):
    __tablename__ = "staff_permissions"
    __table_args__ = (UniqueConstraint("customer_id", "permission"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    permission: Mapped[str] = mapped_column(String(40))


class Loan(Base):
    __tablename__ = "loans"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"))
    item: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[dt.date] = mapped_column(Date)
    returned_at: Mapped[dt.datetime | None]


class Upload(Base):
    __tablename__ = "uploads"
    __table_args__ = (
        CheckConstraint(
            _in("status", "received", "checked", "imported", "rejected", "purged"), name="status"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    uploader_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(100), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[dt.datetime]
    status: Mapped[str] = mapped_column(String(10), default="received")
    notified_at: Mapped[dt.datetime | None]
    # What the portal's check found (``check --json``'s object), shown in the inbox.
    check_result: Mapped[dict[str, Any] | None]


class ImportRun(Base):
    __tablename__ = "import_runs"
    __table_args__ = (
        CheckConstraint(
            _in("status", "running", "applied", "planned", "held", "rejected", "failed"),
            name="status",
        ),
        # The per-school lock: at most one running import per school.
        Index(
            "uq_import_runs_one_running",
            "school_id",
            unique=True,
            sqlite_where=text("status = 'running'"),
            postgresql_where=text("status = 'running'"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(String(40), unique=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"))
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]
    dry_run: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(10), default="running")
    counts: Mapped[dict[str, Any] | None]
    input_sha256: Mapped[str | None] = mapped_column(String(64))
    params_snapshot: Mapped[dict[str, Any] | None]
    code_version: Mapped[str | None] = mapped_column(String(40))
    archive_path: Mapped[str | None] = mapped_column(Text)
    archive_sha256: Mapped[str | None] = mapped_column(String(64))  # of its manifest.json
    error: Mapped[str | None] = mapped_column(Text)  # why a failed run failed, for people
    started_by: Mapped[str | None] = mapped_column(String(100))  # the operator or portal user
    host: Mapped[str | None] = mapped_column(String(100))
    pid: Mapped[int | None] = mapped_column(Integer)
    heartbeat_at: Mapped[dt.datetime | None]


class RunStep(Base):
    """One notebook of a run as the workbook's runner executed it: recorded by the runner,
    never read back from the notebook."""

    __tablename__ = "run_steps"
    __table_args__ = (
        CheckConstraint(_in("status", "running", "ok", "failed", "stopped"), name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("import_runs.id"), index=True)
    step: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10))
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]
    error: Mapped[str | None] = mapped_column(Text)


class Change(Base):
    __tablename__ = "changes"
    __table_args__ = (
        CheckConstraint(
            _in("action", "create", "link", "update", "transfer", "reactivate", "deregister"),
            name="action",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("import_runs.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    enrollment_id: Mapped[int | None] = mapped_column(ForeignKey("enrollments.id"))
    action: Mapped[str] = mapped_column(String(12))
    field: Mapped[str | None] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)


class Sequence(Base):
    """Named counters (card numbers), advanced atomically with UPDATE ... RETURNING."""

    __tablename__ = "sequences"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    next_value: Mapped[int] = mapped_column(BigInteger)


class WebSession(Base):
    """A portal session: the cookie holds a random token, this row only its SHA-256."""

    __tablename__ = "web_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    data: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime]
    seen_at: Mapped[dt.datetime] = mapped_column(index=True)


class PortalEvent(Base):
    """Who did what in the portal, and when: logins, uploads, downloads, imports started.

    ``detail`` never holds a password, a one-time password or pupil data."""

    __tablename__ = "portal_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    event: Mapped[str] = mapped_column(String(40))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    address: Mapped[str | None] = mapped_column(String(64))
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"))
    detail: Mapped[dict[str, Any] | None]
