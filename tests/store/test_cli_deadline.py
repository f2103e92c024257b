"""`junheng deadline set`: reporting dates that completeness counts against."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
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


def _deadline_set(runner: CliRunner, database: Database, code: str, due: str) -> Result:
    args = ["deadline", "set", "2024", code, due, "--url", database.url]
    return runner.invoke(main, args)


def _stored_due(database: Database, code: str) -> date | None:
    """Return the stored 2024 deadline of ``code``, or ``None`` when unset."""
    with database.sessions() as session:
        stored = session.get(Deadline, (2024, code))
        return None if stored is None else stored.due_date


def test_deadline_set_and_change(runner: CliRunner, henan: Database) -> None:
    for due in ("2024-10-31", "2024-11-15"):
        result = _deadline_set(runner, henan, "4101", due)
        assert result.exit_code == 0, result.output
    assert "4101 2024 学年 → 2024-11-15" in result.output
    assert _stored_due(henan, "4101") == date(2024, 11, 15)
    with henan.sessions() as session:
        actions = session.scalars(
            select(AuditRecord.action).where(AuditRecord.action == "deadline.set")
        ).all()
        assert len(actions) == 2


def test_deadline_unknown_division(runner: CliRunner, henan: Database) -> None:
    result = _deadline_set(runner, henan, "4199", "2024-10-31")
    assert result.exit_code == 5
    assert "division '4199' is not in the store" in result.output


def test_deadline_bad_date(runner: CliRunner, henan: Database) -> None:
    result = _deadline_set(runner, henan, "41", "31.10.2024")
    assert result.exit_code == 2
    output = " ".join(result.output.split())
    assert "'31.10.2024' is not a date in the form YYYY-MM-DD" in output


def test_deadline_nation_by_all(runner: CliRunner, henan: Database) -> None:
    result = _deadline_set(runner, henan, "all", "2024-10-01")
    assert result.exit_code == 0, result.output
    assert "全国 national 2024 学年 → 2024-10-01" in result.output
    # The nation's deadline is stored under the empty scope code.
    assert _stored_due(henan, "") == date(2024, 10, 1)


def test_deadline_empty_code_rejected(runner: CliRunner, henan: Database) -> None:
    # An empty shell variable, and one that contains a space.
    for code in ("", " "):
        result = _deadline_set(runner, henan, code, "2024-10-01")
        assert result.exit_code == 2
        output = " ".join(result.output.split())
        assert "CODE is empty, so no deadline was set" in output
        assert "write all for the whole country" in output
    assert _stored_due(henan, "") is None


def test_deadline_date_not_existing(runner: CliRunner, henan: Database) -> None:
    # 2024 is a leap year, so February has 29 days; 2023's has 28 and April 30.
    cases = {
        "2024-02-30": "the days of 2024-02 run from 01 to 29",
        "2023-02-29": "the days of 2023-02 run from 01 to 28",
        "2024-04-31": "the days of 2024-04 run from 01 to 30",
        "2024-10-00": "the days of 2024-10 run from 01 to 31",
        "2024-13-01": "the month must be 01 to 12",
        "0000-01-01": "there is no year 0000",
    }
    for due, reason in cases.items():
        result = _deadline_set(runner, henan, "41", due)
        assert result.exit_code == 2
        output = " ".join(result.output.split())
        assert f"{due} does not exist: {reason}" in output
        assert "YYYY-MM-DD" not in output
    assert _stored_due(henan, "41") is None
