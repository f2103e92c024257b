"""Helpers of the people planners: the engine's per-school values, the teacher
indicators of a framework, and distances.

Indicator values, compliance and CVs before and after a plan come from the
evaluation engine itself (:func:`junheng.engine.compute.compute`), so a plan is
judged by the same definitions as the county's verdict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from junheng.engine.compute import compute
from junheng.errors import InputError
from junheng.standards.model import Framework

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG), the radius of the haversine distance."""

TEACHER_FIELDS = (
    "teachers",
    "teachers_above_required_degree",
    "backbone_teachers",
    "pe_art_teachers",
)
"""Per-section teacher counts that a move of one teacher changes."""

_PER_STUDENT = re.compile(r"^([a-z_]+)(?:\*(\d+(?:\.\d+)?))?/students$")


@dataclass(frozen=True)
class TeacherIndicator:
    """A resource indicator equal to ``factor × count / students`` for a teacher
    count of :data:`TEACHER_FIELDS`, such as L2 = backbone_teachers × 100 /
    students."""

    id: str
    field: str
    factor: float
    name_zh: str
    name_en: str


def teacher_indicators(framework: Framework) -> list[TeacherIndicator]:
    """Return the framework's indicators that count teachers per student.

    An indicator qualifies when its formula has the form ``FIELD * NUMBER /
    students`` or ``FIELD / students`` with a field of :data:`TEACHER_FIELDS`.
    """
    found: list[TeacherIndicator] = []
    for indicator in framework.resource_indicators:
        match = _PER_STUDENT.match("".join(indicator.formula.split()))
        if match is None or match.group(1) not in TEACHER_FIELDS:
            continue
        factor = float(match.group(2)) if match.group(2) else 1.0
        found.append(
            TeacherIndicator(
                indicator.id,
                match.group(1),
                factor,
                indicator.name.zh,
                indicator.name.en,
            )
        )
    return found


def select_schools(
    schools: pl.DataFrame, division_code: str, year: int
) -> pl.DataFrame:
    """Return the school rows of ``year`` under ``division_code``.

    Raises :class:`InputError` naming the years and codes present when none
    match.
    """
    chosen = schools.filter(
        (pl.col("year") == year)
        & pl.col("division_code").str.starts_with(division_code)
    )
    if chosen.is_empty():
        years = sorted(schools["year"].unique().to_list())
        codes = sorted(schools["division_code"].unique().to_list())
        shown = ", ".join(codes[:10]) + (" …" if len(codes) > 10 else "")
        raise InputError(
            f"no school rows of year {year} under division code {division_code}; "
            f"the school data has years {years} and division codes {shown}",
            zh=f"学校数据中没有 {year} 学年、区划代码 {division_code} 下的学校；"
            f"数据中的学年为 {years}，区划代码为 {shown}",
        )
    return chosen


def evaluate_units(
    schools: pl.DataFrame, framework: Framework
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Run the engine on ``schools`` and return its per-unit values and CVs.

    The first frame has one row per school section with students
    (``school_code``, ``school_name``, ``division_code``, ``section``,
    ``students``, ``v_<ID>``, ``met_<ID>``, ``thr_<ID>``, ``compliant``), sorted
    by division, school and section. The second is the engine's ``county_stats``
    (``cv_<ID>``, ``mean_<ID>``, ``cv_limit`` per county and section).
    """
    engine = compute(schools, framework)
    ids = [i.id for i in framework.resource_indicators]
    met = [f"met_{i.id}" for i in framework.resource_indicators if i.threshold]
    columns = [
        "division_code",
        "school_code",
        "school_name",
        "section",
        "students",
        *(f"v_{i}" for i in ids),
        *(f"thr_{i}" for i in ids),
        *met,
    ]
    if framework.school_rule is not None:
        columns.append("compliant")
    units = engine.query(
        f"SELECT {', '.join(columns)} FROM unit_values WHERE students > 0 "
        "ORDER BY division_code, school_code, section"
    )
    stats = engine.query(
        "SELECT * FROM county_stats ORDER BY year, division_code, section"
    )
    engine.connection.close()
    return units, stats


def haversine_km(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Return the great-circle distance in km between points given in degrees.

    Arrays broadcast against each other; NaN in any coordinate gives NaN.
    """
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dphi = phi2 - phi1
    dlam = np.radians(lon2) - np.radians(lon1)
    h = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlam / 2) ** 2
    distance: npt.NDArray[np.float64] = (
        2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    )
    return distance


def location_columns(schools: pl.DataFrame) -> pl.DataFrame:
    """Return ``school_code``, ``lat`` and ``lon`` of each school (null when the
    frame has no location columns)."""
    lat = pl.col("lat") if "lat" in schools.columns else pl.lit(None)
    lon = pl.col("lon") if "lon" in schools.columns else pl.lit(None)
    return schools.select(
        "school_code",
        lat.cast(pl.Float64).alias("lat"),
        lon.cast(pl.Float64).alias("lon"),
    ).unique("school_code", keep="first", maintain_order=True)
