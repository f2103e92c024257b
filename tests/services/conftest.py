"""Fixtures of the service tests: a migrated database with a few provinces."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session
from store.dbfixtures import Database

from junheng.services.access import SYSTEM
from junheng.store.divisions import load_divisions

PROVINCES = ("11", "41", "46")
"""Beijing (a municipality), Henan, and Hainan (counties directly under the
province): enough for every shape of the approval chain."""


@pytest.fixture
def store(database: Database) -> Iterator[Session]:
    """Yield a session on a database holding the divisions of :data:`PROVINCES`."""
    with database.sessions() as opened:
        load_divisions(opened, SYSTEM, 2024, within=PROVINCES)
        opened.commit()
        yield opened
