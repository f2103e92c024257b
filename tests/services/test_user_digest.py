"""Digest addresses of users, and ``junheng monitor digest --users``.

The mail goes to aiosmtpd's server on 127.0.0.1 (the ``sink`` fixture of
``test_digest``).
"""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from services.test_digest import _body, _Sink, _store, sink
from sqlalchemy import select
from sqlalchemy.orm import Session
from store.dbfixtures import Database
from web.live import bound_socket

from junheng.cli import main
from junheng.errors import InvalidInput
from junheng.services import accounts
from junheng.services.access import SYSTEM, Role
from junheng.store.divisions import load_divisions
from junheng.store.models import AuditRecord, User

PASSWORD = "digest password 1"
__all__ = ["sink"]


def _users(session: Session) -> None:
    load_divisions(session, SYSTEM, 2024, within=("11", "41"))
    for name, role, scope, email in (
        ("zhengzhou", Role.CITY, "4101", "zz@example.org"),
        ("erqi", Role.COUNTY, "410103", "erqi@example.org"),
        ("beijing", Role.PROVINCE, "11", "bj@example.org"),
        ("henan", Role.PROVINCE, "41", None),  # no address: no mail
        ("jinshui", Role.COUNTY, "410105", "js@example.org"),  # no warning
        ("zhongyuan", Role.COUNTY, "410102", "zy@example.org"),  # disabled
    ):
        accounts.create_user(session, SYSTEM, name, PASSWORD, role, scope, email=email)
    disabled = session.scalars(select(User).where(User.username == "zhongyuan")).one()
    accounts.set_active(session, SYSTEM, disabled.id, False)
    session.commit()


def _digest(database: Database, *args: str) -> object:
    return CliRunner().invoke(
        main,
        ["monitor", "digest", "--url", database.url, "--today", "2026-12-01", *args],
    )


def test_each_user_gets_their_scope(database: Database, sink: _Sink) -> None:
    _store(database)
    with database.sessions() as session:
        _users(session)
    result = _digest(database, "--users", "--lang", "en")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    # 3 of 410102, 410103 and 110101 are open; users in name order.
    got = {tuple(to): m for to, m in sink.messages}
    assert list(got) == [
        ("bj@example.org",),
        ("erqi@example.org",),
        ("zz@example.org",),
    ]
    assert (
        got[("bj@example.org",)]["Subject"] == "Junheng warnings 11: 1 open, 0 overdue"
    )
    # 410102 was due 2026-06-01: escalated first to the city with the deadline
    # 2026-12-01 + 90 days = 2027-03-01, so it is not overdue in the digest.
    city = got[("zz@example.org",)]
    assert city["Subject"] == "Junheng warnings 4101: 2 open, 0 overdue"
    assert "[yellow] 410102, responsible 4101, due 2027-03-01" in _body(city)
    county = _body(got[("erqi@example.org",)])
    assert "410103" in county
    assert "410102" not in county
    # Three users mailed, and 金水区 left out without any open warning.
    output = result.output.replace("\n", "")  # type: ignore[attr-defined]
    assert "sent: 3" in output
    assert "no warnings: 1" in output


def test_users_inside_scope_only(database: Database, sink: _Sink) -> None:
    _store(database)
    with database.sessions() as session:
        _users(session)
    result = _digest(database, "--users", "--scope", "41", "--no-escalate")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert sorted(to[0] for to, _ in sink.messages) == [
        "erqi@example.org",
        "zz@example.org",
    ]
    subjects = sorted(m["Subject"] for _, m in sink.messages)
    # Without escalation 410102 is still overdue (due 2026-06-01).
    assert subjects == [
        "均衡预警摘要 410103：待处理 1 条，逾期 0 条",
        "均衡预警摘要 4101：待处理 2 条，逾期 1 条",
    ]


def test_to_or_users_not_both(database: Database, sink: _Sink) -> None:
    both = _digest(database, "--users", "--to", "a@example.org")
    assert both.exit_code == 2  # type: ignore[attr-defined]
    assert "either --to ADDRESS or --users" in both.output  # type: ignore[attr-defined]
    neither = _digest(database)
    assert neither.exit_code == 2  # type: ignore[attr-defined]
    assert sink.messages == []


def test_unreachable_server_keeps_nothing(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _store(database)
    with database.sessions() as session:
        _users(session)
    # A port bound but not listening: the connection is refused, and no other
    # test can listen there while the socket is held.
    with bound_socket() as held:
        monkeypatch.setenv("JUNHENG_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("JUNHENG_SMTP_PORT", str(held.getsockname()[1]))
        result = _digest(database, "--users")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "mail not sent" in result.output  # type: ignore[attr-defined]
    assert "zhengzhou <zz@example.org>" in result.output  # type: ignore[attr-defined]
    with database.sessions() as session:
        actions = session.scalars(select(AuditRecord.action)).all()
    assert "warning.escalate" not in actions


def test_email_is_checked_and_audited(database: Database) -> None:
    with database.sessions() as session:
        load_divisions(session, SYSTEM, 2024, within=("41",))
        user = accounts.create_user(
            session, SYSTEM, "zz", PASSWORD, Role.CITY, "4101", email=" zz@example.org "
        )
        assert user.email == "zz@example.org"
        for bad in ("zz", "zz@example", "a b@example.org", "a@b.org, c@d.org"):
            with pytest.raises(InvalidInput, match="is invalid"):
                accounts.set_email(session, SYSTEM, user.id, bad)
        accounts.set_email(session, SYSTEM, user.id, "")
        assert user.email is None
        record = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "user.set_email")
        ).one()
        assert record.before["email"] == "zz@example.org"  # type: ignore[index]
        assert record.after["email"] is None  # type: ignore[index]


def test_cli_user_add_and_email(database: Database) -> None:
    runner = CliRunner()
    with database.sessions() as session:
        load_divisions(session, SYSTEM, 2024, within=("41",))
        session.commit()
    args = ["user", "add", "zz", "--role", "city", "--scope", "4101"]
    args += ["--email", "zz@example.org", "--password-stdin", "--url", database.url]
    added = runner.invoke(main, args, input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    bad = runner.invoke(
        main,
        ["user", "email", "zz", "not-an-address", "--url", database.url],
    )
    assert bad.exit_code != 0
    assert "not-an-address" in bad.output
    with database.sessions() as session:
        assert accounts.find_user(session, "zz").email == "zz@example.org"  # type: ignore[union-attr]
    listed = runner.invoke(main, ["user", "list", "--url", database.url])
    assert listed.exit_code == 0, listed.output
    cleared = runner.invoke(main, ["user", "email", "zz", "--url", database.url])
    assert cleared.exit_code == 0, cleared.output
    with database.sessions() as session:
        assert accounts.find_user(session, "zz").email is None  # type: ignore[union-attr]


def test_addresses_the_mail_server_cannot_take_are_refused(database: Database) -> None:
    with database.sessions() as session:
        load_divisions(session, SYSTEM, 2024, within=("41",))
        user = accounts.create_user(session, SYSTEM, "zz", PASSWORD, Role.CITY, "4101")
        # Chinese before the @ needs SMTPUTF8, which a server need not offer;
        # two dots in a row are no address at all.
        for bad in ("中文@例子.中国", "a@b..org", "a.@example.org"):
            with pytest.raises(InvalidInput) as caught:
                accounts.set_email(session, SYSTEM, user.id, bad)
            assert f"电子邮箱 {bad} 无效，无法发送邮件" in caught.value.message("zh")
            assert "is invalid" in caught.value.message("en")
        assert user.email is None
        # A Chinese domain is kept in the ASCII form the server takes:
        # 例子 → xn--fsqu00a, 中国 → xn--fiqs8s (IDNA 2008).
        accounts.set_email(session, SYSTEM, user.id, "zz@例子.中国")
        assert user.email == "zz@xn--fsqu00a.xn--fiqs8s"


def test_digest_of_an_unknown_division_fails(database: Database, sink: _Sink) -> None:
    _store(database)
    with database.sessions() as session:
        _users(session)
    for args in (("--users",), ("--to", "a@example.org")):
        result = _digest(database, *args, "--scope", "999999")
        assert result.exit_code == 5, result.output  # type: ignore[attr-defined]
        assert "999999" in result.output  # type: ignore[attr-defined]
        assert "不存在" in result.output  # type: ignore[attr-defined]
    assert sink.messages == []


def _mixed(text: str, lang: str) -> list[str]:
    """Return the words of ``text`` in the other language: ASCII words in a
    Chinese text (the indicator code L2 aside), Chinese characters and
    full-width punctuation in an English one."""
    if lang == "zh":
        return [w for w in re.findall(r"[A-Za-z]+\d*", text) if w != "L2"]
    return re.findall(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", text)


def test_each_user_gets_their_language(database: Database, sink: _Sink) -> None:
    _store(database)
    with database.sessions() as session:
        _users(session)
        # zhengzhou reads English and erqi Chinese; beijing has no language
        # of its own and takes --lang.
        for name, language in (("zhengzhou", "en"), ("erqi", "zh")):
            account = accounts.find_user(session, name)
            assert account is not None
            accounts.set_language(session, SYSTEM, account.id, language)
        session.commit()
    for default in ("zh", "en"):
        sink.messages.clear()
        result = _digest(database, "--users", "--lang", default, "--no-escalate")
        assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
        got = {to[0]: m for to, m in sink.messages}
        assert sorted(got) == ["bj@example.org", "erqi@example.org", "zz@example.org"]
        # Without escalation 410102 (due 2026-06-01) is overdue on 2026-12-01
        # and 410103 (due 2027-06-01) is not: 2 open and 1 overdue in 4101.
        city = got["zz@example.org"]
        assert city["Subject"] == "Junheng warnings 4101: 2 open, 1 overdue"
        assert (
            "- [blue] 410102, responsible 410102, due 2026-06-01 (overdue): "
            "410102 junior L2 CV rose two years running"
        ) in _body(city)
        county = got["erqi@example.org"]
        assert county["Subject"] == "均衡预警摘要 410103：待处理 1 条，逾期 0 条"
        assert (
            "- [蓝色] 410103，责任单位 410103，期限 2027-06-01："
            "410103 初中 L2 差异系数连续两年上升"
        ) in _body(county)
        province = got["bj@example.org"]
        expected = {
            "zh": "均衡预警摘要 11：待处理 1 条，逾期 0 条",
            "en": "Junheng warnings 11: 1 open, 0 overdue",
        }
        assert province["Subject"] == expected[default]
        for message, lang in ((city, "en"), (county, "zh"), (province, default)):
            text = str(message["Subject"]) + "\n" + _body(message)
            assert _mixed(text, lang) == [], text


def test_language_is_checked_and_audited(database: Database) -> None:
    with database.sessions() as session:
        load_divisions(session, SYSTEM, 2024, within=("41",))
        user = accounts.create_user(
            session, SYSTEM, "zz", PASSWORD, Role.CITY, "4101", language=" EN "
        )
        assert user.language == "en"
        for bad in ("fr", "zh-CN", "中文"):
            with pytest.raises(InvalidInput) as caught:
                accounts.set_language(session, SYSTEM, user.id, bad)
            assert f"语言 {bad} 不受支持：请填写 zh（中文）或 en（英文）" in (
                caught.value.message("zh")
            )
            assert "is not supported: write zh (Chinese) or en" in (
                caught.value.message("en")
            )
        assert user.language == "en"
        accounts.set_language(session, SYSTEM, user.id, "")
        assert user.language is None
        record = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "user.set_language")
        ).one()
        assert record.before["language"] == "en"  # type: ignore[index]
        assert record.after["language"] is None  # type: ignore[index]


def test_cli_user_language(database: Database) -> None:
    runner = CliRunner()
    with database.sessions() as session:
        load_divisions(session, SYSTEM, 2024, within=("41",))
        session.commit()
    args = ["user", "add", "zz", "--role", "city", "--scope", "4101"]
    args += ["--language", "en", "--password-stdin", "--url", database.url]
    added = runner.invoke(main, args, input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    with database.sessions() as session:
        assert accounts.find_user(session, "zz").language == "en"  # type: ignore[union-attr]
    bad = runner.invoke(main, ["user", "language", "zz", "fr", "--url", database.url])
    assert bad.exit_code == 2
    assert "'fr' is not one of 'zh', 'en'" in bad.output
    changed = runner.invoke(
        main, ["user", "language", "zz", "zh", "--url", database.url]
    )
    assert changed.exit_code == 0, changed.output
    listed = runner.invoke(main, ["user", "list", "--url", database.url])
    assert listed.exit_code == 0, listed.output
    assert "zh" in listed.output.split("zz", 1)[1].splitlines()[0]
    cleared = runner.invoke(main, ["user", "language", "zz", "--url", database.url])
    assert cleared.exit_code == 0, cleared.output
    with database.sessions() as session:
        assert accounts.find_user(session, "zz").language is None  # type: ignore[union-attr]


def test_evaluator_counties_in_own_language(database: Database, sink: _Sink) -> None:
    _store(database)
    with database.sessions() as session:
        load_divisions(session, SYSTEM, 2024, within=("11", "41"))
        for name, language in (("pinggu_zh", "zh"), ("pinggu_en", "en")):
            accounts.create_user(
                session,
                SYSTEM,
                name,
                PASSWORD,
                Role.EVALUATOR,
                "",
                counties=["410102", "410103"],
                email=f"{name}@example.org",
                language=language,
            )
        session.commit()
    result = _digest(database, "--users", "--no-escalate")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    got = {to[0]: m for to, m in sink.messages}
    # Both counties are open and 410102 (due 2026-06-01) is overdue.
    chinese = got["pinggu_zh@example.org"]
    assert chinese["Subject"] == "均衡预警摘要 410102、410103：待处理 2 条，逾期 1 条"
    english = got["pinggu_en@example.org"]
    assert english["Subject"] == ("Junheng warnings 410102, 410103: 2 open, 1 overdue")
    for message, lang in ((chinese, "zh"), (english, "en")):
        text = str(message["Subject"]) + "\n" + _body(message)
        assert _mixed(text, lang) == [], text
