"""Section units of one county and how each decision moves their indicators.

The adjustment model needs, for every school section (unit), the value of each
resource indicator now and how much it changes per teacher, square metre, yuan
or classroom added to the school. Both come from the engine's own unit query
(:func:`junheng.engine.queries.unit_values_sql`), so inclusion rules, section
splitting of shared resources and indicator formulas are the framework's.
The changes are found by evaluating the units again with each field raised by
a fixed step and are then checked to be linear in that field.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import numpy.typing as npt
import polars as pl

from junheng.engine import queries
from junheng.engine.compute import school_types_frame
from junheng.errors import FrameworkError
from junheng.standards.model import Framework

Floats = npt.NDArray[np.float64]

TEACHER_FIELDS: tuple[str, ...] = (
    "teachers_above_required_degree",
    "backbone_teachers",
    "pe_art_teachers",
)
"""Per-section teacher counts that hiring and transfers change."""

BUILD_FIELDS: tuple[str, ...] = (
    "teaching_aux_area_m2",
    "sports_area_m2",
    "equipment_value_yuan",
    "multimedia_classrooms",
)
"""Whole-school resources that building and buying change."""

_STEP = 64.0
# A formula whose change per step differs by more than this relative amount
# between the first and the second step is not linear in that field.
_LINEAR_TOLERANCE = 1e-7


@dataclass
class Units:
    """The school sections of one county-year, in a fixed order.

    ``frame`` has one row per unit with ``school_code``, ``school_name``,
    ``section``, ``students``, the teacher counts and ``v_<ID>`` for every
    indicator, sorted by section and school code. ``slopes[field]`` is an
    array (units × indicators) of the change of each indicator per unit of
    ``field`` added to the unit's school (teacher fields: to its section).
    """

    frame: pl.DataFrame
    indicator_ids: list[str]
    slopes: dict[str, Floats]

    @property
    def values(self) -> Floats:
        """Return the indicator values (units × indicators); NaN where unknown."""
        columns = [f"v_{i}" for i in self.indicator_ids]
        return self.frame.select(columns).to_numpy().astype(np.float64)


def _unit_values(schools: pl.DataFrame, fw: Framework) -> pl.DataFrame:
    con = duckdb.connect()
    try:
        con.sql("SET enable_progress_bar = false")
        con.register("school_types", school_types_frame(fw))
        con.register("schools", schools)
        frame: pl.DataFrame = con.sql(queries.unit_values_sql(fw, "schools")).pl()
    finally:
        con.close()
    return frame


def _raised(schools: pl.DataFrame, field: str, step: float, copy: int) -> pl.DataFrame:
    if field in TEACHER_FIELDS:
        names = [f"{section}_{field}" for section in ("primary", "junior")]
    else:
        names = [field]
    return schools.with_columns(
        *((pl.col(name) + step).cast(schools.schema[name]) for name in names),
        pl.lit(copy, dtype=pl.Int64).alias("year"),
    )


def section_units(schools: pl.DataFrame, fw: Framework) -> Units:
    """Build the units of ``schools`` (one county-year) and their slopes.

    Units without students have no indicator values and are left out, as the
    engine leaves them out of the CVs. Raises :class:`FrameworkError` when an
    indicator is not linear in a field the plan changes, because the model
    needs linear indicators.
    """
    return county_units(schools, fw)[str(schools["division_code"][0])]


def county_units(schools: pl.DataFrame, fw: Framework) -> dict[str, Units]:
    """Build the units of every county in ``schools`` (one year) with one query.

    Returns the :class:`Units` of each division code, as
    :func:`section_units` builds them for that county alone.
    """
    fields = [*TEACHER_FIELDS, *BUILD_FIELDS]
    # Copy 0 is the data as given; copies 2k+1 and 2k+2 raise field k by one
    # and two steps. One query evaluates them all, and the year column
    # identifies the copy.
    copies = [schools.with_columns(pl.lit(0, dtype=pl.Int64).alias("year"))]
    for k, field in enumerate(fields):
        copies.append(_raised(schools, field, _STEP, 2 * k + 1))
        copies.append(_raised(schools, field, 2 * _STEP, 2 * k + 2))
    units = _unit_values(pl.concat(copies), fw).filter(pl.col("students") > 0)
    units = units.with_columns(pl.col("division_code").cast(pl.String))
    parts = units.sort("year", "section", "school_code").partition_by(
        "division_code", as_dict=True, maintain_order=True
    )
    empty = units.clear()
    codes = sorted(str(c) for c in schools["division_code"].unique())
    return {code: _slopes(parts.get((code,), empty), fw, fields) for code in codes}


def _slopes(units: pl.DataFrame, fw: Framework, fields: list[str]) -> Units:
    ids = [ind.id for ind in fw.resource_indicators]
    value_columns = [f"v_{i}" for i in ids]
    copies = units["year"].to_numpy()
    values = units.select(value_columns).to_numpy().astype(np.float64)
    base = values[copies == 0]
    slopes: dict[str, Floats] = {}
    for k, field in enumerate(fields):
        once = values[copies == 2 * k + 1]
        twice = values[copies == 2 * k + 2]
        first, second = once - base, twice - once
        known = ~(np.isnan(first) | np.isnan(second))
        scale = np.maximum(np.abs(first), 1e-12)
        bad = known & (np.abs(second - first) > _LINEAR_TOLERANCE * scale + 1e-12)
        if bad.any():
            column = int(np.argwhere(bad)[0][1])
            raise FrameworkError(
                f"indicator {ids[column]} of framework {fw.id} is not linear in "
                f"{field}; the least-cost plan needs indicators linear in the "
                "resources it adds"
            )
        slopes[field] = np.where(known, first / _STEP, 0.0)
    frame = units.filter(pl.col("year") == 0).with_columns(
        pl.col("school_code").cast(pl.String)
    )
    return Units(frame=frame, indicator_ids=ids, slopes=slopes)
