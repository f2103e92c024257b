"""Excel cells that python-calamine reads as empty, and hidden sheets."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import xlsxwriter
from ingest.ingest_files import HEADERS, find, import_errors, school, school_cells

from junheng.ingest import load_inputs
from junheng.ingest.xlsx_cells import CellProblem, scan_sheet_xml

SHEET = "学校数据"
CLASSES = "小学班级数（个）"


def test_cached_error_value(tmp_path: Path) -> None:
    path = tmp_path / "schools.xlsx"
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet(SHEET)
    for index, row in enumerate(school_cells([school(1), school(2)])):
        sheet.write_row(index, 0, row)
    # Excel saves a formula with its result; here the result is an error.
    sheet.write_formula(2, HEADERS.index(CLASSES), "=1/0", None, "#DIV/0!")
    workbook.close()
    issues = import_errors([path])
    assert len(issues) == 1
    issue = issues[0]
    assert issue.rule == "cell_error"
    assert issue.sheet == SHEET
    assert issue.row == 3
    assert issue.column == CLASSES
    assert issue.value == "#DIV/0!"
    assert issue.message == "the cell contains the Excel error value #DIV/0!"


def test_cached_formula_result_used(tmp_path: Path) -> None:
    path = tmp_path / "schools.xlsx"
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet(SHEET)
    for index, row in enumerate(school_cells([school(1)])):
        sheet.write_row(index, 0, row)
    sheet.write_formula(1, HEADERS.index(CLASSES), "=7+7", None, 14)
    workbook.close()
    result = load_inputs([path])
    assert result.schools["primary_classes"].to_list() == [14]
    assert result.warnings == []


def test_error_constant_cell(tmp_path: Path) -> None:
    path = tmp_path / "schools.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    for row in school_cells([school(1)]):
        sheet.append(row)
    # openpyxl stores a known error code typed as a value as an error cell.
    sheet.cell(2, HEADERS.index("学校名称") + 1).value = "#N/A"
    workbook.save(path)
    issues = import_errors([path])
    assert len(issues) == 1
    assert issues[0].rule == "cell_error"
    assert issues[0].column == "学校名称"
    assert issues[0].value == "#N/A"


def test_formula_without_result(tmp_path: Path) -> None:
    path = tmp_path / "schools.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    for row in school_cells([school(1), school(2)]):
        sheet.append(row)
    # openpyxl writes formulas without a result, and calamine reads them as empty.
    sheet.cell(2, HEADERS.index(CLASSES) + 1).value = "=1+1"
    sheet.cell(3, HEADERS.index("学年") + 1).value = "=2000+24"
    workbook.save(path)
    issues = import_errors([path])
    # One issue per cell: no "学年 is empty" and no "not a whole number".
    assert [(i.row, i.column, i.value) for i in issues] == [
        (2, CLASSES, "=1+1"),
        (3, "学年", "=2000+24"),
    ]
    assert all(issue.rule == "formula_no_value" for issue in issues)
    assert "without a saved result" in issues[0].message
    assert "Excel or LibreOffice" in issues[0].fix


def test_scan_prefixed_sheet_xml() -> None:
    xml = (
        b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/'
        b'2006/main"><x:cols><x:col min="1" max="2"/></x:cols><x:sheetData>'
        b'<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c>'
        b'<x:c r="B1"><x:f>A1*2</x:f><x:v>2</x:v></x:c></x:row>'
        b'<x:row r="2"><x:c r="A2" t="e"><x:f>1/0</x:f><x:v>#DIV/0!</x:v></x:c>'
        b'<x:c r="AB2"><x:f t="shared" si="0"/></x:c>'
        b'<x:c r="C2" t="str"><x:f>""</x:f><x:v></x:v></x:c></x:row>'
        b"</x:sheetData></x:worksheet>"
    )
    assert scan_sheet_xml(xml) == [
        CellProblem(1, 0, "error", "#DIV/0!"),
        CellProblem(1, 27, "formula", "="),
    ]


def test_scan_sheet_without_formulas() -> None:
    xml = (
        b'<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
        b"</sheetData></worksheet>"
    )
    assert scan_sheet_xml(xml) == []


def test_hidden_school_sheet_imported(tmp_path: Path) -> None:
    path = tmp_path / "schools.xlsx"
    workbook = openpyxl.Workbook()
    visible = workbook.active
    visible.title = "封面"
    visible.append(["某县学校数据"])
    hidden = workbook.create_sheet(SHEET)
    for row in school_cells([school(1)]):
        hidden.append(row)
    hidden.sheet_state = "hidden"
    lists = workbook.create_sheet("选项")
    lists.append(["小学", "初中"])
    lists.sheet_state = "hidden"
    workbook.save(path)
    result = load_inputs([path])
    assert result.schools.height == 1
    warnings = find(result.warnings, "hidden_sheet")
    assert len(warnings) == 1
    assert warnings[0].sheet == SHEET
    assert warnings[0].severity == "warning"
    assert "hidden" in warnings[0].message


def _hidden_lines_workbook(path: Path, rows: list[int], columns: list[str]) -> Path:
    """Write 12 schools (sheet rows 2 to 13) with rows and columns hidden."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    for row in school_cells([school(n) for n in range(1, 13)]):
        sheet.append(row)
    for number in rows:
        sheet.row_dimensions[number].hidden = True
    for letter in columns:
        sheet.column_dimensions[letter].hidden = True
    workbook.save(path)
    return path


def test_hidden_rows_and_columns_warned(tmp_path: Path) -> None:
    # Row 20 and column AZ lie outside the data, so the warning leaves them out.
    path = _hidden_lines_workbook(
        tmp_path / "schools.xlsx", [5, 6, 7, 12, 20], ["B", "D", "AZ"]
    )
    result = load_inputs([path])
    assert result.schools.height == 12
    assert result.schools["school_name"][3] == "第4小学"
    warnings = find(result.warnings, "hidden_cells")
    assert len(warnings) == 1
    warning = warnings[0]
    assert (warning.sheet, warning.row, warning.column) == (SHEET, None, None)
    assert warning.severity == "warning"
    assert warning.message == (
        "the sheet hides rows 5–7, 12 and columns B (行政区划代码), D (学校名称) "
        "in Excel, and the values in them were imported as usual"
    )
    assert warning.fix.startswith("unhide them in Excel")
    assert warning.in_language("zh").message == (
        "该工作表在 Excel 中隐藏了第 5–7、12 行和 B（行政区划代码）、D（学校名称）列，"
        "其中的值已照常导入"
    )


def test_hidden_row_or_column_alone(tmp_path: Path) -> None:
    rows = load_inputs([_hidden_lines_workbook(tmp_path / "r.xlsx", [3], [])])
    [row_warning] = find(rows.warnings, "hidden_cells")
    assert row_warning.code == "hidden_cells.rows"
    assert row_warning.message.startswith("the sheet hides row 3 in Excel")
    assert row_warning.in_language("zh").message.startswith(
        "该工作表在 Excel 中隐藏了第 3 行，"
    )
    columns = load_inputs([_hidden_lines_workbook(tmp_path / "c.xlsx", [], ["D"])])
    assert columns.schools["school_name"][0] == "第1小学"
    [column_warning] = find(columns.warnings, "hidden_cells")
    assert column_warning.code == "hidden_cells.columns"
    assert column_warning.message.startswith(
        "the sheet hides column D (学校名称) in Excel"
    )
    assert column_warning.in_language("zh").message.startswith(
        "该工作表在 Excel 中隐藏了 D（学校名称）列，"
    )
