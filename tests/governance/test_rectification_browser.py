"""The task page in real headless Chromium against a live server, on SQLite
and PostgreSQL."""

from __future__ import annotations

from typing import Any

from browserfixtures import BROWSER_TEST, PHONE, console_errors, log_in
from governance.rectdata import COUNTY
from governance.rectsite import RectSite, rect_site
from sqlalchemy import select
from web.live import live_server

from junheng.store.models import RectificationTask

__all__ = ["rect_site"]

pytestmark = BROWSER_TEST


def test_open_tasks_and_add_note(browser: Any, rect_site: RectSite) -> None:
    from dash.dashdata import PASSWORD

    with live_server(rect_site.app) as base:
        page = browser.new_page(viewport=PHONE)
        errors = console_errors(page)
        log_in(page, base, "zhongyuan", PASSWORD)

        page.goto(f"{base}/dash/2024/county/{COUNTY}")
        page.click("#open-tasks button[type=submit]")
        page.wait_for_selector("#opened")
        assert page.locator("#tasks tbody tr").count() == 6

        with rect_site.database.sessions() as session:
            task_id = session.scalar(
                select(RectificationTask.id).where(RectificationTask.kind == "veto")
            )
        page.click(f"#tasks a[href='/rectification/{task_id}'] >> nth=0")
        page.wait_for_selector("#task-facts")
        status = page.locator("#task-status").get_attribute("data-status")
        assert status == "closed_by_data"  # V1 is 否 in 2025
        page.fill("#note-form textarea[name=text]", "已停止以考试方式招生")
        page.click("#note-form button[type=submit]")
        page.wait_for_selector("#notes")
        assert "已停止以考试方式招生" in page.locator("#notes").inner_text()

        page.goto(f"{base}/accountability")
        page.wait_for_selector("body[data-dash-ready=true]")
        canvas = page.locator("#chart-rectification canvas")
        assert canvas.count() == 1
        assert errors == []
