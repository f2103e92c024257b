"""Database connection: URL, engine, migrations and sessions.

The URL comes from ``JUNHENG_DATABASE_URL`` and defaults to a SQLite file
``junheng.db`` in the current directory. PostgreSQL is reached through psycopg 3
with a ``postgresql+psycopg://`` URL.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

ENV_VAR = "JUNHENG_DATABASE_URL"
DEFAULT_URL = "sqlite:///junheng.db"
MIGRATIONS = Path(__file__).with_name("migrations")


def database_url(url: str | None = None) -> str:
    """Return ``url``, else ``$JUNHENG_DATABASE_URL``, else the default SQLite file.

    A ``postgresql://`` URL is given the psycopg 3 driver, which is the one
    installed with Junheng.
    """
    chosen = url or os.environ.get(ENV_VAR) or DEFAULT_URL
    if chosen.startswith("postgresql://"):
        chosen = "postgresql+psycopg://" + chosen.removeprefix("postgresql://")
    return chosen


def make_engine(url: str) -> Engine:
    """Create an engine for ``url``.

    SQLite connections enforce foreign keys, use write-ahead logging so readers
    do not block the writer, and wait up to 30 s for a lock.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(connection: Any, record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema to ``revision`` (the latest by default).

    Alembic is configured here in code; the migration scripts ship inside the
    package, so no ``alembic.ini`` is needed.
    """
    from alembic import command

    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """Return the revision the database is at, or ``None`` when it has none."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def alembic_config() -> Any:
    """Return the Alembic configuration of the packaged migrations."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return a session factory bound to ``engine``.

    Objects stay readable after commit, so a caller can commit a service call
    and then show what it returned.
    """
    return sessionmaker(engine, expire_on_commit=False)
