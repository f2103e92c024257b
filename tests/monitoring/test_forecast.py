"""Forecasts: straight lines, constants, too few points, and statsmodels."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
import statsmodels.api as sm
from scipy import stats

from junheng.monitoring.forecast import forecast_series


def _series(values: list[float], first: int = 2020, **extra: object) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "key": ["a"] * len(values),
            "year": list(range(first, first + len(values))),
            "value": values,
            **{k: [v] * len(values) for k, v in extra.items()},
        }
    )


def test_straight_line_forecast_is_exact_with_zero_width_interval() -> None:
    # CV falls by 0.02 a year from 0.60 in 2020: in 2030 it is 0.60 − 10·0.02
    # = 0.40; it reaches the 0.50 limit in 2025 (0.60 − 5·0.02).
    values = [0.60, 0.58, 0.56, 0.54]
    out = forecast_series(
        _series(values, limit=0.5, op="<="), ["key"], target_year=2030
    ).row(0, named=True)
    assert out["forecast"] == pytest.approx(0.40)
    assert out["lower"] == pytest.approx(0.40) and out["upper"] == pytest.approx(0.40)
    assert out["slope"] == pytest.approx(-0.02)
    assert out["expected_year"] == 2025
    assert out["expected_reason"] == "on_trend"
    assert out["p_meet_2027"] == 1.0 and out["p_meet_2035"] == 1.0


def test_constant_series_never_meets_and_has_probability_zero() -> None:
    # A constant 0.55 above the 0.50 limit: slope 0, no crossing, P = 0.
    out = forecast_series(
        _series([0.55] * 5, limit=0.5, op="<="), ["key"], target_year=2035
    ).row(0, named=True)
    assert out["forecast"] == pytest.approx(0.55)
    assert out["upper"] - out["lower"] == pytest.approx(0.0)
    assert out["expected_year"] is None
    assert out["expected_reason"] == "trend_moves_away"
    assert out["p_meet_2035"] == 0.0


def test_already_met_series_expects_its_last_year() -> None:
    out = forecast_series(
        _series([0.3, 0.31, 0.29], limit=0.5, op="<="), ["key"], target_year=2030
    ).row(0, named=True)
    assert out["expected_year"] == 2022
    assert out["expected_reason"] == "already_met"


@pytest.mark.parametrize("points", [1, 2])
def test_too_few_points_get_no_forecast_and_say_why(points: int) -> None:
    out = forecast_series(_series([0.5, 0.4][:points]), ["key"], target_year=2030).row(
        0, named=True
    )
    assert out["status"] == "too_few_points"
    assert out["forecast"] is None
    assert f"only {points} reported year(s)" in out["reason"]


def test_interval_and_probability_match_hand_computation() -> None:
    # y = 1, 2, 4 in years 0, 1, 2 (shifted to 2020..2022). Centred x = −1, 0, 1:
    # b = Σx·y / Σx² = (−1 + 4) / 2 = 1.5, a = mean y = 7/3; residuals
    # 1 − (7/3 − 1.5) = 1/6, 2 − 7/3 = −1/3, 4 − (7/3 + 1.5) = 1/6; s² = (1/36 +
    # 1/9 + 1/36) / 1 = 1/6. At 2024 (x0 = 3): ŷ = 7/3 + 4.5 = 6.8333,
    # se² = s²·(1 + 1/3 + 9/2) = (1/6)·(35/6) = 35/36.
    out = forecast_series(
        _series([1.0, 2.0, 4.0], limit=6.0, op=">="),
        ["key"],
        target_year=2024,
        level=0.8,
        milestones=(2024,),
    ).row(0, named=True)
    se = math.sqrt(35 / 36)
    q = stats.t.ppf(0.9, 1)
    assert out["forecast"] == pytest.approx(41 / 6)
    assert out["lower"] == pytest.approx(41 / 6 - q * se)
    assert out["upper"] == pytest.approx(41 / 6 + q * se)
    assert out["p_meet_2024"] == pytest.approx(stats.t.sf((6 - 41 / 6) / se, 1))


def test_batched_fit_matches_statsmodels_prediction_per_series() -> None:
    rng = np.random.default_rng(3)
    years = np.arange(2016, 2024)
    rows = []
    for key in range(5):
        values = 0.6 - 0.01 * key * (years - 2016) + rng.normal(0, 0.02, len(years))
        rows += [
            {"key": str(key), "year": int(y), "value": float(v)}
            for y, v in zip(years, values, strict=True)
        ]
    frame = pl.DataFrame(rows)
    out = forecast_series(frame, ["key"], target_year=2030, level=0.9)
    for key in range(5):
        part = frame.filter(pl.col("key") == str(key))
        fit = sm.OLS(
            part["value"].to_numpy(), sm.add_constant(years.astype(float))
        ).fit()
        expected = fit.get_prediction(np.array([[1.0, 2030.0]])).summary_frame(
            alpha=0.1
        )
        got = out.filter(pl.col("key") == str(key)).row(0, named=True)
        assert got["lower"] == pytest.approx(expected["obs_ci_lower"][0])
        assert got["upper"] == pytest.approx(expected["obs_ci_upper"][0])
