"""`junheng deadline set`: reporting dates that completeness counts against."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from store.dbfixtures import Database

from junheng.cli import main
from junheng.services.access import SYSTEM
from junheng.store.divisions import load_divisions
from junheng.store.models import AuditRecord, Deadline


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JUNHENG_DATABASE_URL", raising=False)
    return CliRunner()


@pytest.fixture
def henan(database: Database) -> Database:
    with database.sessions.begin() as session:
        load_divisions(session, SYSTEM, 2024, within=("41",))
    return database


def test_deadline_set_and_change(runner: CliRunner, henan: Database) -> None:
    for due in ("2024-10-31", "2024-11-15"):
        result = runner.invoke(
            main, ["deadline", "set", "2024", "4101", due, "--url", henan.url]
        )
        assert result.exit_code == 0, result.output
    assert "4101 2024 学年 → 2024-11-15" in result.output
    with henan.sessions() as session:
        stored = session.get(Deadline, (2024, "4101"))
        assert stored is not None
        assert stored.due_date == date(2024, 11, 15)
        actions = session.scalars(
            select(AuditRecord.action).where(AuditRecord.action == "deadline.set")
        ).all()
        assert len(actions) == 2


def test_deadline_unknown_division(runner: CliRunner, henan: Database) -> None:
    result = runner.invoke(
        main, ["deadline", "set", "2024", "4199", "2024-10-31", "--url", henan.url]
    )
    assert result.exit_code == 5
    assert "division '4199' is not in the store" in result.output


def test_deadline_bad_date(runner: CliRunner, henan: Database) -> None:
    result = runner.invoke(
        main, ["deadline", "set", "2024", "41", "31.10.2024", "--url", henan.url]
    )
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output or "%Y-%m-%d" in result.output
