"""One result for the least-cost plans of many counties.

:func:`batch_result` gathers the results of
:func:`junheng.planning.adjust.plan_adjustments` into a single
:class:`~junheng.planning.result.PlanResult`: a summary row per county
(outcome, cost, gap and, when there is no plan, the reason) and long tables,
each with the county's code, of the actions, of the school rows a plan
changes or that failed before it, and of the section CVs after each plan.
The command line prints it and writes it as JSON or as an Excel workbook
with the same code as a single plan.
"""

from __future__ import annotations

from typing import Any

from junheng.planning.adjust_report import changed_rows
from junheng.planning.result import PlanColumn, PlanResult, PlanTable

OUTCOMES: dict[str, tuple[str, str]] = {
    "passes": ("已达标，无需调整", "passes already"),
    "planned": ("有方案，核心复核达标", "plan confirmed by the core"),
    "unconfirmed": ("有方案，核心复核未达标", "plan not confirmed by the core"),
    "no_plan": ("限额内无方案", "no plan under the limits"),
}
"""Chinese and English labels of each county outcome."""

_DIVISION = PlanColumn("division_code", "区划代码", "Division code")
SUMMARY_COLUMNS = [
    _DIVISION,
    PlanColumn("outcome", "结果代码", "Outcome code"),
    PlanColumn("outcome_zh", "结果", "Outcome (Chinese)"),
    PlanColumn("outcome_en", "结果（英文）", "Outcome"),
    PlanColumn("total_cost", "总费用（元）", "Total cost (yuan)", "money", 2),
    PlanColumn("gap", "最优性差距", "Optimality gap", "float", 4),
    PlanColumn("lower_bound", "费用下界（元）", "Lower bound (yuan)", "money", 2),
    PlanColumn("solver_status", "求解状态", "Solver status"),
    PlanColumn("actions", "措施条数", "Actions", "int"),
    PlanColumn("solve_seconds", "求解用时（秒）", "Solve time (s)", "float", 2),
    PlanColumn("reason_zh", "无方案原因", "Reason (Chinese)"),
    PlanColumn("reason_en", "无方案原因（英文）", "Reason without a plan"),
]


def outcome(result: PlanResult) -> str:
    """Return the outcome code of one county's result (a key of OUTCOMES)."""
    if not result.feasible:
        return "no_plan"
    if result.summary.get("passes_before"):
        return "passes"
    return "planned" if result.summary.get("core_confirms_pass") else "unconfirmed"


def _reason(result: PlanResult) -> tuple[str, str]:
    # The first message is the headline; the explanation follows it.
    if result.feasible or len(result.messages_en) < 2:
        return "", ""
    more = len(result.messages_en) - 2
    zh, en = result.messages_zh[1], result.messages_en[1]
    if more:
        zh += f"（另有 {more} 条原因）"
        en += f" (and {more} more reasons)"
    return zh, en


def _summary_row(code: str, result: PlanResult) -> dict[str, Any]:
    summary = result.summary
    kind = outcome(result)
    reason_zh, reason_en = _reason(result)
    actions = next((t for t in result.tables if t.name == "actions"), None)
    return {
        "division_code": code,
        "outcome": kind,
        "outcome_zh": OUTCOMES[kind][0],
        "outcome_en": OUTCOMES[kind][1],
        "total_cost": summary.get("total_cost"),
        "gap": summary.get("gap"),
        "lower_bound": summary.get("lower_bound"),
        "solver_status": summary.get("solver_status", "missing_data"),
        "actions": 0 if actions is None else len(actions.rows),
        "solve_seconds": summary.get("solve_seconds"),
        "reason_zh": reason_zh,
        "reason_en": reason_en,
    }


def _long_table(
    results: dict[str, PlanResult], name: str, title_zh: str, title_en: str
) -> PlanTable | None:
    columns: list[PlanColumn] | None = None
    rows: list[dict[str, Any]] = []
    for code, result in results.items():
        table = next((t for t in result.tables if t.name == name), None)
        if table is None:
            continue
        columns = columns or table.columns
        chosen = changed_rows(table)
        rows += [{"division_code": code, **row} for row in chosen]
    if columns is None:
        return None
    return PlanTable(name, title_zh, title_en, [_DIVISION, *columns], rows)


def batch_result(
    results: dict[str, PlanResult], division: str, year: int, framework_id: str
) -> PlanResult:
    """Return one result holding the plans of every county in ``results``.

    ``division`` is the prefix the counties were chosen by (empty for all).
    The result is feasible when every county passes or has a plan the core
    confirms. Its summary counts the outcomes and adds up the costs.
    """
    rows = [_summary_row(code, result) for code, result in results.items()]
    counts = {kind: sum(r["outcome"] == kind for r in rows) for kind in OUTCOMES}
    gaps = [float(r["gap"]) for r in rows if r["gap"] is not None]
    parameters = next(iter(results.values())).parameters if results else {}
    batch = PlanResult(
        kind="adjust",
        division_code=division,
        year=year,
        framework_id=framework_id,
        feasible=counts["no_plan"] + counts["unconfirmed"] == 0,
        parameters=dict(parameters),
    )
    batch.summary = {
        "counties": len(rows),
        **{f"counties_{kind}": count for kind, count in counts.items()},
        "total_cost": round(sum(r["total_cost"] or 0.0 for r in rows), 2),
        "max_gap": max(gaps, default=None),
        "mean_gap": round(sum(gaps) / len(gaps), 6) if gaps else None,
    }
    where_zh = division or "全国"
    where_en = division or "the whole data"
    batch.messages_zh = [
        f"{where_zh} {year} 学年共 {len(rows)} 个县：已达标 {counts['passes']} 个，"
        f"有方案且核心复核达标 {counts['planned']} 个，复核未达标 "
        f"{counts['unconfirmed']} 个，限额内无方案 {counts['no_plan']} 个；"
        f"方案总费用 {batch.summary['total_cost']:,.0f} 元。"
    ]
    batch.messages_en = [
        f"{len(rows)} counties of {where_en} in {year}: {counts['passes']} pass "
        f"already, {counts['planned']} have a plan the core confirms, "
        f"{counts['unconfirmed']} a plan it does not confirm and "
        f"{counts['no_plan']} no plan under the limits; the plans cost "
        f"{batch.summary['total_cost']:,.0f} yuan in all."
    ]
    summary = PlanTable("counties", "各县汇总", "Counties", SUMMARY_COLUMNS, rows)
    tables = [
        summary,
        _long_table(results, "actions", "调整措施", "Actions"),
        _long_table(
            results,
            "schools",
            "学校指标（变化或未达标）",
            "Schools changed or failing",
        ),
        _long_table(
            results,
            "sections",
            "学段差异系数调整前后",
            "Section CVs before and after",
        ),
    ]
    batch.tables = [t for t in tables if t is not None]
    return batch
