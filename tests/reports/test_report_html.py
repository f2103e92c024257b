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


def _items_table(html: str) -> str:
    """Return the county items table of the first county."""
    heading = re.search(r"<h3>(县级指标|County items)</h3>", html)
    assert heading is not None
    return html[heading.start() : html.index("</table>", heading.start())]


def test_html_primary_before_junior(doc: dict[str, Any]) -> None:
    county = doc["counties"][0]
    primary = county["sections"]["primary"]
    # The engine lists sections by name, so junior comes first in the document.
    both = {**county, "sections": {"junior": primary, "primary": primary}}
    html = render_html({**doc, "counties": [both]})
    assert html.index("<h3>小学 <span") < html.index("<h3>初中 <span")
    header = html[html.index("<thead>") : html.index("</thead>")]
    assert header.index("小学 最大差异系数/限值") < header.index(
        "初中 最大差异系数/限值"
    )


G11_ZH = (
    "全县每年交流轮岗教师的比例不低于符合交流条件教师总数的10%，"
    "其中骨干教师不低于交流轮岗教师总数的20%"
)


def test_html_item_names(page: str) -> None:
    table = _items_table(page)
    assert "<th>指标代码</th><th>指标名称</th>" in table
    assert (
        '<td class="code">G7</td>\n  <td>特殊教育学校生均公用经费不低于6000元</td>'
        in table
    )
    # G11 has two checks, so each row adds the check's label to the name.
    assert f'<td class="code">G11</td>\n  <td>{G11_ZH}（交流轮岗比例）</td>' in table
    assert f"<td>{G11_ZH}（骨干教师占比）</td>" in table
    assert "G11_rotation_rate" not in table


def test_html_item_names_english(doc_en: dict[str, Any]) -> None:
    table = _items_table(render_html(doc_en, "en"))
    assert "<th>Item code</th><th>Item name</th>" in table
    assert (
        "<td>Special-education operating funds at least 6000 yuan per student</td>"
        in table
    )
    assert (
        "<td>At least 10% of eligible teachers rotate each year, at least 20% of "
        "them backbone teachers (rotation rate)</td>"
    ) in table


def test_html_item_names_unknown_framework(doc: dict[str, Any]) -> None:
    framework = {**doc["framework"], "id": "no-such-framework"}
    table = _items_table(render_html({**doc, "framework": framework}))
    # Without the framework's names each row shows its reported key.
    assert '<td class="code">G7</td>\n  <td>G7</td>' in table
    assert "<td>G11_rotation_rate</td>" in table
    assert "特殊教育学校" not in table


def test_html_items_natural_order(page: str) -> None:
    table = _items_table(page)
    g2 = table.index('<td class="code">G2</td>')
    g9 = table.index('<td class="code">G9</td>')
    g10 = table.index('<td class="code">G10</td>')
    assert g2 < g9 < g10


def test_html_districts_natural_order(doc: dict[str, Any]) -> None:
    counties = [
        {**doc["counties"][0], "division_code": code}
        for code in ("10-乙區", "2-甲區", "1-丙區")
    ]
    html = render_html({**doc, "counties": counties})
    first = html.index('id="c-1-丙區-2024"')
    second = html.index('id="c-2-甲區-2024"')
    third = html.index('id="c-10-乙區-2024"')
    assert first < second < third


def test_html_english_yes_no(doc_en: dict[str, Any]) -> None:
    county = doc_en["counties"][0]
    items = [
        {**item, "value": item["item"] != "V1", "passed": True}
        if item["op"] in ("true", "false")
        else item
        for item in county["county_items"]
    ]
    changed = {**doc_en, "counties": [{**county, "county_items": items}]}
    table = _items_table(render_html(changed, "en"))
    # G1 requires yes and reports yes; the veto item V1 requires no, reports no.
    assert '<td class="code">yes</td><td class="code">yes</td>' in table
    assert '<td class="code">no</td><td class="code">no</td>' in table
    assert "是" not in table
    assert "否" not in table


def test_html_nation_row_english(doc_en: dict[str, Any]) -> None:
    html = render_html(doc_en, "en")
    rollups = html[html.index('id="rollups"') :]
    assert "<td>nation</td><td>national</td>" in rollups
    assert ">all<" not in rollups
