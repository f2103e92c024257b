"""Access rules: who reads and reviews what, for every role."""

from __future__ import annotations

import pytest

from junheng.services.access import (
    SYSTEM,
    Principal,
    Role,
    can_read,
    can_review,
    can_write,
)

MINISTRY = Principal(1, "moe", Role.MINISTRY, "")
HENAN = Principal(2, "henan", Role.PROVINCE, "41")
ZHENGZHOU = Principal(3, "zhengzhou", Role.CITY, "4101")
ZHONGYUAN = Principal(4, "zhongyuan", Role.COUNTY, "410102")
SCHOOL = Principal(5, "school", Role.SCHOOL, "410102", school_code="2141000001")
EVALUATOR = Principal(6, "eval", Role.EVALUATOR, "", assigned_counties=("410102",))
PUBLIC = Principal(None, "public", Role.PUBLIC, "")
# 410103 二七区 is a second county of Zhengzhou; 110101 东城区 lies in Beijing.


def test_ministry_reads_everything() -> None:
    assert can_read(MINISTRY, "410102", "2141000001")
    assert can_read(MINISTRY, "110101")
    assert can_read(MINISTRY, "")


def test_province_reads_its_province_only() -> None:
    assert can_read(HENAN, "410103")
    assert can_read(HENAN, "41")
    assert not can_read(HENAN, "110101")
    assert not can_read(HENAN, "")


def test_city_reads_its_counties_only() -> None:
    assert can_read(ZHENGZHOU, "410103")
    assert not can_read(ZHENGZHOU, "410203")
    assert not can_read(ZHENGZHOU, "41")


def test_county_cannot_read_another_county_school() -> None:
    assert can_read(ZHONGYUAN, "410102", "2141000001")
    assert not can_read(ZHONGYUAN, "410103", "2141000077")
    assert not can_read(ZHONGYUAN, "4101")


def test_school_reads_its_own_school_only() -> None:
    assert can_read(SCHOOL, "410102", "2141000001")
    assert not can_read(SCHOOL, "410102", "2141000002")
    assert not can_read(SCHOOL, "410102")


def test_evaluator_limited_to_assigned_counties() -> None:
    assert can_read(EVALUATOR, "410102", "2141000001")
    assert not can_read(EVALUATOR, "410103")
    assert not can_read(EVALUATOR, "4101")


def test_public_cannot_read_unpublished_data() -> None:
    assert not can_read(PUBLIC, "410102")
    assert not can_read(PUBLIC, "")
    assert can_read(PUBLIC, "410102", published=True)


def test_write_rights() -> None:
    assert can_write(SCHOOL, "410102", "2141000001")
    assert not can_write(SCHOOL, "410102", "2141000002")
    assert can_write(ZHONGYUAN, "410102", "2141000002")
    assert not can_write(ZHONGYUAN, "410103", "2141000077")
    assert not can_write(EVALUATOR, "410102", "2141000001")
    assert not can_write(PUBLIC, "410102", "2141000001")
    assert can_write(SYSTEM, "410102", "2141000001")


@pytest.mark.parametrize(
    ("principal", "status", "allowed"),
    [
        (ZHONGYUAN, "submitted", True),
        (ZHONGYUAN, "county_approved", False),
        (ZHENGZHOU, "submitted", False),
        (ZHENGZHOU, "county_approved", True),
        (HENAN, "county_approved", False),
        (HENAN, "city_approved", True),
        (SCHOOL, "submitted", False),
        (EVALUATOR, "submitted", False),
        (MINISTRY, "city_approved", False),
        (PUBLIC, "submitted", False),
        (ZHONGYUAN, "draft", False),
        (HENAN, "approved", False),
    ],
)
def test_review_rights_along_the_chain(
    principal: Principal, status: str, allowed: bool
) -> None:
    assert can_review(principal, "410102", status) is allowed


def test_school_user_cannot_approve() -> None:
    for status in ("submitted", "county_approved", "city_approved"):
        assert not can_review(SCHOOL, "410102", status)


def test_review_skips_city_without_city_level() -> None:
    # 110101 东城区 is a district of Beijing, a municipality: no city level.
    beijing = Principal(7, "beijing", Role.PROVINCE, "11")
    dongcheng = Principal(8, "dongcheng", Role.COUNTY, "110101")
    assert can_review(dongcheng, "110101", "submitted")
    assert can_review(beijing, "110101", "county_approved")
    # 469001 五指山市 is a county-level city directly under Hainan province.
    hainan = Principal(9, "hainan", Role.PROVINCE, "46")
    assert can_review(hainan, "469001", "county_approved")
    assert not can_review(HENAN, "410102", "county_approved")


def test_review_uses_given_city_level() -> None:
    assert can_review(HENAN, "410102", "county_approved", city_level=False)
    assert not can_review(ZHENGZHOU, "410102", "county_approved", city_level=False)
