"""``junheng monitor digest`` sends the open warnings to a local SMTP sink.

The sink is aiosmtpd's server on a port of 127.0.0.1 that the system chose.
"""

from __future__ import annotations

import datetime as dt
import email
import errno
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage, Message
from typing import Any

import polars as pl
import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from factories import warning_row
from sqlalchemy import select
from store.dbfixtures import Database
from web.live import bound_socket

from junheng.cli import main
from junheng.monitoring import alerts
from junheng.services import warnings as service
from junheng.services.access import SYSTEM
from junheng.store.divisions import load_divisions
from junheng.store.models import AuditRecord, Warning

START_ATTEMPTS = 5
"""How many free ports the SMTP sink tries before the test fails."""


class _Sink:
    """Keeps every message the server receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            (
                list(envelope.rcpt_tos),
                email.message_from_bytes(envelope.content, policy=policy.default),
            )
        )
        return "250 OK"


def _body(message: Message) -> str:
    assert isinstance(message, EmailMessage)
    text: str = message.get_content()
    return text


def _start_sink(handler: _Sink) -> Controller:
    """Start the SMTP server on a port of 127.0.0.1 that was free a moment ago.

    Another test (in another pytest-xdist worker, say) can take that port
    first, so a port that is taken by then is replaced by another.
    """
    attempts = START_ATTEMPTS
    while True:
        with bound_socket() as probe:
            port: int = probe.getsockname()[1]
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        try:
            controller.start()
        except OSError as error:
            controller.loop.close()
            attempts -= 1
            if error.errno != errno.EADDRINUSE or not attempts:
                raise
        else:
            return controller


@pytest.fixture
def sink(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Sink]:
    handler = _Sink()
    controller = _start_sink(handler)
    port = controller.port
    monkeypatch.setenv("JUNHENG_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("JUNHENG_SMTP_PORT", str(port))
    monkeypatch.setenv("JUNHENG_SMTP_FROM", "junheng@example.org")
    try:
        yield handler
    finally:
        controller.stop()


def _store(database: Database) -> None:
    def row(code: str, deadline: dt.date) -> dict[str, Any]:
        return warning_row(
            code,
            "cv_rising",
            level="blue",
            section="junior",
            indicator="L2",
            raised_on=dt.date(2025, 12, 1),
            deadline=deadline,
            warning_id=f"cv_rising/2025/{code}/junior/L2//",
            message_zh=f"{code} 初中 L2 差异系数连续两年上升",
            message_en=f"{code} junior L2 CV rose two years running",
        )

    rows = [row("410102", dt.date(2026, 6, 1)), row("410103", dt.date(2027, 6, 1))]
    rows.append(row("110101", dt.date(2027, 6, 1)))
    with database.sessions() as session:
        load_divisions(session, SYSTEM, 2024, within=("11", "41"))
        service.refresh_warnings(
            session, SYSTEM, pl.DataFrame(rows, schema=alerts.WARNING_SCHEMA)
        )
        session.commit()


def test_digest_escalates_then_mails_the_region(
    database: Database, sink: _Sink
) -> None:
    _store(database)
    result = CliRunner().invoke(
        main,
        [
            *("monitor", "digest", "--url", database.url, "--scope", "4101"),
            *("--to", "duban@example.org", "--lang", "en", "--today", "2026-12-01"),
        ],
    )
    assert result.exit_code == 0, result.output
    [(recipients, message)] = sink.messages
    assert recipients == ["duban@example.org"]
    assert message["From"] == "junheng@example.org"
    assert message["Subject"] == "Junheng warnings 4101: 2 open, 0 overdue"
    body = _body(message)
    # 410102 was due 2026-06-01: escalated to the city with a new deadline
    # 2026-12-01 + 90 days = 2027-03-01, so it is no longer overdue.
    assert "[yellow] 410102, responsible 4101, due 2027-03-01" in body
    assert "[blue] 410103, responsible 410103, due 2027-06-01" in body
    assert "110101" not in body
    with database.sessions() as session:
        moved = session.scalars(
            select(Warning).where(Warning.division_code == "410102")
        ).one()
        assert moved.escalated_to == "4101"
        actions = session.scalars(select(AuditRecord.action)).all()
        assert actions.count("warning.escalate") == 1


def test_digest_in_chinese_without_escalation(database: Database, sink: _Sink) -> None:
    _store(database)
    result = CliRunner().invoke(
        main,
        [
            *("monitor", "digest", "--url", database.url, "--scope", "41"),
            *("--to", "a@b.cn", "--no-escalate", "--today", "2026-12-01"),
        ],
    )
    assert result.exit_code == 0, result.output
    [(_, message)] = sink.messages
    assert message["Subject"] == "均衡预警摘要 41：待处理 2 条，逾期 1 条"
    body = _body(message)
    assert "期限 2026-06-01（已逾期）：410102 初中 L2 差异系数连续两年上升" in body


def test_digest_needs_a_server_and_a_valid_scope(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JUNHENG_SMTP_HOST", raising=False)
    args = ["monitor", "digest", "--url", database.url, "--to", "a@b.cn"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0
    assert "JUNHENG_SMTP_HOST is not set" in result.output
    monkeypatch.setenv("JUNHENG_SMTP_HOST", "127.0.0.1")
    result = CliRunner().invoke(main, [*args, "--scope", "41x"])
    assert result.exit_code != 0
    assert "is not a division code" in result.output
