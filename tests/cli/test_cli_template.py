"""`junheng template --framework --lang`: the county items sheet follows them."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from click.testing import CliRunner
from factories import primary_school

from junheng.cli import main
from junheng.ingest import load_inputs
from junheng.ingest.schema import SCHOOL_FIELDS
from junheng.standards.loader import load_framework


def _item_choices(path: Path, sheet: str) -> list[str]:
    """Return the values the item-code dropdown offers, read from the workbook."""
    workbook = openpyxl.load_workbook(path)
    (rule,) = [
        dv
        for dv in workbook[sheet].data_validations.dataValidation
        if dv.type == "list" and "C2" in str(dv.sqref)
    ]
    assert rule.errorStyle in (None, "stop")  # Excel refuses other values
    formula = rule.formula1
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    target, cells = formula.split("!")
    first, last = (int(c.split("$")[-1]) for c in cells.split(":"))
    lists = workbook[target.strip("'")]
    return [str(lists.cell(row, 1).value) for row in range(first, last + 1)]


def _fill(path: Path, items: list[list[object]]) -> Path:
    workbook = openpyxl.load_workbook(path)
    schools, county = workbook.worksheets[0], workbook.worksheets[1]
    school = primary_school(1)
    schools.append([school.get(spec.name) for spec in SCHOOL_FIELDS])
    for item in items:
        county.append(item)
    filled = path.with_name("filled.xlsx")
    workbook.save(filled)
    return filled


def test_template_for_2012_framework(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["template", "-f", "cn-2012-basic", "-o", "t.xlsx"])
    assert result.exit_code == 0, result.output
    assert result.output == "已写入模板 / template written: t.xlsx\n"
    template = tmp_path / "t.xlsx"
    assert _item_choices(template, "县级指标") == ["E1", "S1", "W1"]
    filled = _fill(
        template,
        [
            [2024, "410102", "E1", "是"],
            [2024, "410102", "W1", 100],
            [2024, "410102", "S1", 86],
        ],
    )
    inputs = load_inputs([filled], framework=load_framework("cn-2012-basic"))
    assert inputs.warnings == []
    assert inputs.county_items["item"].to_list() == ["E1", "W1", "S1"]
    assert inputs.county_items["value_bool"].to_list() == [True, None, None]
    assert inputs.county_items["value_num"].to_list() == [None, 100.0, 86.0]


def test_default_template_lists_2017_keys(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(main, ["template", "-o", "t.xlsx"]).exit_code == 0
    choices = _item_choices(tmp_path / "t.xlsx", "县级指标")
    assert choices == sorted(load_framework("cn-2017-quality").county_keys())
    assert "E1" not in choices


def test_english_template(runner: CliRunner, tmp_path: Path) -> None:
    args = ["template", "--lang", "en", "-f", "cn-2012-basic", "-o", "en.xlsx"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    workbook = openpyxl.load_workbook(tmp_path / "en.xlsx")
    assert workbook.sheetnames == ["schools", "county_items", "instructions"]
    assert _item_choices(tmp_path / "en.xlsx", "county_items") == ["E1", "S1", "W1"]


def test_template_unknown_framework(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["template", "-f", "cn-2012-basik", "-o", "t.xlsx"])
    assert result.exit_code == 2
    assert "framework 'cn-2012-basik' not found; did you mean 'cn-2012-basic'?" in (
        result.output
    )
    assert not (tmp_path / "t.xlsx").exists()


def test_template_needs_xlsx_suffix(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["template", "-o", "x.csv"])
    assert result.exit_code == 2
    assert result.output.endswith(
        "Error: Invalid value for '--output': x.csv 的后缀不是 .xlsx；模板是 Excel "
        "工作簿，请换一个以 .xlsx 结尾的文件名 / 'x.csv' does not end in .xlsx; the "
        "template is an Excel workbook, so give a file name that ends in .xlsx\n"
    )
    assert not (tmp_path / "x.csv").exists()


def test_template_keeps_existing_file(runner: CliRunner, tmp_path: Path) -> None:
    filled = tmp_path / "data.xlsx"
    filled.write_bytes(b"filled-in data")
    result = runner.invoke(main, ["template", "-o", "data.xlsx"])
    assert result.exit_code == 2
    assert result.output.endswith(
        "Error: Invalid value for '--output': data.xlsx 已存在，未覆盖：它可能是已填"
        "好的数据。请换一个文件名，或加 --force 用空白模板替换它 / 'data.xlsx' "
        "already exists and was not replaced, because it may hold filled-in data; "
        "give another file name, or add --force to replace it with a blank "
        "template\n"
    )
    assert filled.read_bytes() == b"filled-in data"


def test_template_force_replaces_file(runner: CliRunner, tmp_path: Path) -> None:
    filled = tmp_path / "data.xlsx"
    filled.write_bytes(b"filled-in data")
    result = runner.invoke(main, ["template", "-o", "data.xlsx", "--force"])
    assert result.exit_code == 0, result.output
    assert result.output == "已写入模板 / template written: data.xlsx\n"
    assert openpyxl.load_workbook(filled).sheetnames == [
        "学校数据",
        "县级指标",
        "填报说明",
    ]
