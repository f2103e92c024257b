"""Escaping of user text, security headers and the upload size limit."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from web.site import SCHOOL_A, YEAR, Site, make_app, post_form, school_row

from junheng.web.middleware import SECURITY_HEADERS

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
SQL = "' OR 1=1 --"
ESCAPED_SQL = "&#39; OR 1=1 --"


def test_security_headers_on_pages_api_and_static(site: Site) -> None:
    client = site.client()
    for path in ("/login", "/api/v1/openapi.json", "/static/style.css", "/nowhere"):
        response = client.get(path)
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value, (path, name)
    policy = SECURITY_HEADERS["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_pages_have_no_inline_script(site: Site) -> None:
    record = site.save()
    client = site.client("school_a")
    for path in ("/", f"/reporting/{SCHOOL_A}/{YEAR}", f"/records/{record.id}"):
        text = client.get(path).text
        assert "<script" not in text, path
        assert " style=" not in text, path
        assert "http://" not in text and "https://" not in text, path


@pytest.mark.parametrize("username", [SCRIPT, SQL])
def test_login_username_escaped(site: Site, username: str) -> None:
    response = post_form(
        site.client(), "/login", {"username": username, "password": "whatever1"}
    )
    assert response.status_code == 401
    assert username not in response.text
    assert (ESCAPED_SCRIPT if username == SCRIPT else ESCAPED_SQL) in response.text


def test_school_name_escaped_everywhere(site: Site) -> None:
    # A school's name changes only when its data are finally approved.
    site.advance(
        site.save(school_name=f"{SCRIPT}{SQL}"), "zhongyuan", "zhengzhou", "henan"
    )
    client = site.client("zhongyuan")
    for path in (
        "/reporting",
        f"/reporting/{SCHOOL_A}",
        f"/reporting/{SCHOOL_A}/{YEAR}",
    ):
        text = client.get(path).text
        assert SCRIPT not in text, path
        assert ESCAPED_SCRIPT in text, path
    api = client.get("/api/v1/schools", headers=site.token("zhongyuan")).json()
    assert api[0]["name"] == f"{SCRIPT}{SQL}"


def test_review_comment_escaped(site: Site) -> None:
    record = site.advance(site.save())
    county = site.client("zhongyuan")
    response = post_form(
        county,
        f"/records/{record.id}/review",
        {"decision": "return", "comment": f"{SCRIPT} {SQL}", "base_version": "1"},
    )
    assert response.status_code == 303
    school = site.client("school_a")
    for path in (f"/records/{record.id}", f"/reporting/{SCHOOL_A}/{YEAR}"):
        text = school.get(path).text
        assert SCRIPT not in text, path
        assert ESCAPED_SCRIPT in text, path
        assert ESCAPED_SQL in text, path


def test_uploaded_value_escaped_in_issues(site: Site) -> None:
    row = school_row(primary_students="<img src=x onerror=alert(1)>")
    text = ",".join(row) + "\n" + ",".join(str(v) for v in row.values()) + "\n"
    response = post_form(
        site.client("school_a"),
        "/reporting/upload",
        {},
        files={"file": ("schools.csv", text.encode(), "text/csv")},
    )
    assert response.status_code == 422
    assert "<img" not in response.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in response.text


def test_form_value_escaped_after_error(site: Site) -> None:
    client = site.client("school_a")
    response = post_form(
        client,
        f"/reporting/{SCHOOL_A}/{YEAR}",
        {"school_name": '"><script>alert(1)</script>', "primary_students": "x"},
    )
    assert response.status_code == 422
    assert "<script>alert" not in response.text
    assert "&#34;&gt;&lt;script&gt;" in response.text


def test_upload_over_limit_rejected(site: Site) -> None:
    client = TestClient(make_app(site.database, max_upload_bytes=2048))
    from web.site import login

    login(client, "school_a")
    from web.site import csrf_token

    token = csrf_token(client)
    response = client.post(
        "/reporting/upload",
        data={"csrf_token": token},
        files={"file": ("big.csv", b"x" * 5000, "text/csv")},
    )
    assert response.status_code == 413
    # The body contains the 5,000 bytes of the file and the form around them,
    # over the limit of 2,048 bytes (2.0 KB).
    assert re.search(r"上传内容过大（[5-9]\.\d KB），上限为 2\.0 KB。", response.text)
    assert "请把数据分成几个文件分别上传" in response.text
    api = client.post(
        "/api/v1/imports",
        files={"file": ("big.csv", b"x" * 5000, "text/csv")},
        headers=site.token("school_a"),
    )
    assert api.status_code == 413
    assert api.json()["error"]["code"] == "payload_too_large"


def test_streamed_body_over_limit_rejected(site: Site) -> None:
    client = TestClient(make_app(site.database, max_upload_bytes=2048))

    def chunks() -> object:
        for _ in range(5):
            yield b"y" * 1000

    response = client.post(
        "/api/v1/imports",
        content=chunks(),  # type: ignore[arg-type]
        headers={
            **site.token("moe"),
            "content-type": "multipart/form-data; boundary=zzz",
        },
    )
    assert response.status_code == 413
