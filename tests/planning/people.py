"""Hand-made counties and rosters for the rotation and pairing tests.

All of it is made up for the tests (synthetic): no row describes a real
teacher or school.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from factories import primary_school

from junheng.ingest.schema import canonical_frame
from junheng.planning.roster import roster_frame

PE_ART = ("体育", "音乐", "美术")


def code(number: int) -> str:
    """Return the school code :func:`primary_school` gives school ``number``."""
    return f"21410{number:05d}"


def teacher(
    number: int,
    school: int,
    subject: str = "语文",
    *,
    backbone: bool = False,
    years: int = 8,
    degree: bool = True,
    home: tuple[float, float] | None = None,
) -> dict[str, Any]:
    """Return one roster row of a primary teacher at school ``school``."""
    return {
        "teacher_id": f"T{number:04d}",
        "school_code": code(school),
        "section": "primary",
        "subject": subject,
        "backbone": backbone,
        "years_at_school": years,
        "above_required_degree": degree,
        "home_lat": None if home is None else home[0],
        "home_lon": None if home is None else home[1],
    }


def county(
    roster: list[dict[str, Any]],
    students: dict[int, int],
    places: dict[int, tuple[float, float]] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return (roster frame, school frame) whose teacher counts match the roster.

    ``students`` gives the primary students of each school number; ``places``
    optional (lat, lon) columns.
    """
    rows = []
    for number, enrolled in students.items():
        mine = [t for t in roster if t["school_code"] == code(number)]
        rows.append(
            primary_school(
                number,
                primary_students=enrolled,
                primary_teachers=len(mine),
                primary_teachers_above_required_degree=sum(
                    bool(t["above_required_degree"]) for t in mine
                ),
                primary_backbone_teachers=sum(t["backbone"] for t in mine),
                primary_pe_art_teachers=sum(t["subject"] in PE_ART for t in mine),
                primary_teachers_intermediate_title=0,
            )
        )
    schools = canonical_frame(rows)
    if places is not None:
        schools = schools.with_columns(
            pl.col("school_code")
            .replace_strict({code(n): p[0] for n, p in places.items()})
            .alias("lat"),
            pl.col("school_code")
            .replace_strict({code(n): p[1] for n, p in places.items()})
            .alias("lon"),
        )
    return roster_frame(roster), schools
