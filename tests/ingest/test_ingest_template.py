"""The Excel template: its layout, its validation, and the round trip."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from ingest.ingest_files import school

from junheng.ingest import load_inputs, write_template
from junheng.ingest.schema import COUNTY_ITEM_FIELDS, SCHOOL_FIELDS, SCHOOL_TYPES
from junheng.standards.loader import load_framework


def fill(path: Path, rows: list[dict[str, Any]], items: list[list[Any]]) -> Path:
    """Fill a template's two data sheets below their headers, as a user would."""
    workbook = openpyxl.load_workbook(path)
    schools, county = workbook.worksheets[0], workbook.worksheets[1]
    for row in rows:
        schools.append([row.get(spec.name) for spec in SCHOOL_FIELDS])
    for item in items:
        county.append(item)
    filled = path.with_name("filled.xlsx")
    workbook.save(filled)
    return filled


def nine_year_school() -> dict[str, Any]:
    return school(
        2,
        school_type="九年一贯制学校",
        junior_students=450,
        junior_classes=10,
        junior_max_class_size=48,
        junior_teachers=40,
        junior_teachers_above_required_degree=38,
        junior_backbone_teachers=4,
        junior_pe_art_teachers=5,
        junior_teachers_intermediate_title=15,
        multimedia_classrooms=24,
        music_rooms=2,
        art_rooms=2,
        music_room_min_area_m2=96.0,
        art_room_min_area_m2=90.5,
    )


def test_template_sheets(tmp_path: Path) -> None:
    path = write_template(tmp_path / "template.xlsx")
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["学校数据", "县级指标", "填报说明"]
    headers = [cell.value for cell in workbook["学校数据"][1]]
    assert headers == [spec.header_zh for spec in SCHOOL_FIELDS]
    assert "小学在校生数（人）" in headers
    items = [cell.value for cell in workbook["县级指标"][1]]
    assert items == [spec.header_zh for spec in COUNTY_ITEM_FIELDS]


def test_template_instructions(tmp_path: Path) -> None:
    path = write_template(tmp_path / "template.xlsx")
    sheet = openpyxl.load_workbook(path)["填报说明"]
    text = "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert "九年一贯制学校" in text
    assert "完全中学" in text
    assert "高中在校生数" in text
    assert "0–100" in text
    assert "是”或“否" in text
    for spec in SCHOOL_FIELDS:
        assert spec.name in text


def _validations(path: Path, sheet: str) -> dict[str, Any]:
    worksheet = openpyxl.load_workbook(path)[sheet]
    found: dict[str, Any] = {}
    for validation in worksheet.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            letter = openpyxl.utils.get_column_letter(cell_range.min_col)
            found[worksheet[f"{letter}1"].value] = validation
    return found


def test_template_validation_rules(tmp_path: Path) -> None:
    path = write_template(tmp_path / "template.xlsx")
    rules = _validations(path, "学校数据")
    school_type = rules["学校类型"]
    assert school_type.type == "list"
    assert school_type.formula1 == '"' + ",".join(SCHOOL_TYPES) + '"'
    assert rules["小学在校生数（人）"].type == "whole"
    assert rules["小学在校生数（人）"].operator == "greaterThanOrEqual"
    assert rules["教学仪器设备值（元）"].type == "decimal"
    assert rules["行政区划代码"].type == "textLength"
    assert rules["行政区划代码"].formula1 == "6"
    assert rules["学校标识码"].formula1 == "10"


def test_template_item_dropdown(tmp_path: Path) -> None:
    path = write_template(tmp_path / "template.xlsx")
    item = _validations(path, "县级指标")["指标代码"]
    keys = sorted(load_framework("cn-2017-quality").county_keys())
    assert item.type == "list"
    assert item.formula1 == '"' + ",".join(keys) + '"'


def test_no_items_sheet_without_county_keys(tmp_path: Path) -> None:
    # A framework without county items gets no sheet, instructions or table
    # for them, and no empty dropdown list, which would make Excel reject
    # every value typed there.
    framework = load_framework("tw-moe-primary-example")
    assert framework.county_keys() == set()
    path = write_template(tmp_path / "template.xlsx", framework=framework)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["学校数据", "填报说明"]
    formulas = [
        v.formula1 for v in workbook["学校数据"].data_validations.dataValidation
    ]
    assert '""' not in formulas
    lines = [str(row[0]) for row in workbook["填报说明"].iter_rows(values_only=True)]
    assert not any("县级指标" in line or "指标代码" in line for line in lines)
    assert [line[:2] for line in lines if line[:1].isdigit()] == [
        f"{number}." for number in range(1, 9)
    ]
    assert lines[7].startswith("7. 表头可用中文名")


@pytest.mark.parametrize(
    ("framework", "examples"),
    [("cn-2017-quality", "G1、Q1、S1、V1"), ("cn-2012-basic", "E1、W1、S1")],
)
def test_item_examples_follow_framework(
    tmp_path: Path, framework: str, examples: str
) -> None:
    path = write_template(tmp_path / "t.xlsx", framework=load_framework(framework))
    sheet = openpyxl.load_workbook(path)["填报说明"]
    (row,) = [r for r in sheet.iter_rows(values_only=True) if r[1] == "item"]
    assert row[4] == f"评估框架中的指标代码，如 {examples}"
    comment = openpyxl.load_workbook(path)["县级指标"]["C1"].comment
    assert comment is not None
    assert comment.text.endswith(f"评估框架中的指标代码，如 {examples}")


def test_english_labels_keep_abbreviations(tmp_path: Path) -> None:
    path = write_template(tmp_path / "template.xlsx", lang="en")
    sheet = openpyxl.load_workbook(path)["instructions"]
    labels = {row[1]: row[4] for row in sheet.iter_rows(values_only=True)}
    assert labels["primary_pe_art_teachers"] == "Primary PE, music and art teachers"
    assert labels["junior_students"] == "Junior students"


LONG_KEYS = """\
extends: cn-2017-quality
id: many-keys
parts:
  - id: extra
    name: {zh: 附加, en: Extra}
    items:
      - id: X1
        name: {zh: 附加指标, en: Extra item}
        level: county
        checks:
"""


def test_long_item_list_hidden_sheet(tmp_path: Path) -> None:
    keys = [f"extra_county_item_with_long_key_{i:02d}" for i in range(12)]
    checks = "".join(f'          - {{key: {k}, op: "true"}}\n' for k in keys)
    source = tmp_path / "many-keys.yaml"
    source.write_text(LONG_KEYS + checks, encoding="utf-8")
    framework = load_framework(str(source))
    path = write_template(tmp_path / "template.xlsx", framework=framework)
    workbook = openpyxl.load_workbook(path)
    lists = workbook["下拉选项"]
    assert lists.sheet_state == "hidden"
    listed = [row[0] for row in lists.iter_rows(values_only=True)]
    assert listed == sorted(framework.county_keys())
    item = _validations(path, "县级指标")["指标代码"]
    assert item.formula1 == f"'下拉选项'!$A$1:$A${len(listed)}"
    filled = fill(path, [school(1)], [[2024, "410102", keys[0], "是"]])
    result = load_inputs([filled], framework=framework)
    assert result.county_items["item"].to_list() == [keys[0]]


def test_template_round_trip(tmp_path: Path) -> None:
    template = write_template(tmp_path / "template.xlsx")
    items = [
        [2024, "410102", "G7", 98.5, "财政报表"],
        [2024, "410102", "G1", "是", None],
        [2024, "410102", "Q1", "96%", None],
    ]
    filled = fill(template, [school(1), nine_year_school()], items)
    result = load_inputs([filled])
    assert result.warnings == []
    assert result.schools["school_code"].to_list() == ["2141000001", "2141000002"]
    assert result.schools["junior_students"].to_list() == [None, 450]
    assert result.schools["art_room_min_area_m2"].to_list() == [None, 90.5]
    assert result.county_items["item"].to_list() == ["G7", "G1", "Q1"]
    assert result.county_items["value_num"].to_list() == [98.5, None, 96.0]
    assert result.county_items["value_bool"].to_list() == [None, True, None]


def test_template_empty_items_sheet(tmp_path: Path) -> None:
    template = write_template(tmp_path / "template.xlsx")
    result = load_inputs([fill(template, [school(1)], [])])
    assert result.schools.height == 1
    assert result.county_items.height == 0


def test_english_template_round_trip(tmp_path: Path) -> None:
    template = write_template(tmp_path / "template.xlsx", lang="en")
    workbook = openpyxl.load_workbook(template)
    assert workbook.sheetnames == ["schools", "county_items", "instructions"]
    headers = [cell.value for cell in workbook["schools"][1]]
    assert headers == [spec.name for spec in SCHOOL_FIELDS]
    filled = fill(template, [school(1)], [[2024, "410102", "G2", "no", None]])
    result = load_inputs([filled])
    assert result.schools.height == 1
    assert result.county_items["value_bool"].to_list() == [False]


def test_template_language_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'fr'"):
        write_template(tmp_path / "template.xlsx", lang="fr")  # type: ignore[arg-type]
