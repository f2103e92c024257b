"""Settings of the web platform, read from ``JUNHENG_*`` environment variables.

Every setting is declared once in :class:`WebSettings` with its default and a
one-line help text. ``docs/platform.md`` lists them, and a test checks that the
list is complete.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Literal

from limits import parse
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from junheng.ingest.size_limits import SizeLimits
from junheng.standards.loader import DEFAULT_FRAMEWORK

Mode = Literal["production", "dev", "demo"]

PLACEHOLDER_SECRETS = frozenset(
    {
        "changeme",
        "change-me",
        "change_me",
        "secret",
        "secret-key",
        "password",
        "junheng",
    }
)
"""Secret keys refused outside dev and demo mode, compared in lower case."""

MIN_SECRET_LENGTH = 32
KEY_COMMAND = "python -c 'import secrets; print(secrets.token_urlsafe(48))'"


class SettingsError(ValueError):
    """Settings that cannot run the platform safely."""


class WebSettings(BaseSettings):
    """Settings of ``junheng serve`` and :func:`junheng.web.app.create_app`."""

    # An empty variable counts as unset, as JUNHENG_DATABASE_URL does for the
    # store commands.
    model_config = SettingsConfigDict(
        env_prefix="JUNHENG_", extra="ignore", env_ignore_empty=True
    )

    mode: Mode = Field(
        default="production",
        description="production, dev or demo; dev and demo run without a secret "
        "key (a random one per process), and demo marks every page as synthetic.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the store; unset means sqlite:///junheng.db "
        "in the current directory.",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Key that signs session cookies and CSRF tokens, at least 32 "
        "characters; required in production mode.",
    )
    secure_cookies: bool = Field(
        default=False,
        description="Send cookies with the Secure flag; turn on when the platform "
        "is served over HTTPS.",
    )
    session_max_age: int = Field(
        default=8 * 3600,
        ge=60,
        description="Seconds a login session and its form tokens stay valid.",
    )
    survey_min_answers: int = Field(
        default=5,
        ge=1,
        description="Minimum number of respondents a survey group or question "
        "needs before its counts and rate are shown. Smaller ones count toward "
        "the overall rate only, and further figures are hidden where subtraction "
        "would reveal them, so that nobody can read off one person's answers.",
    )
    max_upload_bytes: int = Field(
        default=10 * 1024 * 1024,
        ge=1024,
        description="Largest request body accepted, in bytes; larger uploads get "
        "HTTP 413.",
    )
    max_import_cells: int = Field(
        default=5_000_000,
        ge=1000,
        description="Largest uploaded spreadsheet, in cells: the rows times "
        "columns of its sheets, of a CSV file or of a Parquet file. Larger "
        "files get HTTP 422 before they are parsed.",
    )
    max_import_unzipped_bytes: int = Field(
        default=256 * 1024 * 1024,
        ge=1024 * 1024,
        description="Largest uncompressed size of an uploaded .xlsx or .xlsm "
        "workbook, in bytes; larger ones get HTTP 422 before they are parsed.",
    )
    default_language: Literal["zh", "en"] = Field(
        default="zh", description="Page language when the visitor has not chosen one."
    )

    pairing_max_schools: int = Field(
        default=2000,
        ge=1,
        description="Maximum number of schools with approved data that one "
        "pairing plan on the web may cover. A larger region gets a message that "
        "names the junheng plan pair command for it.",
    )
    framework: str = Field(
        default=DEFAULT_FRAMEWORK,
        description="Framework id (see junheng frameworks) or framework YAML file "
        "that results, monitoring and plans evaluate against. The pages show "
        "the warnings of its file.",
    )

    feedback_rate_limit: str = Field(
        default="5/hour",
        description="Public feedback items stored per client address, in the "
        "limits notation (e.g. 5/hour); none lifts the limit. Rejected "
        "submissions do not count.",
    )
    feedback_attempt_limit: str = Field(
        default="30/hour",
        description="Public feedback submissions per client address, invalid "
        "ones included (e.g. 30/hour), against abuse; none lifts the limit.",
    )
    feedback_track_limit: str = Field(
        default="60/minute",
        description="Tracking-number lookups and ratings allowed per client "
        "address (e.g. 60/minute); none lifts the limit.",
    )
    feedback_rules: Path | None = Field(
        default=None,
        description="YAML file of feedback categories, routing and deadlines; "
        "unset means the shipped feedback-rules.yaml.",
    )

    @field_validator(
        "feedback_rate_limit", "feedback_attempt_limit", "feedback_track_limit"
    )
    @classmethod
    def _check_rate(cls, value: str) -> str:
        if value.strip().lower() == "none":
            return value
        try:
            parse(value)
        except ValueError as error:
            raise ValueError(
                f"{value!r} is not a rate such as 5/hour or 60/minute (or none)"
            ) from error
        return value

    @model_validator(mode="after")
    def _check_secret(self) -> WebSettings:
        if self.mode != "production":
            return self
        if self.secret_key is None:
            raise SettingsError(
                "JUNHENG_SECRET_KEY is missing; set it to a random string of at "
                f"least {MIN_SECRET_LENGTH} characters, e.g. the output of "
                f"`{KEY_COMMAND}`"
            )
        key = self.secret_key.get_secret_value()
        if key.strip().lower() in PLACEHOLDER_SECRETS or len(key) < MIN_SECRET_LENGTH:
            raise SettingsError(
                "JUNHENG_SECRET_KEY is a placeholder or shorter than "
                f"{MIN_SECRET_LENGTH} characters; set a random string, e.g. the "
                f"output of `{KEY_COMMAND}`"
            )
        return self

    def size_limits(self) -> SizeLimits:
        """Return the limits of the files that uploads may import."""
        return SizeLimits(
            max_cells=self.max_import_cells,
            max_unzipped_bytes=self.max_import_unzipped_bytes,
            max_parquet_cells=self.max_import_cells,
        )

    def signing_key(self) -> str:
        """Return the secret key, or a random one for this process in dev and demo.

        A random key logs everyone out when the process restarts, which suits a
        demo but not production (where the validator requires a key).
        """
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        if self._generated_key is None:
            self._generated_key = secrets.token_urlsafe(48)
        return self._generated_key

    _generated_key: str | None = None
