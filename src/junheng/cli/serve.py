"""``junheng serve``: run the web platform with uvicorn."""

from __future__ import annotations

import ipaddress
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from junheng.web.demo_site import DemoAccount
    from junheng.web.settings import WebSettings

DEMO_DATABASE = "junheng-demo.db"


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; 0.0.0.0 listens on every interface.",
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=8000,
    show_default=True,
    help="TCP port to listen on.",
)
@click.option(
    "--demo",
    is_flag=True,
    help="Build a SQLite database of SYNTHETIC data with a demo account for every "
    "role, print the accounts and serve it. Never use the demo accounts for real "
    "data.",
)
@click.option(
    "--demo-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder for the demo database (default: a new temporary folder).",
)
@click.option(
    "--forwarded-allow-ips",
    envvar="JUNHENG_FORWARDED_ALLOW_IPS",
    default="",
    callback=lambda ctx, param, value: check_proxy_addresses(value, param),
    help="Comma-separated IP addresses or CIDR networks of the reverse proxies "
    "whose X-Forwarded-For and X-Forwarded-Proto headers are trusted (also "
    "JUNHENG_FORWARDED_ALLOW_IPS). By default no proxy is trusted, so the "
    "per-address limits count the address of the connection.",
)
def serve(
    host: str,
    port: int,
    demo: bool,
    demo_dir: Path | None,
    forwarded_allow_ips: str,
) -> None:
    """Serve the web platform: pages, approval workflow and the /api/v1 API.

    Settings come from JUNHENG_* environment variables (see docs/platform.md);
    outside --demo, JUNHENG_SECRET_KEY is required and the database must have
    been created with `junheng db upgrade`. With --demo and a --demo-dir that
    already contains a demo database, that database is served again.
    """
    import uvicorn

    from junheng.cli import _fail
    from junheng.errors import JunhengError
    from junheng.web.app import create_app
    from junheng.web.settings import WebSettings

    console = Console(stderr=True)
    try:
        if demo:
            settings = _demo_settings(demo_dir, console)
        else:
            settings = WebSettings()
            _check_schema(settings)
    except ValidationError as error:
        messages = "; ".join(str(e["msg"]) for e in error.errors())
        raise click.UsageError(messages) from error
    try:
        app = create_app(settings)
    except JunhengError as error:
        # An unusable JUNHENG_FRAMEWORK, with the file, the key and the fix.
        _fail(error)
    console.print(f"Junheng: http://{host}:{port}/", highlight=False, markup=False)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="info",
        **proxy_options(forwarded_allow_ips),
    )


def check_proxy_addresses(value: str, param: click.Parameter | None = None) -> str:
    """Return the ``--forwarded-allow-ips`` entries joined by commas once each
    is an IP address or network; warn when the value is ``*``, which trusts
    every client.

    uvicorn reads an entry that is neither as a name that a TCP client never
    has, so a misspelt proxy would be left untrusted without a word.
    """
    entries = [entry.strip() for entry in value.split(",") if entry.strip()]
    if entries == ["*"]:
        click.echo(
            "警告：--forwarded-allow-ips * 信任每个客户端的 X-Forwarded-For，"
            "任何客户端都能自选按地址计数的限制所用的地址；请只列出反向代理的地址 / "
            "warning: --forwarded-allow-ips * trusts the X-Forwarded-For header of "
            "every client, so any client can choose the address that the "
            "per-address limits count; list only the addresses of the reverse "
            "proxies",
            err=True,
        )
        return "*"
    for entry in entries:
        try:
            if "/" in entry:
                ipaddress.ip_network(entry)
            else:
                ipaddress.ip_address(entry)
        except ValueError as error:
            reason_zh, reason_en = "", f" ({error})"
            if entry == "*":
                reason_zh = "（* 只有单独给出时才信任每个客户端）"
                reason_en = " (* trusts every client only when it is the whole value)"
            raise click.BadParameter(
                f"{entry!r} 不是 IP 地址或网段{reason_zh}；请用逗号分隔反向代理的 IP "
                "地址或 CIDR 网段，如 127.0.0.1,10.0.0.0/8 / "
                f"{entry!r} is not an IP address or network{reason_en}; give the "
                "reverse proxies' IP addresses or CIDR networks separated by "
                "commas, such as 127.0.0.1,10.0.0.0/8",
                param=param,
            ) from error
    return ",".join(entries)


def proxy_options(forwarded_allow_ips: str) -> dict[str, Any]:
    """Return uvicorn's options for trusting the forwarding headers of proxies.

    uvicorn 0.55 trusts X-Forwarded-For from 127.0.0.1 by default,
    so any local client could pick the address that the per-address limits
    count. Without proxy addresses, the headers are ignored.
    """
    addresses = forwarded_allow_ips.strip()
    if not addresses:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": addresses}


def _demo_settings(demo_dir: Path | None, console: Console) -> WebSettings:
    """Build the demo database, or reuse the one in ``demo_dir``, and return
    settings that serve it."""
    from junheng.demo import SYNTHETIC
    from junheng.web.demo_site import (
        DEMO_LOCATIONS,
        DEMO_PASSWORD,
        write_demo_locations,
    )
    from junheng.web.settings import WebSettings

    folder = demo_dir or Path(tempfile.mkdtemp(prefix="junheng-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / DEMO_DATABASE
    url = f"sqlite:///{path}"
    if path.exists():
        # The demo built earlier in this folder, with what was changed since.
        demo_accounts = _stored_demo_accounts(path)
        locations = folder / DEMO_LOCATIONS
        if not locations.exists():
            locations = write_demo_locations(folder)
        heading = (
            f"演示数据库已存在，继续使用 / serving the existing demo database: {path}"
        )
    else:
        demo_accounts = _build_demo_database(path, console)
        locations = write_demo_locations(folder)
        heading = f"演示数据库 / demo database: {path}"
    console.print(f"[bold yellow]{SYNTHETIC}[/]", highlight=False)
    console.print(_accounts_table(demo_accounts))
    console.print(
        f"{heading}\n"
        f"演示密码 / demo password (demo only): {DEMO_PASSWORD}\n"
        f"合成学校位置，供结对帮扶方案上传 / synthetic school locations for the "
        f"pairing form: {locations}",
        highlight=False,
        markup=False,
    )
    return WebSettings(mode="demo", database_url=url)


def _build_demo_database(path: Path, console: Console) -> tuple[DemoAccount, ...]:
    """Build the demo database at ``path`` and return its demo accounts.

    The database is built under a temporary name in the same folder and renamed
    to ``path`` only when complete, so a build stopped halfway is never served.
    """
    from junheng.store.db import make_engine, session_factory, upgrade
    from junheng.web.demo_site import build_demo

    partial = path.with_name(f"{path.name}.part")
    _remove_sqlite_files(partial)  # what a stopped build left
    engine = make_engine(f"sqlite:///{partial}")
    try:
        with console.status("建立演示数据库 / building the demo database") as status:
            upgrade(engine)
            with session_factory(engine)() as session:
                demo_accounts = build_demo(
                    session, progress=lambda stage: status.update(stage)
                )
                session.commit()
            # Back to a rollback journal, so the whole database is in the one
            # file that is renamed; the server turns write-ahead logging on again.
            with engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA journal_mode=DELETE")
        engine.dispose()
        partial.replace(path)
    except BaseException:
        engine.dispose()
        _remove_sqlite_files(partial)
        raise
    return demo_accounts


def _remove_sqlite_files(path: Path) -> None:
    """Delete a SQLite database and its write-ahead log and shared-memory files."""
    for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
        path.with_name(name).unlink(missing_ok=True)


def _stored_demo_accounts(path: Path) -> tuple[DemoAccount, ...]:
    """Return the demo accounts of the demo database at ``path``.

    Raise a usage error that names the file and the fix when it is not a SQLite
    database or lacks the demo accounts, as a build stopped halfway by an
    earlier version leaves it.
    """
    from sqlalchemy import inspect, select
    from sqlalchemy.exc import DatabaseError

    from junheng.store.db import make_engine
    from junheng.store.models import User
    from junheng.web.demo_site import demo_accounts

    fix_zh = (
        "请删除该文件（下次运行会重新建立演示数据库），或用 --demo-dir 换一个文件夹"
    )
    fix_en = (
        "delete it (the next run builds the demo database again) or choose "
        "another --demo-dir"
    )
    expected = {account.username for account in demo_accounts("")}
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            if "users" not in inspect(connection).get_table_names():
                raise click.UsageError(
                    f"{path} 不是完整的演示数据库：没有 Junheng 数据表；{fix_zh} / "
                    f"{path} is not a complete demo database: it has no Junheng "
                    f"tables; {fix_en}"
                )
            stored = connection.execute(
                select(User.username, User.school_code).where(
                    User.username.in_(expected)
                )
            ).all()
    except DatabaseError as error:
        reason = str(error.orig)
        raise click.UsageError(
            f"{path} 不是 SQLite 数据库（{reason}）；{fix_zh} / {path} is not a "
            f"SQLite database ({reason}); {fix_en}"
        ) from error
    finally:
        engine.dispose()
    missing = sorted(expected - {username for username, _ in stored})
    if missing:
        listed = ", ".join(missing)
        raise click.UsageError(
            f"{path} 不是完整的演示数据库：缺少演示账号 {listed}；{fix_zh} / "
            f"{path} is not a complete demo database: the demo accounts {listed} "
            f"are missing; {fix_en}"
        )
    school_code = dict(stored)["demo-school"]
    return demo_accounts(school_code or "")


def _accounts_table(demo_accounts: tuple[DemoAccount, ...]) -> Table:
    """Return the table of demo accounts printed when the demo is served."""
    table = Table("用户名 / username", "角色 / role", "用途 / purpose")
    for account in demo_accounts:
        table.add_row(account.username, account.role.value, account.purpose)
    return table


def _check_schema(settings: WebSettings) -> None:
    """Stop with a clear message when the database has no tables yet."""
    from junheng.store.db import (
        DatabaseUrlError,
        check_database_url,
        current_revision,
        database_url,
        make_engine,
    )

    url = database_url(settings.database_url)
    try:
        check_database_url(url)
    except DatabaseUrlError as error:
        raise click.UsageError(error.bilingual()) from error
    engine = make_engine(url)
    try:
        revision = current_revision(engine)
    finally:
        engine.dispose()
    if revision is None:
        raise click.UsageError(
            f"the database {engine.url.render_as_string()} has no Junheng tables; "
            "create them with `junheng db upgrade` (and `junheng db load-divisions`)"
        )
