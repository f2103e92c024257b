"""Fixtures of the store tests: a migrated database on each backend."""

from __future__ import annotations

from store.dbfixtures import database, session

__all__ = ["database", "session"]
