"""CSRF protection: a signed, time-limited token bound to the session.

Every state-changing request that relies on the session cookie must send the
token, as the ``csrf_token`` form field or the ``X-CSRF-Token`` header. Requests
authenticated by an ``Authorization: Bearer`` token carry no ambient credential
and are exempt.

The token is the session's random CSRF secret signed with itsdangerous (which the
session cookie already uses), so no extra library is needed: starlette-csrf reads
the token only from a header, which plain HTML forms cannot send without
JavaScript, and starlette-wtf would bring in WTForms for one hidden field.
"""

from __future__ import annotations

import hmac
import logging
import secrets

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from junheng.web.auth import SESSION_USER, bearer_token
from junheng.web.errors import API_PREFIX, CsrfFailed

FORM_FIELD = "csrf_token"
HEADER = "x-csrf-token"
SESSION_KEY = "csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
ANSWER_LINK_PREFIX = "/s/"
"""Survey answer pages: the random token in the path is the credential, and no
ambient cookie grants anything there, so a forged request gains nothing."""
_SALT = "junheng.csrf"
log = logging.getLogger("junheng.web")


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.settings.signing_key(), _SALT)


def csrf_token(request: Request) -> str:
    """Return a token for forms on this page, creating the session secret if needed."""
    secret = request.session.get(SESSION_KEY)
    if not isinstance(secret, str):
        secret = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = secret
    return _serializer(request).dumps(secret)


async def verify_csrf(request: Request) -> None:
    """Reject an unsafe request that relies on the session without a valid token."""
    if request.method in SAFE_METHODS or bearer_token(request) is not None:
        return
    if request.url.path.startswith(ANSWER_LINK_PREFIX):
        return
    if request.url.path.startswith(API_PREFIX) and SESSION_USER not in request.session:
        # No credential rides along, so nothing can be forged; the route's
        # authentication check answers 401.
        return
    sent = request.headers.get(HEADER)
    if sent is None and _is_form(request):
        form = await request.form()
        value = form.get(FORM_FIELD)
        sent = value if isinstance(value, str) else None
    expected = request.session.get(SESSION_KEY)
    if not sent or not isinstance(expected, str):
        log.warning("CSRF token missing: %s %s", request.method, request.url.path)
        raise CsrfFailed()
    max_age = request.app.state.settings.session_max_age
    try:
        secret = _serializer(request).loads(sent, max_age=max_age)
    except BadSignature as error:
        log.warning("CSRF token invalid: %s %s", request.method, request.url.path)
        raise CsrfFailed() from error
    if not isinstance(secret, str) or not hmac.compare_digest(secret, expected):
        log.warning("CSRF token of another session: %s", request.url.path)
        raise CsrfFailed()


def _is_form(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    return content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    )
