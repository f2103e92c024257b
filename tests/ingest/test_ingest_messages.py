"""Import issues in Chinese and English: the catalogue, issues and reports."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import openpyxl
import pytest
from ingest.ingest_files import import_errors, school, school_cells, write_xlsx

from junheng.ingest import format_issues, write_issue_report
from junheng.ingest.issues import PLATFORM_RULES, RULES
from junheng.ingest.messages import LANGUAGES, MESSAGES, rule_of

SRC = Path(__file__).parents[2] / "src" / "junheng"
SHEET = "学校数据"
HAN = re.compile(r"[\u4e00-\u9fff]")


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_code_has_both_languages(code: str) -> None:
    wording = MESSAGES[code]
    assert set(wording) == set(LANGUAGES)
    for lang in LANGUAGES:
        message, fix = wording[lang]
        assert message.strip(), f"{code} {lang} message is empty"
        assert fix.strip(), f"{code} {lang} fix is empty"
    for text in wording["zh"]:
        # A template that is only a field, such as "{number_fix}", gets its
        # Chinese from a field given in both languages.
        if _placeholders(text) != {text.strip("{}")}:
            assert HAN.search(text), f"{code}: {text!r} has no Chinese"


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_code_chinese_needs_no_new_field(code: str) -> None:
    # The English wording may name a field that Chinese shows otherwise (the
    # section as "primary" next to 小学), but never the reverse.
    zh_message, zh_fix = MESSAGES[code]["zh"]
    en_message, en_fix = MESSAGES[code]["en"]
    zh_fields = _placeholders(zh_message) | _placeholders(zh_fix)
    en_fields = _placeholders(en_message) | _placeholders(en_fix)
    assert zh_fields <= en_fields


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_code_rule_is_known(code: str) -> None:
    assert rule_of(code) in RULES | PLATFORM_RULES


def test_every_code_is_used() -> None:
    source = "\n".join(
        path.read_text(encoding="utf-8")
        for path in SRC.rglob("*.py")
        if path.name != "messages.py"
    )
    unused = [code for code in MESSAGES if f'"{code}"' not in source]
    assert unused == []


def _text_error(tmp_path: Path) -> Path:
    rows = [school(1), school(2, primary_students="12a")]
    return write_xlsx(tmp_path / "schools.xlsx", {SHEET: school_cells(rows)})


def test_issue_in_chinese(tmp_path: Path) -> None:
    (issue,) = import_errors([_text_error(tmp_path)])
    chinese = issue.in_language("zh")
    assert chinese.message == "值“12a”不是整数"
    assert chinese.fix == "请填写以人计的整数，0 或以上"
    assert (chinese.file, chinese.sheet, chinese.row, chinese.column) == (
        issue.file,
        issue.sheet,
        issue.row,
        issue.column,
    )
    assert chinese.value == issue.value == "12a"
    assert chinese.code == issue.code == "whole_number"
    assert chinese.rule == issue.rule == "whole_number"


def test_issue_in_english(tmp_path: Path) -> None:
    (issue,) = import_errors([_text_error(tmp_path)])
    english = issue.in_language("en")
    assert english == issue
    assert english.message == "value '12a' is not a whole number"


def test_printed_line_in_chinese(tmp_path: Path) -> None:
    issues = import_errors([_text_error(tmp_path)])
    line = format_issues(issues, lang="zh")
    assert line == (
        "schools.xlsx，工作表 学校数据，第 3 行，列 小学在校生数（人）："
        "值“12a”不是整数；请填写以人计的整数，0 或以上"
    )


def test_json_report_in_chinese(tmp_path: Path) -> None:
    issues = import_errors([_text_error(tmp_path)])
    path = write_issue_report(issues, tmp_path / "errors.json", "zh")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["lang"] == "zh"
    (entry,) = document["issues"]
    assert entry["message"] == "值“12a”不是整数"
    assert entry["row"] == 3
    assert entry["code"] == "whole_number"
    assert "fields" not in entry


def test_xlsx_report_in_english(tmp_path: Path) -> None:
    issues = import_errors([_text_error(tmp_path)])
    path = write_issue_report(issues, tmp_path / "errors.xlsx", "en")
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["error report"]
    assert sheet.cell(1, 7).value == "message"
    assert sheet.cell(2, 1).value == "error"
    assert sheet.cell(2, 7).value == "value '12a' is not a whole number"


def test_xlsx_report_in_chinese(tmp_path: Path) -> None:
    issues = import_errors([_text_error(tmp_path)])
    path = write_issue_report(issues, tmp_path / "errors.xlsx", "zh")
    sheet = openpyxl.load_workbook(path)["错误报告"]
    assert sheet.cell(1, 7).value == "问题"
    assert sheet.cell(2, 1).value == "错误"
    assert sheet.cell(2, 4).value == 3
    assert sheet.cell(2, 7).value == "值“12a”不是整数"


def test_duplicate_names_first_row_in_chinese(tmp_path: Path) -> None:
    rows = [school(1), school(1)]
    path = write_xlsx(tmp_path / "schools.xlsx", {SHEET: school_cells(rows)})
    (issue,) = import_errors([path])
    assert issue.rule == "duplicate_school"
    assert issue.message.endswith("(first in row 2)")
    assert issue.in_language("zh").message.endswith("（首次出现于第 2 行）")
