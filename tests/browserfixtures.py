"""Headless Chromium for the browser tests, shared by every test folder.

The browser tests drive Debian's Chromium (``/usr/bin/chromium``) through
Playwright against a live server on 127.0.0.1 (see ``web.live``). A test
module sets ``pytestmark = BROWSER_TEST`` (plus any marks of its own) and
requests the ``browser`` fixture. The top-level ``tests/conftest.py`` registers
this module as a plugin.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 375, "height": 740}
"""A phone's viewport in CSS pixels."""

BROWSER_TEST = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium "
        "(apt-get install chromium fonts-noto-cjk)",
    ),
]
"""The marks of a browser test module."""


@pytest.fixture
def browser() -> Iterator[Any]:
    """Yield a headless Chromium (a Playwright ``Browser``), closed afterwards.

    Skips the test when Playwright is not installed.
    """
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


def log_in(page: Any, base: str, username: str, password: str) -> None:
    """Log in through the login form of the server at ``base``, landing on /."""
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/")


def console_errors(page: Any, *, only_errors: bool = False) -> list[str]:
    """Return a list that collects the page's console messages and uncaught errors.

    With ``only_errors``, console messages below the level ``error`` (such as
    a library's log line) are left out.
    """
    seen: list[str] = []

    def on_console(message: Any) -> None:
        if not only_errors or message.type == "error":
            seen.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: seen.append(str(error)))
    return seen


def failed_responses(page: Any) -> list[str]:
    """Return a list that collects the URLs of responses with status 400 or more.

    The browser requests /favicon.ico on its own, and the site has none, so
    that URL is left out.
    """
    failed: list[str] = []

    def on_response(response: Any) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            failed.append(response.url)

    page.on("response", on_response)
    return failed
