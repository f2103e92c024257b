"""Add the table of county explanations of data-quality flags.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "flag_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flag_key", sa.String(length=300), nullable=False),
        sa.Column("check", sa.String(length=30), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("school_code", sa.String(length=10), nullable=True),
        sa.Column("field", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("flag_key"),
    )
    with op.batch_alter_table("flag_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_flag_notes_division_code"), ["division_code"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("flag_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flag_notes_division_code"))
    op.drop_table("flag_notes")
