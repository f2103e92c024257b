"""Path parameters shared by pages and API routes, with their accepted ranges."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

MAX_ROW_ID = 2**31 - 1
"""Largest row id: ids are 32-bit integers on PostgreSQL."""

FIRST_YEAR = 1990
LAST_YEAR = 2100

RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="Row id.")]
YearPath = Annotated[
    int,
    Path(ge=FIRST_YEAR, le=LAST_YEAR, description="School year (start year)."),
]
