"""`junheng serve` options and the demo database it builds."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
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
from web.live import bound_socket, live_server
from web.site import csrf_token

import junheng
from junheng.cli import main
from junheng.cli.serve import (
    DEMO_DATABASE,
    _demo_settings,
    check_proxy_addresses,
    proxy_options,
)
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


def _serve_without_secret(forwarded_allow_ips: str) -> tuple[int, str]:
    """Run ``serve --forwarded-allow-ips`` up to the check of its settings.

    Without JUNHENG_SECRET_KEY a value that passes the check ends with that
    usage error, before uvicorn starts.
    """
    args = ["serve", "--forwarded-allow-ips", forwarded_allow_ips]
    result = CliRunner().invoke(main, args)
    return result.exit_code, " ".join(result.output.split())


def test_proxy_addresses_rejected() -> None:
    # A name, a typo of 127.0.0.1, a network with host bits set, and * among
    # addresses, where uvicorn would read * as a name and trust nobody.
    for value, entry, reason in [
        ("bogus", "bogus", "'bogus' does not appear to be an IPv4 or IPv6"),
        ("127.0.0.1, 127.0.0.l", "127.0.0.l", "'127.0.0.l' does not appear to be"),
        ("10.0.0.1/24", "10.0.0.1/24", "10.0.0.1/24 has host bits set"),
        ("*,127.0.0.1", "*", "* trusts every client only when it is the whole"),
    ]:
        code, output = _serve_without_secret(value)
        assert code == 2, output
        assert "Invalid value for '--forwarded-allow-ips'" in output
        assert f"'{entry}' 不是 IP 地址或网段" in output
        assert f"'{entry}' is not an IP address or network ({reason}" in output
        assert "JUNHENG_SECRET_KEY" not in output


def test_proxy_addresses_accepted() -> None:
    code, output = _serve_without_secret("127.0.0.1, ::1,10.0.0.0/8,")
    assert code == 2
    assert "forwarded-allow-ips" not in output
    assert "JUNHENG_SECRET_KEY is missing" in output
    # Blanks and empty entries are dropped before uvicorn reads the value.
    assert check_proxy_addresses("127.0.0.1, ::1,10.0.0.0/8,") == (
        "127.0.0.1,::1,10.0.0.0/8"
    )
    assert check_proxy_addresses(" * ,") == "*"


def test_proxy_addresses_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUNHENG_FORWARDED_ALLOW_IPS", "127.0.0.l")
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 2
    assert "'127.0.0.l' is not an IP address" in " ".join(result.output.split())


def test_proxy_wildcard_warned() -> None:
    code, output = _serve_without_secret("*")
    warning = (
        "warning: --forwarded-allow-ips * trusts the X-Forwarded-For header of "
        "every client, so any client can choose the address"
    )
    assert warning in output
    # The value is accepted: the command goes on to its settings.
    assert code == 2
    assert "JUNHENG_SECRET_KEY is missing" in output


def _demo_output(folder: Path) -> str:
    """Return what ``serve --demo --demo-dir folder`` prints before serving."""
    output = io.StringIO()
    settings = _demo_settings(folder, Console(file=output, width=200))
    assert settings.mode == "demo"
    assert settings.database_url == f"sqlite:///{folder / DEMO_DATABASE}"
    return output.getvalue()


def _assert_accounts_listed(output: str) -> None:
    # The 7 accounts of demo_accounts, one for every role, each with its role.
    for username, role in [
        ("demo-ministry", "ministry"),
        ("demo-province", "province"),
        ("demo-city", "city"),
        ("demo-county", "county"),
        ("demo-school", "school"),
        ("demo-evaluator", "evaluator"),
        ("demo-public", "public"),
    ]:
        assert re.search(rf"\b{username}\b\W+{role}\b", output), username
    assert f"demo password (demo only): {DEMO_PASSWORD}" in output


def test_stopped_demo_build_never_served(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    partial = folder / f"{DEMO_DATABASE}.part"
    env = {**os.environ, "PYTHONPATH": str(Path(junheng.__file__).parents[1])}
    # The port stays taken by this test, so the server could never listen on it.
    with bound_socket() as listener:
        port = str(listener.getsockname()[1])
        args = ["serve", "--demo", "--demo-dir", str(folder), "--port", port]
        process = subprocess.Popen(
            [sys.executable, "-m", "junheng", *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 120
            while not partial.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            # Stopped with SIGTERM while it builds, as `kill` does.
            assert partial.exists()
            assert process.poll() is None
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        finally:
            process.kill()
            process.wait()
    assert not (folder / DEMO_DATABASE).exists()

    # The next run builds again over what the stopped one left, lists the
    # accounts, and leaves the database in one file under its own name.
    first = _demo_output(folder)
    _assert_accounts_listed(first)
    assert "building" not in first
    assert sorted(path.name for path in folder.iterdir()) == [
        "demo-locations.csv",
        DEMO_DATABASE,
    ]
    # A run on the same folder serves the database again and lists the
    # accounts as the first run did.
    again = _demo_output(folder)
    assert "serving the existing demo database" in again
    _assert_accounts_listed(again)


def _demo_error(folder: Path) -> str:
    """Return the usage error of ``serve --demo --demo-dir folder``, unwrapped."""
    with pytest.raises(click.UsageError) as raised:
        _demo_settings(folder, Console(quiet=True))
    return raised.value.message


def test_demo_file_not_database(tmp_path: Path) -> None:
    path = tmp_path / DEMO_DATABASE
    path.write_text("hello\n", encoding="utf-8")
    message = _demo_error(tmp_path)
    assert message.startswith(f"{path} 不是 SQLite 数据库（file is not a database）")
    assert f"{path} is not a SQLite database (file is not a database)" in message
    assert "delete it (the next run builds the demo database again)" in message
    assert "choose another --demo-dir" in message
    assert "db upgrade" not in message
    assert path.read_text(encoding="utf-8") == "hello\n"


def test_demo_file_without_tables_rejected(tmp_path: Path) -> None:
    path = tmp_path / DEMO_DATABASE
    path.write_bytes(b"")  # SQLite reads an empty file as a database without tables
    message = _demo_error(tmp_path)
    assert f"{path} is not a complete demo database: it has no Junheng tables" in (
        message
    )
    assert "choose another --demo-dir" in message
    assert "db upgrade" not in message


def test_demo_file_without_accounts_rejected(tmp_path: Path) -> None:
    # The tables of a build stopped before its one commit, without any row.
    engine = make_engine(f"sqlite:///{tmp_path / DEMO_DATABASE}")
    upgrade(engine)
    engine.dispose()
    message = _demo_error(tmp_path)
    # The 7 demo accounts in the order of their names.
    missing = (
        "demo-city, demo-county, demo-evaluator, demo-ministry, demo-province, "
        "demo-public, demo-school"
    )
    assert f"缺少演示账号 {missing}" in message
    assert f"the demo accounts {missing} are missing" in message
    assert "delete it (the next run builds the demo database again)" in message
