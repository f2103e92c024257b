"""Fixtures shared by every test."""

from __future__ import annotations

import os

import pytest

# The database fixtures (database, empty_database, session) and the browser
# fixture for every folder.
pytest_plugins = ["store.dbfixtures", "browserfixtures"]

SETTINGS_PREFIX = "JUNHENG_"
"""The prefix of every setting that Junheng reads from the environment."""

TEST_SETTINGS_PREFIX = "JUNHENG_TEST_"
"""The prefix of the settings of the tests themselves, which stay."""


@pytest.fixture(autouse=True)
def _isolated_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Keep the user's settings and the current folder out of the tests.

    Each test starts without the ``JUNHENG_*`` settings of the shell (a
    database URL, framework or profile folders, mail settings) and in an empty
    folder of its own. A command that writes its default output or error
    report in the current folder then cannot meet the file of another test,
    also not one that runs at the same time in another pytest-xdist worker.
    """
    for name in list(os.environ):
        if name.startswith(SETTINGS_PREFIX) and not name.startswith(
            TEST_SETTINGS_PREFIX
        ):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
