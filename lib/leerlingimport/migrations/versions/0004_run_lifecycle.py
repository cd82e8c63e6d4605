"""import_runs: who started a run, where it runs, and its heartbeat

A run's row is committed when the run starts (the per-school lock spans the five steps, each
its own process); a run whose process died is recognised by its host and process id, or by a
heartbeat that stopped, and can be released.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("import_runs", sa.Column("started_by", sa.String(length=100)))
    op.add_column("import_runs", sa.Column("host", sa.String(length=100)))
    op.add_column("import_runs", sa.Column("pid", sa.Integer()))
    op.add_column("import_runs", sa.Column("heartbeat_at", sa.DateTime(timezone=True)))
    # Which printable list holds a pupil's one-time password: a list no password refers to
    # (its run died before the commit) is thrown away, never printed.
    op.add_column("credentials", sa.Column("otp_list", sa.String(length=100)))


def downgrade() -> None:
    op.drop_column("credentials", "otp_list")
    for column in ("heartbeat_at", "pid", "host", "started_by"):
        op.drop_column("import_runs", column)
