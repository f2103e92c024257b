"""The county dashboard in a real headless Chromium, against a live server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from browserfixtures import BROWSER_TEST, console_errors, failed_responses, log_in
from dash.dashdata import (
    CHONGWEN,
    CHONGWEN_SCHOOL,
    PASSWORD,
    RETIRED_YEAR,
    ZHONGYUAN,
    People,
    finish_weak_school,
    seed,
    seed_before_retirement,
    seed_retired,
)
from sqlalchemy.orm import Session
from store.dbfixtures import Database
from web.live import live_server

from junheng.services import records
from junheng.services.access import SYSTEM
from junheng.store.divisions import load_divisions
from junheng.web.app import create_app
from junheng.web.settings import WebSettings

pytestmark = BROWSER_TEST


def _serve(
    database: Database, seed_store: Callable[[Session], People]
) -> Iterator[tuple[str, Database, People]]:
    with database.sessions() as session:
        people = seed_store(session)
    app = create_app(
        WebSettings(mode="dev", database_url=database.url), database.engine
    )
    with live_server(app) as base:
        yield base, database, people


@pytest.fixture
def live(database: Database) -> Iterator[tuple[str, Database, People]]:
    """Serve the app on a seeded database at 127.0.0.1 on a free port."""
    yield from _serve(database, seed)


@pytest.fixture
def live_retired(database: Database) -> Iterator[tuple[str, Database, People]]:
    """Serve the app on the seeded database with Beijing's data added."""
    yield from _serve(database, seed_retired)


@pytest.fixture
def live_before_retirement(
    database: Database,
) -> Iterator[tuple[str, Database, People]]:
    """Serve the app on the data of ``live_retired`` with 崇文区 still in force."""
    yield from _serve(database, seed_before_retirement)


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


TWIN_RETIRED = (
    "fetch(document.getElementById('dash-data').dataset.src)"
    ".then(response => response.json()).then(twin => twin.retired ?? null)"
)
"""In-page script that returns ``retired`` of the page's JSON twin."""


# A school page carries the notice of its county, 110103 for this school.
@pytest.mark.parametrize(
    "path",
    [f"county/{CHONGWEN}", f"school/{CHONGWEN_SCHOOL}"],
    ids=["county", "school"],
)
def test_retired_county_leads_to_successor(
    browser: Any, live_retired: tuple[str, Database, People], path: str
) -> None:
    base = live_retired[0]
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    errors = console_errors(page, only_errors=True)
    page.goto(f"{base}/dash/{RETIRED_YEAR}/{path}?lang=en")
    page.wait_for_selector("body[data-dash-ready]")
    notice = page.inner_text("#division-changes")
    retired = page.evaluate(TWIN_RETIRED)
    page.click("#successor-link")
    page.wait_for_selector("body[data-dash-ready]")
    assert notice.startswith("Division code 110103 is no longer in use since 2010")
    assert retired["code"] == CHONGWEN
    assert retired["successor_code"] == "110101"
    assert page.url == f"{base}/dash/2024/county/110101"
    assert page.inner_text("h1 .dash-name") == "东城区"
    assert page.locator("#division-changes").count() == 0
    assert [e for e in errors if "favicon" not in e and "404" not in e] == []


def test_notice_shows_after_division_load(
    browser: Any, live_before_retirement: tuple[str, Database, People]
) -> None:
    base, database, _ = live_before_retirement
    paths = (
        f"/dash/{RETIRED_YEAR}/county/{CHONGWEN}?lang=en",
        f"/dash/{RETIRED_YEAR}/school/{CHONGWEN_SCHOOL}?lang=en",
    )
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    errors = console_errors(page, only_errors=True)

    # These visits fill the caches of the pages while 110103 is in force.
    before = []
    for path in paths:
        page.goto(base + path)
        page.wait_for_selector("body[data-dash-ready]")
        before.append(
            (page.locator("#division-changes").count(), page.evaluate(TWIN_RETIRED))
        )

    with database.sessions() as session:
        generation = records.data_generation(session)
        load_divisions(session, SYSTEM, 2025, within=("11",))
        session.commit()
        regenerated = records.data_generation(session) != generation

    after = []
    for path in paths:
        page.goto(base + path)
        page.wait_for_selector("body[data-dash-ready]")
        retired = page.evaluate(TWIN_RETIRED)
        after.append((page.inner_text("#division-changes"), retired["successor_code"]))
    page.click("#successor-link")
    page.wait_for_selector("body[data-dash-ready]")

    assert before == [(0, None), (0, None)]
    assert not regenerated
    for notice, successor in after:
        assert notice.startswith("Division code 110103 is no longer in use since 2010")
        assert successor == "110101"
    assert page.url == f"{base}/dash/2024/county/110101"
    assert [e for e in errors if "favicon" not in e and "404" not in e] == []


@pytest.mark.parametrize(("lang", "heading"), [("zh", "评估报告"), ("en", "report")])
def test_report_page_renders(
    browser: Any,
    live: tuple[str, Database, People],
    tmp_path: Path,
    lang: str,
    heading: str,
) -> None:
    # The county's HTML report, built from the store of each backend. The app
    # sends it as a download, so the page opens the saved file.
    base, database, _ = live
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    log_in(page, base, "zhongyuan", PASSWORD)
    url = f"{base}/dash/2024/county/{ZHONGYUAN}/report.html?lang={lang}"
    response = page.request.get(url)
    assert response.status == 200, response.text()
    saved = tmp_path / f"report-{database.backend}-{lang}.html"
    saved.write_bytes(response.body())
    errors = console_errors(page, only_errors=True)
    failed = failed_responses(page)
    page.goto(saved.as_uri())
    body = page.inner_text("body")
    charts = page.locator("svg.chart")
    chart_box = charts.first.bounding_box()
    shot = tmp_path / f"report-{database.backend}-{lang}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert heading in body
    assert ZHONGYUAN in body
    assert "中原区" in body
    assert charts.count() >= 1
    assert chart_box is not None
    assert chart_box["width"] > 300
    assert shot.stat().st_size > 10_000
    assert failed == []
    assert errors == []
