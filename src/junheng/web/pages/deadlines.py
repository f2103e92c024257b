"""The deadline page: education authorities set reporting dates for their region."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import or_, select

from junheng.errors import PermissionDenied
from junheng.services.access import ADMINISTRATIONS, Principal
from junheng.services.completeness import applying, set_deadline
from junheng.store.models import Deadline
from junheng.web.auth import CurrentPrincipal, DbSession
from junheng.web.pages.render import render
from junheng.web.params import FIRST_YEAR, LAST_YEAR
from junheng.web.scope import get_division

router = APIRouter(include_in_schema=False)

SEE_OTHER = 303


def overridden(deadlines: Sequence[Deadline]) -> dict[str, tuple[str, date]]:
    """Return, for each deadline that an earlier one of a region above it
    overrides, the scope and date of the one that applies.

    ``deadlines`` are those of one year, holding every region above each of
    them that has a deadline, as the page lists them.
    """
    dates = {d.scope_code: d.due_date for d in deadlines}
    result: dict[str, tuple[str, date]] = {}
    for deadline in deadlines:
        found = applying(dates, deadline.scope_code)
        if found is not None and found[1] < deadline.due_date:
            result[deadline.scope_code] = found
    return result


def _require_authority(principal: Principal) -> None:
    if principal.role not in ADMINISTRATIONS:
        raise PermissionDenied(
            f"user {principal.username!r} ({principal.role}) may not set deadlines; "
            "education authorities set them",
            zh=f"用户 {principal.username} 无权设置截止日期，应由教育行政部门设置",
        )


@router.get("/deadlines")
def deadlines_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    year: Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR)] = None,
) -> Response:
    """List the deadlines of the caller's region and of the regions above it,
    which cap the region's own, and offer to set one."""
    _require_authority(principal)
    chosen = year if year is not None else date.today().year
    above = [principal.scope[:length] for length in range(len(principal.scope))]
    deadlines = session.scalars(
        select(Deadline)
        .where(
            Deadline.year == chosen,
            or_(
                Deadline.scope_code.startswith(principal.scope, autoescape=True),
                Deadline.scope_code.in_(above),
            ),
        )
        .order_by(Deadline.scope_code)
    ).all()
    return render(
        request,
        "deadlines.html",
        {
            "deadlines": deadlines,
            "overridden": overridden(deadlines),
            "year": chosen,
            "saved": request.query_params.get("saved"),
        },
    )


@router.post("/deadlines")
def save_deadline(
    principal: CurrentPrincipal,
    session: DbSession,
    year: Annotated[int, Form(ge=FIRST_YEAR, le=LAST_YEAR)],
    due_date: Annotated[date, Form()],
    scope_code: Annotated[str, Form(pattern=r"^([0-9]{2}|[0-9]{4}|[0-9]{6})?$")] = "",
) -> Response:
    """Set the deadline of a region inside the caller's scope."""
    _require_authority(principal)
    if scope_code:
        get_division(session, scope_code)
    set_deadline(session, principal, year, scope_code, due_date)
    session.commit()
    return RedirectResponse(f"/deadlines?year={year}&saved=1", status_code=SEE_OTHER)
