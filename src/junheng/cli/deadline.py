"""``junheng deadline``: the dates by which schools report a school year."""

from __future__ import annotations

import calendar
import re
from datetime import date

import click

from junheng.cli import _console, _fail
from junheng.cli.platform import _transaction, _url_option
from junheng.errors import JunhengError, NotFound
from junheng.services.access import SYSTEM


@click.group()
def deadline() -> None:
    """Set the reporting deadlines that the completeness pages count against."""


NATION = "all"
"""The CODE of the whole country, as in the web platform's ``/monitor/all``."""


def _scope_code(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """Return the division code of CODE, ``""`` for :data:`NATION`."""
    code = value.strip()
    if not code:
        # An empty shell variable must not set a date for every school.
        raise click.BadParameter(
            f"CODE 为空，未设置截止日期；全国请写 {NATION}，地区请写 2、4 或 6 位"
            f"行政区划代码（如 4101） / CODE is empty, so no deadline was set; "
            f"write {NATION} for the whole country, or a division code of 2, 4 or "
            "6 digits such as 4101",
            ctx=ctx,
            param=param,
        )
    return "" if code.lower() == NATION else code


def _due_date(ctx: click.Context, param: click.Parameter, value: str) -> date:
    """Return DATE as a date; name the part of a date that does not exist."""
    text = value.strip()
    found = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    if found is None:
        raise click.BadParameter(
            f"{value!r} 不是 YYYY-MM-DD 格式的日期，如 2024-10-31 / {value!r} is "
            "not a date in the form YYYY-MM-DD, such as 2024-10-31",
            ctx=ctx,
            param=param,
        )
    year, month, day = (int(part) for part in found.groups())
    if year == 0:
        problem_zh, problem_en = "没有 0000 年", "there is no year 0000"
    elif not 1 <= month <= 12:
        problem_zh, problem_en = "月份应为 01 至 12", "the month must be 01 to 12"
    else:
        days = calendar.monthrange(year, month)[1]
        if 1 <= day <= days:
            return date(year, month, day)
        problem_zh = f"{year} 年 {month} 月的日应为 01 至 {days}"
        problem_en = f"the days of {year:04}-{month:02} run from 01 to {days}"
    raise click.BadParameter(
        f"{text} 这一天不存在：{problem_zh} / {text} does not exist: {problem_en}",
        ctx=ctx,
        param=param,
    )


@deadline.command("set")
@click.argument("year", type=click.IntRange(1990, 2100))
@click.argument("code", callback=_scope_code)
@click.argument("due", metavar="DATE", callback=_due_date)
@_url_option
def set_deadline(year: int, code: str, due: date, url: str | None) -> None:
    """Set the date (YYYY-MM-DD) by which the schools of CODE report YEAR.

    CODE is a division code: 2 digits for a province, 4 for a city, 6 for a
    county, or "all" for the whole country. The earliest deadline of the
    regions that contain a school applies to it, so DATE may not be later than
    one set above CODE, and must lie between 1 January of YEAR and 31 December
    of the next year. The change is audited as "system".
    """
    from junheng.services.completeness import set_deadline as run_set
    from junheng.store.models import Division

    try:
        with _transaction(url) as session:
            if code and session.get(Division, code) is None:
                raise NotFound(
                    f"division {code!r} is not in the store; check the code or load "
                    "the divisions with `junheng db load-divisions`",
                    zh=f"数据库中没有行政区划 {code}",
                )
            run_set(session, SYSTEM, year, code, due)
    except JunhengError as error:
        _fail(error)
    _console().print(
        f"截止日期已设置 / deadline set: {code or '全国 national'} {year} 学年 → "
        f"{due.isoformat()}",
        highlight=False,
        markup=False,
    )
