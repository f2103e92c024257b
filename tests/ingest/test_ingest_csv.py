"""CSV files: field counts, quoting and text encodings, each located by row."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

from ingest.ingest_files import import_errors, school, school_cells

from junheng.ingest import load_inputs


def csv_text(rows: list[list[object]]) -> str:
    """Return rows as CSV text with LF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()


def test_row_with_too_few_fields(tmp_path: Path) -> None:
    cells = school_cells([school(1), school(2), school(3)])
    cells[2] = cells[2][:10]
    path = tmp_path / "schools.csv"
    path.write_text(csv_text(cells), encoding="utf-8")
    issues = import_errors([path])
    assert len(issues) == 1
    issue = issues[0]
    assert issue.rule == "file"
    assert issue.row == 3
    assert issue.message == "the row has 10 fields but the header has 34"
    assert "add the missing fields" in issue.fix


def test_every_ragged_row_reported(tmp_path: Path) -> None:
    cells = school_cells([school(1), school(2), school(3)])
    cells[1] = [*cells[1], "extra"]
    cells[3] = cells[3][:-1]
    path = tmp_path / "schools.csv"
    path.write_text(csv_text(cells), encoding="utf-8")
    issues = import_errors([path])
    assert [issue.row for issue in issues] == [2, 4]
    assert issues[0].message == "the row has 35 fields but the header has 34"
    assert issues[1].message == "the row has 33 fields but the header has 34"


def test_blank_line_not_ragged(tmp_path: Path) -> None:
    text = csv_text(school_cells([school(1), school(2)]))
    lines = text.splitlines(keepends=True)
    path = tmp_path / "schools.csv"
    path.write_text(lines[0] + lines[1] + "\n" + lines[2], encoding="utf-8")
    assert load_inputs([path]).schools.height == 2


def test_unclosed_quote_names_row(tmp_path: Path) -> None:
    lines = csv_text(school_cells([school(1), school(2), school(3)])).splitlines()
    lines[2] = lines[2].replace("第2小学", '"第2小学')
    path = tmp_path / "schools.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    issues = import_errors([path])
    assert len(issues) == 1
    issue = issues[0]
    assert issue.row == 3
    assert issue.message == (
        'a quote (") opened in this row is never closed, so the rest of the file '
        "would read as one cell"
    )
    assert "infer_schema_length" not in issue.message + issue.fix


def test_text_after_closing_quote(tmp_path: Path) -> None:
    lines = csv_text(school_cells([school(1), school(2)])).splitlines()
    lines[2] = lines[2].replace("第2小学", '"第2"小学')
    path = tmp_path / "schools.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    issues = import_errors([path])
    assert len(issues) == 1
    assert issues[0].row == 3
    assert issues[0].message.startswith("invalid quoting in this row")


def test_invalid_utf8_byte_line(tmp_path: Path) -> None:
    data = csv_text(school_cells([school(1), school(2), school(3)])).encode()
    lines = data.split(b"\n")
    lines[3] = lines[3].replace("第3小学".encode(), b"\xff3")
    path = tmp_path / "schools.csv"
    path.write_bytes(b"\n".join(lines))
    issues = import_errors([path])
    assert len(issues) == 1
    issue = issues[0]
    assert issue.row == 4
    assert "line 4 has bytes that are invalid in utf-8 (0xFF" in issue.message
    assert "--encoding" in issue.fix


def test_invalid_gbk_byte_line(tmp_path: Path) -> None:
    data = csv_text(school_cells([school(1), school(2)])).encode("gbk")
    lines = data.split(b"\n")
    # 0x80 is not a valid byte in GB18030, which reads the rest of this file.
    lines[2] = lines[2] + b"\x80"
    path = tmp_path / "schools.csv"
    path.write_bytes(b"\n".join(lines))
    issues = import_errors([path])
    assert len(issues) == 1
    assert issues[0].row == 3
    assert "invalid in gb18030 (0x80" in issues[0].message


def test_utf16_with_bom_imports(tmp_path: Path) -> None:
    text = csv_text(school_cells([school(1), school(2)])).replace(",", "\t")
    path = tmp_path / "schools.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    schools = load_inputs([path]).schools
    assert schools["school_name"].to_list() == ["第1小学", "第2小学"]


def test_utf16_without_bom_named(tmp_path: Path) -> None:
    text = csv_text(school_cells([school(1)]))
    path = tmp_path / "schools.csv"
    path.write_bytes(text.encode("utf-16-le"))
    issues = import_errors([path])
    assert len(issues) == 1
    assert "NUL bytes" in issues[0].message
    assert "--encoding utf-16-le" in issues[0].fix
    result = load_inputs([path], encoding="utf-16-le")
    assert result.schools.height == 1
