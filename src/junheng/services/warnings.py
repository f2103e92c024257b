"""Early warnings and schedule targets in the store.

A monitoring run (:func:`junheng.monitoring.pipeline.monitor`) returns warnings
as a table, and :func:`refresh_warnings` stores them. A warning already
stored under the same key (rule, year, division, section, indicator, school)
is kept as it is, with its opening date, deadline and escalations. A new one
is added. A stored open warning of a division and year that the run covered
but no longer raises is resolved. :func:`escalate_overdue` moves open warnings
past their deadline one step up (:func:`junheng.monitoring.alerts.escalate`).
Every change is written with its audit record in the caller's transaction.

:func:`save_targets` stores a schedule (:mod:`junheng.monitoring.schedule`),
and :func:`digest_message` writes the e-mail digest of a region's open warnings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from email.message import EmailMessage
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from junheng.errors import InputError, NotFound, PermissionDenied
from junheng.governance import audit
from junheng.monitoring import alerts, schedule
from junheng.services.access import ADMINISTRATIONS, Principal, Role, can_read, covers
from junheng.services.input_checks import reject_nul
from junheng.store.models import Division, Target, User, Warning, utcnow


def _require_admin(principal: Principal, codes: Iterable[str], what: str) -> None:
    wanted = sorted(set(codes))
    outside = [c for c in wanted if not covers(principal.scope, c)]
    if principal.role not in ADMINISTRATIONS or outside:
        # A user of another role may change none of them: name them all.
        shown = ", ".join((outside or wanted)[:5])
        of_en, of_zh = (f" of {shown}", f" {shown} 的") if shown else ("", "")
        raise PermissionDenied(
            f"user {principal.username!r} ({principal.role}) may not change the "
            f"{what}{of_en}; an education authority covering them can",
            zh=f"用户 {principal.username} 无权修改{of_zh}{_WHAT_ZH[what]}，"
            "需由覆盖这些地区的教育行政部门操作",
        )


_WHAT_ZH = {"warnings": "预警", "targets": "达标计划"}


def _state(warning: Warning) -> dict[str, Any]:
    return {
        "key": warning.key,
        "rule": warning.rule,
        "level": warning.level,
        "division_code": warning.division_code,
        "responsible": warning.responsible,
        "responsible_code": warning.responsible_code,
        "opened": warning.opened,
        "deadline": warning.deadline,
        "status": warning.status,
        "escalations": warning.escalations,
        "escalated_to": warning.escalated_to,
    }


def refresh_warnings(
    session: Session,
    principal: Principal,
    warnings: pl.DataFrame,
    *,
    covered: pl.DataFrame | None = None,
) -> dict[str, int]:
    """Store the warnings of a monitoring run; return the counts ``added``,
    ``kept`` and ``resolved``.

    ``covered`` (``year, division_code``) lists the county-years the run
    evaluated; stored open warnings among them that the run did not raise are
    resolved. By default it is the county-years of ``warnings``.
    """
    _require_admin(principal, warnings["division_code"].unique().to_list(), "warnings")
    now = utcnow()
    keys = warnings["warning_id"].to_list()
    stored = {
        w.key: w
        for chunk in _chunks(keys)
        for w in session.scalars(select(Warning).where(Warning.key.in_(chunk)))
    }
    counts = {"added": 0, "kept": 0, "resolved": 0}
    for row in warnings.iter_rows(named=True):
        if row["warning_id"] in stored:
            counts["kept"] += 1
            continue
        warning = Warning(
            key=row["warning_id"],
            rule=row["rule"],
            level=row["level"],
            year=row["year"],
            division_code=row["division_code"],
            city_code=row["city_code"],
            province_code=row["province_code"],
            school_code=row["school_code"],
            responsible=row["responsible"],
            responsible_code=row["responsible_code"],
            opened=row["raised_on"],
            deadline=row["deadline"],
            status="open",
            escalations=0,
            escalated_to=None,
            explanation_zh=row["message_zh"],
            explanation_en=row["message_en"],
            updated_at=now,
        )
        session.add(warning)
        session.flush()
        audit.append(
            session,
            principal.username,
            "warning.open",
            "warning",
            warning.id,
            None,
            _state(warning),
            at=now,
        )
        counts["added"] += 1
    scope = covered if covered is not None else warnings.select("year", "division_code")
    _require_admin(principal, scope["division_code"].unique().to_list(), "warnings")
    raised = set(keys)
    for year, codes in scope.unique().group_by("year"):
        division_codes = codes["division_code"].to_list()
        for chunk in _chunks(division_codes):
            query = select(Warning).where(
                Warning.status == "open",
                Warning.year == year[0],
                Warning.division_code.in_(chunk),
            )
            for warning in session.scalars(query):
                if warning.key in raised:
                    continue
                before = _state(warning)
                warning.status = "resolved"
                warning.updated_at = now
                audit.append(
                    session,
                    principal.username,
                    "warning.resolve",
                    "warning",
                    warning.id,
                    before,
                    _state(warning),
                    at=now,
                )
                counts["resolved"] += 1
    session.flush()
    return counts


def _chunks(values: list[Any], size: int = 500) -> Iterable[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def escalate_overdue(
    session: Session,
    principal: Principal,
    today: dt.date,
    rules: alerts.RuleSet | None = None,
) -> int:
    """Escalate the open warnings within the principal's scope whose deadline is
    before ``today``; return how many moved up."""
    _require_admin(principal, [principal.scope], "warnings")
    rules = rules or alerts.load_rules()
    due = list(
        session.scalars(
            select(Warning)
            .where(
                Warning.status == "open",
                Warning.deadline < today,
                Warning.division_code.startswith(principal.scope, autoescape=True),
            )
            .order_by(Warning.id)
        )
    )
    if not due:
        return 0

    frame = pl.DataFrame(
        [
            {
                "id": w.id,
                "division_code": w.division_code,
                "city_code": w.city_code,
                "province_code": w.province_code,
                "level": w.level,
                "responsible": w.responsible,
                "responsible_code": w.responsible_code,
                "deadline": w.deadline,
                "status": w.status,
                "escalations": w.escalations,
            }
            for w in due
        ],
        schema_overrides={"deadline": pl.Date, "escalations": pl.Int64},
    )
    moved = {
        r["id"]: r for r in alerts.escalate(frame, today, rules).iter_rows(named=True)
    }
    now = utcnow()

    for warning in due:
        row = moved[warning.id]
        before = _state(warning)
        warning.level = row["level"]
        warning.responsible = row["responsible"]
        warning.responsible_code = row["responsible_code"]
        warning.deadline = row["deadline"]
        warning.escalations = row["escalations"]
        warning.escalated_to = row["responsible_code"]
        warning.updated_at = now
        audit.append(
            session,
            principal.username,
            "warning.escalate",
            "warning",
            warning.id,
            before,
            _state(warning),
            at=now,
        )
    session.flush()
    return len(due)


def open_warnings(
    session: Session,
    principal: Principal,
    *,
    limit: int | None = None,
    levels: Iterable[str] = ("blue", "yellow", "orange", "red"),
) -> list[Warning]:
    """Return the open warnings the principal may read, most severe and
    earliest deadline first.

    A regional user sees the warnings of divisions inside the scope; a school
    user those of the school; an
    evaluator those of the assigned counties; the public none. ``levels``
    are the warning levels, lowest first.
    """
    if principal.role == Role.PUBLIC:
        return []
    query = select(Warning).where(Warning.status == "open")
    if principal.role == Role.EVALUATOR:
        query = query.where(Warning.division_code.in_(principal.assigned_counties))
    elif principal.role == Role.SCHOOL:
        query = query.where(Warning.school_code == principal.school_code)
    else:
        # The responsible body is the division or a region above it, so a
        # warning escalated to a city stays visible to that city's users.
        query = query.where(
            Warning.division_code.startswith(principal.scope, autoescape=True)
        )
    found = [
        w
        for w in session.scalars(query.order_by(Warning.deadline, Warning.id))
        if can_read(principal, w.division_code, w.school_code)
    ]
    order = {level: i for i, level in enumerate(reversed(list(levels)))}
    found.sort(key=lambda w: (order.get(w.level, len(order)), w.deadline, w.id))
    return found[:limit] if limit is not None else found


def save_targets(
    session: Session, principal: Principal, schedule: pl.DataFrame, source: str
) -> int:
    """Store the rows of a schedule, replacing earlier targets of the same
    divisions; return the number of rows stored."""
    codes = schedule["division_code"].to_list()
    _require_admin(principal, codes, "targets")
    reject_nul(
        **{
            f"note ({code})": note
            for code, note in schedule.select("division_code", "note").iter_rows()
        }
    )
    now = utcnow()
    for row in schedule.iter_rows(named=True):
        target = session.get(Target, row["division_code"])
        before = (
            None
            if target is None
            else {"target_year": target.target_year, "note": target.note}
        )
        if target is None:
            target = Target(division_code=row["division_code"])
            session.add(target)
        target.level = row["level"]
        target.target_year = row["target_year"]
        target.note = row["note"]
        target.source = source
        target.updated_by = principal.username
        target.updated_at = now
        audit.append(
            session,
            principal.username,
            "target.save",
            "target",
            row["division_code"],
            before,
            {"target_year": target.target_year, "note": target.note},
            at=now,
        )
    session.flush()
    return len(codes)


def known_division(session: Session) -> Callable[[str], bool]:
    """Return a test of whether a code is a division of the store."""
    codes = set(session.scalars(select(Division.code)))
    return codes.__contains__


def set_target(
    session: Session,
    principal: Principal,
    division_code: str,
    target_year: int,
    note: str | None = None,
    source: str = "web",
) -> None:
    """Store one division's target year (a form's row), checked like a row
    of a schedule file."""
    code = division_code.strip()
    if not known_division(session)(code):
        raise InputError(
            f"division {code!r} is not a division of the platform; choose a "
            "province, city or county code from the list",
            zh=f"行政区划 {code} 不在平台中，请从列表中选择省、市或县代码",
        )
    first, last = schedule.YEARS
    if not first <= target_year <= last:
        raise InputError(
            f"target year {target_year} lies outside {first}–{last}; check the year",
            zh=f"目标年份 {target_year} 不在 {first}–{last} 之间，请核对年份",
        )
    frame = pl.DataFrame(
        {
            "division_code": [code],
            "level": [schedule.LEVELS[len(code)]],
            "target_year": [target_year],
            "note": [(note or "").strip() or None],
        }
    )
    save_targets(session, principal, frame, source)


def remove_target(session: Session, principal: Principal, division_code: str) -> None:
    """Delete a division's target, so that it takes the goal of the level
    above again."""
    _require_admin(principal, [division_code], "targets")
    target = session.get(Target, division_code)
    if target is None:
        raise NotFound(
            f"division {division_code} has no target of its own to remove",
            zh=f"行政区划 {division_code} 没有自己的目标年份可删除",
        )
    before = {"target_year": target.target_year, "note": target.note}
    session.delete(target)
    audit.append(
        session,
        principal.username,
        "target.remove",
        "target",
        division_code,
        before,
        None,
        at=utcnow(),
    )
    session.flush()


def load_targets(session: Session, prefix: str = "") -> pl.DataFrame:
    """Return the stored targets under ``prefix`` in the form of
    :func:`junheng.monitoring.schedule.read_schedule`."""
    rows = session.execute(
        select(Target.division_code, Target.level, Target.target_year, Target.note)
        .where(Target.division_code.startswith(prefix, autoescape=True))
        .order_by(Target.division_code)
    ).all()
    return pl.DataFrame(
        [tuple(r) for r in rows],
        schema={
            "division_code": pl.String,
            "level": pl.String,
            "target_year": pl.Int64,
            "note": pl.String,
        },
        orient="row",
    )


def _place(warning: Warning) -> str:
    if warning.school_code:
        return f"{warning.division_code} / {warning.school_code}"
    return warning.division_code


SCOPE_ROLES = {0: Role.MINISTRY, 2: Role.PROVINCE, 4: Role.CITY, 6: Role.COUNTY}


def scope_principal(scope: str, name: str = "digest") -> Principal:
    """Return a principal of the education authority of ``scope`` (0, 2, 4 or 6
    digits), for commands run on the server itself."""
    if (
        not (scope == "" or (scope.isascii() and scope.isdigit()))
        or len(scope) not in SCOPE_ROLES
    ):
        raise InputError(
            f"scope {scope!r} is not a division code of 2, 4 or 6 digits "
            "(or empty for the whole country)",
            zh=f"范围 {scope!r} 不是 2、4 或 6 位行政区划代码（全国留空）",
        )
    return Principal(None, name, SCOPE_ROLES[len(scope)], scope)


def require_division(session: Session, scope: str) -> None:
    """Raise :class:`NotFound` unless ``scope`` is empty (the whole country)
    or a division of the store."""
    if scope and session.get(Division, scope) is None:
        raise NotFound(
            f"division {scope!r} does not exist; give the code of a province, "
            "city or county of the platform (junheng db load-divisions loads them)",
            zh=f"行政区划 {scope} 不存在，请填写平台中的省、市或县代码"
            "（由 junheng db load-divisions 导入）",
        )


LEVEL_NAMES: dict[str, tuple[str, str]] = {
    "blue": ("蓝色", "blue"),
    "yellow": ("黄色", "yellow"),
    "orange": ("橙色", "orange"),
    "red": ("红色", "red"),
}
"""Name of each warning level: (中文, English)."""


def digest_message(
    found: list[Warning], region: str, today: dt.date, lang: str = "zh"
) -> EmailMessage:
    """Return the e-mail digest of the open warnings ``found`` of ``region``.

    The body lists each warning with its level, division, responsible body,
    deadline (marked when past) and explanation, all in ``lang`` (``zh`` or
    ``en``); the subject counts them. ``region`` is a division code or a list
    of them, empty for the whole country.
    """
    zh = lang == "zh"
    region = region or ("全国" if zh else "whole country")
    overdue = sum(1 for w in found if w.deadline < today)
    message = EmailMessage()
    if zh:
        message["Subject"] = (
            f"均衡预警摘要 {region}：待处理 {len(found)} 条，逾期 {overdue} 条"
        )
        header = f"{region} 截至 {today.isoformat()} 的待处理预警："
        lines = [
            f"- [{_level_name(w.level, 0)}] {_place(w)}，"
            f"责任单位 {w.responsible_code}，期限 {w.deadline.isoformat()}"
            f"{'（已逾期）' if w.deadline < today else ''}：{w.explanation_zh}"
            for w in found
        ]
        empty = "没有待处理的预警。"
    else:
        message["Subject"] = (
            f"Junheng warnings {region}: {len(found)} open, {overdue} overdue"
        )
        header = f"Open warnings of {region} on {today.isoformat()}:"
        lines = [
            f"- [{_level_name(w.level, 1)}] {_place(w)}, "
            f"responsible {w.responsible_code}, due {w.deadline.isoformat()}"
            f"{' (overdue)' if w.deadline < today else ''}: {w.explanation_en}"
            for w in found
        ]
        empty = "No open warnings."
    message.set_content("\n".join([header, "", *(lines or [empty]), ""]))
    return message


def _level_name(level: str, index: int) -> str:
    """Return the name of ``level`` in Chinese (``index`` 0) or English (1)."""
    names = LEVEL_NAMES.get(level)
    return names[index] if names else level


def user_digests(
    session: Session, today: dt.date, lang: str = "zh", scope: str = ""
) -> tuple[list[tuple[User, EmailMessage]], int]:
    """Return the digest of each active user with an e-mail address inside
    ``scope``, with the open warnings that user may read (as on their home
    page), and the number of such users left out because they have none.

    Each message is addressed to the user and written in the user's own
    language, or in ``lang`` for a user without one. Users are taken in name
    order.
    """
    from junheng.services.accounts import principal_for

    query = (
        select(User)
        .where(
            User.active.is_(True),
            User.email.is_not(None),
            User.scope_code.startswith(scope, autoescape=True),
        )
        .order_by(User.username)
    )
    digests = []
    empty = 0
    for user in session.scalars(query):
        principal = principal_for(user, session)
        found = open_warnings(session, principal)
        if not found:
            empty += 1
            continue
        language = user.language or lang
        region = _region_of(principal, language)
        message = digest_message(found, region, today, language)
        message["To"] = user.email
        digests.append((user, message))
    return digests, empty


def _region_of(principal: Principal, lang: str) -> str:
    """Return what a digest's subject names: the scope, the school or the
    assigned counties (listed with the separator of ``lang``)."""
    if principal.role == Role.SCHOOL and principal.school_code:
        return principal.school_code
    if principal.role == Role.EVALUATOR:
        return ("、" if lang == "zh" else ", ").join(principal.assigned_counties)
    return principal.scope
