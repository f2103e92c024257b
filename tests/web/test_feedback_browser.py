"""Public feedback in real headless Chromium on a phone-sized screen: send an
item without an account, follow it on the tracking page, and check that a
script typed into the text is shown as text and never run."""

from __future__ import annotations

from typing import Any

from browserfixtures import BROWSER_TEST, PHONE, console_errors
from web.live import live_server
from web.site import SCHOOL_A, Site
from web.test_browser import log_in

pytestmark = BROWSER_TEST

PAYLOAD = "<script>window.feedbackInjected = true; document.title = 'pwned'</script>"
TEXT = f"学校门口没有护学岗。{PAYLOAD}"


def fits_phone(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"])


def test_send_and_track_on_phone(browser: Any, site: Site) -> None:
    with live_server(site.app) as base:
        page = browser.new_page(viewport=PHONE)
        errors = console_errors(page)

        page.goto(f"{base}/feedback")
        page.select_option("select[name=province]", "41")
        page.click("#place-form button[type=submit]")
        page.select_option("select[name=division]", "410102")
        page.click("#place-form button[type=submit]")
        assert "410102" in page.inner_text("#feedback-place")
        assert fits_phone(page)

        page.select_option("select[name=category]", "safety")
        page.select_option("select[name=school_code]", SCHOOL_A)
        page.fill("textarea[name=text]", TEXT)
        page.fill("input[name=contact]", "13800138000")
        # The honeypot is hidden from people.
        assert not page.is_visible("input[name=website]")
        page.click("#feedback-form button[type=submit]")

        page.wait_for_selector("#tracking-code")
        code = page.inner_text("#tracking-code")
        assert len(code) == 14  # 12 symbols in groups of four
        assert page.inner_text("#feedback-status") == "已受理"
        # The script is shown as text and has not run.
        assert page.inner_text("#feedback-text") == TEXT
        assert page.evaluate("window.feedbackInjected === undefined")
        assert page.title() != "pwned"
        assert "13800138000" not in page.content()
        assert fits_phone(page)

        # The county answers; the sender follows the number and rates.
        log_in(page, base, "zhongyuan")
        page.goto(f"{base}/feedback/inbox?mine=1")
        page.click("#feedback-inbox a")
        assert page.evaluate("window.feedbackInjected === undefined")
        assert "13800138000" in page.inner_text("#feedback-contact")
        page.fill("textarea[name=answer]", "已安排护学岗。")
        page.click("#answer-form button[type=submit]")
        page.wait_for_selector("#feedback-answer")
        page.context.clear_cookies()

        page.goto(f"{base}/feedback/track")
        page.fill("input[name=code]", code.lower())
        page.click("#track-form button[type=submit]")
        assert page.inner_text("#feedback-status") == "已答复"
        assert page.inner_text("#feedback-answer") == "已安排护学岗。"
        page.select_option("select[name=rating]", "4")
        page.click("#rate-form button[type=submit]")
        assert page.inner_text("#feedback-rating") == "评价：4 / 5"
        assert page.locator("#rate-form").count() == 0
        assert page.evaluate("window.feedbackInjected === undefined")
        assert fits_phone(page)
        assert errors == []


def test_stats_chart_draws(browser: Any, site: Site) -> None:
    with live_server(site.app) as base:
        page = browser.new_page(viewport=PHONE)
        errors = console_errors(page)
        log_in(page, base, "henan")
        page.goto(f"{base}/feedback/stats?division=41")
        page.wait_for_selector("body[data-dash-ready=true]")
        assert page.locator("#chart-feedback canvas").count() == 1
        assert errors == []
