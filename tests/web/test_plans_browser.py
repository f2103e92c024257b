"""Plan pages in real headless Chromium: a saved scenario's charts are drawn
from the JSON twin with no console error, and a pairing plan is run with an
uploaded locations file, saved and downloaded as Excel. Schools, scenarios
and locations are synthetic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from browserfixtures import console_errors
from web.live import live_server
from web.plan_site import SCHOOL_D, approve_pairing_county, locations_csv, save
from web.site import SCHOOL_A, Site
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

        page.fill("#save-form input[name=name]", "就近结对")
        page.click("#plan-save")
        page.wait_for_selector("#plan-name")
        assert page.inner_text("#plan-name") == "就近结对"
        with page.expect_download() as download:
            page.click("a[href$='.xlsx?lang=zh']")
        workbook_path = tmp_path / "pairing.xlsx"
        download.value.save_as(workbook_path)
        assert errors == []
    book = openpyxl.load_workbook(workbook_path, read_only=True)
    rows = list(book["结对名单"].iter_rows(values_only=True))
    header, [row] = rows[0], rows[1:]
    assert row[header.index("距离（千米）")] == pytest.approx(12.5, abs=1e-6)
    assert row[header.index("强校标识码")] == SCHOOL_A
    assert row[header.index("薄弱学校标识码")] == SCHOOL_D
