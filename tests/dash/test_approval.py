"""An approval in the store changes the results on the next request."""

from __future__ import annotations

from dash.conftest import Site
from dash.dashdata import (
    ERQI,
    WEAK_SCHOOL,
    ZHONGYUAN,
    finish_weak_school,
    passing_items,
    save_school,
)
from factories import primary_school

from junheng.services import records, reporting
from junheng.services.access import SYSTEM
from junheng.web.dash_support import StoreSource


def _verdict(site: Site, user: str | None = "zhongyuan") -> str:
    response = site.get(f"/dash/2024/county/{ZHONGYUAN}.json", user)
    assert response.status_code == 200, response.text
    verdict: str = response.json()["verdict"]
    return verdict


def test_approval_changes_county_verdict(site: Site) -> None:
    cache_before = _verdict(site)
    cache = site.client.app.state.results_cache  # type: ignore[attr-defined]
    builds = cache.builds
    assert _verdict(site) == cache_before == "pass"
    assert cache.builds == builds  # same data generation: nothing rebuilt
    with site.database.sessions() as session:
        before = records.data_generation(session)
        finish_weak_school(session, site.people)
        assert records.data_generation(session) == before + 1
    assert _verdict(site) == "fail"
    twin = site.get(f"/dash/2024/county/{ZHONGYUAN}.json", "zhongyuan").json()
    codes = [r["school_code"] for r in twin["tables"]["schools"]["rows"]]
    assert WEAK_SCHOOL in codes
    reasons = [r["message"] for r in twin["tables"]["reasons"]["rows"]]
    assert any(WEAK_SCHOOL in m and "资源配置 5/7 项达标" in m for m in reasons)


def test_approval_changes_cached_html_page(site: Site) -> None:
    path = f"/dash/2024/county/{ZHONGYUAN}"
    first = site.get(path, "zhongyuan").text
    assert 'data-verdict="pass"' in first
    assert '<span class="who">zhongyuan</span>' in first
    # The main part is cached per link set; the header is still per caller.
    other = site.get(path, "zhengzhou").text
    assert '<span class="who">zhengzhou</span>' in other
    assert 'data-verdict="pass"' in other
    with site.database.sessions() as session:
        finish_weak_school(session, site.people)
    after = site.get(path, "zhongyuan").text
    assert 'data-verdict="fail"' in after
    assert WEAK_SCHOOL in after


def test_approval_publishes_county(site: Site) -> None:
    assert site.get(f"/dash/2024/county/{ZHONGYUAN}").status_code == 404
    with site.database.sessions() as session:
        finish_weak_school(session, site.people)
    assert _verdict(site, None) == "fail"


def test_weak_school_values_highlighted(site: Site) -> None:
    with site.database.sessions() as session:
        finish_weak_school(session, site.people)
    twin = site.get(f"/dash/2024/county/{ZHONGYUAN}.json", "zhongyuan").json()
    weak = next(
        r for r in twin["tables"]["schools"]["rows"] if r["school_code"] == WEAK_SCHOOL
    )
    # L1 = 12 × 100 / 500 = 2.4 < 4.2 and L2 = 3 × 100 / 500 = 0.6 < 1.0.
    assert (weak["v_L1"], weak["met_L1"]) == (2.4, False)
    assert (weak["v_L2"], weak["met_L2"]) == (0.6, False)
    assert weak["met_L3"] is True
    page = site.get(f"/dash/2024/county/{ZHONGYUAN}", "zhongyuan").text
    assert 'class="num fail">2.40' in page


def test_store_source_published_counties(site: Site) -> None:
    with site.database.sessions() as session:
        source = StoreSource(session)
        assert source.years() == [2023, 2024]
        assert source.published_counties(2024) == {"410103"}
        assert source.published_counties(2023) == {ZHONGYUAN}


def test_new_draft_unpublishes_county(site: Site) -> None:
    # 二七区 2024 has two schools, both approved by the province: published.
    assert site.get(f"/dash/2024/county/{ERQI}").status_code == 200
    row = primary_school(13, division_code=ERQI, year=2024)
    with site.database.sessions() as session:
        before = records.data_generation(session)
        assert records.county_published(session, ERQI, 2024)
        save_school(session, row)
        assert not records.county_published(session, ERQI, 2024)
        assert records.data_generation(session) == before + 1
        session.commit()
    assert site.get(f"/dash/2024/county/{ERQI}").status_code == 404
    # The county staff still see the county, with the draft left out.
    assert site.get(f"/dash/2024/county/{ERQI}.json", "erqi").status_code == 200


def test_draft_in_unpublished_county_no_bump(site: Site) -> None:
    # 中原区 2024 has a school approved only by the county: not published, so
    # a further draft changes nothing the public sees.
    row = primary_school(14, year=2024)
    with site.database.sessions() as session:
        before = records.data_generation(session)
        assert not records.county_published(session, ZHONGYUAN, 2024)
        save_school(session, row)
        assert records.data_generation(session) == before
        session.commit()


def test_first_county_items_unpublish(site: Site) -> None:
    # 二七区 2024 has no county items yet; their first draft is not final.
    with site.database.sessions() as session:
        before = records.data_generation(session)
        reporting.save_county_items(session, SYSTEM, ERQI, 2024, passing_items(), None)
        assert not records.county_published(session, ERQI, 2024)
        assert records.data_generation(session) == before + 1
        session.commit()
    assert site.get(f"/dash/2024/county/{ERQI}").status_code == 404
