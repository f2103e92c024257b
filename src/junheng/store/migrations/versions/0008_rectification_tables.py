"""Add rectification tasks, their notes and assessments by other authors.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rectification_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("part", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("school_code", sa.String(length=10), nullable=True),
        sa.Column("section", sa.String(length=10), nullable=True),
        sa.Column("subject", sa.String(length=50), nullable=False),
        sa.Column("check_key", sa.String(length=50), nullable=True),
        sa.Column("owner_code", sa.String(length=12), nullable=False),
        sa.Column("op", sa.String(length=10), nullable=False),
        sa.Column("value_found", sa.Double(), nullable=True),
        sa.Column("target", sa.Double(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("title_zh", sa.Text(), nullable=False),
        sa.Column("title_en", sa.Text(), nullable=False),
        sa.Column("closed_year", sa.Integer(), nullable=True),
        sa.Column("closed_value", sa.Double(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("rectification_tasks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rectification_tasks_division_code"),
            ["division_code"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_rectification_tasks_school_code"),
            ["school_code"],
            unique=False,
        )
        batch_op.create_index(
            "ix_rectification_tasks_status", ["status", "deadline"], unique=False
        )
    op.create_table(
        "rectification_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(["task_id"], ["rectification_tasks.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("rectification_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rectification_notes_task_id"), ["task_id"], unique=False
        )
    op.create_table(
        "peer_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("author_role", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("school_code", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("judgement", sa.String(length=10), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "author", "year", "division_code", "school_code", "subject"
        ),
    )
    with op.batch_alter_table("peer_assessments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_peer_assessments_target",
            ["year", "division_code", "school_code"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("peer_assessments", schema=None) as batch_op:
        batch_op.drop_index("ix_peer_assessments_target")
    op.drop_table("peer_assessments")
    with op.batch_alter_table("rectification_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rectification_notes_task_id"))
    op.drop_table("rectification_notes")
    with op.batch_alter_table("rectification_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_rectification_tasks_status")
        batch_op.drop_index(batch_op.f("ix_rectification_tasks_school_code"))
        batch_op.drop_index(batch_op.f("ix_rectification_tasks_division_code"))
    op.drop_table("rectification_tasks")
