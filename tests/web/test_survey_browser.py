"""Answering a survey on a phone-sized screen in real headless Chromium."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from browserfixtures import BROWSER_TEST, console_errors
from PIL import Image
from sqlalchemy import func, select
from web.live import live_server
from web.site import Site

from junheng.services import surveys
from junheng.store.models import SurveyAnswer

PHONE = {"width": 390, "height": 844}
MIN_TOUCH_TARGET = 44
"""Smallest height of an answer choice in CSS pixels (a common touch guideline)."""

pytestmark = BROWSER_TEST


def parent_token(site: Site) -> str:
    with site.database.sessions() as session:
        county = site.principals["zhongyuan"]
        survey = surveys.open_round(
            session, county, "410102", 2025, 4000, {"urban": 2, "town": 1, "rural": 1}
        )
        links = surveys.issue_links(session, county, survey.id)
        session.commit()
    return next(link.token for link in links if link.group == "parents")


def text_image(page: Any, text: str) -> Image.Image:
    """Return a screenshot of ``text`` drawn in the page's legend font."""
    page.evaluate(
        """text => {
            const span = document.createElement('span');
            span.id = 'probe';
            span.textContent = text;
            span.style.fontSize = '32px';
            span.style.background = '#fff';
            span.style.color = '#000';
            document.querySelector('legend').after(span);
        }""",
        text,
    )
    shot = page.locator("#probe").screenshot()
    page.evaluate("() => document.getElementById('probe').remove()")
    return Image.open(io.BytesIO(shot)).convert("L")


def dark_pixels(image: Image.Image) -> int:
    return sum(image.histogram()[:128])


def test_answer_on_phone(browser: Any, site: Site, tmp_path: Path) -> None:
    token = parent_token(site)
    with live_server(site.app) as base:
        page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
        errors = console_errors(page)
        page.goto(f"{base}/s/{token}")
        assert page.inner_text("h1") == "社会公众问卷"
        width = page.evaluate("document.documentElement.scrollWidth")
        choice = page.locator("label.choice").first.bounding_box()
        submit = page.locator("button.answer-submit").bounding_box()
        page.screenshot(path=str(tmp_path / "answer.png"), full_page=True)

        # Two different Chinese strings of equal length must draw different
        # pixels: with no CJK font both would be the same row of boxes.
        first = text_image(page, "满意度调查")
        second = text_image(page, "学校教师好")
        assert first.size == second.size
        assert first.tobytes() != second.tobytes()
        assert dark_pixels(first) > 200

        for item in ("P1", "P2", "P3", "P4", "P5", "P6", "P7"):
            page.locator(f"input[name={item}][value=satisfied]").check()
        page.click("button.answer-submit")
        page.wait_for_url(f"{base}/s/thanks")
        thanks = page.inner_text("#answer-message")
        # The used-link page below answers 409, which the console reports.
        errors_before_reuse = list(errors)
        page.goto(f"{base}/s/{token}")
        used = page.inner_text("#answer-message")
    assert width <= PHONE["width"]
    assert choice is not None
    assert choice["height"] >= MIN_TOUCH_TARGET
    assert submit is not None
    assert submit["height"] >= MIN_TOUCH_TARGET
    assert thanks == "提交成功"
    assert used == "链接已使用"
    assert errors_before_reuse == []
    with site.database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(SurveyAnswer)) == 1
