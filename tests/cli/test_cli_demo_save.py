"""`junheng demo --save / --save-roster`: paths checked before the data are made."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from junheng import demo
from junheng.cli import main


@pytest.mark.parametrize(
    ("option", "name", "suffixes", "suffixes_en"),
    [
        ("--save", "d.csv", ".parquet 或 .xlsx", ".parquet or .xlsx"),
        ("--save", "d", ".parquet 或 .xlsx", ".parquet or .xlsx"),
        ("--save-roster", "r.xlsx", ".csv", ".csv"),
    ],
)
def test_save_suffix_rejected_first(
    runner: CliRunner,
    tmp_path: Path,
    option: str,
    name: str,
    suffixes: str,
    suffixes_en: str,
) -> None:
    result = runner.invoke(main, ["demo", "--counties", "2", option, name])
    assert result.exit_code == 2
    assert result.output.endswith(
        f"Error: Invalid value for '{option}': {name} 的后缀不是 {suffixes}；请换"
        f"一个以 {suffixes} 结尾的文件名 / {name!r} does not end in {suffixes_en}; "
        f"give a file name that ends in {suffixes_en}\n"
    )
    # Rejected before the evaluation, whose summary names the synthetic data.
    assert "合成数据" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_save_creates_missing_folders(runner: CliRunner, tmp_path: Path) -> None:
    args = ["demo", "--counties", "2", "--save", "nd1/nd2/x.parquet"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "合成数据已保存 / synthetic dataset saved: nd1/nd2/x.parquet" in (
        result.output
    )
    folder = tmp_path / "nd1/nd2"
    assert sorted(p.name for p in folder.iterdir()) == [
        "x.county_items.parquet",
        "x.parquet",
    ]
    assert demo.is_synthetic(folder / "x.parquet")


def test_long_items_name_rejected_first(runner: CliRunner, tmp_path: Path) -> None:
    # 240 + 8 bytes fit in a name; the county items file beside it, with 21
    # more bytes (".county_items.parquet"), does not.
    name = "x" * 240 + ".parquet"
    result = runner.invoke(main, ["demo", "--counties", "2", "--save", name])
    assert result.exit_code == 2
    assert result.output.endswith(
        f"Error: Invalid value for '--save': 无法写入 {'x' * 240}.county_items."
        "parquet：File name too long。请为 --save 换一个较短的路径：每个文件夹名和"
        "文件名不超过 255 字节（一个汉字占 3 字节）。 / cannot write "
        f"{'x' * 240}.county_items.parquet: File name too long. Give --save a "
        "shorter path: at most 255 bytes in each folder or file name (a Chinese "
        "character takes 3).\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_save_cannot_be_the_output(runner: CliRunner, tmp_path: Path) -> None:
    args = ["demo", "--counties", "2", "--save", "o.xlsx", "--format", "xlsx"]
    result = runner.invoke(main, [*args, "-o", "o.xlsx"])
    assert result.exit_code == 2
    assert result.output.endswith(
        "Error: --output o.xlsx 与 --save 是同一个文件；请换一个文件名，以免两者"
        "互相覆盖 / --output 'o.xlsx' is the same file as --save; choose another "
        "name so neither overwrites the other\n"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "hint", "name", "example"),
    [
        (["demo", "--counties", "2", "--save", "nd1"], "'--save'", "--save", ""),
        (
            ["template", "-o", "nd1"],
            "'--output' / '-o'",
            "--output",
            "，例如 nd1/junheng-template.xlsx",
        ),
    ],
)
def test_folder_as_output_file(
    runner: CliRunner,
    tmp_path: Path,
    args: list[str],
    hint: str,
    name: str,
    example: str,
) -> None:
    (tmp_path / "nd1").mkdir()
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    example_en = example.replace("，例如", ", for example")
    assert result.output.endswith(
        f"Error: Invalid value for {hint}: 无法写入 nd1：这是一个文件夹，不是文件。"
        f"请为 {name} 给出文件路径{example}。 / cannot write nd1: it is a folder, "
        f"not a file. Give {name} a file path{example_en}.\n"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["nd1"]
    assert list((tmp_path / "nd1").iterdir()) == []


def test_folder_as_input_file(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "nd1").mkdir()
    (tmp_path / "roster.csv").write_text("x\n", encoding="utf-8")
    args = ["plan", "rotate", "roster.csv", "s.csv", "--county", "1", "--rule"]
    result = runner.invoke(main, [*args, "nd1"])
    assert result.exit_code == 2
    assert result.output.endswith(
        "Error: Invalid value for '--rule': 无法读取 nd1：这是一个文件夹，不是文件。"
        "请为 --rule 给出文件路径。 / cannot read nd1: it is a folder, not a file. "
        "Give --rule a file path.\n"
    )
