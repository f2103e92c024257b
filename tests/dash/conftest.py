"""Fixtures of the dashboard tests: a seeded store on each backend and a client."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from dash.dashdata import People, seed
from fastapi.testclient import TestClient
from store.dbfixtures import Database, database

from junheng.services import accounts
from junheng.web.app import create_app
from junheng.web.settings import WebSettings

__all__ = ["database", "seeded", "site"]


@dataclass
class Site:
    """A seeded store, the app on it and an API token per test account."""

    database: Database
    people: People
    client: TestClient
    tokens: dict[str, str]

    def get(self, path: str, user: str | None = None, **params: str):  # type: ignore[no-untyped-def]
        """GET ``path`` as ``user`` (anonymous when ``None``)."""
        headers = {"authorization": f"Bearer {self.tokens[user]}"} if user else {}
        return self.client.get(path, headers=headers, params=params)


@pytest.fixture
def seeded(database: Database) -> People:
    """Fill the test database with :mod:`dash.dashdata` and return the people."""
    with database.sessions() as session:
        return seed(session)


@pytest.fixture
def site(database: Database, seeded: People) -> Iterator[Site]:
    """Yield the app on the seeded database with a token for every account."""
    tokens = {}
    with database.sessions() as session:
        for name, principal in seeded.by_name.items():
            tokens[name] = accounts.create_api_token(session, principal, "tests")
        session.commit()
    settings = WebSettings(mode="dev", database_url=database.url)
    app = create_app(settings, database.engine)
    with TestClient(app) as client:
        yield Site(database, seeded, client, tokens)
