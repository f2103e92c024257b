"""Plausibility rules shared by the form, the API and the store import.

Every value here passes the import's own checks (types, signs, the schema's
upper bounds) and is still impossible for one school. The expected messages
name the field, the value and the fix.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from factories import canonical_csv
from services.people import SCHOOL_1, ZHONGYUAN, school
from sqlalchemy.orm import Session

from junheng.errors import InvalidInput
from junheng.ingest.issues import Issue
from junheng.ingest.schema import SCHOOL_FIELDS
from junheng.services import reporting
from junheng.services.validation import (
    RowPlace,
    plausibility_issues,
    validate_school_data,
    year_window,
)

TODAY = date(2025, 3, 1)


def _rules(row: dict[str, Any]) -> list[str]:
    return [i.rule for i in plausibility_issues(row, RowPlace("f.csv"), TODAY)]


def test_factory_school_is_plausible() -> None:
    assert _rules(school(1)) == []


def test_year_window_default() -> None:
    # 2000 up to the current year plus one, so 2026 is the last on 2025-03-01.
    assert year_window(TODAY) == (2000, 2026)


def test_year_window_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUNHENG_FIRST_YEAR", "2010")
    monkeypatch.setenv("JUNHENG_YEARS_AHEAD", "0")
    assert year_window(TODAY) == (2010, 2025)


@pytest.mark.parametrize("year", [1999, 2027, 2099])
def test_year_outside_window(year: int) -> None:
    issues = plausibility_issues(
        school(1, year=year), RowPlace("f.csv", None, 7), TODAY
    )
    assert [i.rule for i in issues] == ["year_window"]
    assert issues[0].row == 7
    assert issues[0].value == str(year)
    assert "2000 to 2026" in issues[0].fix


@pytest.mark.parametrize("year", [2000, 2026])
def test_year_window_edges_accepted(year: int) -> None:
    assert _rules(school(1, year=year)) == []


def test_students_without_classes() -> None:
    issues = plausibility_issues(school(1, primary_classes=0), RowPlace("f.csv"), TODAY)
    assert [i.rule for i in issues] == ["no_classes"]
    assert issues[0].column == "小学班级数"
    assert "is 0 but primary_students is 500" in issues[0].message


def test_more_classes_than_students() -> None:
    # 600 classes for 500 students leaves classes without a student.
    assert _rules(school(1, primary_classes=600, primary_max_class_size=1)) == [
        "class_count"
    ]


def test_class_size_above_bound() -> None:
    issues = plausibility_issues(
        school(1, primary_max_class_size=1_000_000_000), RowPlace("f.csv"), TODAY
    )
    assert [i.rule for i in issues] == ["class_size"]
    assert "1,000,000,000 is above 150" in issues[0].message


def test_class_larger_than_section() -> None:
    # The largest class (50) cannot exceed the 5 students of the section.
    row = school(1, primary_students=5, primary_classes=1, primary_max_class_size=50)
    assert _rules(row) == ["class_size"]


def test_classes_too_small_for_students() -> None:
    # 12 classes of at most 40 hold 480 students, fewer than 500.
    issues = plausibility_issues(
        school(1, primary_max_class_size=40), RowPlace("f.csv"), TODAY
    )
    assert [i.rule for i in issues] == ["class_size"]
    assert "hold at most 480, fewer than the 500 students" in issues[0].message


def test_million_teachers() -> None:
    issues = plausibility_issues(
        school(1, primary_teachers=1_000_000), RowPlace("f.csv"), TODAY
    )
    assert [i.rule for i in issues] == ["implausible"]
    assert issues[0].column == "小学专任教师数"
    assert "1,000,000 is above 10,000" in issues[0].message


def test_form_data_rejected_without_row() -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_school_data(school(1, year=2099))
    issues: list[Issue] = caught.value.issues  # type: ignore[assignment]
    assert [i.rule for i in issues] == ["year_window"]
    # A form has no rows, so the issue names none.
    assert issues[0].row is None


def test_api_save_rejects_implausible(store: Session) -> None:
    with pytest.raises(InvalidInput) as caught:
        reporting.save_school_year(
            store,
            SCHOOL_1,
            "2141000001",
            2024,
            school(1, primary_classes=0),
            None,
        )
    assert [i.rule for i in caught.value.issues] == ["no_classes"]  # type: ignore[attr-defined]


def test_import_rejects_implausible_row(store: Session, tmp_path: Path) -> None:
    rows = [school(1), school(2, primary_teachers=1_000_000)]
    path = canonical_csv(tmp_path / "schools.csv", rows)
    with pytest.raises(InvalidInput) as caught:
        reporting.import_school_file(store, ZHONGYUAN, path)
    issues: list[Issue] = caught.value.issues  # type: ignore[assignment]
    assert [(i.rule, i.file, i.row) for i in issues] == [
        ("implausible", "schools.csv", 3)
    ]


def test_import_names_template_header(store: Session, tmp_path: Path) -> None:
    fields = list(SCHOOL_FIELDS)
    rows = [school(1), school(2, primary_max_class_size=200)]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "学校数据"
    sheet.append([spec.header_zh for spec in fields])
    for row in rows:
        sheet.append([row.get(spec.name) for spec in fields])
    path = tmp_path / "schools.xlsx"
    workbook.save(path)
    with pytest.raises(InvalidInput) as caught:
        reporting.import_school_file(store, ZHONGYUAN, path)
    issues: list[Issue] = caught.value.issues  # type: ignore[assignment]
    assert [(i.code, i.sheet, i.row, i.column, i.value) for i in issues] == [
        ("class_size.above_max", "学校数据", 3, "小学最大班额（人）", "200")
    ]
