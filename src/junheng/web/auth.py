"""Caller identification from the session cookie or an ``Authorization: Bearer`` token.

The session cookie is signed by Starlette's ``SessionMiddleware`` (itsdangerous)
and holds only the user id and the CSRF secret. Each request with the cookie
reloads the user, so a deactivated account loses access at its next request.
The principal of an API token is reused for up to five seconds, see
:mod:`junheng.web.principals`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from junheng.services import accounts
from junheng.services.access import Principal
from junheng.store.models import User
from junheng.web.errors import NotAuthenticated
from junheng.web.principals import PrincipalCache
from junheng.web.state import app_object

SESSION_USER = "uid"
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
                raise NotAuthenticated()
            token_principals(request).put(token, principal)
            return principal
        user_id = request.session.get(SESSION_USER)
        if user_id is None:
            return None
        user = session.get(User, user_id)
        if user is None or not user.active:
            request.session.pop(SESSION_USER, None)
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


def log_in(request: Request, principal: Principal) -> None:
    """Start a fresh session for ``principal``, dropping the anonymous one."""
    request.session.clear()
    request.session[SESSION_USER] = principal.user_id


def log_out(request: Request) -> None:
    """End the session."""
    # NOTE: sessions live in the signed cookie, so a copy of the cookie taken
    # before logout stays valid until JUNHENG_SESSION_MAX_AGE ends; deactivating
    # the account ends it at once.
    request.session.clear()
