"""Excel report read back with openpyxl."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from reports.report_docs import NONCOMPLIANT_CODE, NONCOMPLIANT_NAME

from junheng.reports import excel
from junheng.reports.excel import write_workbook

SHEETS_ZH = [
    "概览",
    "县域结果",
    "指标阈值",
    "学校",
    "未纳入学校",
    "原因",
    "县级指标",
    "结论汇总",
    "指标汇总",
    "导入警告",
]
SCHOOL_HEADER_ZH = [
    "学年",
    "行政区划代码",
    "学校标识码",
    "学校名称",
    "学校类型",
    "办学性质",
    "学段",
    "学生数",
    "L1（人）",
    "L2（人）",
    "L3（人）",
    "L4（平方米）",
    "L5（平方米）",
    "L6（元）",
    "L7（间）",
    "达标项数",
    "学校是否达标",
]


@pytest.fixture(scope="module")
def workbook(
    doc: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> openpyxl.Workbook:
    path = write_workbook(doc, tmp_path_factory.mktemp("xlsx") / "r.xlsx", "zh")
    return openpyxl.load_workbook(path)


def _header(ws: Worksheet, row: int = 1) -> list[Any]:
    return [c.value for c in ws[row]]


def _row_of(ws: Worksheet, column: int, value: str) -> int:
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, column).value == value:
            return row
    raise AssertionError(f"{value!r} not found in column {column} of {ws.title}")


def test_excel_sheet_names(workbook: openpyxl.Workbook) -> None:
    assert workbook.sheetnames == SHEETS_ZH


def test_excel_school_header(workbook: openpyxl.Workbook) -> None:
    assert _header(workbook["学校"]) == SCHOOL_HEADER_ZH


def test_excel_noncompliant_row_fill(workbook: openpyxl.Workbook) -> None:
    ws = workbook["学校"]
    row = _row_of(ws, 3, NONCOMPLIANT_CODE)
    assert ws.cell(row, 4).value == NONCOMPLIANT_NAME
    assert ws.cell(row, 4).fill.fgColor.rgb == "FF" + excel.ROW_FILL[1:]
    assert ws.cell(row, 17).value == "否"


def test_excel_failing_cell_fill(workbook: openpyxl.Workbook) -> None:
    ws = workbook["学校"]
    row = _row_of(ws, 3, NONCOMPLIANT_CODE)
    l7 = ws.cell(row, 15)
    assert l7.value == pytest.approx(1.8)
    assert l7.fill.fgColor.rgb == "FF" + excel.FAIL_FILL[1:]


def test_excel_compliant_row_plain(workbook: openpyxl.Workbook) -> None:
    ws = workbook["学校"]
    row = _row_of(ws, 3, "2141010201")
    assert ws.cell(row, 4).fill.fill_type is None
    assert ws.cell(row, 17).value == "是"


def test_excel_chart_exists(workbook: openpyxl.Workbook) -> None:
    assert workbook["概览"]._charts
    assert workbook["结论汇总"]._charts


def test_excel_county_cv_cells(workbook: openpyxl.Workbook) -> None:
    ws = workbook["县域结果"]
    header = _header(ws)
    cv_l6 = ws.cell(2, header.index("L6 差异系数") + 1)
    cv_l1 = ws.cell(2, header.index("L1 差异系数") + 1)
    assert ws.cell(2, 2).value == "410102"
    assert cv_l6.value == pytest.approx(math.sqrt(2) / 2)
    assert cv_l6.number_format == "0.000"
    assert cv_l6.fill.fgColor.rgb == "FF" + excel.FAIL_FILL[1:]
    assert cv_l1.fill.fill_type is None
    assert ws.cell(2, header.index("L6 是否达标") + 1).value == "否"


def test_excel_money_format(workbook: openpyxl.Workbook) -> None:
    ws = workbook["县域结果"]
    mean_l6 = ws.cell(2, _header(ws).index("L6 均值") + 1)
    assert mean_l6.value == pytest.approx(4400.0)
    assert mean_l6.number_format == "#,##0"


def test_excel_frozen_headers(workbook: openpyxl.Workbook) -> None:
    for name in SHEETS_ZH[1:]:
        assert workbook[name].freeze_panes == "A2", name


def test_excel_overview_not_frozen(workbook: openpyxl.Workbook) -> None:
    assert workbook["概览"].freeze_panes is None


def test_excel_autofilters(workbook: openpyxl.Workbook, doc: dict[str, Any]) -> None:
    county = doc["counties"][0]
    reasons = len(county["reasons"])
    items = len(county["county_items"])
    # County results: 12 fixed columns and 5 blocks of 7 indicators, 47 columns
    # (A to AU), one primary row. Schools: 17 columns (A to Q), 3 schools.
    assert workbook["县域结果"].auto_filter.ref == "A1:AU2"
    assert workbook["学校"].auto_filter.ref == "A1:Q4"
    assert workbook["原因"].auto_filter.ref == f"A1:G{reasons + 1}"
    assert workbook["县级指标"].auto_filter.ref == f"A1:J{items + 1}"
    # Roll-ups of one county: nation, province and city rows. The indicator
    # roll-ups have 20 columns (A to T) and 7 primary indicators per level.
    assert workbook["结论汇总"].auto_filter.ref == "A1:I4"
    assert workbook["指标汇总"].auto_filter.ref == "A1:T22"


def test_excel_rollup_headers(workbook: openpyxl.Workbook) -> None:
    for name in ("结论汇总", "指标汇总"):
        ws = workbook[name]
        header = _header(ws)
        assert len(header) == ws.max_column, name
        assert all(header), name


def test_excel_rollup_nation_code(workbook: openpyxl.Workbook) -> None:
    for name in ("结论汇总", "指标汇总"):
        ws = workbook[name]
        assert ws.cell(2, 1).value == "全国", name
        assert ws.cell(2, 2).value == "全国", name
        codes = [ws.cell(r, 2).value for r in range(2, ws.max_row + 1)]
        assert "all" not in codes, name


def test_excel_rollup_nation_english(doc: dict[str, Any], tmp_path: Path) -> None:
    book = openpyxl.load_workbook(write_workbook(doc, tmp_path / "r.xlsx", "en"))
    ws = book["Verdict roll-ups"]
    assert ws.cell(2, 1).value == "nation"
    assert ws.cell(2, 2).value == "national"


def test_excel_overview_total(two_county_doc: dict[str, Any], tmp_path: Path) -> None:
    book = openpyxl.load_workbook(write_workbook(two_county_doc, tmp_path / "r.xlsx"))
    ws = book["概览"]
    labels = [ws.cell(r, 1).value for r in range(1, 30)]
    total_row = labels.index("合计") + 1
    # 410102 fails and 410103 is incomplete: 0 + 1 + 1 = 2.
    assert labels[total_row - 4 : total_row - 1] == ["达标", "未达标", "数据不全"]
    assert ws.cell(total_row, 2).value == 2


def test_excel_primary_before_junior(doc: dict[str, Any], tmp_path: Path) -> None:
    county = doc["counties"][0]
    primary = county["sections"]["primary"]
    # The engine lists sections by name, so junior comes first in the document.
    both = {**county, "sections": {"junior": primary, "primary": primary}}
    path = write_workbook({**doc, "counties": [both]}, tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(path)["县域结果"]
    assert [ws.cell(r, 6).value for r in (2, 3)] == ["小学", "初中"]


def test_excel_items_natural_order(workbook: openpyxl.Workbook) -> None:
    ws = workbook["县级指标"]
    items = [ws.cell(r, 5).value for r in range(2, ws.max_row + 1)]
    assert items.index("G2") < items.index("G9") < items.index("G10")


def test_excel_reason_rows(workbook: openpyxl.Workbook, doc: dict[str, Any]) -> None:
    ws = workbook["原因"]
    messages = [ws.cell(r, 7).value for r in range(2, ws.max_row + 1)]
    assert len(messages) == len(doc["counties"][0]["reasons"])
    assert any(NONCOMPLIANT_NAME in m for m in messages)


def test_excel_county_item_row(workbook: openpyxl.Workbook) -> None:
    ws = workbook["县级指标"]
    assert _header(ws)[4:6] == ["指标代码", "指标名称"]
    row = _row_of(ws, 5, "G7")
    assert ws.cell(row, 6).value == "特殊教育学校生均公用经费不低于6000元"
    assert ws.cell(row, 7).value == "≥ 6000"
    assert ws.cell(row, 8).value == 7000
    assert ws.cell(row, 9).value == "是"
    assert ws.cell(row, 10).value == "县财政局拨款文件"


def test_excel_county_item_check_labels(workbook: openpyxl.Workbook) -> None:
    # G11 has two checks, so each row adds the check's label to the name.
    ws = workbook["县级指标"]
    names = [
        ws.cell(r, 6).value
        for r in range(2, ws.max_row + 1)
        if ws.cell(r, 5).value == "G11"
    ]
    g11 = (
        "全县每年交流轮岗教师的比例不低于符合交流条件教师总数的10%，"
        "其中骨干教师不低于交流轮岗教师总数的20%"
    )
    assert names == [f"{g11}（交流轮岗比例）", f"{g11}（骨干教师占比）"]


def test_excel_county_item_names_english(
    doc_en: dict[str, Any], tmp_path: Path
) -> None:
    book = openpyxl.load_workbook(write_workbook(doc_en, tmp_path / "r.xlsx", "en"))
    ws = book["County items"]
    assert _header(ws)[4:6] == ["Item code", "Item name"]
    row = _row_of(ws, 5, "G7")
    assert ws.cell(row, 6).value == (
        "Special-education operating funds at least 6000 yuan per student"
    )


def test_excel_overview_counts(workbook: openpyxl.Workbook) -> None:
    ws = workbook["概览"]
    labels = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, 20)}
    assert labels["未达标"] == 1
    assert labels["达标"] == 0
    assert labels["数据不全"] == 0
    assert labels["数据来源"] == "测试数据.xlsx"


def test_excel_english_headers(doc: dict[str, Any], tmp_path: Path) -> None:
    book = openpyxl.load_workbook(write_workbook(doc, tmp_path / "r.xlsx", "en"))
    assert book.sheetnames[0] == "Overview"
    assert _header(book["Schools"])[:4] == [
        "Year",
        "Division code",
        "School code",
        "School name",
    ]


def test_excel_row_limit_note(
    two_county_doc: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(excel, "MAX_SHEET_ROWS", 2)
    book = openpyxl.load_workbook(write_workbook(two_county_doc, tmp_path / "r.xlsx"))
    overview = [
        str(c.value) for row in book["概览"].iter_rows() for c in row if c.value
    ]
    assert book["学校"].max_row == 3
    assert any("“学校”只写入前 2 行（共 4 行）" in v for v in overview)
