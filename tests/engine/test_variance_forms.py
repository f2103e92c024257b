"""The one-pass variance against the two-pass reference."""

from __future__ import annotations

import pytest

from junheng import demo
from junheng.engine.compute import compute
from junheng.evaluation.rollup import compute_rollups
from junheng.standards.loader import load_framework


def test_one_pass_matches_two_pass() -> None:
    schools = demo.generate_schools(counties=30, seed=7)
    fw = load_framework()
    reference = (
        compute(schools, fw)
        .table("county_stats")
        .sort("year", "division_code", "section")
    )
    fast = (
        compute(schools, fw, two_pass=False)
        .table("county_stats")
        .sort("year", "division_code", "section")
    )
    assert reference.height == fast.height
    for ind in fw.resource_indicators:
        column = f"cv_{ind.id}"
        for a, b in zip(reference[column], fast[column], strict=True):
            assert b == pytest.approx(a, rel=1e-6, abs=1e-9)


def test_one_pass_rollups_have_theil() -> None:
    schools = demo.generate_schools(counties=5, seed=3)
    fw = load_framework()
    reference = compute_rollups(compute(schools, fw), fw).indicators
    fast = compute_rollups(compute(schools, fw, two_pass=False), fw).indicators
    assert reference["theil"].to_list() == pytest.approx(fast["theil"].to_list())
