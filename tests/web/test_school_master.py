"""Editing a school's master row: the page form and PATCH /api/v1/schools/{code}."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from web.site import SCHOOL_A, Site, post_form

from junheng.store.models import AuditRecord, School

MASTER_FORM = 'id="master-form"'


def _patch(site: Site, user: str, body: dict[str, Any]) -> Any:
    return site.client().patch(
        f"/api/v1/schools/{SCHOOL_A}", json=body, headers=site.token(user)
    )


def _school(site: Site) -> School:
    with site.database.sessions() as session:
        school = session.get(School, SCHOOL_A)
        assert school is not None
        session.expunge(school)
        return school


def _updates(site: Site) -> list[AuditRecord]:
    with site.database.sessions() as session:
        query = select(AuditRecord).where(AuditRecord.action == "school.update")
        records = list(session.scalars(query))
        for record in records:
            session.expunge(record)
        return records


def test_api_patch_renames_school(site: Site) -> None:
    site.save()
    response = _patch(
        site, "zhongyuan", {"school_name": "新名小学", "location": "镇区"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["name"] == "新名小学"
    assert body["location"] == "镇区"
    assert body["school_type"] == "小学"
    school = _school(site)
    assert school.name == "新名小学"
    (audit,) = _updates(site)
    assert audit.actor == "zhongyuan"
    assert audit.entity_id == SCHOOL_A
    assert audit.after is not None
    assert audit.after["name"] == "新名小学"


def test_api_patch_school_user_forbidden(site: Site) -> None:
    site.save()
    response = _patch(site, "school_a", {"school_name": "自改小学"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert _school(site).name != "自改小学"
    assert _updates(site) == []


def test_api_patch_other_county_forbidden(site: Site) -> None:
    site.save()
    response = _patch(site, "jinshui", {"school_name": "越权小学"})
    assert response.status_code == 403
    assert _updates(site) == []


def test_api_patch_invalid_type(site: Site) -> None:
    site.save()
    response = _patch(site, "zhongyuan", {"school_type": "大学"})
    assert response.status_code == 422
    (issue,) = response.json()["error"]["detail"]
    assert issue["rule"] == "choice"
    assert issue["value"] == "大学"
    assert _updates(site) == []


def test_api_patch_unknown_field_rejected(site: Site) -> None:
    site.save()
    response = _patch(site, "zhongyuan", {"division_code": "410105"})
    assert response.status_code == 422
    assert _school(site).division_code == "410102"


def test_page_form_for_authority_only(site: Site) -> None:
    site.save()
    county = site.client("zhongyuan").get(f"/reporting/{SCHOOL_A}")
    assert MASTER_FORM in county.text
    school = site.client("school_a").get(f"/reporting/{SCHOOL_A}")
    assert school.status_code == 200
    assert MASTER_FORM not in school.text


def test_page_form_saves_and_audits(site: Site) -> None:
    site.save()
    client = site.client("zhongyuan")
    values = {
        "school_name": "表单改名小学",
        "school_type": "小学",
        "ownership": "公办",
        "location": "乡村",
    }
    response = post_form(client, f"/reporting/{SCHOOL_A}/master", values)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/reporting/{SCHOOL_A}?master=saved"
    page = client.get(response.headers["location"])
    assert 'id="master-saved"' in page.text
    assert "表单改名小学" in page.text
    assert _school(site).location == "乡村"
    assert [a.actor for a in _updates(site)] == ["zhongyuan"]


def test_page_form_invalid_shows_issue(site: Site) -> None:
    site.save()
    values = {"school_name": "甲", "school_type": "大学", "ownership": "公办"}
    response = post_form(
        site.client("zhongyuan"), f"/reporting/{SCHOOL_A}/master", values
    )
    assert response.status_code == 422
    assert 'id="master-error"' in response.text
    assert "<code>大学</code>" in response.text
    assert "不是有效的学校类型" in response.text


def test_page_form_school_user_forbidden(site: Site) -> None:
    site.save()
    values = {"school_name": "甲", "school_type": "小学", "ownership": "公办"}
    response = post_form(
        site.client("school_a"), f"/reporting/{SCHOOL_A}/master", values
    )
    assert response.status_code == 403
    assert _updates(site) == []


def test_api_patch_invisible_name_rejected(site: Site) -> None:
    site.save()
    # A right-to-left override and a zero-width space show nothing.
    response = _patch(site, "zhongyuan", {"school_name": "\u202e\u200b"})
    assert response.status_code == 422, response.text
    (issue,) = response.json()["error"]["detail"]
    assert issue["code"] == "text_invisible"
    assert issue["message"] == (
        "学校名称只含不显示的字符 U+202E U+200B（如零宽空格、文字方向控制符）"
    )
    assert issue["fix"] == "请填写看得见的文字"
    assert _school(site).name != "\u202e\u200b"
    assert _updates(site) == []


def test_api_patch_name_with_invisible_kept(site: Site) -> None:
    # Visible text with a zero-width space inside is a name.
    site.save()
    response = _patch(site, "zhongyuan", {"school_name": "新\u200b名小学"})
    assert response.status_code == 200, response.text
