"""ASGI middleware: security headers, request size limit and HEAD requests."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from junheng.web.errors import PayloadTooLarge

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
"""No inline scripts or styles, nothing from another origin, no framing."""

SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
}


NO_STORE_PREFIXES = ("/s/",)
"""Paths whose responses no cache may keep: the survey answer links, whose
token in the path is the credential."""


class SecurityHeaders:
    """Add :data:`SECURITY_HEADERS` to every HTTP response, and
    ``Cache-Control: no-store`` under :data:`NO_STORE_PREFIXES`, errors
    included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if scope["path"].startswith(NO_STORE_PREFIXES):
                    headers["cache-control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodySizeLimit:
    """Reject request bodies larger than ``limit`` bytes with HTTP 413.

    A ``Content-Length`` above the limit fails before the body is read; a chunked
    body fails as soon as the bytes received pass the limit.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            too_long = value.isdigit() and int(value) > self.limit
            if name == b"content-length" and too_long:
                await self._reject(scope, receive, send, _megabytes(int(value)))
                return
        received = 0
        rejected = False
        started = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if rejected:
                return  # the 413 response has been sent instead
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        async def counting_receive() -> Message:
            nonlocal received, rejected
            message = await receive()
            if message["type"] != "http.request" or rejected:
                return message
            received += len(message.get("body", b""))
            if received > self.limit:
                if not started:
                    size = f"> {_megabytes(self.limit)}"
                    await self._reject(scope, receive, send, size)
                rejected = True
                # The app sees the client go away and stops reading; whatever
                # it answers is dropped by guarded_send.
                return {"type": "http.disconnect"}
            return message

        await self.app(scope, counting_receive, guarded_send)

    async def _reject(
        self, scope: Scope, receive: Receive, send: Send, size: str
    ) -> None:
        """Send the 413 response with ``size``, the body's size as text.

        The message gives no file name, because the body is not parsed yet.
        """
        from starlette.requests import Request

        from junheng.web.errors import handle_error

        request = Request(scope, receive)
        response = await handle_error(
            request, PayloadTooLarge(limit=_megabytes(self.limit), size=size)
        )
        await response(scope, receive, send)


def _megabytes(size: int) -> str:
    """Return ``size`` bytes in MB, or in KB below 1 MB."""
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


class HeadAsGet:
    """Answer ``HEAD`` like ``GET`` without the body (RFC 9110, section 9.3.2).

    FastAPI routes declared with ``@router.get`` answer ``GET`` only, so a
    ``HEAD`` request is routed as ``GET`` here and the body is dropped on the way
    out. The headers, ``Content-Length`` included, stay as ``GET`` would send
    them.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_without_body)
