"""One call that runs trends, forecasts, warnings and checks on an evaluation."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter

from junheng import GENERATOR
from junheng.evaluation.verdict import Evaluation
from junheng.monitoring import alerts, forecast, quality, trends
from junheng.monitoring import schedule as plan


def unit_values(ev: Evaluation, year: int | None = None) -> pl.DataFrame:
    """Return the engine's per-school section values (of ``year`` if given)."""
    columns = [
        "year",
        "division_code",
        "school_code",
        "school_name",
        "section",
        "location",
        "province_code",
        "students",
        *(f"v_{i.id}" for i in ev.framework.resource_indicators),
    ]
    where = f" WHERE year = {int(year)}" if year is not None else ""
    return ev.engine.query(f"SELECT {', '.join(columns)} FROM unit_values{where}")


def monitor(
    ev: Evaluation,
    schools: pl.DataFrame,
    *,
    year: int | None = None,
    target_year: int = 2035,
    today: dt.date | None = None,
    rules: alerts.RuleSet | None = None,
    level: float = 0.8,
    calibration: forecast.Calibration | None = None,
    schedule: pl.DataFrame | None = None,
) -> dict[str, pl.DataFrame]:
    """Return every monitoring table of ``ev`` (warnings for ``year``, the last
    evaluated year by default).

    ``calibration`` corrects the forecast intervals and probabilities (none:
    the plain OLS ones); ``schedule`` (``division_code, target_year``) is the
    year each division is planned to reach the standard.
    """
    year = year if year is not None else int(ev.verdicts["year"].max())  # type: ignore[arg-type]
    county = trends.county_trends(ev)
    series = forecast.requirement_series(county, ev.framework)
    targets = (
        plan.county_targets(schedule, ev.verdicts["division_code"])
        if schedule is not None
        else None
    )
    milestones = set(forecast.MILESTONES)
    if targets is not None:
        milestones |= set(targets["target_year"].to_list())
    forecasts = forecast.forecast_series(
        series,
        forecast.SERIES_KEYS,
        target_year=target_year,
        level=level,
        milestones=sorted(milestones),
        calibration=calibration,
    )
    units = unit_values(ev)
    flags = quality.check_schools(
        schools, units, [i.id for i in ev.framework.resource_indicators]
    )
    warnings = alerts.raise_warnings(
        rules or alerts.load_rules(),
        year=year,
        today=today or dt.date.today(),
        framework=ev.framework,
        trends=county,
        verdicts=ev.verdicts,
        units=units,
        forecasts=forecasts,
        plans=targets,
    )
    tables = {
        "county_trends": county,
        "region_trends": trends.region_trends(ev),
        "forecasts": forecasts,
        "warnings": warnings,
        "quality_flags": flags,
        "quality_summary": quality.summarise_flags(flags),
    }
    if schedule is not None and targets is not None:
        tables["schedule_progress"] = plan.schedule_progress(
            schedule,
            ev.verdicts,
            forecasts,
            year=year,
            probability=plan.target_probability(forecasts, targets),
        )
    return tables


def write_tables(
    tables: dict[str, pl.DataFrame],
    path: Path,
    notes: dict[str, Any] | None = None,
    fmt: str | None = None,
) -> None:
    """Write ``tables`` as sheets of an .xlsx file or as one JSON object, which
    also has the ``generator`` and ``notes`` keys.

    ``fmt`` (``"xlsx"`` or ``"json"``) defaults to the suffix of ``path``.
    """
    fmt = fmt or path.suffix.lower().lstrip(".")
    if fmt == "json":
        doc: dict[str, Any] = {"generator": GENERATOR, "notes": notes or {}}
        doc |= {name: frame.to_dicts() for name, frame in tables.items()}
        path.write_text(
            json.dumps(doc, ensure_ascii=False, default=str, indent=1), "utf-8"
        )
        return
    if fmt != "xlsx":
        raise ValueError(f"{path}: the format must be xlsx or json, not {fmt!r}")
    with xlsxwriter.Workbook(str(path)) as book:
        if notes:
            sheet = book.add_worksheet("notes")
            for row, (key, value) in enumerate(notes.items()):
                sheet.write(row, 0, key)
                sheet.write(row, 1, json.dumps(value, ensure_ascii=False, default=str))
        for name, frame in tables.items():
            # Excel cannot hold list or struct cells; write them as text.
            flat = frame.with_columns(
                pl.col(c).cast(pl.String) if dtype.is_nested() else pl.col(c)
                for c, dtype in frame.schema.items()
            )
            flat.write_excel(book, worksheet=name[:31], autofit=flat.height < 5000)
