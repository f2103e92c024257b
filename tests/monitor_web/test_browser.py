"""A monitoring trend chart in a real headless Chromium, against a live server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from dash.dashdata import PASSWORD, ZHONGYUAN
from monitor_web.monitordata import seed
from store.dbfixtures import Database
from web.live import live_server
from web.test_browser import CHROMIUM, CHROMIUM_ARGS

from junheng.web.app import create_app
from junheng.web.settings import WebSettings

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium "
        "(apt-get install chromium fonts-noto-cjk)",
    ),
]


@pytest.fixture
def live(database: Database) -> Iterator[str]:
    """Serve the app on a seeded database at 127.0.0.1 on a free port."""
    with database.sessions() as session:
        seed(session)
    app = create_app(
        WebSettings(mode="dev", database_url=database.url), database.engine
    )
    with live_server(app) as base:
        yield base


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_trend_chart_renders(live: str, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    errors: list[str] = []
    failed: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.on(
                "console",
                lambda m: errors.append(m.text) if m.type == "error" else None,
            )
            # The browser requests /favicon.ico on its own, and the site has none.
            page.on(
                "response",
                lambda r: (
                    failed.append(r.url)
                    if r.status >= 400 and not r.url.endswith("/favicon.ico")
                    else None
                ),
            )
            page.goto(f"{live}/login?next=/monitor")
            page.fill("input[name=username]", "zhongyuan")
            page.fill("input[name=password]", PASSWORD)
            page.click("form.form button[type=submit]")
            page.click("header a[href='/monitor']")
            page.wait_for_selector("body[data-dash-ready]")
            url = page.url
            charts = page.locator("#chart-cv-primary canvas").count()
            chart = page.locator("#chart-cv-primary")
            chart.screenshot(path=str(tmp_path / "trend.png"))
        finally:
            browser.close()
    assert url.endswith(f"/monitor/trends/{ZHONGYUAN}")
    assert charts == 1
    assert failed == []
    assert [e for e in errors if "favicon" not in e and "404" not in e] == []
    assert (tmp_path / "trend.png").stat().st_size > 5_000


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_forecasts_fit_phone(live: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    widths: dict[str, int] = {}
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 375, "height": 740})
            page.goto(f"{live}/login?next=/monitor")
            page.fill("input[name=username]", "zhongyuan")
            page.fill("input[name=password]", PASSWORD)
            page.click("form.form button[type=submit]")
            for lang in ("zh", "en"):
                page.goto(f"{live}/monitor/forecasts/410102?lang={lang}")
                page.wait_for_selector("form.inline-form select[name=indicator]")
                widths[lang] = page.evaluate("document.documentElement.scrollWidth")
        finally:
            browser.close()
    assert widths["zh"] <= 375, widths
    assert widths["en"] <= 375, widths


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_progress_chart_renders(live: str, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    errors: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.on(
                "console",
                lambda m: errors.append(m.text) if m.type == "error" else None,
            )
            page.goto(f"{live}/login?next=/monitor/trends/4101")
            page.fill("input[name=username]", "zhengzhou")
            page.fill("input[name=password]", PASSWORD)
            page.click("form.form button[type=submit]")
            page.click("nav.crumbs a[href='/monitor/progress/4101']")
            page.wait_for_selector("body[data-dash-ready]")
            url = page.url
            charts = page.locator("#chart-states canvas").count()
            page.locator("#chart-states").screenshot(path=str(tmp_path / "states.png"))
            # Record a year through the form; the page comes back with it.
            page.select_option("#schedule-form select[name=division_code]", "410103")
            page.fill("#schedule-form input[name=target_year]", "2030")
            page.click("#schedule-form button[type=submit]:not([name])")
            page.wait_for_selector("#schedule-saved")
            recorded = page.locator(
                "#table-schedule td[data-key=target_year]"
            ).all_inner_texts()
        finally:
            browser.close()
    assert url.endswith("/monitor/progress/4101")
    assert charts == 1
    assert recorded == ["2030"]
    assert [e for e in errors if "favicon" not in e and "404" not in e] == []
    assert (tmp_path / "states.png").stat().st_size > 5_000
