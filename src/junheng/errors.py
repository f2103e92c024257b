"""Domain exceptions shared by the command line and the web app.

Every error derives from :class:`JunhengError`, which carries the HTTP status the
web app responds with, a short machine-readable ``code`` and the message in
Chinese and English. The command line prints the message and exits with
``exit_code``.
"""

from __future__ import annotations

from http import HTTPStatus


class JunhengError(Exception):
    """Base class of every error Junheng reports to a user.

    ``message_en`` is the English message (also ``str(error)``) and ``message_zh``
    the Chinese one, which defaults to the English text.
    """

    exit_code = 1
    status: int = HTTPStatus.INTERNAL_SERVER_ERROR
    code = "error"

    def __init__(self, message: str = "", *, zh: str | None = None) -> None:
        super().__init__(message)
        self.message_en = message
        self.message_zh = zh if zh is not None else message

    def message(self, lang: str = "zh") -> str:
        """Return the message in ``lang`` (``"zh"`` or ``"en"``)."""
        return self.message_zh if lang == "zh" else self.message_en

    def bilingual(self) -> str:
        """Return the Chinese and the English message joined by `` / ``."""
        if self.message_zh == self.message_en:
            return self.message_en
        return f"{self.message_zh} / {self.message_en}"


class FrameworkError(JunhengError):
    """A framework file that is missing, malformed or inconsistent."""

    exit_code = 2
    code = "framework"


class ProfileError(JunhengError):
    """An import profile that is missing or malformed."""

    exit_code = 2
    code = "profile"


class InputError(JunhengError):
    """Input data that failed validation; nothing was imported.

    ``issues`` contains every problem found (see :mod:`junheng.ingest.issues`).
    """

    exit_code = 3
    status = HTTPStatus.UNPROCESSABLE_ENTITY
    code = "invalid_input"

    def __init__(
        self,
        message: str,
        issues: list[object] | None = None,
        *,
        zh: str | None = None,
    ) -> None:
        super().__init__(message, zh=zh)
        self.issues = issues or []


class InvalidInput(InputError):
    """Data sent to the store that failed validation; nothing was stored.

    ``issues`` is the list of :class:`~junheng.ingest.issues.Issue` found, each
    with its file, sheet, row, column, value and fix.
    """


class PermissionDenied(JunhengError):
    """The user may not read or change what was requested."""

    exit_code = 4
    status = HTTPStatus.FORBIDDEN
    code = "permission_denied"


class AuthenticationFailed(PermissionDenied):
    """A wrong user name, password or token, or a locked account."""

    status = HTTPStatus.UNAUTHORIZED
    code = "authentication_failed"


class TooManyAttempts(AuthenticationFailed):
    """Logins are refused for a while after repeated wrong passwords."""

    status = HTTPStatus.TOO_MANY_REQUESTS
    code = "too_many_attempts"


class NotFound(JunhengError):
    """A record, user, school or division that does not exist."""

    exit_code = 5
    status = HTTPStatus.NOT_FOUND
    code = "not_found"


class Conflict(JunhengError):
    """A change based on a stale version, or one the record's status forbids."""

    exit_code = 6
    status = HTTPStatus.CONFLICT
    code = "conflict"
