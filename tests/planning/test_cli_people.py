"""``junheng plan rotate`` and ``junheng plan pair`` on synthetic files."""

from __future__ import annotations

import json
from pathlib import Path

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
