"""Monitoring charts in a real headless Chromium against a live server, on
SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browserfixtures import (
    BROWSER_TEST,
    PHONE,
    console_errors,
    failed_responses,
    log_in,
)
from dash.conftest import Site
from dash.dashdata import PASSWORD, ZHONGYUAN
from web.live import live_server

pytestmark = BROWSER_TEST


@pytest.fixture
def live(site: Site) -> Iterator[str]:
    """Serve the app on a freshly seeded database of its own at 127.0.0.1."""
    with live_server(site.client.app) as base:
        yield base


@pytest.fixture(scope="module")
def shared_live(shared_site: Site) -> Iterator[str]:
    """Serve the app on the module's seeded database, for the tests that only
    read, so its monitoring tables are computed once per store."""
    with live_server(shared_site.client.app) as base:
        yield base


def test_trend_chart_renders(browser: Any, shared_live: str, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    errors = console_errors(page, only_errors=True)
    failed = failed_responses(page)
    log_in(page, shared_live, "zhongyuan", PASSWORD)
    page.click("header a[href='/monitor']")
    page.wait_for_selector("body[data-dash-ready]")
    url = page.url
    charts = page.locator("#chart-cv-primary canvas").count()
    chart = page.locator("#chart-cv-primary")
    chart.screenshot(path=str(tmp_path / "trend.png"))
    assert url.endswith(f"/monitor/trends/{ZHONGYUAN}")
    assert charts == 1
    assert failed == []
    assert [e for e in errors if "favicon" not in e and "404" not in e] == []
    assert (tmp_path / "trend.png").stat().st_size > 5_000


def test_forecasts_fit_phone(browser: Any, shared_live: str) -> None:
    widths: dict[str, int] = {}
    page = browser.new_page(viewport=PHONE)
    log_in(page, shared_live, "zhongyuan", PASSWORD)
    for lang in ("zh", "en"):
        page.goto(f"{shared_live}/monitor/forecasts/410102?lang={lang}")
        page.wait_for_selector("form.inline-form select[name=indicator]")
        widths[lang] = page.evaluate("document.documentElement.scrollWidth")
    assert widths["zh"] <= PHONE["width"], widths
    assert widths["en"] <= PHONE["width"], widths


def test_progress_chart_renders(browser: Any, live: str, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    errors = console_errors(page, only_errors=True)
    page.goto(f"{live}/login?next=/monitor/trends/4101")
    page.fill("input[name=username]", "zhengzhou")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.form button[type=submit]")
    page.click("nav.crumbs a[href='/monitor/progress/4101']")
    page.wait_for_selector("body[data-dash-ready]")
    assert page.url.endswith("/monitor/progress/4101")
    assert page.locator("#chart-states canvas").count() == 1
    page.locator("#chart-states").screenshot(path=str(tmp_path / "states.png"))
    # Record a year through the form; the page comes back with it.
    page.select_option("#schedule-form select[name=division_code]", "410103")
    page.fill("#schedule-form input[name=target_year]", "2030")
    page.click("#schedule-form button[type=submit]:not([name])")
    page.wait_for_selector("#schedule-saved")
    recorded = page.locator("#table-schedule td[data-key=target_year]")
    assert recorded.all_inner_texts() == ["2030"]
    assert [e for e in errors if "favicon" not in e and "404" not in e] == []
    assert (tmp_path / "states.png").stat().st_size > 5_000
