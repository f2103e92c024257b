"""County item values are checked against the kind of value the framework reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from ingest.ingest_files import import_errors, school, school_cells, write_csv

from junheng.ingest import load_inputs
from junheng.ingest.county_items import item_kinds
from junheng.standards.loader import load_framework

ITEM_HEADERS = ["year", "division_code", "item", "value", "evidence"]


def items_csv(path: Path, *rows: tuple[str, str]) -> Path:
    """Write county items of 410102 in 2024, one (key, value) pair per row."""
    return write_csv(
        path, [ITEM_HEADERS] + [[2024, "410102", key, value, ""] for key, value in rows]
    )


def items_xlsx(path: Path, *rows: tuple[str, Any], percent: bool = False) -> Path:
    """Write a workbook with one school and county items, values as typed.

    With ``percent``, every value cell is formatted as a percentage, as a user
    typing 95% into a General cell gets.
    """
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    schools = workbook.create_sheet("学校数据")
    for row in school_cells([school()]):
        schools.append(row)
    items = workbook.create_sheet("县级指标")
    items.append(["学年", "行政区划代码", "指标代码", "值", "佐证说明"])
    for key, value in rows:
        items.append([2024, "410102", key, value, None])
        if percent:
            items.cell(items.max_row, 4).number_format = "0%"
    workbook.save(path)
    return path


def test_item_kinds_of_default_framework() -> None:
    kinds = item_kinds(load_framework())
    assert kinds["Q1"].number
    assert not kinds["Q1"].yes_no
    assert kinds["Q1"].percent
    assert kinds["Q3"].yes_no
    assert not kinds["Q3"].number
    assert kinds["G7"].number
    assert not kinds["G7"].percent
    assert kinds["G7"].unit == "元"
    assert kinds["G11_rotation_rate"].label == (
        "G11 全县每年交流轮岗教师的比例不低于符合交流条件教师总数的10%，"
        "其中骨干教师不低于交流轮岗教师总数的20%（交流轮岗比例）"
    )


def test_yes_for_numeric_item(tmp_path: Path) -> None:
    path = items_csv(tmp_path / "items.csv", ("S1", "90"), ("Q1", "yes"))
    issues = import_errors([path])
    assert len(issues) == 1
    issue = issues[0]
    assert issue.rule == "item_value"
    assert issue.row == 3
    assert issue.column == "value"
    assert issue.value == "yes"
    assert issue.message == (
        "item 'Q1' (全县初中三年巩固率达到95%以上) needs a number, but 'yes' is a "
        "yes/no answer"
    )
    assert "from 0 to 100" in issue.fix


def test_percent_for_yes_no_item(tmp_path: Path) -> None:
    path = items_csv(tmp_path / "items.csv", ("Q3", "95%"))
    issues = import_errors([path])
    assert len(issues) == 1
    assert issues[0].rule == "item_value"
    assert issues[0].row == 2
    assert issues[0].value == "95%"
    assert "needs a yes/no answer" in issues[0].message
    assert "是 or 否" in issues[0].fix


def test_yes_no_item_accepts_words(tmp_path: Path) -> None:
    path = items_csv(tmp_path / "items.csv", ("Q3", "1"), ("Q5", "否"), ("V1", "no"))
    items = load_inputs([path]).county_items
    assert items["value_bool"].to_list() == [True, False, False]


def test_negative_percentage_rejected(tmp_path: Path) -> None:
    path = items_csv(tmp_path / "items.csv", ("Q2", "-5"), ("S1", "100"))
    issues = import_errors([path])
    assert [issue.row for issue in issues] == [2]
    assert [issue.value for issue in issues] == ["-5"]
    assert issues[0].rule == "item_value"
    assert "'Q2'" in issues[0].message


def test_percentage_above_100_warns(tmp_path: Path) -> None:
    path = items_csv(tmp_path / "items.csv", ("Q1", "101.5%"))
    result = load_inputs([path])
    assert result.county_items["value_num"].to_list() == [101.5]
    assert [w.rule for w in result.warnings] == ["item_value_high"]
    assert result.warnings[0].row == 2


def test_non_percent_number_unbounded(tmp_path: Path) -> None:
    path = items_csv(tmp_path / "items.csv", ("G7", "12000"))
    items = load_inputs([path]).county_items
    assert items["value_num"].to_list() == [12000.0]


def test_percent_formatted_cell_rejected(tmp_path: Path) -> None:
    path = items_xlsx(tmp_path / "items.xlsx", ("Q1", 0.95), percent=True)
    issues = import_errors([path])
    assert len(issues) == 1
    issue = issues[0]
    assert issue.rule == "item_value"
    assert issue.sheet == "县级指标"
    assert issue.row == 2
    assert issue.column == "值"
    assert issue.value == "0.95"
    assert "how Excel stores a cell formatted as a percentage" in issue.message
    assert "95 rather than 95% or 0.95" in issue.fix


def test_mixed_column_number_cell_checked(tmp_path: Path) -> None:
    # A column of text and number cells is read as text, and the number cell is
    # still recognised.
    path = items_xlsx(tmp_path / "items.xlsx", ("G1", "是"), ("Q1", 1), ("S1", 90))
    issues = import_errors([path])
    assert len(issues) == 1
    assert issues[0].row == 3
    assert issues[0].value == "1"


def test_number_cells_above_one_accepted(tmp_path: Path) -> None:
    path = items_xlsx(tmp_path / "items.xlsx", ("Q1", 96), ("Q2", 0), ("G1", "是"))
    items = load_inputs([path]).county_items
    assert items["value_num"].to_list() == [96.0, 0.0, None]


def test_typed_fraction_text_kept(tmp_path: Path) -> None:
    # Text such as "0.95" was typed on purpose, so it is read as 0.95%.
    path = items_csv(tmp_path / "items.csv", ("Q1", "0.95"))
    items = load_inputs([path]).county_items
    assert items["value_num"].to_list() == [0.95]


def test_item_key_in_other_case_read(tmp_path: Path) -> None:
    # The county items sheet ignores the case of keys, as docs/frameworks.md says.
    path = items_csv(tmp_path / "items.csv", ("s1", "90"), ("q9_DIFFERENCE_rate", "5"))
    result = load_inputs([path])
    assert result.county_items["item"].to_list() == ["S1", "Q9_difference_rate"]
    assert result.county_items["value_num"].to_list() == [90.0, 5.0]


def test_item_key_case_repeat_is_duplicate(tmp_path: Path) -> None:
    path = items_csv(tmp_path / "items.csv", ("S1", "90"), ("s1", "80"))
    (issue,) = import_errors([path])
    assert issue.rule == "duplicate_item"
    assert issue.row == 3


def test_unknown_key_suggestion_ignores_case(tmp_path: Path) -> None:
    path = items_csv(tmp_path / "items.csv", ("g11_backbone", "20"))
    (issue,) = import_errors([path])
    assert issue.code == "unknown_item.close"
    assert issue.fix.startswith("did you mean 'G11_backbone_share'?")
