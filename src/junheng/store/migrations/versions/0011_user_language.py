"""Add an optional language to users, for the warning digest.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("language", sa.String(length=2), nullable=True))


def downgrade() -> None:
    # SQLite drops the column by copying the table, and that copy would lose
    # the expression index it cannot reflect; so the index is made again.
    op.drop_index("ux_users_username_lower", table_name="users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("language")
    op.create_index(
        "ux_users_username_lower",
        "users",
        [sa.text("lower(username)")],
        unique=True,
    )
