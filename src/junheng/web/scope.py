"""Region scoping of list queries, following :mod:`junheng.services.access`.

The SQL filters only narrow the rows fetched; every row is still checked with
:func:`~junheng.services.access.can_read`, so the access rules stay in one place.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session

from junheng.errors import NotFound, PermissionDenied
from junheng.services.access import (
    SCHOOL_RECORD,
    Principal,
    Role,
    can_read,
    require_read,
)
from junheng.services.completeness import CompletenessRow, completeness
from junheng.store.models import Division, ReviewEvent, School, SchoolRecord


def readable_schools(
    session: Session, principal: Principal, prefix: str = ""
) -> Sequence[School]:
    """Return the schools ``principal`` may read under division ``prefix``."""
    query = select(School).where(
        School.division_code.startswith(prefix, autoescape=True)
    )
    if principal.role == Role.PUBLIC:
        query = query.where(false())
    elif principal.role == Role.SCHOOL:
        query = query.where(School.code == (principal.school_code or ""))
    elif principal.role == Role.EVALUATOR:
        query = query.where(
            or_(
                false(),
                *(
                    School.division_code.startswith(code, autoescape=True)
                    for code in principal.assigned_counties
                ),
            )
        )
    else:
        query = query.where(
            School.division_code.startswith(principal.scope, autoescape=True)
        )
    schools = session.scalars(query.order_by(School.division_code, School.code)).all()
    return [s for s in schools if can_read(principal, s.division_code, s.code)]


def get_school(session: Session, principal: Principal, code: str) -> School:
    """Return school ``code``; raise NotFound or PermissionDenied."""
    school = session.get(School, code)
    if school is None:
        raise NotFound(
            f"school {code!r} was not found; list the schools you may read at "
            "/api/v1/schools",
            zh=f"找不到学校 {code}，可在 /api/v1/schools 查看有权访问的学校",
        )
    require_read(principal, school.division_code, school.code)
    return school


def get_division(session: Session, code: str) -> Division:
    """Return division ``code``; raise NotFound with where to look codes up."""
    division = session.get(Division, code)
    if division is None:
        raise NotFound(
            f"division {code!r} was not found; division codes have 2 (province), "
            "4 (city) or 6 (county) digits, listed at /api/v1/divisions",
            zh=f"找不到行政区划 {code}；省级代码 2 位、地市 4 位、县级 6 位，"
            "可在 /api/v1/divisions 查询",
        )
    return division


def require_scope(principal: Principal, prefix: str) -> None:
    """Raise PermissionDenied unless ``principal`` may read region ``prefix``."""
    if not can_read(principal, prefix):
        raise PermissionDenied(
            f"user {principal.username!r} may not read region {prefix or 'national'}",
            zh=f"用户 {principal.username} 无权查看地区 {prefix or '全国'} 的数据",
        )


def get_record(
    session: Session, principal: Principal, record_id: int
) -> tuple[SchoolRecord, School]:
    """Return a school-year record version and its school; raise NotFound or
    PermissionDenied."""
    record = session.get(SchoolRecord, record_id)
    if record is None:
        raise NotFound(
            f"record {record_id} was not found; the versions of a school year are "
            "listed at /api/v1/schools/{code}/records?year=YEAR",
            zh=f"找不到记录 {record_id}",
        )
    school = session.get(School, record.school_code)
    if school is None:  # pragma: no cover - a foreign key keeps it
        raise NotFound(f"school {record.school_code!r} was not found")
    require_read(principal, school.division_code, school.code)
    return record, school


def current_records(session: Session, school_code: str) -> Sequence[SchoolRecord]:
    """Return the current version of each year of a school, latest year first."""
    return session.scalars(
        select(SchoolRecord)
        .where(SchoolRecord.school_code == school_code, SchoolRecord.is_current)
        .order_by(SchoolRecord.year.desc())
    ).all()


def record_events(
    session: Session, school_code: str, year: int
) -> Sequence[ReviewEvent]:
    """Return the workflow events of every version of a school year, oldest first."""
    ids = select(SchoolRecord.id).where(
        SchoolRecord.school_code == school_code, SchoolRecord.year == year
    )
    return session.scalars(
        select(ReviewEvent)
        .where(ReviewEvent.record_kind == SCHOOL_RECORD, ReviewEvent.record_id.in_(ids))
        .order_by(ReviewEvent.at, ReviewEvent.id)
    ).all()


def completeness_rows(
    session: Session, principal: Principal, year: int, division: str | None
) -> list[CompletenessRow]:
    """Return the reporting progress under ``division`` for the page and the API.

    An empty or missing ``division`` means the caller's own region: its scope,
    or for an evaluator each county assigned to it.
    """
    if division:
        prefixes: tuple[str, ...] = (division,)
    elif principal.role == Role.EVALUATOR:
        prefixes = principal.assigned_counties
    else:
        prefixes = (principal.scope,)
    rows: list[CompletenessRow] = []
    for prefix in prefixes:
        require_scope(principal, prefix)
        rows += completeness(session, principal, year, prefix)
    return rows
