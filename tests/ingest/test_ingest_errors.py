"""Bad input files: each gives its intended error and imports nothing."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from ingest.ingest_files import (
    HEADERS,
    find,
    import_errors,
    school,
    school_cells,
    write_csv,
    write_xlsx,
)

from junheng.ingest import load_inputs
from junheng.ingest.schema import FIELDS_BY_NAME

SHEET = "学校数据"


def header(name: str) -> str:
    return FIELDS_BY_NAME[name].header_zh


def test_wrong_header_suggests_name(tmp_path: Path) -> None:
    cells = school_cells([school()])
    cells[0][HEADERS.index(header("primary_students"))] = "小学在校学生数"
    path = write_xlsx(tmp_path / "schools.xlsx", {SHEET: cells})
    issues = find(import_errors([path]), "header")
    assert len(issues) == 1
    issue = issues[0]
    assert issue.file == "schools.xlsx"
    assert issue.sheet == SHEET
    assert issue.row == 1
    assert issue.column == "小学在校学生数"
    assert issue.value == "小学在校学生数"
    assert "unknown column header" in issue.message
    assert "小学在校生数（人）" in issue.fix


def test_missing_required_column(tmp_path: Path) -> None:
    cells = [row[:2] + row[3:] for row in school_cells([school()])]
    path = write_csv(tmp_path / "schools.csv", cells)
    issues = find(import_errors([path]), "header")
    assert len(issues) == 1
    assert issues[0].column == "学校标识码"
    assert issues[0].row == 1
    assert issues[0].sheet is None
    assert "required column" in issues[0].message


def test_school_name_length_limit(tmp_path: Path) -> None:
    # 200 characters fit the schools.name column; 201 do not.
    rows = [school(1, school_name="甲" * 200), school(2, school_name="乙" * 201)]
    path = write_csv(tmp_path / "schools.csv", school_cells(rows))
    [issue] = import_errors([path])
    assert issue.rule == "text_too_long"
    assert (issue.file, issue.row, issue.column) == ("schools.csv", 3, "学校名称")
    assert issue.value == "乙" * 20 + "…"
    assert issue.message == (
        "school name has 201 characters, more than 200 (it starts '" + "乙" * 20 + "…')"
    )
    assert issue.fix == "shorten it to 200 characters or fewer"


def test_text_in_number(tmp_path: Path) -> None:
    rows = [school(1), school(2, primary_students="12a")]
    path = write_xlsx(tmp_path / "schools.xlsx", {SHEET: school_cells(rows)})
    issues = import_errors([path])
    assert len(issues) == 1
    issue = issues[0]
    assert issue.file == "schools.xlsx"
    assert issue.sheet == SHEET
    assert issue.row == 3
    assert issue.column == "小学在校生数（人）"
    assert issue.value == "12a"
    assert issue.rule == "whole_number"
    assert str(issue) == (
        "schools.xlsx, sheet 学校数据, row 3, column 小学在校生数（人）: value '12a' "
        "is not a whole number; enter a whole number of students (人), 0 or more"
    )


def test_text_in_amount(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "schools.xlsx",
        {SHEET: school_cells([school(teaching_aux_area_m2="约3000")])},
    )
    issues = import_errors([path])
    assert len(issues) == 1
    assert issues[0].column == "教学及辅助用房面积（平方米）"
    assert issues[0].value == "约3000"
    assert issues[0].rule == "number"


def test_negative_count(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "schools.xlsx", {SHEET: school_cells([school(books=-5)])}
    )
    issues = import_errors([path])
    assert len(issues) == 1
    assert issues[0].row == 2
    assert issues[0].column == "图书册数（册）"
    assert issues[0].value == "-5"
    assert issues[0].rule == "negative"


def test_fractional_count(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "schools.xlsx",
        {SHEET: school_cells([school(1), school(2), school(3, primary_classes=12.5)])},
    )
    issues = import_errors([path])
    assert len(issues) == 1
    assert issues[0].row == 4
    assert issues[0].column == "小学班级数（个）"
    assert issues[0].value == "12.5"
    assert issues[0].message == "value '12.5' is not a whole number"


def test_all_errors_collected(tmp_path: Path) -> None:
    rows = [
        school(1, primary_students="x"),
        school(2, books=-1),
        school(3, ownership="国有"),
    ]
    path = write_xlsx(tmp_path / "schools.xlsx", {SHEET: school_cells(rows)})
    issues = import_errors([path])
    assert [issue.row for issue in issues] == [2, 3, 4]
    assert [issue.rule for issue in issues] == ["whole_number", "negative", "choice"]


def test_merged_cells(tmp_path: Path) -> None:
    path = tmp_path / "merged.xlsx"
    write_xlsx(path, {SHEET: school_cells([school(1), school(2), school(3)])})
    workbook = openpyxl.load_workbook(path)
    column = HEADERS.index(header("school_type")) + 1
    letter = openpyxl.utils.get_column_letter(column)
    workbook[SHEET].merge_cells(f"{letter}2:{letter}4")
    workbook.save(path)
    issues = find(import_errors([path]), "merged_cells")
    assert len(issues) == 1
    issue = issues[0]
    assert issue.file == "merged.xlsx"
    assert issue.sheet == SHEET
    assert issue.row == 2
    assert issue.column == "学校类型"
    assert issue.value == "小学"
    assert f"{letter}2:{letter}4" in issue.message


def test_empty_sheet(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "empty.xlsx", {SHEET: []})
    issues = import_errors([path])
    assert len(issues) == 1
    assert issues[0].file == "empty.xlsx"
    assert issues[0].sheet == SHEET
    assert issues[0].row is None
    assert issues[0].message == "the sheet is empty"


def test_header_only_sheet(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "header.xlsx", {SHEET: [HEADERS]})
    issues = import_errors([path])
    assert len(issues) == 1
    assert issues[0].sheet == SHEET
    assert issues[0].row == 1
    assert "no data rows" in issues[0].message


def test_header_only_csv(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "header.csv", [HEADERS])
    issues = import_errors([path])
    assert len(issues) == 1
    assert issues[0].file == "header.csv"
    assert "no data rows" in issues[0].message


def test_empty_csv(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    issues = import_errors([path])
    assert len(issues) == 1
    assert issues[0].message == "the file is empty"


def test_gbk_csv_imports(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "gbk.csv", school_cells([school(1), school(2)]), encoding="gbk"
    )
    assert path.read_bytes().find("学校".encode("gbk")) >= 0
    result = load_inputs([path])
    assert result.schools.height == 2
    assert result.schools["school_name"].to_list() == ["第1小学", "第2小学"]
    assert result.schools["division_name"].to_list() == ["中原区", "中原区"]


def test_utf8_bom_csv_imports(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "bom.csv", school_cells([school(1)]), encoding="utf-8-sig"
    )
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    result = load_inputs([path])
    assert result.schools.height == 1
    assert result.schools["year"].to_list() == [2024]


def test_explicit_encoding_used(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "big5.csv", school_cells([school(1)]), encoding="gb18030"
    )
    result = load_inputs([path], encoding="gb18030")
    assert result.schools["school_name"].to_list() == ["第1小学"]


def test_wrong_encoding_reported(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "gbk.csv", school_cells([school(1)]), encoding="gbk")
    issues = import_errors([path], encoding="utf-8")
    assert len(issues) == 1
    assert issues[0].file == "gbk.csv"
    assert "cannot be decoded as utf-8" in issues[0].message
    # The file is GBK, which GB18030 covers: the fix names gb18030, not big5.
    assert issues[0].fix.startswith("the whole file decodes as gb18030")
    assert "--encoding gb18030" in issues[0].fix
    assert "big5" not in issues[0].fix
    chinese = issues[0].in_language("zh").fix
    assert chinese.startswith("整个文件可按 gb18030 解码：请用 --encoding gb18030")


def test_undecodable_bytes_suggest_gb18030(tmp_path: Path) -> None:
    # 0xFF is invalid in UTF-8 and as a lead byte of GB18030 and Big5, so no
    # encoding decodes the file and the fix gives the simplified Chinese one.
    path = write_csv(tmp_path / "gbk.csv", school_cells([school(1)]), encoding="gbk")
    path.write_bytes(path.read_bytes() + b"\xff\n")
    [issue] = import_errors([path])
    assert issue.code == "file.decode"
    assert "such as --encoding gb18030 for a file in simplified Chinese" in issue.fix
    assert "big5" not in issue.fix


def test_ragged_csv_row(tmp_path: Path) -> None:
    cells = school_cells([school(1), school(2)])
    cells[2] = [*cells[2], "extra"]
    path = write_csv(tmp_path / "ragged.csv", cells)
    issues = import_errors([path])
    assert len(issues) == 1
    assert issues[0].row == 3
    assert "fields but the header has" in issues[0].message


def test_duplicate_school_codes(tmp_path: Path) -> None:
    rows = [school(1), school(2), school(1, school_name="重复")]
    path = write_xlsx(tmp_path / "schools.xlsx", {SHEET: school_cells(rows)})
    issues = import_errors([path])
    assert len(issues) == 1
    issue = issues[0]
    assert issue.rule == "duplicate_school"
    assert issue.row == 4
    assert issue.column == "学校标识码"
    assert issue.value == "2141000001"
    assert "first in row 2" in issue.message


def test_duplicate_across_files(tmp_path: Path) -> None:
    first = write_csv(tmp_path / "a.csv", school_cells([school(1)]))
    second = write_csv(tmp_path / "b.csv", school_cells([school(2), school(1)]))
    issues = import_errors([first, second])
    assert len(issues) == 1
    assert issues[0].file == "b.csv"
    assert issues[0].row == 3
    assert "first in a.csv, row 2" in issues[0].message


def test_missing_codes_not_duplicates(tmp_path: Path) -> None:
    rows = [school(1, school_code=None), school(2, school_code=None)]
    path = write_csv(tmp_path / "schools.csv", school_cells(rows))
    issues = import_errors([path])
    assert [issue.rule for issue in issues] == ["required", "required"]
    assert [issue.row for issue in issues] == [2, 3]


def test_teachers_without_students(tmp_path: Path) -> None:
    row = school(
        primary_students=0,
        primary_teachers_above_required_degree=None,
        primary_backbone_teachers=None,
        primary_pe_art_teachers=None,
        primary_teachers_intermediate_title=None,
    )
    path = write_xlsx(tmp_path / "schools.xlsx", {SHEET: school_cells([row])})
    issues = import_errors([path])
    errors = [issue for issue in issues if issue.severity == "error"]
    assert len(errors) == 1
    assert errors[0].rule == "teachers_without_students"
    assert errors[0].row == 2
    assert errors[0].column == "小学专任教师数（人）"
    assert errors[0].value == "36"


def test_subcount_above_total(tmp_path: Path) -> None:
    row = school(primary_teachers=36, primary_backbone_teachers=40)
    path = write_xlsx(tmp_path / "schools.xlsx", {SHEET: school_cells([row])})
    issues = import_errors([path])
    assert len(issues) == 1
    issue = issues[0]
    assert issue.rule == "above_total"
    assert issue.row == 2
    assert issue.column == "小学县级以上骨干教师数（人）"
    assert issue.value == "40"
    assert "小学专任教师数（人） (36)" in issue.message


def test_section_outside_school_type(tmp_path: Path) -> None:
    row = school(junior_students=120, junior_teachers=10)
    path = write_xlsx(tmp_path / "schools.xlsx", {SHEET: school_cells([row])})
    issues = import_errors([path])
    assert len(issues) == 1
    assert issues[0].rule == "section_not_in_type"
    assert issues[0].column == "初中在校生数（人）"
    assert issues[0].value == "120"


def test_bad_division_code(tmp_path: Path) -> None:
    row = school(division_code="419999", school_code="2141000001")
    path = write_xlsx(tmp_path / "schools.xlsx", {SHEET: school_cells([row])})
    issues = import_errors([path])
    assert len(issues) == 1
    issue = issues[0]
    assert issue.rule == "division_code_unknown"
    assert issue.sheet == SHEET
    assert issue.row == 2
    assert issue.column == "行政区划代码"
    assert issue.value == "419999"


def test_short_division_code(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "schools.csv", school_cells([school(division_code="41010")])
    )
    issues = import_errors([path])
    assert len(issues) == 1
    assert issues[0].rule == "division_code_format"
    assert issues[0].value == "41010"


def test_bad_division_codes_each_row(tmp_path: Path) -> None:
    rows = [
        school(1, division_code="41010"),
        school(2),
        school(3, division_code="419999"),
        school(4, division_code="41010"),
        school(5, division_code="419999"),
    ]
    path = write_csv(tmp_path / "schools.csv", school_cells(rows))
    issues = import_errors([path])
    assert [(issue.rule, issue.row) for issue in issues] == [
        ("division_code_format", 2),
        ("division_code_unknown", 4),
        ("division_code_format", 5),
        ("division_code_unknown", 6),
    ]
    assert [issue.value for issue in issues] == ["41010", "419999"] * 2


def test_province_digits_need_valid_codes(tmp_path: Path) -> None:
    # Each school code has other province digits than its division code, but
    # only the first row has two well-formed codes and so a province mismatch.
    rows = [
        school(1, school_code="2132000001"),
        school(2, division_code="41010", school_code="2132000002"),
        school(3, school_code="213200003"),
    ]
    path = write_csv(tmp_path / "schools.csv", school_cells(rows))
    issues = import_errors([path])
    assert [(issue.rule, issue.row) for issue in issues] == [
        ("school_code_province", 2),
        ("division_code_format", 3),
        ("school_code_format", 4),
    ]


def test_full_width_digits_rejected(tmp_path: Path) -> None:
    # A Chinese input method types ４ (U+FF14) for 4; such codes are not codes.
    rows = [
        school(1, school_code="２１４１０００００１"),
        school(2, division_code="４１０１０２"),
    ]
    path = write_csv(tmp_path / "schools.csv", school_cells(rows))
    issues = import_errors([path])
    assert [(issue.rule, issue.row) for issue in issues] == [
        ("school_code_format", 2),
        ("division_code_format", 3),
    ]


def test_school_code_province_mismatch(tmp_path: Path) -> None:
    row = school(school_code="2132000001")
    path = write_xlsx(tmp_path / "schools.xlsx", {SHEET: school_cells([row])})
    issues = import_errors([path])
    assert len(issues) == 1
    issue = issues[0]
    assert issue.rule == "school_code_province"
    assert issue.row == 2
    assert issue.column == "学校标识码"
    assert issue.value == "2132000001"
    assert "'32'" in issue.message
    assert "'41'" in issue.message


def test_unknown_county_item_key(tmp_path: Path) -> None:
    items = [
        ["学年", "行政区划代码", "指标代码", "值", "佐证说明"],
        [2024, "410102", "G7", 98.5, ""],
        [2024, "410102", "G77", "是", ""],
    ]
    path = write_xlsx(
        tmp_path / "county.xlsx",
        {SHEET: school_cells([school()]), "县级指标": items},
    )
    issues = import_errors([path])
    assert len(issues) == 1
    issue = issues[0]
    assert issue.rule == "unknown_item"
    assert issue.sheet == "县级指标"
    assert issue.row == 3
    assert issue.column == "指标代码"
    assert issue.value == "G77"
    assert "G7" in issue.fix
    assert "V1" in issue.fix


def test_bad_item_value(tmp_path: Path) -> None:
    items = [
        ["year", "division_code", "item", "value", "evidence"],
        [2024, "410102", "G1", "maybe", ""],
    ]
    path = write_csv(tmp_path / "items.csv", items)
    issues = import_errors([path])
    assert len(issues) == 1
    assert issues[0].rule == "item_value"
    assert issues[0].row == 2
    assert issues[0].value == "maybe"


def test_duplicate_county_item(tmp_path: Path) -> None:
    items = [
        ["year", "division_code", "item", "value", "evidence"],
        [2024, "410102", "G7", "98", ""],
        [2024, "410102", "G7", "97", ""],
    ]
    path = write_csv(tmp_path / "items.csv", items)
    issues = import_errors([path])
    assert len(issues) == 1
    assert issues[0].rule == "duplicate_item"
    assert issues[0].row == 3


def test_error_in_one_file_blocks_all(tmp_path: Path) -> None:
    good = write_csv(tmp_path / "good.csv", school_cells([school(1)]))
    bad = write_csv(tmp_path / "bad.csv", school_cells([school(2, books="many")]))
    issues = import_errors([good, bad])
    assert len(issues) == 1
    assert issues[0].file == "bad.csv"


def test_missing_file_reported(tmp_path: Path) -> None:
    issues = import_errors([tmp_path / "absent.xlsx"])
    assert len(issues) == 1
    assert issues[0].file == "absent.xlsx"
    assert "file not found" in issues[0].message


def test_unsupported_suffix_reported(tmp_path: Path) -> None:
    path = tmp_path / "schools.txt"
    path.write_text("x", encoding="utf-8")
    issues = import_errors([path])
    assert len(issues) == 1
    assert "unsupported file type" in issues[0].message


def test_count_above_int64_range(tmp_path: Path) -> None:
    rows = [school(1, books=1e30), school(2, books="9223372036854775808")]
    path = write_xlsx(tmp_path / "schools.xlsx", {SHEET: school_cells(rows)})
    issues = import_errors([path])
    assert [issue.rule for issue in issues] == ["too_large", "too_large"]
    assert [issue.row for issue in issues] == [2, 3]
    assert [issue.column for issue in issues] == ["图书册数（册）", "图书册数（册）"]
    assert [issue.value for issue in issues] == ["1e+30", "9223372036854775808"]
    assert issues[0].message == (
        "value '1e+30' is too large, as the maximum is 1,000,000,000 books (册)"
    )


def test_students_above_maximum(tmp_path: Path) -> None:
    rows = [
        school(1, primary_students=100_000),
        school(2, primary_students=100_001),
        school(3, primary_students=9e18),
    ]
    path = write_csv(tmp_path / "schools.csv", school_cells(rows))
    issues = import_errors([path])
    assert [issue.row for issue in issues] == [3, 4]
    assert all(issue.rule == "too_large" for issue in issues)
    assert all(issue.column == "小学在校生数（人）" for issue in issues)
    assert "the maximum is 100,000 students (人)" in issues[0].message


def test_amount_above_maximum(tmp_path: Path) -> None:
    rows = [
        school(1, equipment_value_yuan=10**13),
        school(2, equipment_value_yuan=1e308),
    ]
    path = write_xlsx(tmp_path / "schools.xlsx", {SHEET: school_cells(rows)})
    issues = import_errors([path])
    assert len(issues) == 1
    assert issues[0].rule == "too_large"
    assert issues[0].row == 3
    assert issues[0].column == "教学仪器设备值（元）"
    assert issues[0].value == "1e+308"


def test_large_fraction_reported_once(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "schools.csv", school_cells([school(books="1000000000.5")])
    )
    issues = import_errors([path])
    assert len(issues) == 1
    assert issues[0].rule == "whole_number"


def test_huge_year_is_range_error(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "schools.xlsx", {SHEET: school_cells([school(year=1e30)])}
    )
    issues = import_errors([path])
    assert len(issues) == 1
    assert issues[0].rule == "year_range"
    assert issues[0].value == "1e+30"


def test_directory_reported(tmp_path: Path) -> None:
    folder = tmp_path / "schools.xlsx"
    folder.mkdir()
    issues = import_errors([folder])
    assert len(issues) == 1
    assert issues[0].file == "schools.xlsx"
    assert issues[0].message == f"{folder} is a directory, not a file"


def test_same_file_twice(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", school_cells([school(1), school(2)]))
    issues = import_errors([path, tmp_path / "." / "a.csv"])
    assert len(issues) == 1
    assert issues[0].rule == "file"
    assert issues[0].file == "a.csv"
    assert issues[0].row is None
    assert "given more than once" in issues[0].message


def test_combined_school_one_section_warns(tmp_path: Path) -> None:
    rows = [
        school(1, school_type="九年一贯制学校"),
        school(2, school_type="九年一贯制学校", junior_students=300),
        school(
            3,
            school_type="十二年一贯制学校",
            primary_students=None,
            junior_students=500,
            senior_students=600,
            primary_teachers=None,
            primary_teachers_above_required_degree=None,
            primary_backbone_teachers=None,
            primary_pe_art_teachers=None,
            primary_teachers_intermediate_title=None,
        ),
    ]
    path = write_xlsx(tmp_path / "schools.xlsx", {SHEET: school_cells(rows)})
    result = load_inputs([path])
    warnings = find(result.warnings, "combined_one_section")
    assert [w.row for w in warnings] == [2, 4]
    assert [w.column for w in warnings] == ["初中在校生数（人）", "小学在校生数（人）"]
    assert [w.value for w in warnings] == [None, None]
    assert all(w.severity == "warning" for w in warnings)
    assert warnings[0].message.startswith(
        "a 九年一贯制学校 has 小学 students but no 初中 students"
    )


def test_no_students_names_own_section(tmp_path: Path) -> None:
    # Without a 小学在校生数 column, the warning for a 小学 still names it, not
    # the 初中在校生数 column that the file has.
    cells = school_cells([school()])
    drop = HEADERS.index(header("primary_students"))
    cells = [row[:drop] + row[drop + 1 :] for row in cells]
    path = write_csv(tmp_path / "schools.csv", cells)
    issues = find(import_errors([path]), "no_students")
    assert len(issues) == 1
    assert issues[0].column == "小学在校生数（人）"
    assert issues[0].severity == "warning"
