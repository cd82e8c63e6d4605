"""create every table

Revision ID: 0001
Revises:
Create Date: 2026-11-28 20:54:44.635944

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""

    op.create_table(
        "branches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=4), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.CheckConstraint("kind IN ('library', 'school')", name=op.f("ck_branches_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_branches")),
        sa.UniqueConstraint("number", name=op.f("uq_branches_number")),
    )
    op.create_table(
        "sequences",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("next_value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sequences")),
    )
    op.create_table(
        "schools",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brin", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("sector", sa.String(length=5), nullable=False),
        sa.CheckConstraint("sector IN ('po', 'vo', 'other')", name=op.f("ck_schools_sector")),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_schools_branch_id_branches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schools")),
        sa.UniqueConstraint("brin", name=op.f("uq_schools_brin")),
    )
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("initials", sa.String(length=20), nullable=True),
        sa.Column("first_name", sa.String(length=100), nullable=True),
        sa.Column("prefix", sa.String(length=20), nullable=True),
        sa.Column("surname", sa.String(length=100), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.Column("street", sa.String(length=100), nullable=True),
        sa.Column("house_number", sa.String(length=10), nullable=True),
        sa.Column("house_number_suffix", sa.String(length=10), nullable=True),
        sa.Column("postcode", sa.String(length=10), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("username", sa.String(length=100), nullable=True),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("group_code", sa.String(length=10), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('pupil', 'teacher', 'staff', 'adult')", name=op.f("ck_customers_role")
        ),
        sa.CheckConstraint("sex IS NULL OR sex IN ('M', 'V', 'X')", name=op.f("ck_customers_sex")),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_customers_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("username", name=op.f("uq_customers_username")),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customers_surname_birth_date"), ["surname", "birth_date"], unique=False
        )

    op.create_table(
        "groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column("year_group", sa.SmallInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_groups_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_groups")),
        sa.UniqueConstraint("school_id", "code", name=op.f("uq_groups_school_id_code")),
    )
    op.create_table(
        "cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('library', 'school')", name=op.f("ck_cards_kind")),
        sa.CheckConstraint(
            "status IN ('active', 'blocked', 'replaced')", name=op.f("ck_cards_status")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_cards_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_cards_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cards")),
        sa.UniqueConstraint("number", name=op.f("uq_cards_number")),
    )
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cards_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(
            "uq_cards_active_primary",
            ["customer_id"],
            unique=True,
            sqlite_where=sa.text("is_primary AND status = 'active'"),
            postgresql_where=sa.text("is_primary AND status = 'active'"),
        )

    op.create_table(
        "credentials",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("must_change", sa.Boolean(), nullable=False),
        sa.Column("otp_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_credentials_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_credentials")),
    )
    op.create_table(
        "staff_permissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("permission", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_staff_permissions_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_permissions")),
        sa.UniqueConstraint(
            "customer_id", "permission", name=op.f("uq_staff_permissions_customer_id_permission")
        ),
    )
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=15), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.CheckConstraint(
            "kind IN ('school_library', 'library')", name=op.f("ck_subscriptions_kind")
        ),
        sa.CheckConstraint("status IN ('active', 'ended')", name=op.f("ck_subscriptions_status")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_subscriptions_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_subscriptions_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
    )
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subscriptions_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "upload_permissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_upload_permissions_branch_id_branches")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_upload_permissions_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_upload_permissions")),
        sa.UniqueConstraint(
            "customer_id", "branch_id", name=op.f("uq_upload_permissions_customer_id_branch_id")
        ),
    )
    op.create_table(
        "uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("uploader_id", sa.Integer(), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("stored_name", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('received', 'checked', 'imported', 'rejected', 'purged')",
            name=op.f("ck_uploads_status"),
        ),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_uploads_branch_id_branches")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_uploads_school_id_schools")
        ),
        sa.ForeignKeyConstraint(
            ["uploader_id"], ["customers.id"], name=op.f("fk_uploads_uploader_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uploads")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_uploads_stored_name")),
    )
    op.create_table(
        "import_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.Column("input_sha256", sa.String(length=64), nullable=True),
        sa.Column("params_snapshot", sa.JSON(), nullable=True),
        sa.Column("code_version", sa.String(length=40), nullable=True),
        sa.Column("archive_path", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'applied', 'planned', 'held', 'rejected', 'failed')",
            name=op.f("ck_import_runs_status"),
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_import_runs_school_id_schools")
        ),
        sa.ForeignKeyConstraint(
            ["upload_id"], ["uploads.id"], name=op.f("fk_import_runs_upload_id_uploads")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_runs")),
        sa.UniqueConstraint("run_id", name=op.f("uq_import_runs_run_id")),
    )
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_runs_school_id"), ["school_id"], unique=False)
        batch_op.create_index(
            "uq_import_runs_one_running",
            ["school_id"],
            unique=True,
            sqlite_where=sa.text("status = 'running'"),
            postgresql_where=sa.text("status = 'running'"),
        )

    op.create_table(
        "loans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["card_id"], ["cards.id"], name=op.f("fk_loans_card_id_cards")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_loans_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loans")),
    )
    with op.batch_alter_table("loans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_loans_customer_id"), ["customer_id"], unique=False)

    op.create_table(
        "enrollments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("student_number", sa.String(length=20), nullable=False),
        sa.Column("group_code", sa.String(length=10), nullable=False),
        sa.Column("year_group", sa.SmallInteger(), nullable=False),
        sa.Column("status", sa.String(length=15), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("last_seen_run_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('active', 'deregistered')", name=op.f("ck_enrollments_status")
        ),
        sa.CheckConstraint("year_group BETWEEN 0 AND 9", name=op.f("ck_enrollments_year_group")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_enrollments_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["last_seen_run_id"],
            ["import_runs.id"],
            name=op.f("fk_enrollments_last_seen_run_id_import_runs"),
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_enrollments_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollments")),
        sa.UniqueConstraint(
            "school_id", "student_number", name=op.f("uq_enrollments_school_id_student_number")
        ),
    )
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enrollments_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            "uq_enrollments_one_active",
            ["customer_id"],
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )

    op.create_table(
        "changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=12), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=True),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "action IN ('create', 'link', 'update', 'transfer', 'reactivate', 'deregister')",
            name=op.f("ck_changes_action"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_changes_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"], ["enrollments.id"], name=op.f("fk_changes_enrollment_id_enrollments")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["import_runs.id"], name=op.f("fk_changes_run_id_import_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_changes")),
    )
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_changes_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""

    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_changes_run_id"))

    op.drop_table("changes")
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_enrollments_one_active",
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.drop_index(batch_op.f("ix_enrollments_customer_id"))

    op.drop_table("enrollments")
    with op.batch_alter_table("loans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loans_customer_id"))

    op.drop_table("loans")
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_import_runs_one_running",
            sqlite_where=sa.text("status = 'running'"),
            postgresql_where=sa.text("status = 'running'"),
        )
        batch_op.drop_index(batch_op.f("ix_import_runs_school_id"))

    op.drop_table("import_runs")
    op.drop_table("uploads")
    op.drop_table("upload_permissions")
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subscriptions_customer_id"))

    op.drop_table("subscriptions")
    op.drop_table("staff_permissions")
    op.drop_table("credentials")
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_cards_active_primary",
            sqlite_where=sa.text("is_primary AND status = 'active'"),
            postgresql_where=sa.text("is_primary AND status = 'active'"),
        )
        batch_op.drop_index(batch_op.f("ix_cards_customer_id"))

    op.drop_table("cards")
    op.drop_table("groups")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customers_surname_birth_date"))

    op.drop_table("customers")
    op.drop_table("schools")
    op.drop_table("sequences")
    op.drop_table("branches")
