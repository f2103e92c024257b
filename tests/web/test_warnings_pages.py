"""Open warnings on the home page and on /warnings, within the user's scope."""

from __future__ import annotations

import polars as pl
from factories import warning_row
from web.site import Site

from junheng.monitoring import alerts
from junheng.services import warnings as service
from junheng.services.access import SYSTEM


def _store(site: Site, *codes: str) -> None:
    rows = [
        warning_row(code, year=2024, level="yellow" if i else "red")
        for i, code in enumerate(codes)
    ]
    with site.database.sessions() as session:
        service.refresh_warnings(
            session, SYSTEM, pl.DataFrame(rows, schema=alerts.WARNING_SCHEMA)
        )
        session.commit()


def test_home_lists_the_county_s_own_warnings(site: Site) -> None:
    _store(site, "410102", "410105")
    page = site.client("zhongyuan").get("/").text
    assert "410102 小学 L1 差异系数 0.48 接近上限 0.50" in page
    assert "410105" not in page
    assert "红色" in page
    english = site.client("zhongyuan").get("/?lang=en").text
    assert "410102 primary L1 CV 0.48 is near its limit 0.50" in english


def test_city_sees_both_and_the_full_page_counts_them(site: Site) -> None:
    _store(site, "410102", "410105")
    client = site.client("zhengzhou")
    page = client.get("/warnings?lang=en")
    assert page.status_code == 200
    assert "2 open warning(s)." in page.text
    assert page.text.index("410102 primary") < page.text.index("410105 primary")


def test_no_warnings_and_anonymous_visitors(site: Site) -> None:
    assert "没有待处理的预警" in site.client("jiyuan").get("/").text
    anonymous = site.client()
    assert "预警" not in anonymous.get("/").text
    response = anonymous.get("/warnings", follow_redirects=False)
    assert response.status_code in (303, 401)


def test_home_links_to_the_rest_beyond_five(site: Site) -> None:
    _store(site, *(f"4101{n:02d}" for n in range(2, 10)))
    page = site.client("henan").get("/?lang=en").text
    assert page.count('class="level-') == 5
    assert 'href="/warnings">See all 8 warnings' in page
