"""``junheng rectify``: rectification tasks (整改任务) in the store.

``open`` opens a task for every shortfall of a county-year of approved data,
``list`` lists tasks, and ``sync`` closes the tasks that later approved data
show fixed and flags the overdue ones. Changes are audited as "system".
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from typing import TYPE_CHECKING

import click
from rich.progress import Progress, SpinnerColumn, TextColumn
from rich.table import Table

from junheng.cli import _console, _fail
from junheng.cli.platform import _transaction, _url_option
from junheng.errors import JunhengError, NotFound
from junheng.services.access import SYSTEM
from junheng.store.models import TASK_STATUSES

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from junheng.services.rectification import CachedEvaluations

_KINDS = ("cv", "school", "school_item", "item", "veto")


def _evaluations(session: Session) -> CachedEvaluations:
    # NOTE: the store's ResultSource lives in the web package, so this command
    # imports it from there.
    from junheng.services.rectification import CachedEvaluations
    from junheng.services.results import ResultsCache
    from junheng.web.dash_support import StoreSource

    cache = ResultsCache()
    return CachedEvaluations(cache, StoreSource(session, cache))


def _spinner(description: str) -> Progress:
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        console=_console(),
        transient=True,
        disable=not sys.stderr.isatty(),
    )
    progress.add_task(description, total=None)
    return progress


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


@click.group()
def rectify() -> None:
    """Open, list and close rectification tasks for evaluation shortfalls."""


@rectify.command("open")
@click.argument("county")
@click.option(
    "--year",
    "-y",
    type=click.IntRange(1990, 2100),
    required=True,
    help="School year whose approved data were evaluated.",
)
@click.option(
    "--deadline",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Deadline of the new tasks (YYYY-MM-DD) [default: 365 days from today].",
)
@_url_option
def open_tasks(
    county: str, year: int, deadline: datetime | None, url: str | None
) -> None:
    """Open a task for every shortfall of COUNTY (6-digit code) in YEAR.

    Shortfalls that already have a task keep it, so running this twice opens
    nothing new.
    """
    from junheng.services import rectification as service

    try:
        with _transaction(url) as session, _spinner("评估 / evaluating"):
            source = _evaluations(session)
            if year not in source.years():
                raise NotFound(
                    f"no approved data of {year}; approve data before opening tasks",
                    zh=f"{year} 年没有审定数据，请先完成数据审核",
                )
            with source.evaluation(year) as ev:
                counts = service.open_tasks(
                    session,
                    SYSTEM,
                    ev,
                    year,
                    county,
                    deadline=deadline.date() if deadline else None,
                )
    except JunhengError as error:
        _fail(error)
    _console().print(
        f"新开立 {counts['added']} 项，已有 {counts['kept']} 项 / "
        f"{counts['added']} opened, {counts['kept']} already open: {county} {year}",
        highlight=False,
        markup=False,
    )


@rectify.command("list")
@click.option("--scope", default="", help="Division or school code prefix.")
@click.option(
    "--status", type=click.Choice(TASK_STATUSES), default=None, help="Only this status."
)
@click.option("--kind", type=click.Choice(_KINDS), default=None, help="Only this kind.")
@click.option("--year", "-y", type=int, default=None, help="Evaluation year.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default="zh",
    help="Language of the task titles.",
)
@_url_option
def list_tasks(
    scope: str,
    status: str | None,
    kind: str | None,
    year: int | None,
    as_json: bool,
    lang: str,
    url: str | None,
) -> None:
    """List rectification tasks, overdue first."""
    from junheng.services import rectification as service
    from junheng.web.rectification import task_row

    try:
        with _transaction(url) as session:
            where = service.TaskFilter(
                prefix=scope, status=status or "", kind=kind or "", year=year
            )
            rows = [
                task_row(t, lang) for t in service.list_tasks(session, SYSTEM, where)
            ]
    except JunhengError as error:
        _fail(error)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("id", "status", "owner", "title", "found", "target", "deadline")
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["status"],
            row["owner_code"],
            row["title"],
            _number(row["value_found"]),
            f"{row['op']} {_number(row['target'])}",
            row["deadline"],
        )
    from rich.console import Console

    Console().print(table)


@rectify.command("sync")
@click.option(
    "--year",
    "-y",
    type=int,
    default=None,
    help="Measure tasks in this year's approved data only [default: every year].",
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Date that deadlines are compared with (YYYY-MM-DD) [default: today].",
)
@_url_option
def sync(year: int | None, today: datetime | None, url: str | None) -> None:
    """Close tasks whose target later approved data meet; flag overdue ones."""
    from junheng.services import rectification as service

    day = today.date() if today else date.today()
    try:
        with _transaction(url) as session, _spinner("评估 / evaluating"):
            counts = service.sync(
                session,
                SYSTEM,
                _evaluations(session),
                day,
                year=year,
            )
    except JunhengError as error:
        _fail(error)
    _console().print(
        f"数据确认办结 {counts['closed']} 项，逾期 {counts['overdue']} 项 / "
        f"{counts['closed']} closed by data, {counts['overdue']} overdue",
        highlight=False,
        markup=False,
    )
