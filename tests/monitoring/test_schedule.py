"""Schedules: reading the plan file and progress against it, by hand."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from junheng.errors import InputError
from junheng.monitoring import schedule


def _verdicts() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "year": [2025] * 4,
            "division_code": ["410102", "410103", "410104", "410105"],
            "verdict": ["pass", "fail", "fail", "fail"],
        }
    )


def _forecasts() -> pl.DataFrame:
    # Two series per county (CV and compliant share) with expected years and
    # the probability of meeting each requirement in 2027 and 2030.
    rows = [
        ("410102", "cv", 2025, 1.0, 1.0),
        ("410103", "cv", 2026, 0.9, 0.95),
        ("410103", "share_compliant", 2027, 0.6, 0.8),
        ("410104", "cv", 2033, 0.1, 0.2),
        ("410105", "cv", 2028, 0.2, 0.3),
        ("410105", "share_compliant", 2029, 0.3, 0.6),
    ]
    return pl.DataFrame(
        rows,
        schema=[
            "division_code",
            "metric",
            "expected_year",
            "p_meet_2027",
            "p_meet_2030",
        ],
        orient="row",
    ).with_columns(pl.lit("ok").alias("status"))


def _plan(tmp_path: Path, text: str) -> pl.DataFrame:
    path = tmp_path / "plan.csv"
    path.write_text(text, "utf-8")
    return schedule.read_schedule(path)


def test_progress_of_counties_and_of_their_city(tmp_path: Path) -> None:
    # 410102 has its own 2027 target; the others take the city's 2030 goal.
    plan = _plan(
        tmp_path,
        "division_code,target_year,note\n4101,2030,city goal\n410102,2027,\n",
    )
    targets = schedule.county_targets(plan, _verdicts()["division_code"])
    assert dict(targets.select("division_code", "scheduled_by").iter_rows()) == {
        "410102": "410102",
        "410103": "4101",
        "410104": "4101",
        "410105": "4101",
    }
    probability = schedule.target_probability(_forecasts(), targets)
    # Lowest probability of each county in its target year: 410103 min(0.95,
    # 0.8) = 0.8, 410104 0.2, 410105 min(0.3, 0.6) = 0.3, 410102 (2027) 1.0.
    assert dict(probability.sort("division_code").iter_rows()) == {
        "410102": 1.0,
        "410103": 0.8,
        "410104": 0.2,
        "410105": 0.3,
    }
    out = schedule.schedule_progress(
        plan, _verdicts(), _forecasts(), year=2025, probability=probability
    )
    rows = {r["division_code"]: r for r in out.iter_rows(named=True)}
    assert rows["410102"]["status"] == "met"
    city = rows["4101"]
    assert city["level"] == "city"
    assert city["counties"] == 4
    # 410103 expected 2027 ≤ 2030, p 0.8: on schedule; 410104 expected 2033 >
    # 2030: will miss; 410105 expected 2029 ≤ 2030 but p 0.3 < 0.5: at risk.
    assert (
        city["counties_met"],
        city["counties_on_schedule"],
        city["counties_at_risk"],
        city["counties_will_miss"],
    ) == (1, 1, 1, 1)
    assert city["status"] == "will_miss"
    assert city["expected_year"] == 2033


def test_a_series_that_never_gets_there_misses_and_so_does_a_past_year(
    tmp_path: Path,
) -> None:
    forecasts = _forecasts().with_columns(
        pl.when(pl.col("division_code") == "410103")
        .then(None)
        .otherwise(pl.col("expected_year"))
        .alias("expected_year")
    )
    plan = _plan(tmp_path, "division_code,target_year\n410103,2030\n410105,2024\n")
    out = schedule.schedule_progress(plan, _verdicts(), forecasts, year=2025)
    status = dict(out.select("division_code", "status").iter_rows())
    assert status == {"410103": "will_miss", "410105": "will_miss"}
    assert out["expected_year"].to_list() == [None, 2029]


def test_schedule_workbook_is_read(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    with xlsxwriter.Workbook(str(path)) as book:
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, ["division_code", "target_year", "note"])
        sheet.write_row(1, 0, ["41", 2035, "province goal"])
    plan = schedule.read_schedule(path)
    assert plan.row(0) == ("41", "province", 2035, "province goal")


def test_every_bad_cell_is_named_and_nothing_is_read(tmp_path: Path) -> None:
    text = (
        "division_code,target_year\n"
        "4101,2030\n41010,2030\n4101,2031\n410102,next year\n410103,2200\n"
    )
    with pytest.raises(InputError) as caught:
        _plan(tmp_path, text)
    found = [(i.row, i.column, i.value) for i in caught.value.issues]  # type: ignore[attr-defined]
    assert found == [
        (3, "division_code", "41010"),
        (4, "division_code", "4101"),
        (5, "target_year", "next year"),
        (6, "target_year", "2200"),
    ]
    with pytest.raises(InputError, match="column target_year"):
        _plan(tmp_path, "division_code,year\n4101,2030\n")


def _one_county(
    target: int, expected: int | None, p: float | None, verdict: str = "fail"
) -> str:
    """Return the state of one county evaluated in 2025."""
    targets = pl.DataFrame(
        {"division_code": ["410103"], "target_year": [target], "scheduled_by": ["4101"]}
    )
    verdicts = pl.DataFrame(
        {"year": [2025], "division_code": ["410103"], "verdict": [verdict]}
    )
    forecasts = pl.DataFrame(
        {
            "division_code": ["410103"],
            "metric": ["cv"],
            "expected_year": [expected],
            "status": ["ok"],
        },
        schema_overrides={"expected_year": pl.Int64},
    )
    probability = pl.DataFrame(
        {"division_code": ["410103"], "p_meet_target": [p]},
        schema_overrides={"p_meet_target": pl.Float64},
    )
    out = schedule.county_progress(
        targets, verdicts, forecasts, year=2025, probability=probability
    )
    return str(out["status"][0])


def test_county_states_at_their_edges() -> None:
    # A target year equal to the evaluated year 2025 has not passed; 2024 has.
    assert _one_county(2025, 2025, 0.9) == "on_schedule"
    assert _one_county(2024, 2024, 0.9) == "will_miss"
    # Expected exactly in the target year is in time; one year later is not.
    assert _one_county(2030, 2030, 0.9) == "on_schedule"
    assert _one_county(2030, 2031, 0.9) == "will_miss"
    # A series that never gets there misses any target year.
    assert _one_county(2035, None, 0.9) == "will_miss"
    # The probability bound 0.5 itself is not at risk; just below it is.
    assert schedule.AT_RISK_BELOW == 0.5
    assert _one_county(2030, 2028, 0.5) == "on_schedule"
    assert _one_county(2030, 2028, 0.4999) == "at_risk"
    # A pass is met, even with a target year already past.
    assert _one_county(2020, None, 0.0, verdict="pass") == "met"
