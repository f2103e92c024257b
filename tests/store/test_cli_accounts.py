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


def test_move_into_retired_county_rejected(
    runner: CliRunner, database: Database
) -> None:
    # 110103 崇文区 was merged into 110101 东城区 in 2010, by the change
    # table's row ``2010,撤销,110103,崇文区,110101,东城区``.
    with database.sessions.begin() as session:
        load_divisions(session, SYSTEM, 2024, within=("11",))
        session.add(stored_school("2111000001", "110101"))
    args = ["school", "move", "2111000001", "--to", "110103", "--reason", "x"]
    result = runner.invoke(main, [*args, "--url", database.url])
    assert result.exit_code != 0
    output = " ".join(result.output.split())  # undo the terminal's line wrapping
    assert "县 110103（崇文区）自 2010 年起不再使用" in output
    assert "2010年并入 东城区（110101）" in output
    assert "请改迁至 110101" in output
    assert "move the school to 110101 instead" in output
    with database.sessions() as session:
        assert session.get(School, "2111000001").division_code == "110101"  # type: ignore[union-attr]


def test_user_email_of_unknown_user_is_bilingual(
    runner: CliRunner, database: Database
) -> None:
    args = ["user", "email", "nosuchuser", "x@y.org", "--url", database.url]
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    output = " ".join(result.output.split())
    assert "没有用户“nosuchuser”，请用 `junheng user list` 查看账户" in output
    assert "no user 'nosuchuser'" in output


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
        ("sqlite:///", "sqlite:/// is an in-memory SQLite database"),
        ("sqlite://", "sqlite:// is an in-memory SQLite database"),
        (
            "sqlite:///:memory:",
            "内存中的 SQLite 数据库，命令结束后什么也不保留",
        ),
        ("sqlite:///./dir/", "./dir/ in sqlite:///./dir/ names a folder"),
        ("", "数据库地址“”为空"),
        ("  ", "the database URL '  ' is empty"),
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


@pytest.mark.parametrize(
    "url", ["", "sqlite:///", "sqlite:///:memory:", "sqlite:///./dir/"]
)
def test_upgrade_rejects_url_keeping_nothing(
    runner: CliRunner, tmp_path: Path, url: str
) -> None:
    result = runner.invoke(main, ["db", "upgrade", "--url", url])
    assert result.exit_code == 2, result.output
    assert "数据库已升级" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_upgrade_into_folder_rejected(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    result = runner.invoke(main, ["db", "upgrade", "--url", "sqlite:///data"])
    assert result.exit_code == 2, result.output
    assert "data in sqlite:///data is a folder, not a database file" in result.output
    assert "请加上文件名，如 data/junheng.db" in result.output
    assert list((tmp_path / "data").iterdir()) == []


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
