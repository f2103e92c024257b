"""Login, logout, sessions, CSRF, throttling and API tokens."""

from __future__ import annotations

import re

from sqlalchemy import select
from web.site import PASSWORD, Site, assert_error, csrf_token, login, post_form

from junheng.services.access import SYSTEM
from junheng.services.accounts import MAX_FAILURES
from junheng.store.models import ApiToken, utcnow
from junheng.web.app import SESSION_COOKIE
from junheng.web.principals import TOKEN_CACHE_SECONDS, PrincipalCache


def test_login_page_renders(site: Site) -> None:
    response = site.client().get("/login")
    assert response.status_code == 200
    assert 'name="csrf_token"' in response.text
    assert 'lang="zh-CN"' in response.text


def test_login_sets_session_and_home_shows_user(site: Site) -> None:
    client = site.client("zhongyuan")
    home = client.get("/")
    assert "zhongyuan" in home.text
    assert "410102" in home.text


def test_session_cookie_flags(site: Site) -> None:
    client = site.client()
    response = client.post(
        "/login",
        data={
            "username": "moe",
            "password": PASSWORD,
            "csrf_token": csrf_token(client, "/login"),
        },
        follow_redirects=False,
    )
    cookie = next(
        value
        for name, value in response.headers.multi_items()
        if name == "set-cookie" and value.startswith(SESSION_COOKIE)
    ).lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie


def test_secure_cookie_setting(site: Site) -> None:
    from web.site import make_app

    app = make_app(site.database, secure_cookies=True)
    from fastapi.testclient import TestClient

    client = TestClient(app, base_url="https://testserver")
    response = client.get("/login")
    cookie = response.headers["set-cookie"].lower()
    assert "; secure" in cookie


def test_wrong_password_shows_message(site: Site) -> None:
    client = site.client()
    response = post_form(
        client, "/login", {"username": "moe", "password": "wrong-password"}
    )
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text
    assert client.get("/account/tokens", follow_redirects=False).status_code == 303


def test_unknown_user_same_message(site: Site) -> None:
    response = post_form(
        site.client(), "/login", {"username": "nobody", "password": "whatever1"}
    )
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text


def test_login_throttled_after_failures(site: Site) -> None:
    client = site.client()
    for _ in range(MAX_FAILURES):
        response = post_form(
            client, "/login", {"username": "henan", "password": "wrong-password"}
        )
        assert response.status_code == 401
    # The right password is refused while the account is locked.
    response = post_form(client, "/login", {"username": "henan", "password": PASSWORD})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.text


def test_login_with_nul_in_name_fails(site: Site) -> None:
    # PostgreSQL rejects NUL in a query parameter and SQLite finds no such
    # name, so both must respond as for an unknown name.
    client = site.client()
    response = post_form(
        client, "/login", {"username": "hen\x00an", "password": PASSWORD}
    )
    assert response.status_code == 401, response.text
    assert "NUL" not in response.text


def test_logout_ends_session(site: Site) -> None:
    client = site.client("moe")
    response = post_form(client, "/logout", {})
    assert response.status_code == 200
    assert "已退出登录" in response.text
    assert client.get("/reviews", follow_redirects=False).status_code == 303


def test_login_next_is_followed(site: Site) -> None:
    client = site.client()
    response = post_form(
        client,
        "/login",
        {"username": "moe", "password": PASSWORD, "next": "/reviews"},
    )
    assert response.headers["location"] == "/reviews"


def test_login_next_rejects_other_sites(site: Site) -> None:
    client = site.client()
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = post_form(
            client,
            "/login",
            {"username": "moe", "password": PASSWORD, "next": target},
        )
        assert response.headers["location"] == "/", target


def test_login_without_csrf_token_rejected(site: Site) -> None:
    client = site.client()
    client.get("/login")
    response = client.post("/login", data={"username": "moe", "password": PASSWORD})
    assert response.status_code == 403
    assert "表单已过期" in response.text


def test_form_with_forged_csrf_token_rejected(site: Site) -> None:
    client = site.client("moe")
    response = client.post(
        "/account/tokens", data={"name": "x", "csrf_token": "forged.token.value"}
    )
    assert response.status_code == 403


def test_csrf_token_of_other_session_rejected(site: Site) -> None:
    other = site.client("zhongyuan")
    stolen = csrf_token(other)
    client = site.client("moe")
    response = client.post("/account/tokens", data={"name": "x", "csrf_token": stolen})
    assert response.status_code == 403


def test_cookie_api_write_needs_csrf_header(site: Site) -> None:
    client = site.client("moe")
    body = {"base_version": 1}
    response = client.post("/api/v1/records/1/submit", json=body)
    assert_error(response, 403, "csrf_failed")
    response = client.post(
        "/api/v1/records/1/submit",
        json=body,
        headers={"X-CSRF-Token": csrf_token(client)},
    )
    assert_error(response, 404, "not_found")


def test_tokens_page_creates_and_revokes(site: Site) -> None:
    client = site.client("zhongyuan")
    created = post_form(client, "/account/tokens", {"name": "nightly <sync>"})
    assert created.status_code == 303
    response = client.get("/account/tokens")
    assert response.headers["cache-control"] == "no-store"
    token = re.search(r'id="new-token">([^<]+)<', response.text)
    assert token
    assert "nightly &lt;sync&gt;" in response.text
    headers = {"Authorization": f"Bearer {token.group(1)}"}
    api = site.client()
    assert api.get("/api/v1/schools", headers=headers).status_code == 200

    token_id = re.search(r"/account/tokens/(\d+)/revoke", response.text)
    assert token_id
    revoked = post_form(client, f"/account/tokens/{token_id.group(1)}/revoke", {})
    assert revoked.status_code == 303
    assert_error(api.get("/api/v1/schools", headers=headers), 401)
    page = client.get("/account/tokens")
    assert "已吊销" in page.text
    assert token.group(1) not in page.text


def test_revoke_other_users_token_not_found(site: Site) -> None:
    site.token("moe")
    client = site.client("zhongyuan")
    response = post_form(client, "/account/tokens/1/revoke", {})
    assert response.status_code == 404


def test_tokens_page_needs_login(site: Site) -> None:
    response = site.client().get("/account/tokens", follow_redirects=False)
    assert response.status_code == 303


def test_bearer_api_write_needs_no_csrf(site: Site) -> None:
    response = site.client().post(
        "/api/v1/records/999/submit",
        json={"base_version": 1},
        headers=site.token("moe"),
    )
    assert_error(response, 404, "not_found")


def test_login_helper_logs_in(site: Site) -> None:
    client = site.client()
    login(client, "citizen")
    assert "citizen" in client.get("/").text


def test_revoked_token_rejected_after_cache(site: Site) -> None:
    # Time of the principal cache, moved forward by hand.
    now = [1000.0]
    site.app.state.token_principals = PrincipalCache(clock=lambda: now[0])
    headers = site.token("zhongyuan")
    api = site.client()
    assert api.get("/api/v1/schools", headers=headers).status_code == 200
    # Revoked in the store, as another worker process would do it.
    with site.database.sessions() as session:
        for record in session.scalars(select(ApiToken)):
            record.revoked_at = utcnow()
        session.commit()
    now[0] += TOKEN_CACHE_SECONDS / 2
    assert api.get("/api/v1/schools", headers=headers).status_code == 200
    now[0] += TOKEN_CACHE_SECONDS
    assert_error(api.get("/api/v1/schools", headers=headers), 401)


def test_principal_cache_keeps_no_token_text() -> None:
    cache = PrincipalCache()
    cache.put("jh_secret", SYSTEM)
    assert cache.get("jh_secret") == SYSTEM
    assert cache.get("jh_other") is None
    assert "jh_secret" not in repr(cache._entries)
