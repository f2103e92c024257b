"""Terminal summary printed with rich to a text buffer."""

from __future__ import annotations

import io
from typing import Any

import pytest
from reports.report_docs import NONCOMPLIANT_NAME
from rich.cells import cell_len
from rich.console import Console

from junheng.reports.terminal import REASONS_PER_COUNTY, render_summary


def _render(doc: dict[str, Any], **options: Any) -> str:
    output = io.StringIO()
    console = Console(file=output, width=200, color_system=None)
    render_summary(doc, console, **options)
    return output.getvalue()


def test_terminal_single_county_detail(doc: dict[str, Any]) -> None:
    output = _render(doc)
    assert "县域年度数 1" in output
    assert "未达标 1" in output
    assert "0.707" in output
    assert "每百名学生拥有网络多媒体教室数" in output
    assert "县财政局拨款文件" in output
    assert NONCOMPLIANT_NAME in output


def test_terminal_item_names(doc: dict[str, Any]) -> None:
    output = _render(doc, lang="zh")
    assert "指标代码" in output
    assert "指标名称" in output
    (g7,) = [line for line in output.splitlines() if "│ G7 " in line]
    assert "│ 特殊教育学校生均公用经费不低于6000元 " in g7
    assert "（交流轮岗比例）" in output


def test_terminal_single_county_all_reasons(doc: dict[str, Any]) -> None:
    output = _render(doc)
    assert "另有" not in output
    for reason in doc["counties"][0]["reasons"]:
        assert reason["message"][:20] in output


def test_terminal_worst_cv_column(two_county_doc: dict[str, Any]) -> None:
    output = _render(two_county_doc)
    assert "L6 0.707/0.500" in output
    assert "L1 0.000/0.500" in output


def test_terminal_caps_reasons(two_county_doc: dict[str, Any]) -> None:
    reasons = len(two_county_doc["counties"][0]["reasons"])
    output = _render(two_county_doc)
    assert f"… 另有 {reasons - REASONS_PER_COUNTY} 条" in output


def test_terminal_caps_counties(two_county_doc: dict[str, Any]) -> None:
    output = _render(two_county_doc, max_counties=1)
    assert "列出前 1 个县域年度（共 2 个）" in output
    assert "另有 1 个县域年度未列出" in output
    assert "410103" not in output


def test_terminal_province_rollup(two_county_doc: dict[str, Any]) -> None:
    output = _render(two_county_doc)
    assert "分省汇总 2024" in output
    assert "河南省" in output


def test_terminal_english_labels(doc: dict[str, Any]) -> None:
    output = _render(doc, lang="en")
    assert "Framework: " in output
    assert "County-years 1" in output
    assert "Schools below threshold" in output


def test_terminal_keeps_brackets(doc: dict[str, Any]) -> None:
    county = {**doc["counties"][0], "division_name": "[bold]县[/bold]"}
    output = _render({**doc, "counties": [county]})
    assert "[bold]县[/bold]" in output


def _record(doc: dict[str, Any], width: int, lang: str | None = None) -> str:
    console = Console(width=width, record=True, file=io.StringIO())
    render_summary(doc, console, lang=lang)
    return console.export_text()


def _table_cells(output: str, code: str) -> list[str]:
    """Return the stripped cells of the county table row that starts with ``code``."""
    for line in output.splitlines():
        if line.startswith(f"│ {code} "):
            return [cell.strip() for cell in line.strip("│").split("│")]
    raise AssertionError(f"no table row for {code}:\n{output}")


# Hand-computed from report_docs: 410102 has 3 schools of 500 students, fails,
# and its worst CV is L6 sqrt(2)/2 = 0.707 against 0.500; school 2 misses L7.
# 410103 has 1 school of 500 students and no county items, so it is incomplete.
# Neither county has a junior section, so the 初中 column stays empty.
NARROW_410102 = ["410102", "中原区", "未达标", "1,500", "L6 0.707/0.500", ""]
NARROW_410103 = ["410103", "二七区", "数据不全", "500", "L1 0.000/0.500", ""]
WIDE_410102 = [
    "410102",
    "中原区",
    "2024",
    "未达标",
    "1,500",
    "3",
    "L6 0.707/0.500",
    "",
    "1",
]
WIDE_410103 = [
    "410103",
    "二七区",
    "2024",
    "数据不全",
    "500",
    "1",
    "L1 0.000/0.500",
    "",
    "0",
]


@pytest.mark.parametrize(
    ("width", "first", "second"),
    [
        (80, NARROW_410102, NARROW_410103),
        (99, NARROW_410102, NARROW_410103),
        (100, WIDE_410102, WIDE_410103),
        (160, WIDE_410102, WIDE_410103),
    ],
)
def test_terminal_county_row_complete(
    two_county_doc: dict[str, Any], width: int, first: list[str], second: list[str]
) -> None:
    output = _record(two_county_doc, width)
    assert _table_cells(output, "410102") == first
    assert _table_cells(output, "410103") == second


@pytest.mark.parametrize("width", [80, 100, 160])
def test_terminal_fits_width(two_county_doc: dict[str, Any], width: int) -> None:
    output = _record(two_county_doc, width)
    lines = output.splitlines()
    assert max(cell_len(line) for line in lines) <= width
    assert "┃┃" not in output
    assert "││" not in output


@pytest.mark.parametrize("width", [80, 100, 160])
def test_terminal_tables_not_cut(doc: dict[str, Any], width: int) -> None:
    output = _record(doc, width)
    table_lines = [line for line in output.splitlines() if line[:1] in "┃│"]
    assert table_lines
    assert not any("…" in line for line in table_lines)
    # Numbers of the single-county detail: L6 mean 4400 against 2000, and the
    # county items by code and name.
    assert "4,400.00" in output
    assert "2,000.00" in output
    assert "│ G11 " in output
    assert "│ G15 " in output


def test_terminal_narrow_title_year(two_county_doc: dict[str, Any]) -> None:
    output = _record(two_county_doc, 80)
    assert "学年 2024" in output


def test_terminal_narrow_keeps_years(two_county_doc: dict[str, Any]) -> None:
    first = two_county_doc["counties"][0]
    later = {**first, "year": 2025}
    output = _record({**two_county_doc, "counties": [first, later]}, 80)
    rows = [line for line in output.splitlines() if line.startswith("│ 410102 ")]
    assert len(rows) == 2
    assert "2024" in rows[0]
    assert "2025" in rows[1]


def test_terminal_english_narrow(two_county_doc: dict[str, Any]) -> None:
    output = _record(two_county_doc, 80, lang="en")
    cells = _table_cells(output, "410102")
    assert cells[2:5] == ["fail", "1,500", "L6 0.707/0.500"]
    assert "Verdict" in output
    assert "Students" in output


def test_terminal_long_codes_names(two_county_doc: dict[str, Any]) -> None:
    first = two_county_doc["counties"][0]
    long_name = "禄劝彝族苗族自治县与某某很长的名字"
    county = {
        **first,
        "division_code": "10-臺北市大安區",
        "division_name": long_name,
        "students": 1_234_567,
    }
    # Without roll-ups, the county table is the only table printed.
    no_rollups = {"verdicts": [], "indicators": []}
    changed = {**two_county_doc, "counties": [county], "rollups": no_rollups}
    output = _record(changed, 80)
    cells = _table_cells(output, "10-臺北市大安區")
    assert cells[2:5] == ["未达标", "1,234,567", "L6 0.707/0.500"]
    # The name folds onto the next lines but loses no character.
    name_column = [
        line.split("│")[2].strip()
        for line in output.splitlines()
        if line.startswith("│ ") and line.count("│") > 3
    ]
    assert "".join(name_column) == long_name


def test_terminal_natural_order(two_county_doc: dict[str, Any]) -> None:
    first = two_county_doc["counties"][0]
    counties = [
        {**first, "division_code": code, "division_name": code}
        for code in ("10-乙區", "2-甲區", "1-丙區")
    ]
    output = _record({**two_county_doc, "counties": counties}, 160)
    first_row = output.index("│ 1-丙區 ")
    second_row = output.index("│ 2-甲區 ")
    third_row = output.index("│ 10-乙區 ")
    assert first_row < second_row < third_row


def test_terminal_items_natural_order(doc: dict[str, Any]) -> None:
    output = _record(doc, 80)
    g2 = output.index("│ G2 ")
    g9 = output.index("│ G9 ")
    g10 = output.index("│ G10 ")
    assert g2 < g9 < g10


def test_terminal_reason_no_lone_bullet(doc: dict[str, Any]) -> None:
    output = _record(doc, 80)
    bullets = [line for line in output.splitlines() if line.startswith("  • ")]
    assert len(bullets) == len(doc["counties"][0]["reasons"])
    assert all(line.strip() != "•" for line in bullets)
