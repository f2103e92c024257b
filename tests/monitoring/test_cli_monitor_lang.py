"""``junheng monitor run|sample --lang`` words input errors and their report."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from junheng.cli import main


@pytest.mark.parametrize(
    ("lang", "message", "sheet"),
    [
        ("zh", "找不到文件：missing.csv", "错误报告"),
        ("en", "file not found", "error report"),
    ],
)
def test_run_input_errors_in_language(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    message: str,
    sheet: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "monitor.json"
    report = tmp_path / "errors.xlsx"
    for args in (
        ["monitor", "run", "missing.csv", "-o", str(out)],
        [
            *("monitor", "sample", "missing.csv", "-c", "410102", "-y", "2024"),
            "-o",
            str(out),
        ],
    ):
        result = CliRunner().invoke(
            main, [*args, "--errors-report", str(report), "--lang", lang]
        )
        assert result.exit_code != 0
        assert message in result.output
        assert not out.exists()
        assert openpyxl.load_workbook(report).sheetnames == [sheet]
        report.unlink()


@pytest.mark.parametrize("command", ["run", "sample"])
def test_help_lists_lang(command: str) -> None:
    result = CliRunner().invoke(main, ["monitor", command, "--help"])
    assert "--lang [zh|en]" in result.output
