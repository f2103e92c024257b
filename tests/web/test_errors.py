"""The one error path: the JSON shape under /api/ and an HTML page elsewhere."""

from __future__ import annotations

from fastapi.testclient import TestClient
from web.site import SCHOOL_B, Site, assert_error, csrf_token


def test_unknown_api_route_is_json_404(site: Site) -> None:
    response = site.client().get("/api/v1/no-such-thing")
    assert_error(response, 404, "not_found")
    assert response.headers["content-type"].startswith("application/json")


def test_error_shape_pinned(site: Site) -> None:
    response = site.client().get("/api/v1/no-such-thing?lang=en")
    assert response.json() == {
        "error": {
            "status": 404,
            "code": "not_found",
            "message": "The page or record was not found.",
            "detail": None,
        }
    }


def test_wrong_method_is_json_405(site: Site) -> None:
    response = site.client().delete("/api/v1/divisions", headers=site.token("moe"))
    assert_error(response, 405, "method_not_allowed")


def test_invalid_parameter_is_json_422(site: Site) -> None:
    response = site.client().get(
        "/api/v1/completeness?year=abc", headers=site.token("moe")
    )
    assert_error(response, 422, "invalid_request")
    detail = response.json()["error"]["detail"]
    assert detail[0]["loc"] == ["query", "year"]


def test_missing_credentials_is_json_401(site: Site) -> None:
    assert_error(site.client().get("/api/v1/schools"), 401, "not_authenticated")


def test_bad_bearer_token_is_json_401(site: Site) -> None:
    response = site.client().get(
        "/api/v1/schools", headers={"Authorization": "Bearer jh_not-a-token"}
    )
    assert_error(response, 401, "token_invalid")
    assert (
        "invalid or revoked"
        in site.client()
        .get(
            "/api/v1/schools?lang=en",
            headers={"Authorization": "Bearer jh_not-a-token"},
        )
        .json()["error"]["message"]
    )


def test_permission_denied_is_json_403(site: Site) -> None:
    site.save(SCHOOL_B)
    response = site.client().get(
        f"/api/v1/schools/{SCHOOL_B}", headers=site.token("zhongyuan")
    )
    assert_error(response, 403, "permission_denied")


def test_message_follows_language(site: Site) -> None:
    client = site.client()
    zh = client.get("/api/v1/nothing").json()["error"]["message"]
    en = client.get("/api/v1/nothing?lang=en").json()["error"]["message"]
    assert zh == "找不到该页面或数据。"
    assert en == "The page or record was not found."


def test_unknown_page_is_html_404(site: Site) -> None:
    response = site.client().get("/no-such-page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "找不到该页面或数据。" in response.text


def test_page_needing_login_redirects(site: Site) -> None:
    response = site.client().get("/reviews", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/reviews"


def test_unexpected_error_is_json_500(site: Site) -> None:
    def boom() -> None:
        raise RuntimeError("database exploded")

    site.app.add_api_route("/api/v1/boom", boom)
    client = TestClient(site.app, raise_server_exceptions=False)
    response = client.get("/api/v1/boom")
    assert_error(response, 500, "internal")
    assert "exploded" not in response.text


def test_twin_needing_login_is_json_401(site: Site) -> None:
    response = site.client().get("/plans/1.json", follow_redirects=False)
    assert_error(response, 401, "not_authenticated")


def test_post_without_login_is_html_401(site: Site) -> None:
    client = site.client()
    response = client.post(
        "/records/1/submit",
        data={"base_version": "1", "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 401
    assert "请先登录" in response.text
