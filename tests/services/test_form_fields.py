"""Field names of a form or API body: a misspelt one is one clear error."""

from __future__ import annotations

import pytest
from factories import primary_school

from junheng.errors import InvalidInput
from junheng.ingest.issues import Issue
from junheng.services.validation import validate_school_data


def _issues(**renamed: str) -> list[Issue]:
    row = primary_school(1)
    for old, new in renamed.items():
        row[new] = row.pop(old)
    with pytest.raises(InvalidInput) as caught:
        validate_school_data(row)
    return caught.value.issues  # type: ignore[return-value]


def test_misspelt_field_suggests_name() -> None:
    (issue,) = _issues(primary_students="primary_studnets")
    assert issue.rule == "header"
    assert issue.code == "header.unknown_field_close"
    assert issue.value == "primary_studnets"
    assert issue.fix.startswith("did you mean 'primary_students'?")
    chinese = issue.in_language("zh")
    assert chinese.fix.startswith("是否应为“primary_students”？")


def test_misspelt_students_no_follow_on() -> None:
    # The factory school has 30 primary teachers; without the misspelt
    # students column they would be teachers without students.
    issues = _issues(primary_students="primary_studnets")
    assert [i.rule for i in issues] == ["header"]


def test_unrelated_field_no_suggestion() -> None:
    row = primary_school(1) | {"colour": "blue"}
    with pytest.raises(InvalidInput) as caught:
        validate_school_data(row)
    (issue,) = caught.value.issues
    assert issue.code == "header.unknown_field"  # type: ignore[attr-defined]
