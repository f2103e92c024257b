"""Plan results survive a JSON round trip and an Excel write."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook

from junheng.planning.result import PlanColumn, PlanResult, PlanTable, write_xlsx


def _result() -> PlanResult:
    moves = PlanTable(
        name="moves",
        title_zh="调整清单",
        title_en="Moves",
        columns=[
            PlanColumn("school_code", "学校代码", "School code"),
            PlanColumn("hires", "新聘教师", "Hires", "int"),
            PlanColumn("cost", "费用（元）", "Cost (yuan)", "money", 2),
        ],
        rows=[{"school_code": "4101020001", "hires": 2, "cost": 240000.0}],
    )
    return PlanResult(
        kind="adjust",
        division_code="410102",
        year=2024,
        framework_id="cn-2017-quality",
        feasible=True,
        parameters={"cost_per_hire": 120000},
        summary={"total_cost": 240000.0},
        messages_zh=["新聘 2 名教师。"],
        messages_en=["Hire 2 teachers."],
        tables=[moves],
    )


def test_result_json_round_trip() -> None:
    result = _result()
    text = json.dumps(result.to_dict(), ensure_ascii=False)
    assert PlanResult.from_dict(json.loads(text)) == result


def test_result_xlsx_sheets_and_values(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    write_xlsx(_result(), path, lang="en")
    book = load_workbook(path)
    assert book.sheetnames == ["Overview", "Moves"]
    sheet = book["Moves"]
    assert [c.value for c in sheet[1]] == ["School code", "Hires", "Cost (yuan)"]
    assert [c.value for c in sheet[2]] == ["4101020001", 2, 240000]
