"""Teacher rotation plans: the G11 rule at its edges, constraints, exactness.

Every county here is synthetic, built by hand in ``people.py``.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Any

import pytest
from planning.people import code, county, teacher

from junheng.errors import InputError
from junheng.planning.rotation import RotationRule, plan_rotation, required_counts
from junheng.planning.school_values import haversine_km
from junheng.standards.loader import load_framework

FRAMEWORK = load_framework()


def _plan(roster: Any, schools: Any, **rule: Any) -> Any:
    return plan_rotation(
        roster,
        schools,
        FRAMEWORK,
        division_code="410102",
        year=2024,
        rule=RotationRule.default().updated(rule),
    )


def _thirty_eligible(backbone: int) -> list[dict[str, Any]]:
    """30 eligible teachers over three schools, ``backbone`` of them backbone,
    plus two newcomers per school who are not eligible."""
    roster = []
    number = 0
    for school in (1, 2, 3):
        for i in range(12):
            number += 1
            subject = "语文" if i % 2 else "数学"
            years = 8 if i < 10 else 2
            is_backbone = number <= backbone * 1 and years >= 6
            roster.append(
                teacher(number, school, subject, backbone=is_backbone, years=years)
            )
    return roster


def test_required_counts_at_the_edges() -> None:
    rule = RotationRule.default()
    # 30 eligible: ceil(0.10 × 30) = 3 exactly (a float 0.1 × 30 would give 4),
    # max floor(0.15 × 30) = 4, backbone ceil(0.20 × 3) = 1.
    assert required_counts(30, rule) == (3, 4, 1)
    # 50 eligible: ceil(5.0) = 5, floor(7.5) = 7, backbone ceil(0.20 × 5) = 1.
    assert required_counts(50, rule) == (5, 7, 1)
    # 31 eligible: ceil(3.1) = 4, floor(4.65) = 4, backbone ceil(0.8) = 1.
    assert required_counts(31, rule) == (4, 4, 1)
    assert required_counts(0, rule) == (0, 0, 0)


def test_rule_met_at_exactly_ten_percent() -> None:
    roster, schools = county(_thirty_eligible(backbone=3), {1: 400, 2: 500, 3: 600})
    result = _plan(roster, schools, max_rotation_share="0.10")
    moves = result.table("moves").rows
    assert result.feasible
    assert result.summary["eligible"] == 30
    # 30 eligible → exactly 3 rotate (the maximum equals the minimum here).
    assert len(moves) == 3
    # ceil(0.20 × 3) = 1 backbone teacher at least.
    assert sum(m["backbone"] for m in moves) >= 1


def test_backbone_share_exactly_twenty_percent() -> None:
    # 50 eligible, 5 rotate; exactly 1 backbone would meet 20% of 5.
    roster_rows = []
    for i in range(50):
        roster_rows.append(
            teacher(i + 1, 1 + i % 2, "语文" if i % 3 else "数学", backbone=i == 0)
        )
    roster, schools = county(roster_rows, {1: 400, 2: 900})
    result = _plan(roster, schools, max_rotation_share="0.10", max_net_change=5)
    moves = result.table("moves").rows
    assert result.feasible
    assert len(moves) == 5
    assert sum(m["backbone"] for m in moves) == 1


def test_infeasible_without_backbone_teachers() -> None:
    roster, schools = county(_thirty_eligible(backbone=0), {1: 400, 2: 500, 3: 600})
    result = _plan(roster, schools)
    assert not result.feasible
    assert result.tables == []
    assert "backbone" in result.messages_en[0]
    assert "骨干教师" in result.messages_zh[0]
    assert "only 0 eligible" in result.messages_en[0]


def test_subject_coverage_kept() -> None:
    # School 1 has the county's only two music teachers, both eligible, and few
    # students. Moving both out would balance L3 best but leave it without music.
    rows = [
        teacher(1, 1, "音乐"),
        teacher(2, 1, "音乐"),
        teacher(3, 1, "语文"),
        teacher(4, 2, "语文"),
        teacher(5, 2, "数学"),
        teacher(6, 3, "语文"),
        teacher(7, 3, "数学", backbone=True),
    ]
    roster, schools = county(rows, {1: 100, 2: 800, 3: 800})
    result = _plan(roster, schools, max_rotation_share="1", max_net_change=3)
    assert result.feasible
    after: dict[str, set[str]] = {}
    moved = {m["teacher_id"]: m["to_code"] for m in result.table("moves").rows}
    for row in roster.iter_rows(named=True):
        where = moved.get(row["teacher_id"], row["school_code"])
        after.setdefault(where, set()).add(row["subject"])
    for row in roster.iter_rows(named=True):
        assert row["subject"] in after[row["school_code"]]
    assert sum(1 for m in result.table("moves").rows if m["subject"] == "音乐") == 1


def test_distance_bound_respected() -> None:
    # Schools on one meridian 0.1° apart (11.1 km); homes next to school 1.
    places = {1: (30.0, 110.0), 2: (30.1, 110.0), 3: (30.3, 110.0)}
    rows = [
        teacher(
            i,
            1 + i % 3,
            "语文" if i % 2 else "数学",
            backbone=i % 4 == 0,
            home=(30.0, 110.0),
        )
        for i in range(1, 31)
    ]
    roster, schools = county(rows, {1: 300, 2: 600, 3: 900}, places)
    result = _plan(roster, schools, max_distance_km=15, max_net_change=4)
    assert result.feasible
    moves = result.table("moves").rows
    assert moves
    for move in moves:
        assert move["distance_km"] is not None
        assert move["distance_km"] <= 15
        # School 3 is 0.3° (33.4 km) from every home.
        assert move["to_code"] != code(3)
    assert float(haversine_km(30.0, 110.0, 30.3, 110.0)) > 33


def _proxy(counts: dict[int, dict[str, int]], students: dict[int, int]) -> float:
    """Σ over L1–L3 of Σ P_i·|X_i − m| / (m·Σ P), from the definitions."""
    total_students = sum(students.values())
    total = 0.0
    for field in ("degree", "backbone", "pe_art"):
        mean = 100 * sum(c[field] for c in counts.values()) / total_students
        if mean == 0:
            continue
        for school, p in students.items():
            x = 100 * counts[school][field] / p
            total += p * abs(x - mean) / (mean * total_students)
    return total


def test_small_instance_matches_exhaustive_search() -> None:
    rows = [
        teacher(1, 1, "体育", backbone=True),
        teacher(2, 1, "语文", backbone=True, degree=True),
        teacher(3, 1, "数学", degree=False),
        teacher(4, 1, "语文", years=2),
        teacher(5, 2, "语文", degree=False),
        teacher(6, 2, "数学", years=1),
        teacher(7, 3, "美术"),
        teacher(8, 3, "语文", years=3, backbone=True),
        teacher(9, 3, "数学", degree=False),
    ]
    students = {1: 200, 2: 500, 3: 300}
    roster, schools = county(rows, students)
    rule: dict[str, Any] = {"max_rotation_share": "1", "max_net_change": 1}
    result = _plan(roster, schools, **rule)
    eligible = [t for t in rows if t["years_at_school"] >= 6]
    low, high, _ = required_counts(len(eligible), RotationRule.default().updated(rule))
    best = math.inf
    schools_of = {code(n): n for n in students}
    for choice in itertools.product((None, 1, 2, 3), repeat=len(eligible)):
        moved = [
            (t, target)
            for t, target in zip(eligible, choice, strict=True)
            if target is not None and target != schools_of[t["school_code"]]
        ]
        if len(moved) != sum(c is not None for c in choice):
            continue  # a "move" to the home school is the same as staying
        if not low <= len(moved) <= high:
            continue
        if sum(t["backbone"] for t, _ in moved) < Fraction(1, 5) * len(moved):
            continue
        place = {t["teacher_id"]: schools_of[t["school_code"]] for t in rows}
        for t, target in moved:
            place[t["teacher_id"]] = target
        net = {n: 0 for n in students}
        for t, target in moved:
            net[schools_of[t["school_code"]]] -= 1
            net[target] += 1
        if any(abs(v) > 1 for v in net.values()):
            continue
        subjects_after = {n: set() for n in students}
        for t in rows:
            subjects_after[place[t["teacher_id"]]].add(t["subject"])
        if any(
            t["subject"] not in subjects_after[schools_of[t["school_code"]]]
            for t in rows
        ):
            continue
        counts = {n: {"degree": 0, "backbone": 0, "pe_art": 0} for n in students}
        for t in rows:
            c = counts[place[t["teacher_id"]]]
            c["degree"] += t["above_required_degree"]
            c["backbone"] += t["backbone"]
            c["pe_art"] += t["subject"] in ("体育", "美术")
        best = min(best, _proxy(counts, students))
    assert result.feasible
    assert result.summary["method"] == "exact"
    assert result.summary["proxy_after"] == pytest.approx(best, abs=1e-9)


def test_same_input_gives_same_plan() -> None:
    roster, schools = county(_thirty_eligible(backbone=6), {1: 400, 2: 500, 3: 600})
    first = _plan(roster, schools).to_dict()
    second = _plan(roster, schools).to_dict()
    assert first == second


def test_greedy_search_meets_the_rule() -> None:
    roster, schools = county(_thirty_eligible(backbone=6), {1: 300, 2: 500, 3: 900})
    result = _plan(roster, schools, exact_max_variables=0)
    moves = result.table("moves").rows
    assert result.summary["method"] == "greedy"
    assert len(moves) >= 3
    assert sum(m["backbone"] for m in moves) >= math.ceil(0.2 * len(moves))
    assert result.summary["proxy_after"] <= result.summary["proxy_before"]


def test_cvs_before_come_from_the_engine() -> None:
    from junheng.evaluation.verdict import evaluate

    roster, schools = county(_thirty_eligible(backbone=6), {1: 400, 2: 500, 3: 600})
    result = _plan(roster, schools)
    stats = evaluate(schools, FRAMEWORK).sections
    primary = stats.filter(stats["section"] == "primary").row(0, named=True)
    rows = {r["indicator"]: r for r in result.table("cvs").rows}
    assert rows["L2"]["cv_before"] == pytest.approx(primary["cv_L2"])
    assert rows["L2"]["cv_after"] < rows["L2"]["cv_before"]


def test_unknown_school_in_roster_rejected() -> None:
    rows = _thirty_eligible(backbone=6)
    roster, schools = county(rows, {1: 400, 2: 500, 3: 600})
    stray = roster.with_columns(roster["school_code"].replace({code(3): "2141099999"}))
    with pytest.raises(InputError, match="2141099999"):
        _plan(stray, schools)


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"min_years": 6}, "unknown rotation rule key 'min_years'"),
        ({"min_rotation_share": "1.5"}, "invalid value '1.5'"),
        ({"max_net_change": -1}, "invalid value -1"),
        ({"max_distance_km": "far"}, "invalid value 'far'"),
    ],
)
def test_rule_rejects_bad_keys(data: dict[str, Any], fragment: str) -> None:
    with pytest.raises(InputError, match=fragment):
        RotationRule.from_mapping(data)


def test_rule_lists_every_bad_key() -> None:
    data = {"min_years": 6, "max_net_change": -1, "max_distance_km": "far"}
    with pytest.raises(InputError) as raised:
        RotationRule.from_mapping(data)
    english = raised.value.message_en
    assert english.startswith("3 invalid options: ")
    assert "unknown rotation rule key 'min_years'" in english
    assert "'max_net_change'" in english
    assert "'max_distance_km'" in english
    assert raised.value.message_zh.startswith("3 个选项无效：")


def test_default_rule_shares_are_exact() -> None:
    rule = RotationRule.default()
    assert rule.min_rotation_share == Fraction(1, 10)
    assert rule.min_backbone_share == Fraction(1, 5)
    assert rule.min_years_at_school == 6


def test_mapping_keeps_shipped_subjects() -> None:
    # A mapping without the key keeps the shipped PE, music and art subjects,
    # as the command line does; an empty list would count no teacher for L3.
    rule = RotationRule.from_mapping({"min_years_at_school": 5})
    assert rule.pe_art_subjects == RotationRule.default().pe_art_subjects
    assert {"体育", "音乐", "美术"} <= set(rule.pe_art_subjects)
    assert rule.min_years_at_school == 5
    assert RotationRule.from_mapping({}) == RotationRule.default()


def test_subjects_from_one_text() -> None:
    rule = RotationRule.from_mapping({"pe_art_subjects": "体育、音乐, 美术 ,Art"})
    assert rule.pe_art_subjects == ("体育", "音乐", "美术", "art")
    with pytest.raises(InputError, match="list of subject names"):
        RotationRule.from_mapping({"pe_art_subjects": " , "})
