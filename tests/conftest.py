"""Fixtures shared by every test."""

from __future__ import annotations

import pytest

# The database fixtures (database, empty_database, session) and the browser
# fixture for every folder.
pytest_plugins = ["store.dbfixtures", "browserfixtures"]


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep user framework folders out of the tests."""
    monkeypatch.delenv("JUNHENG_FRAMEWORKS", raising=False)
