"""A saved plan scenario in real headless Chromium: its charts are drawn from
the JSON twin with no console error. The scenario is synthetic."""

from __future__ import annotations

from typing import Any

import pytest
from reports.test_report_browser import CHROMIUM, CHROMIUM_ARGS
from web.live import live_server
from web.plan_site import save
from web.site import Site
from web.test_browser import log_in
from web.test_browser import pytestmark as pytestmark


def test_scenario_page_draws_its_charts(site: Site) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    scenario_id = save(site, "新聘两名教师")
    with live_server(site.app) as base, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            page: Any = browser.new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text))
            page.on("pageerror", lambda e: errors.append(str(e)))
            log_in(page, base, "zhongyuan")
            page.click("header a[href='/plans']")
            page.click(f"a[href='/plans/{scenario_id}']")
            page.wait_for_selector("#chart-0[data-drawn=true] canvas")
            page.wait_for_selector("#chart-1[data-drawn=true] canvas")
            assert page.locator(".plan-chart canvas").count() == 2
            box = page.locator("#chart-0 canvas").bounding_box()
            assert box is not None
            assert box["width"] > 100
            assert box["height"] > 100
            assert page.inner_text("#plan-name") == "新聘两名教师"
            assert errors == []
        finally:
            browser.close()
