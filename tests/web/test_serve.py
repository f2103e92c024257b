"""`junheng serve` options and the demo database it builds."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from rich.console import Console
from sqlalchemy import func, select
from store.dbfixtures import Database
from web.live import live_server
from web.site import csrf_token

from junheng.cli import main
from junheng.cli.serve import DEMO_DATABASE, _demo_settings, proxy_options
from junheng.governance import audit
from junheng.services import reporting
from junheng.services.accounts import principal_for
from junheng.store.db import make_engine, upgrade
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


def _client_address(forwarded_allow_ips: str) -> str:
    """Return the client address an app sees for a request that claims 10.9.9.9.

    The app runs under a real uvicorn server with ``junheng serve``'s options.
    """
    app = FastAPI()

    @app.get("/address")
    def address(request: Request) -> dict[str, str]:
        return {"host": request.client.host if request.client else ""}

    with live_server(app, **proxy_options(forwarded_allow_ips)) as base:
        request = urllib.request.Request(
            f"{base}/address", headers={"X-Forwarded-For": "10.9.9.9"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            host: str = json.load(response)["host"]
            return host


def test_forwarded_header_ignored_by_default() -> None:
    assert _client_address("") == "127.0.0.1"


def test_forwarded_header_from_named_proxy() -> None:
    assert _client_address("127.0.0.1") == "10.9.9.9"


def test_existing_demo_database_served_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / DEMO_DATABASE}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    settings = _demo_settings(tmp_path, Console(quiet=True))
    assert settings.mode == "demo"
    assert settings.database_url == url


def test_demo_file_without_tables_rejected(tmp_path: Path) -> None:
    (tmp_path / DEMO_DATABASE).write_bytes(b"")
    with pytest.raises(click.UsageError, match="has no Junheng tables"):
        _demo_settings(tmp_path, Console(quiet=True))
