"""Help texts, the --county filter and English reasons of the command line."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from click.testing import CliRunner
from factories import primary_school

from junheng.cli import main
from junheng.ingest.schema import canonical_frame


def _weak_county(path: Path) -> Path:
    """Write four template schools and one short of teachers (L1 0.4, L2 0)."""
    weak = primary_school(
        5,
        primary_teachers=20,
        primary_teachers_above_required_degree=2,
        primary_backbone_teachers=0,
    )
    rows = [*(primary_school(number) for number in range(1, 5)), weak]
    canonical_frame(rows).write_csv(path)
    return path


def test_empty_county_rejected(runner: CliRunner, tmp_path: Path) -> None:
    _weak_county(tmp_path / "county.csv")
    for value in ("", "  "):
        result = runner.invoke(main, ["evaluate", "county.csv", "--county", value])
        assert result.exit_code == 2, result.output
        assert result.output.endswith(
            "Error: Invalid value for '--county': --county 为空，会匹配所有区县；请给出"
            "行政区划代码的前几位（如 41 或 410102），或去掉 --county 以评估全部区县 / "
            "--county is empty, which would match every division; give the start of "
            "a division code (such as 41 or 410102), or leave --county out to "
            "evaluate every division\n"
        )


def test_county_prefix_trimmed(runner: CliRunner, tmp_path: Path) -> None:
    _weak_county(tmp_path / "county.csv")
    args = ["evaluate", "county.csv", "--county", " 4101 ", "--format", "json"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert '"division_code": "410102"' in result.output


def test_evaluate_help_lists_inputs(runner: CliRunner) -> None:
    result = runner.invoke(main, ["evaluate", "--help"])
    text = " ".join(result.output.split())
    assert "FILES (.xlsx, .xlsm, .xls, .csv or .parquet)" in text
    assert "UTF-16 or UTF-32 with BOM" in text
    assert "xlsx and html to junheng-report.xlsx or junheng-report.html" in text


def test_english_reasons_use_ascii_separator(runner: CliRunner, tmp_path: Path) -> None:
    _weak_county(tmp_path / "county.csv")
    args = ["evaluate", "county.csv", "--format", "xlsx", "-o", "r.xlsx"]
    assert runner.invoke(main, [*args, "--lang", "en"]).exit_code == 0
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx")["Reasons"]
    texts = [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row]
    shortfall = "L1 0.4/4.2 (9.5%); L2 0/1 (0.0%)"
    assert any(text.endswith(shortfall) for text in texts), texts
    assert not any("；" in text for text in texts)

    assert runner.invoke(main, args).exit_code == 0
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx")["原因"]
    texts = [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row]
    assert any(text.endswith("L1 0.4/4.2 (9.5%)；L2 0/1 (0.0%)") for text in texts)
