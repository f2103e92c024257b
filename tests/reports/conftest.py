"""Fixtures of the report tests (see report_docs for the numbers)."""

from __future__ import annotations

from typing import Any

import pytest
from reports.report_docs import build


@pytest.fixture(scope="session")
def doc() -> dict[str, Any]:
    """Document of county 410102 alone, built in Chinese."""
    return build()


@pytest.fixture(scope="session")
def two_county_doc() -> dict[str, Any]:
    """Document of counties 410102 and 410103."""
    return build(with_second_county=True)


@pytest.fixture(scope="session")
def doc_en() -> dict[str, Any]:
    """Document of county 410102 alone, built in English."""
    return build(lang="en")
