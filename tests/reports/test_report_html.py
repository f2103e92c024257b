"""HTML report: self-contained, escaped and complete."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from reports.report_docs import NONCOMPLIANT_CODE, NONCOMPLIANT_NAME

from junheng.reports.html import render_html, write_html


@pytest.fixture(scope="module")
def page(doc: dict[str, Any]) -> str:
    return render_html(doc, "zh")


def test_html_no_external_scripts(page: str) -> None:
    assert "<script" not in page
    assert "<link" not in page
    assert "url(http" not in page
    assert "@import" not in page


def test_html_no_external_sources(page: str) -> None:
    assert re.search(r"""\s(src|href)\s*=\s*["']?(https?:)?//""", page) is None


def test_html_inline_svg_charts(page: str) -> None:
    assert page.count("<svg") == 2
    assert 'class="chart"' in page


def test_html_chart_ids_unique(two_county_doc: dict[str, Any]) -> None:
    ids = re.findall(r'\sid="([^"]+)"', render_html(two_county_doc))
    assert len(ids) == len(set(ids))


def test_html_county_content(page: str) -> None:
    assert '<html lang="zh-CN">' in page
    assert "410102" in page
    assert "未达标" in page
    assert "中原区" in page
    assert "测试数据.xlsx" in page


def test_html_failing_school_row(page: str) -> None:
    row = re.search(rf'<tr class="bad">(?:(?!</tr>).)*{NONCOMPLIANT_NAME}', page, re.S)
    assert row is not None
    assert NONCOMPLIANT_CODE in page
    assert "6/7" in page


def test_html_failing_cv_cell(page: str) -> None:
    assert '<td class="num bad">0.707</td>' in page


def test_html_county_items(page: str) -> None:
    assert "县财政局拨款文件" in page
    assert "≥ 6000" in page


def test_html_escapes_names(doc: dict[str, Any]) -> None:
    county = {**doc["counties"][0], "division_name": "<b>中原区</b>"}
    html = render_html({**doc, "counties": [county]})
    assert "<b>中原区</b>" not in html
    assert "&lt;b&gt;中原区&lt;/b&gt;" in html


def test_html_english_page(doc_en: dict[str, Any]) -> None:
    html = render_html(doc_en, "en")
    assert '<html lang="en">' in html
    assert "Non-compliant schools" in html
    assert ">fail<" in html


def test_html_county_limit_note(two_county_doc: dict[str, Any]) -> None:
    html = render_html(two_county_doc, max_counties=1)
    assert "本报告详列前 1 个县域年度，其余 1 个" in html
    assert 'id="c-410102-2024"' in html
    assert 'id="c-410103-2024"' not in html


def test_html_print_styles(page: str) -> None:
    assert "@media print" in page


def test_html_written_utf8(doc: dict[str, Any], tmp_path: Path) -> None:
    path = write_html(doc, tmp_path / "r.html")
    assert "中原区第二小学" in path.read_text("utf-8")
