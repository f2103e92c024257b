"""The ``junheng`` command line: a thin layer over ingest, evaluation and reports."""

from __future__ import annotations

import importlib
import logging
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, cast

import click
import polars as pl
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from junheng import __version__
from junheng.errors import InputError, JunhengError

if TYPE_CHECKING:
    from junheng.ingest.issues import Issue

Language = Literal["zh", "en"]

log = logging.getLogger("junheng")
FORMATS = ("table", "json", "xlsx", "html")
DEFAULT_ERROR_REPORT = "junheng-errors.xlsx"
TERMINAL_COUNTIES = 30
"""County-years the terminal summary explains; the counts cover all of them."""


def _console() -> Console:
    return Console(stderr=True)


@contextmanager
def _stages(enabled: bool) -> Iterator[Progress]:
    """Show a spinner with the current stage and the elapsed time on stderr."""
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=_console(),
        transient=True,
        disable=not enabled,
    )
    with progress:
        yield progress


def _fail(error: JunhengError) -> None:
    console = _console()
    console.print(f"[bold red]错误 / error:[/] {error.bilingual()}", highlight=False)
    raise SystemExit(error.exit_code)


def _report_input_error(error: InputError, report_path: Path, lang: Language) -> None:
    from junheng.ingest.issues import format_issues, write_issue_report

    console = _console()
    console.print(f"[bold red]{escape(error.message(lang))}[/]", highlight=False)
    issues: list[Issue] = error.issues  # type: ignore[assignment]
    written = write_issue_report(issues, report_path, lang)
    text = format_issues(issues, report=written, lang=lang)
    console.print(text, highlight=False, markup=False)
    if lang == "zh":
        done = f"全部问题已写入 {written}。未导入任何数据。"
    else:
        done = f"All issues written to {written}. Nothing was imported."
    console.print(done, highlight=False, markup=False)
    raise SystemExit(error.exit_code)


@contextmanager
def import_errors(errors_report: Path, lang: Language = "zh") -> Iterator[None]:
    """Report an error of an import and exit non-zero.

    Input errors with issues are printed in ``lang`` and written to
    ``errors_report``.
    """
    try:
        yield
    except InputError as error:
        if error.issues:
            _report_input_error(error, errors_report, lang)
        _fail(error)
    except JunhengError as error:
        _fail(error)


WARNINGS_SHOWN = 5
OUTPUT_SUFFIXES = {"json": (".json",), "xlsx": (".xlsx",), "html": (".html", ".htm")}


def _check_report_suffix(
    ctx: click.Context, param: click.Parameter, value: Path
) -> Path:
    """Reject an error-report path that is neither .xlsx nor .json, before import."""
    if value.suffix.lower() not in (".xlsx", ".json"):
        raise click.BadParameter(
            f"{str(value)!r} must end in .xlsx or .json", ctx=ctx, param=param
        )
    return value


errors_report_option: Callable[[Callable[..., Any]], Callable[..., Any]] = click.option(
    "--errors-report",
    type=click.Path(path_type=Path, dir_okay=False),
    callback=_check_report_suffix,
    default=Path(DEFAULT_ERROR_REPORT),
    show_default=True,
    help="Where to write the list of input errors (.xlsx or .json).",
)
"""The --errors-report option of the commands that import files."""

lang_option: Callable[[Callable[..., Any]], Callable[..., Any]] = click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default="zh",
    show_default=True,
    help="Language of messages, input errors and the error report.",
)
"""The --lang option of the commands that import files without a report."""


framework_option: Callable[[Callable[..., Any]], Callable[..., Any]] = click.option(
    "--framework",
    "-f",
    default="cn-2017-quality",
    show_default=True,
    help="Framework id (see `junheng frameworks`) or a framework YAML file.",
)
"""The --framework option of the commands that evaluate or plan."""

profile_option: Callable[[Callable[..., Any]], Callable[..., Any]] = click.option(
    "--profile",
    "-p",
    default=None,
    help="Import profile for a non-template layout (see `junheng profiles`).",
)
"""The --profile option of the commands that read school files."""


def _check_output(fmt: str, output: Path | None, inputs: tuple[Path, ...]) -> None:
    """Reject an output path that cannot be right, before anything is read."""
    if output is None:
        return
    if fmt == "table":
        raise click.UsageError(
            "--output needs --format json, xlsx or html; the table format prints "
            "to the terminal"
        )
    if output.suffix.lower() not in OUTPUT_SUFFIXES[fmt]:
        raise click.UsageError(
            f"--output {str(output)!r} does not end in "
            f"{' or '.join(OUTPUT_SUFFIXES[fmt])}, the suffix of --format {fmt}"
        )
    target = output.resolve()
    for path in inputs:
        if path.resolve() == target:
            raise click.UsageError(
                f"--output {str(output)!r} is one of the input files; choose "
                "another name so the input is not overwritten"
            )


def _print_warnings(
    warnings: list[Any],
    console: Console,
    limit: int | None = WARNINGS_SHOWN,
    lang: Language = "zh",
) -> None:
    """Print the first ``limit`` import warnings (all when ``None``) in ``lang``."""
    from junheng.ingest.issues import format_issues

    printed = warnings if limit is None else warnings[:limit]
    text = format_issues(printed, limit=len(printed), lang=lang)
    if text:
        console.print(text, highlight=False, markup=False)
    if limit is not None and len(warnings) > limit:
        more = len(warnings) - limit
        console.print(
            f"……另有 {more} 条警告（`junheng validate` 列出全部）"
            if lang == "zh"
            else f"... and {more} more warnings (`junheng validate` lists all)",
            highlight=False,
            markup=False,
        )


def _atomic_write(path: Path, write: Any) -> None:
    """Write through a temporary file in the same folder, then rename it into place.

    A failure half-way leaves no partial output file behind.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        # mkstemp creates the file readable by its owner only; give the report
        # the permissions any new file gets under the current umask.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _report_options(command: Callable[..., None]) -> Callable[..., None]:
    """Add the --format, --output and --lang options shared by report commands."""
    options = [
        click.option(
            "--format",
            "fmt",
            type=click.Choice(FORMATS),
            default="table",
            show_default=True,
            help="Output format of the evaluation.",
        ),
        click.option(
            "--output",
            "-o",
            type=click.Path(path_type=Path, dir_okay=False),
            default=None,
            help="Output file for json, xlsx or html; JSON goes to standard "
            "output when omitted.",
        ),
        click.option(
            "--lang",
            type=click.Choice(["zh", "en"]),
            default="zh",
            show_default=True,
            help="Language of labels and reasons.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


class _LazyGroup(click.Group):
    """A command group that imports the platform commands when they are run.

    Their modules import SQLAlchemy and the services, which added about 0.6 s
    to every start, also of `evaluate` (measured with python -X importtime).
    """

    lazy_commands: ClassVar[dict[str, tuple[str, str]]] = {
        "db": ("junheng.cli.platform", "db"),
        "user": ("junheng.cli.platform", "user"),
        "import": ("junheng.cli.platform", "import_file"),
        "audit": ("junheng.cli.platform", "audit"),
        "serve": ("junheng.cli.serve", "serve"),
        "monitor": ("junheng.cli.monitor", "monitor"),
        "school": ("junheng.cli.platform", "school"),
        "deadline": ("junheng.cli.deadline", "deadline"),
        "plan": ("junheng.cli.plan", "plan"),
        "feedback": ("junheng.cli.feedback", "feedback"),
        "rectify": ("junheng.cli.rectify", "rectify"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands and cmd_name not in self.commands:
            module_name, attribute = self.lazy_commands[cmd_name]
            command = getattr(importlib.import_module(module_name), attribute)
            assert isinstance(command, click.Command)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="junheng")
@click.option("-v", "--verbose", count=True, help="Log more: -v info, -vv debug.")
def main(verbose: int) -> None:
    """Junheng 均衡: evaluate counties against the national standards for the
    balanced development of compulsory education.

    \b
    First steps:
      junheng demo                       evaluate a synthetic national dataset
      junheng template -o template.xlsx  write the Excel template (填报模板)
      junheng evaluate schools.xlsx      evaluate your own data
    """
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(
        level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s"
    )


def _filter(frame: pl.DataFrame, year: int | None, county: str | None) -> pl.DataFrame:
    if year is not None:
        frame = frame.filter(pl.col("year") == year)
    if county:
        frame = frame.filter(pl.col("division_code").str.starts_with(county))
    return frame


def _emit(
    doc: dict[str, Any], fmt: str, output: Path | None, lang: str, console: Console
) -> None:
    from junheng.reports import write_report
    from junheng.reports.terminal import render_summary

    if fmt == "table":
        render_summary(doc, Console(), lang=lang, max_counties=TERMINAL_COUNTIES)
        return
    if output is None and fmt == "json":
        from junheng.reports.json_report import dump_json

        click.echo(dump_json(doc))
        return
    target = output or Path(f"junheng-report.{fmt}")
    _atomic_write(target, lambda tmp: write_report(doc, fmt, tmp, lang))  # type: ignore[arg-type]
    console.print(f"已写入 / written: {target}", highlight=False)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@framework_option
@profile_option
@click.option(
    "--year",
    "-y",
    type=int,
    default=None,
    help="Evaluate only this school year (start year, e.g. 2024).",
)
@click.option(
    "--county",
    "-c",
    default=None,
    help="Evaluate only divisions whose code starts with CODE (county, "
    "city or province prefix).",
)
@_report_options
@click.option(
    "--encoding",
    default=None,
    help="Encoding of CSV input (detected when omitted: UTF-8, UTF-8 with "
    "BOM, GB18030/GBK).",
)
@errors_report_option
@click.option(
    "--no-schools", is_flag=True, help="Leave the per-school list out of JSON output."
)
def evaluate(
    files: tuple[Path, ...],
    framework: str,
    profile: str | None,
    year: int | None,
    county: str | None,
    fmt: str,
    output: Path | None,
    lang: str,
    encoding: str | None,
    errors_report: Path,
    no_schools: bool,
) -> None:
    """Evaluate the counties in FILES (.xlsx, .csv, .parquet) and report verdicts.

    FILES hold school rows, county-level items, or both. Any input error stops
    the run before anything is written: the errors are printed and saved to
    --errors-report, and the exit status is non-zero.
    """
    from junheng.evaluation.document import build_document
    from junheng.evaluation.verdict import evaluate as run_evaluation
    from junheng.ingest import load_inputs
    from junheng.standards.loader import load_framework

    _check_output(fmt, output, files)
    console = _console()
    with import_errors(errors_report, cast(Language, lang)):
        fw = load_framework(framework)
        with _stages(sys.stderr.isatty()) as progress:
            task = progress.add_task(
                "读取并校验数据 / reading and validating", total=None
            )
            result = load_inputs(
                list(files), profile=profile, framework=fw, encoding=encoding
            )
            schools = _filter(result.schools, year, county)
            items = _filter(result.county_items, year, county)
            if result.schools.is_empty():
                raise InputError(
                    "the input has no school rows; add the school sheet or file "
                    "(学校数据) to evaluate",
                    zh="输入中没有学校数据行，请加入学校数据工作表或文件后再评估",
                )
            if schools.is_empty():
                codes = sorted(result.schools["division_code"].unique())
                shown = ", ".join(codes[:10]) + (" …" if len(codes) > 10 else "")
                given = [
                    f"--{name} {value}"
                    for name, value in (("year", year), ("county", county))
                    if value is not None
                ]
                years = sorted(result.schools["year"].unique())
                raise InputError(
                    f"no school rows match {' and '.join(given)}; "
                    f"the input has years {years} and division codes {shown}",
                    zh=f"没有学校数据行符合 {' 和 '.join(given)}；"
                    f"输入中的学年为 {years}，行政区划代码为 {shown}",
                )
            progress.update(task, description="评估 / evaluating")
            # The terminal summary shows verdict counts per province but no
            # indicator roll-ups, which take about a seventh of the run.
            ev = run_evaluation(schools, fw, items, indicator_rollups=fmt != "table")
            progress.update(task, description="生成报告 / building the report")
            doc = build_document(
                ev,
                lang=lang,
                include_schools=fmt != "table" and not no_schools,
                sources=[str(f) for f in files],
                county_limit=TERMINAL_COUNTIES if fmt == "table" else None,
            )
        _print_warnings(result.warnings, console, lang=cast(Language, lang))
        unmatched = _items_without_schools(schools, items, lang)
        if unmatched:
            console.print(unmatched, highlight=False, markup=False)
        _emit(doc, fmt, output, lang, console)


def _items_without_schools(
    schools: pl.DataFrame, items: pl.DataFrame, lang: str
) -> str | None:
    """Return a warning naming the county-years with items but no school rows.

    Such items are not evaluated, and without the warning a mistyped division
    code or year would go unnoticed. Returns None when every county-year of
    the items has school rows.
    """
    keys = ["year", "division_code"]
    orphans = (
        items.select(keys)
        .unique()
        .join(schools.select(keys).unique(), on=keys, how="anti")
        .sort(keys)
    )
    if orphans.is_empty():
        return None
    named = [f"{code}（{year}）" for year, code in orphans.head(10).iter_rows()]
    more = " …" if orphans.height > 10 else ""
    if lang == "zh":
        return (
            f"警告：县级指标中有 {orphans.height} 个县域学年没有学校数据，"
            f"未参与评估：{'、'.join(named)}{more}。请核对行政区划代码和学年。"
        )
    named = [f"{code} ({year})" for year, code in orphans.head(10).iter_rows()]
    if orphans.height == 1:
        subject = "1 county-year in the county items has no school rows and was"
    else:
        subject = (
            f"{orphans.height} county-years in the county items have no school "
            "rows and were"
        )
    return (
        f"warning: {subject} not evaluated: {', '.join(named)}{more}. "
        "Check the division codes and years."
    )


@main.command()
def frameworks() -> None:
    """List the installed evaluation frameworks and where they come from."""
    from junheng.standards.loader import ENV_VAR, load_framework, scan_frameworks

    table = Table("id", "名称 / name", "extends", "file")
    infos, problems = scan_frameworks()
    for info in infos:
        try:
            load_framework(str(info.path))
        except JunhengError as error:
            problems.append(str(error))
            continue
        table.add_row(
            info.id,
            f"{info.name_zh}\n{info.name_en}",
            info.extends or "",
            str(info.path),
        )
    Console().print(table)
    Console().print(f"Add folders of your own framework files to {ENV_VAR}.")
    for problem in problems:
        _console().print(f"[red]无法使用 / unusable:[/] {problem}", highlight=False)
    if problems:
        raise SystemExit(2)


@main.command()
def profiles() -> None:
    """List the installed import profiles."""
    from junheng.ingest.profiles import list_profiles

    table = Table("id", "名称 / name", "file")
    for info in list_profiles():
        table.add_row(info.id, info.name, str(info.path))
    Console().print(table)


@main.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("junheng-template.xlsx"),
    show_default=True,
    help="Where to write the Excel template.",
)
def template(output: Path) -> None:
    """Write the Excel data template (Chinese headers, units, 填报说明, validation)."""
    from junheng.ingest.template import write_template

    _atomic_write(output, lambda tmp: write_template(tmp))
    _console().print(f"已写入模板 / template written: {output}", highlight=False)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--profile", "-p", default=None, help="Import profile for the layout.")
@click.option(
    "--framework",
    "-f",
    default="cn-2017-quality",
    show_default=True,
    help="Framework whose county item keys are accepted.",
)
@click.option("--encoding", default=None, help="Encoding of CSV input.")
@errors_report_option
@lang_option
def validate(
    files: tuple[Path, ...],
    profile: str | None,
    framework: str,
    encoding: str | None,
    errors_report: Path,
    lang: Language,
) -> None:
    """Check FILES without evaluating: exit 0 when they would import cleanly."""
    from junheng.ingest import load_inputs
    from junheng.standards.loader import load_framework

    with import_errors(errors_report, lang):
        fw = load_framework(framework)
        result = load_inputs(
            list(files), profile=profile, framework=fw, encoding=encoding
        )
    console = _console()
    _print_warnings(result.warnings, console, limit=None, lang=lang)
    schools, items = result.schools.height, result.county_items.height
    console.print(
        f"校验通过：{schools} 条学校记录，{items} 条县级指标"
        if lang == "zh"
        else f"valid: {schools} school rows, {items} county items",
        highlight=False,
    )


@main.command()
@click.option(
    "--counties",
    type=click.IntRange(1, 2849),
    default=None,
    help="Number of counties (default: all 2,849 county-level divisions).",
)
@click.option(
    "--schools-per-county",
    type=click.FloatRange(1, 500),
    default=70,
    show_default=True,
    help="Average number of schools per county.",
)
@click.option(
    "--years",
    type=click.IntRange(1, 30),
    default=1,
    show_default=True,
    help="Number of consecutive school years.",
)
@click.option(
    "--seed",
    type=int,
    default=20240901,
    show_default=True,
    help="Random seed; the same seed gives the same dataset.",
)
@click.option(
    "--save",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Also save the synthetic dataset (.parquet or .xlsx).",
)
@click.option(
    "--save-roster",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Also save a synthetic teacher roster of the first county (.csv) and "
    "its school locations (…-locations.csv), for `junheng plan rotate`.",
)
@_report_options
def demo(
    counties: int | None,
    schools_per_county: float,
    years: int,
    seed: int,
    save: Path | None,
    save_roster: Path | None,
    fmt: str,
    output: Path | None,
    lang: str,
) -> None:
    """Generate a SYNTHETIC national dataset and evaluate it (no server needed).

    The data are made up by a seeded generator for trying Junheng out; they are
    not real statistics of any school or county.
    """
    from junheng import demo as synthetic
    from junheng.evaluation.document import build_document
    from junheng.evaluation.verdict import evaluate as run_evaluation
    from junheng.standards.loader import load_framework

    _check_output(fmt, output, ())
    console = _console()
    if fmt != "table":
        # The terminal summary shows the notice itself.
        console.print(f"[bold yellow]{synthetic.SYNTHETIC}[/]", highlight=False)
    fw = load_framework()
    with _stages(sys.stderr.isatty()) as progress:
        task = progress.add_task("生成合成数据 / generating synthetic data", total=None)
        schools = synthetic.generate_schools(
            counties=counties,
            schools_per_county=schools_per_county,
            years=years,
            seed=seed,
        )
        items = synthetic.generate_county_items(schools, seed=seed)
        if save is not None:
            progress.update(task, description=f"保存 / saving {save}")
            synthetic.save_dataset(schools, items, save)
        if save_roster is not None:
            progress.update(task, description=f"保存 / saving {save_roster}")
            _save_roster(schools, seed, save_roster)
        progress.update(task, description="评估 / evaluating")
        ev = run_evaluation(schools, fw, items)
        progress.update(task, description="生成报告 / building the report")
        doc = build_document(
            ev,
            lang=lang,
            include_schools=fmt in ("json", "xlsx"),
            sources=["synthetic (junheng demo)"],
            county_limit=TERMINAL_COUNTIES if fmt == "table" else None,
        )
    doc["notes"].append(synthetic.SYNTHETIC)
    if save_roster is not None:
        from junheng.planning.synthetic import SYNTHETIC_ROSTER

        console.print(
            f"合成教师名册已保存 / synthetic roster saved: {save_roster}. "
            f"{SYNTHETIC_ROSTER}",
            highlight=False,
        )
    if save is not None:
        console.print(
            f"合成数据已保存 / synthetic dataset saved: {save}", highlight=False
        )
    _emit(doc, fmt, output, lang, console)


def _save_roster(schools: pl.DataFrame, seed: int, path: Path) -> None:
    """Write a synthetic roster of the first county and its school locations."""
    from junheng.planning.synthetic import generate_locations, generate_roster

    first = schools.filter(
        (pl.col("division_code") == schools["division_code"][0])
        & (pl.col("year") == schools["year"].max())
    )
    places = generate_locations(first, seed=seed)
    roster = generate_roster(first, seed=seed, locations=places)
    _atomic_write(path, lambda tmp: roster.write_csv(tmp))
    target = path.with_name(f"{path.stem}-locations.csv")
    _atomic_write(target, lambda tmp: places.write_csv(tmp))
