"""``junheng plan adjust``: the least-cost plan that makes a county pass part 1."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from junheng.cli import (
    Language,
    _atomic_write,
    _check_output,
    _console,
    _stages,
    errors_report_option,
    framework_option,
    import_errors,
    profile_option,
)
from junheng.planning.result import PlanResult, write_xlsx

# Rows of each table the terminal shows; JSON and Excel carry all of them.
TERMINAL_ROWS = 40


def _print_result(result: PlanResult, lang: str) -> None:
    console = Console()
    for message in result.messages(lang):
        console.print(message, highlight=False, markup=False)
    summary = Table("", "", show_header=False)
    for key, value in result.summary.items():
        summary.add_row(key, str(value))
    console.print(summary)
    for table in result.tables:
        if table.name == "schools":
            # Only the rows the plan changes; JSON and Excel list every row.
            rows = [
                r
                for r in table.rows
                if r["value_before"] != r["value_after"] or not r["met_before"]
            ]
        else:
            rows = table.rows
        # Text columns come in both languages; the terminal shows one.
        other = "_en" if lang == "zh" else "_zh"
        columns = [c for c in table.columns if not c.key.endswith(other)]
        view = Table(*(c.label(lang) for c in columns), title=table.title(lang))
        for row in rows[:TERMINAL_ROWS]:
            view.add_row(*(_cell(row.get(c.key)) for c in columns))
        console.print(view)
        if len(rows) > TERMINAL_ROWS:
            console.print(
                f"… {len(rows) - TERMINAL_ROWS} more rows (--format json or xlsx)",
                highlight=False,
            )


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.2f}"
    return str(value)


@click.command("adjust")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--county",
    "-c",
    required=True,
    help="Six-digit division code of the county to plan for.",
)
@click.option(
    "--year",
    "-y",
    type=int,
    default=None,
    help="School year (start year); the latest year in the data when omitted.",
)
@framework_option
@profile_option
@click.option(
    "--costs",
    "costs_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="YAML file of unit costs (yuan) and per-school limits; settings left "
    "out keep the illustrative defaults (see docs/planning.md).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("table", "json", "xlsx")),
    default="table",
    show_default=True,
    help="Output format of the plan.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Output file for json or xlsx; JSON goes to standard output when omitted.",
)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default="zh",
    show_default=True,
    help="Language of messages and labels.",
)
@click.option("--encoding", default=None, help="Encoding of CSV input.")
@errors_report_option
def adjust(
    files: tuple[Path, ...],
    county: str,
    year: int | None,
    framework: str,
    profile: str | None,
    costs_file: Path | None,
    fmt: str,
    output: Path | None,
    lang: Language,
    encoding: str | None,
    errors_report: Path,
) -> None:
    """Work out the least-cost changes that make county CODE pass part 1.

    The plan hires or transfers teachers, builds floor and sports area, buys
    equipment and equips multimedia classrooms so that every school meets the
    school rule and every CV is within its limit, at the least total cost. The
    evaluation core then re-checks the adjusted data. The default unit costs
    are illustrative; pass your own with --costs.
    """
    from junheng.errors import InputError
    from junheng.ingest import load_inputs
    from junheng.planning.adjust import plan_adjustment
    from junheng.planning.costs import AdjustCosts, load_costs
    from junheng.standards.loader import load_framework

    _check_output(fmt, output, files)
    with import_errors(errors_report, lang):
        costs = load_costs(costs_file) if costs_file else AdjustCosts()
        fw = load_framework(framework)
        with _stages(sys.stderr.isatty()) as progress:
            task = progress.add_task(
                "读取并校验数据 / reading and validating", total=None
            )
            inputs = load_inputs(
                list(files), profile=profile, framework=fw, encoding=encoding
            )
            years = sorted(
                inputs.schools.filter(inputs.schools["division_code"] == county)[
                    "year"
                ].unique()
            )
            if not years:
                raise InputError(
                    f"--county {county}: no school rows of this division in the "
                    "input; give the six-digit code of a county in the data",
                    zh=f"--county {county}：输入中没有该县的学校记录；"
                    "请填写数据中某县的 6 位行政区划代码",
                )
            chosen = year if year is not None else years[-1]
            progress.update(task, description="求解 / solving")
            result = plan_adjustment(
                inputs.schools,
                fw,
                division_code=county,
                year=chosen,
                costs=costs,
                county_items=inputs.county_items,
            )
    console = _console()
    if fmt == "table":
        _print_result(result, lang)
    elif fmt == "json" and output is None:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        target = output or Path(f"junheng-plan-adjust.{fmt}")
        if fmt == "json":
            text = json.dumps(result.to_dict(), ensure_ascii=False, indent=2)
            _atomic_write(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        else:
            _atomic_write(target, lambda tmp: write_xlsx(result, tmp, lang))
        console.print(f"已写入 / written: {target}", highlight=False)
    if not (result.feasible and result.summary["core_confirms_pass"]):
        raise SystemExit(4)
