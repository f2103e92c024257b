"""``junheng rectify open|list|sync`` against a store with approved data."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from governance.rectdata import COUNTY
from governance.rectsite import seed
from store.dbfixtures import Database

from junheng.cli import main

pytestmark = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


def _run(database: Database, *args: str) -> str:
    result = CliRunner().invoke(main, ["rectify", *args, "--url", database.url])
    assert result.exit_code == 0, result.output
    return result.output


def test_open_list_sync(database: Database) -> None:
    with database.sessions() as session:
        seed(session, (2024, 2025))
    # A deadline cannot be before the opening date (today), so the sync
    # replays a day after a deadline far ahead.
    opened = _run(
        database, "open", COUNTY, "--year", "2024", "--deadline", "2099-12-31"
    )
    assert "6 opened, 0 already open" in opened
    again = _run(database, "open", COUNTY, "--year", "2024")
    assert "0 opened, 6 already open" in again
    synced = _run(database, "sync", "--today", "2100-01-05")
    assert "5 closed by data, 1 overdue" in synced
    listed = json.loads(_run(database, "list", "--json", "--status", "overdue"))
    assert [row["subject"] for row in listed] == ["S1"]


def test_open_year_without_data(database: Database) -> None:
    with database.sessions() as session:
        seed(session, (2024,))
    result = CliRunner().invoke(
        main, ["rectify", "open", COUNTY, "--year", "2030", "--url", database.url]
    )
    assert result.exit_code == 5
    assert "no approved data of 2030" in result.output
