"""Terminal summary printed with rich to a text buffer."""

from __future__ import annotations

import io
from typing import Any

from reports.report_docs import NONCOMPLIANT_NAME
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
