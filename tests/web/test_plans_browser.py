"""Plan pages in real headless Chromium: a saved scenario's charts are drawn
from the JSON twin with no console error, and a pairing plan is run with an
uploaded locations file, saved and downloaded as Excel, by a county user
in its county and by a city user across its counties. Schools, scenarios
and locations are synthetic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from browserfixtures import console_errors
from web.live import live_server
from web.plan_site import (
    CROSS_COUNTY_PAIRS,
    JINSHUI,
    SCHOOL_D,
    ZHONGYUAN,
    approve_pairing_county,
    approve_two_counties,
    locations_csv,
    save,
    three_locations_csv,
)
from web.site import SCHOOL_A, SCHOOL_B, Site
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


def _save_and_download(page: Any, name: str, folder: Path) -> Path:
    """Save the result on ``page`` as scenario ``name`` and download the
    scenario's Chinese workbook into ``folder``."""
    page.fill("#save-form input[name=name]", name)
    page.click("#plan-save")
    page.wait_for_selector("#plan-name")
    assert page.inner_text("#plan-name") == name
    with page.expect_download() as download:
        page.click("a[href$='.xlsx?lang=zh']")
    path = folder / "pairing.xlsx"
    download.value.save_as(path)
    return path


def _pairs_sheet(path: Path) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
    """Return the header and the rows of the pairs sheet (结对名单) of a workbook."""
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book["结对名单"].iter_rows(values_only=True))
    return rows[0], rows[1:]


def test_pairing_page_with_locations(browser: Any, site: Site, tmp_path: Path) -> None:
    approve_pairing_county(site)
    locations = tmp_path / "学校位置.csv"
    locations.write_text(locations_csv(12.5), encoding="utf-8")
    with live_server(site.app) as base:
        page: Any = browser.new_page(accept_downloads=True)
        errors = console_errors(page)
        log_in(page, base, "zhongyuan")
        page.goto(f"{base}/plans/new?kind=pairing")
        # The county and the latest approved year are filled in already.
        assert page.input_value("input[name=division]") == "410102"
        assert page.input_value("input[name=year]") == "2024"
        page.set_input_files("input[name=locations]", str(locations))
        page.click("#plan-run")
        page.wait_for_selector("#table-pairs")
        pair = page.locator("#table-pairs tbody tr")
        assert pair.count() == 1
        cells = pair.first.locator("td").all_inner_texts()
        assert SCHOOL_A in cells
        assert SCHOOL_D in cells
        assert "12.5" in cells
        community = page.locator("#table-communities tbody tr").first
        assert SCHOOL_D in community.inner_text()

        workbook_path = _save_and_download(page, "就近结对", tmp_path)
        assert errors == []
    header, [row] = _pairs_sheet(workbook_path)
    assert row[header.index("距离（千米）")] == pytest.approx(12.5, abs=1e-6)
    assert row[header.index("强校标识码")] == SCHOOL_A
    assert row[header.index("薄弱学校标识码")] == SCHOOL_D


def test_browser_pairs_a_city_across_counties(
    browser: Any, site: Site, tmp_path: Path
) -> None:
    approve_two_counties(site)
    locations = tmp_path / "学校位置.csv"
    locations.write_text(three_locations_csv(), encoding="utf-8")
    with live_server(site.app) as base:
        page: Any = browser.new_page(accept_downloads=True)
        errors = console_errors(page)
        log_in(page, base, "zhengzhou")
        page.goto(f"{base}/plans/new?kind=pairing")
        assert page.input_value("input[name=division]") == "4101"
        assert page.is_visible("#cross-county-hint")
        assert page.is_hidden("#plan-running")
        page.check("#cross-county")
        page.set_input_files("input[name=locations]", str(locations))
        # A listener added after the page's own keeps, across the page load,
        # what the form shows while the plan runs: the run button disabled
        # and the note visible.
        page.evaluate(
            """() => document.getElementById("plan-form").addEventListener(
                "submit", () => sessionStorage.setItem("running",
                    document.getElementById("plan-run").disabled + " " +
                    !document.getElementById("plan-running").hidden))"""
        )
        page.click("#plan-run")
        page.wait_for_selector("#table-pairs")
        assert page.evaluate("sessionStorage.getItem('running')") == "true true"
        pairs = page.locator("#table-pairs tbody tr")
        assert pairs.count() == 2
        first = pairs.nth(0).locator("td").all_inner_texts()
        second = pairs.nth(1).locator("td").all_inner_texts()
        assert [
            first[1],
            first[3],
            first[4],
            first[6],
            first[9],
        ] == [SCHOOL_A, ZHONGYUAN, SCHOOL_B, JINSHUI, "5.0"]
        assert [second[4], second[6], second[9]] == [SCHOOL_D, ZHONGYUAN, "12.5"]

        workbook_path = _save_and_download(page, "郑州市跨县结对", tmp_path)
        assert errors == []
    header, body = _pairs_sheet(workbook_path)
    columns = (
        "强校标识码",
        "强校区划",
        "薄弱学校标识码",
        "薄弱学校区划",
        "距离（千米）",
    )
    found = [tuple(row[header.index(c)] for c in columns) for row in body]
    assert [(*r[:4], round(r[4], 6)) for r in found] == CROSS_COUNTY_PAIRS
