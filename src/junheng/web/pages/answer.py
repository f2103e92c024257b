"""The public answer page of a survey link, ``/s/{token}``.

No account is needed: the random token in the path is the credential, so the
page takes no CSRF token and starts no session (no cookie). An unknown token,
a malformed one and one of another round get the same page, so a guess learns
nothing. The stored answer carries nothing from the request (see
:mod:`junheng.services.surveys`).

Limits: a form body over :data:`MAX_FORM_BYTES` is rejected before parsing, and
each client address may load or submit an invalid or used link at most
:data:`FAILURES_PER_ADDRESS` times per :data:`WINDOW_MINUTES` minutes, which
makes guessing tokens hopeless on top of their 128 random bits.

NOTE: the failure counts live in the memory of one server process, like the
login limit of :mod:`junheng.web.throttle`, and behind a reverse proxy the
address is the proxy's unless uvicorn trusts its forwarding headers. A school
whose pupils share one address can still answer, since only failures count.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool

from junheng.errors import InvalidInput, NotFound
from junheng.participation.questionnaire import QuestionnaireSet, load_questionnaire_set
from junheng.services import surveys
from junheng.web.pages.render import render
from junheng.web.state import app_object

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)

MAX_FORM_BYTES = 16 * 1024
"""Largest answer form accepted; a full questionnaire is well under 1 KiB."""
FAILURES_PER_ADDRESS = 30
WINDOW_MINUTES = 10
SEE_OTHER = 303
_NAMESPACE = "survey-link"


class LinkThrottle:
    """Invalid or used links requested per client address, in a moving window."""

    def __init__(self) -> None:
        self.item = RateLimitItemPerMinute(FAILURES_PER_ADDRESS, WINDOW_MINUTES)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def blocked(self, address: str) -> bool:
        """Return whether ``address`` is over the limit."""
        return not self.limiter.test(self.item, _NAMESPACE, address)

    def failed(self, address: str) -> None:
        """Count a request for an invalid or used link from ``address``."""
        self.limiter.hit(self.item, _NAMESPACE, address)


def _throttle(request: Request) -> LinkThrottle:
    return app_object(request, "survey_link_throttle", LinkThrottle)


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _message(request: Request, kind: str, status: int) -> Response:
    if status in (404, 409):
        _throttle(request).failed(_address(request))
    return render(
        request,
        "surveys/answer_message.html",
        {"title_key": f"answer.{kind}_title", "text_key": f"answer.{kind}"},
        status_code=status,
        with_session=False,
    )


def _simple(request: Request, text_key: str, status: int) -> Response:
    return render(
        request,
        "surveys/answer_message.html",
        {"title_key": "answer.title", "text_key": text_key},
        status_code=status,
        with_session=False,
    )


def _form(
    request: Request,
    qset: QuestionnaireSet,
    state: surveys.LinkState,
    chosen: dict[str, str] | None = None,
    missing: list[str] | None = None,
) -> Response:
    group = qset.group(state.group)
    return render(
        request,
        "surveys/answer.html",
        {
            "qset": qset,
            "group": group,
            "items": qset.items_of(state.group),
            "chosen": chosen or {},
            "missing": missing or [],
            "token": request.path_params["token"],
        },
        status_code=422 if missing else 200,
        with_session=False,
    )


def _state_page(request: Request, state: surveys.LinkState | None) -> Response | None:
    """Return the page for a link that cannot be answered, or ``None``."""
    if state is None:
        return _message(request, "invalid", 404)
    if state.used:
        return _message(request, "used", 409)
    if state.round.status != "open":
        return _message(request, "ended", 410)
    return None


@router.get("/s/thanks")
def answer_thanks(request: Request) -> Response:
    """Thank the respondent after a stored answer."""
    return render(
        request,
        "surveys/answer_message.html",
        {"title_key": "answer.thanks_title", "text_key": "answer.thanks"},
        with_session=False,
    )


@router.get("/s/{token}")
def answer_page(request: Request, token: str) -> Response:
    """Show the questionnaire of a link, or why it cannot be answered."""
    if _throttle(request).blocked(_address(request)):
        return _simple(request, "answer.too_many", 429)
    with request.app.state.sessions() as session:
        state = surveys.find_link(session, token)
        refused = _state_page(request, state)
        if refused is not None:
            return refused
        assert state is not None  # _state_page refuses a missing link
        qset = load_questionnaire_set(state.round.questionnaire_set)
        return _form(request, qset, state)


async def _read_form(request: Request) -> dict[str, str] | None:
    """Return the urlencoded form fields, or ``None`` when the body is too large."""
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_FORM_BYTES:
            return None
    fields = parse_qsl(body.decode("utf-8", errors="replace"), max_num_fields=200)
    return dict(fields)


@router.post("/s/{token}")
async def submit_answer(request: Request, token: str) -> Response:
    """Store the answers of a link once; show the form again when incomplete."""
    if _throttle(request).blocked(_address(request)):
        return _simple(request, "answer.too_many", 429)
    form = await _read_form(request)
    if form is None:
        return _simple(request, "answer.too_large", 413)
    # The store work is blocking, so it runs in the thread pool, as sync routes do.
    refused = await run_in_threadpool(_store_answer, request, token, form)
    if refused is not None:
        return refused
    return RedirectResponse("/s/thanks", status_code=SEE_OTHER)


def _store_answer(
    request: Request, token: str, form: dict[str, str]
) -> Response | None:
    """Store the answer; return the page to show instead when it is refused."""
    with request.app.state.sessions() as session:
        try:
            surveys.submit_answers(session, token, form, date.today())
            session.commit()
        except NotFound:
            session.rollback()
            return _message(request, "invalid", 404)
        except surveys.LinkUnusable:
            session.rollback()
            state = surveys.find_link(session, token)
            return _state_page(request, state) or _message(request, "used", 409)
        except InvalidInput:
            session.rollback()
            state = surveys.find_link(session, token)
            if state is None:
                return _message(request, "invalid", 404)
            qset = load_questionnaire_set(state.round.questionnaire_set)
            chosen = {k: v for k, v in form.items() if len(k) <= 20}
            missing = [i.id for i in qset.items_of(state.group) if i.id not in form]
            invalid = _invalid(qset, state.group, form)
            return _form(request, qset, state, chosen, missing + invalid or ["?"])
        except OperationalError as error:
            session.rollback()
            log.warning("survey answer not stored, database busy: %s", error)
            return _simple(request, "answer.busy", 503)
    return None


def _invalid(qset: QuestionnaireSet, group: str, form: dict[str, Any]) -> list[str]:
    return [
        item.id
        for item in qset.items_of(group)
        if item.id in form
        and form[item.id] not in qset.scales[item.scale].answer_keys()
    ]
