"""The accountability page of a city in real headless Chromium: every
section's chart is drawn from the JSON twin."""

from __future__ import annotations

from typing import Any

from browserfixtures import BROWSER_TEST, console_errors, log_in
from web.live import live_server
from web.site import PASSWORD, Site, make_app
from web.test_accountability_sections import YEAR, seed

pytestmark = BROWSER_TEST


def test_city_page_draws_charts(browser: Any, site: Site) -> None:
    seed(site)
    # As in the section tests, rounds of one or two answers show their rates.
    with live_server(make_app(site.database, survey_min_answers=1)) as base:
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
