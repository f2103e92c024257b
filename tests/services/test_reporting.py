"""Reporting workflow: versions, the approval chain, conflicts and reopening."""

from __future__ import annotations

import pytest
from services.people import (
    BEIJING,
    DONGCHENG,
    ERQI,
    EVALUATOR,
    HENAN,
    PUBLIC,
    SCHOOL_1,
    ZHENGZHOU,
    ZHONGYUAN,
    beijing_school,
    school,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from junheng.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from junheng.governance import audit
from junheng.services import records, reporting
from junheng.services.access import COUNTY_ITEMS, Principal
from junheng.store.models import ReviewEvent, SchoolRecord


def _approve_to_top(store: Session, record: SchoolRecord) -> SchoolRecord:
    """Submit ``record`` (a draft of school 1) and approve it up to Henan."""
    reporting.submit(store, SCHOOL_1, record.id, record.version)
    for reviewer in (ZHONGYUAN, ZHENGZHOU, HENAN):
        reporting.review(store, reviewer, record.id, "approve", None, record.version)
    return record


def test_save_makes_versions(store: Session) -> None:
    first = reporting.save_school_year(
        store, SCHOOL_1, "2141000001", 2024, school(1), None
    )
    second = reporting.save_school_year(
        store, SCHOOL_1, "2141000001", 2024, school(1, computers=61), first.version
    )
    store.commit()
    assert (first.version, second.version) == (1, 2)
    assert not first.is_current
    assert second.is_current
    assert second.status == "draft"
    assert second.data["computers"] == 61
    # The region fields are filled from the division code, as on import.
    assert second.data["city_name"] == "郑州市"
    history = reporting.versions(store, ZHONGYUAN, "2141000001", 2024)
    assert [r.version for r in history] == [1, 2]


def test_save_unchanged_keeps_version(store: Session) -> None:
    first = reporting.save_school_year(
        store, SCHOOL_1, "2141000001", 2024, school(1), None
    )
    again = reporting.save_school_year(
        store, SCHOOL_1, "2141000001", 2024, school(1), 1
    )
    assert again.id == first.id


def test_save_rejects_bad_value(store: Session) -> None:
    with pytest.raises(InvalidInput) as caught:
        reporting.save_school_year(
            store, SCHOOL_1, "2141000001", 2024, school(1, primary_students=-5), None
        )
    issue = caught.value.issues[0]
    assert issue.column == "小学在校生数（人）"  # type: ignore[attr-defined]
    assert issue.value == "-5"  # type: ignore[attr-defined]
    assert store.scalars(select(SchoolRecord)).all() == []


def test_save_outside_scope_denied(store: Session) -> None:
    with pytest.raises(PermissionDenied):
        reporting.save_school_year(store, ERQI, "2141000001", 2024, school(1), None)
    with pytest.raises(PermissionDenied):
        reporting.save_school_year(store, SCHOOL_1, "2141000002", 2024, school(2), None)


def test_stale_base_version_conflict(store: Session) -> None:
    reporting.save_school_year(store, SCHOOL_1, "2141000001", 2024, school(1), None)
    reporting.save_school_year(
        store, ZHONGYUAN, "2141000001", 2024, school(1, books=16_000), 1
    )
    with pytest.raises(Conflict) as caught:
        reporting.save_school_year(
            store, SCHOOL_1, "2141000001", 2024, school(1, computers=70), 1
        )
    error = caught.value
    assert "changed by zhongyuan at" in error.message_en
    assert "now version 2" in error.message_en
    assert "you edited version 1" in error.message_en
    assert "已由 zhongyuan 于" in error.message_zh
    assert error.status == 409


def test_new_record_conflicts_with_existing(store: Session) -> None:
    reporting.save_school_year(store, SCHOOL_1, "2141000001", 2024, school(1), None)
    with pytest.raises(Conflict, match="you edited a new record"):
        reporting.save_school_year(
            store, ZHONGYUAN, "2141000001", 2024, school(1), None
        )


def test_compare_lists_changed_fields(store: Session) -> None:
    first = reporting.save_school_year(
        store, SCHOOL_1, "2141000001", 2024, school(1), None
    )
    second = reporting.save_school_year(
        store,
        SCHOOL_1,
        "2141000001",
        2024,
        school(1, computers=61, books=14_000, sports_area_m2=4100.5),
        1,
    )
    changes = reporting.compare(first, second)
    # Template order: sports area comes before computers and books.
    assert [c.field for c in changes] == ["sports_area_m2", "computers", "books"]
    assert (changes[1].before, changes[1].after) == (60, 61)
    assert changes[1].label_zh == "计算机数"
    assert (changes[0].before, changes[0].after) == (4000.0, 4100.5)
    assert reporting.compare(first, first) == []


@pytest.mark.parametrize("who", [EVALUATOR, SCHOOL_1, ERQI, PUBLIC])
def test_review_permission_before_form(store: Session, who: Principal) -> None:
    draft = reporting.save_school_year(
        store, SCHOOL_1, "2141000001", 2024, school(1), None
    )
    reporting.submit(store, SCHOOL_1, draft.id, 1)
    # A return without a comment, a bad decision and a stale version all get
    # 403 from a caller who may not review the record at all.
    for decision, comment, version in (("return", "", 1), ("maybe", None, 9)):
        with pytest.raises(PermissionDenied):
            reporting.review(store, who, draft.id, decision, comment, version)
    assert draft.status == "submitted"


def test_chain_end_to_end_with_return(store: Session) -> None:
    draft = reporting.save_school_year(
        store, SCHOOL_1, "2141000001", 2024, school(1), None
    )
    reporting.submit(store, SCHOOL_1, draft.id, 1)
    assert draft.status == "submitted"
    assert [r.id for r in reporting.pending_reviews(store, ZHONGYUAN)] == [draft.id]
    assert reporting.pending_reviews(store, ZHENGZHOU) == []

    reporting.review(store, ZHONGYUAN, draft.id, "return", "书籍册数有误", 1)
    assert draft.status == "returned"
    with pytest.raises(InvalidInput):
        reporting.review(store, ZHONGYUAN, draft.id, "return", "", 1)

    fixed = reporting.save_school_year(
        store, SCHOOL_1, "2141000001", 2024, school(1, books=16_000), 1
    )
    reporting.submit(store, SCHOOL_1, fixed.id, 2)
    reporting.review(store, ZHONGYUAN, fixed.id, "approve", None, 2)
    assert fixed.status == "county_approved"
    assert [r.id for r in reporting.pending_reviews(store, ZHENGZHOU)] == [fixed.id]
    reporting.review(store, ZHENGZHOU, fixed.id, "approve", None, 2)
    assert fixed.status == "city_approved"
    generation = records.data_generation(store)
    reporting.review(store, HENAN, fixed.id, "approve", "通过", 2)
    assert fixed.status == "approved"
    assert records.data_generation(store) == generation + 1
    store.commit()

    events = store.scalars(
        select(ReviewEvent)
        .where(ReviewEvent.record_id == fixed.id)
        .order_by(ReviewEvent.id)
    ).all()
    assert [(e.actor, e.to_status) for e in events] == [
        ("school1", "submitted"),
        ("zhongyuan", "county_approved"),
        ("zhengzhou", "city_approved"),
        ("henan", "approved"),
    ]
    assert audit.verify(store).ok


def test_approved_record_is_locked(store: Session) -> None:
    record = reporting.save_school_year(
        store, SCHOOL_1, "2141000001", 2024, school(1), None
    )
    _approve_to_top(store, record)
    with pytest.raises(Conflict, match="approved and locked"):
        reporting.save_school_year(
            store, SCHOOL_1, "2141000001", 2024, school(1, books=1), 1
        )
    with pytest.raises(Conflict):
        reporting.review(store, HENAN, record.id, "approve", None, 1)


def test_correction_after_approval(store: Session) -> None:
    record = reporting.save_school_year(
        store, SCHOOL_1, "2141000001", 2024, school(1), None
    )
    _approve_to_top(store, record)
    assert records.approved_frame(store).height == 1
    generation = records.data_generation(store)

    with pytest.raises(PermissionDenied):
        reporting.reopen(store, SCHOOL_1, record.id, "更正")
    reopened = reporting.reopen(store, ZHONGYUAN, record.id, "计算机数填错")
    assert (reopened.version, reopened.status) == (2, "returned")
    assert record.status == "approved"
    assert not record.is_current
    assert records.data_generation(store) == generation + 1
    assert records.approved_frame(store).height == 0

    corrected = reporting.save_school_year(
        store, SCHOOL_1, "2141000001", 2024, school(1, computers=80), 2
    )
    assert corrected.version == 3
    _approve_to_top(store, corrected)
    frame = records.approved_frame(store)
    assert frame["computers"].to_list() == [80]
    assert records.data_generation(store) == generation + 2
    store.commit()
    assert audit.verify(store).ok


def test_school_user_cannot_approve(store: Session) -> None:
    record = reporting.save_school_year(
        store, SCHOOL_1, "2141000001", 2024, school(1), None
    )
    reporting.submit(store, SCHOOL_1, record.id, 1)
    with pytest.raises(PermissionDenied):
        reporting.review(store, SCHOOL_1, record.id, "approve", None, 1)
    with pytest.raises(PermissionDenied):
        reporting.review(store, ERQI, record.id, "approve", None, 1)
    with pytest.raises(PermissionDenied):
        reporting.review(store, EVALUATOR, record.id, "approve", None, 1)


def test_review_out_of_turn_conflicts(store: Session) -> None:
    record = reporting.save_school_year(
        store, SCHOOL_1, "2141000001", 2024, school(1), None
    )
    reporting.submit(store, SCHOOL_1, record.id, 1)
    reporting.review(store, ZHONGYUAN, record.id, "approve", None, 1)
    # A second county reviewer working from the same page is shown who moved it.
    with pytest.raises(Conflict) as caught:
        reporting.review(store, ZHONGYUAN, record.id, "return", "再看看", 1)
    assert "is now county_approved by zhongyuan at" in caught.value.message_en


def test_review_with_stale_version_conflicts(store: Session) -> None:
    record = reporting.save_school_year(
        store, SCHOOL_1, "2141000001", 2024, school(1), None
    )
    reporting.submit(store, SCHOOL_1, record.id, 1)
    with pytest.raises(Conflict):
        reporting.review(store, ZHONGYUAN, record.id, "approve", None, 0)


def test_skip_city_for_municipality(store: Session) -> None:
    principal = DONGCHENG
    record = reporting.save_school_year(
        store, principal, "2111000001", 2024, beijing_school(1), None
    )
    reporting.submit(store, principal, record.id, 1)
    reporting.review(store, DONGCHENG, record.id, "approve", None, 1)
    assert record.status == "county_approved"
    assert [r.id for r in reporting.pending_reviews(store, BEIJING)] == [record.id]
    reporting.review(store, BEIJING, record.id, "approve", None, 1)
    assert record.status == "approved"


def test_unknown_record_not_found(store: Session) -> None:
    with pytest.raises(NotFound):
        reporting.submit(store, SCHOOL_1, 999, 1)


def test_county_items_chain(store: Session) -> None:
    items = {"G1": {"value": "是", "evidence": "布局规划文件"}, "G7": {"value": "6500"}}
    record = reporting.save_county_items(store, ZHONGYUAN, "410102", 2024, items, None)
    assert record.data["G7"] == {"value": "6500", "evidence": None}
    reporting.submit(store, ZHONGYUAN, record.id, 1, kind=COUNTY_ITEMS)
    # County items start at the county, so the city reviews them first.
    with pytest.raises(PermissionDenied):
        reporting.review(
            store, ZHONGYUAN, record.id, "approve", None, 1, kind=COUNTY_ITEMS
        )
    pending = reporting.pending_county_reviews(store, ZHENGZHOU)
    assert [r.id for r in pending] == [record.id]
    reporting.review(store, ZHENGZHOU, record.id, "approve", None, 1, kind=COUNTY_ITEMS)
    reporting.review(store, HENAN, record.id, "approve", None, 1, kind=COUNTY_ITEMS)
    assert record.status == "approved"
    frame = records.approved_county_items(store)
    assert frame.sort("item")["value_num"].to_list() == [None, 6500.0]
    assert frame.sort("item")["value_bool"].to_list() == [True, None]


def test_county_items_skip_city(store: Session) -> None:
    items = {"G1": {"value": "否"}}
    record = reporting.save_county_items(store, DONGCHENG, "110101", 2024, items, None)
    reporting.submit(store, DONGCHENG, record.id, 1, kind=COUNTY_ITEMS)
    reporting.review(store, BEIJING, record.id, "approve", None, 1, kind=COUNTY_ITEMS)
    assert record.status == "approved"


def test_county_items_checked(store: Session) -> None:
    with pytest.raises(InvalidInput) as caught:
        reporting.save_county_items(
            store,
            ZHONGYUAN,
            "410102",
            2024,
            {"G7": {"value": "很多"}, "ZZ": {"value": "1"}},
            None,
        )
    rules = sorted(i.rule for i in caught.value.issues)  # type: ignore[attr-defined]
    assert rules == ["item_value", "unknown_item"]
