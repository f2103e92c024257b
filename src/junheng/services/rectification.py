"""Rectification tasks (整改任务), their progress notes, and evaluations by
other authors, in the store.

Authorities open tasks for the shortfalls of counties in their scope
(:func:`open_tasks`), one at a time or every shortfall of a county-year at
once. A shortfall that already has a task keeps it. :func:`sync` closes the
loop: a task whose target a later year's approved data meet becomes
``closed_by_data``, and one past its deadline becomes ``overdue``. Schools add
notes to their own tasks, authorities to every task in their scope.

Evaluations by third parties and schools are in
:mod:`junheng.services.assessments`.

Every change is written with its audit record in the caller's transaction;
the caller commits.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from junheng.errors import Conflict, InputError, NotFound, PermissionDenied
from junheng.evaluation.verdict import Evaluation
from junheng.governance import audit
from junheng.governance.rectification import (
    COMPARISONS,
    Measurement,
    Shortfall,
    TaskSpec,
    find_shortfalls,
    measure,
)
from junheng.ingest.county_items import item_kinds
from junheng.services.access import ADMINISTRATIONS, Principal, Role, can_read, covers
from junheng.services.input_checks import require_finite
from junheng.services.results import ResultsCache, ResultSource
from junheng.standards.loader import load_framework
from junheng.standards.model import Framework
from junheng.store.models import (
    TASK_STATUSES,
    AuditRecord,
    Division,
    RectificationTask,
    TaskNote,
    utcnow,
)

log = logging.getLogger(__name__)

DEFAULT_DAYS = 365
"""Days from opening to the deadline when none is given: one school year."""

AUTHORITY_STATUSES: tuple[str, ...] = ("open", "in_progress", "done")
"""Statuses an education authority covering the task's county may set."""

SCHOOL_STATUSES: tuple[str, ...] = ("in_progress", "closure_requested")
"""Statuses the owning school may set, each with a note saying what was done.
Only an authority, or :func:`sync` from the data, makes a task done."""

MANUAL_STATUSES: tuple[str, ...] = ("open", "in_progress", "closure_requested", "done")
"""Statuses a person may set; ``overdue`` and ``closed_by_data`` come from
:func:`sync`."""

ACTIVE_STATUSES: tuple[str, ...] = (
    "open",
    "in_progress",
    "closure_requested",
    "overdue",
)
"""Statuses of tasks not yet done, which :func:`sync` checks."""

DUE_STATUSES: tuple[str, ...] = ("open", "in_progress", "closure_requested")
"""Statuses that :func:`sync` turns into ``overdue`` once the deadline passes:
a closure request not yet confirmed does not stop the deadline."""

NOTE_MAX = 4000


def is_authority(principal: Principal, division_code: str) -> bool:
    """Return whether ``principal`` is an education authority covering the
    division, which may open and change its tasks."""
    return principal.role in ADMINISTRATIONS and covers(principal.scope, division_code)


def _denied(principal: Principal, action_en: str, action_zh: str, target: str) -> Any:
    return PermissionDenied(
        f"user {principal.username!r} ({principal.role}) may not {action_en} "
        f"{target}; an education authority covering it can",
        zh=f"用户 {principal.username} 无权{action_zh} {target}，"
        "需由覆盖该地区的教育行政部门操作",
    )


def _require_authority(principal: Principal, division_code: str) -> None:
    if not is_authority(principal, division_code):
        raise _denied(
            principal,
            "open or change rectification tasks of",
            "开立或修改整改任务：",
            division_code,
        )


def _can_read_task(principal: Principal, task: RectificationTask) -> bool:
    return can_read(principal, task.division_code, task.school_code)


def can_work_on(principal: Principal, task: RectificationTask) -> bool:
    """Return whether ``principal`` may add notes to ``task`` and set its
    status: the owning school, or an authority covering its county."""
    if principal.role == Role.SCHOOL:
        return (
            task.school_code is not None
            and task.school_code == principal.school_code
            and covers(principal.scope, task.division_code)
        )
    return is_authority(principal, task.division_code)


def owns(principal: Principal, task: RectificationTask) -> bool:
    """Return whether ``principal`` is the authority of the unit that owns
    ``task`` (a county for its own ``cv``, ``item`` and ``veto`` tasks), which
    must not judge its own task alone."""
    return principal.role in ADMINISTRATIONS and principal.scope == task.owner_code


def statuses_for(principal: Principal, task: RectificationTask) -> tuple[str, ...]:
    """Return the statuses ``principal`` may set on ``task`` (none when it may
    not work on the task)."""
    if not can_work_on(principal, task):
        return ()
    if principal.role == Role.SCHOOL:
        return SCHOOL_STATUSES
    return AUTHORITY_STATUSES


def _check_deadline(deadline: dt.date, opened: dt.date) -> None:
    if deadline < opened:
        raise InputError(
            f"deadline {deadline.isoformat()} is before the task's opening date "
            f"{opened.isoformat()}; choose {opened.isoformat()} or later",
            zh=f"整改期限 {deadline.isoformat()} 早于任务开立日期 "
            f"{opened.isoformat()}，请选择 {opened.isoformat()} 或之后的日期",
        )


def _state(task: RectificationTask) -> dict[str, Any]:
    return {
        "key": task.key,
        "owner_code": task.owner_code,
        "value_found": task.value_found,
        "target": task.target,
        "deadline": task.deadline,
        "status": task.status,
        "closed_year": task.closed_year,
        "closed_value": task.closed_value,
    }


def _audit(
    session: Session,
    principal: Principal,
    action: str,
    task: RectificationTask,
    before: dict[str, Any] | None,
    at: dt.datetime,
) -> None:
    audit.append(
        session,
        principal.username,
        action,
        "rectification_task",
        task.id,
        before,
        _state(task),
        at=at,
    )


# ------------------------------------------------------------------ tasks


def open_task(
    session: Session,
    principal: Principal,
    shortfall: Shortfall,
    *,
    deadline: dt.date | None = None,
    target: float | None = None,
    today: dt.date | None = None,
) -> tuple[RectificationTask, bool]:
    """Open a task for ``shortfall``; return it and whether it is new.

    A shortfall that already has a task returns that task unchanged.
    ``target`` replaces the framework's threshold or limit, and ``deadline``
    defaults to :data:`DEFAULT_DAYS` after ``today``; a deadline before
    ``today`` raises :class:`InputError`.
    """
    _require_authority(principal, shortfall.division_code)
    if deadline is not None:
        _check_deadline(deadline, today or utcnow().date())
    stored = session.scalar(
        select(RectificationTask).where(RectificationTask.key == shortfall.key)
    )
    if stored is not None:
        return stored, False
    now = utcnow()
    opened = today or now.date()
    task = RectificationTask(
        key=shortfall.key,
        kind=shortfall.kind,
        part=shortfall.part,
        year=shortfall.year,
        division_code=shortfall.division_code,
        school_code=shortfall.school_code,
        section=shortfall.section,
        subject=shortfall.subject,
        check_key=shortfall.check_key,
        owner_code=shortfall.owner_code,
        op=shortfall.op,
        value_found=shortfall.value,
        target=shortfall.target if target is None else target,
        deadline=deadline or opened + dt.timedelta(days=DEFAULT_DAYS),
        status="open",
        title_zh=shortfall.title_zh,
        title_en=shortfall.title_en,
        created_by=principal.username,
        created_at=now,
        updated_at=now,
    )
    session.add(task)
    session.flush()
    _audit(session, principal, "rectification.open", task, None, now)
    return task, True


def open_tasks(
    session: Session,
    principal: Principal,
    ev: Evaluation,
    year: int,
    division_code: str,
    *,
    keys: Iterable[str] | None = None,
    deadline: dt.date | None = None,
    today: dt.date | None = None,
) -> dict[str, int]:
    """Open a task for every shortfall of a county-year (or only those whose
    key is in ``keys``); return the counts ``added`` and ``kept``."""
    _require_authority(principal, division_code)
    wanted = None if keys is None else set(keys)
    counts = {"added": 0, "kept": 0}
    found = find_shortfalls(ev, year, division_code)
    if wanted is not None:
        unknown = wanted - {s.key for s in found}
        if unknown:
            shown = ", ".join(sorted(unknown)[:3])
            raise NotFound(
                f"no shortfall {shown} in the evaluation of {division_code} in "
                f"{year}; reload the county page and choose again",
                zh=f"{year} 年 {division_code} 的评估中没有问题 {shown}，"
                "请刷新县级页面后重新选择",
            )
    for shortfall in found:
        if wanted is not None and shortfall.key not in wanted:
            continue
        _, added = open_task(
            session, principal, shortfall, deadline=deadline, today=today
        )
        counts["added" if added else "kept"] += 1
    log.info(
        "opened rectification tasks of %s %d: %d added, %d kept",
        division_code,
        year,
        counts["added"],
        counts["kept"],
    )
    return counts


@dataclass(frozen=True)
class TaskFilter:
    """Filters of :func:`list_tasks`; an empty field does not filter."""

    prefix: str = ""
    status: str = ""
    kind: str = ""
    year: int | None = None


def list_tasks(
    session: Session, principal: Principal, where: TaskFilter | None = None
) -> list[RectificationTask]:
    """Return the tasks the principal may read, overdue first, then by
    deadline.

    A regional user sees the tasks of divisions inside the scope, a school
    user those of the school, an evaluator those of the assigned counties and
    the public none.
    """
    where = where or TaskFilter()
    if principal.role == Role.PUBLIC:
        return []
    query = select(RectificationTask)
    if where.prefix:
        query = query.where(
            RectificationTask.division_code.startswith(where.prefix, autoescape=True)
            | (RectificationTask.school_code == where.prefix)
        )
    if principal.role == Role.EVALUATOR:
        query = query.where(
            RectificationTask.division_code.in_(principal.assigned_counties)
        )
    elif principal.role == Role.SCHOOL:
        query = query.where(RectificationTask.school_code == principal.school_code)
    else:
        query = query.where(
            RectificationTask.division_code.startswith(principal.scope, autoescape=True)
        )
    if where.status:
        query = query.where(RectificationTask.status == where.status)
    if where.kind:
        query = query.where(RectificationTask.kind == where.kind)
    if where.year is not None:
        query = query.where(RectificationTask.year == where.year)
    found = [
        t
        for t in session.scalars(query.order_by(RectificationTask.id))
        if _can_read_task(principal, t)
    ]
    found.sort(key=lambda t: (t.status != "overdue", t.deadline, t.id))
    return found


def get_task(session: Session, principal: Principal, task_id: int) -> RectificationTask:
    """Return task ``task_id``; raise :class:`NotFound` when it does not exist
    or the principal may not read it, so ids outside the scope reveal
    nothing."""
    task = session.get(RectificationTask, task_id)
    if task is None or not _can_read_task(principal, task):
        raise NotFound(
            f"rectification task {task_id} not found; open the task list to see "
            "the tasks you may read",
            zh=f"未找到整改任务 {task_id}，请在任务列表中查看您可访问的任务",
        )
    return task


def notes(session: Session, task: RectificationTask) -> list[TaskNote]:
    """Return the notes of ``task``, oldest first (read access is checked by
    :func:`get_task`)."""
    return list(
        session.scalars(
            select(TaskNote)
            .where(TaskNote.task_id == task.id)
            .order_by(TaskNote.at, TaskNote.id)
        )
    )


def add_note(
    session: Session,
    principal: Principal,
    task_id: int,
    text: str,
    *,
    status: str | None = None,
) -> TaskNote:
    """Add a progress note to a task, optionally setting a status.

    The school that owns a task and the authorities covering its county may
    do so. An authority may set a status of :data:`AUTHORITY_STATUSES`. The
    school may set one of :data:`SCHOOL_STATUSES`, only with a note of what
    was done. On an overdue task the note keeps the school's status, but the
    task stays overdue until an authority marks it done or moves the
    deadline. A task closed by data takes notes but keeps its status.
    """
    task = get_task(session, principal, task_id)
    if not can_work_on(principal, task):
        raise _denied(
            principal, "add notes to task", "记录整改任务进展：", str(task.id)
        )
    text = text.strip()
    if not text and status is None:
        raise InputError(
            "the note is empty; write what was done or choose a status",
            zh="进展说明为空，请填写已开展的工作或选择状态",
        )
    if len(text) > NOTE_MAX:
        raise InputError(
            f"the note has {len(text)} characters; at most {NOTE_MAX} are allowed",
            zh=f"进展说明有 {len(text)} 个字符，最多允许 {NOTE_MAX} 个",
        )
    if status is not None and status not in MANUAL_STATUSES:
        raise InputError(
            f"status {status!r} cannot be set by hand; use one of "
            f"{', '.join(MANUAL_STATUSES)}",
            zh=f"状态 {status!r} 不能手工设置，可选：{'、'.join(MANUAL_STATUSES)}",
        )
    by_school = principal.role == Role.SCHOOL
    if status is not None:
        _check_status_allowed(principal, task, status, text)
    if status is not None and task.status == "closed_by_data":
        raise Conflict(
            f"task {task.id} was closed by the data of {task.closed_year}; "
            "its status no longer changes, but notes can still be added",
            zh=f"任务 {task.id} 已由 {task.closed_year} 年数据确认整改完成，"
            "状态不再变更，但仍可添加进展说明",
        )
    now = utcnow()
    note = TaskNote(
        task_id=task.id, author=principal.username, at=now, text=text, status=status
    )
    session.add(note)
    before = _state(task)
    keeps_overdue = by_school and task.status == "overdue"
    if status is not None and status != task.status and not keeps_overdue:
        task.status = status
    task.updated_at = now
    session.flush()
    _audit(session, principal, "rectification.note", task, before, now)
    return note


def _check_status_allowed(
    principal: Principal, task: RectificationTask, status: str, text: str
) -> None:
    """Raise unless ``principal`` may set ``status`` on ``task`` with ``text``."""
    allowed = statuses_for(principal, task)
    if status not in allowed:
        raise PermissionDenied(
            f"user {principal.username!r} ({principal.role}) may not set task "
            f"{task.id} to {status!r}; allowed: {', '.join(allowed)}. The owning "
            "school requests closure, and an education authority covering the "
            "county confirms it as done",
            zh=f"用户 {principal.username} 无权将整改任务 {task.id} 设为 {status}，"
            f"可选：{'、'.join(allowed)}；学校申请整改验收，由覆盖该县的教育行政部门"
            "确认完成",
        )
    if principal.role == Role.SCHOOL and not text:
        raise InputError(
            f"setting task {task.id} to {status!r} needs a note; describe the "
            "work done and the evidence, such as documents or photos on file",
            zh=f"将整改任务 {task.id} 设为 {status} 须填写进展说明，请写明已完成的"
            "工作和佐证材料",
        )
    if status == "done" and not text and owns(principal, task):
        raise InputError(
            f"task {task.id} belongs to {task.owner_code}, your own unit, so "
            "marking it done needs a note; describe the work done and the "
            "evidence, or ask an authority above it (city, province) to confirm",
            zh=f"整改任务 {task.id} 的责任单位是本单位 {task.owner_code}，设为已完成"
            "须填写进展说明，请写明已完成的工作和佐证材料，或由上级教育行政部门确认",
        )


def update_task(
    session: Session,
    principal: Principal,
    task_id: int,
    *,
    deadline: dt.date | None = None,
    target: float | None = None,
    framework: Framework | None = None,
) -> RectificationTask:
    """Change a task's deadline or target; only authorities covering its
    county may. A deadline before the task's opening date raises
    :class:`InputError`. An overdue task whose deadline moves past today is
    open again.

    A target outside the valid range of the value raises :class:`InputError`
    (a CV of 0 or more; a percentage of ``framework``, the default one when
    ``None``, from 0 to 100). The owner's own authority (:func:`owns`) may
    not set a target looser than the one the task was opened with, the
    framework's threshold or limit (:class:`PermissionDenied`); an authority
    above the owner may."""
    task = get_task(session, principal, task_id)
    _require_authority(principal, task.division_code)
    require_finite("target", target)
    now = utcnow()
    before = _state(task)
    if deadline is not None:
        _check_deadline(deadline, task.created_at.date())
        task.deadline = deadline
        if task.status == "overdue" and deadline >= now.date():
            task.status = "open"
    if target is not None:
        if task.op not in COMPARISONS:
            raise InputError(
                f"task {task.id} is closed by the rule {task.op!r}, not by a "
                "number, so its target cannot be changed; change the deadline",
                zh=f"任务 {task.id} 依据规则 {task.op} 判定整改完成，不能修改目标值，"
                "可修改整改期限",
            )
        _check_target_range(task, target, framework or load_framework())
        _check_not_looser(session, principal, task, target)
        task.target = target
    task.updated_at = now
    session.flush()
    _audit(session, principal, "rectification.update", task, before, now)
    return task


def _check_target_range(
    task: RectificationTask, target: float, framework: Framework
) -> None:
    """Raise InputError when ``target`` lies outside the range of the value."""
    low, high, what_en, what_zh = 0.0, None, "a CV", "差异系数"
    if task.kind != "cv":
        kind = item_kinds(framework).get(task.check_key or "")
        if kind is None or not kind.percent:
            return
        what_en, what_zh = "a percentage", "百分比"
        high = None if kind.may_exceed_100 else 100.0
    if low <= target and (high is None or target <= high):
        return
    shown_en = f"from 0 to {high:g}" if high is not None else "of 0 or more"
    shown_zh = f"0 至 {high:g}" if high is not None else "不小于 0"
    raise InputError(
        f"target {target:g} of task {task.id} is outside the range of "
        f"{what_en}, which is {shown_en}; enter a target in that range",
        zh=f"整改任务 {task.id} 的目标值 {target:g} 超出{what_zh}的取值范围"
        f"（{shown_zh}），请在此范围内填写",
    )


def _looser(op: str, target: float, limit: float) -> bool:
    if op in ("<=", "<"):
        return target > limit
    if op in (">=", ">"):
        return target < limit
    return target != limit


def opening_target(session: Session, task: RectificationTask) -> float | None:
    """Return the target ``task`` was opened with, the framework's threshold
    or limit, as its opening audit record holds it."""
    after = session.scalar(
        select(AuditRecord.after).where(
            AuditRecord.entity == "rectification_task",
            AuditRecord.entity_id == str(task.id),
            AuditRecord.action == "rectification.open",
        )
    )
    value = None if after is None else after.get("target")
    return None if value is None else float(value)


def _check_not_looser(
    session: Session, principal: Principal, task: RectificationTask, target: float
) -> None:
    """Raise PermissionDenied when the owner's own authority loosens the target."""
    if not owns(principal, task):
        return
    limit = opening_target(session, task)
    if limit is None or not _looser(task.op, target, limit):
        return
    raise PermissionDenied(
        f"target {target:g} of task {task.id} is looser than the framework's "
        f"{task.op} {limit:g}; {task.owner_code} owns the task, so only an "
        f"authority above it (city, province) may loosen it; enter a target that "
        f"meets {task.op} {limit:g}",
        zh=f"整改任务 {task.id} 的目标值 {target:g} 宽于标准要求的 {task.op} "
        f"{limit:g}；该任务的责任单位是 {task.owner_code}，只有上级教育行政部门"
        f"（市、省）可放宽目标，请填写满足 {task.op} {limit:g} 的目标值",
    )


# ------------------------------------------------------------------ sync


def latest_change(session: Session) -> dt.datetime | None:
    """Return the time of the latest change to any task (``None`` without
    tasks), so a caller can tell whether tasks changed since it last synced."""
    return session.scalar(select(func.max(RectificationTask.updated_at)))


class YearEvaluations(Protocol):
    """Evaluations of approved data by year, as :func:`sync` reads them."""

    def years(self) -> list[int]:
        """Return the years with approved data, oldest first."""
        ...

    def evaluation(self, year: int) -> Any:
        """Return a context manager yielding the evaluation of ``year``."""
        ...


@dataclass
class CachedEvaluations:
    """:class:`YearEvaluations` read through a :class:`ResultsCache`, holding
    each entry's lock while its DuckDB connection is used."""

    cache: ResultsCache
    source: ResultSource

    def years(self) -> list[int]:
        """Return the years with approved data, oldest first."""
        return self.source.years("internal")

    @contextmanager
    def evaluation(self, year: int) -> Iterator[Evaluation]:
        """Yield the evaluation of ``year`` while holding its lock."""
        result = self.cache.result(self.source, year)
        with result.lock:
            yield result.evaluation


def _spec(task: RectificationTask) -> TaskSpec:
    return TaskSpec(
        kind=task.kind,
        division_code=task.division_code,
        school_code=task.school_code,
        section=task.section,
        subject=task.subject,
        check_key=task.check_key,
        op=task.op,
        target=task.target,
    )


def _close(
    session: Session,
    principal: Principal,
    task: RectificationTask,
    found: Measurement,
    now: dt.datetime,
) -> None:
    before = _state(task)
    task.status = "closed_by_data"
    task.closed_year = found.year
    task.closed_value = found.value
    task.updated_at = now
    _audit(session, principal, "rectification.close_by_data", task, before, now)


def sync(
    session: Session,
    principal: Principal,
    evaluations: YearEvaluations,
    today: dt.date,
    *,
    year: int | None = None,
) -> dict[str, int]:
    """Close the tasks that later approved data show fixed, and flag overdue
    the ones past their deadline; return the counts ``closed`` and
    ``overdue``.

    Each task not done yet is measured in every approved year after its own
    (only ``year`` when given), oldest first, and closes at the first year
    that meets its target. A task still open, in progress or waiting for its
    closure to be confirmed whose deadline is before ``today`` becomes
    ``overdue``. Tasks outside the principal's scope
    are not touched.
    """
    if principal.role not in ADMINISTRATIONS:
        raise _denied(principal, "update rectification tasks of", "更新整改任务：", "—")
    active = [
        t
        for t in session.scalars(
            select(RectificationTask)
            .where(
                RectificationTask.status.in_(ACTIVE_STATUSES),
                RectificationTask.division_code.startswith(
                    principal.scope, autoescape=True
                ),
            )
            .order_by(RectificationTask.id)
        )
    ]
    counts = {"closed": 0, "overdue": 0}
    now = utcnow()
    years = evaluations.years() if year is None else [year]
    pending = list(active)
    for later in sorted(years):
        waiting = [t for t in pending if t.year < later]
        if not waiting:
            continue
        with evaluations.evaluation(later) as ev:
            for task in waiting:
                found = measure(ev, later, _spec(task))
                if found.met:
                    _close(session, principal, task, found, now)
                    pending.remove(task)
                    counts["closed"] += 1
    for task in pending:
        if task.status in DUE_STATUSES and task.deadline < today:
            before = _state(task)
            task.status = "overdue"
            task.updated_at = now
            _audit(session, principal, "rectification.overdue", task, before, now)
            counts["overdue"] += 1
    session.flush()
    log.info(
        "rectification sync of scope %r: %d closed by data, %d overdue",
        principal.scope,
        counts["closed"],
        counts["overdue"],
    )
    return counts


# ------------------------------------------------------------ accountability


@dataclass(frozen=True)
class AccountabilityRow:
    """Task counts of one child division (or school, under a county)."""

    code: str
    name: str
    total: int
    open: int
    done: int
    overdue: int
    closed_by_data: int

    @property
    def share_closed_by_data(self) -> float | None:
        """Return the tasks closed by data as a share of all tasks (``None``
        without tasks)."""
        return self.closed_by_data / self.total if self.total else None


def _child_code(task: RectificationTask, prefix: str) -> str:
    if len(prefix) >= 6:
        return task.owner_code
    return task.division_code[: len(prefix) + 2]


def accountability(
    session: Session, principal: Principal, prefix: str, year: int | None = None
) -> list[AccountabilityRow]:
    """Return the task counts of each child division of ``prefix`` (each
    owner under a county), ranked by share closed by data (highest first),
    then fewest overdue, then code.

    ``open`` counts open and in-progress tasks and those whose closure waits
    for confirmation, ``done`` those done by an authority or closed by data.
    ``year`` filters by the evaluation year of the tasks.
    """
    if principal.role not in ADMINISTRATIONS and principal.role != Role.EVALUATOR:
        raise _denied(principal, "read the accountability of", "查看问责统计：", prefix)
    if principal.role in ADMINISTRATIONS and not covers(principal.scope, prefix):
        raise _denied(principal, "read the accountability of", "查看问责统计：", prefix)
    tasks = list_tasks(session, principal, TaskFilter(prefix=prefix, year=year))
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for task in tasks:
        child = counts[_child_code(task, prefix)]
        child["total"] += 1
        child[task.status] += 1
    names = dict(
        session.execute(
            select(Division.code, Division.name).where(Division.code.in_(list(counts)))
        ).all()
    )
    rows = [
        AccountabilityRow(
            code=code,
            name=names.get(code, ""),
            total=c["total"],
            open=c["open"] + c["in_progress"] + c["closure_requested"],
            done=c["done"] + c["closed_by_data"],
            overdue=c["overdue"],
            closed_by_data=c["closed_by_data"],
        )
        for code, c in counts.items()
    ]
    rows.sort(key=lambda r: (-(r.share_closed_by_data or 0.0), r.overdue, r.code))
    return rows


__all__ = [
    "TASK_STATUSES",
    "AccountabilityRow",
    "CachedEvaluations",
    "TaskFilter",
    "accountability",
    "add_note",
    "get_task",
    "list_tasks",
    "notes",
    "open_task",
    "open_tasks",
    "opening_target",
    "owns",
    "statuses_for",
    "sync",
    "update_task",
]
