"""County items checked against the chosen framework: keys and percentages."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest.ingest_files import import_errors, write_csv

from junheng.ingest import load_inputs
from junheng.ingest.issues import format_issues
from junheng.standards.loader import load_framework

HEADER = ["year", "division_code", "item", "value", "evidence"]


def test_items_of_2017_under_2012(tmp_path: Path) -> None:
    # S1 is a key of both standards, so row 4 is accepted and splits the rows.
    rows = [
        [2024, "410102", "G1", "是", ""],
        [2024, "410102", "Q9_level_met", "是", ""],
        [2024, "410102", "S1", 90, ""],
        [2024, "410102", "V3", "否", ""],
        [2024, "410103", "G1", "是", ""],
    ]
    path = write_csv(tmp_path / "items.csv", [HEADER, *rows])
    issues = import_errors([path], framework=load_framework("cn-2012-basic"))
    assert len(issues) == 1
    issue = issues[0]
    assert issue.code == "unknown_item.framework"
    assert issue.rule == "unknown_item"
    assert issue.row is None
    assert issue.column == "item"
    assert issue.message == (
        "rows 2-3, 5-6 (4 rows) hold the items G1, Q9_level_met, V3 of framework "
        "cn-2017-quality, which framework cn-2012-basic does not read"
    )
    assert issue.fix == (
        "leave these rows (or the file) out, or evaluate against framework "
        "cn-2017-quality (on the command line: --framework cn-2017-quality)"
    )
    zh = issue.in_language("zh")
    assert zh.message == (
        "第 2-3、5-6 行（共 4 行）的指标 G1, Q9_level_met, V3 是评估框架 "
        "cn-2017-quality 的县级指标，评估框架 cn-2012-basic 不读取这些指标"
    )
    assert "--framework cn-2017-quality" in zh.fix


def test_demo_items_give_one_error(tmp_path: Path) -> None:
    framework = load_framework()
    keys = sorted(framework.county_keys())
    rows = [
        [2024, code, key, 90 if key == "S1" else "是", ""]
        for code in ("410102", "410103")
        for key in keys
    ]
    path = write_csv(tmp_path / "items.csv", [HEADER, *rows])
    issues = import_errors([path], framework=load_framework("cn-2012-basic"))
    assert len(issues) == 1
    text = format_issues(issues, lang="en")
    assert f"({2 * (len(keys) - 1)} rows)" in text  # all but the two S1 rows


@pytest.mark.parametrize("stray", ["G77", "E1"])
def test_unknown_key_reported_per_row(tmp_path: Path, stray: str) -> None:
    # The Taiwan example reads no county items. G77 belongs to no framework,
    # and G1 (2017) and E1 (2012) belong to no single one.
    rows = [[2024, "410102", "G1", "是", ""], [2024, "410102", stray, "是", ""]]
    path = write_csv(tmp_path / "items.csv", [HEADER, *rows])
    framework = load_framework("tw-moe-primary-example")
    assert framework.county_keys() == set()
    issues = import_errors([path], framework=framework)
    assert [(i.code, i.row, i.value) for i in issues] == [
        ("unknown_item", 2, "G1"),
        ("unknown_item", 3, stray),
    ]


def test_share_above_100_rejected(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "items.csv", [HEADER, [2024, "410102", "G12", 150, ""]])
    issues = import_errors([path])
    assert len(issues) == 1
    issue = issues[0]
    assert issue.code == "item_value.above_100"
    assert issue.severity == "error"
    assert (issue.row, issue.column, issue.value) == (2, "value", "150")
    assert issue.message == (
        "value '150' of the percentage item 'G12' "
        "(专任教师持有教师资格证上岗率达到100%) is above 100, "
        "but this percentage is a share of a whole and cannot exceed 100%"
    )
    assert "students move in" not in issue.fix
    assert "不会超过 100%" in issue.in_language("zh").message


def test_rate_above_100_warns(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "items.csv", [HEADER, [2024, "410102", "Q1", 101.5, ""]]
    )
    warnings = load_inputs([path]).warnings
    assert [(w.code, w.severity, w.row) for w in warnings] == [
        ("item_value_high", "warning", 2)
    ]
    assert warnings[0].fix == (
        "check the value; this rate can exceed 100% only when students move in"
    )


def test_override_allows_rate_above_100(tmp_path: Path) -> None:
    framework = tmp_path / "prov.yaml"
    framework.write_text(
        "id: prov-g12\nextends: cn-2017-quality\nparts:\n  - id: government\n"
        "    items:\n      - id: G12\n        checks: [{key: G12, op: '>=', "
        "threshold: 100, unit: {zh: '%', en: '%'}, may_exceed_100: true}]\n",
        encoding="utf-8",
    )
    path = write_csv(tmp_path / "items.csv", [HEADER, [2024, "410102", "G12", 150, ""]])
    result = load_inputs([path], framework=load_framework(str(framework)))
    assert [w.code for w in result.warnings] == ["item_value_high"]
