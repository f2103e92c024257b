"""Tables and messages of a teacher rotation plan, in Chinese and English."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import polars as pl

from junheng.planning.result import PlanColumn, PlanResult, PlanTable
from junheng.planning.rotation_rule import RotationRule, share_text
from junheng.planning.school_values import TeacherIndicator

if TYPE_CHECKING:
    from junheng.planning.rotation import _Problem


MOVE_COLUMNS = [
    PlanColumn("teacher_id", "教师编号", "Teacher id"),
    PlanColumn("subject", "任教学科", "Subject"),
    PlanColumn("backbone", "骨干教师", "Backbone", "bool"),
    PlanColumn("years_at_school", "本校任教年限", "Years at school", "int"),
    PlanColumn("section", "学段", "Section"),
    PlanColumn("from_code", "原学校标识码", "From school code"),
    PlanColumn("from_name", "原学校", "From school"),
    PlanColumn("to_code", "交流学校标识码", "To school code"),
    PlanColumn("to_name", "交流学校", "To school"),
    PlanColumn(
        "distance_km", "住址距离（千米）", "Distance from home (km)", "float", 1
    ),
]


def moves_table(moves: list[dict[str, Any]]) -> PlanTable:
    rows = [{k: v for k, v in m.items() if not k.startswith("_")} for m in moves]
    return PlanTable("moves", "交流名单", "Moves", MOVE_COLUMNS, rows)


def units_table(
    before: pl.DataFrame, after: pl.DataFrame, indicators: list[TeacherIndicator]
) -> PlanTable:
    columns = [
        PlanColumn("school_code", "学校标识码", "School code"),
        PlanColumn("school_name", "学校名称", "School"),
        PlanColumn("section", "学段", "Section"),
        PlanColumn("students", "在校生数", "Students", "int"),
    ]
    for ind in indicators:
        columns += [
            PlanColumn(
                f"{ind.id}_before", f"{ind.id} 调整前", f"{ind.id} before", "float", 2
            ),
            PlanColumn(
                f"{ind.id}_after", f"{ind.id} 调整后", f"{ind.id} after", "float", 2
            ),
        ]
    later = {(r["school_code"], r["section"]): r for r in after.iter_rows(named=True)}
    rows = []
    for row in before.iter_rows(named=True):
        other = later[(row["school_code"], row["section"])]
        data: dict[str, Any] = {
            "school_code": row["school_code"],
            "school_name": row["school_name"],
            "section": row["section"],
            "students": row["students"],
        }
        for ind in indicators:
            data[f"{ind.id}_before"] = row[f"v_{ind.id}"]
            data[f"{ind.id}_after"] = other[f"v_{ind.id}"]
        rows.append(data)
    return PlanTable(
        "units", "各校指标调整前后", "School values before and after", columns, rows
    )


def cv_table(
    before: pl.DataFrame, after: pl.DataFrame, indicators: list[TeacherIndicator]
) -> PlanTable:
    columns = [
        PlanColumn("section", "学段", "Section"),
        PlanColumn("indicator", "指标", "Indicator"),
        PlanColumn("cv_before", "差异系数（调整前）", "CV before", "float", 3),
        PlanColumn("cv_after", "差异系数（调整后）", "CV after", "float", 3),
        PlanColumn("cv_limit", "差异系数上限", "CV limit", "float", 2),
    ]
    later = {r["section"]: r for r in after.iter_rows(named=True)}
    rows = []
    for row in before.iter_rows(named=True):
        for ind in indicators:
            rows.append(
                {
                    "section": row["section"],
                    "indicator": ind.id,
                    "cv_before": row[f"cv_{ind.id}"],
                    "cv_after": later[row["section"]][f"cv_{ind.id}"],
                    "cv_limit": row["cv_limit"],
                }
            )
    return PlanTable("cvs", "差异系数调整前后", "CVs before and after", columns, rows)


def describe(
    result: PlanResult,
    rule: RotationRule,
    problem: _Problem,
    moves: list[dict[str, Any]],
) -> None:
    rotated = len(moves)
    backbone = sum(bool(m["backbone"]) for m in moves)
    need = math.ceil(rule.min_backbone_share * rotated)
    low = result.summary["min_rotated"]
    share = share_text(rule.min_rotation_share)
    bshare = share_text(rule.min_backbone_share)
    result.messages_zh.insert(
        0,
        f"符合条件教师 {problem.eligible} 人"
        f"（本校任教满 {rule.min_years_at_school} 年），"
        f"应交流至少 ⌈{share}×{problem.eligible}⌉ = {low} 人；本方案交流 {rotated} 人，"
        f"其中骨干教师 {backbone} 人（至少 ⌈{bshare}×{rotated}⌉ = {need} 人）。",
    )
    result.messages_en.insert(
        0,
        f"{problem.eligible} teachers are eligible ({rule.min_years_at_school} years "
        f"or more at their school), so at least ceil({share} × {problem.eligible}) = "
        f"{low} rotate; the plan rotates {rotated}, of whom {backbone} are backbone "
        f"teachers (at least ceil({bshare} × {rotated}) = {need}).",
    )


def explain_backbone(
    result: PlanResult, problem: _Problem, rule: RotationRule, low: int, need: int
) -> None:
    bshare = share_text(rule.min_backbone_share)
    result.messages_zh.insert(
        0,
        f"无法满足规则：至少交流 {low} 人，"
        f"其中骨干教师至少 ⌈{bshare}×{low}⌉ = {need} 人，"
        f"但符合条件的骨干教师只有 {problem.eligible_backbone} 人。",
    )
    result.messages_en.insert(
        0,
        f"The rule cannot be met: at least {low} teachers rotate, of whom at least "
        f"ceil({bshare} × {low}) = {need} must be backbone teachers, but only "
        f"{problem.eligible_backbone} eligible teachers are backbone teachers.",
    )


GROUP_TEXT = {
    "coverage": ("每校保留原有各学科教师", "every school keeps each subject it had"),
    "net_change": (
        "各校教师总数变化不超过 {n} 人",
        "each school's teacher total changes by at most {n}",
    ),
    "distance": (
        "交流学校距住址不超过 {d} 千米",
        "no teacher goes farther than {d} km from home",
    ),
}


def explain_search_failure(result: PlanResult, low: int) -> None:
    result.messages_zh.insert(
        0,
        f"贪心搜索未找到交流至少 {low} 人且满足全部约束的方案；可放宽学科覆盖、"
        "教师总数变化或距离约束，或提高 exact_max_variables 以使用精确求解。",
    )
    result.messages_en.insert(
        0,
        f"The greedy search found no plan rotating at least {low} teachers under "
        "all the constraints; relax the subject coverage, the teacher total change "
        "or the distance bound, or raise exact_max_variables to solve exactly.",
    )
