"""Linear-trend forecasts with prediction intervals, target years and odds.

Method
------
Each yearly series ``y_t`` is fitted by ordinary least squares on the year,
``y_t = a + b·t + e_t`` with independent normal errors (statsmodels ``OLS``).
The forecast for year ``t0`` is ``ŷ = a + b·t0``; its prediction interval at
level ``1 − α`` is::

    ŷ ± t(1 − α/2, n − 2) · s · sqrt(1 + x0ᵀ (XᵀX)⁻¹ x0),   s² = Σ e_t² / (n − 2)

the same interval as statsmodels' ``get_prediction(...).summary_frame()``
``obs_ci_lower``/``obs_ci_upper``. A straight line suits 3–10 yearly points:
it has two parameters, an exact small-sample interval that widens as ``n``
falls, and no smoothing constants to estimate from a handful of years (Holt's
damped trend needs three and is unstable on so few points).

Series with fewer than :data:`MIN_POINTS` (3) reported years get no forecast:
two points fit a line exactly and leave no degree of freedom to estimate the
error, so no interval exists. A series whose points lie exactly on a line has
``s = 0``; its interval collapses to the line and its probabilities are 0 or 1.

For a requirement ``value ≤ limit`` (a CV) or ``value ≥ limit`` (a share or a
mean), the probability of meeting it in year ``T`` is the predictive t
probability ``P(y_T ≤ limit) = F_t((limit − ŷ_T) / se_T; n − 2)``; a year that
was already observed uses the observation (0 or 1). The expected year is the
last observed year when its value already meets the requirement, else the first
whole year at which the fitted line reaches the limit, or null when the trend
moves away from it or reaches it after :data:`HORIZON`.

Calibration
-----------
On real yearly series the errors of a straight line are neither independent
nor normal (trends bend, shocks persist), and the interval above is too
narrow. A :class:`Calibration` corrects it empirically. For every fit of a
``w``-year window on past data and every later year ``h`` years ahead, the
probability integral transform ``u = F_t((y − ŷ)/se; w − 2)`` of the observed
value is recorded; a well-specified model gives uniform ``u``. A new forecast
with ``w`` points, ``h`` years ahead, then uses the empirical distribution
``G`` of the recorded ``u`` of that window and horizon::

    P(y ≤ x)  = G(F_t((x − ŷ)/se; n − 2))
    interval  = ŷ + se · F_t⁻¹(u_(k_lo)),  ŷ + se · F_t⁻¹(u_(k_hi))

where ``u_(k)`` is the ``k``-th smallest of the ``m`` recorded values,
``k_lo = ⌊(m + 1)·α/2⌋`` and ``k_hi = ⌈(m + 1)·(1 − α/2)⌉`` (split-conformal
order statistics; a bound whose ``k`` falls outside ``1 … m`` is infinite).
When the recorded ``u`` are uniform this gives back the interval above.

NOTE: the installed calibration (``cn-nbs-province``) is learned on province
totals, whose errors may differ from those of county CV series.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
import statsmodels.api as sm
from scipy import stats

from junheng.engine.queries import RELATIVE_TOLERANCE
from junheng.standards.model import Framework

MIN_POINTS = 3
"""Fewest reported years that get a forecast."""
HORIZON = 2050
"""Latest year searched for the expected year of meeting a requirement."""
MILESTONES = (2027, 2035)
"""Years of the national targets."""

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Calibration:
    """Recorded probability integral transforms of past forecasts.

    ``pit`` maps ``(window, horizon)`` to the sorted values ``u`` recorded for
    fits on ``window`` years, ``horizon`` years ahead. A forecast uses the
    nearest recorded window to its number of points and, beyond the longest
    recorded horizon of that window, the longest one.
    """

    id: str
    source: str
    pit: Mapping[tuple[int, int], Floats]

    def _values(self, window: int, horizon: int) -> Floats:
        windows = sorted({w for w, _ in self.pit})
        nearest = min(windows, key=lambda w: (abs(w - window), w))
        horizons = sorted(h for w, h in self.pit if w == nearest)
        h = min(max(horizon, horizons[0]), horizons[-1])
        return self.pit[(nearest, h)]

    def bounds(self, window: int, horizon: int, level: float) -> tuple[float, float]:
        """Return the PIT values that bound the calibrated ``level`` interval."""
        values = self._values(window, horizon)
        m = len(values)
        alpha = 1.0 - level
        k_lo = math.floor((m + 1) * alpha / 2 + 1e-9)
        k_hi = math.ceil((m + 1) * (1 - alpha / 2) - 1e-9)
        lo = float(values[k_lo - 1]) if k_lo >= 1 else 0.0
        hi = float(values[k_hi - 1]) if k_hi <= m else 1.0
        return lo, hi

    def cdf(self, window: int, horizon: int, u: Floats) -> Floats:
        """Return the share of recorded values at or below each ``u``."""
        values = self._values(window, horizon)
        share: Floats = np.searchsorted(values, u, side="right") / len(values)
        return share

    def as_dict(self, max_values: int = 201) -> dict[str, object]:
        """Return the JSON form read by :func:`load_calibration`.

        A cell with more than ``max_values`` recorded values is stored as that
        many evenly spaced quantiles of them (``n`` keeps the true count); the
        bounds then move by at most ``1/(max_values − 1)`` in probability.
        """

        def cell(values: Floats) -> list[float]:
            if len(values) > max_values:
                values = np.quantile(values, np.linspace(0, 1, max_values))
            return [round(float(x), 6) for x in values]

        return {
            "id": self.id,
            "source": self.source,
            "pit": [
                {"window": w, "horizon": h, "n": len(v), "u": cell(v)}
                for (w, h), v in sorted(self.pit.items())
            ],
        }


def load_calibration(source: str | Path = "cn-nbs-province") -> Calibration:
    """Load a calibration: an installed id or a JSON file written by
    :meth:`Calibration.as_dict`."""
    path = Path(source)
    if path.suffix.lower() == ".json" or path.exists():
        if not path.exists():
            raise FileNotFoundError(f"calibration file {str(path)!r} does not exist")
        text = path.read_text("utf-8")
    else:
        installed = resources.files("junheng.monitoring") / "calibration"
        entry = installed / f"{source}.json"
        if not entry.is_file():
            names = sorted(
                p.name.removesuffix(".json")
                for p in installed.iterdir()
                if p.name.endswith(".json")
            )
            raise FileNotFoundError(
                f"no installed calibration {str(source)!r}; installed: "
                f"{', '.join(names)}, or give a .json file"
            )
        text = entry.read_text("utf-8")
    doc = json.loads(text)
    return Calibration(
        id=str(doc["id"]),
        source=str(doc["source"]),
        pit={
            (int(e["window"]), int(e["horizon"])): np.sort(
                np.asarray(e["u"], dtype=float)
            )
            for e in doc["pit"]
        },
    )


def calibrate(
    series: pl.DataFrame,
    keys: Sequence[str],
    *,
    windows: Sequence[int] = tuple(range(MIN_POINTS, 11)),
    max_horizon: int = 15,
    id: str = "calibration",
    source: str = "",
) -> Calibration:
    """Record the PIT of every rolling-window forecast of ``series``.

    Every run of ``window`` consecutive years of a series is fitted and each
    later observed year up to ``max_horizon`` ahead is scored. Windows whose fit
    is exact (zero spread) give no score. ``series`` has the ``keys`` columns,
    ``year`` and ``value``.
    """
    keys = list(keys)
    wide = (
        series.filter(pl.col("value").is_not_null() & pl.col("value").is_finite())
        .with_columns(pl.concat_str(keys, separator="|").alias("_key"))
        .pivot(on="_key", index="year", values="value")
        .sort("year")
    )
    first, last = int(wide["year"].min()), int(wide["year"].max())  # type: ignore[arg-type]
    years = np.arange(first, last + 1, dtype=float)
    matrix = np.full((len(years), wide.width - 1), np.nan)
    matrix[(wide["year"].to_numpy() - first).astype(int)] = (
        wide.drop("year").to_numpy().astype(float)
    )
    scores: dict[tuple[int, int], list[Floats]] = {}
    for window in windows:
        for end in range(window - 1, len(years) - 1):
            rows = slice(end - window + 1, end + 1)
            cols = ~np.isnan(matrix[rows]).any(axis=0)
            if not cols.any():
                continue
            fit = _fit(years[rows], matrix[rows][:, cols])
            for horizon in range(1, min(max_horizon, len(years) - 1 - end) + 1):
                actual = matrix[end + horizon, cols]
                mean, se = fit.predict(years[end] + horizon)
                keep = ~np.isnan(actual) & (se > 0)
                u = stats.t.cdf((actual[keep] - mean[keep]) / se[keep], fit.df)
                scores.setdefault((window, horizon), []).append(u)
    pit = {k: np.sort(np.concatenate(v)) for k, v in scores.items()}
    pit = {k: v for k, v in pit.items() if len(v)}
    if not pit:
        raise ValueError("the series are too short to calibrate any window")
    return Calibration(id=id, source=source, pit=pit)


@dataclass(frozen=True)
class _Fit:
    """OLS fits of several series observed in the same years."""

    years: Floats
    centre: float
    params: Floats  # (2, m)
    scale: Floats  # (m,) residual variance s²
    cov: Floats  # (2, 2) (XᵀX)⁻¹
    df: int

    def predict(self, year: float) -> tuple[Floats, Floats]:
        """Return the point forecasts and prediction standard errors at ``year``."""
        x0 = np.array([1.0, year - self.centre])
        mean = x0 @ self.params
        se = np.sqrt(self.scale * (1.0 + x0 @ self.cov @ x0))
        return mean, se


def _fit(years: Floats, values: Floats) -> _Fit:
    centre = float(years.mean())
    design = sm.add_constant(years - centre, has_constant="add")
    result = sm.OLS(values, design).fit()
    resid = np.asarray(result.resid).reshape(len(years), -1)
    df = len(years) - 2
    params = np.asarray(result.params).reshape(2, -1)
    # Exact fits leave round-off residuals; treat them as zero spread.
    scale = (resid**2).sum(axis=0) / df
    scale[scale <= 1e-24 * (1.0 + (values**2).reshape(len(years), -1).max(axis=0))] = 0
    return _Fit(
        years=years,
        centre=centre,
        params=params,
        scale=scale,
        cov=np.asarray(result.normalized_cov_params),
        df=df,
    )


def _probability(
    mean: Floats, se: Floats, limit: Floats, lower: Floats, df: int
) -> Floats:
    """P(y ≤ limit) where ``lower`` else P(y ≥ limit), under a t(df) forecast."""
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (limit - mean) / se
    # A forecast without spread is certain: the value meets the limit as the
    # verdict would judge it, near ties included, or it does not.
    certain = np.asarray(_meets(mean, limit, lower), dtype=float)
    below = np.where(se > 0, stats.t.cdf(z, df), certain)
    above = np.where(se > 0, stats.t.sf(z, df), certain)
    return np.where(np.isnan(limit), np.nan, np.where(lower, below, above))


def _expected_year(
    last_year: int,
    last_value: float,
    a: float,
    b: float,
    centre: float,
    limit: float,
    lower: bool,
) -> tuple[int | None, str]:
    if math.isnan(limit):
        return None, "no_requirement"
    if _meets(np.asarray(last_value), np.asarray(limit), np.asarray(lower)):
        return last_year, "already_met"
    towards = (b < 0) if lower else (b > 0)
    if not towards:
        return None, "trend_moves_away"
    crossing = centre + (limit - a) / b
    year = max(last_year + 1, math.ceil(crossing - 1e-9))
    if year > HORIZON:
        return None, "after_horizon"
    return year, "on_trend"


def _meets(value: Floats, limit: Floats, lower: Any) -> Any:
    """Return whether ``value`` meets ``limit`` (``≤`` where ``lower``, else
    ``≥``) as the verdict judges it, with near ties counted as met."""
    margin = np.abs(limit) * RELATIVE_TOLERANCE
    return np.where(lower, value <= limit + margin, value >= limit - margin)


def forecast_series(
    series: pl.DataFrame,
    keys: Sequence[str],
    *,
    target_year: int,
    level: float = 0.8,
    milestones: Sequence[int] = MILESTONES,
    calibration: Calibration | None = None,
) -> pl.DataFrame:
    """Forecast every series of ``series`` to ``target_year``.

    Parameters
    ----------
    series
        Long frame: the ``keys`` columns, ``year``, ``value`` and optionally
        ``limit`` (float) and ``op`` (``"<="`` or ``">="``) naming the
        requirement. Null values are left out.
    keys
        Columns that identify one series.
    target_year
        Year of the point forecast and its interval.
    level
        Coverage of the prediction interval, e.g. 0.8 for 80%.
    milestones
        Years whose probability of meeting the requirement is reported, as
        ``p_meet_<year>``.
    calibration
        Empirical correction of the intervals and probabilities (see the
        module notes); without it they are the OLS ones.

    Returns one row per series: ``n_points``, ``first_year``, ``last_year``,
    ``last_value``, ``slope`` (per year), ``forecast``, ``lower``, ``upper``,
    ``expected_year``, ``expected_reason``, the milestone probabilities and
    ``status`` (``ok`` or ``too_few_points``) with its ``reason`` and
    ``interval`` (``ols`` or ``calibrated:<id>``). The interval bounds of a
    ``metric`` of :data:`METRIC_RANGES` are clipped to its range.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must lie between 0 and 1, got {level}")
    keys = list(keys)
    frame = series.filter(pl.col("value").is_not_null() & pl.col("value").is_finite())
    for name, default in (("limit", pl.lit(None, pl.Float64)), ("op", pl.lit("<="))):
        if name not in frame.columns:
            frame = frame.with_columns(default.alias(name))
    grouped = (
        frame.sort("year")
        .group_by(keys, maintain_order=True)
        .agg(
            pl.col("year"),
            pl.col("value"),
            pl.col("limit").drop_nulls().last(),
            pl.col("op").last(),
        )
        .with_columns(pl.col("year").list.len().alias("n_points"))
    )
    short = grouped.filter(pl.col("n_points") < MIN_POINTS)
    rows: list[pl.DataFrame] = []
    enough = grouped.filter(pl.col("n_points") >= MIN_POINTS).with_columns(
        pl.col("year").cast(pl.List(pl.String)).list.join(",").alias("_years")
    )
    for (_,), group in enough.group_by(["_years"], maintain_order=True):
        rows.append(_forecast_group(group, target_year, level, milestones, calibration))
    done = pl.concat(rows, how="diagonal") if rows else None
    skipped = short.select(
        *keys,
        "n_points",
        pl.col("year").list.first().alias("first_year"),
        pl.col("year").list.last().alias("last_year"),
        pl.col("value").list.last().alias("last_value"),
        "limit",
        "op",
        pl.lit("too_few_points").alias("status"),
        pl.format(
            "only {} reported year(s); a forecast needs at least {} to estimate "
            "its error",
            pl.col("n_points"),
            pl.lit(MIN_POINTS),
        ).alias("reason"),
    )
    out = pl.concat([f for f in (done, skipped) if f is not None], how="diagonal")
    columns: dict[str, pl.DataType | type[pl.DataType]] = {
        "slope": pl.Float64,
        "forecast": pl.Float64,
        "lower": pl.Float64,
        "upper": pl.Float64,
        "expected_year": pl.Int64,
        "expected_reason": pl.String,
        "interval": pl.String,
        **{f"p_meet_{y}": pl.Float64 for y in milestones},
    }
    out = out.with_columns(
        pl.lit(None, dtype).alias(name)
        for name, dtype in columns.items()
        if name not in out.columns
    )
    out = clip_intervals(out.with_columns(pl.lit(target_year).alias("forecast_year")))
    return out.sort(keys)


def _interval(
    fit: _Fit,
    year: int,
    level: float,
    calibration: Calibration | None,
) -> tuple[Floats, Floats, Floats]:
    """Return the forecast at ``year`` and its (calibrated) interval."""
    mean, se = fit.predict(year)
    if calibration is None:
        lo_u, hi_u = 0.5 - level / 2, 0.5 + level / 2
    else:
        horizon = year - int(fit.years[-1])
        lo_u, hi_u = calibration.bounds(len(fit.years), horizon, level)
    with np.errstate(invalid="ignore"):
        # se = 0 (an exact line) collapses the interval, even an infinite one.
        low = np.where(se > 0, mean + se * stats.t.ppf(lo_u, fit.df), mean)
        high = np.where(se > 0, mean + se * stats.t.ppf(hi_u, fit.df), mean)
    return mean, low, high


def _forecast_group(
    group: pl.DataFrame,
    target_year: int,
    level: float,
    milestones: Sequence[int],
    calibration: Calibration | None,
) -> pl.DataFrame:
    years = np.asarray(group["year"][0], dtype=float)
    values = np.asarray(group["value"].to_list(), dtype=float).T  # (n, m)
    fit = _fit(years, values)
    limit = group["limit"].cast(pl.Float64).fill_null(float("nan")).to_numpy()
    lower = (group["op"] == "<=").to_numpy()
    mean, low, high = _interval(fit, target_year, level, calibration)
    interval = "ols" if calibration is None else f"calibrated:{calibration.id}"
    columns: dict[str, object] = {
        "slope": fit.params[1],
        "forecast": mean,
        "lower": low,
        "upper": high,
        "interval": [interval] * len(mean),
        "status": ["ok"] * len(mean),
        "reason": [""] * len(mean),
    }
    observed = {int(y): values[i] for i, y in enumerate(years)}
    for year in milestones:
        if year in observed:
            seen = observed[year]
            p = _meets(np.asarray(seen), limit, lower).astype(float)
            p[np.isnan(limit)] = np.nan
        else:
            m, s = fit.predict(year)
            p = _probability(m, s, limit, lower, fit.df)
            if calibration is not None:
                # P(y ≤ limit) = G(F_t(z)); where se = 0 the line decides alone.
                with np.errstate(divide="ignore", invalid="ignore"):
                    u = stats.t.cdf((limit - m) / s, fit.df)
                below = calibration.cdf(len(years), year - int(years[-1]), u)
                calibrated = np.where(lower, below, 1.0 - below)
                p = np.where((s > 0) & ~np.isnan(limit), calibrated, p)
        columns[f"p_meet_{year}"] = p
    expected = [
        _expected_year(
            int(years[-1]),
            float(values[-1, j]),
            float(fit.params[0, j]),
            float(fit.params[1, j]),
            fit.centre,
            float(limit[j]),
            bool(lower[j]),
        )
        for j in range(values.shape[1])
    ]
    columns["expected_year"] = pl.Series([e[0] for e in expected], dtype=pl.Int64)
    columns["expected_reason"] = [e[1] for e in expected]
    return group.select(
        pl.exclude("year", "value", "_years"),
        pl.col("year").list.first().alias("first_year"),
        pl.col("year").list.last().alias("last_year"),
        pl.col("value").list.last().alias("last_value"),
    ).with_columns(**{k: pl.Series(k, v) for k, v in columns.items()})  # type: ignore[arg-type]


def requirement_series(trends: pl.DataFrame, framework: Framework) -> pl.DataFrame:
    """Turn county trends into the series whose requirements are forecast.

    ``metric`` is ``cv`` (requirement ``cv ≤ cv_limit``), ``mean`` (the county
    mean against the school threshold, ``≥`` or ``≤`` after the indicator's
    direction) and ``share_compliant`` (every school compliant, ``≥ 1``).
    """
    thresholds = pl.DataFrame(
        [
            {
                "section": s,
                "indicator": ind.id,
                "threshold": (ind.threshold or {}).get(s),
                "op": ">=" if ind.direction == "higher" else "<=",
            }
            for ind in framework.resource_indicators
            for s in framework.sections
        ],
        schema={
            "section": pl.String,
            "indicator": pl.String,
            "threshold": pl.Float64,
            "op": pl.String,
        },
    )
    base = ["division_code", "section", "indicator", "year"]
    cv = trends.select(
        *base,
        pl.lit("cv").alias("metric"),
        pl.col("cv").alias("value"),
        pl.col("cv_limit").alias("limit"),
        pl.lit("<=").alias("op"),
    )
    mean = (
        trends.select(
            *base, pl.lit("mean").alias("metric"), pl.col("mean").alias("value")
        )
        .join(thresholds, on=["section", "indicator"], how="left")
        .rename({"threshold": "limit"})
    )
    share = (
        trends.filter(pl.col("indicator") == framework.resource_indicators[0].id)
        .select(
            *base,
            pl.lit("share_compliant").alias("metric"),
            pl.col("share_compliant").alias("value"),
            pl.lit(1.0).alias("limit"),
            pl.lit(">=").alias("op"),
        )
        .with_columns(pl.lit("all").alias("indicator"))
    )
    return pl.concat([cv, mean, share], how="diagonal_relaxed")


METRIC_RANGES: dict[str, tuple[float, float]] = {
    "cv": (0.0, math.inf),
    "share_compliant": (0.0, 1.0),
}
"""The values each metric of :func:`requirement_series` can take: a CV is not
negative, and a share lies between 0 and 1."""


def clip_intervals(forecasts: pl.DataFrame) -> pl.DataFrame:
    """Clip the interval bounds of each metric to the values it can take.

    An interval around a straight line does not know these bounds, so near
    one it can extend past it (a CV interval from -0.009, say). The point forecast,
    the probabilities and the expected year are left as they are.
    """
    if "metric" not in forecasts.columns:
        return forecasts
    low, high = pl.col("lower"), pl.col("upper")
    for metric, (floor, ceiling) in METRIC_RANGES.items():
        chosen = pl.col("metric") == metric
        low = pl.when(chosen).then(low.clip(floor, ceiling)).otherwise(low)
        high = pl.when(chosen).then(high.clip(floor, ceiling)).otherwise(high)
    return forecasts.with_columns(low.alias("lower"), high.alias("upper"))


SERIES_KEYS = ("division_code", "section", "indicator", "metric")
"""Columns naming one series of :func:`requirement_series`."""
