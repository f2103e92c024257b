"""The approval chain in real headless Chromium against a live server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import browserfixtures
from browserfixtures import BROWSER_TEST, PHONE, console_errors
from web.live import live_server
from web.site import PASSWORD, SCHOOL_A, Site, school_row

pytestmark = BROWSER_TEST


def log_in(page: Any, base: str, username: str) -> None:
    """Log in as one of the test users of :mod:`web.site`."""
    browserfixtures.log_in(page, base, username, PASSWORD)


def log_out(page: Any) -> None:
    page.click("header form button")
    page.wait_for_selector("input[name=username]")


def test_upload_and_approve_up_the_chain(
    browser: Any, site: Site, tmp_path: Path
) -> None:
    row = school_row()
    upload = tmp_path / "学校数据.csv"
    upload.write_text(
        ",".join(row) + "\n" + ",".join(str(v) for v in row.values()) + "\n",
        encoding="utf-8",
    )
    with live_server(site.app) as base:
        page = browser.new_page(viewport=PHONE)
        errors = console_errors(page)

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
