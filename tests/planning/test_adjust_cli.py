"""``junheng plan adjust`` run in-process on synthetic files."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner, Result
from factories import primary_school
from openpyxl import load_workbook

from junheng import demo
from junheng.cli import main
from junheng.ingest.schema import canonical_frame


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def _frame() -> pl.DataFrame:
    """Two primary schools of 410102; at the default unit costs their plan
    costs 10,000 yuan."""
    rows = [primary_school(1, primary_backbone_teachers=4), primary_school(2)]
    return canonical_frame(rows)


def _schools(path: Path) -> Path:
    _frame().write_csv(path)
    return path


def _adjust_with_costs(runner: CliRunner, tmp_path: Path, costs_text: str) -> Result:
    """Run ``plan adjust`` in English on the two-school file with a costs file."""
    source = _schools(tmp_path / "schools.csv")
    costs = tmp_path / "costs.yaml"
    costs.write_text(costs_text)
    arguments = ["plan", "adjust", str(source), "-c", "410102"]
    return runner.invoke(main, [*arguments, "--costs", str(costs), "--lang", "en"])


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


def _two_counties(path: Path) -> Path:
    # 410102 needs one backbone teacher moved (10,000 yuan, as above); 410103
    # passes as it is. 420102 has no backbone teacher at all: L2 = 0 is
    # below the floor 0.85 × 1.0, and with no hires allowed (NO_HIRES) no
    # school has one to send, so it gets no plan.
    rows = [
        primary_school(1, primary_backbone_teachers=4),
        primary_school(2),
        primary_school(3, division_code="410103"),
        primary_school(4, division_code="410103"),
        primary_school(
            5,
            division_code="420102",
            school_code="2142000005",
            primary_backbone_teachers=0,
        ),
        primary_school(
            6,
            division_code="420102",
            school_code="2142000006",
            primary_backbone_teachers=0,
        ),
    ]
    canonical_frame(rows).write_csv(path)
    return path


NO_HIRES = "max_hires_per_school: 0\n"


def test_adjust_every_county_to_xlsx(runner: CliRunner, tmp_path: Path) -> None:
    source = _two_counties(tmp_path / "schools.csv")
    costs = tmp_path / "costs.yaml"
    costs.write_text(NO_HIRES)
    result = runner.invoke(
        main,
        [
            "plan",
            "adjust",
            str(source),
            "--costs",
            str(costs),
            "--format",
            "xlsx",
            "-o",
            "all.xlsx",
            "-j",
            "1",
        ],
    )
    # 420102 has no plan under these limits, so the exit status is 4.
    assert result.exit_code == 4, result.output
    book = load_workbook(tmp_path / "all.xlsx")
    assert book.sheetnames[:3] == ["概览", "各县汇总", "调整措施"]
    sheet = book["各县汇总"]
    header = [c.value for c in sheet[1]]
    rows = [
        dict(zip(header, (c.value for c in row), strict=True))
        for row in sheet.iter_rows(min_row=2)
    ]
    assert [r["区划代码"] for r in rows] == ["410102", "410103", "420102"]
    assert [r["结果代码"] for r in rows] == ["planned", "passes", "no_plan"]
    assert rows[0]["总费用（元）"] == 10_000
    assert rows[0]["最优性差距"] == 0
    assert "2142000005" in rows[2]["无方案原因"]
    assert "L2" in rows[2]["无方案原因"]
    actions = book["调整措施"]
    assert {c.value for c in actions["A"][1:]} == {"410102"}


def test_adjust_province_prefix_json(runner: CliRunner, tmp_path: Path) -> None:
    source = _two_counties(tmp_path / "schools.csv")
    result = runner.invoke(
        main, ["plan", "adjust", str(source), "-c", "41", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["division_code"] == "41"
    assert doc["summary"]["counties"] == 2
    assert doc["summary"]["counties_planned"] == 1
    assert doc["summary"]["counties_passes"] == 1
    assert doc["summary"]["total_cost"] == 10_000
    counties = next(t for t in doc["tables"] if t["name"] == "counties")
    assert [r["division_code"] for r in counties["rows"]] == ["410102", "410103"]


def test_adjust_infeasible_terminal_shows_no_unchanged_rows(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = _adjust_with_costs(
        runner, tmp_path, "max_transfers_out_per_school: 0\nmax_hires_per_school: 0\n"
    )
    assert result.exit_code == 4
    assert "No plan meets part 1" in result.output
    # Without a plan nothing changes: no school or section table is printed.
    assert "Schools before and after" not in result.output
    assert "Section CVs before and after" not in result.output
    assert "2141000002" not in result.output


def test_adjust_option_problems_listed_together(
    runner: CliRunner, tmp_path: Path
) -> None:
    source = _schools(tmp_path / "schools.csv")
    result = runner.invoke(
        main,
        ["plan", "adjust", str(source), "-c", "41x", "-y", "1800", "--lang", "en"],
    )
    assert result.exit_code == 3
    assert "2 problems with the options" in result.output
    assert "--county '41x'" in result.output
    assert "--year 1800" in result.output


def test_adjust_year_not_in_data(runner: CliRunner, tmp_path: Path) -> None:
    source = _schools(tmp_path / "schools.csv")
    result = runner.invoke(
        main, ["plan", "adjust", str(source), "-c", "41", "-y", "2020"]
    )
    assert result.exit_code == 3
    assert "--year 2020" in result.output
    assert "2024" in result.output


def test_adjust_time_limit_option(runner: CliRunner, tmp_path: Path) -> None:
    source = _schools(tmp_path / "schools.csv")
    result = runner.invoke(
        main,
        [
            "plan",
            "adjust",
            str(source),
            "-c",
            "410102",
            "--time-limit",
            "5",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["parameters"]["time_limit_seconds"] == 5.0


def test_adjust_bad_costs_all_listed(runner: CliRunner, tmp_path: Path) -> None:
    result = _adjust_with_costs(
        runner, tmp_path, "hire_yuan: lots\ntransfer_yuan: -1\n"
    )
    assert result.exit_code == 3
    assert "2 invalid cost settings" in result.output
    assert "hire_yuan: 'lots'" in result.output
    assert "transfer_yuan: -1" in result.output


def test_adjust_help_describes_batches(runner: CliRunner) -> None:
    result = runner.invoke(main, ["plan", "adjust", "--help"])
    assert result.exit_code == 0
    for option in ("--county", "--time-limit", "--workers", "summary sheet"):
        assert option in result.output


def test_adjust_of_demo_data_is_labelled(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # the notice on one line
    # The two schools saved as `junheng demo --save` saves its data.
    schools = _frame()
    saved = tmp_path / "d.parquet"
    demo.save_dataset(schools, demo.generate_county_items(schools, seed=1), saved)
    args = ["plan", "adjust", "d.parquet", "--county", "410102"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert f"{demo.SYNTHETIC_ZH}\n" in result.stdout
    result = runner.invoke(main, [*args, "--format", "xlsx", "-o", "pa.xlsx"])
    assert result.exit_code == 0, result.output
    assert f"{demo.SYNTHETIC}\n" in result.stderr
    overview = load_workbook(tmp_path / "pa.xlsx").worksheets[0]
    first_cells = [row[0] for row in overview.iter_rows(values_only=True)]
    assert demo.SYNTHETIC_ZH in first_cells
    result = runner.invoke(main, [*args, "--format", "json", "--lang", "en"])
    doc = json.loads(result.stdout)
    assert doc["messages_en"][0] == demo.SYNTHETIC_EN
    assert doc["summary"]["total_cost"] == 10_000
