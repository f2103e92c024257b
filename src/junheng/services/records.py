"""Approved store data as the frames the evaluation core reads.

:func:`approved_frame` and :func:`approved_county_items` return the same
canonical frames as :func:`junheng.ingest.load_inputs`, so
:func:`junheng.evaluation.verdict.evaluate` treats approved store data exactly
like an imported file.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from junheng.ingest.readers import ROW_COLUMN
from junheng.ingest.schema import canonical_frame
from junheng.ingest.validate import TableContext, empty_schools
from junheng.store.models import CountyItemRecord, DataGeneration, School, SchoolRecord

STORE_SOURCE = "store"
"""The file name that issues about stored data carry."""


def approved_frame(
    session: Session, year: int | None = None, prefix: str = ""
) -> pl.DataFrame:
    """Return the approved school-year rows as a canonical school frame.

    A school-year is included when its current version is ``approved``; one
    being corrected after a reopen is left out until it is approved again.
    ``year`` limits the rows to one school year and ``prefix`` to the schools
    whose division code starts with it. Rows are ordered by year and school
    code.
    """
    query = (
        select(SchoolRecord.data)
        .join(School, School.code == SchoolRecord.school_code)
        .where(SchoolRecord.is_current.is_(True), SchoolRecord.status == "approved")
        .order_by(SchoolRecord.year, SchoolRecord.school_code)
    )
    if year is not None:
        query = query.where(SchoolRecord.year == year)
    if prefix:
        query = query.where(School.division_code.startswith(prefix, autoescape=True))
    rows: list[dict[str, Any]] = list(session.scalars(query))
    if not rows:
        return empty_schools().drop(ROW_COLUMN, strict=False)
    return canonical_frame(rows)


def latest_approved_year(session: Session, prefix: str = "") -> int | None:
    """Return the latest school year with approved rows of schools under
    ``prefix``, or None when there are none.
    """
    query = (
        select(func.max(SchoolRecord.year))
        .join(School, School.code == SchoolRecord.school_code)
        .where(SchoolRecord.is_current.is_(True), SchoolRecord.status == "approved")
    )
    if prefix:
        query = query.where(School.division_code.startswith(prefix, autoescape=True))
    return session.scalar(query)


def county_item_rows(
    data: dict[str, Any], year: int, division_code: str
) -> list[dict[str, Any]]:
    """Return the stored items of a county-year as rows of the items sheet."""
    return [
        {
            "year": str(year),
            "division_code": division_code,
            "item": key,
            "value": entry.get("value"),
            "evidence": entry.get("evidence"),
        }
        for key, entry in sorted(data.items())
    ]


def county_items_frame(rows: list[dict[str, Any]], source: str) -> pl.DataFrame:
    """Type county-item rows (all text) the way the import does.

    Returns the frame with the columns of
    :data:`~junheng.ingest.validate.COUNTY_ITEM_COLUMNS` and the issues are
    dropped, because stored items were checked when they were saved.
    """
    from junheng.ingest.county_items import empty_county_items, validate_county_items

    if not rows:
        return empty_county_items()
    frame = (
        pl.DataFrame(
            rows,
            schema=dict.fromkeys(
                ("year", "division_code", "item", "value", "evidence"), pl.String
            ),
        )
        .with_row_index(ROW_COLUMN, offset=2)
        .with_columns(pl.col(ROW_COLUMN).cast(pl.Int64))
    )
    ctx = TableContext(file=source, sheet=None, header_row=1)
    typed, _ = validate_county_items(frame, ctx, None)
    return typed.drop(ROW_COLUMN)


def approved_county_items(
    session: Session, year: int | None = None, prefix: str = ""
) -> pl.DataFrame:
    """Return the approved county-level items as a canonical county-items frame.

    ``year`` and ``prefix`` filter as in :func:`approved_frame`.
    """
    query = (
        select(CountyItemRecord)
        .where(
            CountyItemRecord.is_current.is_(True), CountyItemRecord.status == "approved"
        )
        .order_by(CountyItemRecord.year, CountyItemRecord.division_code)
    )
    if year is not None:
        query = query.where(CountyItemRecord.year == year)
    if prefix:
        query = query.where(
            CountyItemRecord.division_code.startswith(prefix, autoescape=True)
        )
    rows: list[dict[str, Any]] = []
    for record in session.scalars(query):
        rows += county_item_rows(record.data, record.year, record.division_code)
    return county_items_frame(rows, STORE_SOURCE)


def data_generation(session: Session) -> int:
    """Return the data generation: it changes whenever approved data change."""
    return (
        session.scalar(select(DataGeneration.value).where(DataGeneration.id == 1)) or 0
    )


def county_published(session: Session, division_code: str, year: int) -> bool:
    """Return whether the county-year ``division_code``, ``year`` is published.

    It is when it has a current school record and every current school record
    and its current county-item record, if any, are approved (final). Public
    visitors read the results of published county-years only.
    """
    statuses = session.scalars(
        select(SchoolRecord.status)
        .join(School, School.code == SchoolRecord.school_code)
        .where(
            School.division_code == division_code,
            SchoolRecord.year == year,
            SchoolRecord.is_current.is_(True),
        )
    ).all()
    if not statuses or any(status != "approved" for status in statuses):
        return False
    pending = session.scalar(
        select(func.count())
        .select_from(CountyItemRecord)
        .where(
            CountyItemRecord.division_code == division_code,
            CountyItemRecord.year == year,
            CountyItemRecord.is_current.is_(True),
            CountyItemRecord.status != "approved",
        )
    )
    return not pending


def bump_data_generation(session: Session) -> int:
    """Advance the data generation by one in the caller's transaction."""
    session.execute(
        update(DataGeneration)
        .where(DataGeneration.id == 1)
        .values(value=DataGeneration.value + 1)
    )
    return data_generation(session)
