"""Web account security: school moves, login throttling, ending sessions, user
administration, HEAD requests and the token page."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from web.site import (
    PASSWORD,
    SCHOOL_A,
    YEAR,
    Site,
    assert_error,
    csrf_token,
    make_app,
    post_form,
    school_row,
)

from junheng.services.accounts import MAX_FAILURES
from junheng.web.throttle import LoginThrottle


def _data(**changes: Any) -> dict[str, Any]:
    row = school_row(**changes)
    for key in ("year", "school_code"):
        row.pop(key)
    return row


def _login_status(client: TestClient, username: str, password: str) -> int:
    response = post_form(client, "/login", {"username": username, "password": password})
    return int(response.status_code)


def test_school_cannot_file_under_other_county(site: Site) -> None:
    record = site.save(SCHOOL_A)
    headers = site.token("school_a")
    moved = _data(division_code="410105", division_name="金水区")
    response = site.client().put(
        f"/api/v1/schools/{SCHOOL_A}/records/{YEAR}",
        json={"data": moved, "base_version": record.version},
        headers=headers,
    )
    # The school may write its own county, so it gets the 422 that names that
    # county, as a city covering both counties does. Nothing is saved.
    for user in ("school_a", "zhengzhou"):
        token = headers if user == "school_a" else site.token(user)
        response = site.client().put(
            f"/api/v1/schools/{SCHOOL_A}/records/{YEAR}",
            json={"data": moved, "base_version": record.version},
            headers=token,
        )
        assert_error(response, 422, "invalid_input")
        [issue] = response.json()["error"]["detail"]
        assert issue["rule"] == "store_mismatch", user
        assert issue["value"] == "410105"
        assert "属于行政区划 410102" in issue["message"]
    versions = site.client().get(
        f"/api/v1/schools/{SCHOOL_A}/records", params={"year": YEAR}, headers=headers
    )
    assert [v["version"] for v in versions.json()] == [record.version]


def test_record_page_shows_division(site: Site) -> None:
    record = site.save(SCHOOL_A)
    page = site.client("zhongyuan").get(f"/records/{record.id}")
    assert '<code id="record-division">410102</code>' in page.text


def test_unknown_and_real_names_alike(site: Site) -> None:
    statuses: dict[str, list[int]] = {}
    texts: dict[str, str] = {}
    for name in ("henan", "nobody-here"):
        client = site.client()
        statuses[name] = [
            _login_status(client, name, "wrong-password")
            for _ in range(MAX_FAILURES + 1)
        ]
        response = post_form(
            client, "/login", {"username": name, "password": "wrong-password"}
        )
        alert = re.search(r'role="alert">([^<]*)<', response.text)
        assert alert
        texts[name] = alert.group(1)
    assert statuses["henan"] == statuses["nobody-here"]
    assert statuses["henan"] == [401] * MAX_FAILURES + [429]
    assert texts["henan"] == texts["nobody-here"]


def test_failures_limited_per_address(site: Site) -> None:
    site.app.state.login_throttle = LoginThrottle(failures=3, minutes=15)
    client = site.client()
    for name in ("a1", "a2", "a3"):
        assert _login_status(client, name, "wrong-password") == 401
    # The address is over its limit: even a right password waits.
    assert _login_status(client, "moe", PASSWORD) == 429


def test_logout_ends_copied_cookie(site: Site) -> None:
    client = site.client("zhengzhou")
    copy = TestClient(site.app)
    copy.cookies.update(client.cookies)
    assert copy.get("/api/v1/reviews/pending").status_code == 200
    response = post_form(client, "/logout", {})
    assert response.status_code == 200
    assert_error(copy.get("/api/v1/reviews/pending"), 401)


def test_logout_get_shows_confirmation(site: Site) -> None:
    client = site.client("moe")
    page = client.get("/logout")
    assert page.status_code == 200
    assert 'action="/logout"' in page.text
    assert site.client().get("/logout", follow_redirects=False).status_code == 303


def test_password_change_ends_other_sessions(site: Site) -> None:
    client = site.client("zhongyuan")
    other = site.client("zhongyuan")
    fields = {"current": PASSWORD, "new": "a new long secret", "repeat": "x"}
    response = post_form(client, "/account/password", fields)
    assert response.status_code == 422
    fields["repeat"] = fields["new"]
    response = post_form(client, "/account/password", fields)
    assert response.status_code == 303
    assert "密码已修改" in client.get("/account/password").text
    assert other.get("/account/tokens", follow_redirects=False).status_code == 303
    assert _login_status(site.client(), "zhongyuan", "a new long secret") == 303


def test_admin_disables_user_in_scope(site: Site) -> None:
    target = site.principals["zhongyuan"].user_id
    victim = site.client("zhongyuan")
    page = site.client("zhengzhou").get("/account/users")
    assert "zhongyuan" in page.text
    assert "jiyuan" not in page.text  # 济源市 is outside 郑州市
    response = site.client().post(
        f"/api/v1/users/{target}/disable", headers=site.token("jinshui")
    )
    assert_error(response, 403)
    admin = site.client("zhengzhou")
    response = post_form(admin, f"/account/users/{target}/disable", {})
    assert response.status_code == 303
    assert victim.get("/account/tokens", follow_redirects=False).status_code == 303
    assert _login_status(site.client(), "zhongyuan", PASSWORD) == 401
    response = site.client().post(
        f"/api/v1/users/{target}/enable", headers=site.token("henan")
    )
    assert response.status_code == 200
    assert response.json()["active"] is True


def test_head_answers_like_get(site: Site) -> None:
    client = site.client()
    headers = site.token("moe")
    get = client.get("/api/v1/schools", headers=headers)
    head = client.head("/api/v1/schools", headers=headers)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]
    assert client.head("/login").status_code == 200


def test_token_created_once_with_redirect(site: Site) -> None:
    client = site.client("moe")
    response = post_form(client, "/account/tokens", {"name": "sync"})
    assert response.status_code == 303
    assert response.headers["location"] == "/account/tokens"
    first = client.get("/account/tokens")
    assert first.headers["cache-control"] == "no-store"
    assert 'id="new-token"' in first.text
    assert 'id="new-token"' not in client.get("/account/tokens").text


def test_csrf_still_required_for_logout(site: Site) -> None:
    client = site.client("moe")
    response = client.post("/logout", data={}, follow_redirects=False)
    assert response.status_code == 403
    assert csrf_token(client, "/logout")


def test_fresh_app_has_own_throttle(site: Site) -> None:
    app = make_app(site.database)
    assert isinstance(app.state.login_throttle, LoginThrottle)
