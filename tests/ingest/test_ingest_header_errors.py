"""A wrong header is reported once, without follow-on errors on every row."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from junheng.errors import InputError
from junheng.ingest import load_inputs

HEADER = (
    "学年,行政区划代码,学校标识码,学校名称,学校类型,办学性质,城乡分类,"
    "{students},小学班级数,小学最大班额,小学专任教师数"
)


def _file(tmp_path: Path, students_header: str, rows: int) -> Path:
    lines = [HEADER.format(students=students_header)]
    lines += [
        f"2024,410102,21410000{number:02d},合成小学{number},小学,公办,城区,500,12,44,30"
        for number in range(rows)
    ]
    path = tmp_path / "schools.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_misspelled_header_single_error(tmp_path: Path) -> None:
    # 小学学生人数 is not a template header (小学在校生数 is), so the students
    # column is unmapped and the 18 rows would each have teachers without
    # students.
    with pytest.raises(InputError) as caught:
        load_inputs([_file(tmp_path, "小学学生人数", 18)])
    issues = caught.value.issues
    assert [i.rule for i in issues] == ["header"]  # type: ignore[attr-defined]
    assert "小学在校生数" in issues[0].fix  # type: ignore[attr-defined]


def test_cross_column_checks_without_header_error(tmp_path: Path) -> None:
    # With the right header the same rows load; the cross-column checks still
    # run when the headers are right (here they find nothing).
    result = load_inputs([_file(tmp_path, "小学在校生数", 3)])
    assert result.schools.height == 3
    assert [p[2] for p in result.school_places] == [2, 3, 4]


def test_misspelled_header_asks_in_chinese(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_inputs([_file(tmp_path, "小学学生人数", 2)])
    (issue,) = caught.value.issues
    assert issue.code == "header.unknown_close"  # type: ignore[attr-defined]
    chinese = issue.in_language("zh")  # type: ignore[attr-defined]
    assert chinese.message == "无法识别的列标题“小学学生人数”"
    assert chinese.fix.startswith("是否应为“小学在校生数（人）”？")


def test_blank_header_single_error(tmp_path: Path) -> None:
    # The reader reports the students column without a header; its values are
    # not read, so each of the 5 rows would have teachers without students.
    with pytest.raises(InputError) as caught:
        load_inputs([_file(tmp_path, "", 5)])
    (issue,) = caught.value.issues
    assert issue.code == "header.no_header"  # type: ignore[attr-defined]
    assert issue.column == "#8"  # type: ignore[attr-defined]


def test_blank_header_in_workbook_single_error(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "学校数据"
    for line in _file(tmp_path, "", 3).read_text(encoding="utf-8").splitlines():
        sheet.append(line.split(","))
    book.save(tmp_path / "schools.xlsx")
    with pytest.raises(InputError) as caught:
        load_inputs([tmp_path / "schools.xlsx"])
    (issue,) = caught.value.issues
    assert issue.code == "header.no_header"  # type: ignore[attr-defined]
    assert issue.sheet == "学校数据"  # type: ignore[attr-defined]
