"""Caller identification from the session cookie or an ``Authorization: Bearer`` token.

The session cookie is signed by Starlette's ``SessionMiddleware`` (itsdangerous)
and holds the user id, the user's session epoch at login and the CSRF secret.
Each request reloads the user and compares the epochs, so logging out, changing
the password or disabling the account ends the session at its next request,
copies of the cookie included. The principal of an API token is reused for up
to five seconds, see :mod:`junheng.web.principals`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from junheng.services import accounts
from junheng.services.access import Principal
from junheng.store.models import User
from junheng.web.errors import NotAuthenticated, TokenInvalid
from junheng.web.principals import PrincipalCache
from junheng.web.state import app_object

SESSION_USER = "uid"
SESSION_EPOCH = "epoch"
_UNRESOLVED = object()
BEARER = "bearer"


def db_session(request: Request) -> Iterator[Session]:
    """Yield a store session; the route commits what it changes."""
    with request.app.state.sessions() as session:
        yield session


DbSession = Annotated[Session, Depends(db_session)]


def bearer_token(request: Request) -> str | None:
    """Return the token of an ``Authorization: Bearer`` header, if any."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != BEARER or not token.strip():
        return None
    return token.strip()


def optional_principal(request: Request) -> Principal | None:
    """Return the caller, or ``None`` for an anonymous request.

    A Bearer header that does not match an active token is an error, not an
    anonymous request, so a client with a revoked token learns it at once.
    """
    cached = getattr(request.state, "principal", _UNRESOLVED)
    if cached is None or isinstance(cached, Principal):
        return cached
    principal = _resolve(request)
    request.state.principal = principal
    return principal


def token_principals(request: Request) -> PrincipalCache:
    """Return the app's cache of token principals, creating it on first use."""
    return app_object(request, "token_principals", PrincipalCache)


def _resolve(request: Request) -> Principal | None:
    token = bearer_token(request)
    if token is not None:
        cached = token_principals(request).get(token)
        if cached is not None:
            return cached
    with request.app.state.sessions() as session:
        if token is not None:
            principal = accounts.principal_for_token(session, token)
            session.commit()  # records last_used_at
            if principal is None:
                raise TokenInvalid()
            token_principals(request).put(token, principal)
            return principal
        user_id = request.session.get(SESSION_USER)
        if user_id is None:
            return None
        user = session.get(User, user_id)
        epoch = request.session.get(SESSION_EPOCH)
        if user is None or not user.active or epoch != user.session_epoch:
            request.session.pop(SESSION_USER, None)
            request.session.pop(SESSION_EPOCH, None)
            return None
        return accounts.principal_for(user, session)


def current_principal(request: Request) -> Principal:
    """Return the logged-in caller; raise :class:`NotAuthenticated` otherwise."""
    principal = optional_principal(request)
    if principal is None:
        raise NotAuthenticated()
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


def log_in(request: Request, principal: Principal, epoch: int) -> None:
    """Start a fresh session for ``principal``, dropping the anonymous one.

    ``epoch`` is the user's current ``session_epoch``.
    """
    request.session.clear()
    request.session[SESSION_USER] = principal.user_id
    request.session[SESSION_EPOCH] = epoch


def log_out(request: Request) -> None:
    """Clear this browser's session cookie.

    The caller ends the account's sessions in the store first
    (:func:`junheng.services.accounts.end_sessions`), so copies of the cookie
    stop working too.
    """
    request.session.clear()
