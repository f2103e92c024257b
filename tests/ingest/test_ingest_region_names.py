"""Region names that contradict the division code are reported, and reports
name each division as most of its rows do."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from ingest.ingest_files import school, write_csv

from junheng.cli import main
from junheng.ingest import load_inputs
from junheng.ingest.readers import ROW_COLUMN
from junheng.ingest.schema import ALL_SCHOOL_FIELDS
from junheng.ingest.validate import TableContext, _check_region_names


def _rows(tmp_path: Path, *changed: dict[str, str]) -> Path:
    """Write schools 1 to 4 of 410102 (郑州市中原区) with the region columns,
    empty unless ``changed`` gives them for the first schools."""
    rows = [
        school(number, **(changed[number - 1] if number <= len(changed) else {}))
        for number in (1, 2, 3, 4)
    ]
    cells = [[spec.header_zh for spec in ALL_SCHOOL_FIELDS]]
    cells += [[row.get(spec.name) for spec in ALL_SCHOOL_FIELDS] for row in rows]
    return write_csv(tmp_path / "schools.csv", cells)


def test_wrong_names_warned_by_spelling(tmp_path: Path) -> None:
    wrong = {"division_name": "二七区", "city_name": "开封市"}
    path = _rows(tmp_path, wrong, wrong)
    warnings = [w for w in load_inputs([path]).warnings if w.rule == "region_name"]
    assert [w.column for w in warnings] == ["行政区名称", "地市名称"]
    division, city = warnings
    # Rows 2 and 3 of the file hold schools 1 and 2 (row 1 is the header).
    assert division.row is None
    assert division.value == "二七区"
    assert division.message == (
        "rows 2-3 (2 rows): 行政区名称 '二七区' does not match the name '中原区' "
        "of division code 410102"
    )
    assert division.fix == (
        "enter '中原区', or leave the column empty to fill it in from the code; "
        "if the code is wrong, correct the code"
    )
    assert city.in_language("zh").message == (
        "第 2-3 行（共 2 行）的地市名称“开封市”与行政区划代码 410102 的名称“郑州市”不符"
    )


def test_one_wrong_row_named(tmp_path: Path) -> None:
    path = _rows(tmp_path, {"province_name": "湖北省"})
    (warning,) = [w for w in load_inputs([path]).warnings if w.rule == "region_name"]
    assert warning.row == 2
    assert warning.column == "省级名称"


def test_report_names_county_by_most_rows(tmp_path: Path) -> None:
    # One of four rows names 中原区 二七区 in 开封市: the report keeps the names
    # of the other three.
    _rows(tmp_path, {"division_name": "二七区", "city_name": "开封市"})
    result = CliRunner().invoke(
        main,
        ["evaluate", str(tmp_path / "schools.csv"), "--format", "json", "-o", "r.json"],
    )
    assert result.exit_code == 0, result.output
    printed = result.output.replace("\n", "")
    assert (
        "警告：schools.csv，第 2 行，列 行政区名称：行政区名称“二七区”与行政区划代码 "
        "410102 的名称“中原区”不符"
    ) in printed
    (county,) = json.loads(Path("r.json").read_text("utf-8"))["counties"]
    assert county["division_name"] == "中原区"
    assert county["city_name"] == "郑州市"


@pytest.mark.parametrize("column", ["division_name", "city_name", "province_name"])
def test_right_names_not_warned(tmp_path: Path, column: str) -> None:
    names = {
        "division_name": "中原区",
        "city_name": "郑州市",
        "province_name": "河南省",
    }
    path = _rows(tmp_path, {column: names[column]})
    assert not [w for w in load_inputs([path]).warnings if w.rule == "region_name"]


def test_own_codes_with_several_names() -> None:
    # With an import profile's own codes, a code written with two names in
    # three rows gets one warning, the more frequent name first.
    frame = pl.DataFrame(
        {
            ROW_COLUMN: [2, 3, 4],
            "division_code": ["臺北市大安區"] * 3,
            "division_name": ["大安區", "大安区", "大安區"],
        }
    )
    context = TableContext("tw.csv", None, 1, code_scheme="none")
    (warning,) = _check_region_names(context, frame)
    assert warning.code == "region_name.varies"
    assert warning.message == (
        "division code 臺北市大安區 has 2 spellings of 行政区名称: '大安區', '大安区'"
    )
    assert warning.in_language("zh").message == (
        "行政区划代码 臺北市大安區 的行政区名称有 2 种写法：“大安區”、“大安区”"
    )
