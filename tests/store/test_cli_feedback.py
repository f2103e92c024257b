"""`junheng feedback escalate`: overdue public feedback moves up a level."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from store.dbfixtures import Database

from junheng.cli import main
from junheng.services import feedback as service
from junheng.services.access import SYSTEM
from junheng.store.divisions import load_divisions
from junheng.store.models import AuditRecord, FeedbackItem


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JUNHENG_DATABASE_URL", raising=False)
    return CliRunner()


@pytest.fixture
def sent(database: Database) -> Database:
    with database.sessions.begin() as session:
        load_divisions(session, SYSTEM, 2024, within=("41",))
        # Monday 3 Nov 2025, 10:00 in Beijing: 10 working days → due 17 Nov.
        service.submit(
            session,
            service.ANONYMOUS,
            category="admission",
            division_code="410102",
            text="招生划片不公开。",
            now=dt.datetime(2025, 11, 3, 2, 0, tzinfo=dt.UTC),
        )
    return database


def test_escalate_once_per_day(runner: CliRunner, sent: Database) -> None:
    command = ["feedback", "escalate", "--now", "2025-11-18T02:00:00"]
    first = runner.invoke(main, [*command, "--url", sent.url])
    assert first.exit_code == 0, first.output
    assert "escalated: 1" in first.output
    again = runner.invoke(main, [*command, "--url", sent.url])
    assert again.exit_code == 0, again.output
    assert "escalated: 0" in again.output
    with sent.sessions() as session:
        item = session.scalars(select(FeedbackItem)).one()
        assert item.responsible_code == "4101"
        actor = session.scalars(
            select(AuditRecord.actor).where(AuditRecord.action == "feedback.escalate")
        ).one()
        assert actor == "system"


def test_escalate_outside_scope(runner: CliRunner, sent: Database) -> None:
    result = runner.invoke(
        main,
        [
            "feedback",
            "escalate",
            "--scope",
            "4103",
            "--now",
            "2025-11-18",
            "--url",
            sent.url,
        ],
    )
    assert result.exit_code == 0, result.output
    assert "escalated: 0" in result.output


def test_escalate_bad_scope(runner: CliRunner, sent: Database) -> None:
    result = runner.invoke(
        main, ["feedback", "escalate", "--scope", "41x", "--url", sent.url]
    )
    assert result.exit_code != 0
    assert "41x" in result.output


def test_escalate_future_now_rejected(runner: CliRunner, sent: Database) -> None:
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    result = runner.invoke(
        main,
        ["feedback", "escalate", "--now", f"{tomorrow:%Y-%m-%d}", "--url", sent.url],
    )
    assert result.exit_code == 2, result.output
    assert "later than the current time" in result.output
    with sent.sessions() as session:
        item = session.scalars(select(FeedbackItem)).one()
        assert item.responsible_code == "410102"


def test_escalate_past_now_accepted(runner: CliRunner, sent: Database) -> None:
    # An hour ago is past the 17 Nov 2025 deadline, so the item moves up.
    earlier = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    result = runner.invoke(
        main,
        [
            "feedback",
            "escalate",
            "--now",
            f"{earlier:%Y-%m-%dT%H:%M:%S}",
            "--url",
            sent.url,
        ],
    )
    assert result.exit_code == 0, result.output
    assert "escalated: 1" in result.output
