"""Existing output files: Junheng's own are replaced, the user's need --force."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from cli.cli_files import schools_csv
from click.testing import CliRunner

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


def test_force_in_help(runner: CliRunner) -> None:
    for command in ("evaluate", "demo"):
        result = runner.invoke(main, [command, "--help"])
        assert "--force" in result.output
