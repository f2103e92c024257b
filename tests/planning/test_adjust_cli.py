"""``junheng plan adjust`` run in-process on synthetic files."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from factories import primary_school
from openpyxl import load_workbook

from junheng.cli import main
from junheng.ingest.schema import canonical_frame


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def _schools(path: Path) -> Path:
    rows = [primary_school(1, primary_backbone_teachers=4), primary_school(2)]
    canonical_frame(rows).write_csv(path)
    return path


def test_adjust_json_to_stdout(runner: CliRunner, tmp_path: Path) -> None:
    source = _schools(tmp_path / "schools.csv")
    result = runner.invoke(
        main,
        ["plan", "adjust", str(source), "--county", "410102", "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["kind"] == "adjust"
    assert doc["summary"]["total_cost"] == 10_000
    assert doc["summary"]["core_confirms_pass"] is True


def test_adjust_table_in_english(runner: CliRunner, tmp_path: Path) -> None:
    source = _schools(tmp_path / "schools.csv")
    result = runner.invoke(
        main, ["plan", "adjust", str(source), "-c", "410102", "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    assert "least-cost plan costs 10,000 yuan" in result.output
    # Rich wraps cells to the terminal width, so look for single words.
    assert "receive" in result.output
    assert "send" in result.output


def test_adjust_xlsx_output(runner: CliRunner, tmp_path: Path) -> None:
    source = _schools(tmp_path / "schools.csv")
    result = runner.invoke(
        main,
        [
            "plan",
            "adjust",
            str(source),
            "-c",
            "410102",
            "--format",
            "xlsx",
            "-o",
            "plan.xlsx",
        ],
    )
    assert result.exit_code == 0, result.output
    book = load_workbook(tmp_path / "plan.xlsx")
    assert book.sheetnames[:2] == ["概览", "调整措施"]


def test_adjust_costs_file(runner: CliRunner, tmp_path: Path) -> None:
    source = _schools(tmp_path / "schools.csv")
    costs = tmp_path / "costs.yaml"
    costs.write_text("max_transfers_out_per_school: 0\nhire_yuan: 90000\n")
    result = runner.invoke(
        main,
        ["plan", "adjust", str(source), "-c", "410102", "--costs", str(costs)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "90,000" in result.output


def test_adjust_bad_costs_file(runner: CliRunner, tmp_path: Path) -> None:
    source = _schools(tmp_path / "schools.csv")
    costs = tmp_path / "costs.yaml"
    costs.write_text("hire_yuan: lots\n")
    result = runner.invoke(
        main, ["plan", "adjust", str(source), "-c", "410102", "--costs", str(costs)]
    )
    assert result.exit_code == 3
    assert "hire_yuan" in result.output
    assert "'lots'" in result.output
    assert "Traceback" not in result.output


def test_adjust_unknown_county(runner: CliRunner, tmp_path: Path) -> None:
    source = _schools(tmp_path / "schools.csv")
    result = runner.invoke(main, ["plan", "adjust", str(source), "-c", "999999"])
    assert result.exit_code == 3
    assert "999999" in result.output


def test_adjust_infeasible_exit_status(runner: CliRunner, tmp_path: Path) -> None:
    source = _schools(tmp_path / "schools.csv")
    costs = tmp_path / "costs.yaml"
    costs.write_text("max_transfers_out_per_school: 0\nmax_hires_per_school: 0\n")
    result = runner.invoke(
        main,
        ["plan", "adjust", str(source), "-c", "410102", "--costs", str(costs)],
    )
    assert result.exit_code == 4
    assert "2141000001" in result.output


def test_plan_help_lists_adjust(runner: CliRunner) -> None:
    result = runner.invoke(main, ["plan", "--help"])
    assert result.exit_code == 0
    assert "adjust" in result.output


def test_adjust_input_errors_in_english(runner: CliRunner, tmp_path: Path) -> None:
    frame = canonical_frame([primary_school(1), primary_school(2)])
    number = next(name for name, kind in frame.schema.items() if kind.is_numeric())
    source = tmp_path / "text_num.csv"
    frame.with_columns(pl.lit("四百").alias(number)).write_csv(source)
    result = runner.invoke(
        main, ["plan", "adjust", str(source), "-c", "110101", "--lang", "en"]
    )
    assert result.exit_code == 3, result.output
    assert "个错误" not in result.output
    assert "error" in result.output
