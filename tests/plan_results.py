"""Synthetic plan results for the scenario tests.

The figures are made up: they only need known values so that comparisons
and downloads can be checked by hand. Runs of the planners use the real ones.
"""

from __future__ import annotations

from typing import Any

from junheng.planning.result import PlanColumn, PlanResult, PlanTable

MOVE_COLUMNS = [
    PlanColumn("school_code", "学校代码", "School code"),
    PlanColumn("school_name", "学校名称", "School name"),
    PlanColumn("hires", "新聘教师", "Hires", "int"),
    PlanColumn("cost", "费用（元）", "Cost (yuan)", "money", 2),
]
INDICATOR_COLUMNS = [
    PlanColumn("indicator", "指标", "Indicator"),
    PlanColumn("before", "调整前差异系数", "CV before", "float", 4),
    PlanColumn("after", "调整后差异系数", "CV after", "float", 4),
]


def move(code: str, name: str, hires: int) -> dict[str, Any]:
    """Return a row of the moves table; each hire costs 120000 yuan."""
    return {
        "school_code": code,
        "school_name": name,
        "hires": hires,
        "cost": hires * 120000.0,
    }


def adjust_result(
    moves: list[dict[str, Any]],
    cv_after: float = 0.48,
    division_code: str = "410102",
    year: int = 2024,
) -> PlanResult:
    """Return a synthetic least-cost adjustment result with two tables."""
    indicators = [
        {"indicator": "L1", "before": 0.52, "after": cv_after},
        {"indicator": "L2", "before": 0.40, "after": 0.38},
    ]
    total = sum(row["cost"] for row in moves)
    return PlanResult(
        kind="adjust",
        division_code=division_code,
        year=year,
        framework_id="cn-2017-quality",
        feasible=True,
        parameters={"cost_per_hire": 120000},
        summary={"total_cost": total, "solver": "synthetic"},
        messages_zh=[f"共新聘 {sum(r['hires'] for r in moves)} 名教师。"],
        messages_en=[f"Hire {sum(r['hires'] for r in moves)} teachers in all."],
        tables=[
            PlanTable("moves", "调整清单", "Moves", MOVE_COLUMNS, moves),
            PlanTable("indicators", "差异系数", "CVs", INDICATOR_COLUMNS, indicators),
        ],
    )
