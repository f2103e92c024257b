"""Every warning rule at its edge, and escalation past the deadline."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from junheng.monitoring.alerts import escalate, load_rules, raise_warnings
from junheng.standards.model import Framework

TODAY = dt.date(2026, 3, 1)
RULES = load_rules()


def _verdicts(*rows: tuple[int, str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "year": y,
                "division_code": c,
                "verdict": v,
                "city_code": c[:4],
                "province_code": c[:2],
            }
            for y, c, v in rows
        ]
    )


def _trends(cvs: dict[str, list[float]], first: int = 2023) -> pl.DataFrame:
    rows = []
    for code, values in cvs.items():
        for k, cv in enumerate(values):
            rows.append(
                {
                    "year": first + k,
                    "division_code": code,
                    "section": "primary",
                    "indicator": "L1",
                    "cv": cv,
                    "cv_limit": 0.5,
                }
            )
    return pl.DataFrame(rows)


def _raise(framework: Framework, **kwargs: object) -> pl.DataFrame:
    trends = kwargs.pop("trends", _trends({"410101": [0.1]}))
    verdicts = kwargs.pop(
        "verdicts", _verdicts(*((y, "410101", "fail") for y in range(2020, 2030)))
    )
    year = kwargs.pop("year", 2023)
    return raise_warnings(
        RULES,
        year=year,
        today=TODAY,
        framework=framework,
        trends=trends,  # type: ignore[arg-type]
        verdicts=verdicts,
        **kwargs,  # type: ignore[arg-type]
    )


def _fired(table: pl.DataFrame, rule: str) -> list[str]:
    return sorted(table.filter(pl.col("rule") == rule)["division_code"].to_list())


def test_cv_near_limit_fires_from_90_percent_of_the_limit_to_the_limit(
    framework: Framework,
) -> None:
    # Limit 0.5, margin 10%: the band is 0.45 ≤ CV ≤ 0.50, both ends included.
    cvs = {"410101": [0.45], "410102": [0.5], "410103": [0.4499], "410104": [0.5001]}
    table = _raise(framework, trends=_trends(cvs))
    assert _fired(table, "cv_near_limit") == ["410101", "410102"]
    row = table.filter(pl.col("division_code") == "410101").row(0, named=True)
    assert row["level"] == "yellow"
    assert row["responsible_code"] == "410101"
    assert row["deadline"] == TODAY + dt.timedelta(days=180)


def test_cv_near_limit_names_section_in_language(framework: Framework) -> None:
    table = _raise(framework, trends=_trends({"410101": [0.48]}))
    row = table.filter(pl.col("rule") == "cv_near_limit").row(0, named=True)
    assert row["message_zh"].startswith("小学 L1 差异系数 0.48 接近上限 0.5")
    assert "primary" not in row["message_zh"]
    assert "primary L1 CV 0.48" in row["message_en"]


def test_cv_rising_needs_two_rises_in_a_row(framework: Framework) -> None:
    cvs = {
        "410101": [0.30, 0.31, 0.32],
        "410102": [0.30, 0.31, 0.31],
        "410103": [0.31, 0.32],
    }
    table = _raise(framework, trends=_trends(cvs, first=2023), year=2025)
    assert _fired(table, "cv_rising") == ["410101"]


def test_school_below_floor_fires_strictly_below_85_percent(
    framework: Framework,
) -> None:
    # L6 threshold for primary is 2000 yuan; 85% of it is 1700.
    units = pl.DataFrame(
        {
            "year": [2023, 2023],
            "division_code": ["410101", "410101"],
            "section": ["primary", "primary"],
            "school_code": ["1", "2"],
            "school_name": ["甲", "乙"],
            **{f"v_L{i}": [100.0, 100.0] for i in range(1, 8)},
        }
    ).with_columns(pl.Series("v_L6", [1699.99, 1700.0]))
    table = _raise(framework, units=units)
    hits = table.filter(pl.col("rule") == "school_below_floor")
    assert hits["school_code"].to_list() == ["1"]
    assert hits["limit"][0] == pytest.approx(1700.0)


def test_accredited_county_that_fails_now_is_red_for_the_city(
    framework: Framework,
) -> None:
    verdicts = _verdicts(
        (2022, "410101", "pass"),
        (2023, "410101", "fail"),
        (2022, "410102", "pass"),
        (2023, "410102", "pass"),
        (2022, "410103", "fail"),
        (2023, "410103", "fail"),
    )
    table = _raise(framework, verdicts=verdicts)
    assert _fired(table, "accredited_now_fails") == ["410101"]
    row = table.filter(pl.col("rule") == "accredited_now_fails").row(0, named=True)
    assert (row["level"], row["responsible_code"]) == ("red", "4101")


def test_forecast_missing_its_year_fires_after_the_schedule_only(
    framework: Framework,
) -> None:
    forecasts = pl.DataFrame(
        {
            "division_code": ["410101", "410102", "410103", "410104"],
            "section": ["primary"] * 4,
            "indicator": ["L1"] * 4,
            "metric": ["cv"] * 4,
            "status": ["ok"] * 4,
            "last_value": [0.6] * 4,
            "limit": [0.5] * 4,
            "expected_year": [2036, 2035, None, 2028],
            "expected_reason": ["on_trend", "on_trend", "trend_moves_away", "on_trend"],
        }
    )
    plans = pl.DataFrame({"division_code": ["410104"], "target_year": [2027]})
    table = _raise(framework, forecasts=forecasts, plans=plans)
    # 2036 > 2035 default; never; 2028 > planned 2027. 2035 meets the default.
    assert _fired(table, "forecast_misses_schedule") == ["410101", "410103", "410104"]


def test_escalation_moves_overdue_warnings_one_level_and_body_up(
    framework: Framework,
) -> None:
    table = _raise(framework, trends=_trends({"410101": [0.46]}))
    deadline = table["deadline"][0]
    on_time = escalate(table, deadline, RULES)
    assert on_time.equals(table)  # due on the deadline day itself, not past it
    late = deadline + dt.timedelta(days=1)
    once = escalate(table, late, RULES).row(0, named=True)
    assert (once["level"], once["responsible"], once["responsible_code"]) == (
        "orange",
        "city",
        "4101",
    )
    assert once["deadline"] == late + dt.timedelta(days=RULES.escalation_days)
    assert once["escalations"] == 1
    frame = pl.DataFrame([once])
    for _ in range(3):
        frame = escalate(frame, frame["deadline"][0] + dt.timedelta(days=1), RULES)
    last = frame.row(0, named=True)
    assert (last["level"], last["responsible_code"], last["escalations"]) == (
        "red",
        "41",
        4,
    )


def test_closed_warnings_never_escalate(framework: Framework) -> None:
    table = _raise(framework, trends=_trends({"410101": [0.46]})).with_columns(
        pl.lit("closed").alias("status")
    )
    assert escalate(table, dt.date(2030, 1, 1), RULES).equals(table)
