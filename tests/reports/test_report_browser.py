"""HTML report rendered by a real headless Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from junheng.reports.html import write_html

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium "
        "(apt-get install chromium fonts-noto-cjk)",
    ),
]


def test_browser_renders_report(doc: dict[str, Any], tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    page_path = write_html(doc, tmp_path / "report.html")
    shot = tmp_path / "report.png"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(page_path.as_uri())
            body = page.inner_text("body")
            charts = page.locator("svg.chart").count()
            chart_box = page.locator("svg.chart").first.bounding_box()
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert "410102" in body
    assert "中原区第二小学" in body
    assert charts == 2
    assert chart_box is not None
    assert chart_box["width"] > 300
    assert shot.stat().st_size > 10_000
