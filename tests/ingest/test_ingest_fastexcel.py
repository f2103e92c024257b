"""The fastexcel reading of school sheets, checked against the calamine reading.

``read_file`` takes fastexcel for a sheet of plain text and number columns and
falls back to the calamine reader for every other sheet. The last tests check
the XML scan that places fastexcel's rows.
"""

from __future__ import annotations

from pathlib import Path

import fastexcel
import openpyxl
import polars as pl
import python_calamine
from ingest.ingest_files import (
    HEADERS,
    find,
    import_errors,
    school,
    school_cells,
    write_xlsx,
)

from junheng.ingest import readers
from junheng.ingest.readers import ROW_COLUMN, ReadOptions, read_file
from junheng.ingest.xlsx_cells import merged_ranges, value_rows

SHEET = "学校数据"


def calamine_frame(path: Path) -> pl.DataFrame:
    """Read the school sheet with the calamine reader only."""
    with python_calamine.CalamineWorkbook.from_path(str(path)) as workbook:
        sheet = readers._load_sheet(workbook, SHEET, ReadOptions())
    table, issues = readers._excel_table(path.name, sheet)
    assert issues == []
    return table.frame


def offset_workbook(path: Path) -> Path:
    """Write two blank rows (B1:E1 merged), then the sheet from column B."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.merge_cells("B1:E1")
    rows = school_cells([school(1), school(2, books=None), school(3, location="镇区")])
    for row_index, row in enumerate(rows, start=3):
        for column_index, value in enumerate(row, start=2):
            if value is not None:
                sheet.cell(row=row_index, column=column_index, value=value)
    # A blank row between records and a styled empty cell after the last one.
    sheet.insert_rows(6)
    sheet.cell(row=9, column=2).number_format = "0.00"
    workbook.save(path)
    return path


def test_fast_sheet_matches_calamine(tmp_path: Path) -> None:
    path = offset_workbook(tmp_path / "schools.xlsx")
    sheet = readers._load_fast_sheet(fastexcel.read_excel(path), SHEET, ReadOptions())
    assert sheet is not None
    tables, issues = read_file(path)
    assert issues == []
    assert len(tables) == 1
    table = tables[0]
    assert table.header_row == 3
    assert table.frame.equals(calamine_frame(path))
    # Rows 4 and 5, a blank row 6, then row 7.
    assert table.frame[ROW_COLUMN].to_list() == [4, 5, 7]


def test_fast_sheet_keeps_types(tmp_path: Path) -> None:
    path = offset_workbook(tmp_path / "schools.xlsx")
    frame = read_file(path)[0][0].frame
    assert frame.schema["学校标识码"] == pl.String
    assert frame.schema["小学在校生数（人）"] == pl.Float64
    assert frame["图书册数（册）"].to_list() == [20000.0, None, 20000.0]
    assert frame["城乡分类"].to_list() == ["城区", "城区", "镇区"]


def test_mixed_column_falls_back(tmp_path: Path) -> None:
    rows = school_cells([school(1), school(2, books="二万")])
    path = write_xlsx(tmp_path / "schools.xlsx", {SHEET: rows})
    reader = fastexcel.read_excel(path)
    assert readers._load_fast_sheet(reader, SHEET, ReadOptions()) is None
    issues = import_errors([path])
    assert len(issues) == 1
    assert issues[0].row == 3
    assert issues[0].value == "二万"


def test_merged_data_cells_fall_back(tmp_path: Path) -> None:
    rows = school_cells([school(1), school(2)])
    path = write_xlsx(tmp_path / "schools.xlsx", {SHEET: rows})
    workbook = openpyxl.load_workbook(path)
    workbook[SHEET].merge_cells("G2:G3")
    workbook.save(path)
    issues = find(import_errors([path]), "merged_cells")
    assert len(issues) == 1
    assert issues[0].row == 2
    assert issues[0].column == HEADERS[6]


def test_value_rows_skip_styled_cells() -> None:
    xml = (
        b'<x:worksheet xmlns:x="urn:x"><x:sheetData>'
        b'<x:row r="1"><x:c r="A1" s="1"/></x:row>'
        b'<x:row r="2"><x:c r="B2" t="s"><x:v>0</x:v></x:c></x:row>'
        b'<x:row r="3"><x:c r="B3"><x:v>5</x:v></x:c><x:c r="C3" s="2"/></x:row>'
        b'<x:row r="4"><x:c r="B4" s="2"/><x:c r="C4" s="2"></x:c></x:row>'
        b"</x:sheetData></x:worksheet>"
    )
    assert value_rows(xml) == (1, 2)


def test_merged_ranges_parsed() -> None:
    xml = (
        b"<worksheet><sheetData/>"
        b'<mergeCells count="2"><mergeCell ref="B1:E1"/><mergeCell ref="A7"/>'
        b"</mergeCells></worksheet>"
    )
    assert merged_ranges(xml) == [((0, 1), (0, 4)), ((6, 0), (6, 0))]
