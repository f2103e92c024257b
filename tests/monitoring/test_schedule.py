"""Schedules: reading the plan file and progress against it, by hand."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from junheng.errors import InputError
from junheng.ingest.issues import Issue
from junheng.ingest.messages import Language
from junheng.monitoring import alerts, schedule


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
    with pytest.raises(InputError) as caught:
        _plan(tmp_path, "division_code,year\n4101,2030\n")
    (missing,) = caught.value.issues
    assert isinstance(missing, Issue)
    assert missing.location == "plan.csv, column target_year"


def _one_county(
    target: int,
    expected: int | None,
    p: float | None,
    verdict: str = "fail",
    status: str = "ok",
) -> str:
    """Return the state of one county evaluated in 2025 with one CV series
    whose forecast has ``status``."""
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
            "status": [status],
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


def test_short_series_is_no_forecast() -> None:
    short = "too_few_points"
    # A too-short series has no expected year: nothing is known in time, so the
    # county is neither late nor never there.
    assert _one_county(2030, None, None, status=short) == "no_forecast"
    # The evaluated year 2025 itself has not passed; 2024 has, which misses
    # whatever the forecasts.
    assert _one_county(2025, None, None, status=short) == "no_forecast"
    assert _one_county(2024, None, None, status=short) == "will_miss"
    # A pass is met, with or without a forecast.
    assert _one_county(2030, None, None, "pass", status=short) == "met"


def _mixed_forecasts() -> pl.DataFrame:
    # 410103: CV expected 2031, compliance too short; 410104: CV expected
    # 2028, compliance too short; 410105: both too short; 410102 none at all.
    rows = [
        ("410103", "cv", 2031, "ok"),
        ("410103", "share_compliant", None, "too_few_points"),
        ("410104", "cv", 2028, "ok"),
        ("410104", "share_compliant", None, "too_few_points"),
        ("410105", "cv", None, "too_few_points"),
        ("410105", "share_compliant", None, "too_few_points"),
    ]
    return pl.DataFrame(
        rows,
        schema={
            "division_code": pl.String,
            "metric": pl.String,
            "expected_year": pl.Int64,
            "status": pl.String,
        },
        orient="row",
    )


def test_short_series_beside_forecast_ones(tmp_path: Path) -> None:
    verdicts = _verdicts().with_columns(pl.lit("fail").alias("verdict"))
    plan = _plan(tmp_path, "division_code,target_year\n4101,2030\n")
    targets = schedule.county_targets(plan, verdicts["division_code"])
    out = schedule.county_progress(targets, verdicts, _mixed_forecasts(), year=2025)
    rows = {r["division_code"]: r for r in out.iter_rows(named=True)}
    # 410103: 2031 > 2030 misses even though its other series is too short.
    assert rows["410103"]["status"] == "will_miss"
    # 410104: 2028 <= 2030, but the compliance series cannot be forecast.
    assert rows["410104"]["status"] == "no_forecast"
    # 410105 (both short) and 410102 (no forecast at all): no forecast.
    assert rows["410105"]["status"] == "no_forecast"
    assert rows["410102"]["status"] == "no_forecast"
    # No county shows an expected year: each has a series without one.
    assert out["expected_year"].null_count() == 4
    city = schedule.schedule_progress(
        plan, verdicts, _mixed_forecasts(), year=2025
    ).row(0, named=True)
    assert (city["counties_will_miss"], city["counties_no_forecast"]) == (1, 3)
    assert city["status"] == "will_miss"
    assert city["expected_year"] is None
    # Without the missing county the worst state is no_forecast, which comes
    # before at_risk, on_schedule and met.
    assert schedule.STATES == (
        "will_miss",
        "no_forecast",
        "at_risk",
        "on_schedule",
        "met",
    )
    rest = schedule.schedule_progress(
        plan,
        verdicts.filter(pl.col("division_code") != "410103"),
        _mixed_forecasts(),
        year=2025,
    ).row(0, named=True)
    assert (rest["counties"], rest["status"]) == (3, "no_forecast")


def test_warning_rule_skips_short_series() -> None:
    # forecast_misses_schedule reads the forecast series only. 410103's 2031
    # after 2030 is a warning, and the too-short series raise none.
    rules = alerts.load_rules().rules
    rule = next(r for r in rules if r.kind == "forecast_misses_schedule")
    plans = pl.DataFrame(
        {"division_code": ["410103", "410104", "410105"], "target_year": [2030] * 3}
    )
    forecasts = _mixed_forecasts().with_columns(
        pl.lit("primary").alias("section"),
        pl.lit("cv").alias("indicator"),
        pl.lit(0.5).alias("last_value"),
        pl.lit(0.5).alias("limit"),
        pl.lit("trend").alias("expected_reason"),
    )
    found = alerts._forecast_misses(rule, forecasts, plans, 2025)
    assert found["division_code"].to_list() == ["410103"]


def test_odd_numbers_empty_and_broken_files_are_named(tmp_path: Path) -> None:
    text = "division_code,target_year\n4101,inf\n4102,-inf\n4103,1e400\n4104,nan\n"
    with pytest.raises(InputError) as caught:
        _plan(tmp_path, text)
    found = [(i.row, i.column, i.value) for i in caught.value.issues]  # type: ignore[attr-defined]
    assert found == [
        (2, "target_year", "inf"),
        (3, "target_year", "-inf"),
        (4, "target_year", "1e400"),
        (5, "target_year", "nan"),
    ]
    assert "目标年份 1e400 不是整年" in _problems(caught.value, "zh")
    with pytest.raises(InputError) as caught:
        _plan(tmp_path, "")
    assert "the file is empty" in _problems(caught.value, "en")
    for text in ("division_code,target_year,note\n", "division_code,target_year\n,\n"):
        with pytest.raises(InputError) as caught:
            _plan(tmp_path, text)
        assert "header but no data rows" in _problems(caught.value, "en")
    broken = tmp_path / "plan.xlsx"
    broken.write_bytes(b"division_code,target_year\n4101,2030\n")
    with pytest.raises(InputError) as caught:
        schedule.read_schedule(broken)
    assert "不是可读取的 Excel 文件" in _problems(caught.value, "zh")
    assert "not a readable Excel file" in _problems(caught.value, "en")


def _problems(error: InputError, lang: Language) -> str:
    """Return the messages of the issues of ``error`` in ``lang``, one a line."""
    return "\n".join(
        issue.in_language(lang).message
        for issue in error.issues
        if isinstance(issue, Issue)
    )


def test_error_message_lists_no_problem(tmp_path: Path) -> None:
    # The issues hold the problems; a message listing them too would print
    # each one twice below it.
    with pytest.raises(InputError) as caught:
        _plan(tmp_path, "division_code,target_year\n4101,20x5\n4101,2030\n")
    assert caught.value.message("en") == (
        "schedule file plan.csv: 2 problem(s), nothing was read"
    )
    assert caught.value.message("zh") == "计划文件 plan.csv 有 2 处问题，未读取"


def test_national_division_list(tmp_path: Path) -> None:
    assert schedule.national_division("41")
    assert schedule.national_division("4101")
    assert schedule.national_division("410102")
    assert not schedule.national_division("99")
    assert not schedule.national_division("4199")
    path = tmp_path / "plan.csv"
    path.write_text("division_code,target_year\n99,2030\n41,2030\n", "utf-8")
    with pytest.raises(InputError) as caught:
        schedule.read_schedule(path, schedule.national_division, known_by="national")
    (issue,) = caught.value.issues
    assert isinstance(issue, Issue)
    assert (issue.row, issue.column, issue.value) == (2, "division_code", "99")
    assert issue.message == "no division of China has this code"
    assert issue.in_language("zh").message == "全国行政区划中没有这个代码"


def test_schedule_note_over_limit_rejected(tmp_path: Path) -> None:
    limit = schedule.NOTE_LIMIT
    assert limit == 2000
    edge = "x" * limit
    plan = _plan(tmp_path, f"division_code,target_year,note\n4101,2030,{edge}\n")
    assert plan["note"][0] == edge
    text = (
        "division_code,target_year,note\n"
        f"4101,2030,{edge}\n4102,2030,{'y' * (limit + 1)}\n"
    )
    with pytest.raises(InputError) as caught:
        _plan(tmp_path, text)
    (issue,) = caught.value.issues  # type: ignore[attr-defined]
    assert (issue.row, issue.column) == (3, "note")
    assert "2001 characters, more than 2000" in issue.message
