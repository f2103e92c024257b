"""Database fixtures shared by the store, services, web and dashboard tests.

``database`` yields an empty database migrated to the latest revision, once on
a SQLite file and once on PostgreSQL (test ids ``sqlite`` and ``postgresql``).
Each test run creates a schema of its own in the database ``test`` at
127.0.0.1:5432 and migrates it once. It empties the tables before each
PostgreSQL case and drops the schema at the end, so runs started by different
people at the same time do not see each other's tables. ``empty_database``
yields a database without tables (a fresh schema of its own on PostgreSQL) for
migration tests. When the server does not answer, the PostgreSQL cases fail,
because CI always provides one.

The top-level ``tests/conftest.py`` registers this module as a plugin, so every
test folder can request these fixtures by name. ``fast_password_hashing``
(autouse) hashes passwords with argon2-cffi's cheapest parameters, so tests
that create users stay fast; the hashes are still real argon2id hashes.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from junheng.services import accounts
from junheng.store.db import make_engine, session_factory, upgrade
from junheng.store.models import Base

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


@contextmanager
def _postgres_schema(migrate: bool) -> Iterator[Database]:
    """Create a schema of its own on the test server, and drop it afterwards."""
    admin, admin_url = _postgres_admin()
    schema = f"junheng_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(admin_url).update_query_dict({"options": f"-csearch_path={schema}"})
    url_text = url.render_as_string(hide_password=False)
    engine = make_engine(url_text)
    try:
        if migrate:
            upgrade(engine)
        yield Database("postgresql", url_text, engine, session_factory(engine))
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def _postgres_run() -> Iterator[Database]:
    """Yield the migrated schema that the PostgreSQL cases of this run share."""
    with _postgres_schema(migrate=True) as shared:
        yield shared


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a migrated SQLite file that each SQLite case copies."""
    path = tmp_path_factory.mktemp("store") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as connection:
        # Fold the write-ahead log into the file, so a copy is complete.
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def _empty_tables(shared: Database) -> None:
    """Delete every row of the store, leaving the tables as migrated."""
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with shared.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        connection.execute(
            text("INSERT INTO data_generation (id, value) VALUES (1, 0)")
        )


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """Yield an empty database migrated to the latest revision, on each backend.

    SQLite cases get a file of their own. PostgreSQL cases share the schema of
    the run, emptied before each case.
    """
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("_sqlite_template")
        path = tmp_path / "junheng-test.db"
        shutil.copyfile(template, path)
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        yield Database("sqlite", url, engine, session_factory(engine))
        engine.dispose()
        return
    shared: Database = request.getfixturevalue("_postgres_run")
    _empty_tables(shared)
    yield shared


@pytest.fixture(params=BACKENDS)
def empty_database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Database]:
    """Yield a database without any table, on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'empty.db'}"
        engine = make_engine(url)
        yield Database("sqlite", url, engine, session_factory(engine))
        engine.dispose()
        return
    with _postgres_schema(migrate=False) as fresh:
        yield fresh


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    """Yield a session on :func:`database`; the test commits what it needs."""
    with database.sessions() as opened:
        yield opened


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash passwords with the cheapest argon2id parameters during a test, and
    start each test with no failed logins of unknown names counted."""
    monkeypatch.setattr(
        accounts, "password_hasher", PasswordHasher.from_parameters(CHEAPEST)
    )
    accounts.unknown_names.clear()
