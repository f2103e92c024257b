"""``junheng plan rotate`` and ``junheng plan pair`` on synthetic files."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from click.testing import CliRunner
from openpyxl import load_workbook

from junheng import demo
from junheng.cli import main
from junheng.planning.synthetic import generate_locations, generate_roster


def _files(tmp_path: Path) -> tuple[Path, Path, Path, str]:
    schools = demo.generate_schools(counties=2, schools_per_county=12, seed=5)
    county = schools["division_code"][0]
    locations = generate_locations(schools, seed=5)
    roster = generate_roster(
        schools.filter(schools["division_code"] == county), seed=5, locations=locations
    )
    paths = (
        tmp_path / "schools.parquet",
        tmp_path / "roster.csv",
        tmp_path / "loc.csv",
    )
    schools.write_parquet(paths[0])
    roster.write_csv(paths[1])
    locations.write_csv(paths[2])
    return *paths, county


def test_rotate_writes_json_and_xlsx(tmp_path: Path) -> None:
    schools, roster, locations, county = _files(tmp_path)
    runner = CliRunner()
    args = ["plan", "rotate", str(roster), str(schools), "--county", county]
    result = runner.invoke(
        main, [*args, "--locations", str(locations), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert plan["kind"] == "rotation"
    assert plan["feasible"] is True
    target = tmp_path / "plan.xlsx"
    result = runner.invoke(main, [*args, "--format", "xlsx", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "交流名单" in load_workbook(target).sheetnames


def test_pair_prints_a_table(tmp_path: Path) -> None:
    schools, _, locations, county = _files(tmp_path)
    result = CliRunner().invoke(
        main,
        [
            "plan",
            "pair",
            str(schools),
            "--division",
            county[:2],
            "--cross-county",
            "--capacity",
            "3",
            "--locations",
            str(locations),
            "--lang",
            "en",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "education communities" in result.stdout


def test_rotate_reports_roster_errors(tmp_path: Path) -> None:
    schools, _, _, county = _files(tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text("teacher_id,school_code\nT1,x\n", encoding="utf-8")
    report = tmp_path / "errors.json"
    result = CliRunner().invoke(
        main,
        [
            "plan",
            "rotate",
            str(bad),
            str(schools),
            "--county",
            county,
            "--errors-report",
            str(report),
        ],
    )
    assert result.exit_code == 3
    issues = json.loads(report.read_text(encoding="utf-8"))["issues"]
    assert any(i["column"] == "school_code" and i["value"] == "x" for i in issues)


def test_demo_saves_a_synthetic_roster(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    result = CliRunner().invoke(
        main,
        [
            "demo",
            "--counties",
            "1",
            "--save-roster",
            str(roster),
            "--format",
            "json",
            "-o",
            str(tmp_path / "demo.json"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "SYNTHETIC" in result.output
    assert roster.read_text(encoding="utf-8").startswith("teacher_id,")
    assert (tmp_path / "roster-locations.csv").exists()


def _saved_as_demo(tmp_path: Path) -> tuple[Path, Path, str]:
    """Save the schools of ``_files`` as `junheng demo --save` saves them."""
    schools, roster, _, county = _files(tmp_path)
    frame = pl.read_parquet(schools)
    saved = tmp_path / "demo.parquet"
    demo.save_dataset(frame, demo.generate_county_items(frame, seed=5), saved)
    return saved, roster, county


def _overview(path: Path) -> list[object]:
    """Return the first cells of the overview sheet of a plan workbook."""
    sheet = load_workbook(path).worksheets[0]
    return [row[0] for row in sheet.iter_rows(values_only=True)]


def test_pair_of_demo_data_is_labelled(tmp_path: Path) -> None:
    saved, _, county = _saved_as_demo(tmp_path)
    runner = CliRunner(env={"COLUMNS": "400"})  # the notice on one line
    args = ["plan", "pair", str(saved), "-d", county]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert f"{demo.SYNTHETIC_ZH}\n" in result.stdout
    target = tmp_path / "pair.xlsx"
    result = runner.invoke(main, [*args, "--format", "xlsx", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert f"{demo.SYNTHETIC}\n" in result.stderr
    assert demo.SYNTHETIC_ZH in _overview(target)
    result = runner.invoke(main, [*args, "--format", "json", "--lang", "en"])
    plan = json.loads(result.stdout)
    assert plan["messages_zh"][0] == demo.SYNTHETIC_ZH
    assert plan["messages_en"][0] == demo.SYNTHETIC_EN


def test_rotate_of_demo_data_is_labelled(tmp_path: Path) -> None:
    saved, roster, county = _saved_as_demo(tmp_path)
    target = tmp_path / "rotate.xlsx"
    args = ["plan", "rotate", str(roster), str(saved), "--county", county]
    result = CliRunner(env={"COLUMNS": "400"}).invoke(
        main, [*args, "--format", "xlsx", "--lang", "en", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert f"{demo.SYNTHETIC}\n" in result.stderr
    assert demo.SYNTHETIC_EN in _overview(target)


def test_unmarked_data_plan_not_labelled(tmp_path: Path) -> None:
    schools, _, _, county = _files(tmp_path)
    result = CliRunner().invoke(
        main, ["plan", "pair", str(schools), "-d", county, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert "合成数据" not in result.output
    plan = json.loads(result.stdout)
    assert not any("SYNTHETIC" in m for m in plan["messages_en"])
