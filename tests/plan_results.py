"""Synthetic plan results and a synthetic planner for the plan tests.

The figures are made up: they only need known values so that comparisons
and downloads can be checked by hand. ``synthetic_adjust`` follows the calling
convention of the real planners, so :func:`junheng.services.plans.run_plan`
can be tested before they are installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

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


@dataclass(frozen=True)
class SyntheticCosts:
    """Options of :func:`synthetic_adjust`, built like the real planners'."""

    cost_per_hire: float = 120000.0
    max_hires: int = 10

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> SyntheticCosts:
        unknown = set(values) - {"cost_per_hire", "max_hires"}
        if unknown:
            raise ValueError(f"unknown parameter(s): {', '.join(sorted(unknown))}")
        return cls(
            cost_per_hire=float(values.get("cost_per_hire", 120000.0)),
            max_hires=int(values.get("max_hires", 10)),
        )


def synthetic_adjust(
    schools: pl.DataFrame,
    framework: Any,
    *,
    division_code: str,
    year: int,
    costs: SyntheticCosts | None = None,
    county_items: pl.DataFrame | None = None,
) -> PlanResult:
    """Plan one hire per approved school, at ``costs.cost_per_hire`` each."""
    costs = costs or SyntheticCosts()
    moves = [
        {
            "school_code": row["school_code"],
            "school_name": row["school_name"],
            "hires": 1,
            "cost": costs.cost_per_hire,
        }
        for row in schools.select("school_code", "school_name").iter_rows(named=True)
    ]
    result = adjust_result(moves, division_code=division_code, year=year)
    result.framework_id = framework.id
    result.parameters = {
        "cost_per_hire": costs.cost_per_hire,
        "max_hires": costs.max_hires,
    }
    result.summary["county_items"] = 0 if county_items is None else county_items.height
    return result


def read_roster(path: Any) -> pl.DataFrame:
    """Read a synthetic roster CSV (``teacher``, ``school_code``)."""
    return pl.read_csv(path, schema={"teacher": pl.String, "school_code": pl.String})


def synthetic_rotation(
    roster: pl.DataFrame,
    schools: pl.DataFrame,
    framework: Any,
    *,
    division_code: str,
    year: int,
    rule: SyntheticCosts | None = None,
) -> PlanResult:
    """Return a plan that lists the roster's teachers and counts them."""
    columns = [
        PlanColumn("teacher", "教师", "Teacher"),
        PlanColumn("school_code", "学校代码", "School code"),
    ]
    return PlanResult(
        kind="rotation",
        division_code=division_code,
        year=year,
        framework_id=framework.id,
        feasible=True,
        summary={"teachers": roster.height, "schools": schools.height},
        tables=[PlanTable("roster", "名册", "Roster", columns, roster.to_dicts())],
    )
