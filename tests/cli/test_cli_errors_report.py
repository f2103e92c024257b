"""--errors-report and --output: refused paths, unwritable folders, stale reports."""

from __future__ import annotations

import json
from pathlib import Path

import click
import polars as pl
import pytest
from cli.cli_files import schools_csv
from click.testing import CliRunner

from junheng.cli import WriteError, _atomic_write, import_errors, main
from junheng.errors import InputError
from junheng.ingest.issues import Issue

NOT_A_FOLDER = "Not a directory"


def _input_refused(report: str, value: str, given: str = "") -> str:
    zh_hint = f"（{given}）" if given else ""
    en_hint = f" ({given})" if given else ""
    return (
        f"Error: --errors-report {report} 就是输入文件 {value}{zh_hint}；请换一个"
        f"文件名，以免错误报告覆盖输入 / --errors-report {report!r} is the input "
        f"file {value!r}{en_hint}; choose another name so the error report does "
        "not overwrite the input\n"
    )


def _workbook(path: Path) -> Path:
    pl.read_csv(schools_csv(path.with_suffix(".csv"))).write_excel(path)
    return path


@pytest.mark.parametrize("command", ["evaluate", "validate"])
def test_report_cannot_replace_input(
    runner: CliRunner, tmp_path: Path, command: str
) -> None:
    workbook = _workbook(tmp_path / "t3.xlsx")
    before = workbook.read_bytes()
    result = runner.invoke(main, [command, "t3.xlsx", "--errors-report", "t3.xlsx"])
    assert result.exit_code == 2
    assert result.output.endswith(_input_refused("t3.xlsx", "t3.xlsx"))
    assert workbook.read_bytes() == before


def test_report_through_symlink_refused(runner: CliRunner, tmp_path: Path) -> None:
    workbook = _workbook(tmp_path / "t3.xlsx")
    before = workbook.read_bytes()
    (tmp_path / "link.xlsx").symlink_to(workbook)
    result = runner.invoke(
        main, ["validate", "t3.xlsx", "--errors-report", "link.xlsx"]
    )
    assert result.exit_code == 2
    assert result.output.endswith(_input_refused("link.xlsx", "t3.xlsx"))
    assert workbook.read_bytes() == before


def test_report_cannot_replace_option_file(runner: CliRunner, tmp_path: Path) -> None:
    # --calibration takes a file name as text; it is an input all the same.
    schools_csv(tmp_path / "schools.csv")
    calibration = tmp_path / "cal.json"
    calibration.write_text("{}\n", encoding="utf-8")
    args = ["monitor", "run", "schools.csv", "-o", "m.xlsx"]
    args += ["--calibration", "cal.json", "--errors-report", "cal.json"]
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert result.output.endswith(
        _input_refused("cal.json", "cal.json", "--calibration")
    )
    assert calibration.read_text(encoding="utf-8") == "{}\n"
    assert not (tmp_path / "m.xlsx").exists()


def test_report_cannot_be_the_output(runner: CliRunner, tmp_path: Path) -> None:
    schools_csv(tmp_path / "schools.csv")
    args = ["evaluate", "schools.csv", "--format", "json", "-o", "r.json"]
    result = runner.invoke(main, [*args, "--errors-report", "r.json"])
    assert result.exit_code == 2
    assert result.output.endswith(
        "Error: --errors-report r.json 与 --output 是同一个文件；请换一个文件名，"
        "以免两者互相覆盖 / --errors-report 'r.json' is the same file as --output; "
        "choose another name so neither overwrites the other\n"
    )
    assert not (tmp_path / "r.json").exists()


def _commands(group: click.Group, ctx: click.Context) -> list[click.Command]:
    found: list[click.Command] = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            found += _commands(command, ctx)
        elif command is not None:
            found.append(command)
    return found


def test_every_report_option_is_checked() -> None:
    # The check sits in the option's decorator: a command that declared the
    # option by hand would miss it.
    with click.Context(main) as ctx:
        commands = _commands(main, ctx)
    with_option = [
        c for c in commands if any(p.name == "errors_report" for p in c.params)
    ]
    assert {c.name for c in with_option} >= {"evaluate", "validate", "import", "run"}
    assert all(hasattr(c.callback, "__wrapped__") for c in with_option)


def test_missing_report_folder_created(runner: CliRunner, tmp_path: Path) -> None:
    schools_csv(tmp_path / "bad.csv", primary_students=-5)
    result = runner.invoke(
        main, ["validate", "bad.csv", "--errors-report", "nodir2/sub/rep.json"]
    )
    assert result.exit_code == 3
    assert "bad.csv，第 2 行，列 primary_students：值“-5”是负数" in result.output
    assert "全部问题已写入 nodir2/sub/rep.json。未导入任何数据。" in result.output
    report = json.loads((tmp_path / "nodir2/sub/rep.json").read_text("utf-8"))
    assert report["errors"] == 1


def _unwritable(path: str, option: str, folder: Path, reason: str) -> str:
    return (
        f"Error: Invalid value for '{option}': 无法写入 {path}：{reason}（{folder}）。"
        f"请为 {option} 换一个可写文件夹中的路径，或先改好该文件夹的权限。 / cannot "
        f"write {path}: {reason} ({folder}). Give {option} a path in a folder you "
        "can write to, or fix the folder's permissions.\n"
    )


def test_unwritable_report_refused_first(runner: CliRunner, tmp_path: Path) -> None:
    schools_csv(tmp_path / "bad.csv", primary_students=-5)
    path = "bad.csv/rep.json"
    result = runner.invoke(main, ["validate", "bad.csv", "--errors-report", path])
    assert result.exit_code == 2
    assert result.output.endswith(
        _unwritable(path, "--errors-report", tmp_path / "bad.csv", NOT_A_FOLDER)
    )


def test_default_report_folder_not_checked(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # /proc takes no new file, but a clean input needs no report there.
    source = schools_csv(tmp_path / "good.csv")
    monkeypatch.chdir("/proc")
    result = runner.invoke(main, ["validate", str(source)])
    assert result.exit_code == 0, result.output
    # The folder is looked at before the input is read, and a note says that
    # input errors would only be printed.
    assert result.output == (
        "注意：无法在此写入错误报告 junheng-errors.xlsx（No such file or directory）"
        "；输入如有错误，只在终端列出。要保存错误报告，请用 --errors-report 指定"
        "可写文件夹中的路径。\n"
        "校验通过：2 条学校记录，0 条县级指标\n"
    )


def test_unwritable_output_refused_before_reading(
    runner: CliRunner, tmp_path: Path
) -> None:
    # The input does not exist: the output is refused before it is looked at.
    schools_csv(tmp_path / "schools.csv")
    args = ["evaluate", "missing.csv", "--format", "html", "-o", "schools.csv/r.html"]
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert result.output.endswith(
        _unwritable(
            "schools.csv/r.html", "--output", tmp_path / "schools.csv", NOT_A_FOLDER
        )
    )


def test_output_in_proc_refused(runner: CliRunner, tmp_path: Path) -> None:
    schools_csv(tmp_path / "three.csv")
    args = ["evaluate", "three.csv", "--format", "html", "-o", "/proc/nope.html"]
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert "Error: Invalid value for '--output': 无法写入 /proc/nope.html：" in (
        result.output
    )
    assert "cannot write /proc/nope.html: " in result.output
    assert "Traceback" not in result.output


def test_report_write_failure_after_errors(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Past the early check (the folder vanished, say), writing fails: the
    # input errors are printed first, then the path, the reason and the fix.
    issue = Issue(
        file="bad.csv",
        sheet=None,
        row=2,
        column="primary_students",
        value="-5",
        message="value '-5' is negative",
        fix="enter 0 or more",
    )
    error = InputError("bad.csv has 1 error", [issue], zh="bad.csv 有 1 个错误")
    report = Path("/proc/nodir/rep.json")
    monkeypatch.setenv("COLUMNS", "400")
    with pytest.raises(SystemExit) as exited, import_errors(report, "en"):
        raise error
    assert exited.value.code == 3
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "bad.csv has 1 error"
    assert lines[1].startswith("bad.csv, row 2, column primary_students: value '-5'")
    assert lines[2] == (
        "错误 / error: 无法写入 /proc/nodir/rep.json：No such file or directory"
        "（/proc/nodir）。请为 --errors-report 换一个可写文件夹中的路径，或先改好"
        "该文件夹的权限。 / cannot write /proc/nodir/rep.json: No such file or "
        "directory (/proc/nodir). Give --errors-report a path in a folder you can "
        "write to, or fix the folder's permissions."
    )
    assert len(lines) == 3


def test_output_write_failure_is_clear(tmp_path: Path) -> None:
    with pytest.raises(WriteError) as caught:
        _atomic_write(Path("/proc/nope.html"), lambda tmp: tmp.write_text("x"))
    message = caught.value.format_message()
    assert message.startswith("无法写入 /proc/nope.html：")
    assert "cannot write /proc/nope.html: " in message
    assert message.endswith(
        "Give --output a path in a folder you can write to, or fix the folder's "
        "permissions."
    )


def test_stale_xlsx_report_removed(runner: CliRunner, tmp_path: Path) -> None:
    schools_csv(tmp_path / "bad.csv", primary_students=-5)
    schools_csv(tmp_path / "good.csv")
    assert runner.invoke(main, ["validate", "bad.csv"]).exit_code == 3
    assert (tmp_path / "junheng-errors.xlsx").exists()
    result = runner.invoke(main, ["validate", "good.csv"])
    assert result.exit_code == 0
    assert result.output == (
        "已删除上次运行留下的错误报告 junheng-errors.xlsx：本次未发现输入错误。\n"
        "校验通过：2 条学校记录，0 条县级指标\n"
    )
    assert not (tmp_path / "junheng-errors.xlsx").exists()


def test_stale_json_report_removed(runner: CliRunner, tmp_path: Path) -> None:
    schools_csv(tmp_path / "bad.csv", primary_students=-5)
    schools_csv(tmp_path / "good.csv")
    args = ["--errors-report", "e.json", "--lang", "en", "--format", "json"]
    assert runner.invoke(main, ["evaluate", "bad.csv", *args]).exit_code == 3
    result = runner.invoke(main, ["evaluate", "good.csv", *args, "-o", "r.json"])
    assert result.exit_code == 0, result.output
    assert (
        "Removed the stale error report e.json of an earlier run: this run found "
        "no input errors.\n"
    ) in result.output
    assert not (tmp_path / "e.json").exists()


def _not_a_report(path: str) -> str:
    return (
        f"Error: Invalid value for '--errors-report': {path} 已存在，但不是 junheng "
        "写的错误报告，未覆盖。请移走或改名该文件，或用 --errors-report 指定另一个"
        f"路径 / {path!r} exists and is not an error report written by junheng, "
        "so it was not replaced; move or rename it, or give --errors-report "
        "another path\n"
    )


@pytest.mark.parametrize("primary_students", [100, -5])
def test_other_file_at_report_path_kept(
    runner: CliRunner, tmp_path: Path, primary_students: int
) -> None:
    # A workbook of the user's at the default report path is refused before
    # the input is read, on clean input and on input with errors alike.
    schools_csv(tmp_path / "in.csv", primary_students=primary_students)
    workbook = _workbook(tmp_path / "junheng-errors.xlsx")
    before = workbook.read_bytes()
    result = runner.invoke(main, ["validate", "in.csv"])
    assert result.exit_code == 2, result.output
    assert result.output.endswith(_not_a_report("junheng-errors.xlsx"))
    assert workbook.read_bytes() == before

    other = tmp_path / "notes.json"
    other.write_text('{"lang": "en", "issues": []}\n', encoding="utf-8")
    args = ["validate", "in.csv", "--errors-report", "notes.json", "--lang", "en"]
    result = runner.invoke(main, args)
    assert result.exit_code == 2, result.output
    assert result.output.endswith(_not_a_report("notes.json"))
    assert other.read_text(encoding="utf-8") == '{"lang": "en", "issues": []}\n'


def test_other_file_left_by_a_run_kept(tmp_path: Path) -> None:
    # A file that appears at the path during a clean run is left as it is.
    other = tmp_path / "notes.json"
    other.write_text("{}\n", encoding="utf-8")
    with import_errors(other, "en"):
        pass
    assert other.read_text(encoding="utf-8") == "{}\n"


LONG = "a" * 300
"""A file name of 300 bytes, more than the 255 a Linux file system takes."""


def _too_long(path: str, option: str) -> str:
    return (
        f"Error: Invalid value for '{option}': 无法写入 {path}：File name too long。"
        f"请为 {option} 换一个较短的路径：每个文件夹名和文件名不超过 255 字节（一个"
        f"汉字占 3 字节）。 / cannot write {path}: File name too long. Give {option} "
        "a shorter path: at most 255 bytes in each folder or file name (a Chinese "
        "character takes 3).\n"
    )


def test_long_report_name_refused_on_clean_input(
    runner: CliRunner, tmp_path: Path
) -> None:
    schools_csv(tmp_path / "good.csv")
    path = f"{LONG}.xlsx"
    result = runner.invoke(main, ["validate", "good.csv", "--errors-report", path])
    assert result.exit_code == 2
    assert result.output.endswith(_too_long(path, "--errors-report"))


@pytest.mark.parametrize("parent", ["new3", "old"])
def test_long_report_folder_refused(
    runner: CliRunner, tmp_path: Path, parent: str
) -> None:
    # Below a missing folder the system never reaches the long name; below an
    # existing one it says so on the first look-up.
    schools_csv(tmp_path / "bad.csv", primary_students=-5)
    (tmp_path / "old").mkdir()
    path = f"{parent}/{LONG}/r.xlsx"
    result = runner.invoke(main, ["validate", "bad.csv", "--errors-report", path])
    assert result.exit_code == 2
    assert result.output.endswith(_too_long(path, "--errors-report"))
    assert not (tmp_path / "new3").exists()


def test_long_output_name_refused(runner: CliRunner, tmp_path: Path) -> None:
    schools_csv(tmp_path / "schools.csv")
    path = f"{LONG}.json"
    args = ["evaluate", "schools.csv", "--format", "json", "-o", path]
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert result.output.endswith(_too_long(path, "--output"))


def test_long_name_counts_bytes(runner: CliRunner, tmp_path: Path) -> None:
    # 86 Chinese characters are 258 bytes in UTF-8: too long, though only 86
    # characters.
    schools_csv(tmp_path / "schools.csv")
    path = "报" * 86
    args = ["plan", "adjust", "schools.csv", "--format", "json", "-o", f"{path}.json"]
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert result.output.endswith(_too_long(f"{path}.json", "--output"))


def test_output_symlink_loop_refused(runner: CliRunner, tmp_path: Path) -> None:
    schools_csv(tmp_path / "schools.csv")
    (tmp_path / "loop.json").symlink_to("loop.json")
    args = ["evaluate", "schools.csv", "--format", "json", "-o", "loop.json"]
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert result.output.endswith(
        "Error: Invalid value for '--output': 无法写入 loop.json：Too many levels of "
        f"symbolic links（{tmp_path}）。请为 --output 换一个路径，或删除形成循环的"
        "符号链接。 / cannot write loop.json: Too many levels of symbolic links "
        f"({tmp_path}). Give --output another path, or remove the symbolic links "
        "that form the loop.\n"
    )


@pytest.mark.parametrize("command", ["backtest", "calibrate"])
def test_monitor_output_checked_before_reading(
    runner: CliRunner, tmp_path: Path, command: str
) -> None:
    # The folder holds no tables: the output is refused before it is read.
    path = f"{LONG}.json"
    result = runner.invoke(main, ["monitor", command, str(tmp_path), "-o", path])
    assert result.exit_code == 2
    assert result.output.endswith(_too_long(path, "--output"))


def test_stale_report_lookup_failure_is_clear(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # A default report path is not checked up front; looking it up after a
    # clean run fails with the path, the reason and the fix.
    report = tmp_path / f"{LONG}.xlsx"
    with pytest.raises(WriteError) as caught, import_errors(report, "en"):
        pass
    assert caught.value.format_message() == (
        f"无法写入 {report}：File name too long。请为 --errors-report 换一个较短的"
        "路径：每个文件夹名和文件名不超过 255 字节（一个汉字占 3 字节）。 / cannot "
        f"write {report}: File name too long. Give --errors-report a shorter path: "
        "at most 255 bytes in each folder or file name (a Chinese character takes "
        "3)."
    )
