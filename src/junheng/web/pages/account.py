"""Home, login, logout and the page of one's own API tokens."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from junheng.errors import JunhengError
from junheng.services import accounts
from junheng.store.models import ApiToken
from junheng.web.auth import (
    CurrentPrincipal,
    DbSession,
    log_in,
    log_out,
    token_principals,
)
from junheng.web.i18n import translate
from junheng.web.pages.render import language_of, render
from junheng.web.params import RowId

log = logging.getLogger("junheng.web")
router = APIRouter(include_in_schema=False)

SEE_OTHER = 303


@router.get("/")
def home(request: Request) -> Response:
    """Show the caller's role and scope and the pages open to it."""
    lang = language_of(request)
    links = [
        {"href": href, "label": zh if lang == "zh" else en}
        for href, zh, en in request.app.state.nav_links
    ]
    return render(request, "home.html", {"extra_links": links})


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    """Show the login form."""
    return render(
        request, "login.html", {"next": _safe_next(next), "username": "", "message": ""}
    )


@router.post("/login")
def login(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form(max_length=150)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the password (throttled by the accounts service) and start a session."""
    try:
        principal = accounts.authenticate(
            session, username, password, datetime.now(UTC)
        )
    except JunhengError as error:
        # Keep the failed-login count the service recorded.
        session.commit()
        log.info("login rejected for user %r: %s", username, error.code)
        context = {
            "next": _safe_next(next),
            "username": username,
            "message": error.message(language_of(request)),
        }
        return render(request, "login.html", context, status_code=error.status)
    session.commit()
    log_in(request, principal)
    return RedirectResponse(_safe_next(next), status_code=SEE_OTHER)


@router.post("/logout")
def logout(request: Request) -> Response:
    """End the session and show the login page."""
    log_out(request)
    return render(
        request,
        "login.html",
        {
            "next": "/",
            "username": "",
            "message": "",
            "info": translate("logout.done", language_of(request)),
            "principal": None,
        },
    )


@router.get("/account/tokens")
def tokens_page(
    request: Request, principal: CurrentPrincipal, session: DbSession
) -> Response:
    """List the caller's API tokens."""
    return _tokens_page(request, principal, session, new_token=None)


@router.post("/account/tokens")
def create_token(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    name: Annotated[str, Form(min_length=1, max_length=100)],
) -> Response:
    """Create a token and show its plaintext once."""
    token = accounts.create_api_token(session, principal, name.strip())
    session.commit()
    return _tokens_page(request, principal, session, new_token=token)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(
    request: Request, principal: CurrentPrincipal, session: DbSession, token_id: RowId
) -> Response:
    """Revoke one of the caller's tokens."""
    accounts.revoke_api_token(session, principal, token_id)
    session.commit()
    token_principals(request).clear()
    return RedirectResponse("/account/tokens", status_code=SEE_OTHER)


def _tokens_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    new_token: str | None,
) -> Response:
    tokens = session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == principal.user_id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()
    return render(request, "tokens.html", {"tokens": tokens, "new_token": new_token})


def _safe_next(target: str) -> str:
    """Return ``target`` if it is a path on this site, else ``/`` (no open redirect)."""
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
    ):
        return "/"
    if "\\" in target:
        return "/"
    return target
