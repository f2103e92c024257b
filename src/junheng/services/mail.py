"""Sending mail through the SMTP server named in the environment.

Settings are read from ``JUNHENG_SMTP_HOST`` (required), ``JUNHENG_SMTP_PORT``
(25), ``JUNHENG_SMTP_USER`` and ``JUNHENG_SMTP_PASSWORD`` (log in only when a
user is set), ``JUNHENG_SMTP_FROM`` (the sender address) and
``JUNHENG_SMTP_STARTTLS`` (``1`` to upgrade the connection with STARTTLS).
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage

from junheng.errors import InputError

PREFIX = "JUNHENG_SMTP_"


@dataclass(frozen=True)
class SmtpSettings:
    """SMTP server, login and sender address of outgoing mail."""

    host: str
    port: int = 25
    user: str | None = None
    password: str | None = None
    sender: str = "junheng@localhost"
    starttls: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SmtpSettings:
        """Read the settings from ``env`` (default: the process environment)."""
        env = os.environ if env is None else env
        host = env.get(f"{PREFIX}HOST", "").strip()
        if not host:
            raise InputError(
                f"{PREFIX}HOST is not set; name the SMTP server that sends the mail",
                zh=f"未设置 {PREFIX}HOST，请指定发送邮件的 SMTP 服务器",
            )
        port_text = env.get(f"{PREFIX}PORT", "25").strip()
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise InputError(
                f"{PREFIX}PORT={port_text!r} is not a port number (1–65535)",
                zh=f"{PREFIX}PORT={port_text!r} 不是有效端口号（1–65535）",
            )
        return cls(
            host=host,
            port=int(port_text),
            user=env.get(f"{PREFIX}USER") or None,
            password=env.get(f"{PREFIX}PASSWORD") or None,
            sender=env.get(f"{PREFIX}FROM") or cls.sender,
            starttls=env.get(f"{PREFIX}STARTTLS", "0").strip() in ("1", "true", "yes"),
        )


def send(message: EmailMessage, settings: SmtpSettings, timeout: float = 30) -> None:
    """Send ``message`` (its From header defaults to the configured sender)."""
    if "From" not in message:
        message["From"] = settings.sender
    with smtplib.SMTP(settings.host, settings.port, timeout=timeout) as smtp:
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.user:
            smtp.login(settings.user, settings.password or "")
        smtp.send_message(message)
