"""Existing output files: Junheng's own are replaced, the user's need --force.

The plan and monitor data are SYNTHETIC (junheng.demo); the monitor back-test
and calibration read the real NBS tables shipped in examples/data.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import click
import openpyxl
import pytest
from cli.cli_files import schools_csv
from click.testing import CliRunner

from junheng import demo
from junheng.cli import OUTPUT_MARK, main


def _users_workbook(path: Path) -> bytes:
    """Write a workbook of the user's at ``path`` and return its bytes."""
    book = openpyxl.Workbook()
    book.active.append(["学校名称", "小学在校生数"])
    book.active.append(["甲小学", 400])
    book.save(path)
    return path.read_bytes()


def _refused(name: str, option: str = "--output") -> str:
    return (
        f"Error: Invalid value for '{option}': {name} 已存在，且不是 junheng 写的"
        f"文件，未覆盖：它可能是您的数据。请为 {option} 换一个文件名，或加 --force "
        f"替换它 / {name!r} exists and was not written by junheng, so it was not "
        "replaced, because it may hold your data; give "
        f"{option} another file name, or add --force to replace it\n"
    )


@pytest.mark.parametrize("fmt", ["xlsx", "json", "html"])
def test_evaluate_keeps_users_file(runner: CliRunner, tmp_path: Path, fmt: str) -> None:
    schools_csv(tmp_path / "county.csv")
    target = tmp_path / f"last-year.{fmt}"
    if fmt == "xlsx":
        before = _users_workbook(target)
    else:
        before = b'{"note": "mine"}\n' if fmt == "json" else b"<p>mine</p>\n"
        target.write_bytes(before)
    args = ["evaluate", "county.csv", "--format", fmt, "-o", target.name]
    result = runner.invoke(main, args)
    assert result.exit_code == 2, result.output
    assert result.output.endswith(_refused(target.name))
    assert target.read_bytes() == before

    result = runner.invoke(main, [*args, "--force"])
    assert result.exit_code == 0, result.output
    assert target.read_bytes() != before


@pytest.mark.parametrize("fmt", ["xlsx", "json", "html"])
def test_evaluate_replaces_own_report(
    runner: CliRunner, tmp_path: Path, fmt: str
) -> None:
    schools_csv(tmp_path / "county.csv")
    args = ["evaluate", "county.csv", "--format", fmt, "-o", f"r.{fmt}"]
    assert runner.invoke(main, args).exit_code == 0
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.output.endswith(f"已写入 / written: r.{fmt}\n")


def test_written_workbook_carries_mark(runner: CliRunner, tmp_path: Path) -> None:
    schools_csv(tmp_path / "county.csv")
    args = ["evaluate", "county.csv", "--format", "xlsx", "-o", "r.xlsx"]
    assert runner.invoke(main, args).exit_code == 0
    with zipfile.ZipFile(tmp_path / "r.xlsx") as archive:
        assert archive.comment == OUTPUT_MARK
        assert archive.testzip() is None
    # A workbook saved again by a spreadsheet program is the user's.
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    book.save(tmp_path / "r.xlsx")
    result = runner.invoke(main, args)
    assert result.exit_code == 2, result.output
    assert result.output.endswith(_refused("r.xlsx"))


def test_demo_output_keeps_users_file(runner: CliRunner, tmp_path: Path) -> None:
    before = _users_workbook(tmp_path / "keep.xlsx")
    args = ["demo", "--counties", "1", "--format", "xlsx", "-o", "keep.xlsx"]
    result = runner.invoke(main, args)
    assert result.exit_code == 2, result.output
    assert result.output.endswith(_refused("keep.xlsx"))
    assert (tmp_path / "keep.xlsx").read_bytes() == before


@pytest.mark.parametrize(
    ("option", "name", "blocked"),
    [
        ("--save", "keep.xlsx", "keep.xlsx"),
        ("--save", "keep.parquet", "keep.parquet"),
        ("--save", "keep.parquet", "keep.county_items.parquet"),
        ("--save-roster", "r.csv", "r.csv"),
        ("--save-roster", "r.csv", "r-locations.csv"),
    ],
)
def test_demo_save_keeps_users_file(
    runner: CliRunner, tmp_path: Path, option: str, name: str, blocked: str
) -> None:
    target = tmp_path / blocked
    if blocked.endswith(".xlsx"):
        before = _users_workbook(target)
    else:
        before = b"school,students\n1,400\n"
        target.write_bytes(before)
    result = runner.invoke(main, ["demo", "--counties", "1", option, name])
    assert result.exit_code == 2, result.output
    assert result.output.endswith(_refused(blocked, option))
    assert "合成数据" not in result.output  # rejected before the data are made
    assert target.read_bytes() == before

    result = runner.invoke(main, ["demo", "--counties", "1", option, name, "--force"])
    assert result.exit_code == 0, result.output
    assert target.read_bytes() != before


@pytest.mark.parametrize(
    ("option", "name"), [("--save", "d.parquet"), ("--save", "d.xlsx")]
)
def test_demo_save_replaces_own_dataset(
    runner: CliRunner, option: str, name: str
) -> None:
    args = ["demo", "--counties", "1", option, name]
    assert runner.invoke(main, args).exit_code == 0
    result = runner.invoke(main, [*args, "--seed", "7"])
    assert result.exit_code == 0, result.output


def test_demo_roster_replaced_by_demo(runner: CliRunner) -> None:
    args = ["demo", "--counties", "1", "--save-roster", "r.xlsx"]
    assert runner.invoke(main, args).exit_code == 0
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output


def test_far_cell_output_kept_unread(runner: CliRunner, tmp_path: Path) -> None:
    # A saved demo workbook whose sheets, 说明 among them, gained a cell at
    # XFD1048576: reading the 说明 sheet would build a grid of 17 billion
    # cells, so the file counts as the user's without being read.
    assert (
        runner.invoke(main, ["demo", "--counties", "1", "--save", "d.xlsx"]).exit_code
        == 0
    )
    with zipfile.ZipFile(tmp_path / "d.xlsx") as source:
        names = source.namelist()
        parts = {name: source.read(name) for name in names}
    far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    sheets = sorted(n for n in names if n.startswith("xl/worksheets/sheet"))
    with zipfile.ZipFile(tmp_path / "far.xlsx", "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            data = parts[name]
            if name in sheets:
                data = data.replace(b"</sheetData>", far)
            target.writestr(name, data)
    assert not demo.is_synthetic(tmp_path / "far.xlsx")
    schools_csv(tmp_path / "county.csv")
    args = ["evaluate", "county.csv", "--format", "xlsx", "-o", "far.xlsx"]
    result = runner.invoke(main, args)
    assert result.exit_code == 2, result.output
    assert result.output.endswith(_refused("far.xlsx"))


def test_force_in_help(runner: CliRunner) -> None:
    for command in ("evaluate", "demo"):
        result = runner.invoke(main, [command, "--help"])
        assert "--force" in result.output


NBS = Path(__file__).parents[2] / "examples/data/cn-nbs-province"


def _plan_and_monitor_args(tmp_path: Path) -> dict[str, list[str]]:
    """Return the arguments, without --output, of plan and monitor commands."""
    schools = demo.generate_schools(counties=1, schools_per_county=12, seed=5)
    schools.write_parquet(tmp_path / "schools.parquet")
    county = schools["division_code"][0]
    return {
        "pair": ["plan", "pair", "schools.parquet", "--division", county],
        "adjust": ["plan", "adjust", "county.csv", "--county", "410102"],
        "run": ["monitor", "run", "schools.parquet"],
        "backtest": ["monitor", "backtest", str(NBS)],
        "calibrate": ["monitor", "calibrate", str(NBS)],
    }


@pytest.mark.parametrize(
    ("command", "name"),
    [
        ("pair", "plan.xlsx"),
        ("pair", "plan.json"),
        ("adjust", "plan.json"),
        ("run", "monitor.xlsx"),
        ("run", "monitor.json"),
        ("backtest", "backtest.json"),
        ("calibrate", "cal.json"),
    ],
)
def test_plan_and_monitor_keep_users_file(
    runner: CliRunner, tmp_path: Path, command: str, name: str
) -> None:
    schools_csv(tmp_path / "county.csv")
    args = _plan_and_monitor_args(tmp_path)[command]
    if args[0] == "plan":
        args += ["--format", name.rsplit(".", 1)[1]]
    args += ["-o", name]
    target = tmp_path / name
    if name.endswith(".xlsx"):
        before = _users_workbook(target)
    else:
        before = b'{"note": "mine"}\n'
        target.write_bytes(before)

    refused = runner.invoke(main, args)
    assert refused.exit_code == 2, refused.output
    assert refused.output.endswith(_refused(name))
    assert target.read_bytes() == before

    forced = runner.invoke(main, [*args, "--force"])
    assert forced.exit_code == 0, forced.output
    assert target.read_bytes() != before
    # The file is Junheng's now, so a run without --force replaces it.
    inode = target.stat().st_ino
    again = runner.invoke(main, args)
    assert again.exit_code == 0, again.output
    assert again.output.endswith(f"已写入 / written: {name}\n")
    assert target.stat().st_ino != inode  # a new file was renamed into place


def _commands(
    group: click.Group, prefix: str = ""
) -> Iterator[tuple[str, click.Command]]:
    """Yield every command under ``group`` with its full name."""
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, f"{prefix}{name}"
        if isinstance(command, click.Group):
            yield from _commands(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", command


def test_every_output_command_has_force() -> None:
    writers = {
        name: {p.name for p in command.params}
        for name, command in _commands(main)
        if any(p.name == "output" for p in command.params)
    }
    assert sorted(writers) == [
        "demo",
        "evaluate",
        "monitor backtest",
        "monitor calibrate",
        "monitor run",
        "monitor sample",
        "plan adjust",
        "plan pair",
        "plan rotate",
        "plan scenarios show",
        "template",
    ]
    for name, params in writers.items():
        assert "force" in params, name
