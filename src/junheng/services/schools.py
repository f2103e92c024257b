"""Changes to a school's master data that a school-year record may not make.

A school-year record always carries the county of the school in the store (see
:func:`junheng.services.reporting.save_school_year`). When a school really
moves to another county, an education authority whose scope covers both
counties moves it here, with a reason that goes into the audit trail.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from junheng.errors import InvalidInput, NotFound, PermissionDenied
from junheng.governance import audit
from junheng.services.access import ADMINISTRATIONS, Principal, covers
from junheng.store.models import Division, School


def move_school(
    session: Session,
    principal: Principal,
    school_code: str,
    division_code: str,
    reason: str,
) -> School:
    """File ``school_code`` under the county ``division_code`` from now on.

    Versions saved before the move keep the county they were saved with, so
    approved data of earlier years stay where they were evaluated. Raises
    :class:`NotFound` for an unknown school or county, :class:`PermissionDenied`
    unless ``principal`` is an education authority covering both counties, and
    :class:`InvalidInput` without a reason.
    """
    if not reason.strip():
        raise InvalidInput("moving a school needs a reason", zh="迁移学校时请填写原因")
    school = session.get(School, school_code)
    if school is None:
        raise NotFound(
            f"no school with code {school_code}", zh=f"不存在学校 {school_code}"
        )
    division = session.get(Division, division_code)
    if division is None or division.level != "county":
        raise NotFound(
            f"county {division_code!r} is not in the division table; check the "
            "code or run `junheng db load-divisions`",
            zh=f"行政区划表中没有县 {division_code}",
        )
    old = school.division_code
    if principal.role not in ADMINISTRATIONS or not (
        covers(principal.scope, old) and covers(principal.scope, division_code)
    ):
        raise PermissionDenied(
            f"user {principal.username!r} ({principal.role}) may not move school "
            f"{school_code} from {old} to {division_code}; its scope must cover "
            "both counties",
            zh=f"用户 {principal.username} 无权将学校 {school_code} 从 {old} 迁至 "
            f"{division_code}：其管辖范围须同时包含两个县",
        )
    if old == division_code:
        return school
    school.division_code = division_code
    session.flush()
    audit.append(
        session,
        principal.username,
        "school.move",
        "school",
        school_code,
        {"division_code": old},
        {"division_code": division_code, "reason": reason.strip()},
    )
    return school
