"""County-item pages: enter, submit and review a county's items for a year.

County items (the county-level indicators of a framework, such as the teacher
rotation rate) go through the same workflow as school data, starting at the
county: county → city → province. Every change goes through
:mod:`junheng.services.reporting`, which checks the scope, validates the values
like an imported county-items sheet and appends to the audit chain.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from junheng.errors import Conflict, InputError, InvalidInput, JunhengError
from junheng.ingest.county_items import item_kinds
from junheng.services import reporting
from junheng.services.access import COUNTY_ITEMS, Principal, can_read
from junheng.store.divisions import retired_changes
from junheng.store.models import CountyItemRecord, ReviewEvent
from junheng.web.auth import CurrentPrincipal, DbSession
from junheng.web.forms import version_number
from junheng.web.pages.render import language_of, render
from junheng.web.pages.reporting import issue_rows
from junheng.web.params import RowId, YearPath
from junheng.web.scope import get_division

router = APIRouter(include_in_schema=False)

SEE_OTHER = 303
EDITABLE = frozenset({"draft", "returned"})
LIST_LIMIT = 200
"""Most current county-item records listed on the overview page."""
CountyCode = Annotated[str, Query(pattern=r"^[0-9]{6}$")]


@router.get("/county-items")
def county_items_home(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    division: CountyCode | None = None,
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
) -> Response:
    """List the county items waiting for review and those of the caller's region.

    ``division`` and ``year`` open the form of one county and year.
    """
    if division is not None and year is not None:
        return RedirectResponse(
            f"/county-items/{division}/{year}", status_code=SEE_OTHER
        )
    records = session.scalars(
        select(CountyItemRecord)
        .where(
            CountyItemRecord.is_current.is_(True),
            CountyItemRecord.division_code.startswith(principal.scope, autoescape=True),
        )
        .order_by(CountyItemRecord.year.desc(), CountyItemRecord.division_code)
        .limit(LIST_LIMIT)
    ).all()
    readable = [r for r in records if can_read(principal, r.division_code)]
    return render(
        request,
        "county/items.html",
        {
            "pending": reporting.pending_county_reviews(session, principal),
            "records": readable,
            "own_county": principal.scope if len(principal.scope) == 6 else "",
            "this_year": date.today().year,
        },
    )


@router.get("/county-items/{division_code}/{year}")
def county_form(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    division_code: str,
    year: YearPath,
) -> Response:
    """Show the county items of a year with their workflow and actions."""
    return _form_page(request, session, principal, division_code, year)


@router.post("/county-items/{division_code}/{year}")
async def save_county_form(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    division_code: str,
    year: YearPath,
) -> Response:
    """Save the items as a new draft version; show every issue if one is invalid."""
    form = await request.form()
    # The checks and the store block, so they run in the thread pool.
    return await run_in_threadpool(
        _save_county_form, request, principal, session, division_code, year, form
    )


def _save_county_form(
    request: Request,
    principal: Principal,
    session: Session,
    division_code: str,
    year: int,
    form: FormData,
) -> Response:
    get_division(session, division_code)
    data = {
        key: {
            "value": _text(form.get(f"value_{key}")),
            "evidence": _text(form.get(f"evidence_{key}")),
        }
        for key in item_kinds(request.app.state.framework)
        if _text(form.get(f"value_{key}")) is not None
    }
    base = version_number(form.get("base_version"))
    overwrite = version_number(form.get("overwrite_version"))
    try:
        record = reporting.save_county_items(
            session,
            principal,
            division_code,
            year,
            data,
            overwrite if overwrite is not None else base,
            framework=request.app.state.framework,
        )
        session.commit()
    except (InputError, Conflict) as error:
        session.rollback()
        return _form_page(
            request,
            session,
            principal,
            division_code,
            year,
            values=data,
            error=error,
            base_version=base,
        )
    return RedirectResponse(
        f"/county-items/{division_code}/{year}?saved={record.version}",
        status_code=SEE_OTHER,
    )


@router.post("/county-records/{record_id}/submit")
def submit_county(
    principal: CurrentPrincipal,
    session: DbSession,
    record_id: RowId,
    base_version: Annotated[int, Form(ge=1)],
) -> Response:
    """Submit the current county items for review by the city (or province)."""
    record = reporting.submit(
        session, principal, record_id, base_version, kind=COUNTY_ITEMS
    )
    session.commit()
    return _back_to(record)


@router.post("/county-records/{record_id}/review")
def review_county(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    record_id: RowId,
    decision: Annotated[str, Form(pattern="^(approve|return)$")],
    base_version: Annotated[int, Form(ge=1)],
    comment: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Approve the county items for the next level, or return them with a comment."""
    try:
        record = reporting.review(
            session,
            principal,
            record_id,
            decision,
            comment.strip(),
            base_version,
            kind=COUNTY_ITEMS,
        )
    except InvalidInput as error:
        session.rollback()
        current = reporting.county_record(session, principal, record_id)
        return _form_page(
            request,
            session,
            principal,
            current.division_code,
            current.year,
            error=error,
        )
    session.commit()
    return _back_to(record)


@router.post("/county-records/{record_id}/reopen")
def reopen_county(
    principal: CurrentPrincipal,
    session: DbSession,
    record_id: RowId,
    reason: Annotated[str, Form(min_length=1, max_length=2000)],
) -> Response:
    """Reopen approved county items for a correction."""
    record = reporting.reopen(
        session, principal, record_id, reason.strip(), kind=COUNTY_ITEMS
    )
    session.commit()
    return _back_to(record)


def _back_to(record: Any) -> Response:
    return RedirectResponse(
        f"/county-items/{record.division_code}/{record.year}", status_code=SEE_OTHER
    )


def _form_page(
    request: Request,
    session: Session,
    principal: Principal,
    division_code: str,
    year: int,
    values: dict[str, dict[str, Any]] | None = None,
    error: JunhengError | None = None,
    base_version: int | None = None,
) -> Response:
    division = get_division(session, division_code)
    versions = reporting.county_versions(session, principal, division_code, year)
    current = next((v for v in versions if v.is_current), None)
    editable = reporting.may_edit_county(principal, division_code) and (
        current is None or current.status in EDITABLE
    )
    conflict = isinstance(error, Conflict) and current is not None
    if values is None:
        values = dict(current.data) if current is not None else {}
        base_version = current.version if current is not None else None
    events = session.scalars(
        select(ReviewEvent)
        .where(
            ReviewEvent.record_kind == COUNTY_ITEMS,
            ReviewEvent.record_id.in_([v.id for v in versions]),
        )
        .order_by(ReviewEvent.at, ReviewEvent.id)
    ).all()
    return render(
        request,
        "county/form.html",
        {
            "division": division,
            "division_changes": retired_changes(division),
            "year": year,
            "kinds": item_kinds(request.app.state.framework),
            "values": values,
            "current": current,
            "versions": versions,
            "events": events,
            "editable": editable,
            "may_submit": current is not None
            and current.status in EDITABLE
            and reporting.may_edit_county(principal, division_code),
            "may_review": current is not None
            and reporting.may_review(session, principal, current),
            "may_reopen": current is not None
            and current.status == "approved"
            and reporting.may_edit_county(principal, division_code),
            "error": error,
            "issues": issue_rows(error, language_of(request)),
            "conflict": conflict,
            "base_version": base_version,
            "saved": request.query_params.get("saved"),
        },
        status_code=int(error.status) if error is not None else 200,
    )


def _text(raw: object) -> str | None:
    text = raw.strip()[:200] if isinstance(raw, str) else ""
    return text or None
