"""Override files: every problem in one pass, and a source of their own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from factories import primary_school

from junheng.cli import main
from junheng.errors import FrameworkError
from junheng.ingest.schema import canonical_frame
from junheng.standards.loader import load_framework

NATIONAL_SOURCE = "教育部《县域义务教育优质均衡发展督导评估办法》教督〔2017〕6号"


def _refused(tmp_path: Path, text: str) -> FrameworkError:
    path = tmp_path / "prov.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FrameworkError) as caught:
        load_framework(str(path))
    return caught.value


def test_min_met_reported_with_value_errors(tmp_path: Path) -> None:
    error = _refused(
        tmp_path,
        "id: prov-e\nextends: cn-2017-quality\n"
        "school_rule: {min_met: 9, floor_ratio: 1.5}\n"
        "balance_rule: {cv_limit: {primary: -1}}\n",
    )
    lines = error.message_en.splitlines()[1:]
    assert lines == [
        "  school_rule.min_met: 9 is more than the 7 resource indicators; set "
        "school_rule: {min_met: N} in the file with N at most 7, the indicators "
        "every school must meet",
        "  school_rule.floor_ratio: must be at most 1.0, not 1.5; correct the value",
        "  balance_rule.cv_limit.primary: must be greater than 0.0, not -1; "
        "correct the value",
    ]
    zh = error.message_zh.splitlines()[1:]
    assert len(zh) == 3
    assert zh[0].startswith("  school_rule.min_met：9 多于资源配置指标的 7 项")


def test_rules_between_keys_checked_with_value_errors(tmp_path: Path) -> None:
    # L8 lacks the junior threshold, a rule between sections and threshold
    # that used to be checked only once floor_ratio was corrected.
    error = _refused(
        tmp_path,
        "id: prov-x\nextends: cn-2017-quality\n"
        "school_rule: {min_met: 7, floor_ratio: 1.5}\n"
        "resource_indicators:\n"
        "  - id: L8\n    name: {zh: 生均图书, en: Books per student}\n"
        "    unit: {zh: 册, en: books}\n    formula: students\n"
        "    threshold: {primary: 25}\n",
    )
    lines = error.message_en.splitlines()[1:]
    assert lines == [
        "  school_rule.floor_ratio: must be at most 1.0, not 1.5; correct the value",
        "  resource_indicators[7](id L8).threshold: missing section(s) junior; "
        "add a threshold for each section of 'sections'",
    ]


def test_min_met_above_indicators_alone(tmp_path: Path) -> None:
    error = _refused(
        tmp_path, "id: prov-m\nextends: cn-2017-quality\nremove: [L6, L7]\n"
    )
    assert error.message_en.splitlines()[1:] == [
        "  school_rule.min_met: 6 is more than the 5 resource indicators; set "
        "school_rule: {min_met: N} in the file with N at most 5, the indicators "
        "every school must meet"
    ]


def test_override_source_not_inherited(tmp_path: Path) -> None:
    assert load_framework().source == NATIONAL_SOURCE
    path = tmp_path / "prov.yaml"
    path.write_text(
        "id: prov-a\nextends: cn-2017-quality\nname: {zh: 某省, en: A province}\n",
        encoding="utf-8",
    )
    framework = load_framework(str(path))
    assert framework.source == ""
    assert framework.based_on == ["cn-2017-quality"]
    path.write_text(
        "id: prov-a\nextends: cn-2017-quality\nname: {zh: 某省, en: A province}\n"
        "source: 某省教育厅 2019 年细则\n",
        encoding="utf-8",
    )
    assert load_framework(str(path)).source == "某省教育厅 2019 年细则"


def test_override_report_names_no_national_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    framework = tmp_path / "prov.yaml"
    framework.write_text(
        "id: prov-a\nextends: cn-2017-quality\nname: {zh: 某省, en: A province}\n",
        encoding="utf-8",
    )
    schools = tmp_path / "schools.csv"
    canonical_frame([primary_school(1), primary_school(2)]).write_csv(schools)
    args = ["evaluate", str(schools), "-f", str(framework)]
    table = CliRunner().invoke(main, args)
    assert table.exit_code == 0, table.output
    assert "修改自：cn-2017-quality" in table.output
    assert "标准依据" not in table.output
    assert "教督〔2017〕6号" not in table.output
    document = CliRunner().invoke(main, [*args, "--format", "json"])
    assert document.exit_code == 0, document.output
    assert json.loads(document.output)["framework"]["source"] == ""


def test_override_name_not_inherited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "prov.yaml"
    path.write_text("id: prov-a\nextends: cn-2017-quality\n", encoding="utf-8")
    framework = load_framework(str(path))
    assert framework.name.zh == "prov-a"
    assert framework.name.en == "prov-a"
    path.write_text(
        "id: prov-a\nextends: cn-2017-quality\nname: {zh: 某省细则}\n",
        encoding="utf-8",
    )
    framework = load_framework(str(path))
    assert framework.name.zh == "某省细则"
    assert framework.name.en == "prov-a"

    monkeypatch.setenv("JUNHENG_FRAMEWORKS", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "200")
    listing = CliRunner().invoke(main, ["frameworks"])
    assert listing.exit_code == 0, listing.output
    lines = listing.output.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("│ prov-a "))
    cells = [[cell.strip() for cell in line.split("│")] for line in lines[first:][:2]]
    assert cells[0][2] == "某省细则"
    assert cells[1][2] == "prov-a"
