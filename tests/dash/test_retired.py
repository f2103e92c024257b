"""The page of a retired division code, and the page of a school in a retired
county, names the code that replaced it from the commit of the load that
retired it on."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from dash.conftest import Site, open_shared_site, open_site
from dash.dashdata import (
    CHONGWEN,
    CHONGWEN_SCHOOL,
    DONGCHENG,
    RETIRED_YEAR,
    ZHONGYUAN,
    seed_before_retirement,
    seed_retired,
)
from dash.pagetables import read_tables
from store.dbfixtures import BACKENDS, Database

from junheng.services import records
from junheng.services.access import SYSTEM
from junheng.store.divisions import load_divisions

OLD_PAGE = f"/dash/{RETIRED_YEAR}/county/{CHONGWEN}"
OLD_SCHOOL_PAGE = f"/dash/{RETIRED_YEAR}/school/{CHONGWEN_SCHOOL}"
# 东城区 has results in 2024 only, so the link skips to that year.
SUCCESSOR_PAGE = f"/dash/2024/county/{DONGCHENG}"
NOTICE = re.compile(r'<p class="notice" id="division-changes">(.*?)</p>', re.S)
# The change table's row 2010,撤销,110103,崇文区,110101,东城区.
CHINESE_CHANGE = (
    "行政区划代码 110103 自 2010 年起不再使用： 2010年并入 东城区（110101）"
)
CHINESE_NOTICE = (
    f"{CHINESE_CHANGE}。 "
    f'<a href="{SUCCESSOR_PAGE}" id="successor-link">'
    "查看 东城区（110101）的评估结果</a>"
)
ENGLISH_NOTICE = (
    "Division code 110103 is no longer in use since 2010: "
    "merged into 东城区 (110101) in 2010. "
    f'<a href="{SUCCESSOR_PAGE}" id="successor-link">'
    "See the results of 东城区 (110101)</a>"
)
# A school page carries the notice of its county, 110103 for these schools.
RETIRED_PAGES = pytest.mark.parametrize(
    "path", [OLD_PAGE, OLD_SCHOOL_PAGE], ids=["county", "school"]
)


@pytest.fixture(scope="module", params=BACKENDS)
def retired_site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """Yield the app on the dashboard data with Beijing's added."""
    yield from open_shared_site(request.param, tmp_path_factory, seed_retired)


@pytest.fixture
def site_before_retirement(database: Database) -> Iterator[Site]:
    """Yield the app on the data of ``retired_site`` with 崇文区 still in force."""
    yield from open_site(database, seed_before_retirement)


def _notice(site: Site, path: str, user: str | None, lang: str) -> str | None:
    response = site.get(path, user, lang=lang)
    assert response.status_code == 200, response.text
    found = NOTICE.search(response.text)
    return None if found is None else " ".join(found.group(1).split())


@RETIRED_PAGES
def test_notice_links_to_successor_in_chinese(retired_site: Site, path: str) -> None:
    assert _notice(retired_site, path, "moe", "zh") == CHINESE_NOTICE


@RETIRED_PAGES
def test_notice_links_to_successor_in_english(retired_site: Site, path: str) -> None:
    assert _notice(retired_site, path, None, "en") == ENGLISH_NOTICE


def test_successor_link_opens_its_page(retired_site: Site) -> None:
    page = retired_site.get(SUCCESSOR_PAGE, "moe")
    assert page.status_code == 200
    assert '<span class="dash-name">东城区</span>' in page.text


@RETIRED_PAGES
def test_no_link_to_a_successor_outside_the_scope(
    retired_site: Site, path: str
) -> None:
    # The account of 崇文区 may not read 东城区, so the notice has no link.
    assert _notice(retired_site, path, "chongwen", "zh") == CHINESE_CHANGE


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_school_twin_carries_county(retired_site: Site, lang: str) -> None:
    county = retired_site.get(f"{OLD_PAGE}.json", "moe", lang=lang).json()
    school = retired_site.get(f"{OLD_SCHOOL_PAGE}.json", "moe", lang=lang).json()
    assert school["division_code"] == CHONGWEN
    assert school["retired"] == county["retired"]
    assert school["retired"]["successor_code"] == DONGCHENG


@pytest.mark.parametrize(
    "path",
    [
        SUCCESSOR_PAGE,
        f"/dash/2024/county/{ZHONGYUAN}",
        "/dash/2024/city/4101",
        # Schools of 东城区 and 中原区, whose codes are in force.
        "/dash/2024/school/2111000021",
        "/dash/2024/school/2141000001",
    ],
)
def test_code_in_force_has_no_notice(retired_site: Site, path: str) -> None:
    assert _notice(retired_site, path, "moe", "zh") is None
    twin = retired_site.get(f"{path}.json", "moe", lang="zh").json()
    assert "retired" not in twin


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("zh", "2010年并入 东城区（110101）"),
        ("en", "merged into 东城区 (110101) in 2010"),
    ],
)
def test_twin_carries_successor(retired_site: Site, lang: str, text: str) -> None:
    twin = retired_site.get(f"{OLD_PAGE}.json", "moe", lang=lang).json()
    assert twin["retired"] == {
        "code": CHONGWEN,
        "name": "崇文区",
        "level": "county",
        "parent_code": "11",
        "valid_from": None,
        "valid_to": 2010,
        "successor_code": DONGCHENG,
        "changes": [
            {
                "year": 2010,
                "kind": "merged",
                "new_code": DONGCHENG,
                "new_name": "东城区",
                "text": text,
            }
        ],
    }
    api = retired_site.get(f"/api/v1/evaluations/{RETIRED_YEAR}/{CHONGWEN}", "moe")
    assert api.json()["retired"]["successor_code"] == DONGCHENG


def test_retired_code_still_shows_its_data(retired_site: Site) -> None:
    twin = retired_site.get(f"{OLD_PAGE}.json", "moe", lang="zh").json()
    assert (twin["name"], twin["year"]) == ("崇文区", RETIRED_YEAR)
    # No county items were reported, so the verdict cannot be reached.
    assert twin["verdict"] == "incomplete"
    codes = [row["school_code"] for row in twin["tables"]["schools"]["rows"]]
    assert codes == ["2111000031", "2111000032"]
    page = retired_site.get(OLD_PAGE, "moe")
    assert len(read_tables(page.text).tables["schools"]) == 2
    # There are no results of 崇文区 after it was merged.
    assert retired_site.get(f"/dash/2024/county/{CHONGWEN}", "moe").status_code == 404


def test_notice_follows_division_load(site_before_retirement: Site) -> None:
    site = site_before_retirement
    pages = (OLD_PAGE, OLD_SCHOOL_PAGE)
    # These requests fill the caches of the pages while 110103 is in force.
    for path in pages:
        assert _notice(site, path, "moe", "zh") is None
        assert "retired" not in site.get(f"{path}.json", "moe", lang="zh").json()
    with site.database.sessions() as session:
        generation = records.data_generation(session)
        loaded = load_divisions(session, SYSTEM, 2025, within=("11",))
        session.commit()
        # The load retired 110103 and regenerated no data.
        assert loaded.retired == [CHONGWEN]
        assert loaded.successors == {CHONGWEN: DONGCHENG}
        assert records.data_generation(session) == generation
    for path in pages:
        assert _notice(site, path, "moe", "zh") == CHINESE_NOTICE
        twin = site.get(f"{path}.json", "moe", lang="zh").json()
        # valid_to is the year of this load. The notice gives the year of
        # the change, from the change table.
        assert (twin["retired"]["valid_to"], twin["retired"]["successor_code"]) == (
            2025,
            DONGCHENG,
        )
