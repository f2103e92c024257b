"""``junheng plan scenarios``: the plan scenarios saved on the platform.

The web pages save plan results as named scenarios. These commands list,
show, compare and delete them in the platform database (``--url``). Without
``--user`` they act as the system, with the ministry's rights. With it they
act as that account: its scope limits what is listed, and a deletion needs
its right to plan for the county and is audited under its name.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.table import Table

from junheng.cli import (
    FilePath,
    Language,
    _atomic_write,
    _console,
    check_output,
    force_option,
    with_generator,
)
from junheng.cli.platform import _transaction, _url_option
from junheng.errors import JunhengError
from junheng.planning.result import KINDS, write_xlsx

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from junheng.services.access import Principal
    from junheng.store.models import PlanScenario

COMPARE_ROWS = 20
"""Changed rows of each table that `compare` prints; --json has them all."""


def _options(command: Callable[..., None]) -> Callable[..., None]:
    """Add the account, language and database options of every subcommand."""
    options = [
        click.option(
            "--user",
            "username",
            default=None,
            help="Act as this account: its scope limits the scenarios "
            "[default: the system, which sees every scenario].",
        ),
        click.option(
            "--lang",
            type=click.Choice(["zh", "en"]),
            default="zh",
            show_default=True,
            help="Language of messages and labels.",
        ),
        _url_option,
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _scope_options(command: Callable[..., None]) -> Callable[..., None]:
    """Add --county and --kind, which narrow the scenarios by name."""
    options = [
        click.option(
            "--county",
            "-c",
            default=None,
            help="Division code prefix (county, city or province).",
        ),
        click.option(
            "--kind",
            type=click.Choice(KINDS),
            default=None,
            help="Planner kind: adjust, rotation or pairing.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@contextmanager
def _session(
    url: str | None, username: str | None, lang: str
) -> Iterator[tuple[Session, Principal]]:
    """Open a transaction and the principal; print errors in ``lang``."""
    from junheng.errors import NotFound
    from junheng.services.access import SYSTEM
    from junheng.services.accounts import find_user, principal_for

    try:
        with _transaction(url) as session:
            principal = SYSTEM
            if username is not None:
                account = find_user(session, username)
                if account is None or not account.active:
                    raise NotFound(
                        f"no active user {username!r}; check --user or create the "
                        "account with `junheng user add`",
                        zh=f"没有名为 {username} 的有效用户；请检查 --user，"
                        "或用 `junheng user add` 创建该账号",
                    )
                principal = principal_for(account, session)
            yield session, principal
    except JunhengError as error:
        label = "错误：" if lang == "zh" else "error: "
        _console().print(
            label + error.message(lang), highlight=False, markup=False, soft_wrap=True
        )
        raise SystemExit(error.exit_code) from None


def _row(scenario: PlanScenario, stale: bool) -> dict[str, Any]:
    summary = scenario.result.get("summary", {})
    return {
        "id": scenario.id,
        "name": scenario.name,
        "kind": scenario.kind,
        "division_code": scenario.division_code,
        "year": scenario.year,
        "feasible": scenario.result.get("feasible"),
        "total_cost": summary.get("total_cost"),
        "created_by": scenario.created_by,
        "created_at": scenario.created_at.isoformat(timespec="seconds"),
        "stale": stale,
        "note": scenario.note,
    }


_LIST_LABELS = {
    "id": ("编号", "id"),
    "name": ("名称", "name"),
    "kind": ("类型", "kind"),
    "division_code": ("区划代码", "division"),
    "year": ("学年", "year"),
    "feasible": ("可行", "feasible"),
    "total_cost": ("总费用（元）", "total cost (yuan)"),
    "created_by": ("保存人", "saved by"),
    "created_at": ("保存时间", "saved at"),
    "stale": ("数据已更新", "data changed since"),
}


def _text(value: Any, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        yes, no = ("是", "否") if lang == "zh" else ("yes", "no")
        return yes if value else no
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) >= 1e4 else f"{value:.6g}"
    return str(value)


@click.group()
def scenarios() -> None:
    """List, show, compare and delete the plan scenarios saved on the platform.

    A scenario is named by its id or by its name; a name used by several
    counties or kinds needs --county or --kind.
    """


@scenarios.command("list")
@_scope_options
@click.option("--year", "-y", type=int, default=None, help="Only this school year.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@_options
def list_command(
    county: str | None,
    kind: str | None,
    year: int | None,
    as_json: bool,
    username: str | None,
    lang: Language,
    url: str | None,
) -> None:
    """List the scenarios in scope, newest first."""
    from junheng.services import plans

    with _session(url, username, lang) as (session, principal):
        found = plans.list_scenarios(
            session, principal, kind=kind, year=year, division_code=county
        )
        rows = [_row(s, plans.is_stale(session, s)) for s in found]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    index = 0 if lang == "zh" else 1
    table = Table(*(labels[index] for labels in _LIST_LABELS.values()))
    for row in rows:
        table.add_row(*(_text(row[key], lang) for key in _LIST_LABELS))
    console = Console()
    console.print(table)
    console.print(
        f"共 {len(rows)} 个方案" if lang == "zh" else f"{len(rows)} scenarios",
        highlight=False,
        markup=False,
    )


@scenarios.command("show")
@click.argument("scenario")
@_scope_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("table", "json", "xlsx")),
    default="table",
    show_default=True,
    help="Terminal summary, the whole result as JSON, or an Excel workbook.",
)
@click.option(
    "--output",
    "-o",
    type=FilePath(output=True),
    default=None,
    help="Output file for json or xlsx; JSON goes to standard output when omitted.",
)
@force_option
@_options
def show(
    scenario: str,
    county: str | None,
    kind: str | None,
    fmt: str,
    output: Path | None,
    force: bool,
    username: str | None,
    lang: Language,
    url: str | None,
) -> None:
    """Show SCENARIO (an id or a name): its figures, messages and tables."""
    from junheng.services import plans

    check_output(output, fmt=fmt)
    with _session(url, username, lang) as (session, principal):
        found = plans.find_scenario(
            session, principal, scenario, division_code=county, kind=kind
        )
        row = _row(found, plans.is_stale(session, found))
        result = plans.scenario_result(found)
    # The default file name contains the id, so it is checked once the
    # scenario is found, before anything is written.
    target = check_output(output, fmt=fmt, stem=f"junheng-scenario-{row['id']}")
    doc = with_generator({"scenario": row, "result": result.to_dict()})
    if fmt == "json" and target is None:
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2, default=str))
        return
    if target is not None:
        if fmt == "json":
            text = json.dumps(doc, ensure_ascii=False, indent=2, default=str)
            _atomic_write(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        else:
            _atomic_write(target, lambda tmp: write_xlsx(result, tmp, lang))
        _console().print(f"已写入 / written: {target}", highlight=False, markup=False)
        return
    console = Console()
    head = (
        f"方案 {row['id']}“{row['name']}”：{row['kind']} {row['division_code']} "
        f"{row['year']}，{row['created_by']} 保存于 {row['created_at']}"
        if lang == "zh"
        else f"Scenario {row['id']} {row['name']!r}: {row['kind']} "
        f"{row['division_code']} {row['year']}, saved by {row['created_by']} at "
        f"{row['created_at']}"
    )
    console.print(head, highlight=False, markup=False)
    if row["stale"]:
        console.print(
            "审定数据在保存后已更新，方案可能已过时。"
            if lang == "zh"
            else "Approved data have changed since it was saved; it may be out "
            "of date.",
            highlight=False,
            markup=False,
        )
    for message in result.messages(lang):
        console.print(message, highlight=False, markup=False)
    summary = Table("", "", show_header=False)
    for key, value in result.summary.items():
        summary.add_row(key, _text(value, lang))
    console.print(summary)
    for plan_table in result.tables:
        console.print(
            f"{plan_table.title(lang)}: {len(plan_table.rows)}"
            + (" 行" if lang == "zh" else " rows"),
            highlight=False,
            markup=False,
        )


@scenarios.command("compare")
@click.argument("first")
@click.argument("second")
@_scope_options
@click.option("--json", "as_json", is_flag=True, help="Print the whole comparison.")
@_options
def compare(
    first: str,
    second: str,
    county: str | None,
    kind: str | None,
    as_json: bool,
    username: str | None,
    lang: Language,
    url: str | None,
) -> None:
    """Compare scenarios FIRST and SECOND of one kind and county (ids or names).

    Prints the headline figures side by side with B − A, then the rows of
    each table that were added, removed or changed.
    """
    from junheng.services import plans

    with _session(url, username, lang) as (session, principal):
        a = plans.find_scenario(
            session, principal, first, division_code=county, kind=kind
        )
        b = plans.find_scenario(
            session, principal, second, division_code=county, kind=kind
        )
        compared = plans.compare_scenarios(session, principal, a.id, b.id)
    if as_json:
        click.echo(json.dumps(compared, ensure_ascii=False, indent=2, default=str))
        return
    zh = lang == "zh"
    console = Console()
    names = f"A = {a.id} {a.name!r}, B = {b.id} {b.name!r}"
    console.print(
        ("比较 " if zh else "Comparing ") + names, highlight=False, markup=False
    )
    headline = Table(
        "" if zh else "figure", "A", "B", "B − A", title="概要" if zh else "Summary"
    )
    for item in compared["summary"]:
        headline.add_row(
            item["key"],
            _text(item["a"], lang),
            _text(item["b"], lang),
            _text(item["difference"], lang),
        )
    console.print(headline)
    for table in compared["tables"]:
        _print_changes(console, table, lang)


def _print_changes(console: Console, table: dict[str, Any], lang: str) -> None:
    zh = lang == "zh"
    title = table["title_zh"] if zh else table["title_en"]
    rows = table["rows"]
    console.print(
        f"{title}：{len(rows)} 行不同，{table['unchanged']} 行相同"
        if zh
        else f"{title}: {len(rows)} rows differ, {table['unchanged']} are the same",
        highlight=False,
        markup=False,
    )
    if not rows:
        return
    label = "label_zh" if zh else "label_en"
    keys = table["key_columns"]
    values = table["value_columns"]
    view = Table(
        "" if zh else "status",
        *(c[label] for c in keys),
        *(f"{c[label]} A → B" for c in values),
    )
    status = {"added": "新增", "removed": "删除", "changed": "变化"}
    for row in rows[:COMPARE_ROWS]:
        cells = [
            status[row["status"]] if zh else row["status"],
            *(_text(row["key"].get(c["key"]), lang) for c in keys),
        ]
        for column in values:
            cell = row["values"][column["key"]]
            if cell["a"] == cell["b"]:
                cells.append(_text(cell["a"], lang))
            else:
                cells.append(f"{_text(cell['a'], lang)} → {_text(cell['b'], lang)}")
        view.add_row(*cells)
    console.print(view)
    if len(rows) > COMPARE_ROWS:
        more = len(rows) - COMPARE_ROWS
        console.print(
            f"……另有 {more} 行（--json 列出全部）"
            if zh
            else f"… {more} more rows (--json lists all)",
            highlight=False,
            markup=False,
        )


@scenarios.command("delete")
@click.argument("scenario")
@_scope_options
@click.option("--yes", is_flag=True, help="Delete without asking.")
@_options
def delete(
    scenario: str,
    county: str | None,
    kind: str | None,
    yes: bool,
    username: str | None,
    lang: Language,
    url: str | None,
) -> None:
    """Delete SCENARIO (an id or a name). Stored data are not touched."""
    from junheng.services import plans

    with _session(url, username, lang) as (session, principal):
        found = plans.find_scenario(
            session, principal, scenario, division_code=county, kind=kind
        )
        plans.require_plan(principal, found.division_code)
        what = f"{found.id} {found.name!r} ({found.kind}, {found.division_code})"
        question = f"删除方案 {what}？" if lang == "zh" else f"Delete scenario {what}?"
        if not yes and not click.confirm(question, err=True):
            raise SystemExit(1)
        plans.delete_scenario(session, principal, found.id)
    _console().print(
        f"已删除方案 {what}" if lang == "zh" else f"deleted scenario {what}",
        highlight=False,
        markup=False,
    )
