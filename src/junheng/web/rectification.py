"""Rectification tasks and evaluations by other authors in the web app.

Pages: ``/rectification`` (the task list with filters), ``/rectification/{id}``
(one task with its notes), ``POST /rectification/open`` (the button on the
county dashboard page) and ``/evaluations/{year}/{code}`` (the government's,
third parties' and self-evaluations side by side). The JSON API is under
``/api/v1/rectification`` and ``/api/v1/evaluations-by-others``.

Closing tasks by data runs when a task page or list is viewed and the data
generation or the date has changed since the last run in this process, and on
``junheng rectify sync``. It does not run inside the approval itself, because
evaluating a year there would hold the approval's transaction for the length
of an evaluation.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from junheng.errors import NotFound
from junheng.evaluation.verdict import Evaluation
from junheng.governance.rectification import KINDS, compare, government_rows
from junheng.services import assessments
from junheng.services import rectification as service
from junheng.services.access import ADMINISTRATIONS, SYSTEM, Principal, covers
from junheng.store.models import TASK_STATUSES, RectificationTask
from junheng.web.auth import CurrentPrincipal, DbSession
from junheng.web.dash_support import StoreSource
from junheng.web.dashboards import generation_reader, results_cache
from junheng.web.errors import ERROR_RESPONSES
from junheng.web.i18n import framework_warnings
from junheng.web.pages.render import language_of, render
from junheng.web.params import FIRST_YEAR, LAST_YEAR, RowId, YearPath
from junheng.web.state import PlatformFramework, app_object

router = APIRouter(include_in_schema=False)
api_router = APIRouter(
    prefix="/api/v1", responses=ERROR_RESPONSES, tags=["rectification"]
)

SEE_OTHER = 303
NAV_LINKS = [
    ("/rectification", "整改任务", "Rectification"),
    ("/accountability", "问责", "Accountability"),
]
"""Links the page header shows; the app factory adds them after the dashboards'."""

CodeText = Annotated[str, Form(pattern=r"^[0-9]{6}$")]


# ------------------------------------------------------------ evaluations


def evaluations(request: Request, session: Session) -> service.CachedEvaluations:
    """Return the approved evaluations by year, read through the app's cache."""
    cache = results_cache(request)
    generation = generation_reader(request).generation().data
    return service.CachedEvaluations(cache, StoreSource(session, cache, generation))


class _SyncState:
    """The state of the last sync in this process: data generation, date and
    the latest change to any task."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: tuple[int, dt.date, dt.datetime | None] | None = None


def _sync_key(
    request: Request, session: Session, today: dt.date
) -> tuple[int, dt.date, dt.datetime | None]:
    generation = generation_reader(request).generation().data
    return generation, today, service.latest_change(session)


def sync_if_stale(request: Request) -> None:
    """Run :func:`junheng.services.rectification.sync` over every task when
    the data generation, the date or any task changed since the last run in
    this process.

    A task opened or changed in another process changes the latest task
    change too, so every process syncs it on its next page view.
    """
    state = app_object(request, "rectification_sync", _SyncState)
    today = dt.date.today()
    with request.app.state.sessions() as session:
        if state.seen == _sync_key(request, session, today):
            return
    with state.lock, request.app.state.sessions() as session:
        if state.seen == _sync_key(request, session, today):
            return
        service.sync(session, SYSTEM, evaluations(request, session), today)
        session.commit()
        state.seen = _sync_key(request, session, today)


def _evaluation_of(request: Request, session: Session, year: int) -> Any:
    source = evaluations(request, session)
    if year not in source.years():
        raise NotFound(
            f"no approved data of {year}; tasks are opened from the evaluation of "
            "approved data",
            zh=f"{year} 年没有审定数据；整改任务依据审定数据的评估开立",
        )
    return source.evaluation(year)


def open_county_tasks(
    request: Request,
    session: Session,
    principal: Principal,
    year: int,
    division_code: str,
    deadline: dt.date | None,
) -> dict[str, int]:
    """Open a task for every shortfall of a county-year; return the counts."""
    with _evaluation_of(request, session, year) as ev:
        return service.open_tasks(
            session, principal, ev, year, division_code, deadline=deadline
        )


def county_actions(
    principal: Principal | None, level: str, code: str, year: int
) -> dict[str, Any] | None:
    """Return what the county dashboard page's rectification button needs,
    or ``None`` when the caller may not open tasks there."""
    if principal is None or level != "county":
        return None
    if principal.role not in ADMINISTRATIONS or not covers(principal.scope, code):
        return None
    return {"year": year, "code": code}


# ------------------------------------------------------------ task rows


def task_row(task: RectificationTask, lang: str) -> dict[str, Any]:
    """Return a task as shown in lists and returned by the API."""
    return {
        "id": task.id,
        "year": task.year,
        "kind": task.kind,
        "part": task.part,
        "division_code": task.division_code,
        "school_code": task.school_code,
        "section": task.section,
        "subject": task.subject,
        "check_key": task.check_key,
        "owner_code": task.owner_code,
        "title": task.title_zh if lang == "zh" else task.title_en,
        "op": task.op,
        "value_found": task.value_found,
        "target": task.target,
        "deadline": task.deadline.isoformat(),
        "status": task.status,
        "closed_year": task.closed_year,
        "closed_value": task.closed_value,
        "created_by": task.created_by,
        "created_at": task.created_at.isoformat(),
    }


StatusQuery = Annotated[
    str, Query(pattern="^(" + "|".join(TASK_STATUSES) + ")?$", max_length=20)
]
KindQuery = Annotated[str, Query(pattern="^(" + "|".join(KINDS) + ")?$")]
PrefixQuery = Annotated[
    str, Query(pattern=r"^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{10})?$")
]
YearQuery = Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR)]


def task_filter(
    prefix: PrefixQuery = "",
    status: StatusQuery = "",
    kind: KindQuery = "",
    year: YearQuery = None,
) -> service.TaskFilter:
    """Return the task filter of the query string."""
    return service.TaskFilter(prefix=prefix, status=status, kind=kind, year=year)


TaskQuery = Annotated[service.TaskFilter, Depends(task_filter)]


def _task_rows(
    request: Request, session: Session, principal: Principal, where: service.TaskFilter
) -> list[dict[str, Any]]:
    sync_if_stale(request)
    lang = language_of(request)
    return [task_row(t, lang) for t in service.list_tasks(session, principal, where)]


# ------------------------------------------------------------ pages


@router.get("/rectification")
def task_list(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    where: TaskQuery,
) -> Response:
    """List the tasks the caller may read, overdue first."""
    return render(
        request,
        "rectification/list.html",
        {
            "tasks": _task_rows(request, session, principal, where),
            "statuses": TASK_STATUSES,
            "kinds": KINDS,
            "chosen": where,
            "opened": request.query_params.get("opened"),
        },
    )


@router.post("/rectification/open")
def open_from_dashboard(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    year: Annotated[int, Form(ge=FIRST_YEAR, le=LAST_YEAR)],
    division_code: CodeText,
    deadline: Annotated[dt.date | None, Form()] = None,
) -> Response:
    """Open tasks for every shortfall of a county-year, then list them."""
    counts = open_county_tasks(
        request, session, principal, year, division_code, deadline
    )
    session.commit()
    opened = f"{counts['added']}-{counts['kept']}"
    return RedirectResponse(
        f"/rectification?prefix={division_code}&year={year}&opened={opened}",
        status_code=SEE_OTHER,
    )


@router.get("/rectification/{task_id}")
def task_page(
    request: Request, principal: CurrentPrincipal, session: DbSession, task_id: RowId
) -> Response:
    """Show one task, its notes and the forms the caller may use."""
    sync_if_stale(request)
    lang = language_of(request)
    task = service.get_task(session, principal, task_id)
    return render(
        request,
        "rectification/task.html",
        {
            "task": task_row(task, lang),
            "notes": service.notes(session, task),
            "may_note": service.can_work_on(principal, task),
            "may_update": service.is_authority(principal, task.division_code),
            "manual_statuses": service.statuses_for(principal, task),
            "saved": request.query_params.get("saved"),
        },
    )


@router.post("/rectification/{task_id}/notes")
def add_note_form(
    principal: CurrentPrincipal,
    session: DbSession,
    task_id: RowId,
    text: Annotated[str, Form(max_length=service.NOTE_MAX)] = "",
    status: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Add a progress note, optionally with a new status."""
    service.add_note(session, principal, task_id, text, status=status or None)
    session.commit()
    return RedirectResponse(f"/rectification/{task_id}?saved=1", status_code=SEE_OTHER)


@router.post("/rectification/{task_id}/update")
def update_form(
    principal: CurrentPrincipal,
    session: DbSession,
    task_id: RowId,
    framework: PlatformFramework,
    deadline: Annotated[dt.date | None, Form()] = None,
    target: Annotated[float | None, Form()] = None,
) -> Response:
    """Change a task's deadline or target."""
    service.update_task(
        session,
        principal,
        task_id,
        deadline=deadline,
        target=target,
        framework=framework,
    )
    session.commit()
    return RedirectResponse(f"/rectification/{task_id}?saved=1", status_code=SEE_OTHER)


# ------------------------------------------------------------ side by side

TargetCode = Annotated[
    str,
    Path(
        pattern=r"^[0-9]{6}([0-9]{4})?$", description="County (6) or school (10) code."
    ),
]


def _target(session: Session, code: str, year: int) -> tuple[str, str]:
    """Return ``(division_code, school_code)`` of a county (6 digits) or a
    school (10 digits); a school's county is read from the store."""
    if len(code) == 6:
        return code, ""
    from junheng.store.models import School

    school = session.get(School, code)
    if school is None:
        raise NotFound(
            f"school {code} not found; check the 10-digit school identifier code",
            zh=f"未找到学校 {code}，请检查 10 位学校标识码",
        )
    return school.division_code, code


def side_by_side(
    request: Request, session: Session, principal: Principal, year: int, code: str
) -> dict[str, Any]:
    """Return the comparison of a county-year or school-year."""
    division_code, school_code = _target(session, code, year)
    peers = assessments.assessments(
        session, principal, year, division_code, school_code
    )
    source = evaluations(request, session)
    government = []
    if year in source.years():
        ev: Evaluation
        with source.evaluation(year) as ev:
            government = government_rows(ev, year, division_code, school_code)
    rows = compare(government, peers)
    return {
        "year": year,
        "division_code": division_code,
        "school_code": school_code,
        "has_government": bool(government),
        "rows": [_comparison_json(r) for r in rows],
        "disagreements": sum(1 for r in rows if r["disagree"]),
    }


def _comparison_json(row: dict[str, Any]) -> dict[str, Any]:
    gov = row["government"]
    return {
        "subject": row["subject"],
        "label": None if gov is None else {"zh": gov.label_zh, "en": gov.label_en},
        "government": None
        if gov is None
        else {
            "value": gov.value,
            "op": gov.op,
            "target": gov.target,
            "judgement": gov.judgement,
        },
        "third_party": [_peer_json(p, j) for p, j in row["third_party"]],
        "self": [_peer_json(p, j) for p, j in row["self"]],
        "disagree": row["disagree"],
    }


def _peer_json(peer: Any, judgement: str | None) -> dict[str, Any]:
    return {
        "author": peer.author,
        "value": peer.value,
        "judgement": judgement,
        "recorded_judgement": peer.judgement,
        "note": peer.note,
    }


@router.get("/evaluations/{year}/{code}")
def evaluations_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    year: YearPath,
    code: TargetCode,
) -> Response:
    """Show the government's, third parties' and self-evaluations side by side."""
    view = side_by_side(request, session, principal, year, code)
    framework = request.app.state.framework
    return render(
        request,
        "rectification/evaluations.html",
        {
            "view": view,
            "framework_id": framework.id,
            "framework_warnings": framework_warnings(framework, language_of(request)),
            "may_record": assessments.may_assess(
                principal, view["division_code"], view["school_code"]
            ),
            "saved": request.query_params.get("saved"),
        },
    )


@router.post("/evaluations/{year}/{code}")
def record_form(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    year: YearPath,
    code: TargetCode,
    subject: Annotated[str, Form(min_length=1, max_length=80)],
    value: Annotated[float | None, Form()] = None,
    judgement: Annotated[str, Form(pattern="^(pass|fail)?$")] = "",
    note: Annotated[str, Form(max_length=service.NOTE_MAX)] = "",
) -> Response:
    """Record the caller's evaluation of one subject."""
    division_code, school_code = _target(session, code, year)
    assessments.record_assessment(
        session,
        principal,
        year=year,
        division_code=division_code,
        school_code=school_code,
        subject=subject,
        value=value,
        judgement=judgement or None,
        note=note,
        framework=request.app.state.framework,
    )
    session.commit()
    return RedirectResponse(
        f"/evaluations/{year}/{code}?saved=1", status_code=SEE_OTHER
    )


# ------------------------------------------------------------ API


class OpenTasksIn(BaseModel):
    """Open tasks for the shortfalls of a county-year."""

    year: int = Field(ge=FIRST_YEAR, le=LAST_YEAR)
    division_code: str = Field(pattern=r"^[0-9]{6}$")
    keys: list[str] | None = Field(
        default=None, description="Only these shortfall keys; all when omitted."
    )
    deadline: dt.date | None = None


class NoteIn(BaseModel):
    """A progress note, optionally with a new status."""

    text: str = Field(default="", max_length=service.NOTE_MAX)
    status: str | None = Field(
        default=None, pattern="^(" + "|".join(service.MANUAL_STATUSES) + ")$"
    )


class AssessmentIn(BaseModel):
    """One subject of an evaluation by a third party or a school."""

    subject: str = Field(min_length=1, max_length=80)
    value: float | None = None
    judgement: str | None = Field(default=None, pattern="^(pass|fail)$")
    note: str | None = Field(default=None, max_length=service.NOTE_MAX)


@api_router.get("/rectification/tasks")
def api_tasks(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    where: TaskQuery,
) -> list[dict[str, Any]]:
    """List the rectification tasks the caller may read, overdue first."""
    return _task_rows(request, session, principal, where)


@api_router.post("/rectification/tasks", status_code=201)
def api_open_tasks(
    request: Request, principal: CurrentPrincipal, session: DbSession, body: OpenTasksIn
) -> dict[str, int]:
    """Open tasks for the shortfalls of a county-year; a shortfall that
    already has a task keeps it. Returns the counts ``added`` and ``kept``."""
    with _evaluation_of(request, session, body.year) as ev:
        counts = service.open_tasks(
            session,
            principal,
            ev,
            body.year,
            body.division_code,
            keys=body.keys,
            deadline=body.deadline,
        )
    session.commit()
    return counts


@api_router.get("/rectification/tasks/{task_id}")
def api_task(
    request: Request, principal: CurrentPrincipal, session: DbSession, task_id: RowId
) -> dict[str, Any]:
    """Return one task with its notes."""
    sync_if_stale(request)
    task = service.get_task(session, principal, task_id)
    row = task_row(task, language_of(request))
    row["notes"] = [
        {"author": n.author, "at": n.at.isoformat(), "text": n.text, "status": n.status}
        for n in service.notes(session, task)
    ]
    return row


@api_router.post("/rectification/tasks/{task_id}/notes", status_code=201)
def api_add_note(
    principal: CurrentPrincipal, session: DbSession, task_id: RowId, body: NoteIn
) -> dict[str, Any]:
    """Add a progress note to a task, optionally setting its status."""
    note = service.add_note(session, principal, task_id, body.text, status=body.status)
    session.commit()
    return {"id": note.id, "author": note.author, "at": note.at.isoformat()}


@api_router.post("/rectification/sync")
def api_sync(
    request: Request, principal: CurrentPrincipal, session: DbSession
) -> dict[str, int]:
    """Close the caller's tasks that later approved data meet, and flag the
    overdue ones; returns the counts ``closed`` and ``overdue``."""
    counts = service.sync(
        session, principal, evaluations(request, session), dt.date.today()
    )
    session.commit()
    return counts


@api_router.get("/evaluations-by-others/{year}/{code}")
def api_side_by_side(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    year: YearPath,
    code: TargetCode,
) -> dict[str, Any]:
    """Return the government's, third parties' and self-evaluations of a
    county-year (6 digits) or school-year (10 digits) side by side."""
    return side_by_side(request, session, principal, year, code)


@api_router.put("/evaluations-by-others/{year}/{code}")
def api_record(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    year: YearPath,
    code: TargetCode,
    body: AssessmentIn,
) -> dict[str, Any]:
    """Record the caller's evaluation of one subject, replacing an earlier one."""
    division_code, school_code = _target(session, code, year)
    stored = assessments.record_assessment(
        session,
        principal,
        year=year,
        division_code=division_code,
        school_code=school_code,
        subject=body.subject,
        value=body.value,
        judgement=body.judgement,
        note=body.note,
        framework=request.app.state.framework,
    )
    session.commit()
    return {"id": stored.id, "subject": stored.subject}
