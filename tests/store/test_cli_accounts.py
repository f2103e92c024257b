"""Commands added for account and school administration, and the hardened
audit check: user passwd/disable/enable/list, school move, audit verify on
damaged tables, and unsupported database URLs."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from factories import stored_school
from sqlalchemy import select, text
from store.dbfixtures import Database

from junheng.cli import main
from junheng.services import accounts
from junheng.services.access import SYSTEM, Role
from junheng.store.db import upgrade
from junheng.store.divisions import load_divisions
from junheng.store.models import AuditRecord, School, User

PASSWORD = "a long enough password"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JUNHENG_DATABASE_URL", raising=False)
    return CliRunner()


def _county_user(database: Database) -> None:
    with database.sessions.begin() as session:
        load_divisions(session, SYSTEM, 2024, within=("41",))
        accounts.create_user(session, SYSTEM, "zy", PASSWORD, Role.COUNTY, "410102")


def _actions(database: Database) -> list[str]:
    with database.sessions() as session:
        return list(
            session.scalars(select(AuditRecord.action).order_by(AuditRecord.seq))
        )


def test_user_passwd_and_disable(runner: CliRunner, database: Database) -> None:
    _county_user(database)
    url = ["--url", database.url]
    weak = runner.invoke(
        main, ["user", "passwd", "ZY", "--password-stdin", *url], input="zy\n"
    )
    assert weak.exit_code == 3, weak.output
    done = runner.invoke(
        main, ["user", "passwd", "ZY", "--password-stdin", *url], input="new pass 1\n"
    )
    assert done.exit_code == 0, done.output
    assert runner.invoke(main, ["user", "disable", "zy", *url]).exit_code == 0
    listed = runner.invoke(main, ["user", "list", *url])
    assert "zy" in listed.output
    assert "disabled" in listed.output
    assert runner.invoke(main, ["user", "enable", "zy", *url]).exit_code == 0
    assert _actions(database)[-3:] == [
        "user.set_password",
        "user.disable",
        "user.enable",
    ]
    with database.sessions() as session:
        assert accounts.authenticate(session, "zy", "new pass 1").username == "zy"
    missing = runner.invoke(main, ["user", "disable", "nobody", *url])
    assert missing.exit_code == 2
    assert "no user 'nobody'" in missing.output


def test_user_add_evaluator_needs_county(runner: CliRunner, database: Database) -> None:
    args = ["user", "add", "ev", "--role", "evaluator", "--password-stdin"]
    result = runner.invoke(main, [*args, "--url", database.url], input=PASSWORD)
    assert result.exit_code == 2
    assert "--county" in result.output


def test_school_move(runner: CliRunner, database: Database) -> None:
    _county_user(database)
    with database.sessions.begin() as session:
        session.add(stored_school("2141000001", "410102"))
    args = ["school", "move", "2141000001", "--to", "410103", "--reason", "合并"]
    result = runner.invoke(main, [*args, "--url", database.url])
    assert result.exit_code == 0, result.output
    assert _actions(database)[-1] == "school.move"
    with database.sessions() as session:
        assert session.get(School, "2141000001").division_code == "410103"  # type: ignore[union-attr]


def test_audit_verify_names_bad_json(runner: CliRunner, database: Database) -> None:
    if database.backend != "sqlite":
        pytest.skip("PostgreSQL rejects invalid JSON on write")
    _county_user(database)
    with database.engine.begin() as connection:
        connection.execute(
            text("UPDATE audit_records SET after = 'not json' WHERE seq = 2")
        )
    result = runner.invoke(main, ["audit", "verify", "--url", database.url])
    assert result.exit_code == 1
    assert "at record 2" in result.output
    assert "not valid JSON" in result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, ValueError)


def test_audit_verify_missing_table(
    runner: CliRunner, empty_database: Database
) -> None:
    # A database of its own, because the shared one keeps its tables.
    upgrade(empty_database.engine)
    with empty_database.engine.begin() as connection:
        connection.execute(text("DROP TABLE audit_records"))
    result = runner.invoke(main, ["audit", "verify", "--url", empty_database.url])
    assert result.exit_code == 1
    assert "audit_records is missing" in result.output


def test_unsupported_url_is_clear(runner: CliRunner) -> None:
    result = runner.invoke(main, ["db", "upgrade", "--url", "foo://bar"])
    assert result.exit_code == 2
    assert "unsupported database URL" in result.output
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///no/such/dir/x.db", "database file no/such/dir/x.db not found"),
        ("sqlite:///typo.db", "database file typo.db not found"),
        ("mysql://user:secret@127.0.0.1/junheng", "unsupported database URL"),
        ("postgres://user@127.0.0.1/junheng", "unsupported database URL"),
        ("postgresql+asyncpg://user@127.0.0.1/db", "no installed driver"),
        ("not a url", "is not a database URL"),
    ],
)
def test_mistyped_url_leaves_no_file(
    runner: CliRunner, tmp_path: Path, url: str, expected: str
) -> None:
    # The runner works in tmp_path, so a relative SQLite path would land there.
    result = runner.invoke(main, ["user", "list", "--url", url])
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert isinstance(result.exception, SystemExit)
    assert "secret" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_upgrade_into_missing_folder(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["db", "upgrade", "--url", "sqlite:///no/dir/x.db"])
    assert result.exit_code == 2, result.output
    assert "folder no/dir of database file no/dir/x.db does not exist" in result.output
    assert "数据库文件 no/dir/x.db 所在的文件夹 no/dir 不存在" in result.output
    assert list(tmp_path.iterdir()) == []
    created = runner.invoke(main, ["db", "upgrade", "--url", "sqlite:///new.db"])
    assert created.exit_code == 0, created.output
    assert (tmp_path / "new.db").is_file()


def test_user_names_listed_without_case(runner: CliRunner, database: Database) -> None:
    _county_user(database)
    with database.sessions() as session:
        assert accounts.find_user(session, "ZY") is not None
        assert session.scalar(select(User.username)) == "zy"
