"""Default output file names, checked before any input is read.

Without --output, the xlsx and html formats write a file of a fixed name in the
current folder. A folder of that name is rejected as an explicit --output
folder is, before the inputs are read: the inputs here do not exist, so a run
that read them would fail with an input error (exit 3) instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from junheng import demo
from junheng.cli import main

MISSING = "missing.csv"
"""An input file that does not exist."""


@pytest.mark.parametrize(
    ("args", "default"),
    [
        (["evaluate", MISSING, "--format", "xlsx"], "junheng-report.xlsx"),
        (["evaluate", MISSING, "--format", "html"], "junheng-report.html"),
        (
            ["plan", "pair", MISSING, "-d", "41", "--format", "xlsx"],
            "junheng-pairing.xlsx",
        ),
        (
            ["plan", "rotate", MISSING, MISSING, "-c", "410102", "--format", "xlsx"],
            "junheng-rotation.xlsx",
        ),
        (
            ["plan", "adjust", MISSING, "-c", "410102", "--format", "xlsx"],
            "junheng-plan-adjust.xlsx",
        ),
    ],
)
def test_default_name_taken_by_folder(
    runner: CliRunner, tmp_path: Path, args: list[str], default: str
) -> None:
    (tmp_path / default).mkdir()
    result = runner.invoke(main, [*args, "--lang", "en"])
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert (
        f"无法写入 {default}：这是一个文件夹，不是文件。请为 --output 给出文件路径"
        in message
    )
    assert f"cannot write {default}: it is a folder, not a file" in message
    assert "Give --output a file path" in message
    assert not (tmp_path / "junheng-errors.xlsx").exists()


def test_demo_default_name_checked_before_generating(
    runner: CliRunner, tmp_path: Path
) -> None:
    (tmp_path / "junheng-report.xlsx").mkdir()
    result = runner.invoke(
        main, ["demo", "--counties", "1", "--format", "xlsx", "--save", "d.parquet"]
    )
    assert result.exit_code == 2, result.output
    assert "cannot write junheng-report.xlsx: it is a folder" in result.output
    assert demo.SYNTHETIC not in result.output
    assert not (tmp_path / "d.parquet").exists()


def test_demo_save_clashes_with_default_name(runner: CliRunner, tmp_path: Path) -> None:
    # The report would overwrite the dataset saved under the same name.
    args = ["demo", "--counties", "1", "--format", "xlsx"]
    result = runner.invoke(main, [*args, "--save", "junheng-report.xlsx"])
    assert result.exit_code == 2, result.output
    assert "--output junheng-report.xlsx 与 --save 是同一个文件" in result.output
    assert not (tmp_path / "junheng-report.xlsx").exists()


def test_default_name_written_when_free(runner: CliRunner, tmp_path: Path) -> None:
    schools = demo.generate_schools(counties=1, schools_per_county=12, seed=5)
    schools.write_parquet(tmp_path / "schools.parquet")
    county = schools["division_code"][0]
    result = runner.invoke(
        main, ["plan", "pair", "schools.parquet", "-d", county, "--format", "xlsx"]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "junheng-pairing.xlsx").is_file()
    assert "已写入 / written: junheng-pairing.xlsx" in result.output


def test_table_and_json_need_no_default_file(runner: CliRunner, tmp_path: Path) -> None:
    # Both print, so a folder named like a JSON report is no obstacle, and the
    # run goes on to read the (missing) input.
    (tmp_path / "junheng-report.json").mkdir()
    for fmt in ("table", "json"):
        result = runner.invoke(main, ["evaluate", MISSING, "--format", fmt])
        assert result.exit_code == 3, result.output
        assert MISSING in result.output
