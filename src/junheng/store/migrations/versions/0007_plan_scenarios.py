"""Add the table of saved plan scenarios.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_scenario",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("framework_id", sa.String(length=100), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("data_generation", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("division_code", "kind", "name"),
    )
    with op.batch_alter_table("plan_scenario", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_plan_scenario_division_code"),
            ["division_code"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("plan_scenario", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_scenario_division_code"))

    op.drop_table("plan_scenario")
