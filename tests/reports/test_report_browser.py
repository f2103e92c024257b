"""HTML report rendered by a real headless Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from browserfixtures import BROWSER_TEST

from junheng.reports.html import write_html

pytestmark = BROWSER_TEST


def test_browser_renders_report(
    browser: Any, doc: dict[str, Any], tmp_path: Path
) -> None:
    page_path = write_html(doc, tmp_path / "report.html")
    shot = tmp_path / "report.png"
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(page_path.as_uri())
    body = page.inner_text("body")
    charts = page.locator("svg.chart").count()
    chart_box = page.locator("svg.chart").first.bounding_box()
    page.screenshot(path=str(shot), full_page=True)
    assert "410102" in body
    assert "中原区第二小学" in body
    assert charts == 2
    assert chart_box is not None
    assert chart_box["width"] > 300
    assert shot.stat().st_size > 10_000
