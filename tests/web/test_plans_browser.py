"""A saved plan scenario in real headless Chromium: its charts are drawn from
the JSON twin with no console error. The scenario is synthetic."""

from __future__ import annotations

from typing import Any

from browserfixtures import console_errors
from web.live import live_server
from web.plan_site import save
from web.site import Site
from web.test_browser import log_in
from web.test_browser import pytestmark as pytestmark


def test_scenario_page_draws_its_charts(browser: Any, site: Site) -> None:
    scenario_id = save(site, "新聘两名教师")
    with live_server(site.app) as base:
        page: Any = browser.new_page()
        errors = console_errors(page)
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
