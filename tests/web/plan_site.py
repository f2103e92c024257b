"""Helpers of the plan page and API tests: saved synthetic scenarios, the
synthetic rotation planner and approved test schools for the real
least-cost planner."""

from __future__ import annotations

import pytest
from plan_results import adjust_result, move
from web.site import SCHOOL_A, Site

from junheng.planning.result import PlanResult
from junheng.services import plans

FIRST = [move("4101020001", "中原一小", 1), move("4101020002", "=HYPERLINK(1)", 1)]
SECOND = [move("4101020001", "中原一小", 2)]


def save(
    site: Site,
    name: str,
    result: PlanResult | None = None,
    username: str = "zhongyuan",
) -> int:
    """Save ``result`` (the synthetic FIRST plan by default) as ``username``."""
    with site.database.sessions() as session:
        scenario = plans.save_scenario(
            session, site.principals[username], result or adjust_result(FIRST), name
        )
        session.commit()
        return scenario.id


def save_other_county(site: Site, name: str = "金水方案") -> int:
    """Save a synthetic scenario of 金水区 (410105) as its county user."""
    result = adjust_result(SECOND, division_code="410105")
    return save(site, name, result, "jinshui")


def use_synthetic_rotation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the ``rotation`` kind run :func:`plan_results.synthetic_rotation`."""
    planner = plans.Planner(
        "plan_results", "synthetic_rotation", "SyntheticCosts", "rule", True
    )
    monkeypatch.setitem(plans.PLANNERS, "rotation", planner)


def approve_school_a(site: Site) -> None:
    """Approve the data of school A (中原区) for the test year up the chain."""
    record = site.save(SCHOOL_A)
    site.advance(record, "zhongyuan", "zhengzhou", "henan")


def approve_short_school(site: Site) -> None:
    """Approve school A (中原区) with 15 teachers above the required degree for
    500 students, so that the least-cost plan hires 3 of them (worked out in
    tests/web/test_plans_real_planner.py)."""
    record = site.save(SCHOOL_A, primary_teachers_above_required_degree=15)
    site.advance(record, "zhongyuan", "zhengzhou", "henan")
