"""One error path: every failure becomes the JSON error shape or an HTML page.

Paths under ``/api/`` and the ``.json`` twins of pages get
``{"error": {"status", "code", "message", "detail"}}`` and every other path gets
``error.html`` with the same fields. A test pins the
JSON shape. Domain errors come from :mod:`junheng.errors`; the few that only the
web layer raises are defined here.
"""

from __future__ import annotations

import logging
import math
from dataclasses import asdict, dataclass, is_dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from junheng.errors import InputError, JunhengError
from junheng.ingest.issues import Issue
from junheng.web.i18n import Language, translate
from junheng.web.validation_errors import describe_item, describe_items

log = logging.getLogger("junheng.web")

API_PREFIX = "/api/"
JSON_SUFFIX = ".json"


class WebError(JunhengError):
    """An error raised by the web layer itself, with its HTTP status and code."""

    status = HTTPStatus.BAD_REQUEST
    code = "bad_request"
    message_key = "error.validation"

    def __init__(self, detail: Any = None, **values: Any) -> None:
        super().__init__(
            translate(self.message_key, "en", **values),
            zh=translate(self.message_key, "zh", **values),
        )
        self.detail = detail


class NotAuthenticated(WebError):
    """The request carries no valid session or API token."""

    status = HTTPStatus.UNAUTHORIZED
    code = "not_authenticated"
    message_key = "error.unauthenticated"


class TokenInvalid(NotAuthenticated):
    """An ``Authorization: Bearer`` token that is unknown, revoked or belongs to
    a disabled account."""

    code = "token_invalid"
    message_key = "error.token_invalid"


class CsrfFailed(WebError):
    """A form or cookie-authenticated API call without a valid CSRF token."""

    status = HTTPStatus.FORBIDDEN
    code = "csrf_failed"
    message_key = "error.csrf"


class PayloadTooLarge(WebError):
    """A request body above ``max_upload_bytes``."""

    status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    code = "payload_too_large"
    message_key = "error.too_large"


class ErrorInfo(BaseModel):
    """The fields of an error response."""

    status: int
    code: str
    message: str
    detail: Any = None


class ErrorBody(BaseModel):
    """The JSON body of every error response under ``/api/``."""

    error: ErrorInfo


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": HTTPStatus(status).phrase}
    for status in (400, 401, 403, 404, 409, 413, 422, 429)
}
"""OpenAPI ``responses`` of the API routes: the error shape they really send."""


@dataclass(frozen=True)
class ErrorView:
    """An error ready to render: status, machine code, message and detail."""

    status: int
    code: str
    message: str
    detail: Any = None


_HTTP_MESSAGES = {
    HTTPStatus.BAD_REQUEST: ("bad_request", ""),
    HTTPStatus.NOT_FOUND: ("not_found", "error.not_found"),
    HTTPStatus.METHOD_NOT_ALLOWED: ("method_not_allowed", "error.method"),
    HTTPStatus.UNAUTHORIZED: ("not_authenticated", "error.unauthenticated"),
}


_NON_FINITE_NAMES = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def _json_literals(value: Any) -> Any:
    """Return ``value`` with each NaN or infinite number inside it replaced by
    its JSON literal as text, because a JSON response cannot carry the number."""
    if isinstance(value, float) and not math.isfinite(value):
        return _NON_FINITE_NAMES[repr(value)]
    if isinstance(value, dict):
        return {key: _json_literals(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_literals(item) for item in value]
    return value


def _finite_input(item: dict[str, Any]) -> dict[str, Any]:
    """Return a validation error item whose ``input`` a JSON response can carry."""
    if "input" in item:
        item["input"] = _json_literals(item["input"])
    return item


def describe(exc: Exception, lang: Language) -> ErrorView:
    """Turn any exception into an :class:`ErrorView` in ``lang``."""
    if isinstance(exc, RequestValidationError):
        # Each item keeps pydantic's fields for programs and gains ``message``
        # in the page language.
        items = [_finite_input(item) for item in jsonable_encoder(exc.errors())]
        for item in items:
            item["message"] = describe_item(item, lang)
        message = translate("error.validation", lang)
        if items:
            prefix = translate("error.invalid_params", lang)
            message = (
                f"{prefix}{'' if lang == 'zh' else ' '}{describe_items(items, lang)}"
            )
        return ErrorView(
            HTTPStatus.UNPROCESSABLE_ENTITY, "invalid_request", message, items
        )
    if isinstance(exc, StarletteHTTPException):
        code, key = _HTTP_MESSAGES.get(HTTPStatus(exc.status_code), ("http_error", ""))
        if key:
            return ErrorView(exc.status_code, code, translate(key, lang))
        # Starlette's own text (e.g. "Invalid multipart data.") is English, so
        # it goes to the detail and the message is the catalogue's.
        return ErrorView(
            exc.status_code,
            code,
            translate("error.http", lang, status=exc.status_code),
            str(exc.detail),
        )
    if isinstance(exc, JunhengError):
        detail: Any = getattr(exc, "detail", None)
        if isinstance(exc, InputError) and exc.issues:
            detail = [issue_dict(issue, lang) for issue in exc.issues]
        return ErrorView(int(exc.status), exc.code, exc.message(lang), detail)
    return ErrorView(
        HTTPStatus.INTERNAL_SERVER_ERROR, "internal", translate("error.internal", lang)
    )


def issue_dict(issue: object, lang: Language) -> Any:
    """Return an import issue as a JSON-ready mapping worded in ``lang``."""
    if isinstance(issue, Issue):
        return issue.as_dict(lang)
    if is_dataclass(issue) and not isinstance(issue, type):
        return asdict(issue)
    return str(issue)


def error_json(view: ErrorView) -> JSONResponse:
    """Return the JSON error response of ``view``."""
    body = {
        "error": {
            "status": view.status,
            "code": view.code,
            "message": view.message,
            "detail": jsonable_encoder(view.detail),
        }
    }
    return JSONResponse(body, status_code=view.status)


def wants_json(path: str) -> bool:
    """Return whether an error on ``path`` gets the JSON error shape: API
    routes and the ``.json`` twins of pages, which scripts and ``dash.js`` read."""
    return path.startswith(API_PREFIX) or path.endswith(JSON_SUFFIX)


async def handle_error(request: Request, exc: Exception) -> Response:
    """Render ``exc`` as JSON under ``/api/`` and for a ``.json`` twin, and as an
    HTML page elsewhere."""
    from junheng.web.pages.render import language_of, render

    lang = language_of(request)
    view = describe(exc, lang)
    if view.status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    if wants_json(request.url.path):
        return error_json(view)
    if view.status == HTTPStatus.UNAUTHORIZED and request.method == "GET":
        target = quote(request.url.path, safe="/")
        return RedirectResponse(f"/login?next={target}", status_code=303)
    return render(request, "error.html", {"error": view}, status_code=view.status)


def install_error_handlers(app: FastAPI) -> None:
    """Route every exception family through :func:`handle_error`."""
    for exc_class in (
        JunhengError,
        RequestValidationError,
        StarletteHTTPException,
        Exception,
    ):
        app.add_exception_handler(exc_class, handle_error)
