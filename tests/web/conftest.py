"""Fixtures of the web tests (see site.py for the helpers)."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from store.dbfixtures import database
from web.site import site

from junheng.services import accounts

__all__ = ["database", "site"]


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash passwords with argon2id at its lowest cost.

    The default parameters take about 0.3 s a hash on a busy CI machine, and each
    test creates a dozen accounts; the login code path is the same either way.
    """
    cheap = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", cheap)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", cheap.hash("no-such-user"))
