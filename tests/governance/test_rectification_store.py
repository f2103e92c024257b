"""Rectification tasks and evaluations by others in the store, on SQLite and
PostgreSQL, over the hand-built county of ``rectdata``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from governance.rectdata import (
    BIG,
    COUNTY,
    EXPECTED_KEYS,
    WEAK,
    item_frame,
    school_frame,
)
from sqlalchemy import select
from sqlalchemy.orm import Session
from store.dbfixtures import Database

from junheng.errors import Conflict, InputError, NotFound, PermissionDenied
from junheng.governance import audit
from junheng.services import assessments
from junheng.services import rectification as service
from junheng.services.access import SYSTEM, Principal, Role
from junheng.services.results import FrameSource, ResultsCache
from junheng.standards.loader import load_framework
from junheng.store.divisions import load_divisions
from junheng.store.models import AuditRecord, RectificationTask

ZHONGYUAN = Principal(4, "zhongyuan", Role.COUNTY, COUNTY)
ERQI = Principal(5, "erqi", Role.COUNTY, "410103")
ZHENGZHOU = Principal(3, "zhengzhou", Role.CITY, "4101")
WEAK_SCHOOL = Principal(6, "weak", Role.SCHOOL, COUNTY, school_code=WEAK)
BIG_SCHOOL = Principal(7, "big", Role.SCHOOL, COUNTY, school_code=BIG)
EVALUATOR = Principal(8, "eval", Role.EVALUATOR, "", assigned_counties=(COUNTY,))
OTHER_EVALUATOR = Principal(
    9, "eval2", Role.EVALUATOR, "", assigned_counties=("410103",)
)
FRAMEWORK = load_framework()
OPENED = dt.date(2025, 3, 1)
DEADLINE = dt.date(2025, 12, 31)


@pytest.fixture
def store(database: Database) -> Iterator[Session]:
    with database.sessions() as opened:
        load_divisions(opened, SYSTEM, 2024, within=("41",))
        opened.commit()
        yield opened


@pytest.fixture(scope="module")
def evaluations() -> service.CachedEvaluations:
    return service.CachedEvaluations(
        ResultsCache(), FrameSource(school_frame(), item_frame())
    )


def _open(
    session: Session, evaluations: service.CachedEvaluations, who: Principal = ZHONGYUAN
) -> dict[str, int]:
    with evaluations.evaluation(2024) as ev:
        return service.open_tasks(
            session, who, ev, 2024, COUNTY, deadline=DEADLINE, today=OPENED
        )


def _tasks(session: Session) -> dict[str, RectificationTask]:
    return {t.key: t for t in session.scalars(select(RectificationTask))}


def test_open_every_shortfall(
    store: Session, evaluations: service.CachedEvaluations
) -> None:
    assert _open(store, evaluations) == {"added": 6, "kept": 0}
    store.commit()
    tasks = _tasks(store)
    assert set(tasks) == EXPECTED_KEYS
    weak = tasks[f"2024/410102/school/primary/{WEAK}/L1, L2/"]
    assert weak.owner_code == WEAK
    assert weak.status == "open"
    assert weak.deadline == DEADLINE
    cv = tasks["2024/410102/cv/primary//L6/"]
    assert cv.owner_code == COUNTY
    assert cv.value_found == pytest.approx(3920 / 4160)
    assert cv.target == 0.5


def test_open_twice_adds_nothing(
    store: Session, evaluations: service.CachedEvaluations
) -> None:
    _open(store, evaluations)
    store.commit()
    assert _open(store, evaluations, ZHENGZHOU) == {"added": 0, "kept": 6}
    store.commit()
    assert len(_tasks(store)) == 6


def test_open_default_deadline(
    store: Session, evaluations: service.CachedEvaluations
) -> None:
    with evaluations.evaluation(2024) as ev:
        shortfall = service.find_shortfalls(ev, 2024, COUNTY)[0]
    task, added = service.open_task(store, ZHONGYUAN, shortfall, today=OPENED)
    assert added is True
    assert task.deadline == OPENED + dt.timedelta(days=365)


def test_open_selected_keys(
    store: Session, evaluations: service.CachedEvaluations
) -> None:
    with evaluations.evaluation(2024) as ev:
        counts = service.open_tasks(
            store, ZHONGYUAN, ev, 2024, COUNTY, keys=["2024/410102/item///G7/G7"]
        )
        assert counts == {"added": 1, "kept": 0}
        with pytest.raises(NotFound):
            service.open_tasks(store, ZHONGYUAN, ev, 2024, COUNTY, keys=["nope"])


@pytest.mark.parametrize("who", [ERQI, WEAK_SCHOOL, EVALUATOR])
def test_open_outside_authority(
    store: Session, evaluations: service.CachedEvaluations, who: Principal
) -> None:
    with pytest.raises(PermissionDenied):
        _open(store, evaluations, who)


def test_sync_closes_and_flags_overdue(
    store: Session, evaluations: service.CachedEvaluations
) -> None:
    _open(store, evaluations)
    store.commit()
    # The deadline is 2025-12-31, so on 2026-01-05 the unmet task is overdue.
    counts = service.sync(store, ZHONGYUAN, evaluations, dt.date(2026, 1, 5))
    store.commit()
    assert counts == {"closed": 5, "overdue": 1}
    tasks = _tasks(store)
    satisfaction = tasks["2024/410102/item///S1/S1"]
    assert satisfaction.status == "overdue"
    cv = tasks["2024/410102/cv/primary//L6/"]
    assert cv.status == "closed_by_data"
    assert cv.closed_year == 2025
    assert cv.closed_value == 0.0  # every school at 2,200 yuan in 2025
    g7 = tasks["2024/410102/item///G7/G7"]
    assert g7.closed_value == 6000.0


def test_sync_before_deadline_keeps_open(
    store: Session, evaluations: service.CachedEvaluations
) -> None:
    _open(store, evaluations)
    counts = service.sync(store, ZHONGYUAN, evaluations, dt.date(2025, 12, 31))
    assert counts == {"closed": 5, "overdue": 0}
    assert _tasks(store)["2024/410102/item///S1/S1"].status == "open"


def test_later_deadline_reopens_overdue(
    store: Session, evaluations: service.CachedEvaluations
) -> None:
    _open(store, evaluations)
    service.sync(store, ZHONGYUAN, evaluations, dt.date(2026, 1, 5))
    task = _tasks(store)["2024/410102/item///S1/S1"]
    assert task.status == "overdue"
    service.update_task(store, ZHONGYUAN, task.id, deadline=dt.date(2100, 1, 1))
    assert task.status == "open"


def test_rule_target_unchangeable(
    store: Session, evaluations: service.CachedEvaluations
) -> None:
    _open(store, evaluations)
    veto = _tasks(store)["2024/410102/veto///V1/V1"]
    with pytest.raises(InputError):
        service.update_task(store, ZHONGYUAN, veto.id, target=1.0)


def test_sync_only_given_year(
    store: Session, evaluations: service.CachedEvaluations
) -> None:
    _open(store, evaluations)
    counts = service.sync(store, ZHONGYUAN, evaluations, OPENED, year=2024)
    assert counts == {"closed": 0, "overdue": 0}


def test_sync_leaves_other_scopes(
    store: Session, evaluations: service.CachedEvaluations
) -> None:
    _open(store, evaluations)
    counts = service.sync(store, ERQI, evaluations, dt.date(2026, 1, 5))
    assert counts == {"closed": 0, "overdue": 0}


def test_sync_rejects_school(
    store: Session, evaluations: service.CachedEvaluations
) -> None:
    with pytest.raises(PermissionDenied):
        service.sync(store, WEAK_SCHOOL, evaluations, OPENED)


def test_scoping_of_reads(
    store: Session, evaluations: service.CachedEvaluations
) -> None:
    _open(store, evaluations)
    store.commit()
    assert len(service.list_tasks(store, ZHONGYUAN)) == 6
    assert len(service.list_tasks(store, ZHENGZHOU)) == 6
    assert len(service.list_tasks(store, EVALUATOR)) == 6
    assert service.list_tasks(store, ERQI) == []
    assert service.list_tasks(store, OTHER_EVALUATOR) == []
    own = service.list_tasks(store, WEAK_SCHOOL)
    assert [t.owner_code for t in own] == [WEAK]
    some_id = own[0].id
    with pytest.raises(NotFound):
        service.get_task(store, ERQI, some_id)
    with pytest.raises(NotFound):
        service.get_task(store, BIG_SCHOOL, some_id)


def test_list_filters(store: Session, evaluations: service.CachedEvaluations) -> None:
    _open(store, evaluations)
    kinds = service.TaskFilter(kind="veto")
    assert [t.subject for t in service.list_tasks(store, ZHONGYUAN, kinds)] == ["V1"]
    school = service.TaskFilter(prefix=BIG)
    assert [t.kind for t in service.list_tasks(store, ZHONGYUAN, school)] == [
        "school_item"
    ]
    assert service.list_tasks(store, ZHONGYUAN, service.TaskFilter(year=2023)) == []


def test_scoping_of_changes(
    store: Session, evaluations: service.CachedEvaluations
) -> None:
    _open(store, evaluations)
    store.commit()
    tasks = _tasks(store)
    weak = tasks[f"2024/410102/school/primary/{WEAK}/L1, L2/"]
    cv = tasks["2024/410102/cv/primary//L6/"]
    with pytest.raises(NotFound):
        service.add_note(store, ERQI, weak.id, "越权")
    with pytest.raises(NotFound):
        service.update_task(store, ERQI, cv.id, deadline=dt.date(2030, 1, 1))
    with pytest.raises(PermissionDenied):
        service.add_note(store, EVALUATOR, cv.id, "第三方不能记录")
    with pytest.raises(PermissionDenied):
        service.update_task(store, WEAK_SCHOOL, weak.id, target=1.0)
    note = service.add_note(
        store, WEAK_SCHOOL, weak.id, "已招聘教师", status="closure_requested"
    )
    assert note.author == "weak"
    assert weak.status == "closure_requested"
    service.add_note(store, ZHONGYUAN, weak.id, "核查属实", status="done")
    assert weak.status == "done"


def test_statuses_per_role(
    store: Session, evaluations: service.CachedEvaluations
) -> None:
    _open(store, evaluations)
    weak = _tasks(store)[f"2024/410102/school/primary/{WEAK}/L1, L2/"]
    assert service.statuses_for(WEAK_SCHOOL, weak) == (
        "in_progress",
        "closure_requested",
    )
    assert service.statuses_for(ZHONGYUAN, weak) == ("open", "in_progress", "done")
    assert service.statuses_for(ZHENGZHOU, weak) == ("open", "in_progress", "done")
    assert service.statuses_for(BIG_SCHOOL, weak) == ()
    assert service.statuses_for(EVALUATOR, weak) == ()


@pytest.mark.parametrize("status", ["done", "open"])
def test_school_cannot_close_task(
    store: Session, evaluations: service.CachedEvaluations, status: str
) -> None:
    _open(store, evaluations)
    weak = _tasks(store)[f"2024/410102/school/primary/{WEAK}/L1, L2/"]
    with pytest.raises(PermissionDenied) as raised:
        service.add_note(store, WEAK_SCHOOL, weak.id, "已招聘教师", status=status)
    assert "allowed: in_progress, closure_requested" in raised.value.message("en")
    assert "由覆盖该县的教育行政部门确认完成" in raised.value.message("zh")
    assert weak.status == "open"


@pytest.mark.parametrize("status", ["in_progress", "closure_requested"])
def test_school_status_needs_note(
    store: Session, evaluations: service.CachedEvaluations, status: str
) -> None:
    _open(store, evaluations)
    weak = _tasks(store)[f"2024/410102/school/primary/{WEAK}/L1, L2/"]
    with pytest.raises(InputError) as raised:
        service.add_note(store, WEAK_SCHOOL, weak.id, "   ", status=status)
    assert "needs a note" in raised.value.message("en")
    assert "须填写进展说明" in raised.value.message("zh")
    assert weak.status == "open"
    assert service.notes(store, weak) == []


def test_school_request_keeps_overdue(
    store: Session, evaluations: service.CachedEvaluations
) -> None:
    _open(store, evaluations)
    # Measuring 2024 alone closes nothing, so every task is overdue on
    # 5 January 2026.
    service.sync(store, ZHONGYUAN, evaluations, dt.date(2026, 1, 5), year=2024)
    weak = _tasks(store)[f"2024/410102/school/primary/{WEAK}/L1, L2/"]
    assert weak.status == "overdue"
    note = service.add_note(
        store, WEAK_SCHOOL, weak.id, "已补足教师", status="closure_requested"
    )
    # The request stays on the note; only an authority lifts the overdue task.
    assert note.status == "closure_requested"
    assert weak.status == "overdue"
    rows = service.accountability(store, ZHENGZHOU, "4101")
    assert [(r.code, r.overdue) for r in rows] == [(COUNTY, 6)]
    service.add_note(store, ZHONGYUAN, weak.id, "验收通过", status="done")
    assert weak.status == "done"


def test_pending_request_goes_overdue(
    store: Session, evaluations: service.CachedEvaluations
) -> None:
    _open(store, evaluations)
    weak = _tasks(store)[f"2024/410102/school/primary/{WEAK}/L1, L2/"]
    service.add_note(
        store, WEAK_SCHOOL, weak.id, "已补足教师", status="closure_requested"
    )
    rows = service.accountability(store, ZHENGZHOU, "4101")
    # The school task is one of 6 open tasks until the county confirms it.
    assert [(r.open, r.done) for r in rows] == [(6, 0)]
    # Unconfirmed at the deadline (2025-12-31), the request does not stop it.
    service.sync(store, ZHONGYUAN, evaluations, dt.date(2026, 1, 5), year=2024)
    assert weak.status == "overdue"


def test_deadline_before_opening_rejected(
    store: Session, evaluations: service.CachedEvaluations
) -> None:
    with evaluations.evaluation(2024) as ev, pytest.raises(InputError) as raised:
        service.open_tasks(
            store,
            ZHONGYUAN,
            ev,
            2024,
            COUNTY,
            deadline=dt.date(2020, 1, 1),
            today=OPENED,
        )
    assert "deadline 2020-01-01 is before the task's opening date 2025-03-01" in (
        raised.value.message("en")
    )
    assert "早于任务开立日期 2025-03-01" in raised.value.message("zh")
    assert _tasks(store) == {}
    _open(store, evaluations)
    task = _tasks(store)["2024/410102/item///S1/S1"]
    opened = task.created_at.date()
    with pytest.raises(InputError):
        service.update_task(
            store, ZHONGYUAN, task.id, deadline=opened - dt.timedelta(days=1)
        )
    service.update_task(store, ZHONGYUAN, task.id, deadline=opened)
    assert task.deadline == opened


def test_note_rules(store: Session, evaluations: service.CachedEvaluations) -> None:
    _open(store, evaluations)
    task = _tasks(store)["2024/410102/cv/primary//L6/"]
    with pytest.raises(InputError):
        service.add_note(store, ZHONGYUAN, task.id, "  ")
    with pytest.raises(InputError):
        service.add_note(store, ZHONGYUAN, task.id, "x", status="closed_by_data")
    service.add_note(store, ZHONGYUAN, task.id, "设备调配中", status="in_progress")
    service.sync(store, ZHONGYUAN, evaluations, OPENED)
    assert task.status == "closed_by_data"
    with pytest.raises(Conflict):
        service.add_note(store, ZHONGYUAN, task.id, "重开", status="open")
    service.add_note(store, ZHONGYUAN, task.id, "复查确认")
    texts = [n.text for n in service.notes(store, task)]
    assert texts == ["设备调配中", "复查确认"]


def test_changes_are_audited(
    store: Session, evaluations: service.CachedEvaluations
) -> None:
    _open(store, evaluations)
    task = _tasks(store)["2024/410102/item///S1/S1"]
    service.add_note(store, ZHONGYUAN, task.id, "开展满意度调查", status="in_progress")
    # 80 is looser than the framework's 85, which the city above may set.
    service.update_task(store, ZHENGZHOU, task.id, target=80.0)
    service.sync(store, ZHONGYUAN, evaluations, OPENED)
    store.commit()
    records = list(
        store.scalars(
            select(AuditRecord)
            .where(AuditRecord.entity_id == str(task.id))
            .where(AuditRecord.entity == "rectification_task")
            .order_by(AuditRecord.seq)
        )
    )
    assert [r.action for r in records] == [
        "rectification.open",
        "rectification.note",
        "rectification.update",
        "rectification.close_by_data",  # target 80 met by S1 = 80 in 2025
    ]
    assert records[-1].after is not None
    assert records[-1].after["closed_year"] == 2025
    assert records[0].actor == "zhongyuan"
    assert audit.verify(store).ok


def test_accountability_rows(
    store: Session, evaluations: service.CachedEvaluations
) -> None:
    _open(store, evaluations)
    service.sync(store, ZHONGYUAN, evaluations, dt.date(2026, 1, 5))
    city = service.accountability(store, ZHENGZHOU, "4101")
    assert [(r.code, r.total, r.done, r.overdue) for r in city] == [(COUNTY, 6, 5, 1)]
    assert city[0].name == "中原区"
    assert city[0].share_closed_by_data == pytest.approx(5 / 6)
    county = {r.code: r for r in service.accountability(store, ZHONGYUAN, COUNTY)}
    assert set(county) == {COUNTY, WEAK, BIG}
    assert county[COUNTY].total == 4  # cv, G7, S1, V1
    assert county[COUNTY].overdue == 1
    with pytest.raises(PermissionDenied):
        service.accountability(store, ERQI, "4101")


def test_record_assessment(store: Session) -> None:
    assessments.record_assessment(
        store,
        EVALUATOR,
        year=2024,
        division_code=COUNTY,
        school_code="",
        subject="cv:primary:L6",
        value=None,
        judgement="pass",
        note="抽样核查",
        framework=FRAMEWORK,
    )
    assessments.record_assessment(
        store,
        EVALUATOR,
        year=2024,
        division_code=COUNTY,
        school_code="",
        subject="cv:primary:L6",
        value=0.45,
        judgement=None,
        note=None,
        framework=FRAMEWORK,
    )
    assessments.record_assessment(
        store,
        WEAK_SCHOOL,
        year=2024,
        division_code=COUNTY,
        school_code=WEAK,
        subject="compliant:primary",
        value=None,
        judgement="pass",
        note="自评",
        framework=FRAMEWORK,
    )
    store.commit()
    county = assessments.assessments(store, ZHONGYUAN, 2024, COUNTY)
    assert [(p.author, p.value, p.judgement) for p in county] == [("eval", 0.45, None)]
    own = assessments.assessments(store, WEAK_SCHOOL, 2024, COUNTY, WEAK)
    assert [(p.role, p.judgement) for p in own] == [("school", "pass")]
    actions = store.scalars(
        select(AuditRecord.action).where(AuditRecord.entity == "peer_assessment")
    ).all()
    assert actions == ["assessment.record"] * 3


@pytest.mark.parametrize(
    ("who", "school_code"),
    [
        (ZHONGYUAN, ""),  # the government's own evaluation is the core's
        (OTHER_EVALUATOR, ""),
        (WEAK_SCHOOL, ""),  # a school evaluates only its own school-year
        (BIG_SCHOOL, WEAK),
    ],
)
def test_record_assessment_denied(
    store: Session, who: Principal, school_code: str
) -> None:
    with pytest.raises(PermissionDenied):
        assessments.record_assessment(
            store,
            who,
            year=2024,
            division_code=COUNTY,
            school_code=school_code,
            subject="cv:primary:L6",
            value=None,
            judgement="fail",
            note=None,
            framework=FRAMEWORK,
        )


@pytest.mark.parametrize(
    ("subject", "school"),
    [
        ("bogus:thing", ""),
        ("cv:primary:L99", ""),
        ("cv:senior:L1", ""),
        ("check:NOPE", ""),
        ("indicator:primary:L1", ""),
        ("cv:primary:L1", WEAK),
        ("compliant:high", WEAK),
    ],
)
def test_unknown_subject_rejected(store: Session, subject: str, school: str) -> None:
    who = WEAK_SCHOOL if school else EVALUATOR
    with pytest.raises(InputError) as raised:
        assessments.record_assessment(
            store,
            who,
            year=2024,
            division_code=COUNTY,
            school_code=school,
            subject=subject,
            value=None,
            judgement="fail",
            note=None,
            framework=FRAMEWORK,
        )
    assert f"subject {subject!r} is not one of framework cn-2017-quality" in (
        raised.value.message("en")
    )
    assert "评估对象" in raised.value.message("zh")
    example = "indicator:primary:L1" if school else "cv:primary:L1"
    assert example in raised.value.message("en")


def test_known_subjects_accepted(store: Session) -> None:
    for subject in ("check:G1", "cv:junior:L1"):
        stored = assessments.record_assessment(
            store,
            EVALUATOR,
            year=2024,
            division_code=COUNTY,
            school_code="",
            subject=subject,
            value=None,
            judgement="pass",
            note=None,
            framework=FRAMEWORK,
        )
        assert stored.subject == subject


def test_record_assessment_needs_value(store: Session) -> None:
    with pytest.raises(InputError):
        assessments.record_assessment(
            store,
            EVALUATOR,
            year=2024,
            division_code=COUNTY,
            school_code="",
            subject="cv:primary:L6",
            value=None,
            judgement=None,
            note=None,
            framework=FRAMEWORK,
        )


def test_owner_cannot_loosen_target(
    store: Session, evaluations: service.CachedEvaluations
) -> None:
    _open(store, evaluations)
    cv = _tasks(store)["2024/410102/cv/primary//L6/"]
    # The framework's CV limit for primary schools is 0.50, the opening target.
    assert service.opening_target(store, cv) == 0.5
    with pytest.raises(PermissionDenied) as raised:
        service.update_task(store, ZHONGYUAN, cv.id, target=0.9)
    assert "looser than the framework's <= 0.5" in raised.value.message("en")
    assert "只有上级教育行政部门" in raised.value.message("zh")
    assert cv.target == 0.5
    # A stricter target, and the limit itself, are the county's to set.
    service.update_task(store, ZHONGYUAN, cv.id, target=0.45)
    assert cv.target == 0.45
    service.update_task(store, ZHONGYUAN, cv.id, target=0.5)
    assert cv.target == 0.5
    # The city above the owning county may loosen it.
    service.update_task(store, ZHENGZHOU, cv.id, target=0.9)
    assert cv.target == 0.9
    s1 = _tasks(store)["2024/410102/item///S1/S1"]
    # S1 needs >= 85, so 80 is looser for the county.
    with pytest.raises(PermissionDenied):
        service.update_task(store, ZHONGYUAN, s1.id, target=80.0)


def test_target_outside_range_rejected(
    store: Session, evaluations: service.CachedEvaluations
) -> None:
    _open(store, evaluations)
    cv = _tasks(store)["2024/410102/cv/primary//L6/"]
    # A CV is 0 or more, so -5 can never be met; not even the city may set it.
    for who in (ZHONGYUAN, ZHENGZHOU):
        with pytest.raises(InputError) as raised:
            service.update_task(store, who, cv.id, target=-5.0)
        assert "outside the range of a CV, which is of 0 or more" in (
            raised.value.message("en")
        )
    s1 = _tasks(store)["2024/410102/item///S1/S1"]
    # S1 is a percentage (unit %), from 0 to 100.
    with pytest.raises(InputError) as raised:
        service.update_task(store, ZHENGZHOU, s1.id, target=101.0)
    assert "from 0 to 100" in raised.value.message("en")
    assert "0 至 100" in raised.value.message("zh")
    assert cv.target == 0.5
    assert s1.target == 85.0


def test_own_task_done_needs_note(
    store: Session, evaluations: service.CachedEvaluations
) -> None:
    _open(store, evaluations)
    cv = _tasks(store)["2024/410102/cv/primary//L6/"]
    with pytest.raises(InputError) as raised:
        service.add_note(store, ZHONGYUAN, cv.id, "  ", status="done")
    assert "your own unit" in raised.value.message("en")
    assert cv.status == "open"
    # Other statuses need no note, as before.
    service.add_note(store, ZHONGYUAN, cv.id, "", status="in_progress")
    assert cv.status == "in_progress"
    # With a note the county may close it, and the city may without one.
    service.add_note(store, ZHONGYUAN, cv.id, "已调配设备，附调拨单", status="done")
    assert cv.status == "done"
    s1 = _tasks(store)["2024/410102/item///S1/S1"]
    service.add_note(store, ZHENGZHOU, s1.id, "", status="done")
    assert s1.status == "done"
    # A school's task is not the county's own, so the county confirms it
    # without a note, as documented.
    weak = _tasks(store)[f"2024/410102/school/primary/{WEAK}/L1, L2/"]
    service.add_note(store, ZHONGYUAN, weak.id, "", status="done")
    assert weak.status == "done"
