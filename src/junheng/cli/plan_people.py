"""``junheng plan rotate`` and ``junheng plan pair``: teacher rotation plans and
strong–weak school pairing."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import polars as pl
from rich.console import Console
from rich.markup import escape
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
    import_errors,
    label_plan,
    with_generator,
)
from junheng.errors import InputError
from junheng.planning.result import PlanResult, write_xlsx

TABLE_ROWS = 20
"""Rows of each plan table the terminal shows; json and xlsx hold all."""

_PLAN_FORMATS = ("table", "json", "xlsx")


def _plan_options(command: Callable[..., None]) -> Callable[..., None]:
    """Add the options shared by the plan commands."""
    options: list[Callable[[Any], Any]] = [
        click.option(
            "--year",
            "-y",
            type=int,
            default=None,
            help="School year (start year, e.g. 2024); the latest year in the "
            "data when omitted.",
        ),
        click.option(
            "--framework",
            "-f",
            default="cn-2017-quality",
            show_default=True,
            help="Framework id or YAML file.",
        ),
        click.option(
            "--locations",
            type=FilePath(output=False),
            default=None,
            help="School locations file with columns school_code, lat, lon "
            "(WGS84 degrees).",
        ),
        click.option(
            "--format",
            "fmt",
            type=click.Choice(_PLAN_FORMATS),
            default="table",
            show_default=True,
            help="Output format of the plan.",
        ),
        click.option(
            "--output",
            "-o",
            type=FilePath(output=True),
            default=None,
            help="Output file for json or xlsx; JSON goes to standard output "
            "when omitted.",
        ),
        click.option(
            "--lang",
            type=click.Choice(["zh", "en"]),
            default="zh",
            show_default=True,
            help="Language of labels and messages.",
        ),
        encoding_option,
        errors_report_option,
        force_option,
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _load_schools(
    files: tuple[Path, ...], framework: str, lang: str, encoding: str | None
) -> tuple[Any, pl.DataFrame]:
    from junheng.ingest import load_inputs

    fw = _load_framework(framework, lang)
    return fw, load_inputs(list(files), framework=fw, encoding=encoding).schools


def _year_of(schools: pl.DataFrame, code: str, year: int | None) -> int:
    if year is not None:
        return year
    years = schools.filter(pl.col("division_code").str.starts_with(code))["year"]
    if years.is_empty():
        raise InputError(
            f"no school rows under division code {code}; check the code and the files",
            zh=f"没有区划代码 {code} 下的学校数据；请检查代码和文件",
        )
    return int(years.max())  # type: ignore[arg-type]


def _with_locations(
    schools: pl.DataFrame, locations: Path | None, encoding: str | None
) -> pl.DataFrame:
    if locations is None:
        return schools
    from junheng.planning.roster import read_locations

    places = read_locations(locations, encoding=encoding)
    return schools.join(places, on="school_code", how="left")


def _emit(result: PlanResult, fmt: str, output: Path | None, lang: str) -> None:
    if fmt == "table":
        _print_plan(result, lang)
        return
    if fmt == "json":
        doc = with_generator(result.to_dict())
        text = json.dumps(doc, ensure_ascii=False, indent=2, default=str)
        if output is None:
            click.echo(text)
            return
        _atomic_write(output, lambda tmp: tmp.write_text(text + "\n", "utf-8"))
    else:
        assert output is not None  # check_output names the default xlsx file
        _atomic_write(output, lambda tmp: write_xlsx(result, tmp, lang))
    _console().print(f"已写入 / written: {output}", highlight=False, markup=False)


def _print_plan(result: PlanResult, lang: str) -> None:
    console = Console()
    head = "方案" if lang == "zh" else "Plan"
    state = (
        ("可行" if result.feasible else "不可行")
        if lang == "zh"
        else ("feasible" if result.feasible else "infeasible")
    )
    console.print(
        f"[bold]{head}: {escape(f'{result.kind} {result.division_code}')} "
        f"{result.year} ({state})[/]",
        highlight=False,
    )
    for message in result.messages(lang):
        console.print(message, highlight=False, markup=False)
    summary = Table("key", "value")
    for key, value in result.summary.items():
        summary.add_row(key, str(value))
    console.print(summary)
    for plan_table in result.tables:
        table = Table(*(c.label(lang) for c in plan_table.columns))
        table.title = plan_table.title(lang)
        for row in plan_table.rows[:TABLE_ROWS]:
            table.add_row(
                *(_cell(row.get(c.key), c.decimals) for c in plan_table.columns)
            )
        console.print(table)
        hidden = len(plan_table.rows) - TABLE_ROWS
        if hidden > 0:
            console.print(
                f"… 另有 {hidden} 行 / {hidden} more rows (--format xlsx lists all)",
                highlight=False,
                markup=False,
            )


def _cell(value: Any, decimals: int) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.{max(decimals, 1)}f}"
    return str(value)


@click.command()
@click.argument("roster", type=click.Path(path_type=Path))
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--county", "-c", required=True, help="6-digit division code of the county."
)
@click.option(
    "--rule",
    type=FilePath(output=False),
    default=None,
    help="YAML file overriding keys of the shipped rotation rule.",
)
@_plan_options
def rotate(
    roster: Path,
    files: tuple[Path, ...],
    county: str,
    rule: Path | None,
    year: int | None,
    framework: str,
    locations: Path | None,
    fmt: str,
    output: Path | None,
    lang: Language,
    encoding: str | None,
    errors_report: Path,
    force: bool,
) -> None:
    """Plan this year's teacher rotation (交流轮岗) in one county.

    ROSTER is the teacher roster (.xlsx, .csv or .parquet); FILES are the school
    data as `junheng evaluate` reads them. The plan meets the rotation rule
    (at least 10% of eligible teachers, at least 20% of them backbone
    teachers), keeps every school's subjects, and lowers the CVs of the
    teacher indicators. Plans never change stored data.
    """
    from junheng.planning.roster import read_roster
    from junheng.planning.rotation import RotationRule, plan_rotation

    output = check_output(output, fmt=fmt, stem="junheng-rotation")
    with import_errors(errors_report, lang):
        teachers = read_roster(roster, encoding=encoding)
        fw, schools = _load_schools(files, framework, lang, encoding)
        schools = _with_locations(schools, locations, encoding)
        chosen_rule = RotationRule.load(rule) if rule else RotationRule.default()
        with _stages(sys.stderr.isatty()) as progress:
            progress.add_task("求解交流方案 / solving the rotation plan", total=None)
            result = plan_rotation(
                teachers,
                schools,
                fw,
                division_code=county,
                year=_year_of(schools, county, year),
                rule=chosen_rule,
            )
        inputs = (roster, *files, *([locations] if locations else []))
        label_plan(result, inputs, fmt)
        _emit(result, fmt, output, lang)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--division",
    "-d",
    required=True,
    help="Division code prefix: a county (6 digits), city (4) or province (2).",
)
@click.option(
    "--capacity",
    type=click.IntRange(1, 1000),
    default=2,
    show_default=True,
    help="Weak school sections one strong school section may take.",
)
@click.option(
    "--cross-county",
    is_flag=True,
    help="Pair across the counties of the division, not only within each county.",
)
@click.option(
    "--max-distance",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Largest distance of a pair in km (needs --locations).",
)
@_plan_options
def pair(
    files: tuple[Path, ...],
    division: str,
    capacity: int,
    cross_county: bool,
    max_distance: float | None,
    year: int | None,
    framework: str,
    locations: Path | None,
    fmt: str,
    output: Path | None,
    lang: Language,
    encoding: str | None,
    errors_report: Path,
    force: bool,
) -> None:
    """Pair weak schools with strong ones (结对帮扶) into education communities.

    FILES are the school data as `junheng evaluate` reads them. Each pair is of
    the same section and comes with its reason in Chinese and English.
    """
    from junheng.planning.pairing import PairingOptions, plan_pairing
    from junheng.planning.roster import read_locations

    output = check_output(output, fmt=fmt, stem="junheng-pairing")
    with import_errors(errors_report, lang):
        fw, schools = _load_schools(files, framework, lang, encoding)
        places = read_locations(locations, encoding=encoding) if locations else None
        options = PairingOptions.from_mapping(
            {
                "capacity": capacity,
                "cross_county": cross_county,
                "max_distance_km": max_distance,
            }
        )
        with _stages(sys.stderr.isatty()) as progress:
            progress.add_task("求解结对方案 / solving the pairing", total=None)
            result = plan_pairing(
                schools,
                fw,
                division_code=division,
                year=_year_of(schools, division, year),
                options=options,
                locations=places,
            )
        label_plan(result, (*files, *([locations] if locations else [])), fmt)
        _emit(result, fmt, output, lang)
