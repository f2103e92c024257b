"""The /api/v1 routes: success, not found, not permitted, and the chain."""

from __future__ import annotations

import io
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from web.site import (
    EMPTY_SECTION,
    SCHOOL_A,
    SCHOOL_B,
    SCHOOL_J,
    YEAR,
    Site,
    assert_error,
    school_row,
)

from junheng.store.models import SchoolRecord


class Api:
    """A client calling the API with one user's Bearer token."""

    def __init__(self, site: Site, username: str) -> None:
        self.client: TestClient = site.client()
        self.headers = site.token(username)

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self.headers)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(f"/api/v1{path}", json=body, headers=self.headers)

    def put(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.put(f"/api/v1{path}", json=body, headers=self.headers)


def api_data(**changes: Any) -> dict[str, Any]:
    row = school_row(**changes)
    for key in ("year", "school_code"):
        row.pop(key)
    return row


def test_openapi_document_lists_routes(site: Site) -> None:
    document = site.client().get("/api/v1/openapi.json").json()
    paths = document["paths"]
    for path in (
        "/api/v1/divisions",
        "/api/v1/divisions/{code}",
        "/api/v1/schools",
        "/api/v1/schools/{code}",
        "/api/v1/schools/{code}/records",
        "/api/v1/schools/{code}/records/{year}",
        "/api/v1/imports",
        "/api/v1/records/{record_id}",
        "/api/v1/records/{record_id}/events",
        "/api/v1/records/{record_id}/compare/{other_id}",
        "/api/v1/records/{record_id}/submit",
        "/api/v1/records/{record_id}/review",
        "/api/v1/records/{record_id}/reopen",
        "/api/v1/reviews/pending",
        "/api/v1/completeness",
    ):
        assert path in paths, path
    assert not any(p.startswith("/reporting") for p in paths)
    error = paths["/api/v1/schools/{code}"]["get"]["responses"]["404"]
    assert error["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")


def test_divisions_list_and_filter(site: Site) -> None:
    api = Api(site, "zhongyuan")
    counties = api.get("/divisions?parent=4101&level=county").json()
    codes = [d["code"] for d in counties]
    assert "410102" in codes
    assert all(code.startswith("4101") for code in codes)
    assert api.get("/divisions/41").json()["name"] == "河南省"


def test_division_not_found(site: Site) -> None:
    assert_error(Api(site, "moe").get("/divisions/999999"), 404, "not_found")


def test_schools_scoped_to_caller(site: Site) -> None:
    site.save(SCHOOL_A)
    site.save(SCHOOL_B)
    # The fixture stores the three test schools, SCHOOL_J of 济源市 included.
    assert [s["code"] for s in Api(site, "moe").get("/schools").json()] == [
        SCHOOL_A,
        SCHOOL_B,
        SCHOOL_J,
    ]
    assert [s["code"] for s in Api(site, "zhongyuan").get("/schools").json()] == [
        SCHOOL_A
    ]
    assert [s["code"] for s in Api(site, "evaluator").get("/schools").json()] == [
        SCHOOL_B
    ]
    assert Api(site, "citizen").get("/schools").json() == []
    assert [
        s["code"] for s in Api(site, "henan").get("/schools?division=410105").json()
    ] == [SCHOOL_B]


def test_school_read_permissions(site: Site) -> None:
    site.save(SCHOOL_A)
    site.save(SCHOOL_B)
    assert Api(site, "school_a").get(f"/schools/{SCHOOL_A}").status_code == 200
    assert_error(Api(site, "school_a").get(f"/schools/{SCHOOL_B}"), 403)
    assert_error(Api(site, "zhongyuan").get(f"/schools/{SCHOOL_B}"), 403)
    assert_error(Api(site, "citizen").get(f"/schools/{SCHOOL_A}"), 403)
    assert_error(Api(site, "moe").get("/schools/2141099999"), 404)


def test_records_versions_and_read(site: Site) -> None:
    first = site.save()
    site.save(books=16_000)
    api = Api(site, "school_a")
    versions = api.get(f"/schools/{SCHOOL_A}/records?year={YEAR}").json()
    assert [v["version"] for v in versions] == [1, 2]
    assert [v["is_current"] for v in versions] == [False, True]
    record = api.get(f"/records/{first.id}").json()
    assert record["data"]["books"] == 15_000
    assert_error(Api(site, "jinshui").get(f"/records/{first.id}"), 403)
    assert_error(api.get("/records/999"), 404)


def test_save_record_validates(site: Site) -> None:
    api = Api(site, "school_a")
    created = api.put(
        f"/schools/{SCHOOL_A}/records/{YEAR}",
        {"data": api_data(), "base_version": None},
    )
    assert created.status_code == 201, created.text
    assert created.json()["version"] == 1
    invalid = api.put(
        f"/schools/{SCHOOL_A}/records/{YEAR}",
        {"data": api_data(primary_students="many"), "base_version": 1},
    )
    assert_error(invalid, 422, "invalid_input")
    issue = invalid.json()["error"]["detail"][0]
    assert issue["value"] == "many"
    assert issue["fix"]
    stale = api.put(
        f"/schools/{SCHOOL_A}/records/{YEAR}",
        {"data": api_data(books=1), "base_version": None},
    )
    assert_error(stale, 409, "conflict")


def test_save_record_outside_scope(site: Site) -> None:
    site.save(SCHOOL_B)
    response = Api(site, "school_a").put(
        f"/schools/{SCHOOL_B}/records/{YEAR}",
        {"data": api_data(), "base_version": 1},
    )
    assert_error(response, 403)


def test_import_file(site: Site) -> None:
    api = Api(site, "zhongyuan")
    row = school_row()
    text = ",".join(row) + "\n" + ",".join(str(v) for v in row.values()) + "\n"
    response = api.client.post(
        "/api/v1/imports",
        files={"file": ("schools.csv", io.BytesIO(text.encode()), "text/csv")},
        headers=api.headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["records"][0]["school_code"] == SCHOOL_A
    assert response.json()["warnings"] == []


def test_long_school_name_rejected(site: Site) -> None:
    # 201 characters, one more than the schools.name column keeps.
    name = "长" * 201
    school = Api(site, "school_a")
    saved = school.put(
        f"/schools/{SCHOOL_A}/records/{YEAR}",
        {"data": api_data(school_name=name), "base_version": None},
    )
    assert_error(saved, 422, "invalid_input")
    [issue] = saved.json()["error"]["detail"]
    assert issue["rule"] == "text_too_long"
    assert issue["column"] == "学校名称"
    assert issue["message"] == (
        "学校名称有 201 个字符，超过上限 200 个（开头为“" + "长" * 20 + "…”）"
    )
    assert issue["fix"] == "请缩短到 200 个字符以内"

    county = Api(site, "zhongyuan")
    row = school_row(school_name=name)
    text = ",".join(row) + "\n" + ",".join(str(v) for v in row.values()) + "\n"
    uploaded = county.client.post(
        "/api/v1/imports?lang=en",
        files={"file": ("schools.csv", io.BytesIO(text.encode()), "text/csv")},
        headers=county.headers,
    )
    assert_error(uploaded, 422, "invalid_input")
    [issue] = uploaded.json()["error"]["detail"]
    assert (issue["file"], issue["row"], issue["column"]) == (
        "schools.csv",
        2,
        "school_name",
    )
    assert issue["message"] == (
        "school name has 201 characters, more than 200 (it starts '" + "长" * 20 + "…')"
    )
    with site.database.sessions() as session:
        assert list(session.scalars(select(SchoolRecord))) == []


def test_chain_through_api_with_return_and_reopen(site: Site) -> None:
    record = site.save()
    school = Api(site, "school_a")
    county = Api(site, "zhongyuan")
    city = Api(site, "zhengzhou")
    province = Api(site, "henan")

    submitted = school.post(f"/records/{record.id}/submit", {"base_version": 1})
    assert submitted.json()["status"] == "submitted"
    assert [r["id"] for r in county.get("/reviews/pending").json()] == [record.id]
    assert_error(
        school.post(
            f"/records/{record.id}/review",
            {"decision": "approve", "base_version": 1},
        ),
        403,
    )
    returned = county.post(
        f"/records/{record.id}/review",
        {"decision": "return", "comment": "教师数有误", "base_version": 1},
    )
    assert returned.json()["status"] == "returned"
    fixed = school.put(
        f"/schools/{SCHOOL_A}/records/{YEAR}",
        {"data": api_data(primary_teachers=31), "base_version": 1},
    ).json()
    school.post(f"/records/{fixed['id']}/submit", {"base_version": 2})
    for reviewer, status in (
        (county, "county_approved"),
        (city, "city_approved"),
        (province, "approved"),
    ):
        body = {"decision": "approve", "comment": "", "base_version": 2}
        response = reviewer.post(f"/records/{fixed['id']}/review", body)
        assert response.json()["status"] == status
    assert_error(county.post(f"/records/{fixed['id']}/reopen", {"reason": ""}), 422)
    reopened = province.post(f"/records/{fixed['id']}/reopen", {"reason": "更正"})
    assert reopened.json()["status"] == "returned"
    assert reopened.json()["version"] == 3

    events = school.get(f"/records/{fixed['id']}/events").json()
    assert [e["to_status"] for e in events] == [
        "submitted",
        "returned",
        "submitted",
        "county_approved",
        "city_approved",
        "approved",
        "returned",
    ]
    changes = school.get(f"/records/{record.id}/compare/{fixed['id']}").json()
    assert changes == [
        {
            "field": "primary_teachers",
            "label_zh": "小学专任教师数",
            "label_en": "Primary full-time teachers",
            "before": 30,
            "after": 31,
        }
    ]


def test_stale_review_is_conflict(site: Site) -> None:
    record = site.advance(site.save())
    county = Api(site, "zhongyuan")
    body = {"decision": "approve", "comment": "", "base_version": 1}
    assert county.post(f"/records/{record.id}/review", body).status_code == 200
    assert_error(county.post(f"/records/{record.id}/review", body), 409, "conflict")


def test_completeness_counts(site: Site) -> None:
    site.advance(site.save(SCHOOL_A), "zhongyuan", "zhengzhou", "henan")
    site.save(SCHOOL_B)
    rows = Api(site, "zhengzhou").get(f"/completeness?year={YEAR}").json()
    by_code = {row["code"]: row for row in rows}
    assert by_code["410102"]["expected"] == 1
    assert by_code["410102"]["approved"] == 1
    assert by_code["410105"]["submitted"] == 0
    assert_error(
        Api(site, "zhongyuan").get(f"/completeness?year={YEAR}&division=4101"), 403
    )
    assert_error(Api(site, "moe").get("/completeness"), 422)


def test_events_and_compare_permissions(site: Site) -> None:
    first = site.save(SCHOOL_A)
    other = site.save(SCHOOL_B)
    api = Api(site, "zhongyuan")
    assert api.get(f"/records/{first.id}/events").json() == []
    assert_error(api.get(f"/records/{other.id}/events"), 403)
    assert_error(api.get(f"/records/{first.id}/compare/{other.id}"), 403)
    assert_error(api.get("/records/999/events"), 404)


def test_pending_empty_for_school_and_public(site: Site) -> None:
    site.advance(site.save())
    assert Api(site, "school_a").get("/reviews/pending").json() == []
    assert Api(site, "citizen").get("/reviews/pending").json() == []
    assert len(Api(site, "zhongyuan").get("/reviews/pending").json()) == 1


def _import_csv(api: Api, row: dict[str, Any], query: str = "") -> Any:
    text = ",".join(row) + "\n" + ",".join(str(v) for v in row.values()) + "\n"
    return api.client.post(
        f"/api/v1/imports{query}",
        files={"file": ("schools.csv", io.BytesIO(text.encode()), "text/csv")},
        headers=api.headers,
    )


def test_import_issues_in_chinese(site: Site) -> None:
    response = _import_csv(Api(site, "zhongyuan"), school_row(primary_classes=-3))
    assert_error(response, 422, "invalid_input")
    (issue,) = response.json()["error"]["detail"]
    assert issue["message"] == "值“-3”是负数"
    assert issue["code"] == "negative"
    assert issue["row"] == 2
    assert issue["column"] == "primary_classes"


def test_import_issues_in_english(site: Site) -> None:
    response = _import_csv(
        Api(site, "zhongyuan"), school_row(primary_classes=-3), "?lang=en"
    )
    assert_error(response, 422, "invalid_input")
    (issue,) = response.json()["error"]["detail"]
    assert issue["message"] == "value '-3' is negative"
    assert issue["fix"] == "enter 0 or a positive number of classes (个)"


def test_import_returns_warnings(site: Site) -> None:
    response = _import_csv(Api(site, "zhongyuan"), school_row(**EMPTY_SECTION))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["records"][0]["status"] == "draft"
    (warning,) = body["warnings"]
    assert warning["severity"] == "warning"
    assert warning["rule"] == "no_students"
    assert warning["row"] == 2
    assert warning["message"].startswith("学校各学段都没有在校生")


def test_import_warnings_in_english(site: Site) -> None:
    response = _import_csv(
        Api(site, "zhongyuan"), school_row(**EMPTY_SECTION), "?lang=en"
    )
    (warning,) = response.json()["warnings"]
    assert warning["message"].startswith("the school has no students")
