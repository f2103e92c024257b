"""Fixtures of the monitoring-page tests: a seeded store on each backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dash.conftest import Site, open_shared_site, open_site
from monitor_web.monitordata import seed
from store.dbfixtures import BACKENDS, Database


@pytest.fixture
def site(database: Database) -> Iterator[Site]:
    """Yield the app on a freshly seeded database of its own."""
    yield from open_site(database, seed)


@pytest.fixture(scope="module", params=BACKENDS)
def shared_site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """Yield the app on a seeded database shared by a module's read-only tests."""
    yield from open_shared_site(request.param, tmp_path_factory, seed)
