"""Home, login, logout and the page of one's own API tokens."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from junheng.errors import AuthenticationFailed, JunhengError
from junheng.services import accounts
from junheng.store.models import ApiToken, User
from junheng.web.auth import (
    CurrentPrincipal,
    DbSession,
    OptionalPrincipal,
    log_in,
    log_out,
    token_principals,
)
from junheng.web.i18n import translate
from junheng.web.pages.render import language_of, render
from junheng.web.params import RowId
from junheng.web.throttle import LoginThrottle

log = logging.getLogger("junheng.web")
router = APIRouter(include_in_schema=False)

SEE_OTHER = 303
NEW_TOKEN = "new_token"


@router.get("/")
def home(request: Request) -> Response:
    """Show the caller's role and scope, the pages open to it and its most
    pressing open warnings."""
    from junheng.web.auth import optional_principal
    from junheng.web.errors import NotAuthenticated
    from junheng.web.warnings import HOME_LIMIT, warning_rows

    lang = language_of(request)
    links = [
        {"href": href, "label": zh if lang == "zh" else en}
        for href, zh, en in request.app.state.nav_links
    ]
    context: dict[str, object] = {"extra_links": links, "warnings": None}
    try:
        principal = optional_principal(request)
    except NotAuthenticated:
        principal = None
    if principal is not None:
        rows, total = warning_rows(request, principal, HOME_LIMIT)
        context |= {"warnings": rows, "warnings_total": total}
    return render(request, "home.html", context)


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
    """Check the password and start a session.

    Failed logins are limited per user name (by the accounts service) and per
    client address (by :class:`~junheng.web.throttle.LoginThrottle`).
    """
    address = request.client.host if request.client else "unknown"
    throttle: LoginThrottle = request.app.state.login_throttle
    try:
        throttle.check(address)
        principal = accounts.authenticate(
            session, username, password, datetime.now(UTC)
        )
    except JunhengError as error:
        # Keep the failed-login count the service recorded.
        session.commit()
        if isinstance(error, AuthenticationFailed):
            throttle.failed(address)
        log.info(
            "login rejected for user %r from %s: %s", username, address, error.code
        )
        context = {
            "next": _safe_next(next),
            "username": username,
            "message": error.message(language_of(request)),
        }
        return render(request, "login.html", context, status_code=error.status)
    session.commit()
    user = session.get(User, principal.user_id)
    assert user is not None  # authenticate just read it
    log_in(request, principal, user.session_epoch)
    return RedirectResponse(_safe_next(next), status_code=SEE_OTHER)


@router.get("/logout")
def logout_page(request: Request, principal: OptionalPrincipal) -> Response:
    """Ask to confirm the logout; logging out itself is a POST with a CSRF token."""
    if principal is None:
        return RedirectResponse("/login", status_code=SEE_OTHER)
    return render(request, "logout.html")


@router.post("/logout")
def logout(
    request: Request, session: DbSession, principal: OptionalPrincipal
) -> Response:
    """End every session of the account and show the login page."""
    if principal is not None:
        accounts.end_sessions(session, principal)
        session.commit()
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
    """List the caller's API tokens, with a token just created shown once."""
    new_token = request.session.pop(NEW_TOKEN, None)
    response = _tokens_page(request, principal, session, new_token=new_token)
    response.headers["cache-control"] = "no-store"
    return response


@router.post("/account/tokens")
def create_token(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    name: Annotated[str, Form(min_length=1, max_length=100)],
) -> Response:
    """Create a token, then redirect to the list that shows its plaintext once.

    The plaintext rides to the next page in the signed session cookie and is
    removed from it there, so reloading the list neither repeats the POST nor
    shows the token again.
    """
    token = accounts.create_api_token(session, principal, name.strip())
    session.commit()
    request.session[NEW_TOKEN] = token
    return RedirectResponse("/account/tokens", status_code=SEE_OTHER)


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
