"""Schools left out by the inclusion rules, listed in every saved report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from factories import primary_school

from junheng.evaluation.document import build_document
from junheng.evaluation.verdict import evaluate
from junheng.ingest.schema import canonical_frame
from junheng.reports.excel import write_workbook
from junheng.reports.html import MAX_HTML_ROWS, render_html
from junheng.standards.loader import load_framework

# County 410102 has two primary schools that count, a teaching point of 30
# students (the 2017 framework counts teaching points of at least 50) and a
# special-education school (which that framework leaves out).
POINT_CODE = "2141000003"
SPECIAL_CODE = "2141000004"


def _documents() -> dict[str, dict[str, Any]]:
    named = {"division_name": "中原区"}
    rows = [
        primary_school(1, **named),
        primary_school(2, **named),
        primary_school(
            3,
            **named,
            school_type="教学点",
            school_name="甲教学点",
            primary_students=30,
            primary_classes=3,
            primary_max_class_size=12,
        ),
        primary_school(
            4,
            **named,
            school_type="特殊教育学校",
            school_name="特教学校",
            primary_students=80,
        ),
    ]
    ev = evaluate(canonical_frame(rows), load_framework("cn-2017-quality"))
    return {lang: build_document(ev, lang=lang) for lang in ("zh", "en")}


def _excluded_section(html: str) -> str:
    start = html.index('<section id="excluded"')
    return html[start : html.index("</section>", start)]


@pytest.fixture(scope="module")
def docs() -> dict[str, dict[str, Any]]:
    return _documents()


def test_json_names_excluded_schools(docs: dict[str, dict[str, Any]]) -> None:
    excluded = docs["zh"]["excluded_schools"]
    assert [s["school_code"] for s in excluded] == [POINT_CODE, SPECIAL_CODE]
    point = excluded[0]
    assert point["division_name"] == "中原区"
    assert point["school_name"] == "甲教学点"
    assert point["school_type"] == "教学点"
    assert point["primary_students"] == 30
    assert point["reason"] == "small_teaching_point"
    assert excluded[1]["reason"] == "special_education"
    assert docs["zh"]["framework"]["inclusion"]["teaching_point_min_students"] == 50


def test_excel_excluded_sheet(docs: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    path = write_workbook(docs["zh"], tmp_path / "r.xlsx", "zh")
    ws = openpyxl.load_workbook(path)["未纳入学校"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows == [
        [
            "学年",
            "行政区划代码",
            "县（区）名称",
            "学校标识码",
            "学校名称",
            "学校类型",
            "办学性质",
            "小学在校生数",
            "未纳入原因",
        ],
        [
            2024,
            "410102",
            "中原区",
            POINT_CODE,
            "甲教学点",
            "教学点",
            "公办",
            30,
            "在校生少于 50 人的教学点",
        ],
        [
            2024,
            "410102",
            "中原区",
            SPECIAL_CODE,
            "特教学校",
            "特殊教育学校",
            "公办",
            80,
            "特殊教育学校",
        ],
    ]


def test_excel_excluded_sheet_english(
    docs: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    path = write_workbook(docs["en"], tmp_path / "r.xlsx", "en")
    ws = openpyxl.load_workbook(path)["Excluded schools"]
    assert ws.cell(1, 9).value == "Reason left out"
    assert ws.cell(2, 9).value == "teaching point with fewer than 50 students"
    assert ws.cell(3, 9).value == "special-education schools"
    # School type and ownership are stored in Chinese and named in English.
    assert [ws.cell(2, c).value for c in (6, 7)] == ["teaching point", "public"]
    assert ws.cell(3, 6).value == "special education school"


def test_html_excluded_section(docs: dict[str, dict[str, Any]]) -> None:
    html = render_html(docs["en"], "en")
    section = _excluded_section(html)
    assert "Schools left out by the inclusion rules" in section
    assert f'<td class="code">{POINT_CODE}</td><td>甲教学点</td>' in section
    assert "teaching point with fewer than 50 students" in section
    assert "special-education schools" in section
    assert "<td>teaching point</td>" in section
    assert "<td>public</td>" in section
    assert "<td>教学点</td>" not in section
    assert "rows are listed" not in section


def test_html_excluded_capped(docs: dict[str, dict[str, Any]]) -> None:
    doc = docs["zh"]
    point = doc["excluded_schools"][0]
    many = [{**point, "school_code": f"21410{n:05d}"} for n in range(MAX_HTML_ROWS + 7)]
    html = render_html({**doc, "excluded_schools": many}, "zh")
    section = _excluded_section(html)
    assert section.count("<tr>") == MAX_HTML_ROWS + 1
    assert f"只列出前 {MAX_HTML_ROWS} 行（共 {MAX_HTML_ROWS + 7} 行）" in section
    assert "Excel 和 JSON 结果列出全部" in section


def test_html_without_excluded_has_no_section(docs: dict[str, dict[str, Any]]) -> None:
    html = render_html({**docs["zh"], "excluded_schools": []}, "zh")
    assert 'id="excluded"' not in html
