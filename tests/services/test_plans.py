"""Plan scenarios: save, list, read, rename, delete and compare, with the
scope rules and audit records, on SQLite and PostgreSQL.

Every result here is synthetic (see plan_results.py).
"""

from __future__ import annotations

import pytest
from plan_results import adjust_result, move
from services.people import (
    DONGCHENG,
    ERQI,
    EVALUATOR,
    HENAN,
    MINISTRY,
    PUBLIC,
    SCHOOL_1,
    ZHENGZHOU,
    ZHONGYUAN,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from junheng.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from junheng.governance import audit
from junheng.services import plans
from junheng.services.access import Principal
from junheng.services.records import bump_data_generation
from junheng.store.models import AuditRecord

FIRST = [move("4101020001", "中原一小", 1), move("4101020002", "中原二小", 1)]
SECOND = [move("4101020001", "中原一小", 2), move("4101020003", "中原三小", 1)]


def _save(
    store: Session,
    name: str,
    moves: list[dict[str, object]] = FIRST,
    principal: Principal = ZHONGYUAN,
    **changes: object,
) -> int:
    scenario = plans.save_scenario(
        store,
        principal,
        adjust_result(moves, **changes),
        name,  # type: ignore[arg-type]
    )
    store.commit()
    return scenario.id


def _actions(store: Session) -> list[str]:
    return list(
        store.scalars(
            select(AuditRecord.action)
            .where(AuditRecord.entity == "plan_scenario")
            .order_by(AuditRecord.seq)
        )
    )


def test_save_and_read_back(store: Session) -> None:
    scenario_id = _save(store, "  新聘两名   教师 ")
    scenario = plans.get_scenario(store, ZHONGYUAN, scenario_id)
    assert scenario.name == "新聘两名 教师"
    assert scenario.kind == "adjust"
    assert scenario.division_code == "410102"
    assert scenario.data_generation == 0
    assert scenario.created_by == "zhongyuan"
    assert plans.scenario_result(scenario) == adjust_result(FIRST)
    assert not plans.is_stale(store, scenario)


def test_save_rename_delete_audited(store: Session) -> None:
    scenario_id = _save(store, "方案甲")
    plans.rename_scenario(store, ZHONGYUAN, scenario_id, "方案乙")
    store.commit()
    assert plans.get_scenario(store, ZHONGYUAN, scenario_id).name == "方案乙"
    plans.delete_scenario(store, ZHENGZHOU, scenario_id)
    store.commit()
    assert _actions(store) == ["plan.save", "plan.rename", "plan.delete"]
    last = store.scalar(select(AuditRecord).order_by(AuditRecord.seq.desc()))
    assert last is not None
    assert last.actor == "zhengzhou"
    assert last.before is not None
    assert last.before["name"] == "方案乙"
    assert last.after is None
    assert audit.verify(store).ok
    with pytest.raises(NotFound):
        plans.get_scenario(store, ZHONGYUAN, scenario_id)


def test_name_unique_per_kind_and_county(store: Session) -> None:
    first = _save(store, "方案甲")
    with pytest.raises(Conflict):
        _save(store, "方案甲")
    store.rollback()
    # The same name in another county is fine.
    _save(store, "方案甲", principal=ERQI, division_code="410103")
    second = _save(store, "方案乙")
    with pytest.raises(Conflict):
        plans.rename_scenario(store, ZHONGYUAN, second, "方案甲")
    store.rollback()
    assert plans.rename_scenario(store, ZHONGYUAN, first, "方案甲").id == first


def test_bad_names_and_counties(store: Session) -> None:
    with pytest.raises(InvalidInput):
        _save(store, "   ")
    with pytest.raises(InvalidInput):
        _save(store, "名" * (plans.NAME_MAX + 1))
    with pytest.raises(InvalidInput):
        _save(store, "全市", principal=ZHENGZHOU, division_code="4101")


def test_save_needs_an_authority_covering_the_county(store: Session) -> None:
    for principal in (ERQI, EVALUATOR, SCHOOL_1, PUBLIC, DONGCHENG):
        with pytest.raises(PermissionDenied):
            _save(store, f"方案 {principal.username}", principal=principal)
    for principal in (ZHENGZHOU, HENAN, MINISTRY):
        _save(store, f"方案 {principal.username}", principal=principal)


def test_list_scoped_by_role(store: Session) -> None:
    own = _save(store, "中原方案")
    other = _save(store, "二七方案", principal=ERQI, division_code="410103")
    beijing = _save(store, "东城方案", principal=DONGCHENG, division_code="110101")

    def ids(principal: Principal) -> set[int]:
        return {s.id for s in plans.list_scenarios(store, principal)}

    assert ids(ZHONGYUAN) == {own}
    assert ids(ERQI) == {other}
    assert ids(ZHENGZHOU) == {own, other}
    assert ids(HENAN) == {own, other}
    assert ids(MINISTRY) == {own, other, beijing}
    assert ids(EVALUATOR) == {own}
    for principal in (SCHOOL_1, PUBLIC):
        with pytest.raises(PermissionDenied):
            plans.list_scenarios(store, principal)


def test_list_filters_by_kind_year_division(store: Session) -> None:
    old = _save(store, "旧", year=2023)
    new = _save(store, "新", year=2024)
    assert [s.id for s in plans.list_scenarios(store, MINISTRY, year=2023)] == [old]
    # Newest first.
    assert [s.id for s in plans.list_scenarios(store, MINISTRY)] == [new, old]
    assert plans.list_scenarios(store, MINISTRY, kind="pairing") == []
    assert plans.list_scenarios(store, MINISTRY, division_code="410103") == []
    with pytest.raises(InvalidInput):
        plans.list_scenarios(store, MINISTRY, kind="nonsense")


def test_read_outside_scope_denied(store: Session) -> None:
    other = _save(store, "二七方案", principal=ERQI, division_code="410103")
    for principal in (ZHONGYUAN, EVALUATOR, SCHOOL_1, PUBLIC):
        with pytest.raises(PermissionDenied):
            plans.get_scenario(store, principal, other)
    with pytest.raises(PermissionDenied):
        plans.delete_scenario(store, ZHONGYUAN, other)
    assert plans.get_scenario(store, ZHENGZHOU, other).id == other


def test_evaluator_reads_but_cannot_change(store: Session) -> None:
    own = _save(store, "中原方案")
    assert plans.get_scenario(store, EVALUATOR, own).id == own
    with pytest.raises(PermissionDenied):
        plans.rename_scenario(store, EVALUATOR, own, "改名")
    with pytest.raises(PermissionDenied):
        plans.delete_scenario(store, EVALUATOR, own)


def test_compare_headline_and_rows(store: Session) -> None:
    a = _save(store, "甲", FIRST)
    b = _save(store, "乙", SECOND, cv_after=0.45)
    compared = plans.compare_scenarios(store, ZHONGYUAN, a, b)
    assert compared["a"]["name"] == "甲"
    assert compared["b"]["name"] == "乙"
    headline = {item["key"]: item for item in compared["summary"]}
    # Total cost: A 2 hires x 120000 = 240000, B 3 x 120000 = 360000.
    assert headline["total_cost"]["a"] == 240000.0
    assert headline["total_cost"]["b"] == 360000.0
    assert headline["total_cost"]["difference"] == 120000.0
    assert headline["solver"]["difference"] is None
    moves, indicators = compared["tables"]
    assert [c["key"] for c in moves["key_columns"]] == ["school_code", "school_name"]
    rows = {row["key"]["school_code"]: row for row in moves["rows"]}
    assert rows["4101020001"]["status"] == "changed"
    # 中原一小: 1 -> 2 hires, 120000 -> 240000 yuan.
    assert rows["4101020001"]["values"]["hires"]["difference"] == 1
    assert rows["4101020001"]["values"]["cost"]["difference"] == 120000.0
    assert rows["4101020002"]["status"] == "removed"
    assert rows["4101020002"]["values"]["hires"]["b"] is None
    assert rows["4101020003"]["status"] == "added"
    assert moves["unchanged"] == 0
    # L1 after: 0.48 -> 0.45, a difference of -0.03; L2 is the same.
    assert indicators["unchanged"] == 1
    assert len(indicators["rows"]) == 1
    change = indicators["rows"][0]["values"]["after"]["difference"]
    assert change == pytest.approx(-0.03)


def test_compare_repeated_keys_by_occurrence() -> None:
    first = adjust_result([move("1", "甲", 1), move("1", "甲", 2)])
    second = adjust_result([move("1", "甲", 1), move("1", "甲", 3)])
    moves = plans.compare_results(first, second)["tables"][0]
    assert moves["unchanged"] == 1
    assert len(moves["rows"]) == 1
    # Second occurrence: 2 -> 3 hires.
    assert moves["rows"][0]["values"]["hires"]["difference"] == 1


def test_compare_needs_same_kind_and_county(store: Session) -> None:
    a = _save(store, "中原", FIRST)
    b = _save(store, "二七", FIRST, principal=ERQI, division_code="410103")
    with pytest.raises(InvalidInput):
        plans.compare_scenarios(store, ZHENGZHOU, a, b)
    with pytest.raises(PermissionDenied):
        plans.compare_scenarios(store, ZHONGYUAN, a, b)


def test_stale_after_data_generation_moves(store: Session) -> None:
    scenario_id = _save(store, "方案")
    bump_data_generation(store)
    store.commit()
    scenario = plans.get_scenario(store, ZHONGYUAN, scenario_id)
    assert scenario.data_generation == 0
    assert plans.is_stale(store, scenario)


def test_run_plan_checks_before_running(store: Session) -> None:
    with pytest.raises(InvalidInput):
        plans.run_plan(store, ZHONGYUAN, "nonsense", "410102", 2024, {})
    with pytest.raises(InvalidInput):
        plans.run_plan(store, ZHENGZHOU, "adjust", "4101", 2024, {})
    with pytest.raises(PermissionDenied):
        plans.run_plan(store, ERQI, "adjust", "410102", 2024, {})
    with pytest.raises(PermissionDenied):
        plans.run_plan(store, EVALUATOR, "adjust", "410102", 2024, {})


def test_missing_planner_module(
    store: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    absent = plans.Planner("junheng.planning.not_installed", "plan", "Options", "o")
    monkeypatch.setitem(plans.PLANNERS, "pairing", absent)
    with pytest.raises(plans.PlannerUnavailable) as raised:
        plans.run_plan(store, ZHONGYUAN, "pairing", "410102", 2024, {})
    assert "junheng.planning.not_installed" in str(raised.value)
    with pytest.raises(plans.PlannerUnavailable):
        plans.parameter_fields("pairing")
