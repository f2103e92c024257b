"""Monitoring tables of approved data, built from the cached evaluations.

The monitoring functions of :mod:`junheng.monitoring` take one evaluation of a
multi-year school frame. The platform already keeps one evaluation per year in
:class:`~junheng.services.results.ResultsCache`, so :func:`combined_evaluation`
joins their verdicts, section statistics and roll-ups instead of evaluating
every year again. The engine computes each of these per year, so the joined
tables equal those of one evaluation of all years (a test checks this).

:class:`MonitorCache` keeps each derived table per data generation: the first
request after an approval builds it, and every later request reuses it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import replace
from functools import cache
from typing import Any, TypeVar

import polars as pl

from junheng.evaluation.rollup import Rollups
from junheng.evaluation.verdict import Evaluation
from junheng.monitoring import forecast, quality, sampling, trends
from junheng.monitoring.pipeline import unit_values
from junheng.services.results import YearResult

T = TypeVar("T")

CALIBRATION = "cn-nbs-province"
"""The interval calibration the pages use, as ``junheng monitor run`` does."""
LEVEL = 0.8
"""Coverage of the forecast intervals."""
TARGET_YEAR = max(forecast.MILESTONES)
"""Year of the point forecast and its interval (2035)."""
CACHE_ENTRIES = 256
"""Derived tables kept at most; the oldest unused one goes first."""

_MISSING = object()


class MonitorCache:
    """Derived monitoring values per data generation, each built once.

    Concurrent requests for the same key wait for one build. Values of an older
    generation are dropped as soon as a newer one is stored, and at most
    :data:`CACHE_ENTRIES` values are kept. ``builds`` counts the values built.
    """

    def __init__(self, max_entries: int = CACHE_ENTRIES) -> None:
        self.max_entries = max_entries
        self.builds = 0
        self._values: OrderedDict[tuple[int, Hashable], Any] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[tuple[int, Hashable], threading.Lock] = {}

    def get(self, generation: int, key: Hashable, build: Callable[[], T]) -> T:
        """Return the value of ``key`` in ``generation``, building it on first use."""
        full = (generation, key)
        with self._lock:
            found = self._values.get(full, _MISSING)
            if found is not _MISSING:
                self._values.move_to_end(full)
                return found  # type: ignore[no-any-return]
            key_lock = self._key_locks.setdefault(full, threading.Lock())
        with key_lock:
            with self._lock:
                found = self._values.get(full, _MISSING)
            if found is not _MISSING:
                return found  # type: ignore[no-any-return]
            built = build()
            with self._lock:
                self.builds += 1
                self._key_locks.pop(full, None)
                if all(g <= generation for g, _ in self._values):
                    for old in [k for k in self._values if k[0] < generation]:
                        del self._values[old]
                    self._values[full] = built
                    while len(self._values) > self.max_entries:
                        self._values.popitem(last=False)
            return built


def combined_evaluation(results: list[YearResult]) -> Evaluation:
    """Return one evaluation with the verdicts, sections and roll-ups of every
    year in ``results`` (oldest first).

    The engine, framework and explanations are those of the last year; only
    the tables the monitoring functions read are joined.
    """
    last = results[-1].evaluation

    def joined(pick: Callable[[Evaluation], pl.DataFrame]) -> pl.DataFrame:
        frames = [pick(r.evaluation) for r in results]
        return pl.concat([f for f in frames if f.width], how="diagonal_relaxed")

    rollups = Rollups(
        verdicts=joined(lambda ev: ev.rollups.verdicts),
        indicators=joined(lambda ev: ev.rollups.indicators),
    )
    return replace(
        last,
        verdicts=joined(lambda ev: ev.verdicts),
        sections=joined(lambda ev: ev.sections),
        rollups=rollups,
        _cache={},
    )


@cache
def calibration() -> forecast.Calibration:
    """Return the installed calibration of the forecast intervals."""
    return forecast.load_calibration(CALIBRATION)


class MonitorData:
    """The monitoring tables of every approved year (internal audience).

    ``results`` are the cached evaluations of the years, oldest first, and
    ``generation`` the data generation they were read at.
    """

    def __init__(
        self, cache: MonitorCache, results: list[YearResult], generation: int
    ) -> None:
        self.cache = cache
        self.results = results
        self.generation = generation
        self.years = [r.key.year for r in results]
        self.framework = results[-1].framework

    def memo(self, key: Hashable, build: Callable[[], T]) -> T:
        """Return the value of ``key`` for these years and this generation,
        building it on first use."""
        return self.cache.get(
            self.generation, (self.framework.id, tuple(self.years), key), build
        )

    def evaluation(self) -> Evaluation:
        """Return the evaluation of all years (see :func:`combined_evaluation`)."""
        return self.memo("evaluation", lambda: combined_evaluation(self.results))

    def county_trends(self) -> pl.DataFrame:
        """Return :func:`junheng.monitoring.trends.county_trends` of all years."""
        return self.memo(
            "county_trends", lambda: trends.county_trends(self.evaluation())
        )

    def region_trends(self) -> pl.DataFrame:
        """Return :func:`junheng.monitoring.trends.region_trends` of all years."""
        return self.memo(
            "region_trends", lambda: trends.region_trends(self.evaluation())
        )

    def region_verdicts(self) -> pl.DataFrame:
        """Return the verdict counts of every region and year."""
        return self.evaluation().rollups.verdicts

    def cv_series(self) -> pl.DataFrame:
        """Return the CV series of every county, section and indicator."""

        def build() -> pl.DataFrame:
            series = forecast.requirement_series(self.county_trends(), self.framework)
            return series.filter(pl.col("metric") == "cv")

        return self.memo("cv_series", build)

    def forecasts(self) -> pl.DataFrame:
        """Return the calibrated forecast of every county CV series to 2035."""
        return self.memo(
            "forecasts",
            lambda: forecast.forecast_series(
                self.cv_series(),
                forecast.SERIES_KEYS,
                target_year=TARGET_YEAR,
                level=LEVEL,
                calibration=calibration(),
            ),
        )

    def requirement_forecasts(self, milestones: tuple[int, ...]) -> pl.DataFrame:
        """Return the calibrated forecasts of every county's CV and compliance
        series, with the probability of meeting each in the ``milestones``
        years (the schedule's years), as ``junheng monitor run`` computes them."""

        def build() -> pl.DataFrame:
            series = forecast.requirement_series(self.county_trends(), self.framework)
            return forecast.forecast_series(
                series.filter(pl.col("metric").is_in(["cv", "share_compliant"])),
                forecast.SERIES_KEYS,
                target_year=TARGET_YEAR,
                level=LEVEL,
                milestones=milestones,
                calibration=calibration(),
            )

        return self.memo(("requirement_forecasts", milestones), build)

    def band(self, county: str) -> pl.DataFrame:
        """Return the history and the forecast band of one county's CV series.

        One row per section, indicator and year: ``observed`` up to the last
        reported year, then ``forecast``, ``lower`` and ``upper`` of each year
        up to 2035 (the calibrated interval at :data:`LEVEL`).
        """

        def build() -> pl.DataFrame:
            series = self.cv_series().filter(pl.col("division_code") == county)
            keys = ["section", "indicator"]
            observed = series.select(
                *keys, "year", pl.col("value").alias("observed"), "limit"
            )
            if series.is_empty():
                return observed
            last = int(series["year"].max())  # type: ignore[arg-type]
            ahead = []
            for year in range(last + 1, TARGET_YEAR + 1):
                found = forecast.forecast_series(
                    series,
                    forecast.SERIES_KEYS,
                    target_year=year,
                    level=LEVEL,
                    milestones=(),
                    calibration=calibration(),
                )
                ahead.append(
                    found.filter(pl.col("status") == "ok").select(
                        *keys,
                        pl.lit(year).alias("year"),
                        "forecast",
                        "lower",
                        "upper",
                        "limit",
                    )
                )
            rows = pl.concat([observed, *ahead], how="diagonal_relaxed")
            return rows.sort(*keys, "year")

        return self.memo(("band", county), build)

    def schools(self) -> pl.DataFrame:
        """Return the approved school rows of every year."""
        return self.memo(
            "schools",
            lambda: pl.concat(
                [r.schools for r in self.results], how="diagonal_relaxed"
            ),
        )

    def units(self) -> pl.DataFrame:
        """Return the engine's per-school section values of every year."""

        def build() -> pl.DataFrame:
            parts = []
            for result in self.results:
                with result.lock:
                    parts.append(unit_values(result.evaluation))
            return pl.concat(parts, how="diagonal_relaxed")

        return self.memo("units", build)

    def flags(self) -> pl.DataFrame:
        """Return :func:`junheng.monitoring.quality.check_schools` of all years.

        NOTE: on the national dataset this is the slowest table (about 40 s for
        3 years on a loaded 2-core machine), paid by the first flag request
        after each approval.
        """
        indicators = [i.id for i in self.framework.resource_indicators]
        return self.memo(
            "flags",
            lambda: quality.check_schools(self.schools(), self.units(), indicators),
        )

    def sample(
        self, county: str, year: int, seed: int, confidence: float, margin: float
    ) -> tuple[pl.DataFrame, sampling.SampleDesign] | None:
        """Draw the field-verification sample of ``county`` in ``year``, as
        ``junheng monitor sample`` does; ``None`` when it has no schools."""

        def build() -> tuple[pl.DataFrame, sampling.SampleDesign] | None:
            units = self.units().filter(
                (pl.col("year") == year) & (pl.col("division_code") == county)
            )
            if units.is_empty():
                return None
            result = self.results[self.years.index(year)]
            with result.lock:
                stats = result.evaluation.engine.query(
                    "SELECT * FROM county_stats WHERE year = "
                    f"{int(year)} AND division_code = '{county}'"
                )
            flags = self.flags().filter(
                (pl.col("year") == year) & (pl.col("division_code") == county)
            )
            frame = sampling.sampling_frame(units, stats, self.framework, flags)
            return sampling.inspection_sample(
                frame, seed=seed, confidence=confidence, margin=margin
            )

        return self.memo(("sample", county, year, seed, confidence, margin), build)
