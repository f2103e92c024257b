"""Fixtures of the dashboard tests: a seeded store on each backend and a client.

``site`` seeds a fresh database for a test that changes data; ``shared_site``
seeds one per module and backend for the tests that only read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest
from dash.dashdata import People, seed
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from store.dbfixtures import BACKENDS, Database, _postgres_schema

from junheng.services import accounts
from junheng.store.db import make_engine, session_factory, upgrade
from junheng.web.app import create_app
from junheng.web.settings import WebSettings


@dataclass
class Site:
    """A seeded store, the app on it and an API token per test account."""

    database: Database
    people: People
    client: TestClient
    tokens: dict[str, str]

    def get(self, path: str, user: str | None = None, **params: Any) -> httpx2.Response:
        """GET ``path`` as ``user`` (anonymous when ``None``)."""
        headers = {"authorization": f"Bearer {self.tokens[user]}"} if user else {}
        return self.client.get(path, headers=headers, params=params)


def open_site(
    database: Database, seed_store: Callable[[Session], People] = seed
) -> Iterator[Site]:
    """Yield the app on ``database`` after filling it with ``seed_store``."""
    with database.sessions() as session:
        people = seed_store(session)
    tokens = {}
    with database.sessions() as session:
        for name, principal in people.by_name.items():
            tokens[name] = accounts.create_api_token(session, principal, "tests")
        session.commit()
    settings = WebSettings(mode="dev", database_url=database.url)
    app = create_app(settings, database.engine)
    with TestClient(app) as client:
        yield Site(database, people, client, tokens)


@pytest.fixture
def site(database: Database) -> Iterator[Site]:
    """Yield the app on a freshly seeded database of its own."""
    yield from open_site(database)


def open_shared_site(
    backend: str,
    tmp_path_factory: pytest.TempPathFactory,
    seed_store: Callable[[Session], People] = seed,
) -> Iterator[Site]:
    """Yield the app on a seeded database of its own on ``backend``.

    On PostgreSQL the database is a schema of its own, apart from the schema
    that the function-scoped ``database`` fixture empties before each test.
    """
    if backend == "postgresql":
        with _postgres_schema(migrate=True) as opened:
            yield from open_site(opened, seed_store)
        return
    url = f"sqlite:///{tmp_path_factory.mktemp('dash') / 'dash.db'}"
    engine = make_engine(url)
    upgrade(engine)
    database = Database("sqlite", url, engine, session_factory(engine))
    yield from open_site(database, seed_store)
    engine.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def shared_site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """Yield the app on a seeded database shared by a module's read-only tests."""
    yield from open_shared_site(request.param, tmp_path_factory)
