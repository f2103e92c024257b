"""Tables and messages of a least-cost adjustment plan.

The before and after values come from the evaluation core: the county as
given, and the county with the plan applied. The plan's own arithmetic is
never shown as a result the core did not confirm.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from junheng.evaluation.messages import SECTION_LABELS
from junheng.planning.adjust_explain import Message
from junheng.planning.adjust_solve import NODE_LIMIT
from junheng.planning.costs import AdjustCosts
from junheng.planning.result import PlanColumn, PlanResult, PlanTable
from junheng.standards.model import Framework

if TYPE_CHECKING:
    from junheng.planning.adjust import Action
    from junheng.planning.adjust_model import Problem, Solution

_TEACHER_KINDS = {
    "teachers_above_required_degree": (
        "高于规定学历教师",
        "teachers above the required degree",
    ),
    "backbone_teachers": ("骨干教师", "backbone teachers"),
    "pe_art_teachers": ("体育艺术教师", "PE, music and art teachers"),
}
_TEACHER_VERBS = {
    "hire": ("新聘", "hire"),
    "transfer_in": ("调入", "receive"),
    "transfer_out": ("调出", "send"),
}
ACTION_LABELS: dict[tuple[str, str], tuple[str, str]] = {
    (verb, field): (verb_zh + kind_zh, f"{verb_en} {kind_en}")
    for verb, (verb_zh, verb_en) in _TEACHER_VERBS.items()
    for field, (kind_zh, kind_en) in _TEACHER_KINDS.items()
}
"""Chinese and English labels of each (action, field)."""
ACTION_LABELS.update(
    {
        ("build", "teaching_aux_area_m2"): (
            "新建教学及辅助用房",
            "build teaching and auxiliary rooms",
        ),
        ("build", "sports_area_m2"): ("新建体育运动场馆", "build sports ground"),
        ("buy", "equipment_value_yuan"): ("购置教学仪器设备", "buy teaching equipment"),
        ("build", "multimedia_classrooms"): (
            "配备网络多媒体教室",
            "equip multimedia classrooms",
        ),
    }
)
UNITS = {
    "teaching_aux_area_m2": ("平方米", "m²"),
    "sports_area_m2": ("平方米", "m²"),
    "equipment_value_yuan": ("元", "yuan"),
    "multimedia_classrooms": ("间", "rooms"),
}
COST_KINDS = (
    "hire",
    "transfer",
    "floor_area",
    "sports_area",
    "equipment",
    "classrooms",
)
_COST_KIND_OF_FIELD = {
    "teaching_aux_area_m2": "floor_area",
    "sports_area_m2": "sports_area",
    "equipment_value_yuan": "equipment",
    "multimedia_classrooms": "classrooms",
}

ACTION_COLUMNS = [
    PlanColumn("school_code", "学校标识码", "School code"),
    PlanColumn("school_name", "学校名称", "School name"),
    PlanColumn("section", "学段", "Section"),
    PlanColumn("action_zh", "调整措施", "Action (Chinese)"),
    PlanColumn("action_en", "调整措施（英文）", "Action"),
    PlanColumn("quantity", "数量", "Quantity", "float", 2),
    PlanColumn("unit_zh", "单位", "Unit (Chinese)"),
    PlanColumn("unit_en", "单位（英文）", "Unit"),
    PlanColumn("counterpart", "调出/调入学校", "Other school"),
    PlanColumn("cost", "费用（元）", "Cost (yuan)", "money", 2),
]
SCHOOL_COLUMNS = [
    PlanColumn("school_code", "学校标识码", "School code"),
    PlanColumn("school_name", "学校名称", "School name"),
    PlanColumn("section", "学段", "Section"),
    PlanColumn("indicator", "指标", "Indicator"),
    PlanColumn("threshold", "标准值", "Threshold", "float", 4),
    PlanColumn("value_before", "调整前", "Before", "float", 4),
    PlanColumn("met_before", "调整前达标", "Met before", "bool"),
    PlanColumn("value_after", "调整后", "After", "float", 4),
    PlanColumn("met_after", "调整后达标", "Met after", "bool"),
    PlanColumn("compliant_before", "调整前学校达标", "School rule before", "bool"),
    PlanColumn("compliant_after", "调整后学校达标", "School rule after", "bool"),
]
SECTION_COLUMNS = [
    PlanColumn("section", "学段", "Section"),
    PlanColumn("indicator", "指标", "Indicator"),
    PlanColumn("mean_before", "调整前均值", "Mean before", "float", 4),
    PlanColumn("cv_before", "调整前差异系数", "CV before", "float", 4),
    PlanColumn("mean_after", "调整后均值", "Mean after", "float", 4),
    PlanColumn("cv_after", "调整后差异系数", "CV after", "float", 4),
    PlanColumn("limit", "限值", "Limit", "float", 2),
    PlanColumn("passed_before", "调整前达标", "Passed before", "bool"),
    PlanColumn("passed_after", "调整后达标", "Passed after", "bool"),
]


def missing_values(problem: Problem) -> list[Message]:
    """Return a message per unit and indicator without a value.

    The evaluation counts such a section as incomplete, so no plan can make
    the county pass until the value is reported.
    """
    frame = problem.units.frame
    messages: list[Message] = []
    for u, j in zip(*np.nonzero(np.isnan(problem.base)), strict=True):
        label = SECTION_LABELS.get(problem.sections[u], {"zh": "", "en": ""})
        code, name = frame["school_code"][int(u)], frame["school_name"][int(u)]
        indicator = problem.units.indicator_ids[j]
        messages.append(
            (
                f"{name}（{code}，{label['zh']}）缺少 {indicator} 所需数据，"
                "评估记为数据不全；请补报后再做方案",
                f"{name} ({code}, {label['en']}) has no data for {indicator}, "
                "so the evaluation is incomplete; report the data, then plan again",
            )
        )
    return messages


def limit_message(status: str, costs: AdjustCosts) -> Message:
    """Return the message of a solve that stopped at a limit without a plan."""
    if status == "node_limit":
        return (
            f"求解器在每次求解 {NODE_LIMIT} 个分支节点内未找到方案；"
            "请放宽限额或简化数据后重试",
            f"no plan found within the solver's {NODE_LIMIT} branch-and-bound "
            "nodes per solve; relax the limits or retry with fewer schools",
        )
    return (
        f"求解时限 {costs.time_limit_seconds:g} 秒内未找到方案；"
        "请提高 time_limit_seconds",
        f"no plan found within the time limit of {costs.time_limit_seconds:g} s; "
        "raise time_limit_seconds",
    )


def changed_rows(table: PlanTable) -> list[dict[str, Any]]:
    """Return the rows of a plan table worth showing on their own.

    Of ``schools``, these are the rows whose value the plan changes or that
    fail before the plan. Of ``sections``, they are the rows with a value after
    the plan, and of other tables, every row. A request without a plan has no
    values after it, so only its actions (none) remain.
    """
    if table.name == "schools":
        return [
            row
            for row in table.rows
            if row.get("value_after") is not None
            and (row["value_before"] != row["value_after"] or not row["met_before"])
        ]
    if table.name == "sections":
        return [row for row in table.rows if row.get("cv_after") is not None]
    return table.rows


@dataclass(frozen=True)
class Checked:
    """What the report reads of one county's evaluation by the core.

    ``sections`` has the county's rows of :attr:`Evaluation.sections`;
    ``unit_values`` its rows of the engine's ``unit_values`` view with
    students (absent for the data as given, whose units the planner has).
    """

    sections: pl.DataFrame
    unit_values: pl.DataFrame | None = None

    @property
    def passes(self) -> bool:
        """Return whether every section passes the school rule and CV limits."""
        sections = self.sections
        return bool(
            (sections["balance_status"] == 0).all()
            and (sections["school_rule_status"] == 0).all()
        )


def _unit_rows(frame: pl.DataFrame) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (str(row["school_code"]), row["section"]): row
        for row in frame.iter_rows(named=True)
    }


def _section_rows(checked: Checked) -> dict[str, dict[str, Any]]:
    return {row["section"]: row for row in checked.sections.iter_rows(named=True)}


class Report:
    """Builds the :class:`PlanResult` of one county-year's request."""

    def __init__(
        self,
        framework: Framework,
        costs: AdjustCosts,
        division_code: str,
        year: int,
        before: Checked,
        before_units: pl.DataFrame,
    ) -> None:
        """``before_units`` are the units with students as the engine's unit
        query gives them for the data as given (see
        :func:`junheng.planning.units.section_units`)."""
        self.framework = framework
        self.costs = costs
        self.division_code = division_code
        self.year = year
        self.before = before
        self.before_units = before_units

    def _result(self, feasible: bool) -> PlanResult:
        return PlanResult(
            kind="adjust",
            division_code=self.division_code,
            year=self.year,
            framework_id=self.framework.id,
            feasible=feasible,
            parameters=self.costs.to_dict(),
        )

    def infeasible(
        self, messages: list[Message], solution: Solution | None
    ) -> PlanResult:
        """Return the result of a request no plan can meet, with the reasons."""
        from junheng.planning.adjust import solution_summary

        result = self._result(False)
        result.summary = {
            "total_cost": None,
            "passes_before": self.before.passes,
            "core_confirms_pass": False,
        }
        if solution is not None:
            result.summary.update(solution_summary(solution))
        result.messages_zh = ["在现有限额下找不到使本县资源配置达标的方案："]
        result.messages_en = [
            "No plan meets part 1 (resource allocation) under the limits:"
        ]
        result.messages_zh += [zh for zh, _ in messages]
        result.messages_en += [en for _, en in messages]
        result.tables = [
            self._school_table(None),
            self._section_table(None),
        ]
        return result

    def planned(
        self, solution: Solution, actions: list[Action], after: Checked
    ) -> PlanResult:
        """Return the result of a plan, re-checked by the evaluation of ``after``."""
        from junheng.planning.adjust import solution_summary

        confirmed = after.passes
        result = self._result(True)
        by_kind = dict.fromkeys(COST_KINDS, 0.0)
        for action in actions:
            if action.action in ("hire", "transfer_in"):
                by_kind[action.action.split("_")[0]] += action.cost
            elif action.field in _COST_KIND_OF_FIELD:
                by_kind[_COST_KIND_OF_FIELD[action.field]] += action.cost
        total = sum(by_kind.values())
        result.summary = {
            "total_cost": round(total, 2),
            **{f"cost_{kind}": round(value, 2) for kind, value in by_kind.items()},
            **solution_summary(solution),
            "passes_before": self.before.passes,
            "core_confirms_pass": confirmed,
        }
        result.messages_zh, result.messages_en = _plan_messages(
            total, by_kind, solution, confirmed, self.before.passes
        )
        result.tables = [
            self._action_table(actions),
            self._school_table(after),
            self._section_table(after),
        ]
        return result

    def _action_table(self, actions: list[Action]) -> PlanTable:
        # Every action is on a school with a unit, so the units name them all.
        units = self.before_units
        names = dict(
            zip(
                units["school_code"].to_list(),
                units["school_name"].to_list(),
                strict=True,
            )
        )
        rows = []
        for action in actions:
            zh, en = ACTION_LABELS[(action.action, action.field)]
            unit_zh, unit_en = UNITS.get(action.field, ("人", "teachers"))
            rows.append(
                {
                    "school_code": action.school_code,
                    "school_name": names.get(action.school_code, ""),
                    "section": action.section,
                    "action_zh": zh,
                    "action_en": en,
                    "quantity": action.quantity,
                    "unit_zh": unit_zh,
                    "unit_en": unit_en,
                    "counterpart": action.counterpart,
                    "cost": round(action.cost, 2),
                }
            )
        return PlanTable("actions", "调整措施", "Actions", ACTION_COLUMNS, rows)

    def _school_table(self, after: Checked | None) -> PlanTable:
        before_rows = _unit_rows(self.before_units)
        after_rows = {}
        if after is not None and after.unit_values is not None:
            after_rows = _unit_rows(after.unit_values)
        rows = []
        for key in sorted(before_rows, key=lambda k: (k[1], k[0])):
            old, new = before_rows[key], after_rows.get(key, {})
            for ind in self.framework.resource_indicators:
                i = ind.id
                rows.append(
                    {
                        "school_code": key[0],
                        "school_name": old["school_name"],
                        "section": key[1],
                        "indicator": i,
                        "threshold": old.get(f"thr_{i}"),
                        "value_before": old.get(f"v_{i}"),
                        "met_before": old.get(f"met_{i}"),
                        "value_after": new.get(f"v_{i}"),
                        "met_after": new.get(f"met_{i}"),
                        "compliant_before": old.get("compliant"),
                        "compliant_after": new.get("compliant"),
                    }
                )
        return PlanTable(
            "schools",
            "学校指标调整前后",
            "Schools before and after",
            SCHOOL_COLUMNS,
            rows,
        )

    def _section_table(self, after: Checked | None) -> PlanTable:
        before_rows = _section_rows(self.before)
        after_rows = _section_rows(after) if after is not None else {}
        rows = []
        for section in sorted(before_rows):
            old, new = before_rows[section], after_rows.get(section, {})
            for ind in self.framework.resource_indicators:
                i = ind.id
                rows.append(
                    {
                        "section": section,
                        "indicator": i,
                        "mean_before": old.get(f"mean_{i}"),
                        "cv_before": old.get(f"cv_{i}"),
                        "mean_after": new.get(f"mean_{i}"),
                        "cv_after": new.get(f"cv_{i}"),
                        "limit": old.get("cv_limit"),
                        "passed_before": old.get(f"cv_ok_{i}"),
                        "passed_after": new.get(f"cv_ok_{i}"),
                    }
                )
        return PlanTable(
            "sections",
            "学段差异系数调整前后",
            "Section CVs before and after",
            SECTION_COLUMNS,
            rows,
        )


_STOPS = {
    "optimal": ("求解器已证明最优", "The solver proved the plan optimal"),
    "node_limit": (
        f"求解器在分支节点上限（每次 {NODE_LIMIT} 个）处停止",
        f"The solver stopped at its node limit ({NODE_LIMIT} per solve)",
    ),
    "time_limit": ("求解器在求解时限处停止", "The solver stopped at its time limit"),
    "not_converged": (
        "割平面迭代次数已用完",
        "The cutting-plane loop used up its iterations",
    ),
}
"""Solver status → its wording in a plan's messages."""


def _plan_messages(
    total: float,
    by_kind: dict[str, float],
    solution: Solution,
    confirmed: bool,
    passed_before: bool,
) -> tuple[list[str], list[str]]:
    names = {
        "hire": ("招聘", "hiring"),
        "transfer": ("交流", "transfers"),
        "floor_area": ("校舍建设", "floor area"),
        "sports_area": ("运动场馆建设", "sports area"),
        "equipment": ("仪器设备", "equipment"),
        "classrooms": ("多媒体教室", "multimedia classrooms"),
    }
    parts: dict[str, list[str]] = defaultdict(list)
    for kind, value in by_kind.items():
        if value > 0:
            parts["zh"].append(f"{names[kind][0]} {value:,.0f} 元")
            parts["en"].append(f"{names[kind][1]} {value:,.0f} yuan")
    if passed_before:
        zh = ["本县资源配置已达标，无需调整。"]
        en = [
            "The county already passes part 1 (resource allocation); no change "
            "is needed."
        ]
    else:
        if parts:
            zh = [f"最低成本方案总费用 {total:,.0f} 元：{'，'.join(parts['zh'])}。"]
            en = [
                f"The least-cost plan costs {total:,.0f} yuan: "
                f"{', '.join(parts['en'])}."
            ]
        else:
            zh = ["最低成本方案总费用 0 元：按所给单价，方案中的调整都不产生费用。"]
            en = [
                "The least-cost plan costs 0 yuan: the given unit costs put no "
                "price on any of its changes."
            ]
        zh_stop, en_stop = _STOPS.get(solution.status, _STOPS["optimal"])
        gap, bound = solution.gap or 0.0, solution.lower_bound or 0.0
        zh.append(f"{zh_stop}，最优性差距 {gap:.2%}（下界 {bound:,.0f} 元）。")
        en.append(
            f"{en_stop}; optimality gap {gap:.2%} (lower bound {bound:,.0f} yuan)."
        )
    if confirmed:
        zh.append("评估核心复核：调整后资源配置达标。")
        en.append(
            "The evaluation core confirms that the adjusted county passes part 1."
        )
    else:
        zh.append("评估核心复核：调整后资源配置仍未达标，请勿采用本方案。")
        en.append(
            "The evaluation core does not confirm a pass of part 1 for the adjusted "
            "data; do not use this plan."
        )
    return zh, en
