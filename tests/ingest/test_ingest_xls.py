"""Excel 97–2003 (.xls) workbooks: values, and error cells reported as in .xlsx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xlwt
from ingest.ingest_files import HEADERS, import_errors, school, school_cells

from junheng.ingest import load_inputs

SHEET = "学校数据"
STUDENTS = HEADERS.index("小学在校生数（人）")


def _write_xls(
    path: Path, rows: list[list[Any]], errors: dict[tuple[int, int], str], top: int = 0
) -> Path:
    """Write ``rows`` from row ``top`` (0-based) with error values at ``errors``.

    ``errors`` maps a (row, column) of ``rows`` to an error value such as
    ``#DIV/0!``, which xlwt writes as a BIFF error cell.
    """
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet(SHEET)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if (r, c) in errors:
                sheet.row(top + r).set_cell_error(c, errors[(r, c)])
            elif value is not None:
                sheet.write(top + r, c, value)
    workbook.save(str(path))
    return path


def test_xls_imports_values(tmp_path: Path) -> None:
    path = _write_xls(tmp_path / "schools.xls", school_cells([school(1)]), {})
    schools = load_inputs([path]).schools
    assert schools["school_code"].to_list() == [school(1)["school_code"]]
    assert schools["primary_students"].to_list() == [school(1)["primary_students"]]


def test_xls_error_cell_reported(tmp_path: Path) -> None:
    cells = school_cells([school(1), school(2)])
    path = _write_xls(tmp_path / "schools.xls", cells, {(2, STUDENTS): "#DIV/0!"})
    (issue,) = import_errors([path])
    assert issue.rule == "cell_error"
    assert issue.file == "schools.xls"
    assert issue.sheet == SHEET
    assert issue.row == 3
    assert issue.column == "小学在校生数（人）"
    assert issue.value == "#DIV/0!"
    assert issue.message == "the cell contains the Excel error value #DIV/0!"
    assert issue.in_language("zh").message == "单元格含有 Excel 错误值 #DIV/0!"


def test_xls_error_below_blank_rows(tmp_path: Path) -> None:
    # Two blank rows above the header: the header is row 3 and the second
    # school row 5. xlwt's error code 42 is #N/A.
    cells = school_cells([school(1), school(2)])
    path = _write_xls(tmp_path / "schools.xls", cells, {(2, STUDENTS): "#N/A!"}, top=2)
    (issue,) = import_errors([path])
    assert issue.rule == "cell_error"
    assert issue.row == 5
    assert issue.column == "小学在校生数（人）"
    assert issue.value == "#N/A"


def test_xls_error_in_text_column(tmp_path: Path) -> None:
    name = HEADERS.index("学校名称")
    cells = school_cells([school(1)])
    path = _write_xls(tmp_path / "schools.xls", cells, {(1, name): "#REF!"})
    (issue,) = import_errors([path])
    assert issue.rule == "cell_error"
    assert issue.row == 2
    assert issue.column == "学校名称"
    assert issue.value == "#REF!"


def _write_formulas(
    path: Path, formulas: dict[tuple[int, int], str], first_sheet: str | None = None
) -> Path:
    """Write one school sheet with xlwt formulas in place of the cells of
    ``formulas``, after a sheet ``first_sheet`` with a formula in A1 if given."""
    workbook = xlwt.Workbook()
    if first_sheet is not None:
        workbook.add_sheet(first_sheet).write(0, 0, xlwt.Formula("1+1"))
    sheet = workbook.add_sheet(SHEET)
    for r, row in enumerate(school_cells([school(1), school(2)])):
        for c, value in enumerate(row):
            if (r, c) in formulas:
                sheet.write(r, c, xlwt.Formula(formulas[(r, c)]))
            elif value is not None:
                sheet.write(r, c, value)
    workbook.save(str(path))
    return path


def test_xls_formula_without_result_reported(tmp_path: Path) -> None:
    # xlwt saves a formula without calculating it; calamine reads it as empty.
    path = _write_formulas(tmp_path / "formula.xls", {(2, STUDENTS): "100+400"})
    (issue,) = import_errors([path])
    assert issue.rule == "formula_no_value"
    assert (issue.sheet, issue.row) == (SHEET, 3)
    assert issue.column == "小学在校生数（人）"
    assert issue.value == "=…"
    assert "xlwt" in issue.message
    assert issue.in_language("zh").message.startswith("单元格的公式没有保存计算结果")


def test_xls_formula_on_second_sheet(tmp_path: Path) -> None:
    # The sheet's records are found through its BOUNDSHEET offset; a formula
    # in an unrelated first sheet is not reported.
    formulas = {(1, STUDENTS): "250*2"}
    path = _write_formulas(tmp_path / "two.xls", formulas, first_sheet="备注")
    (issue,) = import_errors([path])
    assert issue.rule == "formula_no_value"
    assert (issue.sheet, issue.row) == (SHEET, 2)
