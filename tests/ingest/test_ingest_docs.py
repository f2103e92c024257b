"""The import documentation covers every canonical column and profile form."""

from __future__ import annotations

from pathlib import Path

import pytest

from junheng.ingest.issues import RULES
from junheng.ingest.schema import ALL_SCHOOL_FIELDS, COUNTY_ITEM_FIELDS, Field

DOC = Path(__file__).parents[2] / "docs" / "import.md"
FORMS = ("column", "literal", "sum", "sum_matching", "concat", "if_contains", "map")


@pytest.fixture(scope="module")
def doc_text() -> str:
    return DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("spec", ALL_SCHOOL_FIELDS + COUNTY_ITEM_FIELDS)
def test_doc_lists_field(doc_text: str, spec: Field) -> None:
    assert f"`{spec.name}`" in doc_text
    assert spec.header_zh in doc_text


@pytest.mark.parametrize("rule", sorted(RULES))
def test_doc_lists_rule(doc_text: str, rule: str) -> None:
    assert f"`{rule}`" in doc_text


@pytest.mark.parametrize("form", (*FORMS, "expr"))
def test_doc_shows_profile_form(doc_text: str, form: str) -> None:
    assert f"{{{form}: " in doc_text
