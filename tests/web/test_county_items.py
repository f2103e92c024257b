"""County items and deadlines through the pages and the API.

County items start at the county: 中原区 (410102) enters them, and 郑州市 and
河南省 approve them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from web.site import SCHOOL_A, YEAR, Site, assert_error, make_app, post_form

ITEMS = {
    "G9": {"value": "100", "evidence": "培训台账"},
    "V1": {"value": "否", "evidence": None},
}


def _put(
    site: Site, user: str, code: str, base: int | None = None, **items: Any
) -> Any:
    return site.client(user).put(
        f"/api/v1/county-items/{code}/{YEAR}",
        json={"data": ITEMS | items, "base_version": base},
        headers=site.token(user),
    )


def test_api_chain_to_approval(site: Site) -> None:
    saved = _put(site, "zhongyuan", "410102")
    assert saved.status_code == 201, saved.text
    record = saved.json()
    assert record["status"] == "draft"
    assert record["data"]["G9"] == {"value": "100", "evidence": "培训台账"}
    rid = record["id"]
    submitted = site.client().post(
        f"/api/v1/county-records/{rid}/submit",
        json={"base_version": 1},
        headers=site.token("zhongyuan"),
    )
    assert submitted.json()["status"] == "submitted"
    pending = site.client().get(
        "/api/v1/reviews/pending-county-items", headers=site.token("zhengzhou")
    )
    assert [r["id"] for r in pending.json()] == [rid]
    for reviewer, status in (("zhengzhou", "city_approved"), ("henan", "approved")):
        reviewed = site.client().post(
            f"/api/v1/county-records/{rid}/review",
            json={"decision": "approve", "base_version": 1},
            headers=site.token(reviewer),
        )
        assert reviewed.status_code == 200, reviewed.text
        assert reviewed.json()["status"] == status


def test_api_rejects_bad_item(site: Site) -> None:
    response = site.client().put(
        f"/api/v1/county-items/410102/{YEAR}",
        json={"data": {"G9": {"value": "很多"}}},
        headers=site.token("zhongyuan"),
    )
    assert_error(response, 422, "invalid_input")


def test_api_other_county_forbidden(site: Site) -> None:
    assert_error(_put(site, "jinshui", "410102"), 403)


def test_school_cannot_read_county_items(site: Site) -> None:
    rid = _put(site, "zhongyuan", "410102").json()["id"]
    response = site.client().get(
        f"/api/v1/county-records/{rid}", headers=site.token("school_a")
    )
    assert_error(response, 403)


def test_page_entry_submit_and_review(site: Site) -> None:
    county = site.client("zhongyuan")
    form = {"value_G9": "100", "evidence_G9": "台账", "value_V1": "否"}
    saved = post_form(county, f"/county-items/410102/{YEAR}", form)
    assert saved.status_code == 303, saved.text
    page = county.get(f"/county-items/410102/{YEAR}")
    assert 'id="submit-record"' in page.text
    rid = (
        site.client()
        .get(
            f"/api/v1/county-items/410102/{YEAR}/records",
            headers=site.token("zhongyuan"),
        )
        .json()[0]["id"]
    )
    post_form(county, f"/county-records/{rid}/submit", {"base_version": "1"})
    city = site.client("zhengzhou")
    listing = city.get("/county-items")
    assert (
        f"/county-items/410102/{YEAR}" in listing.text.split('id="county-pending"')[1]
    )
    returned = post_form(
        city,
        f"/county-records/{rid}/review",
        {"decision": "return", "base_version": "1"},
    )
    assert returned.status_code == 422
    assert "退回时请填写需要修改的内容" in returned.text
    approved = post_form(
        city,
        f"/county-records/{rid}/review",
        {"decision": "approve", "base_version": "1"},
    )
    assert approved.status_code == 303
    assert "市级已审核" in city.get(f"/county-items/410102/{YEAR}").text


def test_page_invalid_value_lists_issue(site: Site) -> None:
    county = site.client("zhongyuan")
    response = post_form(county, f"/county-items/410102/{YEAR}", {"value_G9": "很多"})
    assert response.status_code == 422
    assert "很多" in response.text
    assert 'class="issues"' in response.text


def test_page_conflict_keeps_values(site: Site) -> None:
    _put(site, "zhongyuan", "410102")
    _put(site, "zhongyuan", "410102", base=1, G9={"value": "95", "evidence": None})
    county = site.client("zhongyuan")
    form = {"value_G9": "90", "value_V1": "否", "base_version": "1"}
    response = post_form(county, f"/county-items/410102/{YEAR}", form)
    assert response.status_code == 409
    assert 'value="90"' in response.text
    assert 'name="overwrite_version"' in response.text


def test_deadline_page_sets_date(site: Site) -> None:
    city = site.client("zhengzhou")
    saved = post_form(
        city,
        "/deadlines",
        {"year": str(YEAR), "scope_code": "410102", "due_date": "2024-10-31"},
    )
    assert saved.status_code == 303, saved.text
    page = city.get(f"/deadlines?year={YEAR}")
    assert "2024-10-31" in page.text.split('id="deadlines"')[1]
    rows = city.get(f"/api/v1/completeness?year={YEAR}").json()
    due = {row["code"]: row["due_date"] for row in rows}
    assert due["410102"] == "2024-10-31"


def test_deadline_outside_scope_forbidden(site: Site) -> None:
    response = post_form(
        site.client("zhongyuan"),
        "/deadlines",
        {"year": str(YEAR), "scope_code": "410105", "due_date": "2024-10-31"},
    )
    assert response.status_code == 403


def test_deadline_page_school_forbidden(site: Site) -> None:
    assert site.client("school_a").get("/deadlines").status_code == 403


G16_FRAMEWORK = """\
id: cn-2017-quality-g16
extends: cn-2017-quality
parts:
  - id: government
    items:
      - id: G16
        name: {zh: 新增项目, en: A new item}
        level: county
        checks: [{key: G16, op: 'true'}]
"""
NO_G9_FRAMEWORK = """\
id: cn-2017-quality-no-g9
extends: cn-2017-quality
remove: [G9]
"""


def _only_issue(response: Any) -> dict[str, Any]:
    """Return the one issue in the detail of an error response."""
    detail = response.json()["error"]["detail"]
    assert len(detail) == 1, detail
    issue: dict[str, Any] = detail[0]
    return issue


def _framework_site(site: Site, folder: Path, text: str) -> Site:
    """Return ``site`` serving an app that runs the framework file ``text``."""
    path = folder / "framework.yaml"
    path.write_text(text, encoding="utf-8")
    site.app = make_app(site.database, framework=str(path))
    return site


def test_api_accepts_platform_framework_item(site: Site, tmp_path: Path) -> None:
    g16_site = _framework_site(site, tmp_path, G16_FRAMEWORK)
    saved = _put(g16_site, "zhongyuan", "410102", G16={"value": "是"})
    assert saved.status_code == 201, saved.text
    assert saved.json()["data"]["G16"] == {"value": "是", "evidence": None}


def test_api_default_framework_rejects_g16(site: Site) -> None:
    response = _put(site, "zhongyuan", "410102", G16={"value": "是"})
    assert_error(response, 422, "invalid_input")
    issue = _only_issue(response)
    assert issue["rule"] == "unknown_item"
    assert issue["value"] == "G16"
    assert "“G16”不是" in issue["message"]


def test_api_rejects_item_platform_removed(site: Site, tmp_path: Path) -> None:
    no_g9_site = _framework_site(site, tmp_path, NO_G9_FRAMEWORK)
    response = _put(no_g9_site, "zhongyuan", "410102")
    assert_error(response, 422, "invalid_input")
    issue = _only_issue(response)
    assert issue["rule"] == "unknown_item"
    assert issue["value"] == "G9"
    assert "cn-2017-quality-no-g9" in issue["message"]


def test_page_form_lists_platform_item(site: Site, tmp_path: Path) -> None:
    g16_site = _framework_site(site, tmp_path, G16_FRAMEWORK)
    county = g16_site.client("zhongyuan")
    page = county.get(f"/county-items/410102/{YEAR}")
    assert 'name="value_G16"' in page.text
    assert "<code>G16</code> 新增项目" in page.text
    saved = post_form(county, f"/county-items/410102/{YEAR}", {"value_G16": "是"})
    assert saved.status_code == 303, saved.text
    assert 'value="是"' in county.get(f"/county-items/410102/{YEAR}").text


def test_upload_checks_platform_framework(site: Site, tmp_path: Path) -> None:
    no_g9_site = _framework_site(site, tmp_path, NO_G9_FRAMEWORK)
    upload = tmp_path / "县级指标.csv"
    upload.write_text(
        f"division_code,year,item,value\n410102,{YEAR},G9,100\n", encoding="utf-8"
    )
    with upload.open("rb") as handle:
        response = no_g9_site.client().post(
            "/api/v1/imports",
            files={"file": (upload.name, handle, "text/csv")},
            headers=no_g9_site.token("zhongyuan"),
        )
    assert_error(response, 422, "invalid_input")
    issue = _only_issue(response)
    assert issue["rule"] == "unknown_item"
    assert issue["value"] == "G9"


def test_deadline_past_city_rejected(site: Site) -> None:
    city = post_form(
        site.client("zhengzhou"),
        "/deadlines",
        {"year": str(YEAR), "scope_code": "4101", "due_date": f"{YEAR}-06-01"},
    )
    assert city.status_code == 303, city.text
    county = site.client("zhongyuan")
    later = post_form(
        county,
        "/deadlines",
        {"year": str(YEAR), "scope_code": "410102", "due_date": f"{YEAR}-12-31"},
    )
    assert later.status_code == 422
    assert f"晚于上级 4101 为 {YEAR} 学年设定的 {YEAR}-06-01" in later.text
    far = post_form(
        county,
        "/deadlines",
        {"year": str(YEAR), "scope_code": "410102", "due_date": "9999-12-31"},
    )
    assert far.status_code == 422
    assert f"{YEAR}-01-01 至 {YEAR + 1}-12-31" in far.text
    rows = site.client("zhengzhou").get(f"/api/v1/completeness?year={YEAR}").json()
    assert {row["code"]: row["due_date"] for row in rows}["410102"] == f"{YEAR}-06-01"
    # The county's page lists the city's deadline that caps its own.
    page = county.get(f"/deadlines?year={YEAR}").text
    assert "<code>4101</code>" in page.split('id="deadlines"')[1]


def test_submitted_items_name_city(site: Site) -> None:
    rid = _put(site, "zhongyuan", "410102").json()["id"]
    submitted = site.client().post(
        f"/api/v1/county-records/{rid}/submit",
        json={"base_version": 1},
        headers=site.token("zhongyuan"),
    )
    assert submitted.status_code == 200, submitted.text
    county = site.client("zhongyuan")
    form = county.get(f"/county-items/410102/{YEAR}").text
    assert "已提交，待市级审核" in form.split('id="county-status"')[1]
    assert "待县级审核" not in form
    listing = county.get("/county-items").text
    assert "已提交，待市级审核" in listing
    assert "待县级审核" not in listing
    english = county.get(f"/county-items/410102/{YEAR}?lang=en").text
    assert "submitted, awaiting the city" in english
    # Saving again while the city reviews names the city in the conflict.
    again = _put(site, "zhongyuan", "410102", base=1)
    assert_error(again, 409)
    assert "待市级审核" in again.text


def test_status_key_without_city() -> None:
    from junheng.services.statuses import (
        county_items_status_key,
        county_items_status_name,
    )

    # 济源市 (419001) is directly under 河南省, so the province reviews first.
    assert county_items_status_key("submitted", "419001") == (
        "status.submitted.province"
    )
    assert county_items_status_key("submitted", "410102") == "status.submitted.city"
    assert county_items_status_key("draft", "419001") == "status.draft"
    assert county_items_status_name("submitted", "419001", "zh") == (
        "已提交，待省级审核"
    )
    assert county_items_status_name("submitted", "110101", "en") == (
        "submitted, awaiting the province"
    )
    assert county_items_status_name("city_approved", "410102", "zh") == "市级已审核"


def set_date(site: Site, user: str, scope: str, due: str) -> None:
    form = {"year": str(YEAR), "scope_code": scope, "due_date": due}
    saved = post_form(site.client(user), "/deadlines", form)
    assert saved.status_code == 303, saved.text


def test_overridden_deadline_marked(site: Site) -> None:
    # The county sets 30 November, then the city an earlier 31 October,
    # which applies to the county's schools instead.
    set_date(site, "zhongyuan", "410102", f"{YEAR}-11-30")
    set_date(site, "zhengzhou", "4101", f"{YEAR}-10-31")
    for user in ("zhongyuan", "zhengzhou"):
        page = site.client(user).get(f"/deadlines?year={YEAR}").text
        table = page.split('id="deadlines"')[1].split("</table>")[0]
        county = table.split('data-scope="410102"')[1].split("</tr>")[0]
        assert 'class="overridden"' in table.split('data-scope="410102"')[0][-40:]
        assert f"上级 4101 设定的 {YEAR}-10-31 更早" in county, user
        city = table.split('data-scope="4101"')[1].split("</tr>")[0]
        assert "适用" in city
        assert "不适用" not in city
    english = site.client("zhongyuan").get(f"/deadlines?year={YEAR}&lang=en").text
    assert f"does not apply: 4101 set an earlier date, {YEAR}-10-31" in english


def test_school_sees_deadline_that_applies(site: Site) -> None:
    set_date(site, "zhongyuan", "410102", f"{YEAR}-11-30")
    set_date(site, "zhengzhou", "4101", f"{YEAR}-10-31")
    school = site.client("school_a")
    for path in (f"/reporting/{SCHOOL_A}", f"/reporting/{SCHOOL_A}/{YEAR}"):
        page = school.get(path)
        assert page.status_code == 200, path
        deadlines = page.text.split('id="school-deadlines"')[1].split("</ul>")[0]
        # The city's earlier date applies, not the county's own.
        assert f"{YEAR} 学年：{YEAR}-10-31 前报送，由 郑州市 4101 设定" in deadlines
        assert f"{YEAR}-11-30" not in deadlines
    english = school.get(f"/reporting/{SCHOOL_A}/{YEAR}?lang=en").text
    assert f"School year {YEAR}: report by {YEAR}-10-31, set by 郑州市 4101." in (
        english
    )
    # A year without a deadline says so.
    other = school.get(f"/reporting/{SCHOOL_A}/{YEAR + 1}?lang=zh").text
    assert f"{YEAR + 1} 学年：尚未设定截止日期" in other
