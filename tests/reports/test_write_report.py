"""write_report dispatch to the JSON, Excel and HTML writers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from junheng.reports import write_report


def test_write_report_json(doc: dict[str, Any], tmp_path: Path) -> None:
    path = write_report(doc, "json", tmp_path / "r.json")
    assert json.loads(path.read_text("utf-8"))["summary"]["fail"] == 1


def test_write_report_xlsx(doc: dict[str, Any], tmp_path: Path) -> None:
    path = write_report(doc, "xlsx", tmp_path / "r.xlsx", "en")
    assert openpyxl.load_workbook(path).sheetnames[-1] == "Import warnings"


def test_write_report_html(doc: dict[str, Any], tmp_path: Path) -> None:
    path = write_report(doc, "html", tmp_path / "r.html")
    assert '<html lang="zh-CN">' in path.read_text("utf-8")


def test_write_report_lang_default(doc_en: dict[str, Any], tmp_path: Path) -> None:
    path = write_report(doc_en, "html", tmp_path / "r.html")
    assert '<html lang="en">' in path.read_text("utf-8")


def test_write_report_unknown_format(doc: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown report format 'pdf'"):
        write_report(doc, "pdf", tmp_path / "r.pdf")  # type: ignore[arg-type]


def test_write_report_unknown_lang(doc: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unsupported report language 'fr'"):
        write_report(doc, "json", tmp_path / "r.json", "fr")
