"""Fixtures of the monitoring-page tests: a seeded store on each backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dash.conftest import Site
from fastapi.testclient import TestClient
from monitor_web.monitordata import seed
from store.dbfixtures import BACKENDS, Database, _postgres_schema

from junheng.services import accounts
from junheng.store.db import make_engine, session_factory, upgrade
from junheng.web.app import create_app
from junheng.web.settings import WebSettings


def _open_site(database: Database) -> Iterator[Site]:
    with database.sessions() as session:
        people = seed(session)
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
    yield from _open_site(database)


@pytest.fixture(scope="module", params=BACKENDS)
def shared_site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """Yield the app on a seeded database shared by a module's read-only tests."""
    if request.param == "postgresql":
        with _postgres_schema(migrate=True) as opened:
            yield from _open_site(opened)
        return
    url = f"sqlite:///{tmp_path_factory.mktemp('monitor') / 'monitor.db'}"
    engine = make_engine(url)
    upgrade(engine)
    yield from _open_site(Database("sqlite", url, engine, session_factory(engine)))
    engine.dispose()
