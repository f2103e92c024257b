"""Public feedback in the JSON API: submit, track and rate without an account;
inbox, assign, answer, close and the accountability numbers for authorities."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from pydantic import BaseModel, Field

from junheng.participation.feedback import beijing_date, format_tracking_code
from junheng.services import feedback as service
from junheng.store.models import utcnow
from junheng.web.auth import CurrentPrincipal, DbSession
from junheng.web.feedback import (
    check_submit_limit,
    check_track_limit,
    count_stored_submission,
    feedback_rules,
    stats_view,
    submitter,
)
from junheng.web.params import FIRST_YEAR, LAST_YEAR, RowId

router = APIRouter(prefix="/feedback", tags=["feedback"])


class FeedbackIn(BaseModel):
    """A new feedback item. ``text`` longer than 2,000 characters is rejected
    with every problem in ``error.detail``."""

    category: str = Field(description="Category key, such as admission or fees.")
    division_code: str = Field(description="The county's 6-digit division code.")
    school_code: str | None = Field(default=None, description="Optional school.")
    text: str
    contact: str | None = Field(
        default=None,
        description="Phone number or e-mail address; shown only to the bodies "
        "handling the item.",
    )


class SubmittedOut(BaseModel):
    """The tracking number and where the item went."""

    tracking_code: str
    status: str
    responsible_code: str
    due_on: dt.date


class StepOut(BaseModel):
    """One step of an item."""

    action: str
    at: dt.datetime
    from_code: str | None
    to_code: str | None


class TrackOut(BaseModel):
    """What anyone holding the tracking number sees; no contact."""

    tracking_code: str
    category: str
    division_code: str
    school_code: str | None
    text: str
    status: str
    responsible_code: str
    received_on: dt.date
    due_on: dt.date
    overdue: bool
    escalations: int
    answer: str | None
    answered_on: dt.date | None
    rating: int | None
    can_rate: bool
    steps: list[StepOut]


class StaffItemOut(BaseModel):
    """An item as an authority sees it; ``contact`` is null unless the caller's
    body has held the item."""

    id: int
    category: str
    division_code: str
    school_code: str | None
    text: str
    status: str
    routed_code: str
    responsible_code: str
    assignee: str | None
    received_at: dt.datetime
    due_on: dt.date
    overdue: bool
    escalations: int
    escalated_at: dt.datetime | None
    answer: str | None
    answered_at: dt.datetime | None
    rating: int | None
    has_contact: bool
    contact: str | None
    actionable: bool


class RatingIn(BaseModel):
    """The sender's rating of the answer, 1 (very poor) to 5 (very good)."""

    rating: int = Field(ge=1, le=5)


# The fields of AssignIn and AnswerIn default to "" so that a caller who may not
# handle the item gets 403 before the service checks the value (422).


class AssignIn(BaseModel):
    """The user name of a colleague of the responsible body."""

    assignee: str = Field(default="", max_length=100)


class AnswerIn(BaseModel):
    """The answer, published on the tracking page."""

    answer: str = ""


@router.post("", response_model=SubmittedOut, status_code=201)
def submit_feedback(
    request: Request, session: DbSession, body: FeedbackIn
) -> dict[str, Any]:
    """Send feedback without an account; returns the tracking number.

    Rate-limited per client address (429 when exceeded): stored items count
    against ``JUNHENG_FEEDBACK_RATE_LIMIT``, and every attempt, invalid ones
    included, against ``JUNHENG_FEEDBACK_ATTEMPT_LIMIT``.
    """
    check_submit_limit(request)
    item = service.submit(
        session,
        submitter(request),
        category=body.category,
        division_code=body.division_code,
        school_code=body.school_code,
        text=body.text,
        contact=body.contact,
        rules=feedback_rules(request),
    )
    session.commit()
    count_stored_submission(request)
    return {
        "tracking_code": format_tracking_code(item.tracking_code),
        "status": item.status,
        "responsible_code": item.responsible_code,
        "due_on": item.due_on,
    }


@router.get("/track/{code}", response_model=TrackOut)
def track_feedback(request: Request, session: DbSession, code: str) -> dict[str, Any]:
    """Return the progress and answer of an item; 404 for any unknown number."""
    check_track_limit(request)
    item = service.find_by_code(session, code)
    view = service.public_view(session, item)
    view["tracking_code"] = format_tracking_code(item.tracking_code)
    return view


@router.post("/track/{code}/rating", response_model=TrackOut)
def rate_feedback(
    request: Request, session: DbSession, code: str, body: RatingIn
) -> dict[str, Any]:
    """Rate the answer once; 409 when there is no answer yet or it is rated."""
    check_track_limit(request)
    item = service.rate(session, code, body.rating, principal=submitter(request))
    session.commit()
    view = service.public_view(session, item)
    view["tracking_code"] = format_tracking_code(item.tracking_code)
    return view


def _staff(principal: Any, item: Any) -> dict[str, Any]:
    return service.staff_view(principal, item, beijing_date(utcnow()))


@router.get("/inbox", response_model=list[StaffItemOut])
def feedback_inbox(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    mine: Annotated[
        bool, Query(description="Only items the caller's body is responsible for now.")
    ] = False,
) -> list[dict[str, Any]]:
    """List the feedback of the caller's region after escalating overdue items."""
    items = service.inbox(
        session, principal, mine_only=mine, rules=feedback_rules(request)
    )
    session.commit()
    return [_staff(principal, item) for item in items]


@router.get("/items/{item_id}", response_model=StaffItemOut)
def feedback_item(
    principal: CurrentPrincipal, session: DbSession, item_id: RowId
) -> dict[str, Any]:
    """Return one item of the caller's region."""
    return _staff(principal, service.get_item(session, principal, item_id))


@router.post("/items/{item_id}/assign", response_model=StaffItemOut)
def assign_feedback(
    principal: CurrentPrincipal,
    session: DbSession,
    item_id: RowId,
    body: Annotated[AssignIn, Body()] = AssignIn(),  # noqa: B008
) -> dict[str, Any]:
    """Give an open item to a colleague of the responsible body."""
    item = service.assign(session, principal, item_id, body.assignee)
    session.commit()
    return _staff(principal, item)


@router.post("/items/{item_id}/answer", response_model=StaffItemOut)
def answer_feedback(
    principal: CurrentPrincipal,
    session: DbSession,
    item_id: RowId,
    body: Annotated[AnswerIn, Body()] = AnswerIn(),  # noqa: B008
) -> dict[str, Any]:
    """Answer an open item; the answer is public on the tracking page."""
    item = service.answer(session, principal, item_id, body.answer)
    session.commit()
    return _staff(principal, item)


@router.post("/items/{item_id}/close", response_model=StaffItemOut)
def close_feedback(
    principal: CurrentPrincipal, session: DbSession, item_id: RowId
) -> dict[str, Any]:
    """Close an answered item."""
    item = service.close(session, principal, item_id)
    session.commit()
    return _staff(principal, item)


@router.get("/stats")
def feedback_stats(
    principal: CurrentPrincipal,
    session: DbSession,
    year: Annotated[int, Query(ge=FIRST_YEAR, le=LAST_YEAR)],
    division: Annotated[
        str | None, Query(pattern=r"^([0-9]{2}|[0-9]{4}|[0-9]{6})?$")
    ] = None,
) -> dict[str, Any]:
    """Return the accountability numbers per child division (the JSON twin of
    /feedback/stats); ``division`` defaults to the caller's scope."""
    prefix = principal.scope if division is None else division
    return stats_view(session, principal, prefix, year)
