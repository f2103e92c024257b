"""Public feedback: submission without an account, routing, deadlines,
escalation, handling, rating and accountability numbers.

Anyone may submit an item about a county's education services or one of its
schools. The item goes to the body its category routes to
(:mod:`junheng.participation.feedback`), with a deadline in working days. An
item still unanswered after its deadline moves one level up (county → city →
province) when :func:`escalate_overdue` runs, which ``junheng feedback
escalate`` and every inbox view do. The responsible body assigns, answers and
closes it, and the sender rates the answer once with the tracking number.

The sender's contact is shown only to the bodies that have held the item (see
:func:`contact_visible`); public views, exports and audit records carry only
whether there is one. Every change appends an audit record in the caller's
transaction, and service functions commit nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from dataclasses import fields as dataclass_fields
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from junheng.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from junheng.governance import audit
from junheng.ingest.issues import Issue
from junheng.ingest.messages import Language
from junheng.participation import feedback as rules_module
from junheng.participation.feedback import (
    CODE_LENGTH,
    Rules,
    add_working_days,
    beijing_date,
    level_above,
    load_rules,
    new_tracking_code,
    normalize_tracking_code,
    route,
)
from junheng.services.access import ADMINISTRATIONS, Principal, Role, covers
from junheng.store.models import (
    Division,
    FeedbackEvent,
    FeedbackItem,
    School,
    User,
    utcnow,
)

ANONYMOUS = Principal(user_id=None, username="anonymous", role=Role.PUBLIC, scope="")
"""The principal of a member of the public without an account."""

MAX_TEXT = 2000
"""Longest feedback text or answer, in characters."""
MAX_CONTACT = 100
SOURCE = "意见反馈 feedback"
OPEN_STATUSES = ("received", "assigned")
RATINGS = range(1, 6)
_TRACKING_ATTEMPTS = 5

_PHONE = re.compile(r"^\+?[0-9][0-9 -]{5,19}$")
_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")


@dataclass(frozen=True)
class FieldIssue(Issue):
    """The issue of one form field, with its message and fix in Chinese too."""

    message_zh: str = field(default="", repr=False)
    fix_zh: str = field(default="", repr=False)

    def in_language(self, lang: Language) -> Issue:
        """Return the issue with its message and fix in ``lang``, as a plain
        :class:`Issue`, so that :meth:`Issue.as_dict` has the usual keys."""
        common = {f.name: getattr(self, f.name) for f in dataclass_fields(Issue)}
        if lang == "zh":
            common.update(message=self.message_zh, fix=self.fix_zh)
        return Issue(**common)


def _issue(
    column: str,
    value: str | None,
    en: tuple[str, str],
    zh: tuple[str, str],
    rule: str = "",
) -> Issue:
    """Return the issue of one form field, worded as (message, fix) in English
    and Chinese. A page may show its own sentence for the ``rule``, such as
    ``text_long``."""
    return FieldIssue(
        SOURCE,
        None,
        None,
        column,
        value,
        en[0],
        en[1],
        rule=rule or column,
        message_zh=zh[0],
        fix_zh=zh[1],
    )


def _truncated(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[:limit] + "…"


def _check_submission(
    session: Session,
    rules: Rules,
    category: str,
    division_code: str,
    school_code: str | None,
    text: str,
    contact: str | None,
) -> tuple[list[Issue], Division | None]:
    issues: list[Issue] = []
    if category not in rules.categories:
        known = ", ".join(rules.categories)
        issues.append(
            _issue(
                "category",
                category,
                (f"unknown category {category!r}", f"choose one of: {known}"),
                (f"未知的类别“{category}”", f"请从以下类别中选择：{known}"),
            )
        )
    division = session.get(Division, division_code) if division_code else None
    if division is None or division.level != "county" or division.valid_to:
        issues.append(
            _issue(
                "division_code",
                division_code,
                (
                    f"{division_code!r} is not a current county-level division code",
                    "choose the county (6 digits) from the list",
                ),
                (
                    f"“{division_code}”不是现行的县级行政区划代码",
                    "请从列表中选择县（市、区），代码为 6 位",
                ),
            )
        )
        division = None
    if school_code:
        school = session.get(School, school_code)
        if school is None or school.division_code != division_code:
            issues.append(
                _issue(
                    "school_code",
                    school_code,
                    (
                        f"school {school_code} is not a school of division "
                        f"{division_code}",
                        "choose the school from the list of the county, or leave it "
                        "empty",
                    ),
                    (
                        f"学校 {school_code} 不是 {division_code} 的学校",
                        "请从本县的学校列表中选择，或不选",
                    ),
                )
            )
    if not text.strip():
        issues.append(
            _issue(
                "text",
                None,
                ("the feedback text is empty", "describe the matter"),
                ("意见内容为空", "请填写意见内容"),
                "text_empty",
            )
        )
    elif len(text) > MAX_TEXT:
        issues.append(
            _issue(
                "text",
                _truncated(text),
                (
                    f"the text has {len(text)} characters, more than {MAX_TEXT}",
                    f"shorten it to {MAX_TEXT} characters",
                ),
                (
                    f"内容有 {len(text)} 个字符，超过上限 {MAX_TEXT} 个",
                    f"请精简到 {MAX_TEXT} 个字符以内",
                ),
                "text_long",
            )
        )
    if contact and not _valid_contact(contact):
        # The value stays out of the message: errors may be logged.
        issues.append(
            _issue(
                "contact",
                None,
                (
                    "the contact is neither a phone number nor an e-mail address",
                    "enter a phone number (digits, spaces, hyphens, an optional +) "
                    "or an e-mail address, or leave it empty",
                ),
                (
                    "联系方式既不是电话号码也不是电子邮箱",
                    "请填写电话号码（数字、空格、连字符，可带 +）或电子邮箱，也可不填",
                ),
            )
        )
    return issues, division


def _reject_nul(**fields: str) -> None:
    """Raise :class:`InvalidInput` for a field containing a NUL character,
    which PostgreSQL cannot store or compare in text."""
    bad = [name for name, value in fields.items() if "\x00" in value]
    if bad:
        issues = [
            _issue(
                name,
                None,
                (f"{name} contains a NUL character (U+0000)", "remove it"),
                (f"{name} 含有 NUL 字符（U+0000）", "请删除该字符"),
            )
            for name in bad
        ]
        raise InvalidInput(
            f"NUL characters in {', '.join(bad)}",
            issues,  # type: ignore[arg-type]
            zh=f"{', '.join(bad)} 含有 NUL 字符",
        )


def _valid_contact(contact: str) -> bool:
    if len(contact) > MAX_CONTACT:
        return False
    return bool(_PHONE.match(contact) or _EMAIL.match(contact))


def _public_state(item: FeedbackItem) -> dict[str, Any]:
    """Return the audited state of ``item``: no text, answer or contact value."""
    return {
        "category": item.category,
        "division_code": item.division_code,
        "school_code": item.school_code,
        "status": item.status,
        "responsible_code": item.responsible_code,
        "assignee": item.assignee,
        "due_on": item.due_on,
        "escalations": item.escalations,
        "has_contact": item.contact is not None,
        "answered": item.answer is not None,
        "rating": item.rating,
    }


def _event(
    session: Session,
    item: FeedbackItem,
    action: str,
    actor: str,
    at: dt.datetime,
    from_code: str | None = None,
    to_code: str | None = None,
) -> None:
    session.add(
        FeedbackEvent(
            item_id=item.id,
            action=action,
            actor=actor,
            at=at,
            from_code=from_code,
            to_code=to_code,
        )
    )


def _city_level(session: Session, division: Division) -> bool:
    parent = (
        session.get(Division, division.parent_code) if division.parent_code else None
    )
    return parent is not None and parent.level == "city"


def submit(
    session: Session,
    principal: Principal,
    *,
    category: str,
    division_code: str,
    text: str,
    contact: str | None = None,
    school_code: str | None = None,
    now: dt.datetime | None = None,
    rules: Rules | None = None,
) -> FeedbackItem:
    """Store a new feedback item, route it and set its deadline.

    Anyone may submit, with or without an account (:data:`ANONYMOUS`). Every
    invalid field is reported at once in :class:`InvalidInput`, and nothing is
    stored then. The tracking number is in ``tracking_code`` of the result.
    """
    rules = rules or load_rules()
    now = now or utcnow()
    _reject_nul(
        category=category,
        division_code=division_code,
        school_code=school_code or "",
        text=text,
        contact=contact or "",
    )
    text = text.strip()
    contact = (contact or "").strip() or None
    school_code = (school_code or "").strip() or None
    issues, division = _check_submission(
        session, rules, category, division_code, school_code, text, contact
    )
    if issues or division is None:
        raise InvalidInput(
            "the feedback was not sent: " + "; ".join(i.message for i in issues),
            issues,  # type: ignore[arg-type]
            zh="意见未提交，请修改以下字段："
            + "、".join(dict.fromkeys(str(i.column) for i in issues)),
        )
    kind = rules.category(category)
    responsible = route(division.code, kind.route, _city_level(session, division))
    due = add_working_days(beijing_date(now), kind.deadline_days)
    item = FeedbackItem(
        category=category,
        division_code=division.code,
        school_code=school_code,
        text=text,
        contact=contact,
        status="received",
        routed_code=responsible,
        responsible_code=responsible,
        received_at=now,
        first_due_on=due,
        due_on=due,
        escalations=0,
    )
    _store_with_fresh_code(session, item)
    _event(session, item, "received", principal.username, now, to_code=responsible)
    audit.append(
        session,
        principal.username,
        "feedback.submit",
        "feedback",
        item.id,
        None,
        _public_state(item),
        at=now,
    )
    session.flush()
    return item


def _store_with_fresh_code(session: Session, item: FeedbackItem) -> None:
    """Insert ``item`` under a new random tracking number, drawing another on
    the (about 1 in 3.6 × 10¹⁶ per stored item) chance of a collision."""
    for _ in range(_TRACKING_ATTEMPTS):
        item.tracking_code = new_tracking_code()
        try:
            with session.begin_nested():
                session.add(item)
                session.flush()
            return
        except IntegrityError:
            # The savepoint's rollback detached the item; try another number.
            continue
    raise Conflict(
        "no free tracking number after several attempts; send the feedback again",
        zh="未能生成新的查询码，请重新提交",
    )


def _not_found() -> NotFound:
    # One message for every unknown, mistyped or invalid number, so a reply
    # reveals nothing beyond "not found".
    return NotFound(
        "no feedback with this tracking number; check the number you were given",
        zh="没有该查询码对应的意见，请核对提交时获得的查询码",
    )


def find_by_code(session: Session, code: str) -> FeedbackItem:
    """Return the item of a typed tracking number; raise :class:`NotFound` for
    any number that is invalid or unknown, with one message for both."""
    normalized = normalize_tracking_code(code)
    if normalized is None:
        raise _not_found()
    item = session.scalar(
        select(FeedbackItem).where(FeedbackItem.tracking_code == normalized)
    )
    if item is None:
        raise _not_found()
    return item


def events_of(session: Session, item: FeedbackItem) -> list[FeedbackEvent]:
    """Return the steps of ``item``, oldest first."""
    return list(
        session.scalars(
            select(FeedbackEvent)
            .where(FeedbackEvent.item_id == item.id)
            .order_by(FeedbackEvent.at, FeedbackEvent.id)
        )
    )


def public_view(
    session: Session, item: FeedbackItem, today: dt.date | None = None
) -> dict[str, Any]:
    """Return what the tracking page shows: status, bodies, dates, the answer
    and the rating; never the contact, the staff names or the item's id."""
    today = today or beijing_date(utcnow())
    return {
        "tracking_code": item.tracking_code,
        "category": item.category,
        "division_code": item.division_code,
        "school_code": item.school_code,
        "text": item.text,
        "status": item.status,
        "responsible_code": item.responsible_code,
        "received_on": beijing_date(item.received_at),
        "due_on": item.due_on,
        "overdue": item.status in OPEN_STATUSES and today > item.due_on,
        "escalations": item.escalations,
        "answer": item.answer,
        "answered_on": beijing_date(item.answered_at) if item.answered_at else None,
        "rating": item.rating,
        "can_rate": item.answer is not None and item.rating is None,
        "steps": [
            {
                "action": e.action,
                "at": e.at,
                "from_code": e.from_code,
                "to_code": e.to_code,
            }
            for e in events_of(session, item)
        ],
    }


def handlers(item: FeedbackItem) -> set[str]:
    """Return the codes of the bodies that have held ``item``: the one it was
    routed to and each level it was escalated to."""
    codes = {item.routed_code, item.responsible_code}
    for length in CODE_LENGTH.values():
        if len(item.responsible_code) <= length <= len(item.routed_code):
            codes.add(item.division_code[:length])
    return codes


def contact_visible(principal: Principal, item: FeedbackItem) -> bool:
    """Return whether ``principal`` may see the sender's contact: only education
    authorities whose scope is a body that has held the item."""
    return principal.role in ADMINISTRATIONS and principal.scope in handlers(item)


def staff_view(
    principal: Principal, item: FeedbackItem, today: dt.date
) -> dict[str, Any]:
    """Return an item as the inbox and the API show it to ``principal``; the
    contact is there only when :func:`contact_visible` allows it."""
    return {
        "id": item.id,
        "category": item.category,
        "division_code": item.division_code,
        "school_code": item.school_code,
        "text": item.text,
        "status": item.status,
        "routed_code": item.routed_code,
        "responsible_code": item.responsible_code,
        "assignee": item.assignee,
        "received_at": item.received_at,
        "due_on": item.due_on,
        "overdue": item.status in OPEN_STATUSES and today > item.due_on,
        "escalations": item.escalations,
        "escalated_at": item.escalated_at,
        "answer": item.answer,
        "answered_at": item.answered_at,
        "rating": item.rating,
        "has_contact": item.contact is not None,
        "contact": item.contact if contact_visible(principal, item) else None,
        "actionable": can_handle(principal, item),
    }


def _require_authority(principal: Principal, action: str) -> None:
    if principal.role not in ADMINISTRATIONS:
        raise PermissionDenied(
            f"user {principal.username!r} ({principal.role}) may not {action}; "
            "education authorities handle public feedback",
            zh=f"用户 {principal.username} 无权处理公众意见，应由教育行政部门处理",
        )


def can_handle(principal: Principal, item: FeedbackItem) -> bool:
    """Return whether ``principal`` is the body now responsible for ``item``."""
    return (
        principal.role in ADMINISTRATIONS and principal.scope == item.responsible_code
    )


def get_item(session: Session, principal: Principal, item_id: int) -> FeedbackItem:
    """Return an item inside the principal's scope; raise :class:`NotFound`
    otherwise, so ids outside the scope look like missing ones."""
    _require_authority(principal, "read public feedback")
    item = session.get(FeedbackItem, item_id)
    if item is None or not covers(principal.scope, item.division_code):
        raise NotFound(
            f"feedback item {item_id} not found in your region",
            zh=f"本地区没有编号为 {item_id} 的意见",
        )
    return item


def _require_handler(principal: Principal, item: FeedbackItem) -> None:
    if not can_handle(principal, item):
        raise PermissionDenied(
            f"feedback item {item.id} is handled by {item.responsible_code}, not by "
            f"{principal.username!r} ({principal.scope or 'whole country'})",
            zh=f"意见 {item.id} 由 {item.responsible_code} 负责处理，"
            f"用户 {principal.username} 无权操作",
        )


def inbox(
    session: Session,
    principal: Principal,
    now: dt.datetime | None = None,
    *,
    mine_only: bool = False,
    rules: Rules | None = None,
) -> list[FeedbackItem]:
    """Escalate the overdue items of the principal's region, then return its
    items, open ones with the earliest deadline first.

    ``mine_only`` keeps the items the principal's body is responsible for now.
    """
    _require_authority(principal, "read public feedback")
    now = now or utcnow()
    # Escalation on a list view is automatic, so the audit names "system".
    system = replace(principal, user_id=None, username="system")
    escalate_overdue(session, system, now, rules)
    query = select(FeedbackItem).where(
        FeedbackItem.division_code.startswith(principal.scope, autoescape=True)
    )
    if mine_only:
        query = query.where(FeedbackItem.responsible_code == principal.scope)
    found = list(session.scalars(query))
    found.sort(key=lambda i: (i.status not in OPEN_STATUSES, i.status, i.due_on, i.id))
    return found


def assign(
    session: Session,
    principal: Principal,
    item_id: int,
    assignee: str,
    now: dt.datetime | None = None,
) -> FeedbackItem:
    """Give an open item to a staff member of the responsible body.

    ``assignee`` must be the user name of an active account of an education
    authority whose scope is that body.
    """
    now = now or utcnow()
    item = get_item(session, principal, item_id)
    _require_handler(principal, item)
    _reject_nul(assignee=assignee)
    if item.status not in OPEN_STATUSES:
        raise Conflict(
            f"feedback item {item.id} is {item.status}; only open items are assigned",
            zh=f"意见 {item.id} 已{_STATUS_ZH[item.status]}，只能分派待处理的意见",
        )
    user = session.scalar(
        select(User).where(func.lower(User.username) == assignee.strip().lower())
    )
    if (
        user is None
        or not user.active
        or user.role not in ADMINISTRATIONS
        or user.scope_code != item.responsible_code
    ):
        raise InvalidInput(
            f"{assignee!r} is not an active account of {item.responsible_code}",
            [
                _issue(
                    "assignee",
                    assignee,
                    (
                        f"{assignee!r} is not an active account of the responsible "
                        f"body {item.responsible_code}",
                        "enter the user name of a colleague of your own body",
                    ),
                    (
                        f"{assignee} 不是负责部门 {item.responsible_code} 的有效账号",
                        "请填写本部门同事的用户名",
                    ),
                )
            ],
            zh=f"{assignee} 不是 {item.responsible_code} 的有效账号",
        )
    before = _public_state(item)
    item.assignee = user.username
    item.status = "assigned"
    _event(session, item, "assigned", principal.username, now)
    _audit(session, principal, "feedback.assign", item, before, now)
    return item


_STATUS_ZH = {
    "received": "受理",
    "assigned": "分派",
    "answered": "答复",
    "closed": "办结",
}


def _audit(
    session: Session,
    principal: Principal,
    action: str,
    item: FeedbackItem,
    before: dict[str, Any],
    now: dt.datetime,
) -> None:
    audit.append(
        session,
        principal.username,
        action,
        "feedback",
        item.id,
        before,
        _public_state(item),
        at=now,
    )
    session.flush()


def answer(
    session: Session,
    principal: Principal,
    item_id: int,
    text: str,
    now: dt.datetime | None = None,
) -> FeedbackItem:
    """Store the public answer of the responsible body to an open item."""
    now = now or utcnow()
    item = get_item(session, principal, item_id)
    _require_handler(principal, item)
    if item.status not in OPEN_STATUSES:
        raise Conflict(
            f"feedback item {item.id} is already {item.status}",
            zh=f"意见 {item.id} 已{_STATUS_ZH[item.status]}",
        )
    _reject_nul(answer=text)
    text = text.strip()
    if not text or len(text) > MAX_TEXT:
        raise InvalidInput(
            f"the answer must have 1 to {MAX_TEXT} characters, not {len(text)}",
            [
                _issue(
                    "answer",
                    _truncated(text) or None,
                    (
                        f"the answer has {len(text)} characters",
                        f"write 1 to {MAX_TEXT} characters",
                    ),
                    (
                        f"答复有 {len(text)} 个字符",
                        f"请填写 1 至 {MAX_TEXT} 个字符",
                    ),
                )
            ],
            zh=f"答复须为 1 至 {MAX_TEXT} 个字符，当前 {len(text)} 个",
        )

    before = _public_state(item)
    item.answer = text
    item.answered_by = principal.username
    item.answered_at = now
    item.status = "answered"
    _event(session, item, "answered", principal.username, now)
    _audit(session, principal, "feedback.answer", item, before, now)
    return item


def close(
    session: Session,
    principal: Principal,
    item_id: int,
    now: dt.datetime | None = None,
) -> FeedbackItem:
    """Close an answered item; a closed item changes no more, except that its
    sender may still rate the answer."""
    now = now or utcnow()
    item = get_item(session, principal, item_id)
    _require_handler(principal, item)
    if item.status != "answered":
        raise Conflict(
            f"feedback item {item.id} is {item.status}; answer it before closing",
            zh=f"意见 {item.id} 尚未答复，答复后才能办结",
        )
    before = _public_state(item)
    item.status = "closed"
    item.closed_at = now
    _event(session, item, "closed", principal.username, now)
    _audit(session, principal, "feedback.close", item, before, now)
    return item


def rate(
    session: Session,
    code: str,
    rating: int,
    now: dt.datetime | None = None,
    principal: Principal = ANONYMOUS,
) -> FeedbackItem:
    """Store the sender's rating (1 to 5) of the answer, once per item.

    The tracking number is the sender's proof; anyone holding it may rate.
    """
    now = now or utcnow()
    item = find_by_code(session, code)
    if rating not in RATINGS:
        raise InvalidInput(
            f"rating {rating} is outside 1 to 5",
            [
                _issue(
                    "rating",
                    str(rating),
                    ("the rating is outside 1 to 5", "choose 1 to 5"),
                    ("评分不在 1 至 5 之间", "请选择 1 至 5"),
                )
            ],
            zh=f"评分 {rating} 不在 1 至 5 之间",
        )
    if item.answer is None:
        raise Conflict(
            "this feedback has no answer yet; rate it once it is answered",
            zh="该意见尚未答复，答复后才能评价",
        )
    if item.rating is not None:
        raise Conflict(
            "the answer to this feedback is already rated; a rating is given once",
            zh="该答复已评价过，每条意见只能评价一次",
        )
    before = _public_state(item)
    item.rating = rating
    item.rated_at = now
    _event(session, item, "rated", principal.username, now)
    _audit(session, principal, "feedback.rate", item, before, now)
    return item


def escalate_overdue(
    session: Session,
    principal: Principal,
    now: dt.datetime | None = None,
    rules: Rules | None = None,
) -> int:
    """Move each open item of the principal's region whose deadline has passed
    one level up; return how many moved.

    The new body gets the category's working days again, counted from the day
    of the escalation, so running this twice on one day moves nothing twice.
    Items held by a province stay there, overdue. The change is audited under
    the principal's name and recorded as a step with its time.
    """
    _require_authority(principal, "escalate public feedback")
    now = now or utcnow()
    today = beijing_date(now)
    rules = rules or load_rules()
    due = list(
        session.scalars(
            select(FeedbackItem)
            .where(
                FeedbackItem.status.in_(OPEN_STATUSES),
                FeedbackItem.due_on < today,
                func.length(FeedbackItem.responsible_code) > CODE_LENGTH["province"],
                FeedbackItem.division_code.startswith(principal.scope, autoescape=True),
            )
            .order_by(FeedbackItem.id)
            .with_for_update()
        )
    )
    cities: dict[str, bool] = {}
    for item in due:
        if item.division_code not in cities:
            division = session.get(Division, item.division_code)
            cities[item.division_code] = division is not None and _city_level(
                session, division
            )
        target = level_above(
            item.responsible_code, item.division_code, cities[item.division_code]
        )
        if not target:
            continue
        before = _public_state(item)
        origin = item.responsible_code
        days = (
            rules.category(item.category).deadline_days
            if item.category in rules.categories
            else max(c.deadline_days for c in rules.categories.values())
        )
        item.responsible_code = target
        item.assignee = None
        item.status = "received"
        item.escalations += 1
        item.escalated_at = now
        item.due_on = add_working_days(today, days)
        _event(session, item, "escalated", principal.username, now, origin, target)
        _audit(session, principal, "feedback.escalate", item, before, now)
    return len(due)


ACCOUNTABILITY_KEYS: tuple[str, ...] = (
    "division_code",
    "division_name",
    "received",
    "answered",
    "answered_on_time",
    "overdue",
    "open_not_due",
    "rated",
    "mean_rating",
    "on_time_share",
)
"""Keys of each row of :func:`feedback_accountability`."""


def feedback_accountability(
    session: Session,
    principal: Principal,
    division_prefix: str,
    year: int,
    now: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """Count the feedback of each child division of ``division_prefix`` that
    arrived in calendar ``year`` (Beijing time), best on-time share first.

    Each row is a plain dict with the keys of :data:`ACCOUNTABILITY_KEYS`:
    ``received`` items, ``answered`` ones, ``answered_on_time`` (answered on or
    before the first deadline, whoever answered), ``overdue`` (answered after
    the first deadline, or unanswered and past it), ``open_not_due`` (the rest,
    so ``answered_on_time + overdue + open_not_due == received``), ``rated``
    answers, ``mean_rating`` (mean of the 1–5 ratings, ``None`` when none) and
    ``on_time_share`` (``answered_on_time / received`` in percent to one
    decimal, ``None`` without items). Children are the provinces of the whole
    country (prefix ``""``), the cities of a province and the counties of a
    city or of a province's directly administered counties; a county's row is
    the county itself.
    """
    _require_authority(principal, "read the feedback numbers")
    if not covers(principal.scope, division_prefix):
        raise PermissionDenied(
            f"user {principal.username!r} may not read the feedback numbers of "
            f"{division_prefix or 'the whole country'}",
            zh=f"用户 {principal.username} 无权查看 {division_prefix or '全国'} "
            "的意见办理情况",
        )
    now = now or utcnow()
    today = beijing_date(now)
    children = child_divisions(session, division_prefix)
    start = dt.datetime(year, 1, 1, tzinfo=rules_module.BEIJING)
    end = dt.datetime(year + 1, 1, 1, tzinfo=rules_module.BEIJING)
    items = session.scalars(
        select(FeedbackItem).where(
            FeedbackItem.division_code.startswith(division_prefix, autoescape=True),
            FeedbackItem.received_at >= start,
            FeedbackItem.received_at < end,
        )
    )
    counts: dict[str, dict[str, Any]] = {
        code: _empty_row(code, name) for code, name in children
    }
    ratings: dict[str, list[int]] = defaultdict(list)
    for item in items:
        code = next((c for c, _ in children if item.division_code.startswith(c)), None)
        if code is None:
            continue
        row = counts[code]
        row["received"] += 1
        if item.answered_at is not None:
            row["answered"] += 1
        if (
            item.answered_at is not None
            and beijing_date(item.answered_at) <= item.first_due_on
        ):
            row["answered_on_time"] += 1
        elif item.answered_at is not None or today > item.first_due_on:
            row["overdue"] += 1
        else:
            row["open_not_due"] += 1
        if item.rating is not None:
            ratings[code].append(item.rating)
    for code, row in counts.items():
        found = ratings.get(code, [])
        row["rated"] = len(found)
        row["mean_rating"] = round(sum(found) / len(found), 2) if found else None
        row["on_time_share"] = (
            round(100 * row["answered_on_time"] / row["received"], 1)
            if row["received"]
            else None
        )
    rows = list(counts.values())
    rows.sort(
        key=lambda r: (
            r["on_time_share"] is None,
            -(r["on_time_share"] or 0),
            -(r["mean_rating"] or 0),
            r["division_code"],
        )
    )
    return rows


def _empty_row(code: str, name: str) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(ACCOUNTABILITY_KEYS, 0)
    row.update(division_code=code, division_name=name, mean_rating=None)
    return row


def child_divisions(session: Session, prefix: str) -> list[tuple[str, str]]:
    """Return the codes and names of the child divisions of ``prefix``."""
    if len(prefix) == CODE_LENGTH["county"]:
        division = session.get(Division, prefix)
        return [(prefix, division.name if division else prefix)]
    query = select(Division.code, Division.name).where(Division.valid_to.is_(None))
    if prefix:
        query = query.where(Division.parent_code == prefix)
    else:
        query = query.where(Division.level == "province")
    return [
        (code, name) for code, name in session.execute(query.order_by(Division.code))
    ]
