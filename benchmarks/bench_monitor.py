"""Benchmark the monitoring stages on the synthetic national dataset.

Builds the SYNTHETIC dataset of ``bench_evaluate.py`` (about 200,000 schools in
the 2,849 county-level divisions) over 10 years, evaluates it once, then times
each monitoring stage for every county: trends, forecasts, warnings and the
data-quality checks. Run::

    python benchmarks/bench_monitor.py [--years 10]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import time

import polars as pl

from junheng import demo
from junheng.evaluation.verdict import evaluate
from junheng.ingest.schema import SECTIONS
from junheng.monitoring import alerts, forecast, quality, trends
from junheng.monitoring.pipeline import unit_values
from junheng.standards.loader import load_framework


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--schools-per-county", type=float, default=70)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    fw = load_framework("cn-2017-quality")
    start = time.perf_counter()
    schools = demo.generate_schools(
        schools_per_county=args.schools_per_county, years=args.years
    )
    print(
        f"synthetic dataset: {schools.height:,} school-years, "
        f"{schools['division_code'].n_unique():,} counties, {args.years} years "
        f"(generated in {time.perf_counter() - start:.1f} s)"
    )
    stages: dict[str, float] = {}

    def timed(name: str, run: object) -> object:
        begin = time.perf_counter()
        result = run()  # type: ignore[operator]
        stages[name] = time.perf_counter() - begin
        print(f"{name}: {stages[name]:.2f} s", flush=True)
        return result

    ev = timed("evaluation (all years, once)", lambda: evaluate(schools, fw))
    county = timed("county trends", lambda: trends.county_trends(ev))
    timed("city/province/nation trends", lambda: trends.region_trends(ev))
    series = forecast.requirement_series(county, fw)
    forecasts = timed(
        "forecasts",
        lambda: forecast.forecast_series(
            series, forecast.SERIES_KEYS, target_year=2035
        ),
    )
    units = timed("per-school values from the engine", lambda: unit_values(ev))
    last = int(schools["year"].max())
    warnings = timed(
        "warnings",
        lambda: alerts.raise_warnings(
            alerts.load_rules(),
            year=last,
            today=dt.date(2026, 12, 1),
            framework=fw,
            trends=county,
            verdicts=ev.verdicts,
            units=units,
            forecasts=forecasts,
        ),
    )
    ids = [i.id for i in fw.resource_indicators]
    flags = timed(
        "data-quality checks", lambda: quality.check_schools(schools, units, ids)
    )
    monitoring = sum(v for k, v in stages.items() if not k.startswith("evaluation"))
    _time_checks(schools, units, ids)  # type: ignore[arg-type]
    print(
        f"series forecast: {forecasts.height:,}; warnings: {warnings.height:,}; "  # type: ignore[attr-defined]
        f"quality flags: {flags.height:,}"  # type: ignore[attr-defined]
    )
    print(f"monitoring stages together: {monitoring:.1f} s")
    total = monitoring + stages["evaluation (all years, once)"]
    print(f"with the evaluation: {total:.1f} s")


def _time_checks(schools: pl.DataFrame, units: pl.DataFrame, ids: list[str]) -> None:
    """Time each data-quality check alone (a second pass, not counted above)."""
    with_total = schools.with_columns(quality.total_students(schools).alias("students"))
    resource = [f for f in quality.RESOURCE_FIELDS if f in schools.columns]
    counts = [
        c
        for c in (
            *(f"{s}_students" for s in SECTIONS),
            *(f"{s}_teachers" for s in SECTIONS),
        )
        if c in schools.columns
    ]
    by = ("year", "division_code")
    checks = {
        "inconsistent": lambda: quality.inconsistent_values(schools),
        "year jumps": lambda: quality.year_jumps(with_total, resource),
        "copies": lambda: quality.copied_rows(schools, [*counts, *resource]),
        "last digits (per county-year)": lambda: [
            quality.digit_preference(schools, f, by) for f in counts
        ],
        "Benford (per province-year)": lambda: quality.benford(
            schools, "equipment_value_yuan", ("year", "province_code")
        ),
        "peer outliers": lambda: [
            quality.peer_outliers(
                units, f"v_{i}", ("section", "location", "province_code"), label=i
            )
            for i in ids
        ],
    }
    for name, run in checks.items():
        begin = time.perf_counter()
        run()
        print(f"  check {name}: {time.perf_counter() - begin:.2f} s", flush=True)


if __name__ == "__main__":
    main()
