"""customers.source: who made the record (library staff, or a school import)

A school import may refresh the contact fields of the pupils it created, but never those of a
public library member it links to: their own address and e-mail stay theirs.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("source", sa.String(length=15), server_default="staff", nullable=False)
        )
        batch_op.create_check_constraint("source", "source IN ('staff', 'school_import')")


def downgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_constraint("ck_customers_source", type_="check")
        batch_op.drop_column("source")
