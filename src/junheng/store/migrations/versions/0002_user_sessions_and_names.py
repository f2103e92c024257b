"""Add the users' session epoch and make user names unique regardless of case.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NOTE: the index fails on a database that already holds two names that
    # differ in case only; rename one of them and upgrade again.
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("session_epoch", sa.Integer(), server_default="0", nullable=False)
        )
    op.create_index(
        "ux_users_username_lower",
        "users",
        [sa.text("lower(username)")],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ux_users_username_lower", table_name="users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_epoch")
