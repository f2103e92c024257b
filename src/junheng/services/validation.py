"""Checks of data entered through a form or API, with the import's own rules.

A form's values are laid out as a one-row table and go through the same
checks as a row of an imported file, so the web, the API and ``junheng import``
accept and reject exactly the same values.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import polars as pl

from junheng.errors import InvalidInput
from junheng.ingest.issues import Issue, errors_in, summarize_issues
from junheng.ingest.readers import ROW_COLUMN
from junheng.ingest.schema import ALL_SCHOOL_FIELDS, FIELDS_BY_NAME
from junheng.ingest.validate import TableContext, validate_schools

if TYPE_CHECKING:
    from junheng.standards.model import Framework

FORM_SOURCE = "表单 form"
"""The file name that issues about form input carry."""


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
            issues.append(
                ctx.issue(
                    None,
                    None,
                    name,
                    f"{name!r} is not a field of the school data",
                    "use the field names of the Excel template (see "
                    "`junheng template`)",
                    "header",
                )
            )
    texts = {
        spec.name: _cell_text(data[spec.name])
        for spec in ALL_SCHOOL_FIELDS
        if spec.name in data
    }
    frame = pl.DataFrame([texts], schema=dict.fromkeys(texts, pl.String)).with_columns(
        pl.lit(2, dtype=pl.Int64).alias(ROW_COLUMN)
    )
    typed, cell_issues = validate_schools(frame, ctx)
    issues += cell_issues
    if errors_in(issues):
        raise invalid(issues, source)
    row = typed.drop(ROW_COLUMN).row(0, named=True)
    return {name: json_value(value) for name, value in row.items()}


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
