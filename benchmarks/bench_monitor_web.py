"""Benchmark the monitoring pages' first and cached views on the national dataset.

Builds the SYNTHETIC dataset of ``junheng.demo`` (about 200,000 schools in the
2,849 county-level divisions) over ``--years`` years, serves it through a
:class:`~junheng.services.results.FrameSource` and the same caches the web app
uses (:class:`ResultsCache` for the yearly evaluations, :class:`MonitorCache`
for the monitoring tables), and times each page view twice: first, when it
builds the tables it needs, and again, when the caches serve it. The views are
built by the functions the routes call, so the figures leave out HTTP, the
session check and the store reads (see ``bench_web.py`` for those). The flag
view is rebuilt on every request, because it joins the county notes of the
store; only the flag table under it is cached. Run::

    python benchmarks/bench_monitor_web.py [--years 3] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

import polars as pl

from junheng import demo
from junheng.services.access import SYSTEM
from junheng.services.results import FrameSource, ResultsCache
from junheng.web.monitor import forecasts_view, samples_view, trend_view
from junheng.web.monitor_data import MonitorCache, MonitorData
from junheng.web.monitor_views import flag_view


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--schools-per-county", type=float, default=70)
    parser.add_argument("--repeat", type=int, default=5, help="cached runs per view")
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    start = time.perf_counter()
    schools = demo.generate_schools(
        schools_per_county=args.schools_per_county, years=args.years
    )
    print(
        f"synthetic dataset: {schools.height:,} school-years, "
        f"{schools['division_code'].n_unique():,} counties, {args.years} years "
        f"(generated in {time.perf_counter() - start:.1f} s)",
        flush=True,
    )

    source = FrameSource(schools)
    results = ResultsCache(max_entries=args.years + 2)
    begin = time.perf_counter()
    years = [results.result(source, y) for y in source.years()]
    print(
        f"yearly evaluations (the dashboards' cache): "
        f"{time.perf_counter() - begin:.1f} s",
        flush=True,
    )

    data = MonitorData(MonitorCache(), years, source.generation())
    county = str(schools["division_code"].sort()[0])
    province = county[:2]
    last_year = years[-1].key.year
    views: list[tuple[str, Callable[[], Any]]] = [
        ("trends, nation", lambda: trend_view(data, "", "zh")),
        ("trends, province", lambda: trend_view(data, province, "zh")),
        ("trends, county", lambda: trend_view(data, county, "zh")),
        (
            "forecasts, province",
            lambda: forecasts_view(data, SYSTEM, province, "zh", None, None),
        ),
        (
            "flags, province",
            lambda: flag_view(
                data.flags().filter(pl.col("division_code").str.starts_with(province)),
                {},
                province,
                "zh",
            ),
        ),
        (
            "sample, county",
            lambda: samples_view(data, county, last_year, 7, 0.95, 0.10),
        ),
    ]

    print(f"{'view':<22} {'first s':>9} {'cached ms':>10} {'ratio':>8}")
    for name, build in views:
        begin = time.perf_counter()
        build()
        first = time.perf_counter() - begin
        cached = []
        for _ in range(args.repeat):
            begin = time.perf_counter()
            build()
            cached.append(time.perf_counter() - begin)
        median = statistics.median(cached)
        print(
            f"{name:<22} {first:>9.2f} {median * 1000:>10.3f} {first / median:>8.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
