"""``junheng monitor run | sample | backtest | calibrate`` on real files.

The school data are SYNTHETIC (junheng.demo); the back-test reads the real NBS
tables shipped in examples/data.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner
from factories import primary_school

from junheng import demo
from junheng.cli import main
from junheng.ingest.schema import canonical_frame

NBS = Path(__file__).parents[2] / "examples/data/cn-nbs-province"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def _counties(dataset: Path) -> list[str]:
    codes: list[str] = (
        pl.read_parquet(dataset)["division_code"].unique().sort().to_list()
    )
    return codes


def _json(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return doc


def test_run_writes_every_table_marked_synthetic(
    runner: CliRunner, dataset: Path, tmp_path: Path
) -> None:
    out = tmp_path / "monitor.json"
    result = runner.invoke(
        main, ["monitor", "run", str(dataset), "-o", str(out), "--today", "2026-12-01"]
    )
    assert result.exit_code == 0, result.output
    assert "SYNTHETIC DATA" in result.output
    doc = _json(out)
    assert doc["notes"]["synthetic"] == demo.SYNTHETIC
    assert doc["notes"]["interval"] == "calibrated:cn-nbs-province"
    for table in ("county_trends", "region_trends", "forecasts", "warnings"):
        assert doc[table], table
    assert {"quality_flags", "quality_summary"} <= set(doc)
    counties = set(_counties(dataset))
    assert {r["division_code"] for r in doc["county_trends"]} == counties
    ok = [r for r in doc["forecasts"] if r["status"] == "ok"]
    assert ok and {r["interval"] for r in ok} == {"calibrated:cn-nbs-province"}
    assert all(0 <= r["p_meet_2035"] <= 1 for r in ok if r["p_meet_2035"] is not None)
    assert {r["raised_on"] for r in doc["warnings"]} == {"2026-12-01"}


def test_run_xlsx_has_a_sheet_per_table_and_the_notice(
    runner: CliRunner, dataset: Path, tmp_path: Path
) -> None:
    out = tmp_path / "monitor.xlsx"
    result = runner.invoke(
        main, ["monitor", "run", str(dataset), "-o", str(out), "--calibration", "none"]
    )
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames[0] == "notes"
    assert {"county_trends", "forecasts", "warnings", "quality_flags"} <= set(
        book.sheetnames
    )
    notes = {row[0]: row[1] for row in book["notes"].iter_rows(values_only=True)}
    assert json.loads(str(notes["synthetic"])) == demo.SYNTHETIC
    assert json.loads(str(notes["interval"])) == "ols"
    header = next(book["forecasts"].iter_rows(values_only=True))
    column = header.index("interval")
    values = {
        row[column] for row in book["forecasts"].iter_rows(min_row=2, values_only=True)
    }
    assert values <= {"ols", None}
    book.close()


def test_run_reports_progress_against_a_schedule(
    runner: CliRunner, dataset: Path, tmp_path: Path
) -> None:
    first, second, *_ = _counties(dataset)
    plan = tmp_path / "plan.csv"
    plan.write_text(
        "division_code,target_year,note\n"
        f"{first},2027,county plan\n{second[:2]},2035,province goal\n",
        "utf-8",
    )
    out = tmp_path / "monitor.json"
    result = runner.invoke(
        main, ["monitor", "run", str(dataset), "-o", str(out), "--schedule", str(plan)]
    )
    assert result.exit_code == 0, result.output
    progress = {r["division_code"]: r for r in _json(out)["schedule_progress"]}
    assert progress[first]["level"] == "county"
    assert progress[first]["target_year"] == 2027
    assert progress[first]["counties"] == 1
    assert progress[first]["status"] in ("met", "on_schedule", "at_risk", "will_miss")
    assert progress[second[:2]]["level"] == "province"
    assert progress[second[:2]]["counties"] >= 1
    forecasts = _json(out)["forecasts"]
    assert "p_meet_2027" in forecasts[0]
    assert "p_meet_2035" in forecasts[0]


def test_run_rejects_a_bad_schedule_naming_row_and_column(
    runner: CliRunner, dataset: Path, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text("division_code,target_year\n41010,2030\n410102,soon\n", "utf-8")
    out = tmp_path / "monitor.json"
    result = runner.invoke(
        main, ["monitor", "run", str(dataset), "-o", str(out), "--schedule", str(plan)]
    )
    assert result.exit_code != 0
    said = " ".join(result.output.split())
    # The command speaks Chinese, like the other import errors.
    assert "plan.csv，第 2 行，列 division_code" in said
    assert "plan.csv，第 3 行，列 target_year：目标年份 soon 不是整年" in said
    assert not out.exists()


@pytest.mark.parametrize(
    ("name", "body", "expected"),
    [
        (
            "plan.csv",
            b"division_code,target_year\n41,1e400\n",
            "目标年份 1e400 不是整年",
        ),
        ("plan.csv", b"division_code,target_year\n41,-inf\n", "目标年份 -inf 不是整年"),
        ("plan.csv", b"", "文件是空的"),
        ("plan.xlsx", b"not a workbook", "不是可读取的 Excel 文件"),
    ],
)
def test_run_names_odd_schedule_files_without_a_traceback(
    runner: CliRunner,
    dataset: Path,
    tmp_path: Path,
    name: str,
    body: bytes,
    expected: str,
) -> None:
    plan = tmp_path / name
    plan.write_bytes(body)
    out = tmp_path / "monitor.json"
    result = runner.invoke(
        main, ["monitor", "run", str(dataset), "-o", str(out), "--schedule", str(plan)]
    )
    assert result.exit_code == 3, result.output
    assert isinstance(result.exception, SystemExit)
    assert expected in " ".join(result.output.split())
    assert not out.exists()


def test_run_with_series_too_short_to_forecast(
    runner: CliRunner, tmp_path: Path
) -> None:
    # Two years are too few points for any forecast: every county that has
    # not passed is no_forecast for a target year still ahead, not will_miss.
    schools = demo.generate_schools(counties=2, schools_per_county=20, years=2)
    dataset = tmp_path / "two.parquet"
    demo.save_dataset(schools, demo.generate_county_items(schools), dataset)
    first, second = _counties(dataset)
    plan = tmp_path / "plan.csv"
    plan.write_text(
        f"division_code,target_year\n{first},2034\n{second},2040\n", "utf-8"
    )
    out = tmp_path / "two.json"
    result = runner.invoke(
        main, ["monitor", "run", str(dataset), "-o", str(out), "--schedule", str(plan)]
    )
    assert result.exit_code == 0, result.output
    tables = _json(out)
    assert {r["status"] for r in tables["forecasts"]} == {"too_few_points"}
    progress = {r["division_code"]: r for r in tables["schedule_progress"]}
    for code in (first, second):
        assert progress[code]["status"] in ("no_forecast", "met")
        assert progress[code]["expected_year"] is None
    assert not [
        w for w in tables["warnings"] if w["rule"] == "forecast_misses_schedule"
    ]


def test_sample_draws_the_same_schools_for_the_same_seed(
    runner: CliRunner, dataset: Path, tmp_path: Path
) -> None:
    county = _counties(dataset)[0]
    year = str(pl.read_parquet(dataset)["year"].max())
    drawn = []
    for name in ("a.json", "b.json"):
        out = tmp_path / name
        result = runner.invoke(
            main,
            [
                *("monitor", "sample", str(dataset), "--county", county),
                *("--year", year, "--seed", "7", "-o", str(out)),
            ],
        )
        assert result.exit_code == 0, result.output
        doc = _json(out)
        drawn.append(sorted(r["school_code"] for r in doc["sample"]))
    design = doc["notes"]["design"]
    assert doc["notes"]["synthetic"] == demo.SYNTHETIC
    assert len(drawn[0]) == design["size"]
    assert drawn[0] == drawn[1]
    assert len(doc["frame"]) == design["population"]
    schools = pl.read_parquet(dataset).filter(pl.col("division_code") == county)
    assert {r["school_code"] for r in doc["frame"]} <= set(schools["school_code"])


def test_sample_needs_one_county(
    runner: CliRunner, dataset: Path, tmp_path: Path
) -> None:
    out = tmp_path / "s.json"
    args = ["monitor", "sample", str(dataset), "--year", "2025", "--seed", "1"]
    result = runner.invoke(main, [*args, "-o", str(out)])
    assert result.exit_code != 0
    assert "--county" in result.output
    result = runner.invoke(main, [*args, "--county", "4", "-o", str(out)])
    assert result.exit_code != 0
    output = " ".join(result.output.split())
    assert (
        "--county '4' matches 3 county-level divisions (421221, 430223, 440106); "
        "a sample is drawn in one county, so give its 6-digit code"
    ) in output
    assert "--county '4' 匹配 3 个县级行政区划" in output
    assert not out.exists()


def test_backtest_reports_calibrated_and_plain_coverage(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "backtest.json"
    result = runner.invoke(main, ["monitor", "backtest", str(NBS), "-o", str(out)])
    assert result.exit_code == 0, result.output
    doc = _json(out)
    coverage = {
        (r["window"], r["method"], r["level"], r["horizon"]): r for r in doc["coverage"]
    }
    assert len(coverage) == 2 * 2 * 2 * 3
    # The figures of docs/monitoring.md: 310 checks per horizon with 5-year
    # windows, plain 95% intervals covering 91.3% one year ahead.
    plain = coverage[(5, "ols", 0.95, 1)]
    assert plain["checks"] == 310
    assert plain["coverage"] == pytest.approx(283 / 310)
    for horizon in (1, 2, 3):
        calibrated = coverage[(5, "calibrated", 0.95, horizon)]["coverage"]
        assert calibrated > coverage[(5, "ols", 0.95, horizon)]["coverage"]
        assert calibrated >= 0.9
    checks = doc["checks"]
    assert {c["year"] for c in checks} == {2017, 2018, 2019}


def test_backtest_prints_a_coverage_table(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Wide enough that no header wraps.
    monkeypatch.setenv("COLUMNS", "200")
    out = tmp_path / "backtest.xlsx"
    args = ["monitor", "backtest", str(NBS), "-o", str(out)]
    english = runner.invoke(main, [*args, "--lang", "en"])
    assert english.exit_code == 0, english.output
    text = " ".join(english.output.replace("│", " ").split())
    assert "Forecast interval coverage" in text
    assert "fit years ┃ interval ┃ nominal level ┃ years ahead ┃ checks" in text
    # The figures of docs/monitoring.md, as percentages with one decimal.
    assert "5 plain OLS 95% 1 310 91.3% 2.3%" in text
    assert "5 calibrated 95% 1 310 97.4% 2.3%" in text
    assert "shape:" not in text
    chinese = runner.invoke(main, args)
    assert chinese.exit_code == 0, chinese.output
    text = " ".join(chinese.output.replace("│", " ").split())
    assert "预测区间回测覆盖率" in text
    assert "5 普通最小二乘 95% 1 310 91.3% 2.3%" in text
    assert {"coverage", "checks"} <= set(openpyxl.load_workbook(out).sheetnames)


def test_backtest_and_calibrate_name_a_missing_table(
    runner: CliRunner, tmp_path: Path
) -> None:
    for command in ("backtest", "calibrate"):
        result = runner.invoke(
            main, ["monitor", command, str(tmp_path), "-o", str(tmp_path / "x.json")]
        )
        assert result.exit_code == 2
        assert "province_primary_2000_2019.csv is missing" in result.output


def test_calibrate_writes_a_file_that_run_reads(
    runner: CliRunner, dataset: Path, tmp_path: Path
) -> None:
    cal = tmp_path / "cal.json"
    result = runner.invoke(
        main, ["monitor", "calibrate", str(NBS), "-o", str(cal), "--id", "mine"]
    )
    assert result.exit_code == 0, result.output
    written = _json(cal)
    assert written["id"] == "mine"
    assert "31 provinces" in written["source"]
    # The installed calibration is this file under its own name.
    installed = (
        Path(demo.__file__).parent / "monitoring/calibration/cn-nbs-province.json"
    )
    assert written["pit"] == _json(installed)["pit"]
    out = tmp_path / "monitor.json"
    result = runner.invoke(
        main,
        ["monitor", "run", str(dataset), "-o", str(out), "--calibration", str(cal)],
    )
    assert result.exit_code == 0, result.output
    assert _json(out)["notes"]["interval"] == "calibrated:mine"


def test_sample_without_seed_prints_it(
    runner: CliRunner, dataset: Path, tmp_path: Path
) -> None:
    county = _counties(dataset)[0]
    year = str(pl.read_parquet(dataset)["year"].max())
    args = ["monitor", "sample", str(dataset), "--county", county, "--year", year]
    first = runner.invoke(main, [*args, "-o", str(tmp_path / "a.json")])
    assert first.exit_code == 0, first.output
    printed = re.search(r"seed: (\d+)", first.output)
    assert printed is not None, first.output
    recorded = _json(tmp_path / "a.json")["notes"]["design"]["seed"]
    assert recorded == int(printed.group(1))
    again = runner.invoke(
        main, [*args, "--seed", printed.group(1), "-o", str(tmp_path / "b.json")]
    )
    assert again.exit_code == 0, again.output
    assert "seed:" not in again.output
    drawn = [
        sorted(r["school_code"] for r in _json(tmp_path / name)["sample"])
        for name in ("a.json", "b.json")
    ]
    assert drawn[0] == drawn[1]


def test_sample_names_the_synthetic_input(
    runner: CliRunner, dataset: Path, tmp_path: Path
) -> None:
    # A file of other schools, not saved by junheng demo, beside the demo data.
    county = _counties(dataset)[0]
    year = str(pl.read_parquet(dataset)["year"].max())
    other = tmp_path / "other.csv"
    other_school = primary_school(1, year=int(year), division_code="410102")
    canonical_frame([other_school]).write_csv(other)
    out = tmp_path / "s.json"
    args = ["monitor", "sample", str(dataset), str(other), "--county", county]
    result = runner.invoke(main, [*args, "--year", year, "--seed", "7", "-o", str(out)])
    assert result.exit_code == 0, result.output
    notes = _json(out)["notes"]
    assert notes["synthetic_sources"] == str(dataset)
    assert notes["synthetic"].endswith(
        f"The other input file ({other}) is not synthetic."
    )
    assert f"其余输入文件 {other} 不是合成数据。" in notes["synthetic"]
