"""A user chooses the digest language on the account page in real Chromium."""

from __future__ import annotations

from typing import Any

import browserfixtures
from browserfixtures import BROWSER_TEST, PHONE, console_errors
from sqlalchemy import select
from web.live import live_server
from web.site import PASSWORD, Site

from junheng.store.models import User

pytestmark = BROWSER_TEST


def test_choose_digest_language(browser: Any, site: Site) -> None:
    with live_server(site.app) as base:
        page = browser.new_page(viewport=PHONE)
        errors = console_errors(page, only_errors=True)
        browserfixtures.log_in(page, base, "zhongyuan", PASSWORD)
        page.goto(f"{base}/account/password")
        assert page.input_value("#digest-language") == ""
        page.select_option("#digest-language", "en")
        page.click("#change-language")
        assert page.inner_text("#language-saved") == "语言已保存。"
        assert page.input_value("#digest-language") == "en"
        # The web pages stay in Chinese: the digest language is its own setting.
        assert page.inner_text("#digest-language-title") == "预警摘要语言"
        page.select_option("#digest-language", "")
        page.click("#change-language")
        assert page.input_value("#digest-language") == ""
        assert errors == []
    with site.database.sessions() as session:
        user = session.scalars(select(User).where(User.username == "zhongyuan")).one()
        assert user.language is None
