"""A county whose schools the inclusion rules all leave out gets a verdict row."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from factories import primary_school
from rich.console import Console

from junheng.evaluation.document import build_document
from junheng.evaluation.verdict import Evaluation, evaluate
from junheng.ingest.schema import canonical_frame
from junheng.reports import write_report
from junheng.reports.terminal import render_summary
from junheng.standards.loader import load_framework

# 410105 has two teaching points of 30 and 12 students. The 2017 framework
# counts teaching points of at least 50 students, so no school there counts.
POINTS = "410105"


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    rows = [
        primary_school(1),
        primary_school(2),
        primary_school(
            3,
            division_code=POINTS,
            school_type="教学点",
            school_name="甲教学点",
            primary_students=30,
            primary_classes=3,
            primary_max_class_size=12,
        ),
        primary_school(
            4,
            division_code=POINTS,
            school_type="教学点",
            school_name="乙教学点",
            primary_students=12,
            primary_classes=2,
            primary_max_class_size=8,
        ),
    ]
    return evaluate(canonical_frame(rows), load_framework("cn-2017-quality"))


def _record(evaluation: Evaluation, lang: str) -> dict[str, object]:
    doc = build_document(evaluation, lang=lang)
    (record,) = [c for c in doc["counties"] if c["division_code"] == POINTS]
    return record


def test_county_has_incomplete_verdict(evaluation: Evaluation) -> None:
    verdicts = evaluation.verdicts
    assert verdicts["division_code"].to_list() == ["410102", POINTS]
    row = verdicts.filter(verdicts["division_code"] == POINTS).row(0, named=True)
    assert row["verdict"] == "incomplete"
    assert row["schools"] == 0
    assert evaluation.summary()["incomplete"] >= 1
    assert evaluation.unevaluated == {(2024, POINTS)}


def test_reason_names_schools_and_rule(evaluation: Evaluation) -> None:
    (reason,) = _record(evaluation, "en")["reasons"]  # type: ignore[misc]
    assert reason["code"] == "no_included_schools"
    assert reason["message"] == (
        "no school counts under the framework's inclusion rules, so the county "
        "cannot be evaluated: 甲教学点 (2141000003, teaching point with fewer "
        "than 50 students); 乙教学点 (2141000004, teaching point with fewer "
        "than 50 students)"
    )


def test_reason_in_chinese(evaluation: Evaluation) -> None:
    (reason,) = _record(evaluation, "zh")["reasons"]  # type: ignore[misc]
    assert reason["message"].startswith(  # type: ignore[index]
        "没有学校符合评估办法的纳入规则，无法评估：甲教学点（2141000003，"
        "在校生少于 50 人的教学点）"
    )


def test_json_lists_county(evaluation: Evaluation, tmp_path: Path) -> None:
    doc = build_document(evaluation, lang="en")
    path = write_report(doc, "json", tmp_path / "out.json")
    counties = json.loads(path.read_text(encoding="utf-8"))["counties"]
    record = next(c for c in counties if c["division_code"] == POINTS)
    assert record["verdict"] == "incomplete"
    assert record["reasons"][0]["code"] == "no_included_schools"


def test_excel_lists_reason(evaluation: Evaluation, tmp_path: Path) -> None:
    doc = build_document(evaluation, lang="zh")
    path = write_report(doc, "xlsx", tmp_path / "out.xlsx")
    workbook = openpyxl.load_workbook(path, read_only=True)
    texts = [
        str(cell)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    ]
    assert POINTS in texts
    assert any("没有学校符合评估办法的纳入规则" in text for text in texts)


def test_html_lists_reason(evaluation: Evaluation, tmp_path: Path) -> None:
    doc = build_document(evaluation, lang="zh")
    path = write_report(doc, "html", tmp_path / "out.html")
    html = path.read_text(encoding="utf-8")
    assert POINTS in html
    assert "没有学校符合评估办法的纳入规则" in html
    assert "乙教学点" in html


def test_table_lists_reason(evaluation: Evaluation) -> None:
    doc = build_document(evaluation, lang="en")
    console = Console(record=True, width=200)
    render_summary(doc, console, lang="en")
    text = console.export_text()
    assert POINTS in text
    assert "no school counts under the framework's inclusion rules" in text


def test_rollup_counts_county(evaluation: Evaluation) -> None:
    verdicts = evaluation.rollups.verdicts
    nation = verdicts.filter(verdicts["level"] == "nation").row(0, named=True)
    # 410102 passes or fails on its two schools; 410105 is incomplete.
    assert nation["counties"] == 2
    assert nation["incomplete"] >= 1
