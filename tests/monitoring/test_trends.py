"""Trends of the SYNTHETIC demo counties, checked against the evaluation."""

from __future__ import annotations

import itertools

import polars as pl
import pytest

from junheng.evaluation.verdict import Evaluation
from junheng.monitoring.trends import county_trends, region_trends


def test_county_trend_rows_copy_the_evaluation_and_difference_years(
    evaluation: Evaluation,
) -> None:
    trends = county_trends(evaluation)
    code = trends["division_code"][0]
    series = trends.filter(
        (pl.col("division_code") == code)
        & (pl.col("section") == "primary")
        & (pl.col("indicator") == "L6")
    ).sort("year")
    stats = evaluation.sections.filter(
        (pl.col("division_code") == code) & (pl.col("section") == "primary")
    ).sort("year")
    assert series["cv"].to_list() == stats["cv_L6"].to_list()
    # change_cv is this year's CV less last year's, read off the same table.
    cvs = stats["cv_L6"].to_list()
    assert series["change_cv"].to_list()[1:] == pytest.approx(
        [b - a for a, b in itertools.pairwise(cvs)]
    )
    assert series["change_cv"][0] is None
    assert series["previous_year"].to_list()[1:] == series["year"].to_list()[:-1]
    compliant = stats["compliant_schools"] / (
        stats["compliant_schools"] + stats["noncompliant_schools"]
    )
    assert series["share_compliant"].to_list() == pytest.approx(compliant.to_list())


def test_nation_trend_counts_every_county_and_its_pass_share(
    evaluation: Evaluation,
) -> None:
    regions = region_trends(evaluation)
    nation = regions.filter(
        (pl.col("level") == "nation")
        & (pl.col("indicator") == "L1")
        & (pl.col("section") == "primary")
    ).sort("year")
    verdicts = evaluation.verdicts
    for row in nation.iter_rows(named=True):
        year = verdicts.filter(pl.col("year") == row["year"])
        passed = (year["verdict"] == "pass").sum()
        assert row["counties_pass"] == passed
        assert row["pass_share"] == pytest.approx(passed / year.height)
    assert set(regions["level"]) == {"city", "province", "nation"}
