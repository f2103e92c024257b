"""Reports name the framework by id and say when a file modified it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from reports.report_docs import county_items, schools_frame
from rich.console import Console

from junheng.errors import FrameworkError
from junheng.evaluation.document import build_document
from junheng.evaluation.verdict import evaluate
from junheng.reports.excel import write_workbook
from junheng.reports.html import render_html
from junheng.reports.terminal import render_summary
from junheng.standards.loader import load_framework

PROVINCE = "id: prov-b\nextends: cn-2017-quality\nresource_indicators:\n"
PROVINCE += "  - id: L6\n    threshold: {primary: 100, junior: 100}\n"


@pytest.fixture
def modified(tmp_path: Path) -> tuple[dict[str, Any], Path]:
    path = tmp_path / "prov-b.yaml"
    path.write_text(PROVINCE, encoding="utf-8")
    framework = load_framework(str(path))
    assert framework.based_on == ["cn-2017-quality"]
    ev = evaluate(schools_frame(False), framework, county_items())
    return build_document(ev), path


def _terminal(doc: dict[str, Any]) -> str:
    console = Console(file=io.StringIO(), width=200, color_system=None)
    render_summary(doc, console)
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(output, str)
    return output


def test_builtin_framework_shows_id() -> None:
    ev = evaluate(schools_frame(False), load_framework(), county_items())
    doc = build_document(ev)
    assert doc["framework"]["based_on"] == []
    output = _terminal(doc)
    assert "(cn-2017-quality)" in output
    assert "修改自" not in output


def test_modified_framework_in_terminal(
    modified: tuple[dict[str, Any], Path],
) -> None:
    doc, path = modified
    assert doc["framework"]["based_on"] == ["cn-2017-quality"]
    assert doc["framework"]["file"] == str(path)
    output = _terminal(doc)
    assert "(prov-b)" in output
    assert f"修改自：cn-2017-quality; {path}" in output


def test_modified_framework_in_excel(
    modified: tuple[dict[str, Any], Path], tmp_path: Path
) -> None:
    doc, path = modified
    out = write_workbook(doc, tmp_path / "r.xlsx")
    sheet = openpyxl.load_workbook(out).worksheets[0]
    rows = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0]}
    assert str(rows["评估标准"]).endswith("(prov-b)")
    assert rows["修改自"] == f"cn-2017-quality; {path}"


def test_modified_framework_in_html(modified: tuple[dict[str, Any], Path]) -> None:
    doc, path = modified
    page = render_html(doc)
    assert "修改自" in page
    assert f"cn-2017-quality; {path}" in page


def test_based_on_key_rejected(tmp_path: Path) -> None:
    path = tmp_path / "fake.yaml"
    path.write_text(PROVINCE + "based_on: [cn-2017-quality]\n", encoding="utf-8")
    with pytest.raises(FrameworkError, match="'based_on' is not a framework key"):
        load_framework(str(path))
