"""Roll-ups: between-county CV and the Theil decomposition."""

from __future__ import annotations

import math

import pytest
from factories import primary_school

from junheng.evaluation.verdict import evaluate
from junheng.ingest.schema import canonical_frame
from junheng.standards.loader import load_framework


def _separated_counties() -> list[dict[str, object]]:
    # County A: two schools with 1 book per student; county B: two schools with
    # 3 books per student. Every school has 50 students.
    rows = []
    for n, (code, books) in enumerate(
        [("410102", 50), ("410102", 50), ("410103", 150), ("410103", 150)]
    ):
        rows.append(
            primary_school(
                n,
                division_code=code,
                primary_students=50,
                books=books,
                city_code="4101",
                province_code="41",
            )
        )
    return rows


def _indicator_row(level: str) -> dict[str, object]:
    ev = evaluate(
        canonical_frame(_separated_counties()), load_framework("cn-2012-basic")
    )
    frame = ev.rollups.indicators
    rows = [
        r
        for r in frame.iter_rows(named=True)
        if r["level"] == level and r["indicator"] == "B5"
    ]
    assert len(rows) == 1
    return rows[0]


def test_separated_groups_all_between() -> None:
    # Means 1 and 3 with equal weights: overall mean 2, and
    # T = ½·(1/2)·ln(1/2) + ½·(3/2)·ln(3/2), all of it between counties.
    expected = 0.25 * math.log(0.5) + 0.75 * math.log(1.5)
    row = _indicator_row("city")
    assert row["theil_within"] == pytest.approx(0.0, abs=1e-15)
    assert row["theil_between"] == pytest.approx(expected, rel=1e-12)
    assert row["theil"] == pytest.approx(expected, rel=1e-12)


def test_between_county_cv() -> None:
    # County means 1 and 3, equal students: mean 2, S = 1, CV = 0.5.
    row = _indicator_row("province")
    assert row["between_county_cv"] == pytest.approx(0.5, rel=1e-12)
    assert row["counties"] == 2


def test_equal_schools_zero_inequality() -> None:
    rows = [primary_school(n, city_code="4101", province_code="41") for n in range(3)]
    ev = evaluate(canonical_frame(rows), load_framework())
    frame = ev.rollups.indicators
    for row in frame.iter_rows(named=True):
        assert row["theil"] == pytest.approx(0.0, abs=1e-15)


def test_within_plus_between_equals_total() -> None:
    # Two counties, unequal schools inside each: the total Theil index computed
    # directly over schools equals the sum of the two parts.
    rows = [
        primary_school(
            0,
            division_code="410102",
            primary_students=100,
            books=100,
            city_code="4101",
            province_code="41",
        ),
        primary_school(
            1,
            division_code="410102",
            primary_students=300,
            books=1200,
            city_code="4101",
            province_code="41",
        ),
        primary_school(
            2,
            division_code="410103",
            primary_students=200,
            books=1000,
            city_code="4101",
            province_code="41",
        ),
    ]
    ev = evaluate(canonical_frame(rows), load_framework("cn-2012-basic"))
    row = next(
        r
        for r in ev.rollups.indicators.iter_rows(named=True)
        if r["level"] == "city" and r["indicator"] == "B5"
    )
    # Values 1, 4, 5 books per student with weights 100, 300, 200.
    p = [100, 300, 200]
    x = [1.0, 4.0, 5.0]
    mean = sum(pi * xi for pi, xi in zip(p, x, strict=True)) / sum(p)
    total = sum(pi * xi * math.log(xi / mean) for pi, xi in zip(p, x, strict=True))
    total /= sum(p) * mean
    assert row["theil"] == pytest.approx(total, rel=1e-12)
    assert verdict_counts(ev) == {"pass": 0, "fail": 0, "incomplete": 2}


def verdict_counts(ev: object) -> dict[str, int]:
    summary = ev.summary()  # type: ignore[attr-defined]
    return {k: summary[k] for k in ("pass", "fail", "incomplete")}


def test_verdict_rollups_without_indicators() -> None:
    # Counties A (410102) and B (410103) in city 4101: the verdict counts per
    # region do not depend on the indicator roll-ups being computed.
    schools = canonical_frame(_separated_counties())
    fw = load_framework("cn-2012-basic")
    full = evaluate(schools, fw)
    short = evaluate(schools, fw, indicator_rollups=False)
    assert short.rollups.verdicts.equals(full.rollups.verdicts)
    assert short.rollups.verdicts.height == 3
    assert short.rollups.indicators.is_empty()
    assert short.verdicts.equals(full.verdicts)
