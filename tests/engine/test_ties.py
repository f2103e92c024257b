"""Values that equal their bound exactly, although binary floating point misses it."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import duckdb
import pytest
from factories import all_items_met, primary_school

from junheng.engine.queries import RELATIVE_TOLERANCE, compare_sql, meets
from junheng.evaluation.verdict import Evaluation, evaluate
from junheng.ingest.schema import canonical_frame
from junheng.standards.loader import load_framework

COUNTY = (2024, "410102")
NEAR = 1 - RELATIVE_TOLERANCE / 10
BEYOND = 1 - RELATIVE_TOLERANCE * 10


@pytest.mark.parametrize(
    ("value", "op", "bound", "expected"),
    [
        (4.5 * NEAR, ">=", 4.5, True),
        (4.5 * BEYOND, ">=", 4.5, False),
        (0.5 / NEAR, "<=", 0.5, True),
        (0.5 / BEYOND, "<=", 0.5, False),
        (0.15 * NEAR, "<", 0.15, False),
        (0.15 * BEYOND, "<", 0.15, True),
        (96 / NEAR, ">", 96.0, False),
        (96 / BEYOND, ">", 96.0, True),
        (2000 * NEAR, "==", 2000.0, True),
        (2000 * BEYOND, "==", 2000.0, False),
        (0.0, ">=", 0.0, True),
        (-1e-300, ">=", 0.0, False),
        (1.0, ">=", None, None),
    ],
)
def test_compare_sql_near_ties(
    value: float, op: str, bound: float | None, expected: bool | None
) -> None:
    con = duckdb.connect()
    as_number = con.sql(f"SELECT {compare_sql(repr(value), op, bound)}").fetchall()
    assert as_number == [(expected,)]
    # A bound read from a column gets the same margin as a number.
    column = con.sql(
        f"SELECT {compare_sql(repr(value), op, 'b')} FROM (SELECT ? AS b)",
        params=[bound],
    ).fetchall()
    assert column == [(expected,)]


def test_compare_sql_rejects_unknown_operator() -> None:
    with pytest.raises(ValueError, match="unknown comparison '=>'"):
        compare_sql("x", "=>", 1.0)


def _section(ev: Evaluation) -> dict[str, Any]:
    rows = ev.engine.table("county_stats").filter(section="primary").to_dicts()
    assert len(rows) == 1
    return rows[0]


def test_cv_exactly_at_limit_passes() -> None:
    # Teaching area per student 18781/4790 and 56343/4790 m² in two schools of
    # 479 students: mean 7.842, S 3.921, so the CV is exactly 1/2, the primary
    # limit. Floating point gives 0.5000000000000001.
    low, high = Fraction(18781, 10), Fraction(56343, 10)
    assert (high - low) / (high + low) == Fraction(1, 2)
    schools = [
        primary_school(1, primary_students=479, teaching_aux_area_m2=float(low)),
        primary_school(2, primary_students=479, teaching_aux_area_m2=float(high)),
    ]
    ev = evaluate(canonical_frame(schools), load_framework())
    stats = _section(ev)
    assert stats["cv_L4"] == pytest.approx(0.5, abs=1e-15)
    assert stats["cv_ok_L4"] is True
    reasons = [r["code"] for r in ev.reasons.get(COUNTY, [])]
    assert "cv_over_limit" not in reasons


def test_cv_just_over_limit_fails() -> None:
    # 0.01 m² more in the larger school: CV 56343.1 - 18781 over 56343.1 + 18781,
    # about 0.5000007, above the limit by far more than rounding.
    schools = [
        primary_school(1, primary_students=479, teaching_aux_area_m2=1878.1),
        primary_school(2, primary_students=479, teaching_aux_area_m2=5634.31),
    ]
    stats = _section(evaluate(canonical_frame(schools), load_framework()))
    assert stats["cv_L4"] == pytest.approx(float(Fraction(3756210, 7512410)))
    assert stats["cv_ok_L4"] is False


def test_school_exactly_at_threshold_meets_it() -> None:
    # A nine-year school of 223 primary and 789 junior students shares 4909.05 m²
    # by weights 1.0 and 1.1: the primary section gets 4909.05 × 223 / 1090.9
    # m², exactly 4.5 m² per student, the primary threshold of L4. Floating
    # point gives 4.499999999999999.
    share = Fraction(490905, 100) * 223 / (223 + Fraction(11, 10) * 789)
    assert share / 223 == Fraction(9, 2)
    school = primary_school(
        1,
        school_type="九年一贯制学校",
        primary_students=223,
        junior_students=789,
        teaching_aux_area_m2=4909.05,
    )
    units = evaluate(canonical_frame([school]), load_framework()).engine.table(
        "unit_values"
    )
    unit = units.filter(section="primary").to_dicts()[0]
    assert unit["v_L4"] == pytest.approx(4.5, abs=1e-14)
    assert unit["met_L4"] is True


def test_school_just_below_threshold_misses_it() -> None:
    school = primary_school(
        1,
        school_type="九年一贯制学校",
        primary_students=223,
        junior_students=789,
        teaching_aux_area_m2=4909.04,
    )
    units = evaluate(canonical_frame([school]), load_framework()).engine.table(
        "unit_values"
    )
    unit = units.filter(section="primary").to_dicts()[0]
    assert unit["met_L4"] is False


def _items(**values: float) -> Any:
    return all_items_met(load_framework().county_keys(), **values)


@pytest.mark.parametrize(
    ("values", "status"),
    [
        # A satisfaction rate worked out in a spreadsheet can land one unit in
        # the last place below 85; it still meets "85 or more".
        ({"S1": 85 * (1 - 1e-15)}, "pass"),
        ({"S1": 84.999}, "fail"),
    ],
)
def test_county_item_ties(values: dict[str, float], status: str) -> None:
    ev = evaluate(
        canonical_frame([primary_school(1)]), load_framework(), _items(**values)
    )
    assert ev.part_status[COUNTY]["satisfaction"] == status


@pytest.mark.parametrize(
    ("rate", "status"),
    [(0.15, "fail"), (0.15 * (1 + 1e-15), "fail"), (0.1499, "pass")],
)
def test_strict_item_tie_does_not_pass(rate: float, status: str) -> None:
    # Q9 asks for an inter-school difference rate below 0.15: a tie fails.
    ev = evaluate(
        canonical_frame([primary_school(1)]),
        load_framework(),
        _items(Q9_difference_rate=rate),
    )
    assert ev.part_status[COUNTY]["quality"] == status


def test_tied_cv_gets_no_reason_in_failing_section() -> None:
    # As in the test above L4 ties the limit; L5 (sports area 1000 and 9000
    # m²) has a CV of 0.8 and fails, so the section is examined for reasons.
    schools = [
        primary_school(
            1, primary_students=479, teaching_aux_area_m2=1878.1, sports_area_m2=1000.0
        ),
        primary_school(
            2, primary_students=479, teaching_aux_area_m2=5634.3, sports_area_m2=9000.0
        ),
    ]
    ev = evaluate(canonical_frame(schools), load_framework())
    over = [r["indicator"] for r in ev.reasons[COUNTY] if r["code"] == "cv_over_limit"]
    assert over == ["L5"]


def test_report_colour_agrees_on_tie() -> None:
    from junheng.reports.common import WorstCV

    assert WorstCV("L4", 0.5000000000000001, 0.5).over is False
    assert WorstCV("L4", 0.50001, 0.5).over is True


def test_meets_matches_compare_sql() -> None:
    con = duckdb.connect()
    for value, bound in [(4.499999999999999, 4.5), (4.4999, 4.5), (0.0, 0.0)]:
        for op in (">=", "<=", ">", "<", "=="):
            (sql,) = con.sql(f"SELECT {compare_sql(repr(value), op, bound)}").fetchall()
            assert meets(value, op, bound) is sql[0], (value, op, bound)
