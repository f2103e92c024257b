"""Checks of data entered through a form or API, with the import's own rules.

A form's values are laid out as a one-row table and go through the same
checks as a row of an imported file, so the web, the API and ``junheng import``
accept and reject exactly the same values.
"""

from __future__ import annotations

import difflib
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

import polars as pl

from junheng.errors import InvalidInput
from junheng.ingest.issues import (
    CROSS_COLUMN_RULES,
    Issue,
    errors_in,
    summarize_issues,
)
from junheng.ingest.messages import Language, both
from junheng.ingest.readers import ROW_COLUMN
from junheng.ingest.schema import ALL_SCHOOL_FIELDS, FIELDS_BY_NAME, SECTIONS
from junheng.ingest.validate import TableContext, validate_schools

if TYPE_CHECKING:
    from junheng.standards.model import Framework

FORM_SOURCE = "表单 form"
"""The file name that issues about form input carry."""

FIRST_YEAR_ENV = "JUNHENG_FIRST_YEAR"
YEARS_AHEAD_ENV = "JUNHENG_YEARS_AHEAD"
DEFAULT_FIRST_YEAR = 2000
DEFAULT_YEARS_AHEAD = 1

MAX_CLASS_SIZE = 150
"""Largest plausible class. The standard caps classes at 45 (primary) and 50
(junior) students, and a class above 66 counts as super-large. A value above
this bound is a typing or unit error, not a large class."""

PLAUSIBLE_MAXIMUM: dict[str, int] = {
    **{f"{section}_classes": 2_000 for section in SECTIONS},
    **{f"{section}_teachers": 10_000 for section in SECTIONS},
    "multimedia_classrooms": 5_000,
    "computers": 100_000,
    "books": 10_000_000,
    "music_rooms": 1_000,
    "art_rooms": 1_000,
}
"""Upper bounds of the counts of one school. They lie far above any real
school, so only typing and unit errors reach them."""


class AddIssue(Protocol):
    def __call__(self, name: str, value: Any, code: str, **fields: Any) -> None: ...


def field_label(name: str) -> dict[Language, str]:
    """Return a school field in both languages: its template label and its name."""
    return both(FIELDS_BY_NAME[name].zh, name)


@dataclass(frozen=True)
class RowPlace:
    """The source of a row: file, sheet and 1-based row (the header is row 1).

    ``columns`` maps canonical fields to the file's headers, which issues name
    in place of the template label.
    """

    file: str
    sheet: str | None = None
    row: int | None = None
    columns: Mapping[str, str] = field(default_factory=dict)

    def column(self, name: str) -> str:
        """Return the column that issues name for canonical field ``name``."""
        return self.columns.get(name) or FIELDS_BY_NAME[name].zh


def year_window(today: date | None = None) -> tuple[int, int]:
    """Return the first and the last school year accepted for reporting.

    The first year is :data:`DEFAULT_FIRST_YEAR` unless the environment variable
    ``JUNHENG_FIRST_YEAR`` sets it. The last is the current year plus
    ``JUNHENG_YEARS_AHEAD`` (default 1), so that a school year starting in the
    autumn can be entered from January.
    """
    today = today or date.today()
    first = _env_int(FIRST_YEAR_ENV, DEFAULT_FIRST_YEAR)
    ahead = _env_int(YEARS_AHEAD_ENV, DEFAULT_YEARS_AHEAD)
    return first, today.year + ahead


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ValueError(
            f"environment variable {name}={raw!r} is not a whole number"
        ) from error


def plausibility_issues(
    row: Mapping[str, Any], place: RowPlace, today: date | None = None
) -> list[Issue]:
    """Return the errors of values that pass the import's checks but cannot be real.

    ``row`` is a typed canonical row. The school year must lie in
    :func:`year_window`. A section with students needs classes, no more classes
    than students, a largest class no larger than the students, and room for
    them all (classes times the largest class). No class is above
    :data:`MAX_CLASS_SIZE` and no count above :data:`PLAUSIBLE_MAXIMUM`.
    """
    issues: list[Issue] = []

    def add(name: str, value: Any, code: str, **fields: Any) -> None:
        text = None if value is None else str(value)
        issues.append(
            Issue.coded(
                place.file,
                place.sheet,
                place.row,
                place.column(name),
                text,
                code,
                value=value,
                field=field_label(name),
                **fields,
            )
        )

    year = row.get("year")
    first, last = year_window(today)
    if isinstance(year, int) and not first <= year <= last:
        add("year", year, "year_window", first=first, last=last)
    for section in SECTIONS:
        _check_section(row, section, add)
    for name, maximum in PLAUSIBLE_MAXIMUM.items():
        value = _count(row, name)
        if value is not None and value > maximum:
            add(name, value, "implausible", maximum=maximum)
    return issues


def _count(row: Mapping[str, Any], name: str) -> int | None:
    value = row.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    return int(value)


def _check_section(row: Mapping[str, Any], section: str, add: AddIssue) -> None:
    """Check the students, classes and largest class of one section."""
    students = _count(row, f"{section}_students")
    classes = _count(row, f"{section}_classes")
    largest = _count(row, f"{section}_max_class_size")
    students_name = f"{section}_students"
    classes_name = f"{section}_classes"
    size_name = f"{section}_max_class_size"
    if largest is not None and largest > MAX_CLASS_SIZE:
        add(size_name, largest, "class_size.above_max", maximum=MAX_CLASS_SIZE)
        return
    if not students:
        return
    if classes == 0:
        add(
            classes_name,
            0,
            "no_classes",
            students=students,
            students_field=field_label(students_name),
        )
    elif classes is not None and classes > students:
        add(classes_name, classes, "class_count", students=students)
    if largest is not None and largest > students:
        add(size_name, largest, "class_size.above_students", students=students)
    elif largest is not None and classes and classes * largest < students:
        add(
            size_name,
            largest,
            "class_size.capacity",
            classes=classes,
            capacity=classes * largest,
            students=students,
            students_field=field_label(students_name),
            classes_field=field_label(classes_name),
        )


def _cell_text(value: Any) -> str | None:
    """Return a form value as the text of a cell (``None`` for an empty one)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def json_value(value: Any) -> Any:
    """Return a frame value as a JSON value; NaN and infinities become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def invalid(issues: list[Issue], source: str) -> InvalidInput:
    """Return the error for ``issues`` of ``source``; nothing was stored."""
    summary = summarize_issues(issues)
    return InvalidInput(
        f"{summary} in {source}; nothing was stored",
        list(issues),
        zh=f"{source} 有错误（{len(errors_in(issues))} 处），未保存任何数据",
    )


def validate_school_data(
    data: dict[str, Any], source: str = FORM_SOURCE
) -> dict[str, Any]:
    """Check one school-year's values and return them typed and complete.

    ``data`` maps canonical field names (see :mod:`junheng.ingest.schema`) to
    values as numbers or text. Returns every canonical field, with the region
    names and codes filled in from the division code. Raises
    :class:`InvalidInput` with the issues found; an unknown field name is one.
    """
    issues: list[Issue] = []
    ctx = TableContext(file=source, sheet=None, header_row=1)
    for name in data:
        if name not in FIELDS_BY_NAME:
            issues.append(_unknown_field_issue(ctx, name))
    texts = {
        spec.name: _cell_text(data[spec.name])
        for spec in ALL_SCHOOL_FIELDS
        if spec.name in data
    }
    frame = pl.DataFrame([texts], schema=dict.fromkeys(texts, pl.String)).with_columns(
        pl.lit(2, dtype=pl.Int64).alias(ROW_COLUMN)
    )
    typed, cell_issues = validate_schools(frame, ctx)
    if issues:
        # A misspelt field leaves its column empty, so checks across columns
        # would add a follow-on error, such as teachers without students.
        cell_issues = [i for i in cell_issues if i.rule not in CROSS_COLUMN_RULES]
    issues += cell_issues
    if not errors_in(issues):
        row = typed.drop(ROW_COLUMN).row(0, named=True)
        issues += plausibility_issues(row, RowPlace(source))
    if errors_in(issues):
        # A form or API body has no rows; the import checks number it row 2.
        raise invalid([replace(issue, row=None) for issue in issues], source)
    return {name: json_value(value) for name, value in row.items()}


def _unknown_field_issue(ctx: TableContext, name: str) -> Issue:
    """Return the error of an unknown field, naming the closest field if any."""
    close = difflib.get_close_matches(name, list(FIELDS_BY_NAME), n=1, cutoff=0.6)
    if close:
        fields = {"name": name, "suggestion": close[0]}
        return ctx.issue(None, None, name, "header.unknown_field_close", fields)
    return ctx.issue(None, None, name, "header.unknown_field", {"name": name})


def validate_county_data(
    division_code: str,
    year: int,
    data: dict[str, Any],
    source: str = FORM_SOURCE,
    framework: Framework | None = None,
) -> dict[str, dict[str, Any]]:
    """Check a county-year's items and return them as stored.

    ``data`` maps each item key of ``framework`` (the default framework when
    ``None``) to ``{"value": ..., "evidence": ...}``. Raises
    :class:`InvalidInput` with the issues found.
    """
    from junheng.ingest.county_items import item_kinds, validate_county_items
    from junheng.services.records import county_item_rows
    from junheng.standards.loader import load_framework

    framework = framework or load_framework()
    entries = {
        key: {
            "value": _cell_text(entry.get("value")),
            "evidence": _cell_text(entry.get("evidence")),
        }
        for key, entry in data.items()
    }
    rows = county_item_rows(entries, year, division_code)
    frame = (
        pl.DataFrame(rows, schema=dict.fromkeys(rows[0], pl.String)) if rows else None
    )
    if frame is None:
        return {}
    frame = frame.with_row_index(ROW_COLUMN, offset=2).with_columns(
        pl.col(ROW_COLUMN).cast(pl.Int64)
    )
    ctx = TableContext(file=source, sheet=None, header_row=1)
    _, issues = validate_county_items(
        frame, ctx, framework.county_keys(), framework.id, item_kinds(framework)
    )
    if errors_in(issues):
        raise invalid(issues, source)
    return entries
