"""Add the satisfaction survey tables: rounds, one-time links and answers.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("questionnaire_set", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("design", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["division_code"], ["divisions.code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_survey_rounds_division_code", "survey_rounds", ["division_code"]
    )
    op.create_table(
        "survey_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("group", sa.String(length=30), nullable=False),
        sa.Column("stratum", sa.String(length=30), nullable=False),
        sa.Column("band", sa.String(length=30), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("batch", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["survey_rounds.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(
        "ix_survey_links_cell", "survey_links", ["round_id", "group", "stratum"]
    )
    op.create_table(
        "survey_link_uses",
        sa.Column("link_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(["link_id"], ["survey_links.id"]),
        sa.PrimaryKeyConstraint("link_id"),
    )
    op.create_table(
        "survey_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("group", sa.String(length=30), nullable=False),
        sa.Column("stratum", sa.String(length=30), nullable=False),
        sa.Column("band", sa.String(length=30), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["survey_rounds.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_survey_answers_cell", "survey_answers", ["round_id", "group", "stratum"]
    )


def downgrade() -> None:
    op.drop_index("ix_survey_answers_cell", table_name="survey_answers")
    op.drop_table("survey_answers")
    op.drop_table("survey_link_uses")
    op.drop_index("ix_survey_links_cell", table_name="survey_links")
    op.drop_table("survey_links")
    op.drop_index("ix_survey_rounds_division_code", table_name="survey_rounds")
    op.drop_table("survey_rounds")
