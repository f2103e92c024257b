"""Traditional-Chinese headers and choices, and files in a profile's layout."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
from ingest.ingest_files import import_errors, write_csv

from junheng.ingest import load_inputs
from junheng.ingest.schema import SCHOOL_FIELDS

EXAMPLE = (
    Path(__file__).parents[2]
    / "examples"
    / "data"
    / "tw-moe-primary-schools-113"
    / "tw_primary_schools_113.csv"
)

# The template's headers as a Taiwan or Hong Kong user types them, converted
# character by character by hand.
TRADITIONAL_HEADERS = {
    "year": "學年",
    "division_code": "行政區劃代碼",
    "school_code": "學校標識碼",
    "school_name": "學校名稱",
    "school_type": "學校類型",
    "ownership": "辦學性質",
    "location": "城鄉分類",
    "primary_students": "小學在校生數（人）",
    "primary_classes": "小學班級數（個）",
    "primary_max_class_size": "小學最大班額（人）",
    "primary_teachers": "小學專任教師數（人）",
    "primary_teachers_above_required_degree": "小學高於規定學歷教師數（人）",
    "primary_backbone_teachers": "小學縣級以上骨幹教師數（人）",
    "primary_pe_art_teachers": "小學體育藝術專任教師數（人）",
    "primary_teachers_intermediate_title": "小學中級及以上職稱教師數（人）",
    "junior_students": "初中在校生數（人）",
    "junior_classes": "初中班級數（個）",
    "junior_max_class_size": "初中最大班額（人）",
    "junior_teachers": "初中專任教師數（人）",
    "junior_teachers_above_required_degree": "初中高於規定學歷教師數（人）",
    "junior_backbone_teachers": "初中縣級以上骨幹教師數（人）",
    "junior_pe_art_teachers": "初中體育藝術專任教師數（人）",
    "junior_teachers_intermediate_title": "初中中級及以上職稱教師數（人）",
    "senior_students": "高中在校生數（人）",
    "teaching_aux_area_m2": "教學及輔助用房面積（平方米）",
    "sports_area_m2": "體育運動場館面積（平方米）",
    "equipment_value_yuan": "教學儀器設備值（元）",
    "multimedia_classrooms": "網絡多媒體教室數（間）",
    "computers": "計算機數（臺）",
    "books": "圖書冊數（冊）",
    "music_rooms": "音樂專用教室數（間）",
    "art_rooms": "美術專用教室數（間）",
    "music_room_min_area_m2": "最小音樂教室面積（平方米）",
    "art_room_min_area_m2": "最小美術教室面積（平方米）",
}

ROWS = [
    [2024, "410102", "2141000001", "第一國小", "小學", "公辦", "城區", 500, 12, 44],
    [
        2024,
        "410102",
        "2141000002",
        "第二學校",
        "九年一貫制學校",
        "民辦",
        "鄉村",
        400,
        10,
        44,
    ],
]
FIRST_FIELDS = list(TRADITIONAL_HEADERS)[:10]


def test_every_template_header_covered() -> None:
    assert set(TRADITIONAL_HEADERS) == {spec.name for spec in SCHOOL_FIELDS}


def test_big5_traditional_headers_read(tmp_path: Path) -> None:
    header = [TRADITIONAL_HEADERS[name] for name in FIRST_FIELDS]
    path = write_csv(tmp_path / "zh_big5.csv", [header, *ROWS], encoding="big5")
    result = load_inputs([path], encoding="big5")
    assert result.schools["school_type"].to_list() == ["小学", "九年一贯制学校"]
    assert result.schools["ownership"].to_list() == ["公办", "民办"]
    assert result.schools["location"].to_list() == ["城区", "乡村"]
    assert result.schools["primary_students"].to_list() == [500, 400]
    assert result.schools["school_name"].to_list() == ["第一國小", "第二學校"]
    # Detection names big5, since the headers are known when read as big5.
    (issue,) = import_errors([path])
    assert issue.fields["fits"] == "big5"


def test_all_traditional_headers_known(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "學校數據"
    sheet.append(list(TRADITIONAL_HEADERS.values()))
    sheet.append([*ROWS[0], *([0] * (len(TRADITIONAL_HEADERS) - 10))])
    book.save(tmp_path / "tw.xlsx")
    result = load_inputs([tmp_path / "tw.xlsx"])
    assert result.schools.height == 1
    assert result.schools["primary_classes"].to_list() == [12]
    assert not [i for i in result.warnings if i.rule == "header"]


def test_unknown_traditional_choice_kept(tmp_path: Path) -> None:
    header = [TRADITIONAL_HEADERS[name] for name in FIRST_FIELDS]
    row = [*ROWS[0][:5], "公立", *ROWS[0][6:]]
    path = write_csv(tmp_path / "s.csv", [header, row])
    (issue,) = import_errors([path])
    assert issue.value == "公立"
    assert issue.row == 2


def test_profile_layout_csv_named() -> None:
    issues = import_errors([EXAMPLE])
    assert len(issues) == 1
    (issue,) = issues
    assert issue.code == "file.profile_layout"
    assert issue.file == EXAMPLE.name
    assert issue.row == 1
    assert issue.fields["profile"] == "tw-moe-primary"
    text = issue.as_dict("en")
    assert "import profile tw-moe-primary" in text["message"]
    assert text["message"].endswith("and the file's encoding is right")
    assert text["fix"].startswith("add --profile tw-moe-primary")
    assert "--profile tw-moe-primary" in issue.as_dict("zh")["fix"]


def test_profile_layout_with_encoding() -> None:
    (issue,) = import_errors([EXAMPLE], encoding="utf-8")
    assert issue.code == "file.profile_layout"


def test_profile_layout_workbook_named(tmp_path: Path) -> None:
    with EXAMPLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))[:4]
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(tmp_path / "tw.xlsx")
    issues = [i for i in import_errors([tmp_path / "tw.xlsx"]) if i.severity == "error"]
    assert len(issues) == 1
    assert issues[0].code == "file.profile_layout"
    assert issues[0].sheet == "Sheet"
    assert issues[0].row == 1
    assert issues[0].fields["found"] == issues[0].fields["count"]


def test_profile_given_reads_file() -> None:
    result = load_inputs([EXAMPLE], profile="tw-moe-primary")
    assert result.schools.height == 2668
