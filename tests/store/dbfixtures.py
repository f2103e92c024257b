"""Database fixtures shared by the store, services, web and dashboard tests.

``database`` yields a freshly migrated, empty database, once on a SQLite file
and once on PostgreSQL (test ids ``sqlite`` and ``postgresql``). Each
PostgreSQL case runs in a schema of its own in the database ``test`` at
127.0.0.1:5432, created for the test and dropped afterwards, so runs started by
different people at the same time do not see each other's tables. When the
server does not answer, the PostgreSQL cases fail: CI always provides one.

Use it from another test folder's ``conftest.py``::

    from store.dbfixtures import database  # noqa: F401
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from junheng.store.db import make_engine, session_factory, upgrade

BACKENDS = ("sqlite", "postgresql")
POSTGRES_ENV = "JUNHENG_TEST_POSTGRES_URL"
POSTGRES_USERS = ("postgres", "root")


@dataclass
class Database:
    """A migrated test database.

    ``url`` reaches the same tables from another engine (for example the web
    app's), and ``sessions`` opens sessions on ``engine``.
    """

    backend: str
    url: str
    engine: Engine
    sessions: sessionmaker[Session]


def _postgres_admin() -> tuple[Engine, str]:
    """Connect to the test server; return the engine and the URL it used."""
    configured = os.environ.get(POSTGRES_ENV)
    candidates = (
        [configured]
        if configured
        else [
            f"postgresql+psycopg://{user}@127.0.0.1:5432/test"
            for user in POSTGRES_USERS
        ]
    )
    errors: list[str] = []
    for url in candidates:
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except OperationalError as error:
            engine.dispose()
            errors.append(f"{url}: {error.orig}")
            continue
        return engine, url
    pytest.fail(
        "PostgreSQL did not answer; start the server at 127.0.0.1:5432 with a "
        f"database 'test' (.ci/run does) or set {POSTGRES_ENV}.\n" + "\n".join(errors)
    )


def _sqlite_database(tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'junheng-test.db'}"
    engine = make_engine(url)
    upgrade(engine)
    yield Database("sqlite", url, engine, session_factory(engine))
    engine.dispose()


def _postgres_database() -> Iterator[Database]:
    admin, admin_url = _postgres_admin()
    schema = f"junheng_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    base = make_url(admin_url)
    url = base.update_query_dict({"options": f"-csearch_path={schema}"})
    url_text = url.render_as_string(hide_password=False)
    engine = make_engine(url_text)
    try:
        upgrade(engine)
        yield Database("postgresql", url_text, engine, session_factory(engine))
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """Yield an empty database migrated to the latest revision, on each backend."""
    if request.param == "sqlite":
        yield from _sqlite_database(tmp_path)
    else:
        yield from _postgres_database()


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    """Yield a session on :func:`database`; the test commits what it needs."""
    with database.sessions() as opened:
        yield opened
