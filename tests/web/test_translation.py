"""Page and API text in the chosen language: choices, statuses, parameters."""

from __future__ import annotations

from web.site import SCHOOL_A, YEAR, Site, assert_error, post_form


def test_school_type_in_english(site: Site) -> None:
    site.save()
    client = site.client("zhongyuan")
    page = client.get(f"/reporting/{SCHOOL_A}?lang=en")
    assert "primary school" in page.text
    assert "· 小学" not in page.text
    listing = client.get("/reporting?lang=en")
    assert "<td>primary school</td>" in listing.text


def test_form_choices_translated_values_kept(site: Site) -> None:
    site.save()
    page = site.client("school_a").get(f"/reporting/{SCHOOL_A}/{YEAR}?lang=en")
    assert '<option value="公办" selected>public</option>' in page.text
    assert '<option value="乡村">rural</option>' in page.text


def test_status_translated_in_conflict(site: Site) -> None:
    record = site.advance(site.save())
    client = site.client("school_a")
    response = post_form(
        client, f"/records/{record.id}/submit", {"base_version": str(record.version)}
    )
    assert response.status_code == 409
    assert "submitted" not in response.text.split("<main", 1)[1]
    assert "已提交，待县级审核" in response.text


def test_api_parameter_error_in_chinese(site: Site) -> None:
    client = site.client("zhongyuan")
    response = client.get("/api/v1/completeness?year=abc")
    assert_error(response, 422, "invalid_request")
    body = response.json()["error"]
    assert body["message"] == "请求参数无效：查询参数 year：应为整数"
    item = body["detail"][0]
    assert item["type"] == "int_parsing"
    assert item["loc"] == ["query", "year"]
    assert item["message"] == "查询参数 year：应为整数"


def test_api_parameter_error_in_english(site: Site) -> None:
    client = site.client("zhongyuan")
    response = client.get("/api/v1/completeness?year=1800&lang=en")
    body = response.json()["error"]
    assert body["message"] == (
        "The request has invalid parameters: query parameter year must be at least 1990"
    )


def test_page_parameter_error_in_chinese(site: Site) -> None:
    page = site.client("zhongyuan").get("/completeness?year=abc")
    assert page.status_code == 422
    assert "查询参数 year：应为整数" in page.text
    assert "Input should be" not in page.text
