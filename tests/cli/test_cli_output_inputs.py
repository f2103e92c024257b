"""No command writes its output over one of its input files.

The output file, also the default name that xlsx and html get without
--output, is compared with every input the command names (file arguments,
--locations, --schedule, --calibration) and with --errors-report, before any
input is read. The inputs here are not valid data: a run that read them would
end with an input error (exit 3) and an error report.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from junheng.cli import main

CONTENT = b"not touched\n"


def _refused(name: str, option: str = "") -> str:
    zh_option = f"（{option}）" if option else ""
    en_option = f" ({option})" if option else ""
    return (
        f"Error: --output {name} 就是输入文件 {name}{zh_option}；请换一个文件名，"
        f"以免输出文件覆盖输入 / --output {name!r} is the input file {name!r}"
        f"{en_option}; choose another name so the output does not overwrite the "
        "input\n"
    )


ROTATE = ["plan", "rotate", "r.csv", "s.csv", "-c", "410102", "--format", "xlsx"]
PAIR = ["plan", "pair", "s.csv", "-d", "41", "--format", "xlsx"]


@pytest.mark.parametrize(
    ("args", "name", "option"),
    [
        # The default output name is an input file.
        (
            ["evaluate", "junheng-report.xlsx", "--format", "xlsx"],
            "junheng-report.xlsx",
            "",
        ),
        (
            ["evaluate", "junheng-report.html", "--format", "html"],
            "junheng-report.html",
            "",
        ),
        (
            ["plan", "pair", "junheng-pairing.xlsx", "-d", "41", "--format", "xlsx"],
            "junheng-pairing.xlsx",
            "",
        ),
        (
            [
                "plan",
                "adjust",
                "junheng-plan-adjust.xlsx",
                "-c",
                "41",
                "--format",
                "xlsx",
            ],
            "junheng-plan-adjust.xlsx",
            "",
        ),
        (
            [
                "plan",
                "rotate",
                "junheng-rotation.xlsx",
                "s.csv",
                "-c",
                "410102",
                "--format",
                "xlsx",
            ],
            "junheng-rotation.xlsx",
            "",
        ),
        (
            [*ROTATE, "--locations", "junheng-rotation.xlsx"],
            "junheng-rotation.xlsx",
            "--locations",
        ),
        (
            [*PAIR, "--locations", "junheng-pairing.xlsx"],
            "junheng-pairing.xlsx",
            "--locations",
        ),
        # -o is an input file.
        ([*ROTATE, "--locations", "L.xlsx", "-o", "L.xlsx"], "L.xlsx", "--locations"),
        ([*PAIR, "--locations", "L.xlsx", "-o", "L.xlsx"], "L.xlsx", "--locations"),
        (["monitor", "run", "m.xlsx", "-o", "m.xlsx"], "m.xlsx", ""),
        (
            [
                "monitor",
                "sample",
                "m.xlsx",
                "-c",
                "410102",
                "-y",
                "2024",
                "-o",
                "m.xlsx",
            ],
            "m.xlsx",
            "",
        ),
        (
            ["monitor", "run", "s.csv", "--schedule", "sch.xlsx", "-o", "sch.xlsx"],
            "sch.xlsx",
            "--schedule",
        ),
        (
            ["monitor", "run", "s.csv", "--calibration", "cal.json", "-o", "cal.json"],
            "cal.json",
            "--calibration",
        ),
    ],
)
def test_output_cannot_replace_an_input(
    runner: CliRunner, tmp_path: Path, args: list[str], name: str, option: str
) -> None:
    for file in {name, "r.csv", "s.csv"}:
        (tmp_path / file).write_bytes(CONTENT)
    result = runner.invoke(main, args)
    assert result.exit_code == 2, result.output
    assert result.output.endswith(_refused(name, option))
    assert (tmp_path / name).read_bytes() == CONTENT
    assert not (tmp_path / "junheng-errors.xlsx").exists()


@pytest.mark.parametrize(
    ("args", "default"),
    [
        (["evaluate", "s.csv", "--format", "xlsx"], "junheng-report.xlsx"),
        (
            ["plan", "pair", "s.csv", "-d", "41", "--format", "xlsx"],
            "junheng-pairing.xlsx",
        ),
    ],
)
def test_report_cannot_take_the_default_output_name(
    runner: CliRunner, tmp_path: Path, args: list[str], default: str
) -> None:
    (tmp_path / "s.csv").write_bytes(CONTENT)
    result = runner.invoke(main, [*args, "--errors-report", default])
    assert result.exit_code == 2, result.output
    assert result.output.endswith(
        f"Error: --output {default} 与 --errors-report 是同一个文件；请换一个文件名，"
        f"以免两者互相覆盖 / --output {default!r} is the same file as "
        "--errors-report; choose another name so neither overwrites the other\n"
    )
    assert not (tmp_path / default).exists()


def test_output_errors_in_both_languages(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "s.csv").write_bytes(CONTENT)
    result = runner.invoke(
        main, ["evaluate", "s.csv", "--format", "json", "-o", "s.csv"]
    )
    assert result.exit_code == 2
    assert result.output.endswith(
        "Error: --output s.csv 的后缀不是 .json（--format json 的后缀）；请换一个以 "
        ".json 结尾的文件名 / --output 's.csv' does not end in .json, the suffix "
        "of --format json; give a file name that ends in it\n"
    )
    result = runner.invoke(main, ["plan", "pair", "s.csv", "-d", "41", "-o", "p.xlsx"])
    assert result.exit_code == 2
    assert result.output.endswith(
        "Error: --output 需要 --format json 或 xlsx；table 格式输出到终端 / --output "
        "needs --format json or xlsx; the table format prints to the terminal\n"
    )
    result = runner.invoke(main, ["monitor", "run", "s.csv", "-o", "m.csv"])
    assert result.exit_code == 2
    assert result.output.endswith(
        "Error: --output m.csv 的后缀不是 .xlsx 或 .json；请换一个以 .xlsx 或 .json "
        "结尾的文件名 / --output 'm.csv' does not end in .xlsx or .json; give a "
        "file name that ends in it\n"
    )
    assert (tmp_path / "s.csv").read_bytes() == CONTENT
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.csv"]
