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
from junheng.store.divisions import retired_changes
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
    if division.valid_to is not None:
        english, chinese = _retired_message(division)
        raise InvalidInput(english, zh=chinese)
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


def _retired_message(division: Division) -> tuple[str, str]:
    """Return why no school may move into the retired ``division`` and the fix,
    in English and Chinese (the ``zh`` text second)."""
    changes = retired_changes(division)
    year = changes[0].year if changes else division.valid_to
    if division.successor_code:
        return (
            f"county {division.code} ({division.name}) is no longer in use since "
            f"{year} ({'; then '.join(c.text('en') for c in changes)}); move the "
            f"school to {division.successor_code} instead",
            f"县 {division.code}（{division.name}）自 {year} 年起不再使用"
            f"（{'，之后'.join(c.text('zh') for c in changes)}），"
            f"请改迁至 {division.successor_code}",
        )
    return (
        f"county {division.code} ({division.name}) is no longer in use since "
        f"{year}; move the school to a county in use",
        f"县 {division.code}（{division.name}）自 {year} 年起不再使用，请迁至现行的县",
    )
