"""Completeness and timeliness per child division against deadlines."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from services.people import (
    ERQI,
    HENAN,
    SCHOOL_1,
    ZHENGZHOU,
    ZHONGYUAN,
    school,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from junheng.errors import InvalidInput, PermissionDenied
from junheng.services import reporting
from junheng.services.completeness import AppliedDeadline, applied_deadlines, applying
from junheng.store.models import ReviewEvent


def _four_schools(store: Session) -> list[int]:
    """Save schools 1–3 in 中原区 and 4 in 二七区; return the record ids."""
    ids = []
    for number in (1, 2, 3, 4):
        row = school(number, division_code="410103" if number == 4 else "410102")
        record = reporting.save_school_year(
            store, HENAN, row["school_code"], 2024, row, None
        )
        ids.append(record.id)
    return ids


def test_counts_per_county_with_deadline(store: Session) -> None:
    one, two, _three, four = _four_schools(store)
    reporting.set_deadline(store, HENAN, 2024, "41", date(2024, 10, 31))
    # 中原区 sets an earlier date for its own schools.
    reporting.set_deadline(store, ZHONGYUAN, 2024, "410102", date(2024, 10, 15))
    reporting.submit(store, SCHOOL_1, one, 1)
    reporting.review(store, ZHONGYUAN, one, "approve", None, 1)
    reporting.review(store, ZHENGZHOU, one, "approve", None, 1)
    reporting.review(store, HENAN, one, "approve", None, 1)
    reporting.submit(store, ZHONGYUAN, two, 1)
    reporting.submit(store, ERQI, four, 1)
    store.flush()
    rows = reporting.completeness(
        store, ZHENGZHOU, 2024, "4101", today=date(2024, 10, 20)
    )
    by_code = {row.code: row for row in rows}
    zhongyuan, erqi = by_code["410102"], by_code["410103"]
    assert (zhongyuan.expected, zhongyuan.submitted, zhongyuan.approved) == (3, 2, 1)
    # School 3 is not submitted and 中原区's 15 October deadline has passed.
    assert zhongyuan.overdue == 1
    assert zhongyuan.due_date == date(2024, 10, 15)
    assert (erqi.expected, erqi.submitted, erqi.approved, erqi.overdue) == (1, 1, 0, 0)
    assert erqi.due_date == date(2024, 10, 31)
    # Counties without schools in the store still get a row.
    assert by_code["410122"].expected == 0


def test_late_submission_counted(store: Session) -> None:
    one, *_ = _four_schools(store)
    due = date(2024, 10, 15)
    reporting.set_deadline(store, HENAN, 2024, "41", due)
    reporting.submit(store, SCHOOL_1, one, 1)
    event = store.scalars(select(ReviewEvent).where(ReviewEvent.record_id == one)).one()
    event.at = datetime(2024, 10, 15, 23, 0, tzinfo=UTC)
    store.flush()
    on_time = reporting.completeness(store, ZHONGYUAN, 2024, "410102", today=due)
    assert [(r.submitted, r.late, r.overdue) for r in on_time] == [(1, 0, 0)]
    # Move the submission to the day after the deadline.
    event.at = datetime(2024, 10, 16, 9, 0, tzinfo=UTC)
    store.flush()
    late = reporting.completeness(store, ZHONGYUAN, 2024, "410102", today=due)
    # Two schools of 中原区 are still unsubmitted but not yet overdue on the
    # deadline day itself.
    assert [(r.submitted, r.late, r.overdue) for r in late] == [(1, 1, 0)]


def test_province_children_are_cities(store: Session) -> None:
    _four_schools(store)
    rows = reporting.completeness(store, HENAN, 2024, "41", today=date(2024, 9, 1))
    zhengzhou = next(r for r in rows if r.code == "4101")
    assert (zhengzhou.level, zhengzhou.expected) == ("city", 4)
    # 济源市 (419001) is a county-level city directly under the province.
    jiyuan = next(r for r in rows if r.code == "419001")
    assert jiyuan.level == "county"
    assert {r.level for r in rows} == {"city", "county"}


def test_completeness_outside_scope_denied(store: Session) -> None:
    with pytest.raises(PermissionDenied):
        reporting.completeness(store, ZHONGYUAN, 2024, "4101")
    with pytest.raises(PermissionDenied):
        reporting.set_deadline(store, ZHONGYUAN, 2024, "41", date(2024, 10, 1))


def test_earliest_deadline_applies(store: Session) -> None:
    one, *_ = _four_schools(store)
    # 中原区 sets 30 September first; 郑州市 then sets 1 June for the whole
    # city, and the earlier date applies to 中原区 as well.
    reporting.set_deadline(store, ZHONGYUAN, 2024, "410102", date(2024, 9, 30))
    reporting.set_deadline(store, ZHENGZHOU, 2024, "4101", date(2024, 6, 1))
    reporting.submit(store, SCHOOL_1, one, 1)
    event = store.scalars(select(ReviewEvent).where(ReviewEvent.record_id == one)).one()
    event.at = datetime(2024, 7, 1, 9, 0, tzinfo=UTC)
    store.flush()
    rows = reporting.completeness(
        store, ZHENGZHOU, 2024, "4101", today=date(2024, 7, 2)
    )
    zhongyuan = next(r for r in rows if r.code == "410102")
    assert zhongyuan.due_date == date(2024, 6, 1)
    # School 1 submitted on 1 July, after 1 June; schools 2 and 3 are overdue.
    assert zhongyuan.late == 1
    assert zhongyuan.overdue == 2


def test_county_cannot_move_past_city(store: Session) -> None:
    reporting.set_deadline(store, ZHENGZHOU, 2024, "4101", date(2024, 6, 1))
    reporting.set_deadline(store, ZHONGYUAN, 2024, "410102", date(2024, 5, 1))
    with pytest.raises(InvalidInput) as raised:
        reporting.set_deadline(store, ZHONGYUAN, 2024, "410102", date(2024, 6, 2))
    error = raised.value
    assert "later than the deadline 2024-06-01 that 4101 set" in error.message("en")
    assert "晚于上级 4101" in error.message("zh")
    assert "不晚于 2024-06-01" in error.message("zh")
    # The county's own earlier date may still move, up to the city's.
    reporting.set_deadline(store, ZHONGYUAN, 2024, "410102", date(2024, 6, 1))
    rows = reporting.completeness(store, ZHENGZHOU, 2024, "4101")
    assert next(r for r in rows if r.code == "410102").due_date == date(2024, 6, 1)


@pytest.mark.parametrize(
    "due", [date(1900, 1, 1), date(2023, 12, 31), date(2026, 1, 1), date(9999, 12, 31)]
)
def test_deadline_outside_school_year(store: Session, due: date) -> None:
    with pytest.raises(InvalidInput) as raised:
        reporting.set_deadline(store, ZHONGYUAN, 2024, "410102", due)
    error = raised.value
    assert f"deadline {due.isoformat()} is outside school year 2024" in error.message(
        "en"
    )
    assert "from 2024-01-01 to 2025-12-31" in error.message("en")
    assert "2024-01-01 至 2025-12-31" in error.message("zh")


def test_deadline_window_edges_accepted(store: Session) -> None:
    reporting.set_deadline(store, HENAN, 2024, "41", date(2025, 12, 31))
    reporting.set_deadline(store, ZHONGYUAN, 2024, "410102", date(2024, 1, 1))
    rows = reporting.completeness(store, ZHONGYUAN, 2024, "410102")
    assert rows[0].due_date == date(2024, 1, 1)


def test_applied_deadline_names_region(store: Session) -> None:
    # 中原区 sets 30 September, 郑州市 then 1 June: the city's date applies to
    # the county's schools, and the region that set it is named.
    reporting.set_deadline(store, ZHONGYUAN, 2024, "410102", date(2024, 9, 30))
    reporting.set_deadline(store, ZHENGZHOU, 2024, "4101", date(2024, 6, 1))
    # 2025 has only the county's own date, 1 May 2025.
    reporting.set_deadline(store, ZHONGYUAN, 2025, "410102", date(2025, 5, 1))
    applied = applied_deadlines(store, "410102")
    assert applied[2024] == AppliedDeadline(2024, date(2024, 6, 1), "4101", "郑州市")
    assert applied[2025] == AppliedDeadline(2025, date(2025, 5, 1), "410102", "中原区")
    assert set(applied_deadlines(store, "410102", [2025])) == {2025}
    # 二七区 has only the city's 2024 date.
    assert set(applied_deadlines(store, "410103")) == {2024}


def test_applying_prefers_earliest_then_top() -> None:
    dates = {"4101": date(2024, 6, 1), "410102": date(2024, 6, 1)}
    # On the same date, the region nearest the top is named.
    assert applying(dates, "410102") == ("4101", date(2024, 6, 1))
    dates["410102"] = date(2024, 5, 1)
    assert applying(dates, "410102") == ("410102", date(2024, 5, 1))
    assert applying(dates, "410103") == ("4101", date(2024, 6, 1))
    assert applying(dates, "420102") is None
