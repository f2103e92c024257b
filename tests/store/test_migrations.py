"""Migrations: an empty database is brought to the latest revision."""

from __future__ import annotations

from sqlalchemy import inspect, select
from store.dbfixtures import Database

from junheng.store import models
from junheng.store.db import current_revision, upgrade


def test_upgrade_creates_every_table(database: Database) -> None:
    tables = set(inspect(database.engine).get_table_names())
    assert set(models.Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_upgrade_reaches_head(database: Database) -> None:
    assert current_revision(database.engine) == "0001"


def test_upgrade_twice_changes_nothing(database: Database) -> None:
    upgrade(database.engine)
    assert current_revision(database.engine) == "0001"


def test_data_generation_starts_at_zero(database: Database) -> None:
    with database.sessions() as session:
        value = session.scalar(select(models.DataGeneration.value))
    assert value == 0
