"""The accountability page of a city in real headless Chromium: every
section's chart is drawn from the JSON twin."""

from __future__ import annotations

import pytest
from reports.test_report_browser import CHROMIUM, CHROMIUM_ARGS
from web.live import live_server
from web.site import PASSWORD, Site
from web.test_accountability_sections import YEAR, seed

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium "
        "(apt-get install chromium fonts-noto-cjk)",
    ),
    pytest.mark.parametrize("database", ["sqlite"], indirect=True),
]


def test_city_page_draws_charts(site: Site) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    seed(site)
    with live_server(site.app) as base, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{base}/login")
            page.fill("input[name=username]", "zhengzhou")
            page.fill("input[name=password]", PASSWORD)
            page.click("form.form button[type=submit]")
            page.wait_for_url(f"{base}/")

            page.goto(f"{base}/accountability?year={YEAR}")
            page.wait_for_selector("body[data-dash-ready=true]")
            for chart in ("rectification", "feedback", "surveys", "surveys-rate"):
                assert page.locator(f"#chart-{chart} canvas").count() == 1, chart
            first = page.locator("#table-surveys tbody tr").first.inner_text()
            assert "410105" in first and "达标" in first
            assert errors == []
        finally:
            browser.close()
