"""A page built from its cached frame is the page ``render`` gives.

The dashboard pages put the cached main part and a fresh CSRF token into a
frame rendered once per caller and URL. Each case requests a page twice as
the app builds it, the second time from the frames. It requests it again
with the frames replaced by a plain ``render`` of the whole template and
compares the bytes and headers. The CSRF tokens contain the second they were
signed in, so the test compares the session secret they sign.
"""

from __future__ import annotations

import re
from typing import Any

import httpx2
import pytest
from dash.conftest import Site
from dash.dashdata import ERQI, ZHONGYUAN
from fastapi import Request
from fastapi.responses import Response
from itsdangerous import URLSafeTimedSerializer
from markupsafe import Markup

from junheng.services.access import Principal
from junheng.web import dashboards
from junheng.web.csrf import _SALT
from junheng.web.dash_support import CONTENT_MARK, TOKEN_MARK, PageFrame
from junheng.web.pages.render import render

TOKEN = re.compile(r'name="csrf_token" value="([^"]*)"')

CASES = [
    (f"/dash/2024/county/{ZHONGYUAN}", "zhongyuan", {}),
    (f"/dash/2024/county/{ZHONGYUAN}", "zhengzhou", {}),
    (f"/dash/2024/county/{ZHONGYUAN}", "henan", {"lang": "en"}),
    (f"/dash/2024/county/{ERQI}", "moe", {"x": '"><script>1</script>'}),
    (f"/dash/2024/county/{ERQI}", "citizen", {}),
    (f"/dash/2024/county/{ERQI}", None, {"lang": "en"}),
    ("/dash/2024/school/2141000001", "school1", {}),
    ("/dash/2024/city/4101", "zhengzhou", {}),
    ("/dash/2024/province/41", "henan", {"lang": "zh"}),
    ("/dash/2024/nation", None, {}),
]


def _plain_page(
    request: Request,
    principal: Principal | None,
    lang: str,
    title: str,
    content: bytes,
    actions: dict[str, Any] | None,
) -> Response:
    """Render the whole page with ``render``, as the pages did before frames."""
    context = {
        "page_title": title,
        "content_html": Markup(content.decode("utf-8")),
        "rectify": actions,
    }
    return render(request, "dash/view.html", context)


def _secret(site: Site, token: str) -> str:
    settings = site.client.app.state.settings  # type: ignore[attr-defined]
    secret: str = URLSafeTimedSerializer(settings.signing_key(), _SALT).loads(token)
    return secret


def _split(site: Site, response: httpx2.Response) -> tuple[str, list[str]]:
    """Return the page with its tokens blanked, and their session secrets."""
    assert response.status_code == 200, response.text
    tokens = TOKEN.findall(response.text)
    page = TOKEN.sub('name="csrf_token" value=""', response.text)
    return page, [_secret(site, token) for token in tokens]


def _headers(response: httpx2.Response) -> list[tuple[str, str]]:
    # The session cookie is signed with the time; its presence is compared.
    return [
        (name, value.split("=")[0] if name == "set-cookie" else value)
        for name, value in response.headers.multi_items()
    ]


def _get(
    site: Site, path: str, user: str | None, params: dict[str, str], *, fresh: bool
) -> httpx2.Response:
    if fresh:  # a browser without cookies: the page starts a session
        site.client.cookies.clear()
    return site.get(path, user, **params)


@pytest.mark.parametrize(("path", "user", "params"), CASES)
def test_framed_page_is_rendered_page(
    shared_site: Site,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    user: str | None,
    params: dict[str, str],
) -> None:
    app = shared_site.client.app
    app.state.page_frames = None  # type: ignore[attr-defined]
    built = _get(shared_site, path, user, params, fresh=True)
    reused = _get(shared_site, path, user, params, fresh=True)
    same_session = _get(shared_site, path, user, params, fresh=False)
    with monkeypatch.context() as patched:
        patched.setattr(dashboards, "_page", _plain_page)
        plain_kept = _get(shared_site, path, user, params, fresh=False)
        plain = _get(shared_site, path, user, params, fresh=True)
    # A new session each: same page and headers, each token signs its session.
    for response in (built, reused):
        assert _split(shared_site, response)[0] == _split(shared_site, plain)[0]
        assert _headers(response) == _headers(plain)
        tokens = len(_split(shared_site, response)[1])
        assert tokens == len(_split(shared_site, plain)[1])
    # The same session: the tokens sign the same secret.
    assert _split(shared_site, same_session) == _split(shared_site, plain_kept)
    assert _headers(same_session) == _headers(plain_kept)


def test_frame_is_per_caller(shared_site: Site) -> None:
    path = f"/dash/2024/county/{ZHONGYUAN}"
    county = shared_site.get(path, "zhongyuan").text
    city = shared_site.get(path, "zhengzhou").text
    anonymous = shared_site.get(f"/dash/2024/county/{ERQI}").text
    assert '<span class="who">zhongyuan</span>' in county
    assert '<span class="who">zhengzhou</span>' in city
    assert '<span class="who">' not in anonymous
    assert 'href="/login"' in anonymous


def test_frame_fills_every_hole() -> None:
    page = f"<a>{TOKEN_MARK}</a>{CONTENT_MARK}<b>{TOKEN_MARK}</b>".encode()
    frame = PageFrame(page)
    filled = frame.fill("<main>二七</main>".encode(), 'a"b')
    assert filled == "<a>a&#34;b</a><main>二七</main><b>a&#34;b</b>".encode()
