"""Least-cost adjustment plans on small synthetic counties with known optima.

Every school here is made up (tests/factories.py). The 500-student primary
school of the factory meets every 2017 threshold: per 100 students L1 5.0,
L2 1.2, L3 1.0, L7 2.4; per student L4 5.0 m², L5 8.0 m², L6 2200 yuan.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import polars as pl
import pytest
from factories import primary_school

from junheng import demo
from junheng.evaluation.verdict import evaluate
from junheng.ingest.schema import canonical_frame
from junheng.planning.adjust import (
    part_one_passes,
    plan_adjustment,
    plan_adjustments,
)
from junheng.planning.costs import AdjustCosts
from junheng.planning.result import PlanResult
from junheng.standards.loader import load_framework
from junheng.standards.model import Framework


@pytest.fixture(scope="module")
def framework() -> Framework:
    return load_framework("cn-2017-quality")


def _plan(rows: list[dict[str, Any]], fw: Framework, **costs: Any) -> PlanResult:
    return plan_adjustment(
        canonical_frame(rows),
        fw,
        division_code="410102",
        year=2024,
        costs=AdjustCosts(**costs),
    )


def _actions(result: PlanResult) -> list[tuple[str, str, float, str]]:
    return [
        (r["school_code"], r["action_en"], r["quantity"], r["counterpart"])
        for r in result.table("actions").rows
    ]


def test_passing_county_needs_nothing(framework: Framework) -> None:
    result = _plan([primary_school(1), primary_school(2)], framework)
    assert result.feasible
    assert result.summary["total_cost"] == 0
    assert result.summary["passes_before"] is True
    assert result.summary["core_confirms_pass"] is True
    assert result.table("actions").rows == []


def test_cv_tied_with_limit_needs_nothing(framework: Framework) -> None:
    # Teaching space per student 1878.1/479 and 5634.3/479 m²: the L4 CV is
    # exactly 1/2, the limit, although it computes as 0.5000000000000001.
    rows = [
        primary_school(1, primary_students=479, teaching_aux_area_m2=1878.1),
        primary_school(2, primary_students=479, teaching_aux_area_m2=5634.3),
    ]
    result = _plan(rows, framework)
    assert result.summary["passes_before"] is True
    assert result.summary["total_cost"] == 0
    assert result.table("actions").rows == []


def test_one_hire_fixes_school_rule(framework: Framework) -> None:
    # School 1 has 4 backbone teachers for 500 students: L2 = 4·100/500 = 0.8,
    # below the floor 0.85·1.0, so the school fails whatever else it meets.
    # With transfers forbidden the only fix is one hire: 5·100/500 = 1.0.
    rows = [primary_school(1, primary_backbone_teachers=4), primary_school(2)]
    result = _plan(rows, framework, max_transfers_out_per_school=0)
    assert result.feasible
    assert result.summary["total_cost"] == 100_000
    assert result.summary["cost_hire"] == 100_000
    assert _actions(result) == [
        ("2141000001", "hire backbone teachers", 1, ""),
    ]
    assert result.summary["core_confirms_pass"] is True


def test_transfer_beats_hire(framework: Framework) -> None:
    # School 2 has 6 backbone teachers (L2 = 1.2); after sending one it keeps
    # 5·100/500 = 1.0, still at the threshold. A transfer costs 10,000 yuan
    # against 100,000 for a hire, so the plan moves one teacher.
    rows = [primary_school(1, primary_backbone_teachers=4), primary_school(2)]
    result = _plan(rows, framework)
    assert result.summary["total_cost"] == 10_000
    assert result.summary["cost_transfer"] == 10_000
    assert _actions(result) == [
        ("2141000001", "receive backbone teachers", 1, "2141000002"),
        ("2141000002", "send backbone teachers", 1, "2141000001"),
    ]
    assert result.summary["core_confirms_pass"] is True


def test_cheapest_school_gets_the_hire(framework: Framework) -> None:
    # Schools 1 (500 students) and 3 (400 students, L3 = 4·100/400 = 1.0) are
    # fine; school 2 has 4 PE and art teachers for 500 students: L3 = 0.8,
    # which meets the floor 0.85·0.9 = 0.765 but not the threshold 0.9. It
    # also has only 2000 m² of floor area: L4 = 4.0 < 4.5 (floor 3.825). Two
    # indicators miss the threshold, so one must be fixed: a hire costs
    # 100,000 yuan, 250 m² of floor area (to 4.5 m² per student) 750,000.
    rows = [
        primary_school(1),
        primary_school(2, primary_pe_art_teachers=4, teaching_aux_area_m2=2000.0),
        primary_school(3, primary_students=400, primary_pe_art_teachers=4),
    ]
    result = _plan(rows, framework, max_transfers_out_per_school=0)
    assert result.summary["total_cost"] == 100_000
    assert _actions(result) == [
        ("2141000002", "hire PE, music and art teachers", 1, ""),
    ]
    assert result.summary["core_confirms_pass"] is True


def test_floor_ratio_allows_one_miss(framework: Framework) -> None:
    # 3500 m² of sports area for 500 students is 7.0 m² per student: below the
    # threshold 7.5 but above the floor 0.85·7.5 = 6.375, and the school meets
    # the other six indicators, so it already complies.
    rows = [primary_school(1, sports_area_m2=3500.0), primary_school(2)]
    result = _plan(rows, framework)
    assert result.summary["total_cost"] == 0
    assert result.summary["passes_before"] is True


def _weighted_cv(values: list[float], weights: list[float]) -> float:
    total = sum(weights)
    mean = sum(w * v for w, v in zip(weights, values, strict=True)) / total
    spread = sum(w * (v - mean) ** 2 for w, v in zip(weights, values, strict=True))
    return math.sqrt(spread / total) / mean


def test_cv_optimum_matches_enumeration(framework: Framework) -> None:
    # Every school has the same resources per student except multimedia rooms:
    # L7 = 2.4, 2.4 and 12.0 per 100 students with 500, 1000 and 500 students,
    # a CV of 0.866 over the limit 0.50. Only rooms move L7, at 50,000 yuan
    # each. Adding rooms to the school at 12.0 only widens the spread, so the
    # search enumerates the rooms added to schools 1 and 2.
    double = {
        "primary_students": 1000,
        "primary_classes": 24,
        "primary_teachers": 60,
        "primary_teachers_above_required_degree": 50,
        "primary_backbone_teachers": 12,
        "primary_pe_art_teachers": 10,
        "primary_teachers_intermediate_title": 24,
        "teaching_aux_area_m2": 5000.0,
        "sports_area_m2": 8000.0,
        "equipment_value_yuan": 2_200_000.0,
        "multimedia_classrooms": 24,
    }
    rows = [
        primary_school(1),
        primary_school(2, **double),
        primary_school(3, multimedia_classrooms=60),
    ]

    students = [500.0, 1000.0, 500.0]
    assert _weighted_cv([2.4, 2.4, 12.0], students) > 0.5
    best = None
    for first, second in itertools.product(range(61), range(121)):
        values = [(12 + first) / 5, (24 + second) / 10, 12.0]
        if _weighted_cv(values, students) <= 0.5:
            cost = 50_000 * (first + second)
            best = cost if best is None else min(best, cost)

    assert best is not None
    # The box is large enough: 60 rooms at school 1 alone already pass.
    assert best < 50_000 * 60

    result = _plan(rows, framework)
    assert result.summary["total_cost"] == best
    assert result.summary["core_confirms_pass"] is True
    sections = result.table("sections").rows
    l7 = next(r for r in sections if r["indicator"] == "L7")
    assert l7["cv_after"] <= 0.5


def test_infeasible_site_cap_is_named(framework: Framework) -> None:
    # 1000 m² of sports area for 500 students is 2.0 m² per student; reaching
    # the floor 6.375 needs 2187.5 m² more, over the cap of 1000 m².
    rows = [primary_school(1, sports_area_m2=1000.0), primary_school(2)]
    result = _plan(rows, framework, max_sports_area_m2_per_school=1000)
    assert not result.feasible
    text = " ".join(result.messages_en)
    assert "2141000001" in text
    assert "L5" in text
    assert "max_sports_area_m2_per_school=1000" in text
    assert "2141000001" in " ".join(result.messages_zh)
    assert result.summary["core_confirms_pass"] is False


def test_infeasible_without_transfers_or_hires(framework: Framework) -> None:
    rows = [primary_school(1, primary_backbone_teachers=4), primary_school(2)]
    result = _plan(
        rows, framework, max_transfers_out_per_school=0, max_hires_per_school=0
    )
    assert not result.feasible
    text = " ".join(result.messages_en)
    assert "2141000001" in text
    assert "L2" in text


def test_missing_value_blocks_plan(framework: Framework) -> None:
    rows = [primary_school(1, sports_area_m2=None), primary_school(2)]
    result = _plan(rows, framework)
    assert not result.feasible
    assert "L5" in result.messages_en[1]
    assert "2141000001" in result.messages_en[1]


def test_county_without_students_needs_nothing(framework: Framework) -> None:
    # A school without students and a teaching point under 50 students (left
    # out by the framework) give no section to plan for.
    rows = [
        primary_school(1, primary_students=0),
        primary_school(2, school_type="教学点", primary_students=20),
    ]
    result = _plan(rows, framework)
    assert result.feasible
    assert result.summary["total_cost"] == 0
    assert result.table("actions").rows == []


def test_unknown_county_is_input_error(framework: Framework) -> None:
    from junheng.errors import InputError

    with pytest.raises(InputError, match="999999"):
        plan_adjustment(
            canonical_frame([primary_school(1)]),
            framework,
            division_code="999999",
            year=2024,
        )


@pytest.fixture(scope="module")
def synthetic_county() -> pl.DataFrame:
    schools = demo.generate_schools(counties=6, schools_per_county=40, seed=7)
    assert "合成" in schools["school_name"][0]
    return schools


def _failing_code(schools: pl.DataFrame, fw: Framework) -> str:
    ev = evaluate(schools, fw, indicator_rollups=False)
    for code in sorted(schools["division_code"].unique()):
        county = ev.sections.filter(pl.col("division_code") == code)
        failing = (county["balance_status"] == 2) | (county["school_rule_status"] == 2)
        if failing.any():
            return str(code)
    raise AssertionError("no synthetic county fails part 1")


def test_core_confirms_synthetic_plan(
    framework: Framework, synthetic_county: pl.DataFrame
) -> None:
    code = _failing_code(synthetic_county, framework)
    result = plan_adjustment(synthetic_county, framework, division_code=code, year=2024)
    assert result.feasible, result.messages_en
    assert result.summary["passes_before"] is False
    assert result.summary["core_confirms_pass"] is True
    assert result.summary["total_cost"] > 0
    assert all(r["passed_after"] for r in result.table("sections").rows)
    assert all(r["compliant_after"] for r in result.table("schools").rows)
    # The total is the sum of the action costs.
    costs = sum(r["cost"] for r in result.table("actions").rows)
    assert costs == pytest.approx(result.summary["total_cost"], abs=0.01)


def test_same_input_same_plan(
    framework: Framework, synthetic_county: pl.DataFrame
) -> None:
    code = _failing_code(synthetic_county, framework)
    first = plan_adjustment(synthetic_county, framework, division_code=code, year=2024)
    second = plan_adjustment(synthetic_county, framework, division_code=code, year=2024)
    first.summary.pop("solve_seconds")
    second.summary.pop("solve_seconds")
    assert first.to_dict() == second.to_dict()


def test_many_counties_plan_as_each_alone(
    framework: Framework, synthetic_county: pl.DataFrame
) -> None:
    # The shared evaluations and unit query must not change any county's
    # plan: each result equals the one planned for that county alone.
    codes = sorted(str(c) for c in synthetic_county["division_code"].unique())
    together = plan_adjustments(synthetic_county, framework, year=2024)
    assert list(together) == codes
    for code in codes:
        alone = plan_adjustment(
            synthetic_county, framework, division_code=code, year=2024
        )
        for result in (alone, together[code]):
            result.summary.pop("solve_seconds", None)
        assert together[code].to_dict() == alone.to_dict()


def test_many_counties_keep_their_own_outcome(framework: Framework) -> None:
    # County 410102 lacks a sports area value and cannot be planned; county
    # 410103 needs one backbone teacher (4·100/500 = 0.8 < 0.85, as in
    # test_one_hire_fixes_school_rule) and still gets its 100,000 yuan plan.
    rows = [
        primary_school(1, sports_area_m2=None),
        primary_school(2),
        primary_school(3, division_code="410103", primary_backbone_teachers=4),
        primary_school(4, division_code="410103"),
    ]
    costs = AdjustCosts(max_transfers_out_per_school=0)
    results = plan_adjustments(canonical_frame(rows), framework, year=2024, costs=costs)
    assert not results["410102"].feasible
    assert results["410103"].feasible
    assert results["410103"].summary["total_cost"] == 100_000
    assert results["410103"].summary["core_confirms_pass"] is True


def test_part_one_passes_reads_core(framework: Framework) -> None:
    ev = evaluate(canonical_frame([primary_school(1)]), framework)
    assert part_one_passes(ev)


def test_workers_give_the_same_plans(
    framework: Framework, synthetic_county: pl.DataFrame
) -> None:
    # Counties solved in two worker processes, in chunks, come back in code
    # order with the plans one process gives.
    here = plan_adjustments(synthetic_county, framework, year=2024)
    counted: list[int] = []
    apart = plan_adjustments(
        synthetic_county, framework, year=2024, workers=2, advance=counted.append
    )
    assert list(apart) == list(here)
    assert sum(counted) == len(here)
    for code in here:
        for result in (here[code], apart[code]):
            result.summary.pop("solve_seconds", None)
        assert apart[code].to_dict() == here[code].to_dict()


def test_plan_states_stop_and_gap(framework: Framework) -> None:
    # One backbone hire (4·100/500 = 0.8 < 0.85), proved optimal: the
    # message names the stop and the gap even when the gap is 0.
    rows = [primary_school(1, primary_backbone_teachers=4), primary_school(2)]
    result = _plan(rows, framework, max_transfers_out_per_school=0)
    assert result.summary["solver_status"] == "optimal"
    assert result.summary["gap"] == 0
    assert any(
        "proved the plan optimal; optimality gap 0.00%" in m for m in result.messages_en
    )
    assert any("最优性差距 0.00%" in m for m in result.messages_zh)
