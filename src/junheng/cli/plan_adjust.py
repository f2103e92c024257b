"""``junheng plan adjust``: the least-cost plans that make counties pass part 1.

A county code gives that county's plan. A city or province prefix, or no
``--county`` at all, plans every county in it with one evaluation, and the
output is a summary of all of them with long tables of their plans.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from pathlib import Path

import click
import polars as pl
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from junheng.cli import (
    FilePath,
    Language,
    _atomic_write,
    _console,
    _load_framework,
    _stages,
    check_output,
    encoding_option,
    errors_report_option,
    force_option,
    framework_option,
    import_errors,
    label_plan,
    profile_option,
    with_generator,
)
from junheng.errors import InputError
from junheng.planning.result import PlanResult, write_xlsx

# Rows of each table the terminal shows; JSON and Excel carry all of them.
TERMINAL_ROWS = 40
_COUNTY_DETAIL = {"outcome", "lower_bound", "actions", "solve_seconds"}
"""Columns of the county summary that only JSON and Excel show."""


def _default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _print_result(result: PlanResult, lang: str) -> None:
    from junheng.planning.adjust_report import changed_rows

    console = Console()
    for message in result.messages(lang):
        console.print(message, highlight=False, markup=False)
    summary = Table("", "", show_header=False)
    for key, value in result.summary.items():
        summary.add_row(key, str(value))
    console.print(summary)
    tables = result.tables
    if any(t.name == "counties" for t in tables):
        # Several counties: their summary; JSON and Excel hold their plans.
        tables = [t for t in tables if t.name == "counties"]
    for table in tables:
        # Only the rows a plan changes; JSON and Excel list every row.
        rows = changed_rows(table)
        if not rows:
            continue
        # Text columns come in both languages; the terminal shows one.
        other = "_en" if lang == "zh" else "_zh"
        columns = [c for c in table.columns if not c.key.endswith(other)]
        if table.name == "counties":
            columns = [c for c in columns if c.key not in _COUNTY_DETAIL]
        view = Table(*(c.label(lang) for c in columns), title=table.title(lang))
        for row in rows[:TERMINAL_ROWS]:
            view.add_row(*(_cell(row.get(c.key)) for c in columns))
        console.print(view)
        if len(rows) > TERMINAL_ROWS:
            more = len(rows) - TERMINAL_ROWS
            console.print(
                f"……另有 {more} 行（--format json 或 xlsx 列出全部）"
                if lang == "zh"
                else f"… {more} more rows (--format json or xlsx)",
                highlight=False,
                markup=False,
            )


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.2f}"
    return str(value)


def _bar(enabled: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=_console(),
        transient=True,
        disable=not enabled,
    )


def _option_problems(county: str | None, year: int | None) -> list[tuple[str, str]]:
    """Return a problem (en, zh) per malformed option value, all of them."""
    problems = []
    if county is not None and (not county.isdigit() or len(county) not in (2, 4, 6)):
        problems.append(
            (
                f"--county {county!r}: give a division code of 2 (province), 4 "
                "(city) or 6 digits (county), such as 4101 or 410102",
                f"--county {county!r}：请填写 2 位（省）、4 位（市）或 6 位（县）"
                "行政区划代码，例如 4101 或 410102",
            )
        )
    if year is not None and not 1990 <= year <= 2100:
        problems.append(
            (
                f"--year {year}: give the start year of a school year between "
                "1990 and 2100, such as 2024",
                f"--year {year}：请填写 1990 至 2100 之间的学年起始年份，例如 2024",
            )
        )
    return problems


def _raise_problems(problems: list[tuple[str, str]]) -> None:
    if not problems:
        return
    head_en = (
        f"{len(problems)} problem{'s' if len(problems) > 1 else ''} with the options:"
    )
    head_zh = f"选项有 {len(problems)} 处问题："
    raise InputError(
        "\n  ".join([head_en, *(en for en, _ in problems)]),
        zh="\n  ".join([head_zh, *(zh for _, zh in problems)]),
    )


def _chosen(
    schools: pl.DataFrame, county: str | None, year: int | None
) -> tuple[list[str], int]:
    """Return the counties to plan and the year, checking both against the data."""
    rows = schools
    if county:
        rows = rows.filter(pl.col("division_code").str.starts_with(county))
    problems: list[tuple[str, str]] = []
    if rows.is_empty():
        problems.append(
            (
                f"--county {county}: no school rows of this division in the input; "
                "give the code of a county, city or province in the data",
                f"--county {county}：输入中没有该地区的学校记录；"
                "请填写数据中的县、市或省的行政区划代码",
            )
        )
        _raise_problems(problems)
    years = sorted(int(y) for y in rows["year"].unique())
    chosen = year if year is not None else years[-1]
    if chosen not in years:
        listed = ", ".join(str(y) for y in years)
        problems.append(
            (
                f"--year {year}: no school rows of {county or 'the data'} in that "
                f"year; the data have {listed}",
                f"--year {year}：{county or '数据'}没有该学年的学校记录；"
                f"数据中的学年：{listed}",
            )
        )
    _raise_problems(problems)
    codes = rows.filter(pl.col("year") == chosen)["division_code"].unique()
    return sorted(str(c) for c in codes), chosen


@click.command("adjust")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--county",
    "-c",
    default=None,
    help="Division code: a county (6 digits) gets its plan, a city (4) or "
    "province (2) a plan for each of its counties. Every county in the data "
    "when omitted.",
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
    type=FilePath(output=False),
    default=None,
    help="YAML file of unit costs (yuan), per-school limits and solver "
    "settings; settings left out keep the illustrative defaults (see "
    "docs/planning.md).",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Seconds of wall time the solver may spend on each county; overrides "
    "time_limit_seconds of --costs [default: 300]. The gap of a plan cut short "
    "is stated in its result.",
)
@click.option(
    "--workers",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Processes that solve counties side by side; the plans do not depend "
    "on it [default: one per core].",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("table", "json", "xlsx")),
    default="table",
    show_default=True,
    help="Output format: terminal tables, JSON, or an Excel workbook (with a "
    "summary sheet of all counties when there are several).",
)
@click.option(
    "--output",
    "-o",
    type=FilePath(output=True),
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
@encoding_option
@errors_report_option
@force_option
def adjust(
    files: tuple[Path, ...],
    county: str | None,
    year: int | None,
    framework: str,
    profile: str | None,
    costs_file: Path | None,
    time_limit: float | None,
    workers: int | None,
    fmt: str,
    output: Path | None,
    lang: Language,
    encoding: str | None,
    errors_report: Path,
    force: bool,
) -> None:
    """Work out the least-cost changes that make counties pass part 1.

    The plan hires or transfers teachers, builds floor and sports area, buys
    equipment and equips multimedia classrooms so that every school meets the
    school rule and every CV is within its limit, at the least total cost. The
    evaluation core then re-checks the adjusted data. The default unit costs
    are illustrative; pass your own with --costs.

    \b
    Examples:
      junheng plan adjust schools.xlsx -c 410102            one county
      junheng plan adjust schools.parquet -c 41 --format xlsx -o henan.xlsx
      junheng plan adjust schools.parquet --format json -o all.json

    Exit status: 0 when every county passes or has a plan the core confirms,
    2 for an unusable framework, 3 for invalid input, options or costs, and 4
    when a county has no such plan.
    """
    output = check_output(output, fmt=fmt, stem="junheng-plan-adjust")
    with import_errors(errors_report, lang):
        try:
            _raise_problems(_option_problems(county, year))
            result = _plan(
                files,
                county,
                year,
                framework,
                profile,
                costs_file,
                time_limit,
                workers or _default_workers(),
                encoding,
                lang,
            )
        except InputError as error:
            if error.issues:
                raise
            # One language, so that a list of problems reads line by line.
            label = "错误：" if lang == "zh" else "error: "
            _console().print(
                f"{label}{error.message(lang)}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
            raise SystemExit(error.exit_code) from None
    label_plan(result, files, fmt)
    console = _console()
    if fmt == "table":
        _print_result(result, lang)
    elif output is None:
        click.echo(
            json.dumps(with_generator(result.to_dict()), ensure_ascii=False, indent=2)
        )
    else:
        if fmt == "json":
            text = json.dumps(
                with_generator(result.to_dict()), ensure_ascii=False, indent=2
            )
            _atomic_write(output, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        else:
            _atomic_write(output, lambda tmp: write_xlsx(result, tmp, lang))
        console.print(f"已写入 / written: {output}", highlight=False, markup=False)
    if not (result.feasible and result.summary.get("core_confirms_pass", True)):
        raise SystemExit(4)


def _plan(
    files: tuple[Path, ...],
    county: str | None,
    year: int | None,
    framework: str,
    profile: str | None,
    costs_file: Path | None,
    time_limit: float | None,
    workers: int,
    encoding: str | None,
    lang: str,
) -> PlanResult:
    from junheng.ingest import load_inputs
    from junheng.planning.adjust import plan_adjustments
    from junheng.planning.adjust_batch import batch_result
    from junheng.planning.costs import AdjustCosts, load_costs

    costs = load_costs(costs_file) if costs_file else AdjustCosts()
    if time_limit is not None:
        costs = dataclasses.replace(costs, time_limit_seconds=time_limit)
    fw = _load_framework(framework, lang)
    shown = sys.stderr.isatty()
    with _stages(shown) as progress:
        progress.add_task("读取并校验数据 / reading and validating", total=None)
        inputs = load_inputs(
            list(files), profile=profile, framework=fw, encoding=encoding
        )
    codes, chosen = _chosen(inputs.schools, county, year)
    with _bar(shown) as bar:
        task = bar.add_task("求解 / solving", total=len(codes))
        results = plan_adjustments(
            inputs.schools,
            fw,
            year=chosen,
            division_codes=codes,
            costs=costs,
            county_items=inputs.county_items,
            advance=lambda n: bar.advance(task, n),
            workers=workers,
        )
    if county is not None and len(county) == 6:
        return results[county]
    return batch_result(results, county or "", chosen, fw.id)
