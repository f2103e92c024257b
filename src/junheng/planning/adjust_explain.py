"""Explanations of an infeasible adjustment request.

First each school section is checked alone: how far each indicator can rise
with every limit used to the full. A section whose rule cannot be met that way
is named with the indicator and the limit that stops it. When every section
could meet its rule, each CV over its limit is tried alone in the model, and
a CV the model cannot bring within its limit is named. Otherwise the limits only
conflict together, and the message says so.
"""

from __future__ import annotations

import math

import numpy as np

from junheng.evaluation.messages import SECTION_LABELS
from junheng.planning import adjust_model, adjust_solve
from junheng.planning.adjust_model import Problem
from junheng.planning.units import BUILD_FIELDS, TEACHER_FIELDS

Message = tuple[str, str]
"""A message in Chinese and in English."""

_LIMIT_OF_FIELD = {
    "teaching_aux_area_m2": "max_floor_area_m2_per_school",
    "sports_area_m2": "max_sports_area_m2_per_school",
}


def _raise(values: np.ndarray, slopes: np.ndarray, amount: float) -> None:
    # Only indicators the field raises move; 0 × inf would give NaN.
    moved = slopes > 0
    values[moved] += slopes[moved] * amount


def _reach(problem: Problem) -> np.ndarray:
    """Return the largest value (units × indicators) each indicator can reach."""
    layout, upper = problem.layout, problem.upper
    sections = np.array(problem.sections)
    reach = problem.base.copy()
    n = layout.units
    for k, name in enumerate(TEACHER_FIELDS):
        outs = np.array([upper[layout.transfer_out(u, k)] for u in range(n)])
        for u in range(n):
            incoming = upper[layout.transfer_in(u, k)]
            if math.isfinite(incoming):
                pool = 0.0
            else:
                others = (sections == sections[u]) & (np.arange(n) != u)
                pool = float(outs[others].sum())
            max_added = upper[layout.hire(u, k)] + pool
            _raise(reach[u], problem.units.slopes[name][u], max_added)
    for f, name in enumerate(BUILD_FIELDS):
        for u in range(n):
            max_added = upper[layout.build(int(layout.school_of_unit[u]), f)]
            _raise(reach[u], problem.units.slopes[name][u], max_added)
    return np.where(np.isnan(reach), problem.base, reach)


def _limits_moving(problem: Problem, u: int, j: int) -> str:
    costs = problem.costs
    names: list[str] = []
    for name in TEACHER_FIELDS:
        if problem.units.slopes[name][u, j] > 0:
            names += [
                f"max_hires_per_school={costs.max_hires_per_school}",
                f"max_transfers_out_per_school={costs.max_transfers_out_per_school}",
            ]
    for name in BUILD_FIELDS:
        if problem.units.slopes[name][u, j] > 0 and name in _LIMIT_OF_FIELD:
            key = _LIMIT_OF_FIELD[name]
            names.append(f"{key}={getattr(costs, key)}")
    return ", ".join(names) or "-"


def school_rule_messages(problem: Problem) -> list[Message]:
    """Return a message for every unit whose school rule no plan can meet."""
    fw = problem.framework
    if fw.school_rule is None:
        return []
    reach = _reach(problem)
    frame = problem.units.frame
    names, codes = frame["school_name"].to_list(), frame["school_code"].to_list()
    ids = problem.units.indicator_ids
    messages: list[Message] = []
    for u in range(problem.layout.units):
        label = SECTION_LABELS.get(problem.sections[u], {"zh": "", "en": ""})
        school = f"{names[u]}（{codes[u]}，{label['zh']}）"
        school_en = f"{names[u]} ({codes[u]}, {label['en']})"
        met = 0
        for j, indicator in enumerate(ids):
            threshold = problem.thresholds[u, j]
            if np.isnan(threshold):
                continue
            floor = problem.floors[u, j]
            up = problem.higher[j]
            best = reach[u, j] if up else problem.base[u, j]
            met += int(best >= threshold if up else best <= threshold)
            if (best >= floor) if up else (best <= floor):
                continue
            limits = _limits_moving(problem, u, j)
            messages.append(
                (
                    f"{school}：{indicator} 在现有限额下最多达到 {best:.4g}，"
                    f"低于标准的 {fw.school_rule.floor_ratio:.0%}（{floor:.4g}）；"
                    f"限制条件：{limits}",
                    f"{school_en}: {indicator} can reach at most {best:.4g} within "
                    f"the limits, below {fw.school_rule.floor_ratio:.0%} of the "
                    f"threshold ({floor:.4g}); limits: {limits}",
                )
            )
        if met < fw.school_rule.min_met:
            messages.append(
                (
                    f"{school}：在现有限额下最多 {met} 项指标能达标，"
                    f"少于要求的 {fw.school_rule.min_met} 项",
                    f"{school_en}: at most {met} indicators can reach their "
                    f"thresholds within the limits, fewer than the "
                    f"{fw.school_rule.min_met} required",
                )
            )
    return messages


def cv_messages(problem: Problem) -> list[Message]:
    """Return a message for every CV limit the model cannot meet on its own."""
    ids = problem.units.indicator_ids
    messages: list[Message] = []
    for section, j in adjust_model.violated_cvs(problem, problem.base, as_judged=True):
        alone = adjust_solve.solve(problem, only=[(section, j)], use_rule=False)
        if alone.status != "infeasible":
            continue
        limit = problem.framework.balance_rule.cv_limit[section]  # type: ignore[index]
        label = SECTION_LABELS.get(section, {"zh": section, "en": section})
        messages.append(
            (
                f"{label['zh']}{ids[j]} 的差异系数在现有限额下无法降到 {limit:.2f} "
                "以内；请放宽建设面积、招聘或交流限额",
                f"the {label['en']} CV of {ids[j]} cannot be brought within "
                f"{limit:.2f} under the limits; raise the building, hiring or "
                "transfer limits",
            )
        )
    return messages


def explain(problem: Problem) -> list[Message]:
    """Return why no plan meets part 1 under the given limits."""
    messages = school_rule_messages(problem)
    if messages:
        return messages
    messages = cv_messages(problem)
    if messages:
        return messages
    return [
        (
            "每所学校的规则和每项差异系数单独都可满足，但在现有限额下无法同时满足；"
            "请放宽招聘、交流或建设面积限额",
            "each school rule and each CV limit can be met alone, but not all "
            "together under the limits; raise the hiring, transfer or building "
            "limits",
        )
    ]
