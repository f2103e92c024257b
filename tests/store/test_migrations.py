"""Migrations: an empty database is brought to the latest revision."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import IntegrityError
from store.dbfixtures import Database

from junheng.store import models
from junheng.store.db import alembic_config, current_revision, upgrade


def test_upgrade_from_empty(empty_database: Database) -> None:
    engine = empty_database.engine
    assert inspect(engine).get_table_names() == []
    assert current_revision(engine) is None
    upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert set(models.Base.metadata.tables) <= tables
    assert "alembic_version" in tables
    assert current_revision(engine) == "0011"
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
    assert current_revision(database.engine) == "0011"


def test_fixture_database_is_empty(database: Database) -> None:
    with database.sessions() as session:
        assert session.scalars(select(models.AuditRecord)).all() == []
        assert session.scalar(select(models.DataGeneration.value)) == 0


INSERT_USER = text(
    "INSERT INTO users (username, password_hash, role, scope_code, active, "
    "failed_logins, created_at, session_epoch) "
    "VALUES (:name, 'x', 'city', '4101', :active, 0, :at, 0)"
)
"""An account row with only the columns every revision since 0002 has."""


def _add_user(engine: Engine, name: str) -> None:
    with engine.begin() as connection:
        connection.execute(
            INSERT_USER, {"name": name, "active": True, "at": dt.datetime(2026, 12, 5)}
        )


def _downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


# SQLite drops a column by copying the table, which reflects it first.
@pytest.mark.filterwarnings(
    "ignore:Skipped unsupported reflection of expression-based index"
)
def test_user_language_upgrades_and_downgrades(empty_database: Database) -> None:
    engine = empty_database.engine

    def language_column() -> bool:
        columns = inspect(engine).get_columns("users")
        return "language" in {c["name"] for c in columns}

    upgrade(engine, "0010")
    _add_user(engine, "zz")
    assert not language_column()
    upgrade(engine, "0011")
    assert current_revision(engine) == "0011"
    assert language_column()
    with engine.begin() as connection:
        # The account made before the column has no language of its own.
        assert connection.scalar(text("SELECT language FROM users")) is None
        connection.execute(text("UPDATE users SET language = 'en'"))
    _downgrade(engine, "0010")
    assert current_revision(engine) == "0010"
    assert not language_column()
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT username FROM users")) == "zz"
    # The index that keeps user names unique regardless of case survives.
    with pytest.raises(IntegrityError):
        _add_user(engine, "ZZ")
    upgrade(engine)
    assert current_revision(engine) == "0011"
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT language FROM users")) is None


@pytest.mark.filterwarnings(
    "ignore:Skipped unsupported reflection of expression-based index"
)
def test_downgrade_to_0008_keeps_name_index(empty_database: Database) -> None:
    engine = empty_database.engine
    upgrade(engine)
    _downgrade(engine, "0008")
    assert current_revision(engine) == "0008"
    _add_user(engine, "zz")
    with pytest.raises(IntegrityError):
        _add_user(engine, "ZZ")
