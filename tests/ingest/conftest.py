"""Fixtures of the import tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_user_profiles(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep user import-profile folders out of the tests."""
    monkeypatch.delenv("JUNHENG_PROFILES", raising=False)
