"""Public feedback pages and API: the form without an account, tracking,
handling, rate limits, size limit, CSRF, the honeypot and the privacy of the
contact in every response and export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from web.site import SCHOOL_A, Site, assert_error, csrf_token, make_app, post_form

from junheng.ingest.issues import REPORT_COLUMNS
from junheng.services import feedback as service
from junheng.store.models import FeedbackEvent, FeedbackItem

CONTACT = "feedback-sender@example.org"
SCRIPT = "<script>document.title='pwned'</script>"


def submit_api(client: TestClient, **changes: Any) -> Any:
    body = {
        "category": "admission",
        "division_code": "410102",
        "text": "招生划片不公开。",
        "contact": CONTACT,
    }
    body.update(changes)
    return client.post("/api/v1/feedback", json=body)


def stored_items(site: Site) -> list[FeedbackItem]:
    with site.database.sessions() as session:
        return list(session.scalars(select(FeedbackItem)))


def test_form_steps_and_submit(site: Site) -> None:
    client = site.client()
    assert "河南省" in client.get("/feedback").text
    counties = client.get("/feedback?province=41").text
    assert 'value="410102"' in counties
    form = client.get("/feedback?division=410102")
    assert form.status_code == 200
    assert f'value="{SCHOOL_A}"' in form.text
    assert 'name="website"' in form.text

    response = post_form(
        client,
        "/feedback",
        {
            "category": "class_size",
            "division_code": "410102",
            "school_code": SCHOOL_A,
            "text": f"班额 70 人。{SCRIPT}",
            "contact": CONTACT,
            "website": "",
        },
    )
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith("/feedback/track?code=")
    page = client.get(location)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "&lt;script&gt;document.title=" in page.text
    assert SCRIPT not in page.text
    assert CONTACT not in page.text
    [item] = stored_items(site)
    assert item.school_code == SCHOOL_A
    assert item.contact == CONTACT


def test_form_without_csrf_rejected(site: Site) -> None:
    client = site.client()
    response = client.post(
        "/feedback",
        data={"category": "fees", "division_code": "410102", "text": "x"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert stored_items(site) == []


def test_honeypot_rejected(site: Site) -> None:
    client = site.client()
    response = post_form(
        client,
        "/feedback",
        {
            "category": "fees",
            "division_code": "410102",
            "text": "spam",
            "website": "http://spam.example",
        },
    )
    assert response.status_code == 400
    assert stored_items(site) == []


def test_oversized_text_rejected(site: Site) -> None:
    client = site.client()
    too_long = "字" * (service.MAX_TEXT + 1)
    page = post_form(
        client,
        "/feedback",
        {"category": "fees", "division_code": "410102", "text": too_long},
    )
    assert page.status_code == 422
    assert f"内容超过 {service.MAX_TEXT} 字" in page.text
    response = submit_api(client, text=too_long)
    assert_error(response, 422, "invalid_input")
    [issue] = response.json()["error"]["detail"]
    assert issue["column"] == "text"
    assert issue["rule"] == "text_long"
    # 2000 + 1 = 2001 characters.
    assert issue["message"] == "内容有 2001 个字符，超过上限 2000 个"
    assert issue["fix"] == "请精简到 2000 个字符以内"
    english = client.post(
        "/api/v1/feedback?lang=en",
        json={"category": "fees", "division_code": "410102", "text": too_long},
    )
    [issue] = english.json()["error"]["detail"]
    assert issue["message"] == "the text has 2001 characters, more than 2000"
    assert issue["fix"] == "shorten it to 2000 characters"
    # The same keys as an import issue, without the Chinese wording.
    assert set(issue) == {key for key, _, _ in REPORT_COLUMNS}
    assert stored_items(site) == []


def test_submit_rate_limit(site: Site) -> None:
    app = make_app(site.database, feedback_rate_limit="2/hour")
    client = TestClient(app)
    assert submit_api(client).status_code == 201
    assert submit_api(client).status_code == 201
    response = submit_api(client)
    assert_error(response, 429, "rate_limited")
    assert len(stored_items(site)) == 2


def test_rejected_submissions_not_counted(site: Site) -> None:
    app = make_app(site.database, feedback_rate_limit="2/hour")
    client = TestClient(app)
    assert submit_api(client).status_code == 201
    for _ in range(3):
        assert_error(submit_api(client, text="长" * 2001), 422)
    # One stored of the two allowed: the three 422s left room for one more.
    assert submit_api(client).status_code == 201
    assert_error(submit_api(client), 429, "rate_limited")
    assert len(stored_items(site)) == 2


def test_attempt_limit_counts_rejected(site: Site) -> None:
    app = make_app(
        site.database, feedback_rate_limit="5/hour", feedback_attempt_limit="3/hour"
    )
    client = TestClient(app)
    for _ in range(3):
        assert_error(submit_api(client, category="nonsense"), 422)
    assert_error(submit_api(client), 429, "rate_limited")
    assert stored_items(site) == []


def test_rate_limit_lifted_by_none(site: Site) -> None:
    app = make_app(
        site.database, feedback_rate_limit="none", feedback_attempt_limit="none"
    )
    client = TestClient(app)
    for _ in range(40):
        assert submit_api(client).status_code == 201


def test_track_limit_stops_guessing(site: Site) -> None:
    app = make_app(site.database, feedback_track_limit="3/minute")
    client = TestClient(app)
    for _ in range(3):
        assert_error(client.get("/api/v1/feedback/track/0000-0000-0000"), 404)
    assert_error(client.get("/api/v1/feedback/track/0000-0000-0000"), 429)


def test_unknown_codes_only_not_found(site: Site) -> None:
    client = site.client()
    created = submit_api(client).json()
    real = client.get(f"/api/v1/feedback/track/{created['tracking_code']}")
    assert real.status_code == 200
    messages = set()
    for guess in ("ABCD-EFGH-JKMN", "0000-0000-0001", "nonsense", "Z" * 12):
        response = client.get(f"/api/v1/feedback/track/{guess}")
        assert_error(response, 404, "not_found")
        messages.add(response.json()["error"]["message"])
    assert len(messages) == 1
    page = client.get("/feedback/track?code=ABCD-EFGH-JKMN")
    assert page.status_code == 404
    assert "没有该查询码对应的意见" in page.text


def test_contact_hidden_from_other_roles(site: Site) -> None:
    anonymous = site.client()
    created = submit_api(anonymous).json()
    assert created["responsible_code"] == "410102"
    tracked = anonymous.get(f"/api/v1/feedback/track/{created['tracking_code']}")
    assert "contact" not in tracked.json()
    assert CONTACT not in tracked.text

    handler = TestClient(site.app).get(
        "/api/v1/feedback/inbox", headers=site.token("zhongyuan")
    )
    assert handler.json()[0]["contact"] == CONTACT
    for name in ("zhengzhou", "henan", "moe"):
        headers = site.token(name)
        inbox = TestClient(site.app).get("/api/v1/feedback/inbox", headers=headers)
        assert inbox.status_code == 200
        assert inbox.json()[0]["contact"] is None, name
        assert inbox.json()[0]["has_contact"] is True
        assert CONTACT not in inbox.text
        stats = TestClient(site.app).get(
            "/api/v1/feedback/stats?year=2026", headers=headers
        )
        assert stats.status_code == 200
        assert CONTACT not in stats.text
    for name in ("jinshui", "school_a", "evaluator", "citizen"):
        inbox = TestClient(site.app).get(
            "/api/v1/feedback/inbox", headers=site.token(name)
        )
        assert inbox.status_code in (403, 200), name
        assert CONTACT not in inbox.text, name

    page = site.client("zhengzhou").get("/feedback/inbox")
    assert CONTACT not in page.text
    item_id = handler.json()[0]["id"]
    detail = site.client("zhengzhou").get(f"/feedback/items/{item_id}")
    assert CONTACT not in detail.text
    assert "有联系方式（仅办理单位可见）" in detail.text
    assert CONTACT in site.client("zhongyuan").get(f"/feedback/items/{item_id}").text


def test_exports_without_contact(site: Site) -> None:
    submit_api(site.client())
    client = site.client("henan")
    year = client.get("/feedback/stats").text
    assert "意见办理情况" in year
    twin = client.get("/feedback/stats.json?division=41")
    assert twin.status_code == 200
    data = twin.json()
    [table] = data["tables"].values()
    rows = {r["division_code"]: r for r in table["rows"]}
    assert rows["4101"]["received"] == 1
    csv = client.get("/feedback/stats.csv?division=41")
    assert csv.content.startswith("\ufeff".encode())
    assert csv.text.splitlines()[0].lstrip("\ufeff").startswith("rank,division_code")
    for text in (twin.text, csv.text, year):
        assert CONTACT not in text
    assert (
        site.client("zhongyuan").get("/feedback/stats.json?division=41").status_code
        == 403
    )


def test_handling_through_pages(site: Site) -> None:
    sender = site.client()
    created = submit_api(sender, text=f"请公开划片。{SCRIPT}").json()
    code = created["tracking_code"]
    staff = site.client("zhongyuan")
    inbox = staff.get("/feedback/inbox?mine=1")
    assert "&lt;script&gt;" not in inbox.text  # the text is not in the list
    [item] = stored_items(site)
    page = staff.get(f"/feedback/items/{item.id}")
    assert "&lt;script&gt;document.title=" in page.text
    answered = post_form(
        staff, f"/feedback/items/{item.id}/answer", {"answer": f"已公开。{SCRIPT}"}
    )
    assert answered.status_code == 303
    closed = post_form(staff, f"/feedback/items/{item.id}/close", {})
    assert closed.status_code == 303

    tracked = sender.get(f"/feedback/track?code={code}")
    assert "已办结" in tracked.text
    assert "已公开。&lt;script&gt;" in tracked.text
    token = csrf_token(sender, f"/feedback/track?code={code}")
    rated = sender.post(
        "/feedback/track/rate",
        data={"code": code, "rating": "5", "csrf_token": token},
        follow_redirects=False,
    )
    assert rated.status_code == 303
    again = sender.post(f"/api/v1/feedback/track/{code}/rating", json={"rating": 1})
    assert_error(again, 409, "conflict")
    assert stored_items(site)[0].rating == 5


def test_api_handling_and_errors(site: Site) -> None:
    created = submit_api(site.client(), category="county_policy").json()
    assert created["responsible_code"] == "4101"
    [item] = stored_items(site)
    county = TestClient(site.app)
    denied = county.post(
        f"/api/v1/feedback/items/{item.id}/answer",
        json={"answer": "x"},
        headers=site.token("zhongyuan"),
    )
    assert_error(denied, 403, "permission_denied")
    city = site.token("zhengzhou")
    answered = county.post(
        f"/api/v1/feedback/items/{item.id}/answer",
        json={"answer": "已答复"},
        headers=city,
    )
    assert answered.status_code == 200
    assert answered.json()["status"] == "answered"
    closed = county.post(f"/api/v1/feedback/items/{item.id}/close", headers=city)
    assert closed.json()["status"] == "closed"
    outside = county.get(
        f"/api/v1/feedback/items/{item.id}", headers=site.token("jinshui")
    )
    assert_error(outside, 404, "not_found")
    assert_error(county.get("/api/v1/feedback/inbox"), 401)
    assert_error(submit_api(county, category="weather"), 422, "invalid_input")


def test_permission_before_body_checks(site: Site) -> None:
    submit_api(site.client(), category="county_policy")
    [item] = stored_items(site)
    client = TestClient(site.app)
    # 中原区 does not hold the item (郑州市 does): 403 whatever the body.
    county = site.token("zhongyuan")
    for step, body in (("answer", {}), ("answer", {"text": "x"}), ("assign", {})):
        denied = client.post(
            f"/api/v1/feedback/items/{item.id}/{step}", json=body, headers=county
        )
        assert_error(denied, 403, "permission_denied")
    no_body = client.post(f"/api/v1/feedback/items/{item.id}/answer", headers=county)
    assert_error(no_body, 403, "permission_denied")
    # The holder gets the form errors.
    city = site.token("zhengzhou")
    empty = client.post(
        f"/api/v1/feedback/items/{item.id}/answer", json={}, headers=city
    )
    assert_error(empty, 422)
    nobody = client.post(
        f"/api/v1/feedback/items/{item.id}/assign", json={}, headers=city
    )
    assert_error(nobody, 422)


def test_feedback_in_openapi(site: Site) -> None:
    document = TestClient(site.app).get("/api/v1/openapi.json").json()
    paths = document["paths"]
    for path in (
        "/api/v1/feedback",
        "/api/v1/feedback/track/{code}",
        "/api/v1/feedback/track/{code}/rating",
        "/api/v1/feedback/inbox",
        "/api/v1/feedback/items/{item_id}/answer",
        "/api/v1/feedback/items/{item_id}/close",
        "/api/v1/feedback/stats",
    ):
        assert path in paths, path
    assert "429" in paths["/api/v1/feedback"]["post"]["responses"]
    schemas = document["components"]["schemas"]
    assert "contact" not in schemas["TrackOut"]["properties"]
    assert "contact" in schemas["StaffItemOut"]["properties"]


def test_inbox_needs_login(site: Site) -> None:
    response = site.client().get("/feedback/inbox", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    assert site.client("citizen").get("/feedback/inbox").status_code == 403


def test_api_error_message_one_language(site: Site) -> None:
    response = submit_api(site.client(), text="长" * 2001)
    assert_error(response, 422, "invalid_input")
    message = response.json()["error"]["message"]
    assert message == "意见未提交，请修改以下字段：text"


def _stamp_steps(site: Site, moment: dt.datetime) -> None:
    """Set the time of every step of every item to ``moment``."""
    with site.database.sessions() as session:
        for event in session.scalars(select(FeedbackEvent)):
            event.at = moment
        session.commit()


def test_track_page_names_and_beijing_time(site: Site) -> None:
    sender = site.client()
    created = submit_api(sender, school_code=SCHOOL_A).json()
    # 2025-03-01 20:30 UTC is 2025-03-02 04:30 in Beijing (UTC+8): the next day.
    _stamp_steps(site, dt.datetime(2025, 3, 1, 20, 30, tzinfo=dt.UTC))
    page = sender.get(f"/feedback/track?code={created['tracking_code']}")
    division = page.text.split('id="feedback-division">')[1].split("</dd>")[0]
    assert division == "中原区（410102） / 测试小学 1（2141000001）"
    responsible = page.text.split('id="feedback-responsible">')[1].split("</dd>")[0]
    assert responsible == "中原区（410102）"
    steps = page.text.split('id="feedback-steps">')[1].split("</ol>")[0]
    assert "2025-03-02 04:30 （北京时间）" in steps
    assert "受理，转 中原区（410102）" in steps
    assert "UTC" not in steps
    english = sender.get(f"/feedback/track?code={created['tracking_code']}&lang=en")
    assert "2025-03-02 04:30 Beijing time" in english.text
    assert "received, sent to 中原区 (410102)" in english.text


def test_staff_item_page_uses_staff_labels(site: Site) -> None:
    submit_api(site.client())
    [item] = stored_items(site)
    staff = site.client("zhongyuan")
    page = staff.get(f"/feedback/items/{item.id}?lang=en")
    assert "Sender&#39;s contact" in page.text
    assert "Feedback text" in page.text
    assert "Your feedback" not in page.text
    assert "Contact (optional)" not in page.text
    chinese = staff.get(f"/feedback/items/{item.id}?lang=zh")
    assert "提交人联系方式" in chinese.text
    assert "联系方式（可不填）" not in chinese.text
    assert "中原区（410102）" in chinese.text
    inbox = staff.get("/feedback/inbox")
    assert "中原区（410102）" in inbox.text
