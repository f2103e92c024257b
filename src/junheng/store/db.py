"""Database connection: URL, engine, migrations and sessions.

The URL comes from ``JUNHENG_DATABASE_URL`` and defaults to a SQLite file
``junheng.db`` in the current directory. PostgreSQL is reached through psycopg 3
with a ``postgresql+psycopg://`` URL.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from junheng.errors import JunhengError

ENV_VAR = "JUNHENG_DATABASE_URL"
DEFAULT_URL = "sqlite:///junheng.db"
MIGRATIONS = Path(__file__).with_name("migrations")


def database_url(url: str | None = None) -> str:
    """Return ``url``, else ``$JUNHENG_DATABASE_URL``, else the default SQLite file.

    An empty ``url`` or variable counts as unset (the platform commands reject
    an empty ``--url`` first, see :func:`check_given_url`). A
    ``postgresql://`` URL is given the psycopg 3 driver, which is the one
    installed with Junheng.
    """
    chosen = url or os.environ.get(ENV_VAR) or DEFAULT_URL
    if chosen.startswith("postgresql://"):
        chosen = "postgresql+psycopg://" + chosen.removeprefix("postgresql://")
    return chosen


BACKENDS = ("sqlite", "postgresql")
"""The database systems Junheng runs on."""

URL_EXAMPLES = "sqlite:///FILE or postgresql+psycopg://USER@HOST/DATABASE"
URL_EXAMPLES_ZH = "sqlite:///文件 或 postgresql+psycopg://用户@主机/数据库"


class DatabaseUrlError(JunhengError):
    """A database URL that Junheng cannot use; nothing was connected or created."""

    exit_code = 2
    code = "database_url"


def check_given_url(url: str | None) -> None:
    """Raise :class:`DatabaseUrlError` for a ``--url`` given but blank.

    Leaving ``--url`` out picks the variable or the default; an empty value is
    taken for a mistake, as a shell variable that was never set.
    """
    if url is not None and not url.strip():
        raise DatabaseUrlError(
            f"the database URL {url!r} is empty; give one such as {URL_EXAMPLES}, "
            f"or leave --url out to use ${ENV_VAR} or {DEFAULT_URL}",
            zh=f"数据库地址“{url}”为空，请填写如 {URL_EXAMPLES_ZH} 的地址，"
            f"或不写 --url 以使用 ${ENV_VAR} 或 {DEFAULT_URL}",
        )


def check_database_url(url: str, *, create: bool = False) -> URL:
    """Return ``url`` parsed, or raise :class:`DatabaseUrlError` before connecting.

    The URL must parse and name SQLite or PostgreSQL with an installed driver.
    A SQLite file must exist, because connecting would leave an empty file
    behind a mistyped path. With ``create`` true, only its folder must exist.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise DatabaseUrlError(
            f"{url!r} is not a database URL; use {URL_EXAMPLES}",
            zh=f"“{url}”不是数据库地址，请使用 {URL_EXAMPLES_ZH}",
        ) from error
    safe_url = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() not in BACKENDS:
        raise DatabaseUrlError(
            f"unsupported database URL {safe_url}: Junheng runs on SQLite and "
            f"PostgreSQL; use {URL_EXAMPLES}",
            zh=f"不支持的数据库地址 {safe_url}：均衡只支持 SQLite 和 PostgreSQL，"
            f"请使用 {URL_EXAMPLES_ZH}",
        )
    try:
        parsed.get_dialect().import_dbapi()
    except (NoSuchModuleError, ImportError) as error:
        raise DatabaseUrlError(
            f"no installed driver for {safe_url} ({error}); use {URL_EXAMPLES}",
            zh=f"数据库地址 {safe_url} 的驱动未安装（{error}），"
            f"请使用 {URL_EXAMPLES_ZH}",
        ) from error
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:") or database.startswith("file::memory:"):
            raise DatabaseUrlError(
                f"{url} is an in-memory SQLite database, which keeps nothing "
                "after the command ends; name a file, such as sqlite:///junheng.db",
                zh=f"{url} 是内存中的 SQLite 数据库，命令结束后什么也不保留；"
                "请指定文件，如 sqlite:///junheng.db",
            )
        if database.endswith(("/", os.sep)):
            raise DatabaseUrlError(
                f"{database} in {safe_url} names a folder, not a database file; "
                "add the file name, such as sqlite:///data/junheng.db",
                zh=f"{safe_url} 中的 {database} 是文件夹而不是数据库文件，"
                "请加上文件名，如 sqlite:///data/junheng.db",
            )
        _check_sqlite_path(Path(database), safe_url, create)
    return parsed


def _check_sqlite_path(path: Path, safe_url: str, create: bool) -> None:
    if path.is_file():
        return
    if path.is_dir():
        raise DatabaseUrlError(
            f"{path} in {safe_url} is a folder, not a database file; add the file "
            f"name, such as {path / 'junheng.db'}",
            zh=f"{safe_url} 中的 {path} 是文件夹而不是数据库文件，请加上文件名，"
            f"如 {path / 'junheng.db'}",
        )
    if path.exists():
        raise DatabaseUrlError(
            f"{path} in {safe_url} is not a file",
            zh=f"{safe_url} 中的 {path} 不是文件",
        )
    if not create:
        raise DatabaseUrlError(
            f"database file {path} not found ({safe_url}); check the path, or "
            "create the database with `junheng db upgrade`",
            zh=f"找不到数据库文件 {path}（{safe_url}），请检查路径，或用 "
            "`junheng db upgrade` 建立数据库",
        )
    folder = path.parent
    if not folder.is_dir():
        raise DatabaseUrlError(
            f"folder {folder} of database file {path} does not exist; create "
            "the folder first or correct the path",
            zh=f"数据库文件 {path} 所在的文件夹 {folder} 不存在，"
            "请先建立文件夹或更正路径",
        )


def make_engine(url: str) -> Engine:
    """Create an engine for ``url``.

    SQLite connections enforce foreign keys, use write-ahead logging so readers
    do not block the writer, and wait up to 30 s for a lock.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(connection: Any, record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema to ``revision`` (the latest by default).

    Alembic is configured here in code; the migration scripts ship inside the
    package, so no ``alembic.ini`` is needed.
    """
    from alembic import command

    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """Return the revision the database is at, or ``None`` when it has none."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def alembic_config() -> Any:
    """Return the Alembic configuration of the packaged migrations."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return a session factory bound to ``engine``.

    Objects stay readable after commit, so a caller can commit a service call
    and then show what it returned.
    """
    return sessionmaker(engine, expire_on_commit=False)
