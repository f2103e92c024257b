"""``junheng deadline``: the dates by which schools report a school year."""

from __future__ import annotations

from datetime import datetime

import click

from junheng.cli import _console, _fail
from junheng.cli.platform import _transaction, _url_option
from junheng.errors import JunhengError, NotFound
from junheng.services.access import SYSTEM


@click.group()
def deadline() -> None:
    """Set the reporting deadlines that the completeness pages count against."""


@deadline.command("set")
@click.argument("year", type=click.IntRange(1990, 2100))
@click.argument("code")
@click.argument("due", metavar="DATE", type=click.DateTime(formats=["%Y-%m-%d"]))
@_url_option
def set_deadline(year: int, code: str, due: datetime, url: str | None) -> None:
    """Set the date (YYYY-MM-DD) by which the schools of CODE report YEAR.

    CODE is a division code: 2 digits for a province, 4 for a city, 6 for a
    county, or "" for the whole country. The earliest deadline of the regions
    that contain a school applies to it, so DATE may not be later than one set
    above CODE, and must lie between 1 January of YEAR and 31 December of the
    next year. The change is audited as "system".
    """
    from junheng.services.completeness import set_deadline as run_set
    from junheng.store.models import Division

    due_date = due.date()
    try:
        with _transaction(url) as session:
            if code and session.get(Division, code) is None:
                raise NotFound(
                    f"division {code!r} is not in the store; check the code or load "
                    "the divisions with `junheng db load-divisions`",
                    zh=f"数据库中没有行政区划 {code}",
                )
            run_set(session, SYSTEM, year, code, due_date)
    except JunhengError as error:
        _fail(error)
    _console().print(
        f"截止日期已设置 / deadline set: {code or '全国 national'} {year} 学年 → "
        f"{due_date.isoformat()}",
        highlight=False,
        markup=False,
    )
