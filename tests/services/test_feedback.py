"""Public feedback: routing, deadlines, escalation, handling, rating, tracking
numbers, the privacy of the contact and the accountability numbers.

Every case runs on SQLite and PostgreSQL, and times are passed explicitly.
The deadlines are worked out by hand from the State Council's 2025 holiday
notice (国务院办公厅关于2025年部分节假日安排的通知). National Day and
Mid-Autumn were off from 1 to 8 October, and Sunday 28 September and Saturday
11 October were make-up working days.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import pytest
from services.people import ERQI, HENAN, MINISTRY, PUBLIC, ZHENGZHOU, ZHONGYUAN
from sqlalchemy import select
from sqlalchemy.orm import Session

from junheng.errors import (
    Conflict,
    InputError,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from junheng.participation.feedback import (
    TRACKING_ALPHABET,
    add_working_days,
    format_tracking_code,
    load_rules,
    new_tracking_code,
    normalize_tracking_code,
)
from junheng.services import feedback as service
from junheng.services.access import Principal, Role
from junheng.store.models import AuditRecord, FeedbackEvent, FeedbackItem

CONTACT = "13800138000"
BEIJING_TZ = dt.timezone(dt.timedelta(hours=8))


def at(day: str, hour: int = 10) -> dt.datetime:
    """Return ``hour`` o'clock Beijing time on ``day`` (YYYY-MM-DD)."""
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=BEIJING_TZ)


def send(
    store: Session,
    category: str = "admission",
    division: str = "410102",
    now: dt.datetime | None = None,
    contact: str | None = CONTACT,
    text: str = "学校开学要求家长购买指定教辅材料。",
) -> FeedbackItem:
    item = service.submit(
        store,
        service.ANONYMOUS,
        category=category,
        division_code=division,
        text=text,
        contact=contact,
        now=now or at("2025-11-03"),
    )
    store.commit()
    return item


# --- deadlines -------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # Mon 3 Nov 2025 + 5: Tue 4, Wed 5, Thu 6, Fri 7, Mon 10.
        ("2025-11-03", 5, "2025-11-10"),
        # + 10: the five above, then Tue 11 to Mon 17.
        ("2025-11-03", 10, "2025-11-17"),
        # Fri 26 Sep + 5: Sun 28 (make-up), Mon 29, Tue 30, then 1-8 Oct off,
        # Thu 9, Fri 10.
        ("2025-09-26", 5, "2025-10-10"),
        # + 10: the five above, Sat 11 (make-up), Mon 13 to Thu 16.
        ("2025-09-26", 10, "2025-10-16"),
    ],
)
def test_working_day_deadlines(start: str, days: int, due: str) -> None:
    got = add_working_days(dt.date.fromisoformat(start), days)
    assert got == dt.date.fromisoformat(due)


def test_deadline_uses_beijing_date(store: Session) -> None:
    # 20:00 UTC on Sunday 2 Nov is 04:00 on Monday 3 Nov in Beijing, so the
    # 10 working days run from Monday: due Mon 17 Nov (see above).
    moment = dt.datetime(2025, 11, 2, 20, 0, tzinfo=dt.UTC)
    item = send(store, now=moment)
    assert item.due_on == dt.date(2025, 11, 17)
    assert item.first_due_on == dt.date(2025, 11, 17)


def test_deadline_per_category(store: Session) -> None:
    # safety has 5 working days: Mon 3 Nov → Mon 10 Nov.
    item = send(store, category="safety")
    assert item.due_on == dt.date(2025, 11, 10)


# --- routing ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "division", "responsible"),
    [
        ("admission", "410102", "410102"),  # county-level category
        ("facilities", "410102", "410102"),
        ("county_policy", "410102", "4101"),  # goes to 郑州市
        ("county_policy", "469001", "46"),  # 五指山市: no city level
        ("county_policy", "110101", "11"),  # 东城区: a municipality's district
        ("admission", "110101", "110101"),
    ],
)
def test_routing_by_division_and_category(
    store: Session, category: str, division: str, responsible: str
) -> None:
    item = send(store, category=category, division=division)
    assert item.routed_code == responsible
    assert item.responsible_code == responsible
    assert item.status == "received"


def test_submission_errors_listed_together(store: Session) -> None:
    with pytest.raises(InvalidInput) as caught:
        service.submit(
            store,
            service.ANONYMOUS,
            category="weather",
            division_code="4101",
            school_code="2141099999",
            text="x" * (service.MAX_TEXT + 1),
            contact="call me <maybe>",
        )
    rules = [issue.rule for issue in caught.value.issues]  # type: ignore[attr-defined]
    assert rules == ["category", "division_code", "school_code", "text_long", "contact"]
    # The contact never appears in an error, which may be logged.
    assert "maybe" not in json.dumps([str(i) for i in caught.value.issues])
    store.rollback()
    assert store.scalars(select(FeedbackItem)).all() == []


def test_text_at_limit_accepted(store: Session) -> None:
    item = send(store, text="字" * service.MAX_TEXT)
    assert len(item.text) == service.MAX_TEXT


def test_empty_text_rejected(store: Session) -> None:
    with pytest.raises(InvalidInput) as caught:
        service.submit(
            store,
            service.ANONYMOUS,
            category="fees",
            division_code="410102",
            text="   ",
        )
    assert [i.rule for i in caught.value.issues] == ["text_empty"]  # type: ignore[attr-defined]


# --- escalation ------------------------------------------------------------


def test_escalation_up_the_chain(store: Session) -> None:
    item = send(store)  # received Mon 3 Nov, due Mon 17 Nov
    system = Principal(None, "system", Role.MINISTRY, "")

    assert service.escalate_overdue(store, system, at("2025-11-17", 23)) == 0
    assert item.responsible_code == "410102"

    # Tue 18 Nov: overdue, to 郑州市 with 10 working days from the 18th:
    # 19, 20, 21, 24-28, 1 Dec, 2 Dec → Tue 2 Dec.
    assert service.escalate_overdue(store, system, at("2025-11-18")) == 1
    assert item.responsible_code == "4101"
    assert item.due_on == dt.date(2025, 12, 2)
    assert item.first_due_on == dt.date(2025, 11, 17)
    assert item.escalations == 1
    assert item.escalated_at == at("2025-11-18")

    # A second run on the same day moves nothing.
    assert service.escalate_overdue(store, system, at("2025-11-18", 18)) == 0
    assert item.escalations == 1

    # Wed 3 Dec: to 河南省, due 10 working days later: 4, 5, 8-12, 15-17 Dec.
    assert service.escalate_overdue(store, system, at("2025-12-03")) == 1
    assert item.responsible_code == "41"
    assert item.due_on == dt.date(2025, 12, 17)

    # The province is the top: the item stays there, overdue.
    assert service.escalate_overdue(store, system, at("2026-01-05")) == 0
    assert item.responsible_code == "41"
    store.commit()

    steps = store.scalars(
        select(FeedbackEvent)
        .where(FeedbackEvent.action == "escalated")
        .order_by(FeedbackEvent.id)
    ).all()
    assert [(s.from_code, s.to_code) for s in steps] == [
        ("410102", "4101"),
        ("4101", "41"),
    ]
    assert [s.at for s in steps] == [at("2025-11-18"), at("2025-12-03")]
    actions = store.scalars(
        select(AuditRecord.action).where(AuditRecord.entity == "feedback")
    ).all()
    assert actions.count("feedback.escalate") == 2


def test_escalation_skips_missing_city(store: Session) -> None:
    # 五指山市 has no city: its county goes straight to 海南省 (46).
    item = send(store, division="469001")
    system = Principal(None, "system", Role.MINISTRY, "")
    service.escalate_overdue(store, system, at("2025-11-18"))
    assert item.responsible_code == "46"


def test_inbox_escalates_in_own_region(store: Session) -> None:
    item = send(store)
    found = service.inbox(store, ZHENGZHOU, at("2025-11-18"), mine_only=True)
    assert [i.id for i in found] == [item.id]
    assert item.responsible_code == "4101"
    actor = store.scalars(
        select(AuditRecord.actor).where(AuditRecord.action == "feedback.escalate")
    ).one()
    assert actor == "system"


def test_answered_item_not_escalated(store: Session) -> None:
    item = send(store)
    service.answer(store, ZHONGYUAN, item.id, "已责令学校停止。", at("2025-11-05"))
    system = Principal(None, "system", Role.MINISTRY, "")
    assert service.escalate_overdue(store, system, at("2025-12-01")) == 0


# --- handling and rating ---------------------------------------------------


def test_answer_close_and_rate_once(store: Session) -> None:
    item = send(store)
    code = item.tracking_code
    with pytest.raises(Conflict):
        service.rate(store, code, 5)
    with pytest.raises(Conflict):
        service.close(store, ZHONGYUAN, item.id)

    service.answer(store, ZHONGYUAN, item.id, "已核实并纠正。", at("2025-11-05"))
    service.close(store, ZHONGYUAN, item.id, at("2025-11-06"))
    assert item.status == "closed"
    with pytest.raises(Conflict):
        service.answer(store, ZHONGYUAN, item.id, "again")

    with pytest.raises(InvalidInput):
        service.rate(store, code, 6)
    rated = service.rate(store, format_tracking_code(code).lower(), 4)
    assert rated.rating == 4
    with pytest.raises(Conflict):
        service.rate(store, code, 1)
    assert item.rating == 4
    store.commit()

    view = service.public_view(store, item)
    assert view["answer"] == "已核实并纠正。"
    assert [s["action"] for s in view["steps"]] == [
        "received",
        "answered",
        "closed",
        "rated",
    ]
    assert view["can_rate"] is False


def test_only_responsible_body_handles(store: Session) -> None:
    item = send(store)
    for principal in (ZHENGZHOU, HENAN, MINISTRY):
        with pytest.raises(PermissionDenied):
            service.answer(store, principal, item.id, "not ours")
    with pytest.raises(NotFound):
        service.get_item(store, ERQI, item.id)
    with pytest.raises(PermissionDenied):
        service.inbox(store, PUBLIC)


def test_assign_to_colleague(store: Session) -> None:
    from junheng.services import accounts
    from junheng.services.access import SYSTEM

    accounts.create_user(
        store, SYSTEM, "zy-staff", "long-enough-pass", Role.COUNTY, "410102"
    )
    accounts.create_user(
        store, SYSTEM, "qi-staff", "long-enough-pass", Role.COUNTY, "410103"
    )
    item = send(store)
    with pytest.raises(InvalidInput):
        service.assign(store, ZHONGYUAN, item.id, "qi-staff")
    service.assign(store, ZHONGYUAN, item.id, "ZY-STAFF")
    assert item.assignee == "zy-staff"
    assert item.status == "assigned"


# --- tracking numbers ------------------------------------------------------


def test_tracking_code_check_symbol() -> None:
    code = new_tracking_code()
    assert len(code) == 12
    assert normalize_tracking_code(code) == code
    assert normalize_tracking_code(format_tracking_code(code).lower()) == code
    # Every single changed symbol fails the check: 12 places × 31 others.
    for place in range(len(code)):
        for symbol in TRACKING_ALPHABET:
            if symbol == code[place]:
                continue
            changed = code[:place] + symbol + code[place + 1 :]
            assert normalize_tracking_code(changed) is None, changed


def test_tracking_codes_not_sequential(store: Session) -> None:
    codes = [send(store, contact=None).tracking_code for _ in range(5)]
    assert len(set(codes)) == 5
    assert codes != sorted(codes) or len({c[:6] for c in codes}) == 5


def test_guessed_codes_all_not_found(store: Session) -> None:
    send(store)
    rng = random.Random(20251103)
    messages = set()
    for _ in range(200):
        payload = "".join(rng.choice(TRACKING_ALPHABET) for _ in range(12))
        for guess in (payload, payload[:-1] + "!", "12345"):
            with pytest.raises(NotFound) as caught:
                service.find_by_code(store, guess)
            messages.add((caught.value.message_en, caught.value.message_zh))
    # Invalid and unknown numbers get one and the same answer.
    assert len(messages) == 1


# --- privacy of the contact ------------------------------------------------


def test_contact_only_for_handling_bodies(store: Session) -> None:
    item = send(store)
    today = dt.date(2025, 11, 4)
    assert service.staff_view(ZHONGYUAN, item, today)["contact"] == CONTACT
    for principal in (ZHENGZHOU, HENAN, MINISTRY):
        view = service.staff_view(principal, item, today)
        assert view["contact"] is None, principal.username
        assert view["has_contact"] is True
    assert "contact" not in service.public_view(store, item)
    assert CONTACT not in json.dumps(service.public_view(store, item), default=str)

    service.escalate_overdue(store, ZHENGZHOU, at("2025-11-18"))
    assert service.staff_view(ZHENGZHOU, item, today)["contact"] == CONTACT
    assert service.staff_view(ZHONGYUAN, item, today)["contact"] == CONTACT
    assert service.staff_view(HENAN, item, today)["contact"] is None


def test_contact_not_in_audit_chain(store: Session) -> None:
    item = send(store)
    service.answer(store, ZHONGYUAN, item.id, "答复", at("2025-11-04"))
    service.close(store, ZHONGYUAN, item.id, at("2025-11-05"))
    service.rate(store, item.tracking_code, 5, at("2025-11-06"))
    store.commit()
    records = store.scalars(
        select(AuditRecord).where(AuditRecord.entity == "feedback")
    ).all()
    assert len(records) == 4
    for record in records:
        text = json.dumps([record.before, record.after], ensure_ascii=False)
        assert CONTACT not in text
        assert item.tracking_code not in text
        assert record.after is not None
        assert record.after["has_contact"] is True


# --- accountability --------------------------------------------------------


def test_accountability_per_county(store: Session) -> None:
    # 中原区: three items, all received Mon 3 Nov 2025 and due Mon 17 Nov.
    on_time = send(store)
    late = send(store)
    waiting = send(store)
    service.answer(store, ZHONGYUAN, on_time.id, "a", at("2025-11-17", 20))
    service.rate(store, on_time.tracking_code, 5)
    service.escalate_overdue(store, ZHENGZHOU, at("2025-11-18"))
    service.answer(store, ZHENGZHOU, late.id, "b", at("2025-11-20"))
    service.rate(store, late.tracking_code, 2)
    # 二七区: one item, not yet due on the day counted.
    send(store, division="410103", now=at("2025-12-22"))
    # An item of 2024 is left out of 2025.
    send(store, now=at("2024-12-31", 23))
    store.commit()
    del waiting

    rows = service.feedback_accountability(
        store, ZHENGZHOU, "4101", 2025, at("2025-12-23")
    )
    by_code = {r["division_code"]: r for r in rows}
    zhongyuan = by_code["410102"]
    # received 3 = on time 1 (answered 17 Nov ≤ due 17 Nov) + overdue 2 (one
    # answered on 20 Nov, one unanswered past 17 Nov) + not yet due 0.
    assert zhongyuan["received"] == 3
    assert zhongyuan["answered"] == 2
    assert zhongyuan["answered_on_time"] == 1
    assert zhongyuan["overdue"] == 2
    assert zhongyuan["open_not_due"] == 0
    assert zhongyuan["rated"] == 2
    assert zhongyuan["mean_rating"] == 3.5  # (5 + 2) / 2
    assert zhongyuan["on_time_share"] == 33.3  # 1 / 3 = 33.33 %
    erqi = by_code["410103"]
    assert (erqi["received"], erqi["open_not_due"], erqi["mean_rating"]) == (1, 1, None)
    assert erqi["on_time_share"] == 0.0
    # Ranked by the on-time share: 中原区 first; divisions without items last.
    assert rows[0]["division_code"] == "410102"
    assert rows[-1]["received"] == 0
    assert set(rows[0]) == set(service.ACCOUNTABILITY_KEYS)


def test_accountability_scope_checked(store: Session) -> None:
    with pytest.raises(PermissionDenied):
        service.feedback_accountability(store, ZHONGYUAN, "4101", 2025)
    with pytest.raises(PermissionDenied):
        service.feedback_accountability(store, PUBLIC, "", 2025)
    rows = service.feedback_accountability(store, MINISTRY, "", 2025)
    assert {r["division_code"] for r in rows} == {"11", "41", "46"}


def test_nul_characters_rejected(store: Session) -> None:
    # PostgreSQL stores no NUL in text, so it is rejected before any query.
    with pytest.raises(InvalidInput) as caught:
        service.submit(
            store,
            service.ANONYMOUS,
            category="fees",
            division_code="4101\x0002",
            text="a\x00b",
        )
    rules = [i.rule for i in caught.value.issues]  # type: ignore[attr-defined]
    assert rules == ["division_code", "text"]


def test_rules_file_from_environment(
    store: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(
        "categories:\n  fees: {zh: 收费, en: Fees, route: province, deadline: 1}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("JUNHENG_FEEDBACK_RULES", str(rules_file))
    rules = load_rules()
    assert list(rules.categories) == ["fees"]
    # Mon 3 Nov + 1 working day → Tue 4 Nov, at the province.
    item = send(store, category="fees")
    assert item.responsible_code == "41"
    assert item.due_on == dt.date(2025, 11, 4)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("categories: []\n", "no 'categories' mapping"),
        ("categories:\n  fees: {route: town, deadline: 5}\n", "route 'town'"),
        ("categories:\n  fees: {route: county, deadline: 0}\n", "deadline 0"),
    ],
)
def test_invalid_rules_file(tmp_path: Path, text: str, problem: str) -> None:
    rules_file = tmp_path / "bad.yaml"
    rules_file.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_rules(rules_file)
    assert problem in str(caught.value)
    assert str(rules_file) in str(caught.value)
