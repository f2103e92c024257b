"""``junheng monitor``: trends, forecasts, warnings, checks and field samples."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import polars as pl
from rich.table import Table

from junheng.cli import (
    FilePath,
    Language,
    _atomic_write,
    _console,
    _fail,
    _filter,
    _load_framework,
    _stages,
    check_output,
    encoding_option,
    errors_report_option,
    force_option,
    import_errors,
    lang_option,
    print_notice,
    synthetic_notice,
    with_generator,
)
from junheng.cli.platform import _url_option
from junheng.errors import InputError


def _common(command: Callable[..., None]) -> Callable[..., None]:
    """Add the input and output options every monitor command shares."""
    options: list[Callable[[Any], Any]] = [
        click.argument(
            "files", nargs=-1, required=True, type=click.Path(path_type=Path)
        ),
        click.option(
            "--framework",
            "-f",
            default="cn-2017-quality",
            show_default=True,
            help="Framework id or YAML file.",
        ),
        click.option(
            "--profile",
            "-p",
            default=None,
            help="Import profile for a non-template layout.",
        ),
        encoding_option,
        click.option(
            "--county",
            "-c",
            default=None,
            help="Only divisions whose code starts with CODE.",
        ),
        click.option(
            "--output",
            "-o",
            type=FilePath(output=True),
            required=True,
            help="Output file, .xlsx or .json.",
        ),
        errors_report_option,
        force_option,
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _evaluate(
    files: tuple[Path, ...],
    framework: str,
    profile: str | None,
    county: str | None,
    encoding: str | None,
    lang: str = "zh",
) -> tuple[Any, pl.DataFrame]:
    from junheng.evaluation.verdict import evaluate
    from junheng.ingest import load_inputs

    fw = _load_framework(framework, lang)
    result = load_inputs(list(files), profile=profile, framework=fw, encoding=encoding)
    schools = _filter(result.schools, None, county)
    if schools.is_empty():
        raise InputError("no school rows to monitor; check the files and --county")
    items = _filter(result.county_items, None, county)
    return evaluate(schools, fw, items), schools


TABLE_SUFFIXES = (".xlsx", ".json")
"""Suffixes of the files the monitor tables are written to."""


def _write(
    tables: dict[str, pl.DataFrame], output: Path, notes: dict[str, Any]
) -> None:
    from junheng.monitoring.pipeline import write_tables

    _atomic_write(
        output, lambda tmp: write_tables(tables, tmp, notes, output.suffix.lower()[1:])
    )
    _console().print(f"已写入 / written: {output}", highlight=False, markup=False)


def _synthetic(files: tuple[Path, ...]) -> dict[str, str]:
    """Print and return the synthetic-data notes when inputs were made by
    junheng demo."""
    notice = synthetic_notice(files)
    if notice is None:
        return {}
    print_notice(notice)
    return {
        "synthetic": notice.text,
        "synthetic_sources": ", ".join(str(f) for f in notice.files),
    }


def _calibration(source: str) -> Any:
    from junheng.monitoring.forecast import load_calibration

    if source.lower() == "none":
        return None
    try:
        return load_calibration(source)
    except FileNotFoundError as error:
        raise click.UsageError(f"--calibration: {error}") from error


@click.group()
def monitor() -> None:
    """Monitoring after accreditation (复查监测): trends, forecasts, warnings,
    data-quality checks and field-verification samples.

    \b
    Examples:
      junheng monitor run schools.parquet -o monitor.xlsx
      junheng monitor sample schools.parquet --county 410102 --year 2025 -o s.xlsx
      junheng monitor backtest examples/data/cn-nbs-province -o backtest.json
      junheng monitor calibrate examples/data/cn-nbs-province -o cal.json
    """


@monitor.command()
@_common
@click.option(
    "--year",
    "-y",
    type=int,
    default=None,
    help="Year of the data the warnings are raised for (default: the last one).",
)
@click.option(
    "--target",
    type=int,
    default=2035,
    show_default=True,
    help="Year of the point forecast and its interval: after the last year of "
    "the data and at most 2050.",
)
@click.option(
    "--level",
    type=click.FloatRange(0.5, 0.99),
    default=0.8,
    show_default=True,
    help="Coverage of the prediction intervals.",
)
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Date the warnings are raised on (default: today).",
)
@click.option(
    "--rules",
    default="cn-default",
    show_default=True,
    help="Warning rules: an installed id or a YAML file.",
)
@click.option(
    "--calibration",
    default="cn-nbs-province",
    show_default=True,
    help="Interval calibration: an installed id, a JSON file from "
    "'junheng monitor calibrate', or 'none' for the plain OLS intervals.",
)
@click.option(
    "--schedule",
    type=FilePath(output=False),
    default=None,
    help="Schedule of reaching the standard (.csv or .xlsx with division_code, "
    "target_year, note); adds the sheet schedule_progress.",
)
@click.option(
    "--store",
    "store_url",
    default=None,
    metavar="URL",
    help="Also store the warnings (and the --schedule) in the platform database "
    "at URL: new warnings are added, known ones kept, gone ones resolved.",
)
@lang_option
def run(
    files: tuple[Path, ...],
    framework: str,
    profile: str | None,
    encoding: str | None,
    county: str | None,
    output: Path,
    errors_report: Path,
    force: bool,
    year: int | None,
    target: int,
    level: float,
    today: dt.datetime | None,
    rules: str,
    calibration: str,
    schedule: Path | None,
    store_url: str | None,
    lang: Language,
) -> None:
    """Trends, forecasts, warnings and quality flags of every county in FILES.

    The data are evaluated once; every table is written to --output (one sheet
    each in .xlsx, one key each in .json). Intervals and the probabilities of
    meeting 2027 and 2035 are calibrated on real series (--calibration).
    """
    from junheng.monitoring import alerts, forecast
    from junheng.monitoring.pipeline import monitor as run_monitor
    from junheng.monitoring.schedule import national_division, read_schedule

    check_output(output, suffixes=TABLE_SUFFIXES)
    with import_errors(errors_report, lang), _stages(sys.stderr.isatty()) as progress:
        progress.add_task("评估与监测 / evaluating and monitoring", total=None)
        rule_set = alerts.load_rules(rules)
        calibrated = _calibration(calibration)
        plan = (
            read_schedule(
                schedule, national_division, encoding=encoding, known_by="national"
            )
            if schedule
            else None
        )
        ev, schools = _evaluate(files, framework, profile, county, encoding, lang)
        _check_years(ev.verdicts, year, target)
        tables = run_monitor(
            ev,
            schools,
            year=year,
            target_year=target,
            level=level,
            today=today.date() if today else None,
            rules=rule_set,
            calibration=calibrated,
            schedule=plan,
        )
        notes = {
            **_synthetic(files),
            "sources": [str(f) for f in files],
            "forecast": forecast.__doc__.split("\n\n")[1] if forecast.__doc__ else "",
            "interval_level": level,
            "interval": f"calibrated:{calibrated.id}" if calibrated else "ols",
            "rules": rule_set.id,
        }
        if store_url is not None:
            stored = _store(store_url, tables, ev.verdicts, plan, schedule)
            notes["stored"] = stored
        _write(tables, output, notes)


def _check_years(verdicts: pl.DataFrame, year: int | None, target: int) -> None:
    """Reject a --year without data and a --target outside the forecast range.

    Warnings raised for a year without data would all be about missing
    values, and a forecast for a year already observed, or past the last
    year searched for the expected year, is no forecast a plan can use.
    """
    from junheng.monitoring.forecast import HORIZON

    years = sorted(set(verdicts["year"].to_list()))
    listed = ", ".join(map(str, years))
    if year is not None and year not in years:
        raise InputError(
            f"--year {year}: the data have no school year {year}; they cover "
            f"{listed}, so give one of these years",
            zh=f"--year {year}：数据中没有 {year} 学年，只有 {listed} 学年，"
            "请填写其中一年",
        )
    last = years[-1]
    if not last < target <= HORIZON:
        raise InputError(
            f"--target {target}: the forecast year must come after the last "
            f"year of the data ({last}) and be at most {HORIZON}; give a year "
            f"from {last + 1} to {HORIZON}, such as 2035",
            zh=f"--target {target}：预测年份须晚于数据的最后一年（{last}），且不晚于 "
            f"{HORIZON} 年；请填写 {last + 1} 至 {HORIZON} 之间的年份，例如 2035",
        )


def _store(
    url: str,
    tables: dict[str, pl.DataFrame],
    verdicts: pl.DataFrame,
    plan: pl.DataFrame | None,
    schedule: Path | None,
) -> dict[str, int]:
    """Refresh the stored warnings (and targets) from one run, in one transaction."""
    from junheng.cli.platform import _transaction
    from junheng.services import warnings as service
    from junheng.services.access import SYSTEM

    warnings = tables["warnings"]
    year = warnings["year"].max() if warnings.height else verdicts["year"].max()
    covered = verdicts.filter(pl.col("year") == year).select("year", "division_code")
    with _transaction(url) as session:
        counts = service.refresh_warnings(session, SYSTEM, warnings, covered=covered)
        if plan is not None and schedule is not None:
            counts["targets"] = service.save_targets(
                session, SYSTEM, plan, schedule.name
            )
    _console().print(
        "已存入平台 / stored: " + ", ".join(f"{k} {v}" for k, v in counts.items()),
        highlight=False,
        markup=False,
    )
    return counts


@monitor.command()
@_common
@click.option("--year", "-y", type=int, required=True, help="School year sampled.")
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=None,
    help="Random seed; default: a new one, printed and recorded in the output, "
    "so that --seed with that number draws the same sample again.",
)
@click.option(
    "--confidence",
    type=click.FloatRange(0.5, 0.999),
    default=0.95,
    show_default=True,
    help="Confidence of the compliance-rate estimate.",
)
@click.option(
    "--margin",
    type=click.FloatRange(0.01, 0.5),
    default=0.10,
    show_default=True,
    help="Half-width of that estimate.",
)
@lang_option
def sample(
    files: tuple[Path, ...],
    framework: str,
    profile: str | None,
    encoding: str | None,
    county: str | None,
    output: Path,
    errors_report: Path,
    force: bool,
    year: int,
    seed: int | None,
    confidence: float,
    margin: float,
    lang: Language,
) -> None:
    """Draw the field-verification sample of one county (--county, 6 digits)."""
    from junheng.monitoring import quality, sampling
    from junheng.monitoring.pipeline import unit_values

    if not county:
        raise click.UsageError("--county names the county to sample")
    check_output(output, suffixes=TABLE_SUFFIXES)
    with import_errors(errors_report, lang):
        ev, schools = _evaluate(files, framework, profile, county, encoding, lang)
        codes = sorted(set(ev.verdicts["division_code"].to_list()))
        if len(codes) > 1:
            matched = ", ".join(codes[:5]) + (", …" if len(codes) > 5 else "")
            raise InputError(
                f"--county {county!r} matches {len(codes)} county-level divisions "
                f"({matched}); a sample is drawn in one county, so give its 6-digit "
                "code",
                zh=f"--county {county!r} 匹配 {len(codes)} 个县级行政区划"
                f"（{matched}）；抽样在一个县内进行，请填写该县的 6 位代码",
            )
        # A prefix that matches one county (13 for 130424 alone) names it.
        county = codes[0]
        units = unit_values(ev, year)
        if units.is_empty():
            years = ", ".join(map(str, sorted(set(ev.verdicts["year"].to_list()))))
            raise InputError(
                f"county {county} has no schools in {year}; its data cover "
                f"{years}, so give one of these years with --year",
                zh=f"县 {county} 在 {year} 学年没有学校；其数据覆盖 {years} 学年，"
                "请用 --year 指定其中一年",
            )
        stats_rows = ev.engine.query(
            f"SELECT * FROM county_stats WHERE year = {int(year)}"
        )
        indicators = [i.id for i in ev.framework.resource_indicators]
        flags = quality.check_schools(schools, unit_values(ev), indicators)
        flags = flags.filter(pl.col("year") == year)
        frame = sampling.sampling_frame(units, stats_rows, ev.framework, flags)
        if seed is None:
            seed = sampling.new_seed()
            _console().print(
                f"随机种子 / seed: {seed}（用 --seed {seed} 可重现 / "
                f"rerun with --seed {seed} to reproduce）",
                highlight=False,
                markup=False,
            )
        drawn, design = sampling.inspection_sample(
            frame, seed=seed, confidence=confidence, margin=margin
        )
        notes = {
            **_synthetic(files),
            "county": county,
            "year": year,
            "design": design.as_dict(),
        }
        _write({"sample": drawn.filter("drawn"), "frame": drawn}, output, notes)


def _nbs_series(folder: Path, encoding: str | None) -> pl.DataFrame:
    """Read the NBS province tables in ``folder``; a missing one is a usage error."""
    from junheng.monitoring.backtest import read_nbs_province

    try:
        return read_nbs_province(folder, encoding)
    except FileNotFoundError as error:
        raise click.UsageError(str(error)) from error
    except InputError as error:
        _fail(error)


@monitor.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--output",
    "-o",
    type=FilePath(output=True),
    required=True,
    help="Output file, .xlsx or .json.",
)
@encoding_option
@lang_option
@force_option
def backtest(
    folder: Path, output: Path, encoding: str | None, lang: Language, force: bool
) -> None:
    """Measure forecast-interval coverage on the NBS province tables in FOLDER.

    The last 3 years of each series are hidden; lines fitted on the 5 or 8 years
    before them are checked against the hidden values at 80% and 95%, with the
    plain OLS interval and with one calibrated on the years before the hidden
    ones. The coverage table is printed and, with every check, written to
    --output (one sheet each in .xlsx, one key each in .json).
    """
    from junheng.monitoring.backtest import backtest as run_backtest

    check_output(output, suffixes=TABLE_SUFFIXES)
    series = _nbs_series(folder, encoding)
    detail, summary = run_backtest(series, ["region_code", "series"])
    _console().print(_coverage_table(summary, lang))
    _write({"coverage": summary, "checks": detail}, output, {"source": str(folder)})


_COVERAGE_LABELS: dict[str, tuple[str, str]] = {
    "window": ("拟合年数", "fit years"),
    "method": ("区间", "interval"),
    "level": ("名义水平", "nominal level"),
    "horizon": ("预测年数", "years ahead"),
    "checks": ("检验数", "checks"),
    "coverage": ("实际覆盖率", "coverage"),
    "median_abs_pct_error": ("误差中位数（占实际值）", "median error (% of actual)"),
}
"""Chinese and English headers of the back-test coverage columns."""

_METHOD_LABELS = {
    "ols": ("普通最小二乘", "plain OLS"),
    "calibrated": ("校准", "calibrated"),
}


def _coverage_table(summary: pl.DataFrame, lang: Language) -> Table:
    """Build the terminal table of the back-test coverage ``summary``.

    Shares are shown as percentages with one decimal, as docs/monitoring.md
    lists them. The written file keeps the exact fractions. The median error
    is the absolute error of the point forecast over the actual value.
    """
    index = 0 if lang == "zh" else 1
    title = "预测区间回测覆盖率" if lang == "zh" else "Forecast interval coverage"
    table = Table(title=title)
    for name in summary.columns:
        numeric = name != "method"
        table.add_column(
            _COVERAGE_LABELS[name][index], justify="right" if numeric else "left"
        )
    for row in summary.iter_rows(named=True):
        table.add_row(
            str(row["window"]),
            _METHOD_LABELS[row["method"]][index],
            f"{row['level']:.0%}",
            str(row["horizon"]),
            str(row["checks"]),
            f"{row['coverage']:.1%}",
            f"{row['median_abs_pct_error']:.1%}",
        )
    return table


@monitor.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--output",
    "-o",
    type=FilePath(output=True),
    required=True,
    help="Calibration file to write (.json), for 'monitor run --calibration'.",
)
@click.option(
    "--id",
    "cal_id",
    default="cn-nbs-province",
    show_default=True,
    help="Name recorded in the file and in the forecasts' interval column.",
)
@encoding_option
@force_option
def calibrate(
    folder: Path, output: Path, cal_id: str, encoding: str | None, force: bool
) -> None:
    """Calibrate the forecast intervals on every year of the NBS tables in FOLDER.

    Every window of 3 to 10 consecutive years of each series is fitted and the
    years after it are scored (see junheng.monitoring.forecast).
    """
    import json

    from junheng.monitoring.forecast import calibrate as run_calibrate

    check_output(output, suffixes=(".json",))
    series = _nbs_series(folder, encoding)
    years = series["year"].cast(pl.Int64)
    result = run_calibrate(
        series,
        ["region_code", "series"],
        id=cal_id,
        source=f"NBS province tables {years.min()!r}–{years.max()!r}, "
        f"{series['region_code'].n_unique()} provinces",
    )
    text = json.dumps(with_generator(result.as_dict()), ensure_ascii=False)
    _atomic_write(output, lambda tmp: tmp.write_text(text + "\n", "utf-8"))
    _console().print(f"已写入 / written: {output}", highlight=False, markup=False)


@monitor.command()
@_url_option
@click.option(
    "--scope",
    default="",
    help="Division code of the region (2, 4 or 6 digits; empty: whole country).",
)
@click.option(
    "--to",
    "recipients",
    multiple=True,
    help="Recipient address of the region's digest; repeat for several.",
)
@click.option(
    "--users",
    "per_user",
    is_flag=True,
    help="Instead of --to, mail each active user with an e-mail address inside "
    "--scope the open warnings that user may read; users without any get none.",
)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default="zh",
    show_default=True,
    help="Language of the mail.",
)
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Date of the digest; warnings due before it are marked overdue.",
)
@click.option(
    "--escalate/--no-escalate",
    default=True,
    show_default=True,
    help="Escalate overdue warnings of the region before writing the digest.",
)
def digest(
    url: str | None,
    scope: str,
    recipients: tuple[str, ...],
    per_user: bool,
    lang: str,
    today: dt.datetime | None,
    escalate: bool,
) -> None:
    """E-mail the open warnings of a region (--scope) to --to, or to each
    user (--users).

    \b
    The SMTP server comes from the environment:
      JUNHENG_SMTP_HOST (required), JUNHENG_SMTP_PORT (25), JUNHENG_SMTP_USER,
      JUNHENG_SMTP_PASSWORD, JUNHENG_SMTP_FROM, JUNHENG_SMTP_STARTTLS (1 = on).
    """
    from junheng.cli import _fail
    from junheng.cli.platform import _transaction
    from junheng.errors import JunhengError
    from junheng.services import mail
    from junheng.services import warnings as service

    if per_user == bool(recipients):
        raise click.UsageError("give either --to ADDRESS or --users, not both")
    day = today.date() if today else dt.date.today()
    try:
        settings = mail.SmtpSettings.from_env()
        principal = service.scope_principal(scope)
        with _transaction(url) as session:
            service.require_division(session, scope)
            moved = service.escalate_overdue(session, principal, day) if escalate else 0
            if per_user:
                sent, empty, failed = _send_user_digests(
                    session, settings, day, lang, scope
                )
                if failed and not sent:
                    # Nothing reached anyone, so the escalations are not kept.
                    raise _mail_failed(settings, failed)
            else:
                found = service.open_warnings(session, principal)
                message = service.digest_message(found, scope, day, lang)
                message["To"] = ", ".join(recipients)
                mail.send(message, settings)
    except JunhengError as error:
        _fail(error)
    except OSError as error:
        raise _mail_failed(settings, [str(error)]) from error
    if not per_user:
        _console().print(
            f"已发送 / sent: {len(found)} 条预警 / warnings to {', '.join(recipients)}"
            f"（升级 / escalated: {moved}）",
            highlight=False,
            markup=False,
        )
        return
    _console().print(
        f"已发送 / sent: {sent}；无预警 / no warnings: {empty}"
        f"（升级 / escalated: {moved}）",
        highlight=False,
        markup=False,
    )
    if failed:
        raise _mail_failed(settings, failed)


def _mail_failed(settings: Any, failures: list[str]) -> click.ClickException:
    return click.ClickException(
        f"邮件未发送 / mail not sent: {settings.host}:{settings.port}: "
        + "; ".join(failures)
    )


def _send_user_digests(
    session: Any, settings: Any, day: dt.date, lang: str, scope: str
) -> tuple[int, int, list[str]]:
    """Mail each user's digest; return the mails sent, the users without
    open warnings and one line per failed mail. A failed mail does not stop
    the others."""
    from junheng.services import mail
    from junheng.services import warnings as service

    digests, empty = service.user_digests(session, day, lang, scope)
    failed: list[str] = []
    for user, message in digests:
        try:
            mail.send(message, settings)
        except OSError as error:
            failed.append(f"{user.username} <{user.email}>: {error}")
    return len(digests) - len(failed), empty, failed
