"""The approval chain in real headless Chromium against a live server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from reports.test_report_browser import CHROMIUM, CHROMIUM_ARGS
from web.live import live_server
from web.site import PASSWORD, SCHOOL_A, Site, school_row

PHONE = {"width": 375, "height": 740}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium "
        "(apt-get install chromium fonts-noto-cjk)",
    ),
    # One backend is enough for the browser; the routes are tested on both.
    pytest.mark.parametrize("database", ["sqlite"], indirect=True),
]


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/")


def log_out(page: Any) -> None:
    page.click("header form button")
    page.wait_for_selector("input[name=username]")


def test_upload_and_approve_up_the_chain(site: Site, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    row = school_row()
    upload = tmp_path / "学校数据.csv"
    upload.write_text(
        ",".join(row) + "\n" + ",".join(str(v) for v in row.values()) + "\n",
        encoding="utf-8",
    )
    with live_server(site.app) as base, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport=PHONE)
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text))

            log_in(page, base, "school_a")
            page.goto(f"{base}/reporting")
            assert page.url == f"{base}/reporting/{SCHOOL_A}"
            page.set_input_files("input[type=file]", str(upload))
            page.click("form[enctype] button[type=submit]")
            assert "已导入 1 条记录" in page.inner_text("main")
            # Nothing on the page is wider than a phone screen.
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"]
            page.click("main table a")
            page.click("#submit-record")
            assert page.inner_text("#record-status") == "已提交，待县级审核"
            record_url = page.url
            log_out(page)

            for reviewer, status in (
                ("zhongyuan", "县级已审核"),
                ("zhengzhou", "市级已审核"),
                ("henan", "已审定（锁定）"),
            ):
                log_in(page, base, reviewer)
                page.goto(f"{base}/reviews")
                page.click("#pending a")
                assert page.url == record_url
                page.fill("textarea[name=comment]", f"{reviewer} 审核通过")
                page.click("#approve")
                assert page.inner_text("#record-status") == status
                log_out(page)

            log_in(page, base, "school_a")
            page.goto(record_url)
            assert page.inner_text("#record-status") == "已审定（锁定）"
            assert "henan 审核通过" in page.inner_text("main")
            page.goto(f"{base}/reporting/{SCHOOL_A}/2024?lang=en")
            assert "cannot be changed" in page.inner_text("main")
            assert errors == []
        finally:
            browser.close()
