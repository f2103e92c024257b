"""Domain exceptions shared by the command line and the web app."""

from __future__ import annotations


class JunhengError(Exception):
    """Base class of every error Junheng reports to a user."""

    exit_code = 1


class FrameworkError(JunhengError):
    """A framework file that is missing, malformed or inconsistent."""

    exit_code = 2


class ProfileError(JunhengError):
    """An import profile that is missing or malformed."""

    exit_code = 2


class InputError(JunhengError):
    """Input data that failed validation; nothing was imported.

    ``issues`` contains every problem found (see :mod:`junheng.ingest.issues`).
    """

    exit_code = 3

    def __init__(self, message: str, issues: list[object] | None = None) -> None:
        super().__init__(message)
        self.issues = issues or []
