"""File content unlike the suffix, nested columns, encodings, title rows."""

from __future__ import annotations

import datetime
import decimal
import json
from pathlib import Path

import openpyxl
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from ingest.ingest_files import (
    HEADERS,
    import_errors,
    school,
    school_cells,
    write_csv,
    write_xlsx,
)
from openpyxl.utils import get_column_letter

from junheng.cli import main
from junheng.ingest import Issue, load_inputs
from junheng.ingest.schema import FIELDS_BY_NAME

SHEET = "学校数据"


def school_frame(rows: int = 2) -> pl.DataFrame:
    """Return the template columns of ``rows`` valid schools, as text."""
    cells = school_cells([school(i + 1) for i in range(rows)])
    return pl.DataFrame(
        [[None if v is None else str(v) for v in row] for row in cells[1:]],
        schema=dict.fromkeys(cells[0], pl.String),
        orient="row",
    )


def only_issue(paths: list[Path], **kwargs: object) -> tuple[str, str, str, str]:
    """Import a file with one error; return its code, message in en and zh, fix."""
    [issue] = import_errors(paths, **kwargs)
    zh = issue.in_language("zh")
    return issue.code, issue.message, zh.message, zh.fix


# ---------------------------------------------------------------------------
# Content that does not fit the suffix


def test_csv_named_xlsx(tmp_path: Path) -> None:
    csv_path = write_csv(tmp_path / "schools.csv", school_cells([school()]))
    path = tmp_path / "schools.xlsx"
    csv_path.rename(path)
    [issue] = import_errors([path])
    assert issue.code == "file.is_text"
    assert issue.file == "schools.xlsx"
    assert (
        issue.message == "this file is text (CSV), not the type its suffix .xlsx names"
    )
    assert issue.fix == "rename the file to end in .csv"
    zh = issue.in_language("zh")
    assert zh.message == "该文件是文本（CSV）文件，不是扩展名 .xlsx 所表示的类型"
    assert zh.fix == "请把文件扩展名改为 .csv"


@pytest.mark.parametrize(
    ("suffix", "start"),
    [
        (".xls", b"<html><body><table><tr><td>"),
        (".xlsx", b"\xef\xbb\xbf \r\n<!DOCTYPE HTML PUBLIC>\n<HTML>"),
        (".xls", b"\n\t<Table border=1><tr><td>"),
        (".xls", "<html>".encode("utf-16")),
    ],
)
def test_html_page_named_as_workbook(tmp_path: Path, suffix: str, start: bytes) -> None:
    # Statistics systems export tables as web pages under an .xls name.
    path = tmp_path / f"schools{suffix}"
    path.write_bytes(start + "学校名称</td></tr></table>".encode())
    [issue] = import_errors([path])
    assert issue.code == "file.is_html"
    assert issue.message == (
        "this file is an HTML page (statistics systems often export tables as web "
        f"pages), not the type its suffix {suffix} names"
    )
    assert issue.fix == (
        "open the file in Excel or WPS, save it as an Excel workbook (.xlsx) and "
        "import that file"
    )
    zh = issue.in_language("zh")
    assert zh.message == (
        f"该文件是 HTML 网页（统计系统常把表格导出为网页），不是扩展名 {suffix} "
        "所表示的类型"
    )
    assert (
        zh.fix == "请用 Excel 或 WPS 打开该文件，另存为 Excel 工作簿（.xlsx）后再导入"
    )


MHTML_START = (
    b"MIME-Version: 1.0\r\n"
    b"X-Document-Type: Workbook\r\n"
    b'Content-Type: multipart/related;\r\n\tboundary="----=_NextPart_01"\r\n'
    b"\r\n------=_NextPart_01\r\n"
    b'Content-Type: text/html; charset="utf-8"\r\n\r\n'
    b"<html><body><table><tr><td>"
)


@pytest.mark.parametrize("suffix", [".xls", ".xlsx", ".csv"])
def test_web_page_archive_named_as_table(tmp_path: Path, suffix: str) -> None:
    # Excel and browsers save a "single file web page" (MHTML) with mail headers
    # before the page.
    path = tmp_path / f"schools{suffix}"
    path.write_bytes(MHTML_START + "学校名称</td></tr></table>".encode())
    [issue] = import_errors([path])
    assert issue.code == "file.is_mhtml"
    assert issue.message == (
        "this file is a web page archive (MHTML, a single file web page), not the "
        f"type its suffix {suffix} names"
    )
    assert issue.fix == (
        "open the file in Excel or WPS, save it as an Excel workbook (.xlsx) and "
        "import that file"
    )
    zh = issue.in_language("zh")
    assert zh.message == (
        f"该文件是网页存档（MHTML，“单个文件网页”），不是扩展名 {suffix} 所表示的类型"
    )
    assert (
        zh.fix == "请用 Excel 或 WPS 打开该文件，另存为 Excel 工作簿（.xlsx）后再导入"
    )


@pytest.mark.parametrize("suffix", [".xls", ".xlsx"])
def test_xml_spreadsheet_named_as_workbook(tmp_path: Path, suffix: str) -> None:
    # Its <Table> element must not make it an HTML page.
    path = tmp_path / f"schools{suffix}"
    path.write_text(
        '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
        '<Worksheet ss:Name="学校数据"><Table><Row><Cell>'
        '<Data ss:Type="String">学校名称</Data></Cell></Row></Table></Worksheet>'
        "</Workbook>\n",
        encoding="utf-8",
    )
    [issue] = import_errors([path])
    assert issue.code == "file.is_xml_spreadsheet"
    assert issue.message == (
        f"this file is an Excel 2003 XML spreadsheet, not the type its suffix {suffix} "
        "names"
    )
    assert issue.fix == (
        "open the file in Excel or WPS, save it as an Excel workbook (.xlsx) and "
        "import that file"
    )
    zh = issue.in_language("zh")
    assert zh.message == (
        f"该文件是 Excel 2003 XML 电子表格，不是扩展名 {suffix} 所表示的类型"
    )


def test_csv_with_a_colon_in_its_header_is_text(tmp_path: Path) -> None:
    path = tmp_path / "schools.xlsx"
    path.write_text("学校名称:备注,说明\nContent-Type: 无\n", encoding="utf-8")
    [issue] = import_errors([path])
    assert issue.code == "file.is_text"


def test_text_mentioning_a_table_is_not_html(tmp_path: Path) -> None:
    path = tmp_path / "schools.xlsx"
    path.write_text("学校名称,备注\n甲小学,<table> 标签\n", encoding="utf-8")
    [issue] = import_errors([path])
    assert issue.code == "file.is_text"


def test_zero_byte_workbook(tmp_path: Path) -> None:
    path = tmp_path / "schools.xlsx"
    path.write_bytes(b"")
    code, message, zh, _ = only_issue([path])
    assert code == "file.zero_bytes"
    assert message == "the file is empty (0 bytes)"
    assert zh == "文件是空的（0 字节）"


def test_truncated_workbook(tmp_path: Path) -> None:
    whole = write_xlsx(tmp_path / "whole.xlsx", {SHEET: school_cells([school()])})
    path = tmp_path / "schools.xlsx"
    path.write_bytes(whole.read_bytes()[:2000])
    code, message, zh, _ = only_issue([path])
    assert code == "file.damaged"
    assert message == "the file is damaged or not a complete Excel workbook"
    assert zh == "文件已损坏，或不是完整的 Excel 工作簿"


def test_truncated_parquet(tmp_path: Path) -> None:
    whole = tmp_path / "whole.parquet"
    school_frame().write_parquet(whole)
    path = tmp_path / "schools.parquet"
    path.write_bytes(whole.read_bytes()[:1000])
    code, message, _, _ = only_issue([path])
    assert code == "file.damaged"
    assert message == "the file is damaged or not a complete Parquet"


def test_parquet_named_csv(tmp_path: Path) -> None:
    path = tmp_path / "schools.csv"
    school_frame().write_parquet(path)
    code, message, zh, fix = only_issue([path])
    assert code == "file.is_parquet"
    assert message == "this is a Parquet file, not the type its suffix .csv names"
    assert zh == "该文件是 Parquet 文件，不是扩展名 .csv 所表示的类型"
    assert fix == "请把文件扩展名改为 .parquet"


def test_workbook_named_csv(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "schools.xlsx", {SHEET: school_cells([school()])})
    renamed = tmp_path / "schools.csv"
    path.rename(renamed)
    code, _, zh, fix = only_issue([renamed])
    assert code == "file.is_xlsx"
    assert zh == "该文件是 Excel 工作簿（.xlsx），不是扩展名 .csv 所表示的类型"
    assert fix == "请把文件扩展名改为 .xlsx"


def test_binary_named_csv(tmp_path: Path) -> None:
    # Bytes 0 to 255, repeated: NUL bytes at both parities and control bytes,
    # which no text has, so the file is neither UTF-16 nor another text.
    path = tmp_path / "schools.csv"
    path.write_bytes(bytes(range(256)) * 8)
    code, message, zh, _ = only_issue([path])
    assert code == "file.not_text"
    assert message == (
        "this is not a text file (it holds binary data), so it cannot be read as CSV"
    )
    assert zh == "该文件不是文本文件（含有二进制数据），不能作为 CSV 读取"


def test_utf16_text_still_named(tmp_path: Path) -> None:
    text = "学年,行政区划代码\n2024,410102\n"
    path = tmp_path / "schools.csv"
    path.write_bytes(text.encode("utf-16-be"))
    [issue] = import_errors([path])
    assert issue.code == "file.utf16_without_bom"
    assert "--encoding utf-16-be" in issue.fix


# ---------------------------------------------------------------------------
# Nested Parquet columns


def with_column(frame: pl.DataFrame, name: str, values: pa.Array) -> pa.Table:
    table = frame.to_arrow()
    if name in table.column_names:
        return table.set_column(table.column_names.index(name), name, values)
    return table.append_column(name, values)


@pytest.mark.parametrize(
    ("values", "dtype"),
    [
        (pa.array([[14], [14, 1]], type=pa.list_(pa.int64())), "List(Int64)"),
        (
            pa.array([{"a": 14}, {"a": 15}], type=pa.struct([("a", pa.int32())])),
            "Struct({'a': Int32})",
        ),
        (
            pa.array([[("a", 14)], []], type=pa.map_(pa.string(), pa.int64())),
            "Map(String, Int64)",
        ),
        (pa.array([[1, 2], [3, 4]], type=pa.list_(pa.int64(), 2)), "Array(Int64, "),
    ],
)
def test_nested_field_column(tmp_path: Path, values: pa.Array, dtype: str) -> None:
    header = FIELDS_BY_NAME["primary_classes"].header_zh
    path = tmp_path / "schools.parquet"
    pq.write_table(with_column(school_frame(), header, values), path)
    [issue] = import_errors([path])
    assert issue.code == "header.nested"
    assert (issue.file, issue.row, issue.column) == ("schools.parquet", 1, header)
    assert issue.message.startswith(f"column {header!r} is of type {dtype}")
    assert issue.message.endswith(
        "so each cell holds a group of values rather than one number or text"
    )
    assert issue.fix == (
        "store the column as plain numbers or text, one value per cell, before "
        "exporting the Parquet file"
    )
    zh = issue.in_language("zh")
    assert zh.message.startswith(f"列“{header}”的类型是 {dtype}")
    assert (
        zh.fix == "请在导出 Parquet 文件前把该列存为普通的数字或文本，每个单元格一个值"
    )


def test_nested_extra_column_is_unknown_header(tmp_path: Path) -> None:
    # Extra columns are errors in the template layout; a nested one is no
    # different.
    values = pa.array([[1], [2, 3]], type=pa.list_(pa.int64()))
    path = tmp_path / "schools.parquet"
    pq.write_table(with_column(school_frame(), "备注", values), path)
    [issue] = import_errors([path])
    assert (issue.code, issue.column) == ("header.unknown", "备注")


OTHER_TYPES = [
    pa.array([datetime.timedelta(seconds=5)] * 2, pa.duration("us")),
    pa.array([datetime.time(8, 30)] * 2, pa.time64("us")),
    pa.array([b"\x01\x02", b"abc"], pa.binary()),
    pa.array([decimal.Decimal("9" * 38)] * 2, pa.decimal128(38, 0)),
    pa.array([decimal.Decimal("9" * 50)] * 2, pa.decimal256(60, 0)),
    pa.array(["甲", "乙"]).dictionary_encode(),
    pa.array([None, None], pa.null()),
]


@pytest.mark.parametrize("values", OTHER_TYPES, ids=lambda v: str(v.type))
def test_extra_column_of_any_type_is_unknown_header(
    tmp_path: Path, values: pa.Array
) -> None:
    path = tmp_path / "schools.parquet"
    pq.write_table(with_column(school_frame(), "备注", values), path)
    [issue] = import_errors([path])
    assert (issue.code, issue.column) == ("header.unknown", "备注")


@pytest.mark.parametrize(
    ("values", "dtype"),
    [
        (OTHER_TYPES[0], "duration[us]"),
        (pa.array([datetime.timedelta(days=1)] * 2, pa.duration("s")), "duration[s]"),
        (OTHER_TYPES[4], "decimal256(60, 0)"),
    ],
)
def test_field_column_without_text_form(
    tmp_path: Path, values: pa.Array, dtype: str
) -> None:
    header = FIELDS_BY_NAME["primary_classes"].header_zh
    path = tmp_path / "schools.parquet"
    pq.write_table(with_column(school_frame(), header, values), path)
    [issue] = import_errors([path])
    assert (issue.code, issue.row, issue.column) == (
        "header.unsupported_type",
        1,
        header,
    )
    assert issue.message == (
        f"column {header!r} is of type {dtype}, which cannot be read as numbers or text"
    )
    assert issue.fix == (
        "convert the column to numbers or text before exporting the Parquet file "
        "(for example a duration as seconds, a decimal with at most 38 digits); "
        "delete the column if it is not data to import"
    )
    zh = issue.in_language("zh")
    assert zh.message == f"列“{header}”的类型是 {dtype}，无法读作数字或文本"
    assert zh.fix == (
        "请在导出 Parquet 文件前把该列转换为数字或文本（例如把时长存为秒数，"
        "把小数存为不超过 38 位的数字）；如果该列不是要导入的数据，请删除该列"
    )


def test_binary_cells_shown_as_text_or_hex(tmp_path: Path) -> None:
    # Text stored as binary reads as text; other bytes show as hex, not as
    # invisible control characters.
    header = FIELDS_BY_NAME["primary_classes"].header_zh
    frame = school_frame().drop(header)
    table = with_column(frame, header, pa.array([b"\x01\x02", b"12"], pa.binary()))
    path = tmp_path / "schools.parquet"
    pq.write_table(table, path)
    [issue] = import_errors([path])
    assert (issue.row, issue.column, issue.value) == (2, header, "0x0102")


PROFILE = """\
id: nested-test
name: {zh: 测试, en: Test}
columns:
  year: 学年
  division_code: 区划
  school_code: 校码
  school_name: 校名
  school_type: {literal: 小学}
  ownership: {literal: 公办}
  location: {literal: 城区}
  primary_students: 学生
"""


def profile_table(extra: pa.Array, name: str) -> pa.Table:
    frame = pl.DataFrame(
        {
            "学年": ["2024", "2024"],
            "区划": ["410102", "410102"],
            "校码": ["2141000001", "2141000002"],
            "校名": ["甲小学", "乙小学"],
            "学生": ["600", "500"],
        }
    )
    return with_column(frame, name, extra)


def test_nested_column_unused_by_profile_ignored(tmp_path: Path) -> None:
    profile = tmp_path / "nested-test.yaml"
    profile.write_text(PROFILE, encoding="utf-8")
    path = tmp_path / "schools.parquet"
    extra = pa.array([[1], [2, 3]], type=pa.list_(pa.int64()))
    pq.write_table(profile_table(extra, "备注"), path)
    result = load_inputs([path], profile=str(profile))
    assert result.schools["primary_students"].to_list() == [600, 500]
    assert result.warnings == []


def test_nested_column_used_by_profile(tmp_path: Path) -> None:
    profile = tmp_path / "nested-test.yaml"
    profile.write_text(PROFILE, encoding="utf-8")
    path = tmp_path / "schools.parquet"
    extra = pa.array([{"n": "甲"}, {"n": "乙"}], type=pa.struct([("n", pa.string())]))
    table = profile_table(extra, "名称").drop_columns(["校名"])
    pq.write_table(table.rename_columns([*table.column_names[:-1], "校名"]), path)
    [issue] = import_errors([path], profile=str(profile))
    assert (issue.code, issue.column) == ("header.nested", "校名")


def test_nested_column_cli_exit_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    header = FIELDS_BY_NAME["primary_classes"].header_zh
    values = pa.array([[14], [14, 1]], type=pa.list_(pa.int64()))
    path = tmp_path / "schools.parquet"
    pq.write_table(with_column(school_frame(), header, values), path)
    result = CliRunner().invoke(
        main, ["validate", str(path), "--errors-report", "errors.json"]
    )
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    report = json.loads((tmp_path / "errors.json").read_text(encoding="utf-8"))
    assert [issue["code"] for issue in report["issues"]] == ["header.nested"]


# ---------------------------------------------------------------------------
# Encodings that decode without error into the wrong characters

TRADITIONAL_PROFILE = """\
id: big5-test
name: {zh: 测试, en: Test}
code_scheme: none
columns:
  year: 學年度
  division_code: 縣市代碼
  school_code: 學校代碼
  school_name: 學校名稱
  school_type: {literal: 小学}
  ownership: {literal: 公办}
  location: {literal: 城区}
  primary_students: 學生數
"""
TRADITIONAL_ROWS = [
    ["學年度", "縣市代碼", "學校代碼", "學校名稱", "學生數"],
    ["2024", "63", "313601", "臺北市立國語實驗國民小學", "600"],
]


def traditional_profile(tmp_path: Path, encoding: str | None = None) -> Path:
    text = TRADITIONAL_PROFILE
    if encoding is not None:
        text = text.replace(
            "code_scheme:", f"source_encoding: {encoding}\ncode_scheme:"
        )
    path = tmp_path / "big5-test.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_big5_profile_file_named(tmp_path: Path) -> None:
    # Big5 bytes decode as GB18030 without error, into other characters.
    path = write_csv(tmp_path / "tw.csv", TRADITIONAL_ROWS, encoding="big5")
    path.read_bytes().decode("gb18030")
    profile = traditional_profile(tmp_path)
    [issue] = import_errors([path], profile=str(profile))
    assert (issue.code, issue.row, issue.column) == ("file.encoding_fits", 1, None)
    assert issue.message == (
        "decoded as gb18030, only 0 of the 5 column headers are known, but decoded "
        "as big5 the header row is known, so the file's encoding is big5"
    )
    assert issue.fix == (
        "give --encoding big5 (encoding='big5' in Python), or save the file as "
        "UTF-8 CSV"
    )
    zh = issue.in_language("zh")
    assert zh.message == (
        "按 gb18030 解码后，5 个列标题中只有 0 个可以识别；"
        "按 big5 解码则标题行可以识别，文件的编码应是 big5"
    )
    assert zh.fix.startswith("请用 --encoding big5 指定编码")
    result = load_inputs([path], profile=str(profile), encoding="big5")
    assert result.schools["school_name"].to_list() == ["臺北市立國語實驗國民小學"]


def test_big5_file_with_utf8_profile(tmp_path: Path) -> None:
    # GB18030 also decodes this whole file; the header row tells Big5 apart.
    path = write_csv(tmp_path / "tw.csv", TRADITIONAL_ROWS, encoding="cp950")
    profile = traditional_profile(tmp_path, "utf-8")
    [issue] = import_errors([path], profile=str(profile))
    assert issue.code == "file.decode_as"
    assert issue.fix.startswith("the whole file decodes as big5: give --encoding big5")


def test_big5_traditional_headers_named(tmp_path: Path) -> None:
    # Traditional forms of the template headers are known headers, so the
    # header row read as big5 names that encoding.
    rows = [["學年", "行政區劃代碼", "學校標識碼"], ["2024", "410102", "2141000001"]]
    path = write_csv(tmp_path / "tw.csv", rows, encoding="big5")
    issues = import_errors([path])
    assert len(issues) == 1
    issue = issues[0]
    assert (issue.code, issue.row) == ("file.encoding_fits", 1)
    assert issue.message == (
        "decoded as gb18030, only 0 of the 3 column headers are known, but "
        "decoded as big5 the header row is known, so the file's encoding is big5"
    )
    assert issue.fix.startswith("give --encoding big5")


def test_shift_jis_file_guessed(tmp_path: Path) -> None:
    # Headers that no encoding makes known: the issue lists the encodings to
    # try, and the unknown headers follow.
    rows = [["学年度", "学校名", "児童数"], ["2024", "第一小学校", "400"]]
    path = write_csv(tmp_path / "jp.csv", rows, encoding="shift_jis")
    issues = import_errors([path])
    issue = issues[0]
    assert (issue.code, issue.row) == ("file.encoding_guess", 1)
    assert issue.message == (
        "decoded as gb18030, only 0 of the 3 column headers are known, so the "
        "file's encoding is probably not gb18030"
    )
    assert "big5 (or cp950) for traditional Chinese" in issue.fix
    zh = issue.in_language("zh")
    assert "繁体中文文件用 big5（或 cp950）" in zh.fix
    assert [i.code for i in issues[1:4]] == ["header.unknown"] * 3


def test_ascii_unknown_headers_not_blamed_on_encoding(tmp_path: Path) -> None:
    rows = [["alpha", "beta", "gamma"], ["1", "2", "3"]]
    path = write_csv(tmp_path / "other.csv", rows)
    issues = import_errors([path])
    assert "file.encoding_guess" not in {i.code for i in issues}


# ---------------------------------------------------------------------------
# Title rows above the header

TITLE = "东城区义务教育学校基本情况统计表"


def title_warning(issues: list[Issue]) -> Issue:
    [issue] = [i for i in issues if i.code == "header.title_row"]
    return issue


@pytest.mark.parametrize("merged", [True, False])
def test_title_row_skipped_in_workbook(tmp_path: Path, merged: bool) -> None:
    cells = school_cells([school(1), school(2)])
    path = write_xlsx(tmp_path / "schools.xlsx", {SHEET: [[TITLE], *cells]})
    if merged:
        workbook = openpyxl.load_workbook(path)
        workbook[SHEET].merge_cells(f"A1:{get_column_letter(len(HEADERS))}1")
        workbook.save(path)
    result = load_inputs([path])
    assert result.schools["school_name"].to_list() == ["第1小学", "第2小学"]
    assert [place[2] for place in result.school_places] == [3, 4]
    issue = title_warning(result.warnings)
    assert (issue.severity, issue.sheet, issue.row, issue.value) == (
        "warning",
        SHEET,
        1,
        TITLE,
    )
    assert issue.message == (
        f"row 1 holds one cell, {TITLE!r}, which is taken as the table's title and "
        "skipped; row 2 is read as the header row"
    )
    assert issue.fix == (
        "if row 2 is not the header row, delete the title in row 1 so that the "
        "header row comes first"
    )
    zh = issue.in_language("zh")
    assert zh.message == (
        f"第 1 行只有一个单元格“{TITLE}”，被视为表格标题而跳过；第 2 行被读作列标题"
    )
    assert zh.fix == "如果第 2 行不是列标题，请删除第 1 行的标题，使列标题位于第一行"


@pytest.mark.parametrize("padded", [True, False])
def test_title_row_skipped_in_csv(tmp_path: Path, padded: bool) -> None:
    # Excel saves a title row as the title and a separator per empty cell.
    title = [TITLE] + [None] * (len(HEADERS) - 1) if padded else [TITLE]
    cells = school_cells([school(1), school(2, primary_students=-5)])
    path = write_csv(tmp_path / "schools.csv", [title, *cells])
    issues = import_errors([path])
    issue = title_warning(issues)
    assert (issue.row, issue.value) == (1, TITLE)
    # The data rows keep the numbers the user sees.
    [negative] = [i for i in issues if i.rule == "negative"]
    assert negative.row == 4


def test_title_row_before_unknown_headers_not_skipped(tmp_path: Path) -> None:
    rows = [[TITLE], ["甲", "乙", "丙"], ["1", "2", "3"]]
    path = write_xlsx(tmp_path / "schools.xlsx", {SHEET: rows})
    issues = import_errors([path])
    assert "header.title_row" not in {i.code for i in issues}


def titles_warning(issues: list[Issue]) -> Issue:
    [issue] = [i for i in issues if i.code == "header.title_rows"]
    return issue


def test_two_title_rows_skipped_in_workbook(tmp_path: Path) -> None:
    unit = "填报单位：东城区教委"
    cells = school_cells([school(1), school(2)])
    path = write_xlsx(tmp_path / "schools.xlsx", {SHEET: [[TITLE], [unit], *cells]})
    result = load_inputs([path])
    assert result.schools["school_name"].to_list() == ["第1小学", "第2小学"]
    assert [place[2] for place in result.school_places] == [4, 5]
    issue = titles_warning(result.warnings)
    both_rows = f"{TITLE} / {unit}"
    assert (issue.sheet, issue.row, issue.value) == (SHEET, 1, both_rows)
    assert issue.message == (
        "skipped rows 1, 2 above the header row as the table's title and notes "
        f"({both_rows!r}); row 3 is read as the header row"
    )
    assert issue.fix == (
        "if row 3 is not the header row, delete rows 1, 2 so that the header row "
        "comes first"
    )
    zh = issue.in_language("zh")
    assert zh.message == (
        f"列标题上方的第 1、2 行（“{both_rows}”）被视为表格标题或说明而跳过；"
        "第 3 行被读作列标题"
    )
    assert zh.fix == "如果第 3 行不是列标题，请删除第 1、2 行，使列标题位于第一行"


def test_title_and_note_in_one_row_skipped(tmp_path: Path) -> None:
    # A title in A1 and the unit at the right end of row 1.
    note = [TITLE] + [None] * (len(HEADERS) - 2) + ["单位：人"]
    cells = school_cells([school(1)])
    path = write_xlsx(tmp_path / "schools.xlsx", {SHEET: [note, *cells]})
    result = load_inputs([path])
    assert result.schools["school_name"].to_list() == ["第1小学"]
    issue = titles_warning(result.warnings)
    assert (issue.row, issue.value) == (1, f"{TITLE} 单位：人")
    assert issue.fix == (
        "if row 2 is not the header row, delete row 1 so that the header row "
        "comes first"
    )


def test_two_title_rows_skipped_in_csv(tmp_path: Path) -> None:
    cells = school_cells([school(1), school(2, primary_students=-5)])
    path = write_csv(tmp_path / "schools.csv", [[TITLE], ["填报单位：东城区"], *cells])
    issues = import_errors([path])
    issue = titles_warning(issues)
    assert (issue.row, issue.value) == (1, f"{TITLE} / 填报单位：东城区")
    [negative] = [i for i in issues if i.rule == "negative"]
    assert negative.row == 5


def test_header_searched_in_first_five_rows_only(tmp_path: Path) -> None:
    # Five rows above the header are more than a title: nothing is skipped, and
    # the first row is read as the header row, as without a title.
    notes = [[f"说明{n}"] for n in range(1, 6)]
    cells = school_cells([school(1)])
    path = write_xlsx(tmp_path / "schools.xlsx", {SHEET: [*notes, *cells]})
    issues = import_errors([path])
    codes = {i.code for i in issues}
    assert not codes & {"header.title_row", "header.title_rows"}
    four = write_xlsx(tmp_path / "four.xlsx", {SHEET: [*notes[:4], *cells]})
    assert titles_warning(load_inputs([four]).warnings).row == 1


# ---------------------------------------------------------------------------
# Hidden sheets


def test_hidden_school_sheet_skipped_with_warning(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "schools.xlsx",
        {
            SHEET: school_cells([school(1)]),
            "其他学校": school_cells([school(2)]),
            "下拉列表": [["小学"], ["初中"]],
        },
    )
    workbook = openpyxl.load_workbook(path)
    workbook["其他学校"].sheet_state = "hidden"
    workbook["下拉列表"].sheet_state = "hidden"
    workbook.save(path)
    result = load_inputs([path])
    assert result.schools["school_name"].to_list() == ["第1小学"]
    [issue] = [i for i in result.warnings if i.rule == "hidden_sheet"]
    assert (issue.code, issue.severity, issue.sheet, issue.row) == (
        "hidden_sheet.skipped",
        "warning",
        "其他学校",
        None,
    )
    assert issue.message == (
        "sheet '其他学校' is hidden in Excel, so it is not imported, but its column "
        "headers are those of school data"
    )
    assert issue.fix.startswith("to import its rows, unhide the sheet in Excel")
    zh = issue.in_language("zh")
    assert zh.message == (
        "工作表“其他学校”在 Excel 中被隐藏，因此没有导入，"
        "但它的列标题是学校数据的列标题"
    )
    assert zh.fix.startswith("如果要导入其中的数据，请在 Excel 中取消隐藏该工作表")


def test_very_hidden_sheets_get_the_vba_fix(tmp_path: Path) -> None:
    # Excel's Unhide command does not list a very hidden sheet.
    path = write_xlsx(
        tmp_path / "schools.xlsx",
        {
            SHEET: school_cells([school(1)]),
            "其他学校": school_cells([school(2)]),
            "备注": [["备注"], ["东城区"]],
        },
    )
    workbook = openpyxl.load_workbook(path)
    workbook.active = 2
    workbook[SHEET].sheet_state = "veryHidden"
    workbook["其他学校"].sheet_state = "veryHidden"
    workbook.save(path)
    result = load_inputs([path])
    assert result.schools["school_name"].to_list() == ["第1小学"]
    imported, skipped = [i for i in result.warnings if i.rule == "hidden_sheet"]
    assert (imported.code, imported.sheet) == ("hidden_sheet.very", SHEET)
    assert imported.message == (
        "the sheet is very hidden in Excel (the Unhide command does not list it), "
        "and it is imported because its name marks it as a data sheet"
    )
    assert imported.fix == (
        "to check its rows, press Alt+F11 in Excel to open the VBA editor, select "
        "the sheet in the Project pane and set Visible to -1 - xlSheetVisible in "
        "the Properties pane, or ask the file's author to unhide it; rename or "
        "delete the sheet if it is not data to import"
    )
    assert imported.in_language("zh").message == (
        "该工作表在 Excel 中被设为“非常隐藏”（右键菜单中的“取消隐藏”不会列出它），"
        "因名称表明是数据表而被导入"
    )
    assert (skipped.code, skipped.sheet) == ("hidden_sheet.skipped_very", "其他学校")
    assert skipped.message == (
        "sheet '其他学校' is very hidden in Excel, so it is not imported, but its "
        "column headers are those of school data"
    )
    assert skipped.fix.startswith(
        "to import its rows: the Unhide command does not list a very hidden sheet, "
        "so press Alt+F11"
    )
    assert skipped.in_language("zh").fix.startswith(
        "如果要导入其中的数据，右键菜单中的“取消隐藏”不会列出该工作表：请在 Excel 中"
        "按 Alt+F11 打开 VBA 编辑器"
    )


@pytest.mark.parametrize(
    ("byte", "code_point"), [("\x07", "U+0007"), ("\x00", "U+0000")]
)
def test_control_character_names_cell(
    tmp_path: Path, byte: str, code_point: str
) -> None:
    rows = school_cells([school(1), school(2)])
    name_column = rows[0].index("学校名称")
    rows[2][name_column] = f"第2{byte}小学"
    path = write_csv(tmp_path / "bel.csv", rows)
    (issue,) = import_errors([path])
    assert issue.code == "file.control_character"
    assert (issue.row, issue.column, issue.value) == (3, "学校名称", f"第2{byte}小学")
    assert issue.message == (
        f"the cell holds the control character {code_point}, which is not visible "
        "text and often comes in with copy and paste"
    )
    assert issue.in_language("zh").message.startswith(
        f"单元格含有控制字符 {code_point}"
    )


def test_binary_file_still_not_text(tmp_path: Path) -> None:
    path = tmp_path / "binary.csv"
    path.write_bytes(bytes(range(256)) * 4)
    (issue,) = import_errors([path])
    assert issue.code == "file.not_text"
