"""Add the monitoring tables: schedule targets and early warnings.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "targets",
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("target_year", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("division_code"),
    )
    op.create_table(
        "warnings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("rule", sa.String(length=50), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("city_code", sa.String(length=12), nullable=True),
        sa.Column("province_code", sa.String(length=12), nullable=True),
        sa.Column("school_code", sa.String(length=10), nullable=True),
        sa.Column("responsible", sa.String(length=10), nullable=False),
        sa.Column("responsible_code", sa.String(length=12), nullable=False),
        sa.Column("opened", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("escalations", sa.Integer(), nullable=False),
        sa.Column("escalated_to", sa.String(length=12), nullable=True),
        sa.Column("explanation_zh", sa.Text(), nullable=False),
        sa.Column("explanation_en", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("warnings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_warnings_division_code"), ["division_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_warnings_responsible_code"),
            ["responsible_code"],
            unique=False,
        )
        batch_op.create_index(
            "ix_warnings_status_deadline", ["status", "deadline"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("warnings", schema=None) as batch_op:
        batch_op.drop_index("ix_warnings_status_deadline")
        batch_op.drop_index(batch_op.f("ix_warnings_responsible_code"))
        batch_op.drop_index(batch_op.f("ix_warnings_division_code"))

    op.drop_table("warnings")
    op.drop_table("targets")
