"""Links, scope labels and page behaviour that follow each role's access."""

from __future__ import annotations

import re
from datetime import date

from web.site import SCHOOL_A, SCHOOL_B, YEAR, Site, post_form, school_row

from junheng.services import reporting
from junheng.services.access import SYSTEM


def _scope_line(page: str) -> str:
    match = re.search(r'id="home-scope">([^<]+)<', page)
    assert match
    return match.group(1)


def test_evaluator_and_ministry_link_schools(site: Site) -> None:
    for name in ("evaluator", "moe"):
        home = site.client(name).get("/")
        assert 'href="/reporting"' in home.text, name


def test_evaluator_home_names_counties(site: Site) -> None:
    home = site.client("evaluator").get("/")
    assert _scope_line(home.text) == "角色：第三方评估，范围：410105"
    assert "全国" not in _scope_line(home.text)


def test_public_home_not_whole_country(site: Site) -> None:
    home = site.client("citizen").get("/")
    assert "全国" not in _scope_line(home.text)


def test_evaluator_completeness_page_and_api(site: Site) -> None:
    site.save(SCHOOL_B)
    client = site.client("evaluator")
    page = client.get(f"/completeness?year={YEAR}")
    api = client.get(f"/api/v1/completeness?year={YEAR}")
    assert page.status_code == 200
    assert api.status_code == 200
    assert [row["code"] for row in api.json()] == ["410105"]
    assert "410105" in page.text


def test_empty_division_is_own_scope(site: Site) -> None:
    client = site.client("zhongyuan")
    page = client.get(f"/completeness?year={YEAR}&division=")
    api = client.get(f"/api/v1/completeness?year={YEAR}&division=")
    assert page.status_code == 200
    assert api.status_code == 200
    assert [row["code"] for row in api.json()] == ["410102"]


def test_school_page_offers_missing_years(site: Site) -> None:
    this_year = date.today().year
    with site.database.sessions() as session:
        row = school_row(year=this_year - 1)
        reporting.save_school_year(session, SYSTEM, SCHOOL_A, this_year - 1, row, None)
        session.commit()
    page = site.client("school_a").get(f"/reporting/{SCHOOL_A}")
    offers = page.text.split('id="open-year"', 1)[1].split("</p>", 1)[0]
    assert f"/reporting/{SCHOOL_A}/{this_year - 1}" not in offers
    assert f"/reporting/{SCHOOL_A}/{this_year}" in offers


def test_return_without_comment_shows_form(site: Site) -> None:
    record = site.advance(site.save())
    response = post_form(
        site.client("zhongyuan"),
        f"/records/{record.id}/review",
        {"decision": "return", "base_version": "1"},
    )
    assert response.status_code == 422
    assert 'id="record-error"' in response.text
    assert "退回时请填写需要修改的内容" in response.text
    assert 'id="review-form"' in response.text


def test_compare_page_by_record_ids(site: Site) -> None:
    first = site.save()
    second = site.save(books=17_000)
    client = site.client("zhongyuan")
    by_id = client.get(f"/records/{first.id}/compare/{second.id}")
    by_version = client.get(f"/reporting/{SCHOOL_A}/{YEAR}/compare?a=1&b=2")
    assert by_id.status_code == 200
    assert by_version.status_code == 200
    assert "17000" in by_id.text
    api = client.get(f"/api/v1/records/{first.id}/compare/{second.id}")
    assert [c["field"] for c in api.json()] == ["books"]


def test_compare_ids_of_other_school_rejected(site: Site) -> None:
    first = site.save()
    other = site.save(SCHOOL_B)
    response = site.client("moe").get(f"/records/{first.id}/compare/{other.id}")
    assert response.status_code == 422


def test_record_page_shows_proposed_master_change(site: Site) -> None:
    site.save()
    draft = site.save(school_name="新名称小学")
    page = site.client("zhongyuan").get(f"/records/{draft.id}")
    section = page.text.split('id="master-changes"', 1)[1].split("</section>", 1)[0]
    assert "新名称小学" in section
    assert "测试小学 1" in section
    school = site.client("zhongyuan").get(f"/api/v1/schools/{SCHOOL_A}").json()
    assert school["name"] == "测试小学 1"
