"""The accountability page of a city in real headless Chromium: every
section's chart is drawn from the JSON twin."""

from __future__ import annotations

from typing import Any

from browserfixtures import BROWSER_TEST, console_errors, log_in
from web.live import live_server
from web.site import PASSWORD, Site
from web.test_accountability_sections import YEAR, seed

pytestmark = BROWSER_TEST


def test_city_page_draws_charts(browser: Any, site: Site) -> None:
    seed(site)
    with live_server(site.app) as base:
        page = browser.new_page()
        errors = console_errors(page)
        log_in(page, base, "zhengzhou", PASSWORD)

        page.goto(f"{base}/accountability?year={YEAR}")
        page.wait_for_selector("body[data-dash-ready=true]")
        for chart in ("rectification", "feedback", "surveys", "surveys-rate"):
            assert page.locator(f"#chart-{chart} canvas").count() == 1, chart
        first = page.locator("#table-surveys tbody tr").first.inner_text()
        assert "410105" in first
        assert "达标" in first
        assert errors == []
