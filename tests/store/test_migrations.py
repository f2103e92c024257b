"""Migrations: an empty database is brought to the latest revision."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select
from store.dbfixtures import Database

from junheng.store import models
from junheng.store.db import current_revision, upgrade


def test_upgrade_from_empty(empty_database: Database) -> None:
    engine = empty_database.engine
    assert inspect(engine).get_table_names() == []
    assert current_revision(engine) is None
    upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert set(models.Base.metadata.tables) <= tables
    assert "alembic_version" in tables
    assert current_revision(engine) == "0010"
    with empty_database.sessions() as session:
        assert session.scalar(select(models.DataGeneration.value)) == 0


# SQLite cannot reflect the index on lower(username), so SQLAlchemy skips it
# with a warning there; PostgreSQL reflects and compares it.
@pytest.mark.filterwarnings(
    "ignore:Skipped unsupported reflection of expression-based index"
)
@pytest.mark.filterwarnings(
    "ignore:autogenerate skipping metadata-specified expression-based index"
)
def test_models_match_migrations(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, models.Base.metadata)
    assert differences == []


def test_upgrade_twice_changes_nothing(database: Database) -> None:
    upgrade(database.engine)
    assert current_revision(database.engine) == "0010"


def test_fixture_database_is_empty(database: Database) -> None:
    with database.sessions() as session:
        assert session.scalars(select(models.AuditRecord)).all() == []
        assert session.scalar(select(models.DataGeneration.value)) == 0
