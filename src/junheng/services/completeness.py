"""Completeness and timeliness of reporting, per child division, against deadlines.

A :class:`~junheng.store.models.Deadline` sets the date by which the schools of
a region report a school year. The earliest deadline among the scopes that are
prefixes of a school's division code applies to that school, so a county may
set an earlier date than its province but cannot cancel the province's.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from junheng.errors import InvalidInput, PermissionDenied
from junheng.governance import audit
from junheng.services.access import (
    ADMINISTRATIONS,
    SCHOOL_RECORD,
    Principal,
    covers,
    require_read,
)
from junheng.store.models import Deadline, Division, ReviewEvent, School, SchoolRecord

SUBMITTED_STATES: frozenset[str] = frozenset(
    {"submitted", "county_approved", "city_approved", "approved"}
)
"""States of a school-year that has reached its reviewers (a returned record
has not: it waits for the school again)."""


@dataclass(frozen=True)
class CompletenessRow:
    """Reporting progress of one child division for one school year.

    ``expected`` counts the schools in the store under the division,
    ``submitted`` those whose current version is submitted or further,
    ``approved`` those finally approved, ``overdue`` those not submitted after
    their deadline has passed, and ``late`` those first submitted after it.
    ``due_date`` is the deadline that applies to the division itself.
    """

    code: str
    name: str
    level: str
    expected: int
    submitted: int
    approved: int
    overdue: int
    late: int
    due_date: date | None


@dataclass(frozen=True)
class AppliedDeadline:
    """The deadline that applies to a division for a school year: its date,
    and the code and name of the region that set it (``""`` and ``None`` for
    the whole country)."""

    year: int
    due_date: date
    scope_code: str
    scope_name: str | None


def applying(deadlines: dict[str, date], code: str) -> tuple[str, date] | None:
    """Return the scope and date of the earliest deadline among the scopes that
    are prefixes of ``code`` (the region nearest the top on a tie)."""
    found = [
        (scope, due)
        for length in range(len(code) + 1)
        if (due := deadlines.get(scope := code[:length])) is not None
    ]
    return min(found, key=lambda pair: (pair[1], len(pair[0])), default=None)


def _deadline_for(deadlines: dict[str, date], code: str) -> date | None:
    """Return the earliest deadline of the scopes that are prefixes of ``code``."""
    found = applying(deadlines, code)
    return None if found is None else found[1]


def applied_deadlines(
    session: Session, division_code: str, years: list[int] | None = None
) -> dict[int, AppliedDeadline]:
    """Return, for each of ``years`` (every year when ``None``) that has one,
    the deadline that applies to the schools of ``division_code`` and the
    region that set it."""
    prefixes = [division_code[:length] for length in range(len(division_code) + 1)]
    query = select(Deadline).where(Deadline.scope_code.in_(prefixes))
    if years is not None:
        query = query.where(Deadline.year.in_(years))
    by_year: dict[int, dict[str, date]] = defaultdict(dict)
    for row in session.scalars(query):
        by_year[row.year][row.scope_code] = row.due_date
    result: dict[int, AppliedDeadline] = {}
    for year, deadlines in by_year.items():
        found = applying(deadlines, division_code)
        if found is None:
            continue
        division = session.get(Division, found[0]) if found[0] else None
        name = None if division is None else division.name
        result[year] = AppliedDeadline(year, found[1], found[0], name)
    return result


def deadline_window(year: int) -> tuple[date, date]:
    """Return the first and last date a deadline of school year ``year`` may
    have: 1 January of ``year`` to 31 December of the next year, which covers
    the school year (September to July) and the statistics reported for it."""
    return date(year, 1, 1), date(year + 1, 12, 31)


def _check_due_date(
    session: Session, year: int, scope_code: str, due_date: date
) -> None:
    """Raise :class:`InvalidInput` for a date outside :func:`deadline_window` or
    later than a deadline of a region that contains ``scope_code``."""
    first, last = deadline_window(year)
    if not first <= due_date <= last:
        raise InvalidInput(
            f"deadline {due_date.isoformat()} is outside school year {year}: "
            f"choose a date from {first.isoformat()} to {last.isoformat()}",
            zh=f"截止日期 {due_date.isoformat()} 不在 {year} 学年的范围内，"
            f"请选择 {first.isoformat()} 至 {last.isoformat()} 之间的日期",
        )
    above = {
        d.scope_code: d.due_date
        for d in session.scalars(
            select(Deadline).where(
                Deadline.year == year,
                Deadline.scope_code.in_(
                    [scope_code[:length] for length in range(len(scope_code))]
                ),
            )
        )
    }
    if not above:
        return
    limit_scope = min(above, key=lambda code: (above[code], len(code)))
    limit = above[limit_scope]
    if due_date > limit:
        name = limit_scope or "the whole country"
        name_zh = limit_scope or "全国"
        raise InvalidInput(
            f"deadline {due_date.isoformat()} for {scope_code} is later than the "
            f"deadline {limit.isoformat()} that {name} set for school year {year}; "
            f"a region may only set a date on or before {limit.isoformat()}",
            zh=f"{scope_code} 的截止日期 {due_date.isoformat()} 晚于上级 {name_zh} "
            f"为 {year} 学年设定的 {limit.isoformat()}；下级只能设定不晚于 "
            f"{limit.isoformat()} 的日期",
        )


def _children(session: Session, prefix: str) -> list[Division]:
    if len(prefix) >= 6:
        own = session.get(Division, prefix[:6])
        return [own] if own is not None else []
    if prefix == "":
        query = select(Division).where(Division.level == "province")
    else:
        query = select(Division).where(Division.parent_code == prefix)
    return list(session.scalars(query.order_by(Division.code)))


def completeness(
    session: Session,
    principal: Principal,
    year: int,
    prefix: str,
    today: date | None = None,
) -> list[CompletenessRow]:
    """Return the reporting progress of each child division of ``prefix``.

    The children of ``""`` are the provinces, those of a province its cities
    and the counties directly under it, those of a city its counties, and a
    county is its own only row. ``today`` (the current UTC date by default)
    decides which schools are overdue. A division whose code has been retired
    shows only while schools are filed under it.
    """
    require_read(principal, prefix)
    today = today or datetime.now(UTC).date()
    deadlines = {
        d.scope_code: d.due_date
        for d in session.scalars(select(Deadline).where(Deadline.year == year))
    }
    first_submit = (
        select(
            SchoolRecord.school_code.label("school_code"),
            func.min(ReviewEvent.at).label("at"),
        )
        .join(
            ReviewEvent,
            and_(
                ReviewEvent.record_kind == SCHOOL_RECORD,
                ReviewEvent.record_id == SchoolRecord.id,
                ReviewEvent.to_status == "submitted",
            ),
        )
        .where(SchoolRecord.year == year)
        .group_by(SchoolRecord.school_code)
        .subquery()
    )
    query = (
        select(
            School.code, School.division_code, SchoolRecord.status, first_submit.c.at
        )
        .outerjoin(
            SchoolRecord,
            and_(
                SchoolRecord.school_code == School.code,
                SchoolRecord.year == year,
                SchoolRecord.is_current.is_(True),
            ),
        )
        .outerjoin(first_submit, first_submit.c.school_code == School.code)
        .where(School.division_code.startswith(prefix, autoescape=True))
    )
    children = _children(session, prefix)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for _code, division_code, status, submitted_at in session.execute(query):
        child = next(
            (c.code for c in children if division_code.startswith(c.code)), None
        )
        if child is None:
            continue
        tally = counts[child]
        due = _deadline_for(deadlines, division_code)
        tally["expected"] += 1
        if status in SUBMITTED_STATES:
            tally["submitted"] += 1
        if status == "approved":
            tally["approved"] += 1
        if due is not None and status not in SUBMITTED_STATES and today > due:
            tally["overdue"] += 1
        submitted_on = submitted_at.astimezone(UTC).date() if submitted_at else None
        if due is not None and submitted_on is not None and submitted_on > due:
            tally["late"] += 1
    return [
        CompletenessRow(
            code=child.code,
            name=child.name,
            level=child.level,
            expected=counts[child.code]["expected"],
            submitted=counts[child.code]["submitted"],
            approved=counts[child.code]["approved"],
            overdue=counts[child.code]["overdue"],
            late=counts[child.code]["late"],
            due_date=_deadline_for(deadlines, child.code),
        )
        for child in children
        if child.valid_to is None or counts[child.code]["expected"] > 0
    ]


def set_deadline(
    session: Session, principal: Principal, year: int, scope_code: str, due_date: date
) -> Deadline:
    """Set the date by which the schools in ``scope_code`` report ``year``.

    An education authority sets deadlines for its own region and the regions
    inside it. The date must lie in :func:`deadline_window` and, because the
    earliest deadline applies, on or before any deadline of a region that
    contains ``scope_code``.
    """
    if principal.role not in ADMINISTRATIONS or not covers(principal.scope, scope_code):
        raise PermissionDenied(
            f"user {principal.username!r} may not set deadlines for {scope_code!r}",
            zh=f"用户 {principal.username} 无权为 {scope_code or '全国'} 设置截止日期",
        )
    if scope_code and not (scope_code.isascii() and scope_code.isdigit()):
        raise InvalidInput(
            f"scope {scope_code!r} is not a division code prefix",
            zh=f"{scope_code!r} 不是行政区划代码",
        )
    _check_due_date(session, year, scope_code, due_date)
    deadline = session.get(Deadline, (year, scope_code))
    before = None if deadline is None else {"due_date": deadline.due_date.isoformat()}
    if deadline is None:
        deadline = Deadline(year=year, scope_code=scope_code, due_date=due_date)
        session.add(deadline)
    else:
        deadline.due_date = due_date
    session.flush()
    audit.append(
        session,
        principal.username,
        "deadline.set",
        "deadline",
        f"{year}:{scope_code}",
        before,
        {"due_date": due_date.isoformat()},
    )
    return deadline
