"""Builders of input files for the import tests: real files under tmp_path."""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from junheng.errors import InputError
from junheng.ingest import Issue, load_inputs
from junheng.ingest.issues import RULES
from junheng.ingest.schema import SCHOOL_FIELDS

HEADERS = [spec.header_zh for spec in SCHOOL_FIELDS]
"""Template headers of the school sheet, in template order."""


def school(number: int = 1, **changes: Any) -> dict[str, Any]:
    """Return a valid primary school in 郑州市中原区 (410102), keyed by field name."""
    row: dict[str, Any] = {
        "year": 2024,
        "division_code": "410102",
        "school_code": f"2141{number:06d}",
        "school_name": f"第{number}小学",
        "school_type": "小学",
        "ownership": "公办",
        "location": "城区",
        "primary_students": 600,
        "primary_classes": 14,
        "primary_max_class_size": 45,
        "primary_teachers": 36,
        "primary_teachers_above_required_degree": 30,
        "primary_backbone_teachers": 5,
        "primary_pe_art_teachers": 6,
        "primary_teachers_intermediate_title": 12,
        "teaching_aux_area_m2": 3000.5,
        "books": 20000,
    }
    row.update(changes)
    return row


def school_cells(rows: Sequence[dict[str, Any]]) -> list[list[Any]]:
    """Return the header row and the data rows in template column order."""
    return [list(HEADERS)] + [
        [row.get(spec.name) for spec in SCHOOL_FIELDS] for row in rows
    ]


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """Write a workbook with openpyxl, one sheet per entry, rows from A1."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def with_sheet_xml(path: Path, before_end: bytes) -> Path:
    """Copy the workbook ``path`` with ``before_end`` inserted before the
    ``</sheetData>`` of its first sheet, and return the copy's path."""
    out = path.with_name("changed-" + path.name)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", before_end + b"</sheetData>")
            target.writestr(member, data, zipfile.ZIP_DEFLATED)
    return out


def write_csv(path: Path, rows: list[list[Any]], encoding: str = "utf-8") -> Path:
    """Write rows as CSV text in ``encoding``."""
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
    return path


def import_errors(paths: Sequence[Path], **kwargs: Any) -> list[Issue]:
    """Import files that must fail; return every issue of the InputError."""
    with pytest.raises(InputError) as caught:
        load_inputs(paths, **kwargs)
    issues = caught.value.issues
    assert all(isinstance(issue, Issue) for issue in issues)
    typed = [issue for issue in issues if isinstance(issue, Issue)]
    assert {issue.rule for issue in typed} <= RULES
    return typed


def find(issues: list[Issue], rule: str) -> list[Issue]:
    """Return the issues raised by the check ``rule``."""
    return [issue for issue in issues if issue.rule == rule]
