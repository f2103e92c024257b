"""Monitor runs keep to the years of the data and to the range of each metric.

The school data are SYNTHETIC (junheng.demo).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from click.testing import CliRunner
from scipy import stats

from junheng.cli import main
from junheng.monitoring import forecast


def _run(dataset: Path, tmp_path: Path, *args: str) -> tuple[Any, Path]:
    out = tmp_path / "monitor.json"
    command = ["monitor", "run", str(dataset), "-o", str(out), *args]
    return CliRunner().invoke(main, command), out


def test_year_without_data_rejected(
    dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    years = sorted(pl.read_parquet(dataset)["year"].unique().to_list())
    assert years == [2024, 2025, 2026, 2027]
    result, out = _run(dataset, tmp_path, "--year", "2030", "--lang", "en")
    assert result.exit_code == 3, result.output
    output = " ".join(result.output.split())
    assert (
        "--year 2030: the data have no school year 2030; they cover 2024, 2025, "
        "2026, 2027, so give one of these years"
    ) in output
    assert "数据中没有 2030 学年" in output
    assert not out.exists()


@pytest.mark.parametrize("target", ["2027", "2020", "2051", "3000"])
def test_target_outside_forecast_range_rejected(
    dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result, out = _run(dataset, tmp_path, "--target", target)
    assert result.exit_code == 3, result.output
    output = " ".join(result.output.split())
    assert (
        f"--target {target}: the forecast year must come after the last year of "
        "the data (2027) and be at most 2050; give a year from 2028 to 2050"
    ) in output
    assert not out.exists()


def test_run_clips_intervals_and_words_outlook(
    dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result, out = _run(dataset, tmp_path, "--target", "2050")
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text("utf-8"))
    rows = [r for r in doc["forecasts"] if r["status"] == "ok"]
    cv = [r for r in rows if r["metric"] == "cv"]
    share = [r for r in rows if r["metric"] == "share_compliant"]
    assert cv and share
    assert all(r["lower"] >= 0 for r in cv)
    assert all(r["lower"] >= 0 and r["upper"] <= 1 for r in share)
    assert any(r["lower"] == 0 for r in cv)  # 2050 is far enough to reach 0
    misses = [w for w in doc["warnings"] if w["rule"] == "forecast_misses_schedule"]
    assert misses
    for warning in misses:
        for text in (warning["message_zh"], warning["message_en"]):
            assert "—" not in text
            assert "trend_moves_away" not in text
            assert "after_horizon" not in text
            assert " all " not in text


def _series(values: list[float], metric: str) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "division_code": ["410102"] * len(values),
            "metric": [metric] * len(values),
            "year": list(range(2020, 2020 + len(values))),
            "value": values,
            "limit": [0.5 if metric == "cv" else 1.0] * len(values),
            "op": ["<=" if metric == "cv" else ">="] * len(values),
        }
    )


def _forecasts(series: pl.DataFrame) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the forecast for 2025 without a metric column, so unclipped, and
    with it."""
    plain = forecast.forecast_series(
        series.drop("metric"), ["division_code"], target_year=2025, level=0.8
    )
    clipped = forecast.forecast_series(
        series, ["division_code", "metric"], target_year=2025, level=0.8
    )
    return plain.row(0, named=True), clipped.row(0, named=True)


# Both series below have residuals ±0.002, ∓0.008, ±0.012, ∓0.008, ±0.002
# around a flat line on 2020-2024, so s² = 280e-6 / 3. For 2025, 3 years from
# the centre, se = s·sqrt(1 + 1/5 + 9/10) and the 80% interval is the line
# ± t(0.9, 3)·se, about ± 0.0229.
HALF_WIDTH = stats.t.ppf(0.9, 3) * math.sqrt(280e-6 / 3) * math.sqrt(2.1)


def test_cv_lower_bound_clipped_at_zero() -> None:
    series = _series([0.02, 0.01, 0.03, 0.01, 0.02], "cv")
    plain, clipped = _forecasts(series)
    assert plain["forecast"] == pytest.approx(0.018)
    assert plain["lower"] == pytest.approx(0.018 - HALF_WIDTH)
    assert plain["lower"] < 0
    assert clipped["lower"] == 0.0
    assert clipped["upper"] == pytest.approx(0.018 + HALF_WIDTH)
    assert clipped["forecast"] == plain["forecast"]
    assert clipped["p_meet_2027"] == plain["p_meet_2027"]


def test_share_upper_bound_clipped_at_one() -> None:
    series = _series([0.98, 0.99, 0.97, 0.99, 0.98], "share_compliant")
    plain, clipped = _forecasts(series)
    assert plain["upper"] == pytest.approx(0.982 + HALF_WIDTH)
    assert clipped["upper"] == 1.0
    assert clipped["lower"] == pytest.approx(0.982 - HALF_WIDTH)
    assert clipped["forecast"] == pytest.approx(0.982)
