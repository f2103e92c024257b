"""Import warnings saved in the JSON, Excel and HTML reports."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
from reports.report_docs import county_items, schools_frame
from rich.console import Console

from junheng.evaluation.document import build_document
from junheng.evaluation.verdict import evaluate
from junheng.ingest.issues import Issue
from junheng.reports.excel import write_workbook
from junheng.reports.html import MAX_HTML_ROWS, render_html
from junheng.reports.terminal import render_summary
from junheng.standards.loader import load_framework

EXTRA = 7
"""Warnings beyond what the HTML report shows."""


def _warnings(count: int) -> list[dict[str, Any]]:
    # A full-width digit converted in each of ``count`` rows of one sheet.
    return [
        Issue(
            "学校数据.xlsx",
            "学校数据",
            row,
            "primary_students",
            "５００",
            "全角字符已转换为半角",
            "以后请用半角数字",
            severity="warning",
            rule="full_width",
        ).as_dict("zh")
        for row in range(2, 2 + count)
    ]


def _document(count: int) -> dict[str, Any]:
    ev = evaluate(
        schools_frame(False), load_framework("cn-2017-quality"), county_items()
    )
    return build_document(ev, lang="zh", warnings=_warnings(count))


def test_document_lists_warnings() -> None:
    doc = _document(2)
    assert [w["row"] for w in doc["warnings"]] == [2, 3]
    assert doc["warnings"][0]["value"] == "５００"


def test_document_without_warnings(doc: dict[str, Any]) -> None:
    assert doc["warnings"] == []


def test_excel_warning_sheet_lists_all(tmp_path: Path) -> None:
    count = MAX_HTML_ROWS + EXTRA
    path = write_workbook(_document(count), tmp_path / "r.xlsx", "zh")
    book = openpyxl.load_workbook(path)
    ws = book["导入警告"]
    assert [c.value for c in ws[1]] == [
        "文件",
        "工作表",
        "行",
        "列",
        "值",
        "问题",
        "修改方法",
        "问题代码",
    ]
    assert ws.max_row == count + 1
    assert [c.value for c in ws[2]] == [
        "学校数据.xlsx",
        "学校数据",
        2,
        "primary_students",
        "５００",
        "全角字符已转换为半角",
        "以后请用半角数字",
        None,
    ]
    overview = [book["概览"].cell(r, 2).value for r in range(1, 12)]
    assert f"导入数据时有 {count} 条警告，见“导入警告”。" in overview


def test_html_warnings_capped() -> None:
    count = MAX_HTML_ROWS + EXTRA
    html = render_html(_document(count), "zh")
    start = html.index('<section id="warnings"')
    section = html[start : html.index("</section>", start)]
    assert section.count("<tr>") == MAX_HTML_ROWS + 1
    assert f"只列出前 {MAX_HTML_ROWS} 行（共 {count} 行）" in section
    assert f"导入数据时有 {count} 条警告" in html[:start]


def test_html_without_warnings(doc: dict[str, Any]) -> None:
    html = render_html(doc, "zh")
    assert 'id="warnings"' not in html
    assert "导入数据时有" not in html


def test_terminal_leaves_warnings_out() -> None:
    # The command line prints the warnings itself, before the summary.
    output = io.StringIO()
    render_summary(_document(2), Console(file=output, width=120, color_system=None))
    assert "全角字符已转换为半角" not in output.getvalue()
