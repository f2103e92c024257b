"""`junheng demo --save / --save-roster`: paths checked before the data are made."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from junheng import demo
from junheng.cli import main


@pytest.mark.parametrize(
    ("option", "name", "suffixes", "suffixes_en"),
    [
        ("--save", "d.csv", ".parquet 或 .xlsx", ".parquet or .xlsx"),
        ("--save", "d", ".parquet 或 .xlsx", ".parquet or .xlsx"),
        ("--save-roster", "r.parquet", ".csv 或 .xlsx", ".csv or .xlsx"),
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


@pytest.mark.parametrize(
    ("args", "taken", "option"),
    [
        (["--save-roster", "r.csv"], "r-locations.csv", "--save-roster"),
        (["--save", "d.parquet"], "d.county_items.parquet", "--save"),
    ],
)
def test_second_saved_file_checked_first(
    runner: CliRunner, tmp_path: Path, args: list[str], taken: str, option: str
) -> None:
    # A folder in the place of the second file of an option is rejected
    # before the data are made, so no first file is left behind.
    (tmp_path / taken).mkdir()
    result = runner.invoke(main, ["demo", "--counties", "1", *args])
    assert result.exit_code == 2, result.output
    assert result.output.endswith(
        f"Error: Invalid value for '{option}': 无法写入 {taken}：这是一个文件夹，"
        f"不是文件。{option} 也写入该文件；请移走该文件夹，或为 {option} 换一个"
        f"文件名 / cannot write {taken}: it is a folder, not a file. {option} "
        f"writes that file too, so move the folder or give {option} another file "
        "name.\n"
    )
    assert [p.name for p in tmp_path.iterdir()] == [taken]


def test_saved_files_named(runner: CliRunner, tmp_path: Path) -> None:
    args = ["demo", "--counties", "1", "--schools-per-county", "5"]
    result = runner.invoke(
        main, [*args, "--save", "d.parquet", "--save-roster", "r.csv"]
    )
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert (
        "合成数据已保存 / synthetic dataset saved: d.parquet d.county_items.parquet"
        in output
    )
    assert (
        "评估时请给出全部 2 个文件 / evaluate all 2 files: junheng evaluate "
        "d.parquet d.county_items.parquet" in output
    )
    # The roster is of the first county that the seed draws.
    county = pl.read_parquet(tmp_path / "d.parquet")["division_code"][0]
    assert (
        "合成教师名册已保存 / synthetic roster saved: r.csv, r-locations.csv"
        f"（县 / county {county}：junheng plan rotate r.csv d.parquet "
        f"d.county_items.parquet --county {county} --locations r-locations.csv）。"
        in output
    )


def test_evaluate_names_missing_items(runner: CliRunner, tmp_path: Path) -> None:
    schools = demo.generate_schools(counties=1, schools_per_county=5, seed=3)
    demo.save_dataset(schools, demo.generate_county_items(schools, seed=3), "d.parquet")
    result = runner.invoke(main, ["evaluate", "d.parquet", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert (
        "note: d.parquet was saved by junheng demo --save, and its county items are "
        "in d.county_items.parquet, which this run does not read, so they count as "
        "not reported. Give both: junheng evaluate d.parquet d.county_items.parquet"
        in " ".join(result.output.split())
    )
    both = runner.invoke(main, ["evaluate", "d.parquet", "d.county_items.parquet"])
    assert both.exit_code == 0, both.output
    assert "注意" not in both.output
    # A Parquet file that junheng demo did not save gets no notice.
    pl.read_parquet("d.parquet").write_parquet("own.parquet")
    own = runner.invoke(main, ["evaluate", "own.parquet", "--lang", "en"])
    assert "county items are in" not in own.output
