"""Add an optional e-mail address to users, for the warning digest.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email", sa.String(length=254), nullable=True))


def downgrade() -> None:
    # SQLite drops the column by copying the table, and that copy would lose
    # the expression index it cannot reflect; so the index is made again.
    op.drop_index("ux_users_username_lower", table_name="users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email")
    op.create_index(
        "ux_users_username_lower",
        "users",
        [sa.text("lower(username)")],
        unique=True,
    )
