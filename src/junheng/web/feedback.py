"""Public feedback pages: the form anyone may send, the tracking page, the
inbox of the responsible bodies and the accountability numbers with their
JSON and CSV twins.

The rules live in :mod:`junheng.services.feedback`; this module reads forms,
applies the per-address rate limits and the honeypot field, and renders.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from junheng.errors import InvalidInput, NotFound
from junheng.participation.feedback import (
    BEIJING,
    Rules,
    beijing_date,
    format_tracking_code,
    load_rules,
)
from junheng.services import feedback as service
from junheng.services.access import Principal
from junheng.store.models import Division, School, utcnow
from junheng.web.auth import CurrentPrincipal, DbSession, optional_principal
from junheng.web.errors import WebError
from junheng.web.pages.render import language_of, render
from junheng.web.params import FIRST_YEAR, LAST_YEAR, RowId
from junheng.web.state import app_object
from junheng.web.throttle import AddressLimit

router = APIRouter(include_in_schema=False)
log = logging.getLogger("junheng.web")

SEE_OTHER = 303
HONEYPOT = "website"
"""A form field hidden from people; a bot that fills it in is rejected."""
STATS_TABLE = "children"
CSV_TYPE = "text/csv; charset=utf-8"


class FeedbackRateLimited(WebError):
    """Too many submissions, lookups or ratings from one client address."""

    status = HTTPStatus.TOO_MANY_REQUESTS
    code = "rate_limited"
    message_key = "feedback.rate_limited"


class HoneypotFilled(WebError):
    """A form whose hidden honeypot field was filled in, as bots do."""

    status = HTTPStatus.BAD_REQUEST
    code = "rejected"
    message_key = "feedback.honeypot_filled"


def feedback_rules(request: Request) -> Rules:
    """Return the rules named by the settings, or the shipped ones."""
    return load_rules(request.app.state.settings.feedback_rules)


def place_namer(
    session: Session, views: Iterable[Mapping[str, Any]], lang: str
) -> Callable[[str | None], str]:
    """Return a function that names a division or school code of ``views``.

    ``views`` are item views and steps; their division, school, responsible,
    routed and step codes are looked up in one query each. The function returns
    e.g. ``中原区（410102）``, or the bare code when the store does not know it.
    """
    division_keys = ("division_code", "responsible_code", "routed_code")
    step_keys = ("from_code", "to_code")
    divisions: set[str] = set()
    schools: set[str] = set()
    for view in views:
        divisions.update(view[k] for k in division_keys + step_keys if view.get(k))
        if view.get("school_code"):
            schools.add(view["school_code"])
    names: dict[str, str] = {}
    if divisions:
        query = select(Division.code, Division.name).where(Division.code.in_(divisions))
        names.update((code, name) for code, name in session.execute(query))
    if schools:
        query = select(School.code, School.name).where(School.code.in_(schools))
        names.update((code, name) for code, name in session.execute(query))

    def name(code: str | None) -> str:
        if not code:
            return ""
        if code not in names:
            return code
        return f"{names[code]} ({code})" if lang == "en" else f"{names[code]}（{code}）"

    return name


def beijing_steps(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the steps of an item with their times in Beijing time."""
    return [{**step, "at": step["at"].astimezone(BEIJING)} for step in steps]


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _limit(request: Request, setting: str) -> AddressLimit:
    return app_object(
        request,
        setting,
        lambda: AddressLimit(getattr(request.app.state.settings, setting), setting),
    )


def _check_limit(request: Request, setting: str) -> None:
    """Count a request of the client against the rate in the setting
    ``setting``; raise :class:`FeedbackRateLimited` when it is over."""
    if not _limit(request, setting).hit(_address(request)):
        log.warning("%s exceeded by %s", setting, _address(request))
        raise FeedbackRateLimited()


def check_submit_limit(request: Request) -> None:
    """Count a submission attempt against ``feedback_attempt_limit``, and raise
    :class:`FeedbackRateLimited` when ``feedback_rate_limit`` has no room for
    one more stored item.

    Only :func:`count_stored_submission` counts toward ``feedback_rate_limit``,
    so a sender who corrects invalid input is not locked out.
    """
    _check_limit(request, "feedback_attempt_limit")
    if not _limit(request, "feedback_rate_limit").test(_address(request)):
        log.warning("feedback_rate_limit exceeded by %s", _address(request))
        raise FeedbackRateLimited()


def count_stored_submission(request: Request) -> None:
    """Count a stored submission against ``feedback_rate_limit``."""
    # NOTE: the check and this count are separate steps, so parallel requests
    # from one address can store a few items over the limit.
    _limit(request, "feedback_rate_limit").hit(_address(request))


def check_track_limit(request: Request) -> None:
    """Count a lookup or rating by tracking number against
    ``feedback_track_limit``, which stops guessing numbers."""
    _check_limit(request, "feedback_track_limit")


def submitter(request: Request) -> Principal:
    """Return the logged-in caller, or :data:`ANONYMOUS` without an account."""
    principal = optional_principal(request)
    return principal if principal is not None else service.ANONYMOUS


def _place_choices(session: Session, province: str, division: str) -> dict[str, Any]:
    provinces = session.execute(
        select(Division.code, Division.name)
        .where(Division.level == "province", Division.valid_to.is_(None))
        .order_by(Division.code)
    ).all()
    counties: list[tuple[str, str, str]] = []
    if len(province) == 2:
        names = dict(
            session.execute(
                select(Division.code, Division.name).where(
                    Division.code.startswith(province, autoescape=True)
                )
            ).all()
        )
        rows = session.execute(
            select(Division.code, Division.name, Division.parent_code)
            .where(
                Division.level == "county",
                Division.valid_to.is_(None),
                Division.code.startswith(province, autoescape=True),
            )
            .order_by(Division.code)
        ).all()
        counties = [
            (code, name, names.get(parent or "", "")) for code, name, parent in rows
        ]
    chosen = session.get(Division, division) if len(division) == 6 else None
    if chosen is not None and (chosen.level != "county" or chosen.valid_to):
        chosen = None
    schools = (
        session.execute(
            select(School.code, School.name)
            .where(School.division_code == chosen.code)
            .order_by(School.name)
        ).all()
        if chosen is not None
        else []
    )
    return {
        "provinces": provinces,
        "province": province,
        "counties": counties,
        "division": chosen,
        "schools": schools,
    }


def _form_page(
    request: Request,
    session: Session,
    values: dict[str, str],
    errors: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    division = values.get("division_code", "")
    province = values.get("province", "") or division[:2]
    context = _place_choices(session, province, division)
    context.update(
        {
            "categories": list(feedback_rules(request).categories.values()),
            "values": values,
            "errors": errors or [],
            "max_text": service.MAX_TEXT,
            "honeypot": HONEYPOT,
        }
    )
    return render(request, "feedback/form.html", context, status_code=status_code)


@router.get("/feedback")
def feedback_form(
    request: Request,
    session: DbSession,
    province: Annotated[str, Query(pattern=r"^([0-9]{2})?$")] = "",
    division: Annotated[str, Query(pattern=r"^([0-9]{6})?$")] = "",
) -> Response:
    """Show the feedback form: province, then county, then the details."""
    return _form_page(
        request, session, {"province": province, "division_code": division}
    )


def _issue_messages(error: InvalidInput, lang: str) -> list[str]:
    from junheng.web.i18n import MESSAGES, translate

    messages: list[str] = []
    for issue in error.issues:
        key = f"feedback.error.{getattr(issue, 'rule', '')}"
        if key in MESSAGES:
            text = translate(
                key, "zh" if lang == "zh" else "en", limit=service.MAX_TEXT
            )
        else:
            text = str(getattr(issue, "message", issue))
        if text not in messages:
            messages.append(text)
    return messages


@router.post("/feedback")
def send_feedback(
    request: Request,
    session: DbSession,
    category: Annotated[str, Form()] = "",
    division_code: Annotated[str, Form()] = "",
    school_code: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    contact: Annotated[str, Form()] = "",
    website: Annotated[str, Form()] = "",
) -> Response:
    """Store the feedback and send the sender to its tracking page."""
    check_submit_limit(request)
    if website:
        log.warning("feedback honeypot filled from %s", _address(request))
        raise HoneypotFilled()
    values = {
        "category": category,
        "division_code": division_code,
        "school_code": school_code,
        "text": text,
        "contact": contact,
    }
    try:
        item = service.submit(
            session,
            submitter(request),
            category=category,
            division_code=division_code,
            school_code=school_code,
            text=text,
            contact=contact,
            rules=feedback_rules(request),
        )
    except InvalidInput as error:
        session.rollback()
        messages = _issue_messages(error, language_of(request))
        return _form_page(
            request, session, values, messages, HTTPStatus.UNPROCESSABLE_ENTITY
        )
    session.commit()
    count_stored_submission(request)
    return _tracking_redirect(item.tracking_code, "new")


def _tracking_redirect(code: str, notice: str) -> Response:
    """Redirect to the tracking page of ``code`` with the ``notice`` flag set."""
    query = urlencode({"code": format_tracking_code(code), notice: 1})
    return RedirectResponse(f"/feedback/track?{query}", status_code=SEE_OTHER)


@router.get("/feedback/track")
def track_page(
    request: Request,
    session: DbSession,
    code: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """Look a tracking number up and show the item's progress and answer."""
    context: dict[str, Any] = {
        "code": code,
        "item": None,
        "new": request.query_params.get("new") == "1",
        "rated": request.query_params.get("rated") == "1",
        "categories": feedback_rules(request).categories,
    }
    if not code:
        return render(request, "feedback/track.html", context)
    check_track_limit(request)
    try:
        item = service.find_by_code(session, code)
    except NotFound:
        context["not_found"] = True
        return render(
            request, "feedback/track.html", context, status_code=HTTPStatus.NOT_FOUND
        )
    view = service.public_view(session, item)
    view["steps"] = beijing_steps(view["steps"])
    context["item"] = view
    context["place"] = place_namer(
        session, [view, *view["steps"]], language_of(request)
    )
    context["code"] = format_tracking_code(item.tracking_code)
    response = render(request, "feedback/track.html", context)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/feedback/track/rate")
def rate_answer(
    request: Request,
    session: DbSession,
    code: Annotated[str, Form(max_length=40)],
    rating: Annotated[int, Form(ge=1, le=5)],
) -> Response:
    """Store the sender's rating of the answer."""
    check_track_limit(request)
    item = service.rate(session, code, rating, principal=submitter(request))
    session.commit()
    return _tracking_redirect(item.tracking_code, "rated")


@router.get("/feedback/inbox")
def inbox_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    mine: Annotated[bool, Query()] = False,
) -> Response:
    """List the feedback of the caller's region, escalating overdue items first."""
    now = utcnow()
    items = service.inbox(
        session, principal, now, mine_only=mine, rules=feedback_rules(request)
    )
    session.commit()
    today = beijing_date(now)
    rows = [service.staff_view(principal, item, today) for item in items]
    return render(
        request,
        "feedback/inbox.html",
        {
            "items": rows,
            "place": place_namer(session, rows, language_of(request)),
            "mine": mine,
            "categories": feedback_rules(request).categories,
        },
    )


@router.get("/feedback/items/{item_id}")
def item_page(
    request: Request, principal: CurrentPrincipal, session: DbSession, item_id: RowId
) -> Response:
    """Show one item to the bodies of its region, with the handling forms."""
    item = service.get_item(session, principal, item_id)
    view = service.staff_view(principal, item, beijing_date(utcnow()))
    steps = beijing_steps(service.public_view(session, item)["steps"])
    response = render(
        request,
        "feedback/item.html",
        {
            "item": view,
            "steps": steps,
            "place": place_namer(session, [view, *steps], language_of(request)),
            "categories": feedback_rules(request).categories,
            "max_text": service.MAX_TEXT,
        },
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/feedback/items/{item_id}/assign")
def assign_item(
    principal: CurrentPrincipal,
    session: DbSession,
    item_id: RowId,
    assignee: Annotated[str, Form(max_length=100)],
) -> Response:
    """Give the item to a colleague of the responsible body."""
    service.assign(session, principal, item_id, assignee)
    session.commit()
    return RedirectResponse(f"/feedback/items/{item_id}", status_code=SEE_OTHER)


@router.post("/feedback/items/{item_id}/answer")
def answer_item(
    principal: CurrentPrincipal,
    session: DbSession,
    item_id: RowId,
    answer: Annotated[str, Form()],
) -> Response:
    """Store the public answer of the responsible body."""
    service.answer(session, principal, item_id, answer)
    session.commit()
    return RedirectResponse(f"/feedback/items/{item_id}", status_code=SEE_OTHER)


@router.post("/feedback/items/{item_id}/close")
def close_item(
    principal: CurrentPrincipal, session: DbSession, item_id: RowId
) -> Response:
    """Close an answered item."""
    service.close(session, principal, item_id)
    session.commit()
    return RedirectResponse(f"/feedback/items/{item_id}", status_code=SEE_OTHER)


def stats_view(
    session: Session, principal: Principal, division: str, year: int
) -> dict[str, Any]:
    """Return the accountability numbers as a page view: one table, ranked, and
    a chart specification for ``static/dash/dash.js``."""
    from junheng.web.i18n import translate

    rows = service.feedback_accountability(session, principal, division, year)
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    keys = ("rank", *service.ACCOUNTABILITY_KEYS)
    columns = [
        {
            "key": key,
            "zh": translate(f"feedback.col.{key}", "zh"),
            "en": translate(f"feedback.col.{key}", "en"),
        }
        for key in keys
    ]
    chart = {
        "id": "feedback",
        "table": STATS_TABLE,
        "filter": {},
        "x": "division_name",
        "series": ["answered_on_time", "overdue", "open_not_due"],
        "limit": None,
        "kind": "bars",
        "title": {
            "zh": translate("feedback.stats_chart", "zh"),
            "en": translate("feedback.stats_chart", "en"),
        },
    }
    return {
        "year": year,
        "division": division,
        "tables": {STATS_TABLE: {"columns": columns, "rows": rows}},
        "charts": [chart],
        "map": None,
    }


def _stats_request(principal: Principal, division: str | None) -> str:
    return principal.scope if division is None else division


StatsYear = Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR)]
StatsDivision = Annotated[str | None, Query(pattern=r"^([0-9]{2}|[0-9]{4}|[0-9]{6})?$")]


def _year(year: int | None) -> int:
    return year if year is not None else beijing_date(utcnow()).year


@router.get("/feedback/stats")
def stats_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    year: StatsYear = None,
    division: StatsDivision = None,
) -> Response:
    """Show the accountability numbers of the child divisions, with a chart."""
    chosen = _year(year)
    prefix = _stats_request(principal, division)
    view = stats_view(session, principal, prefix, chosen)
    query = urlencode({"year": chosen, "division": prefix})
    return render(
        request,
        "feedback/stats.html",
        {"view": view, "query": query, "table": view["tables"][STATS_TABLE]},
    )


@router.get("/feedback/stats.json")
def stats_json(
    principal: CurrentPrincipal,
    session: DbSession,
    year: StatsYear = None,
    division: StatsDivision = None,
) -> dict[str, Any]:
    """Return the page's table and chart as JSON."""
    return stats_view(
        session, principal, _stats_request(principal, division), _year(year)
    )


@router.get("/feedback/stats.csv")
def stats_csv(
    principal: CurrentPrincipal,
    session: DbSession,
    year: StatsYear = None,
    division: StatsDivision = None,
) -> Response:
    """Return the page's table as CSV, with a byte order mark for Excel."""
    from junheng.web.dashboards import table_csv

    chosen = _year(year)
    prefix = _stats_request(principal, division)
    view = stats_view(session, principal, prefix, chosen)
    filename = f"feedback-{prefix or 'nation'}-{chosen}.csv"
    return Response(
        table_csv(view["tables"][STATS_TABLE]),
        media_type=CSV_TYPE,
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )
