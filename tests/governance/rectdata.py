"""A hand-built county with one shortfall of each kind, and its next year.

Synthetic data: 中原区 (410102) with five primary schools of 500 students,
built from ``factories.primary_school`` (every 2017 threshold met) with these
changes in 2024:

* school 4 has 12 teachers above the required degree and 3 backbone teachers:
  L1 = 12 × 100 / 500 = 2.4 (threshold 4.2, floor 85 % = 3.57) and
  L2 = 3 × 100 / 500 = 0.6 (threshold 1.0, floor 0.85), so it meets 5 of 7
  indicators with two below the floor: not compliant (school shortfall);
* school 5 has equipment worth 6,000,000 yuan, L6 = 12,000 yuan per student
  against 1,100,000 / 500 = 2,200 at the others, and a class of 48 students
  (G5 allows 45 in primary): a school-item shortfall and the L6 CV below.

Primary L6 CV, every school weighing 500: mean = (4 × 2200 + 12000) / 5 =
4160; variance = (4 × 1960² + 7840²) / 5 = 76,832,000 / 5 = 15,366,400;
S = 3920; CV = 3920 / 4160 = 0.942307… > 0.50 (cv shortfall).
L1 CV = 0.2321 and L2 CV = 0.2222 stay under the limit (values 5,5,5,2.4,5
and 1.2,1.2,1.2,0.6,1.2: S / mean = 1.04 / 4.48 and 0.24 / 1.08).

County items pass their checks except G7 = 5000 yuan (≥ 6000, item
shortfall), S1 = 80 % (≥ 85 %, satisfaction shortfall) and V1 = 是 (veto).

In 2025 every school is back at the factory values and every item passes,
except S1, which is still 80 %.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from dash.dashdata import passing_items
from factories import primary_school

from junheng.ingest.schema import canonical_frame
from junheng.services.records import county_item_rows, county_items_frame

COUNTY = "410102"
WEAK = "2141000004"
BIG = "2141000005"

EXPECTED_KEYS = {
    "2024/410102/item///G7/G7",
    "2024/410102/item///S1/S1",
    "2024/410102/veto///V1/V1",
    "2024/410102/cv/primary//L6/",
    f"2024/410102/school/primary/{WEAK}/L1, L2/",
    f"2024/410102/school_item//{BIG}/G5/",
}
"""Keys of the six shortfalls of 2024, one of each kind."""


def schools(year: int) -> list[dict[str, Any]]:
    """Return the five school rows of ``year`` (see the module notes)."""
    rows = [primary_school(n, year=year) for n in (1, 2, 3)]
    if year == 2024:
        rows.append(
            primary_school(
                4,
                year=year,
                primary_teachers_above_required_degree=12,
                primary_backbone_teachers=3,
            )
        )
        rows.append(
            primary_school(
                5,
                year=year,
                equipment_value_yuan=6_000_000.0,
                primary_max_class_size=48,
            )
        )
    else:
        rows += [primary_school(n, year=year) for n in (4, 5)]
    return rows


def items(year: int) -> dict[str, dict[str, Any]]:
    """Return the county items of ``year`` in the store's form."""
    data = passing_items()
    data["S1"] = {"value": 80, "evidence": "合成数据"}
    if year == 2024:
        data["G7"] = {"value": 5000, "evidence": "合成数据"}
        data["V1"] = {"value": "是", "evidence": "合成数据"}
    return data


def school_frame(years: tuple[int, ...] = (2024, 2025)) -> pl.DataFrame:
    """Return the canonical school frame of ``years``."""
    return canonical_frame([row for year in years for row in schools(year)])


def item_frame(years: tuple[int, ...] = (2024, 2025)) -> pl.DataFrame:
    """Return the county-items frame of ``years``."""
    rows: list[dict[str, Any]] = []
    for year in years:
        rows += county_item_rows(items(year), year, COUNTY)
    return county_items_frame(rows, "synthetic")
