"""The county dashboard in a real headless Chromium, against a live server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browserfixtures import BROWSER_TEST, console_errors, failed_responses, log_in
from dash.dashdata import PASSWORD, ZHONGYUAN, People, finish_weak_school, seed
from store.dbfixtures import Database
from web.live import live_server

from junheng.web.app import create_app
from junheng.web.settings import WebSettings

pytestmark = BROWSER_TEST


@pytest.fixture
def live(database: Database) -> Iterator[tuple[str, Database, People]]:
    """Serve the app on a seeded database at 127.0.0.1 on a free port."""
    with database.sessions() as session:
        people = seed(session)
    app = create_app(
        WebSettings(mode="dev", database_url=database.url), database.engine
    )
    with live_server(app) as base:
        yield base, database, people


def test_verdict_changes_after_approval(
    browser: Any, live: tuple[str, Database, People], tmp_path: Path
) -> None:
    base, database, people = live
    county = f"{base}/dash/2024/county/{ZHONGYUAN}"
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    errors = console_errors(page, only_errors=True)
    failed = failed_responses(page)
    log_in(page, base, "zhongyuan", PASSWORD)
    page.goto(county)
    page.wait_for_selector("body[data-dash-ready]")
    before = page.inner_text("h1 .verdict")
    with database.sessions() as session:
        finish_weak_school(session, people)
    page.reload()
    page.wait_for_selector("body[data-dash-ready]")
    page.wait_for_selector("#dash-map[data-drawn]")
    after = page.inner_text("h1 .verdict")
    charts = page.locator(".dash-chart canvas").count()
    failing = page.locator("#table-schools td.fail").count()
    page.screenshot(path=str(tmp_path / "county.png"), full_page=True)
    page.locator("#dash-map").screenshot(path=str(tmp_path / "map.png"))
    assert before == "达标"
    assert after == "未达标"
    assert charts >= 2
    assert failing == 2  # L1 and L2 of the weak school
    assert failed == []
    assert [e for e in errors if "favicon" not in e and "404" not in e] == []
    assert (tmp_path / "map.png").stat().st_size > 5_000
