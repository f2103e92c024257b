"""`junheng serve` options and the demo database it builds."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from store.dbfixtures import Database
from web.site import csrf_token

from junheng.cli import main
from junheng.governance import audit
from junheng.services import reporting
from junheng.services.accounts import principal_for
from junheng.store.models import School, SchoolRecord, User
from junheng.web.app import create_app
from junheng.web.demo_site import DEMO_PASSWORD, OPEN_COUNTY, build_demo
from junheng.web.settings import WebSettings


def test_serve_help_lists_options() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--demo", "--demo-dir"):
        assert option in result.output
    assert "SYNTHETIC" in result.output


def test_serve_without_secret_is_usage_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("JUNHENG_SECRET_KEY", raising=False)
    monkeypatch.delenv("JUNHENG_MODE", raising=False)
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 2
    assert "JUNHENG_SECRET_KEY is missing" in result.output


def test_serve_mistyped_url_leaves_no_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JUNHENG_SECRET_KEY", "x" * 48)
    monkeypatch.setenv("JUNHENG_DATABASE_URL", "sqlite:///typo.db")
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 2
    assert "database file typo.db not found" in result.output
    assert list(tmp_path.iterdir()) == []


def test_serve_unknown_framework_fails(
    monkeypatch: pytest.MonkeyPatch, database: Database
) -> None:
    monkeypatch.setenv("JUNHENG_MODE", "dev")
    monkeypatch.setenv("JUNHENG_DATABASE_URL", database.url)
    monkeypatch.setenv("JUNHENG_FRAMEWORK", "no-such-framework")
    result = CliRunner().invoke(main, ["serve"])
    output = " ".join(result.output.split())
    assert result.exit_code == 2
    assert "找不到评估框架“no-such-framework”" in output
    assert "framework 'no-such-framework' not found" in output


def test_demo_database_has_workflow_states(database: Database) -> None:
    with database.sessions() as session:
        accounts = build_demo(session, schools_per_county=4)
        session.commit()
        roles = {a.role.value for a in accounts}
        assert roles == {
            "ministry",
            "province",
            "city",
            "county",
            "school",
            "evaluator",
            "public",
        }
        assert session.scalar(select(func.count()).select_from(User)) >= len(accounts)
        names = session.scalars(select(School.name)).all()
        assert names
        assert all(name.startswith("合成") for name in names)
        current = session.scalars(
            select(SchoolRecord).where(SchoolRecord.is_current)
        ).all()
        open_schools = set(
            session.scalars(
                select(School.code).where(School.division_code == OPEN_COUNTY)
            )
        )
        statuses = {
            (r.status, r.school_code in open_schools) for r in current if r.year == 2024
        }
        assert ("draft", True) in statuses
        assert ("submitted", True) in statuses
        assert ("county_approved", True) in statuses
        assert ("approved", False) in statuses
        county = session.scalar(select(User).where(User.username == "demo-county"))
        assert county is not None
        pending = reporting.pending_reviews(session, principal_for(county, session))
        assert len(pending) == 1
        assert audit.verify(session).ok

    app = create_app(WebSettings(mode="demo"), engine=database.engine)
    client = TestClient(app)
    response = client.post(
        "/login",
        data={
            "username": "demo-school",
            "password": DEMO_PASSWORD,
            "csrf_token": csrf_token(client),
        },
    )
    assert response.status_code == 200
    assert "演示模式" in response.text
    assert "合成" in client.get("/reporting", follow_redirects=True).text
