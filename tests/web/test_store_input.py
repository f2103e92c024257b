"""Write paths of the web app and the API with input that one of the two stores
cannot keep.

PostgreSQL rejects a NUL character (U+0000) in text, and NaN or Infinity in
JSON, which SQLite keeps as NULL. On both stores each request gets a 422 that
names the field, and nothing is stored."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from web.plan_site import save
from web.site import SCHOOL_A, YEAR, Site, assert_error, post_form, school_row

from junheng.store.models import (
    ApiToken,
    AuditRecord,
    CountyItemRecord,
    FeedbackItem,
    PlanScenario,
    School,
    SchoolRecord,
    SurveyRound,
)

NUL_TEXT = "中原\x00一小"

# Python's JSON parser, which FastAPI uses, reads NaN and Infinity literals,
# so a client can send them in a JSON body.
NON_FINITE = ("NaN", "Infinity", "-Infinity")


def audit_count(site: Site) -> int:
    with site.database.sessions() as session:
        return session.scalar(select(func.count()).select_from(AuditRecord)) or 0


def stored_name(site: Site, model: type[School | PlanScenario], key: object) -> str:
    with site.database.sessions() as session:
        row = session.get(model, key)
        assert row is not None
        return row.name


def assert_names(response: Any, field: str) -> None:
    """Check that the error message (Chinese, the default) names ``field``."""
    message = response.json()["error"]["message"]
    assert field in message


def record_body(raw_students: str, **changes: Any) -> str:
    """Return a record PUT body with ``primary_students`` written as
    ``raw_students``, a JSON literal such as NaN."""
    import json

    row = school_row(**changes)
    for key in ("year", "school_code"):
        row.pop(key)
    row["primary_students"] = "@students@"
    body = json.dumps({"data": row, "base_version": None}, ensure_ascii=False)
    return body.replace('"@students@"', raw_students)


def test_school_record_rejects_non_finite(site: Site) -> None:
    client = site.client()
    headers = {**site.token("school_a"), "content-type": "application/json"}
    before = audit_count(site)
    path = f"/api/v1/schools/{SCHOOL_A}/records/{YEAR}"
    for raw in NON_FINITE:
        response = client.put(path, content=record_body(raw), headers=headers)
        assert_error(response, 422, "invalid_input")
        [issue] = response.json()["error"]["detail"]
        assert issue["rule"] == "whole_number", raw
    with site.database.sessions() as session:
        assert list(session.scalars(select(SchoolRecord))) == []
    assert audit_count(site) == before


def test_school_record_rejects_nul(site: Site) -> None:
    client = site.client()
    headers = {**site.token("school_a"), "content-type": "application/json"}
    before = audit_count(site)
    path = f"/api/v1/schools/{SCHOOL_A}/records/{YEAR}"
    body = record_body("120", school_name=NUL_TEXT)
    response = client.put(path, content=body, headers=headers)
    assert_error(response, 422, "invalid_input")
    assert "school_name" in response.text
    with site.database.sessions() as session:
        assert list(session.scalars(select(SchoolRecord))) == []
    assert audit_count(site) == before


def test_school_master_edit_rejects_nul(site: Site) -> None:
    client = site.client()
    headers = site.token("zhongyuan")
    before = audit_count(site)
    response = client.patch(
        f"/api/v1/schools/{SCHOOL_A}", json={"school_name": NUL_TEXT}, headers=headers
    )
    assert_error(response, 422, "invalid_input")
    assert "NUL" in response.text
    assert stored_name(site, School, SCHOOL_A) == "测试小学 1"
    assert audit_count(site) == before


def test_feedback_rejects_nul(site: Site) -> None:
    client = site.client()
    before = audit_count(site)
    body = {
        "category": "admission",
        "division_code": "410102",
        "text": "招生\x00划片不公开。",
    }
    response = client.post("/api/v1/feedback", json=body)
    assert_error(response, 422, "invalid_input")
    assert "text" in response.text
    form = post_form(
        client,
        "/feedback",
        {**body, "website": ""},
    )
    assert form.status_code == 422
    assert "NUL" in form.text
    with site.database.sessions() as session:
        assert list(session.scalars(select(FeedbackItem))) == []
    assert audit_count(site) == before


def test_survey_override_reason_rejects_nul(site: Site) -> None:
    from web.test_surveys import answers, issue, open_round

    links = issue(site, round_id := open_round(site))
    token = next(link.token for link in links if link.group == "parents")
    client = site.client()
    answered = client.post(f"/s/{token}", data=answers("satisfied"))
    assert answered.status_code == 200, answered.text
    headers = site.token("zhongyuan")
    before = audit_count(site)
    response = client.post(
        f"/api/v1/surveys/{round_id}/county-item",
        params={"override_reason": "样本\x00不足"},
        headers=headers,
    )
    assert_error(response, 422, "invalid_input")
    assert_names(response, "reason")
    assert audit_count(site) == before
    with site.database.sessions() as session:
        assert list(session.scalars(select(CountyItemRecord))) == []


def test_survey_round_rejects_non_finite(site: Site) -> None:
    client = site.client()
    headers = {**site.token("zhongyuan"), "content-type": "application/json"}
    for raw in NON_FINITE:
        body = (
            f'{{"division_code": "410102", "year": 2025, "population": {raw}, '
            '"stratum_population": {"urban": 1}}'
        )
        response = client.post("/api/v1/surveys", content=body, headers=headers)
        assert_error(response, 422, "invalid_request")
        [item] = response.json()["error"]["detail"]
        assert item["loc"] == ["body", "population"]
        assert item["input"] == raw
    with site.database.sessions() as session:
        assert list(session.scalars(select(SurveyRound))) == []


WHOLE_NUMBER_BODIES = [
    ("post", "/api/v1/rectification/tasks", '{"year": @, "division_code": "410102"}'),
    ("put", "/api/v1/monitor/targets", '{"division_code": "410102", "target_year": @}'),
    (
        "post",
        "/api/v1/surveys",
        '{"division_code": "410102", "year": 2024, "population": 1000, '
        '"stratum_population": {"parents": @}}',
    ),
    ("post", "/api/v1/surveys/1/links", '{"extra_percent": @}'),
    ("post", "/api/v1/feedback/track/ABCD1234/rating", '{"rating": @}'),
    ("post", "/api/v1/records/1/review", '{"decision": "return", "base_version": @}'),
    (
        "put",
        f"/api/v1/schools/{SCHOOL_A}/records/{YEAR}",
        '{"data": {}, "base_version": @}',
    ),
]
"""Requests whose whole-number field is written ``@``; a JSON parser reads
1e309 as infinity, like the Infinity literal."""


def test_whole_number_fields_reject_non_finite(site: Site) -> None:
    client = site.client()
    headers = {**site.token("zhongyuan"), "content-type": "application/json"}
    for method, path, body in WHOLE_NUMBER_BODIES:
        for raw in (*NON_FINITE, "1e309"):
            response = client.request(
                method, path, content=body.replace("@", raw), headers=headers
            )
            assert response.status_code == 422, (path, raw, response.text)
            assert response.json()["error"]["code"] == "invalid_request"


def test_plan_rename_rejects_nul(site: Site) -> None:
    scenario_id = save(site, "甲")
    client = site.client()
    headers = site.token("zhongyuan")
    before = audit_count(site)
    response = client.patch(
        f"/api/v1/plans/{scenario_id}", json={"name": "乙\x00"}, headers=headers
    )
    assert_error(response, 422, "invalid_input")
    assert_names(response, "name")
    page = site.client("zhongyuan")
    form = post_form(page, f"/plans/{scenario_id}/rename", {"name": "丙\x00"})
    assert form.status_code == 422
    assert "NUL" in form.text
    assert stored_name(site, PlanScenario, scenario_id) == "甲"
    assert audit_count(site) == before


def test_api_token_name_rejects_nul(site: Site) -> None:
    client = site.client("zhongyuan")
    before = audit_count(site)
    response = post_form(client, "/account/tokens", {"name": "脚本\x00令牌"})
    assert response.status_code == 422
    assert "NUL" in response.text
    assert "name" in response.text
    with site.database.sessions() as session:
        assert list(session.scalars(select(ApiToken))) == []
    assert audit_count(site) == before
