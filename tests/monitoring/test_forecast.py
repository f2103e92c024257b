"""Forecasts: straight lines, constants, too few points, and statsmodels."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import statsmodels.api as sm
from scipy import stats

from junheng.monitoring.forecast import (
    Calibration,
    calibrate,
    forecast_series,
    load_calibration,
)


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
    assert out["lower"] == pytest.approx(0.40)
    assert out["upper"] == pytest.approx(0.40)
    assert out["slope"] == pytest.approx(-0.02)
    assert out["expected_year"] == 2025
    assert out["expected_reason"] == "on_trend"
    assert out["p_meet_2027"] == 1.0
    assert out["p_meet_2035"] == 1.0


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


def _calibration(cells: dict[tuple[int, int], list[float]]) -> Calibration:
    return Calibration(
        id="hand",
        source="hand-made",
        pit={k: np.sort(np.asarray(v, dtype=float)) for k, v in cells.items()},
    )


def test_uniform_calibration_gives_back_the_ols_interval() -> None:
    # Nine PIT values 0.1 … 0.9; at 80% (α = 0.2) k_lo = ⌊10·0.1⌋ = 1 and
    # k_hi = ⌈10·0.9⌉ = 9, i.e. u = 0.1 and 0.9: the t quantiles of the OLS
    # interval. Series and se as in the hand case above (ŷ = 41/6, se² = 35/36).
    cal = _calibration({(3, 2): [i / 10 for i in range(1, 10)]})
    out = forecast_series(
        _series([1.0, 2.0, 4.0]),
        ["key"],
        target_year=2024,
        level=0.8,
        calibration=cal,
    ).row(0, named=True)
    se = math.sqrt(35 / 36)
    assert out["lower"] == pytest.approx(41 / 6 - stats.t.ppf(0.9, 1) * se)
    assert out["upper"] == pytest.approx(41 / 6 + stats.t.ppf(0.9, 1) * se)
    assert out["interval"] == "calibrated:hand"


def test_calibration_widens_the_interval_and_moves_the_probability() -> None:
    # Past errors were often far out: PIT values 0.01, 0.02, 0.05, 0.5 (×3),
    # 0.95, 0.98, 0.99. At 80%, k_lo = 1 and k_hi = 9: u = 0.01 and 0.99.
    # P(y ≥ 6) in 2024: z = (6 − 41/6)/se = −0.845, u = F_t1(z) = 0.5 +
    # atan(z)/π = 0.277; three PIT values lie at or below it, so G(u) = 3/9 and
    # P = 1 − 3/9 = 2/3 (the plain t probability is 0.723).
    pit = [0.01, 0.02, 0.05, 0.5, 0.5, 0.5, 0.95, 0.98, 0.99]
    frame = _series([1.0, 2.0, 4.0], limit=6.0, op=">=")
    out = forecast_series(
        frame,
        ["key"],
        target_year=2024,
        level=0.8,
        milestones=(2024,),
        calibration=_calibration({(3, 2): pit}),
    ).row(0, named=True)
    se = math.sqrt(35 / 36)
    z = (6 - 41 / 6) / se
    assert 0.5 + math.atan(z) / math.pi == pytest.approx(0.2766, abs=1e-4)
    assert out["lower"] == pytest.approx(41 / 6 + stats.t.ppf(0.01, 1) * se)
    assert out["upper"] == pytest.approx(41 / 6 + stats.t.ppf(0.99, 1) * se)
    assert out["p_meet_2024"] == pytest.approx(2 / 3)
    plain = forecast_series(frame, ["key"], target_year=2024, milestones=(2024,)).row(
        0, named=True
    )
    assert plain["p_meet_2024"] == pytest.approx(0.7234, abs=1e-4)
    assert plain["interval"] == "ols"


def test_calibration_picks_the_nearest_window_and_horizon() -> None:
    cal = _calibration({(3, 1): [0.5], (3, 2): [0.1, 0.9], (5, 1): [0.2, 0.8]})
    assert cal.bounds(3, 2, 0.5) == (0.0, 1.0)  # m = 2: k_lo = 0, k_hi = 3
    assert cal.cdf(4, 7, np.array([0.1, 0.5]))[1] == 0.5  # window 3, horizon 2
    assert cal.cdf(6, 1, np.array([0.2]))[0] == 0.5  # window 5, horizon 1
    assert cal.cdf(3, 0, np.array([0.5]))[0] == 1.0  # horizon 1 at the least


def test_lines_constants_and_short_series_ignore_the_calibration() -> None:
    cal = _calibration({(4, h): [0.01, 0.99] for h in range(1, 20)})
    line = forecast_series(
        _series([0.60, 0.58, 0.56, 0.54], limit=0.5, op="<="),
        ["key"],
        target_year=2030,
        calibration=cal,
    ).row(0, named=True)
    assert line["lower"] == pytest.approx(0.40) == line["upper"]
    assert line["p_meet_2027"] == 1.0
    assert line["p_meet_2035"] == 1.0
    constant = forecast_series(
        _series([0.55] * 4, limit=0.5, op="<="),
        ["key"],
        target_year=2035,
        calibration=cal,
    ).row(0, named=True)
    assert constant["upper"] - constant["lower"] == pytest.approx(0.0)
    assert constant["p_meet_2035"] == 0.0
    short = forecast_series(
        _series([0.5, 0.4]), ["key"], target_year=2030, calibration=cal
    ).row(0, named=True)
    assert short["status"] == "too_few_points"
    assert short["lower"] is None


def test_calibrate_scores_each_later_year_of_each_window() -> None:
    # y = 1, 2, 4, 5: the only 3-year window with a later year is 1, 2, 4
    # (years 2020–2022). From the hand case, at 2023 (x0 = 2) ŷ = 7/3 + 3 =
    # 16/3 and se² = (1/6)·(1 + 1/3 + 4/2) = 5/9. The actual 5 gives
    # z = (5 − 16/3)/(√5/3) = −1/√5 and u = F_t1(z).
    cal = calibrate(_series([1.0, 2.0, 4.0, 5.0]), ["key"], windows=(3,))
    assert set(cal.pit) == {(3, 1)}
    assert cal.pit[(3, 1)] == pytest.approx([stats.t.cdf(-1 / math.sqrt(5), 1)])


def test_installed_calibration_round_trips(tmp_path: Path) -> None:
    cal = load_calibration()
    assert cal.id == "cn-nbs-province"
    assert all(np.all(np.diff(v) >= 0) for v in cal.pit.values())
    small = _calibration({(3, 1): [0.2, 0.4, 0.6]})
    path = tmp_path / "cal.json"
    path.write_text(json.dumps(small.as_dict()), "utf-8")
    again = load_calibration(path)
    assert again.pit[(3, 1)] == pytest.approx([0.2, 0.4, 0.6])
    with pytest.raises(FileNotFoundError, match="installed: cn-nbs-province"):
        load_calibration("nowhere")


def test_cv_at_limit_counts_as_met() -> None:
    # 0.5000000000000001 is how a CV of exactly 1/2 comes out in floating
    # point; the verdict passes it, so the forecast must call it met too.
    tie = 0.5000000000000001
    out = forecast_series(
        _series([0.6, 0.55, tie], limit=0.5, op="<="),
        ["key"],
        target_year=2030,
    ).row(0, named=True)
    assert out["expected_year"] == 2022
    assert out["expected_reason"] == "already_met"


def test_flat_series_at_limit_is_certain_to_meet() -> None:
    # Four years of a CV that is exactly 1/2 but computes as 0.5000000000000001:
    # no spread, so the probability of meeting the 0.50 limit is 1.
    tie = 0.5000000000000001
    out = forecast_series(
        _series([tie] * 4, limit=0.5, op="<="), ["key"], target_year=2030
    ).row(0, named=True)
    assert out["expected_reason"] == "already_met"
    assert out["p_meet_2027"] == 1.0
    assert out["p_meet_2035"] == 1.0
