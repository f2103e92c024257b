"""Full-width characters: converted in numbers, percentages and yes/no values.

Chinese input methods type ６ (U+FF16) for 6, ％ for % and ｙ for y. Such cells
in number, percentage and yes/no columns are read after conversion to
half-width forms, with one warning per file and column. Codes stay errors,
and text such as school names keeps its full-width brackets.
"""

from __future__ import annotations

from pathlib import Path

from ingest.ingest_files import (
    import_errors,
    school,
    school_cells,
    write_csv,
    write_xlsx,
)

from junheng.ingest import Issue, load_inputs
from junheng.ingest.schema import FIELDS_BY_NAME

SHEET = "学校数据"


def header(name: str) -> str:
    return FIELDS_BY_NAME[name].header_zh


def full_width_warnings(issues: list[Issue]) -> list[Issue]:
    return [issue for issue in issues if issue.rule == "full_width"]


def test_full_width_numbers_read(tmp_path: Path) -> None:
    rows = [
        school(1, primary_students="６００"),
        school(2, primary_students="５００", teaching_aux_area_m2="３０００．５"),
        school(3, school_name="第３小学（东校区）"),
    ]
    path = write_xlsx(tmp_path / "schools.xlsx", {SHEET: school_cells(rows)})
    result = load_inputs([path])
    schools = result.schools

    assert schools["primary_students"].to_list() == [600, 500, 600]
    assert schools["teaching_aux_area_m2"].to_list() == [3000.5, 3000.5, 3000.5]
    # Names are text: their full-width characters are kept.
    assert schools["school_name"].to_list() == [
        "第1小学",
        "第2小学",
        "第３小学（东校区）",
    ]

    students, area = full_width_warnings(result.warnings)
    column = header("primary_students")
    assert (students.code, students.severity, students.sheet, students.row) == (
        "full_width",
        "warning",
        SHEET,
        None,
    )
    assert (students.column, students.value) == (column, "６００")
    assert students.message == (
        f"2 cell(s) of {column}, in rows 2-3, have full-width characters, which "
        "were converted to half-width ('６００' reads as '600')"
    )
    assert students.fix == (
        "check these values, and type numbers, percent signs and yes/no in "
        "half-width (English) input mode"
    )
    zh = students.in_language("zh")
    assert zh.message == (
        f"“{column}”列第 2-3 行共 2 个单元格含有全角字符，全角字符已转换为半角"
        "（如“６００”读作“600”）"
    )
    assert zh.fix == "请核对这些值；以后请用半角（英文）输入状态填写数字、百分号和是/否"
    assert area.column == header("teaching_aux_area_m2")
    assert area.message.startswith("1 cell(s) of")
    # One cell: the warning names its row too.
    assert area.row is not None


def test_full_width_text_still_an_error(tmp_path: Path) -> None:
    rows = [school(1, primary_students="６００人")]
    path = write_csv(tmp_path / "schools.csv", school_cells(rows))
    issues = import_errors([path])
    [error] = [i for i in issues if i.severity == "error"]
    assert (error.rule, error.row, error.value) == ("whole_number", 2, "６００人")
    assert [i.value for i in full_width_warnings(issues)] == ["６００人"]


def test_full_width_division_code_shows_half_width(tmp_path: Path) -> None:
    rows = [school(1, division_code="４１０１０２")]
    path = write_csv(tmp_path / "schools.csv", school_cells(rows))
    [issue] = import_errors([path])
    assert (issue.code, issue.row, issue.column, issue.value) == (
        "division_code_format.full_width",
        2,
        header("division_code"),
        "４１０１０２",
    )
    assert issue.message == (
        "value '４１０１０２' is not a 6-digit division code: it has full-width digits"
    )
    assert issue.fix == (
        "type it in half-width digits, 410102, in a column formatted as text"
    )
    zh = issue.in_language("zh")
    assert zh.message == "值“４１０１０２”不是 6 位行政区划代码：其中有全角数字"
    assert zh.fix == "请改为半角数字 410102，并在设为文本格式的列中填写"


def test_full_width_school_code_shows_half_width(tmp_path: Path) -> None:
    rows = [school(1, school_code="２１４１０００００１")]
    path = write_csv(tmp_path / "schools.csv", school_cells(rows))
    [issue] = import_errors([path])
    assert issue.code == "school_code_format.full_width"
    assert issue.in_language("zh").fix == (
        "请改为半角数字 2141000001，并在设为文本格式的列中填写"
    )


def test_full_width_short_code_plain_fix(tmp_path: Path) -> None:
    rows = [school(1, division_code="４１０１０")]
    path = write_csv(tmp_path / "schools.csv", school_cells(rows))
    [issue] = import_errors([path])
    assert issue.code == "division_code_format"


def test_full_width_percentage_and_yes(tmp_path: Path) -> None:
    rows = [
        ["year", "division_code", "item", "value"],
        [2024, "410102", "Q1", "９７％"],
        [2024, "410102", "Q3", "ｙｅｓ"],
    ]
    path = write_csv(tmp_path / "items.csv", rows)
    result = load_inputs([path])
    items = result.county_items
    assert items["value_num"].to_list() == [97.0, None]
    assert items["value_bool"].to_list() == [None, True]
    [warning] = full_width_warnings(result.warnings)
    assert (warning.column, warning.value) == ("value", "９７％")
    assert warning.message == (
        "2 cell(s) of value, in rows 2-3, have full-width characters, which were "
        "converted to half-width ('９７％' reads as '97%')"
    )
