"""Template rendering shared by every page: language, caller, CSRF token."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from starlette.responses import Response

from junheng.ingest.schema import choice_name
from junheng.services.statuses import county_items_status_key
from junheng.web.i18n import (
    LANGUAGE_COOKIE,
    LANGUAGES,
    Language,
    pick_language,
    translator,
)

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600

# Autoescaping is on for every template, whatever its file name: every value a
# user typed (names, comments, uploaded cells) is shown as text, never as HTML.
templates = Jinja2Templates(
    env=Environment(loader=FileSystemLoader(TEMPLATE_DIR), autoescape=True)
)
templates.env.globals["county_items_status_key"] = county_items_status_key


def language_of(request: Request) -> Language:
    """Return the page language chosen by query, cookie or the default setting."""
    default: Language = request.app.state.settings.default_language
    return pick_language(
        request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE), default
    )


def language_links(request: Request) -> dict[str, str]:
    """Return, per language, the current URL with ``lang`` set to it."""
    links: dict[str, str] = {}
    for lang in LANGUAGES:
        query = dict(request.query_params)
        query["lang"] = lang
        links[lang] = f"{request.url.path}?{urlencode(query)}"
    return links


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
    *,
    with_session: bool = True,
) -> Response:
    """Render template ``name`` with the values every page needs.

    Besides ``context``, a template sees ``t`` (the catalogue in the page
    language), ``lang``, ``language_links``, ``principal`` (``None`` when
    anonymous), ``csrf_token`` and ``settings``. With ``with_session`` false the
    page neither reads nor starts a session (no cookie is set), and
    ``csrf_token`` and ``principal`` are empty.
    """
    from junheng.web.auth import optional_principal
    from junheng.web.csrf import csrf_token
    from junheng.web.errors import NotAuthenticated

    lang = language_of(request)
    principal = None
    if with_session:
        try:
            principal = optional_principal(request)
        except NotAuthenticated:
            principal = None
    values: dict[str, Any] = {
        "t": translator(lang),
        "choice": partial(choice_name, lang=lang),
        "lang": lang,
        "language_links": language_links(request),
        "principal": principal,
        "csrf_token": csrf_token(request) if with_session else "",
        "settings": request.app.state.settings,
    }
    values.update(context or {})
    response: Response = templates.TemplateResponse(
        request, name, values, status_code=status_code
    )
    remember_language(request, response, lang)
    return response


def remember_language(request: Request, response: Response, lang: Language) -> None:
    """Keep the language chosen by ``?lang=`` in a cookie for the next pages."""
    if request.query_params.get("lang") == lang:
        response.set_cookie(
            LANGUAGE_COOKIE,
            lang,
            max_age=LANGUAGE_COOKIE_AGE,
            samesite="lax",
            httponly=True,
            secure=request.app.state.settings.secure_cookies,
        )
