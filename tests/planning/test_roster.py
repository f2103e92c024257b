"""Teacher roster files: headers in Chinese or English, errors with places.

The rosters are synthetic, written by the tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter

from junheng.errors import InputError
from junheng.ingest.issues import Issue
from junheng.planning.roster import read_locations, read_roster

ZH_HEADER = [
    "教师编号",
    "学校标识码",
    "学段",
    "任教学科",
    "县级以上骨干教师",
    "本校任教年限",
]
EN_HEADER = [
    "teacher_id",
    "school_code",
    "section",
    "subject",
    "backbone",
    "years_at_school",
]


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    lines = [",".join(header), *(",".join(r) for r in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _issues(path: Path) -> list[Issue]:
    with pytest.raises(InputError) as caught:
        read_roster(path)
    return caught.value.issues  # type: ignore[return-value]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_chinese_headers_in_csv(tmp_path: Path, encoding: str) -> None:
    # Headers the school data do not know are no sign of a wrong encoding.
    roster = tmp_path / "名册.csv"
    lines = [",".join(ZH_HEADER), "T1,2141000001,初中,语文,是,7"]
    roster.write_bytes("\n".join(lines).encode(encoding))
    assert read_roster(roster)["subject"].to_list() == ["语文"]
    places = tmp_path / "位置.csv"
    places.write_bytes("学校标识码,纬度,经度\n2141000001,30.5,110.2\n".encode(encoding))
    assert read_locations(places)["lat"].to_list() == [30.5]


def test_chinese_headers_in_excel(tmp_path: Path) -> None:
    path = tmp_path / "名册.xlsx"
    with xlsxwriter.Workbook(str(path)) as book:
        sheet = book.add_worksheet("教师名册")
        sheet.write_row(0, 0, [*ZH_HEADER, "住址纬度（度）", "住址经度（度）"])
        sheet.write_row(
            1, 0, ["T1", "2141000001", "小学", "语文", "是", 7, 30.5, 110.2]
        )
        sheet.write_row(2, 0, ["T2", "2141000001", "初中", "体育", "否", 2])
    roster = read_roster(path)
    assert roster["teacher_id"].to_list() == ["T1", "T2"]
    assert roster["section"].to_list() == ["primary", "junior"]
    assert roster["backbone"].to_list() == [True, False]
    assert roster["years_at_school"].to_list() == [7, 2]
    assert roster["home_lat"].to_list() == [30.5, None]
    assert roster["above_required_degree"].to_list() == [None, None]


def test_english_headers_in_csv(tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "roster.csv",
        EN_HEADER,
        [["T1", "2141000001", "Primary", "math", "Yes", "6"]],
    )
    roster = read_roster(path)
    assert roster.row(0, named=True)["section"] == "primary"
    assert roster.row(0, named=True)["backbone"] is True


def test_cell_errors_name_row_column_value_and_fix(tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "roster.csv",
        ZH_HEADER,
        [
            ["T1", "2141000001", "高中", "语文", "是", "7"],
            ["T2", "214100", "小学", "语文", "maybe", "-1"],
        ],
    )
    issues = _issues(path)
    places = {(i.row, i.column, i.value) for i in issues}
    assert (2, "学段", "高中") in places
    assert (3, "学校标识码", "214100") in places
    assert (3, "县级以上骨干教师", "maybe") in places
    assert (3, "本校任教年限", "-1") in places
    assert all(i.file == "roster.csv" for i in issues)
    assert all(i.fix for i in issues)


def test_missing_column_and_duplicate_id(tmp_path: Path) -> None:
    missing = _csv(
        tmp_path / "a.csv", EN_HEADER[:-1], [["T1", "2141000001", "小学", "语文", "是"]]
    )
    issues = _issues(missing)
    assert any("years_at_school" in i.message for i in issues)
    repeated = _csv(
        tmp_path / "b.csv",
        EN_HEADER,
        [
            ["T1", "2141000001", "小学", "语文", "是", "7"],
            ["T1", "2141000002", "小学", "数学", "否", "3"],
        ],
    )
    duplicate = _issues(repeated)
    assert [(i.row, i.value) for i in duplicate] == [(3, "T1")]
    assert "already on row 2" in duplicate[0].message


def test_home_needs_both_coordinates(tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "roster.csv",
        [*EN_HEADER, "home_lat", "home_lon"],
        [["T1", "2141000001", "小学", "语文", "是", "7", "30.1", ""]],
    )
    issues = _issues(path)
    assert [(i.row, i.column) for i in issues] == [(2, "home_lat")]
    assert "neither" in issues[0].fix


def test_locations_file(tmp_path: Path) -> None:
    good = _csv(
        tmp_path / "loc.csv",
        ["学校标识码", "纬度", "经度"],
        [["2141000001", "30", "110"]],
    )
    assert read_locations(good).row(0) == ("2141000001", 30.0, 110.0)
    bad = _csv(
        tmp_path / "bad.csv", ["school_code", "lat", "lon"], [["2141000001", "95", "x"]]
    )
    with pytest.raises(InputError) as caught:
        read_locations(bad)
    assert {i.column for i in caught.value.issues} == {"lat", "lon"}  # type: ignore[attr-defined]


def test_locations_negative_degrees(tmp_path: Path) -> None:
    # WGS84 latitudes run from -90 to 90 and longitudes from -180 to 180.
    good = _csv(
        tmp_path / "south.csv",
        ["学校标识码", "纬度", "经度"],
        [["2141000001", "-33.5", "-70.25"], ["2141000002", "-90", "-180"]],
    )
    assert read_locations(good).rows() == [
        ("2141000001", -33.5, -70.25),
        ("2141000002", -90.0, -180.0),
    ]
    bad = _csv(
        tmp_path / "bad.csv",
        ["学校标识码", "纬度", "经度"],
        [["2141000001", "-91", "110"], ["2141000002", "30", "180.5"]],
    )
    with pytest.raises(InputError) as caught:
        read_locations(bad)
    issues = caught.value.issues  # type: ignore[attr-defined]
    assert [(i.row, i.column) for i in issues] == [(2, "纬度"), (3, "经度")]
    zh = [i.as_dict("zh")["message"] for i in issues]
    assert zh == [
        "值“-91”超出范围，应在 -90 到 90 度之间",
        "值“180.5”超出范围，应在 -180 到 180 度之间",
    ]
    assert "负数" not in caught.value.message("zh")
    # 2 errors, 0 warnings, counted in the language of the message.
    assert "2 个错误，0 个警告" in caught.value.message("zh")
    assert "errors" not in caught.value.message("zh")
    assert "2 errors, 0 warnings" in caught.value.message("en")


def test_locations_repeated_school_rejected(tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "loc.csv",
        ["school_code", "lat", "lon"],
        [
            ["2141000001", "30", "110"],
            ["2141000002", "30.1", "110"],
            ["2141000001", "30.2", "110"],
        ],
    )
    with pytest.raises(InputError) as caught:
        read_locations(path)
    [issue] = caught.value.issues
    assert (issue.row, issue.column, issue.value) == (4, "school_code", "2141000001")  # type: ignore[attr-defined]
    assert issue.as_dict("en")["code"] == "duplicate_location"  # type: ignore[attr-defined]
    assert "row 2" in issue.as_dict("en")["message"]  # type: ignore[attr-defined]
