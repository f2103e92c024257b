"""The county statistics against the per-school detail they summarise.

The county statistics read a narrow unit relation keyed by integers, and the
school rule takes a short form for schools with every value known. These tests
recount the per-school detail (``unit_values``) by hand and compare.
"""

from __future__ import annotations

import polars as pl
import pytest

from junheng import demo
from junheng.engine.compute import EngineResult, compute
from junheng.standards.loader import load_framework

KEYS = ["year", "division_code", "section"]


@pytest.fixture(scope="module")
def engine() -> EngineResult:
    schools = demo.generate_schools(counties=12, years=2, seed=5)
    # Blank one indicator input in every fifth row and another in every
    # seventh, so that schools with unknown values take the long form.
    row = pl.int_range(pl.len())
    schools = schools.with_columns(
        pl.when(row % 5 == 0)
        .then(None)
        .otherwise(pl.col("primary_backbone_teachers"))
        .alias("primary_backbone_teachers"),
        pl.when(row % 7 == 0)
        .then(None)
        .otherwise(pl.col("sports_area_m2"))
        .alias("sports_area_m2"),
    )
    return compute(schools, load_framework("cn-2017-quality"))


def test_compliance_follows_rule(engine: EngineResult) -> None:
    rule = engine.framework.school_rule
    assert rule is not None
    n = len(engine.framework.resource_indicators)
    units = engine.table("unit_values")
    assert units["known_count"].min() < n  # the long form is exercised
    for unit in units.iter_rows(named=True):
        broken = (
            unit["below_floor_count"] > 0
            or unit["met_count"] + (n - unit["known_count"]) < rule.min_met
        )
        complete = unit["known_count"] == n and unit["met_count"] >= rule.min_met
        expected: bool | None = None
        if broken:
            expected = False
        elif complete:
            expected = True
        assert unit["compliant"] is expected, unit["school_code"]


def test_county_counts_match_units(engine: EngineResult) -> None:
    fw = engine.framework
    units = engine.table("unit_values")
    counted = units.group_by(KEYS).agg(
        pl.len().alias("units"),
        (pl.col("compliant") == False).sum().alias("noncompliant_schools"),  # noqa: E712
        *(
            (pl.col(f"met_{i.id}") == False).sum().alias(f"unmet_{i.id}")  # noqa: E712
            for i in fw.resource_indicators
        ),
        *(
            (pl.col(f"v_{i.id}").is_null() & (pl.col("students") > 0))
            .sum()
            .alias(f"missing_{i.id}")
            for i in fw.resource_indicators
        ),
    )
    stats = engine.table("county_stats").select(counted.columns)
    joined = counted.join(stats, on=KEYS, suffix="_engine")
    assert joined.height == stats.height == counted.height
    for column in counted.columns:
        if column in KEYS:
            continue
        assert joined[column].to_list() == joined[f"{column}_engine"].to_list()


def test_weighted_mean_matches_units(engine: EngineResult) -> None:
    units = engine.table("unit_values")
    expected = units.group_by(KEYS).agg(
        (
            (pl.col("students") * pl.col("v_L4")).sum()
            / pl.col("students").filter(pl.col("v_L4").is_not_null()).sum()
        ).alias("mean")
    )
    stats = engine.table("county_stats").select(*KEYS, "mean_L4")
    joined = expected.join(stats, on=KEYS)
    assert joined.height == stats.height
    for a, b in zip(joined["mean"], joined["mean_L4"], strict=True):
        assert b == pytest.approx(a, rel=1e-12)
