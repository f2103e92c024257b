"""JSON report: structure, hand-computed values and strict JSON output."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from reports.report_docs import NONCOMPLIANT_CODE, NONCOMPLIANT_NAME

from junheng.reports.json_report import write_json


def _read(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return loaded


def test_json_county_keys(doc: dict[str, Any], tmp_path: Path) -> None:
    county = _read(write_json(doc, tmp_path / "r.json"))["counties"][0]
    assert county["division_code"] == "410102"
    assert county["verdict"] == "fail"
    assert isinstance(county["reasons"], list)
    assert county["reasons"]
    assert "message" in county["reasons"][0]


def test_json_indicator_values(doc: dict[str, Any], tmp_path: Path) -> None:
    primary = _read(write_json(doc, tmp_path / "r.json"))["counties"][0]["sections"][
        "primary"
    ]
    l1 = primary["indicators"]["L1"]
    l6 = primary["indicators"]["L6"]
    assert l1["mean"] == pytest.approx(5.0)
    assert l1["cv"] == pytest.approx(0.0)
    assert l1["limit"] == pytest.approx(0.5)
    assert l1["passed"] is True
    assert l6["mean"] == pytest.approx(4400.0)
    assert l6["cv"] == pytest.approx(math.sqrt(2) / 2)
    assert l6["passed"] is False
    # Mean of the seven CVs: (0.70711 + 0.12856) / 7.
    assert primary["composite_cv"] == pytest.approx(0.119382, abs=1e-6)


def test_json_school_records(doc: dict[str, Any], tmp_path: Path) -> None:
    schools = _read(write_json(doc, tmp_path / "r.json"))["schools"]
    by_code = {s["school_code"]: s for s in schools}
    failing = by_code[NONCOMPLIANT_CODE]
    assert len(schools) == 3
    assert failing["section"] == "primary"
    assert failing["met_count"] == 6
    assert failing["compliant"] is False
    assert failing["indicators"]["L7"]["value"] == pytest.approx(1.8)
    assert failing["indicators"]["L7"]["met"] is False


def test_json_cv_contributors(doc: dict[str, Any], tmp_path: Path) -> None:
    # L6 is 2200, 2200 and 8800 yuan for 500 students each: mean 4400, squared
    # deviations 2200², 2200² and 4400², so shares 1/6, 1/6 and 4/6.
    county = _read(write_json(doc, tmp_path / "r.json"))["counties"][0]
    reason = next(r for r in county["reasons"] if r["code"] == "cv_over_limit")
    found = reason["contributors"]
    assert [c["school_code"] for c in found] == [
        "2141010203",
        "2141010201",
        "2141010202",
    ]
    assert [c["value"] for c in found] == pytest.approx([8800.0, 2200.0, 2200.0])
    assert [c["students"] for c in found] == [500, 500, 500]
    assert [c["share"] for c in found] == pytest.approx([4 / 6, 1 / 6, 1 / 6])
    assert reason["top_schools"] == (
        "中原区第三小学（2141010203） 8800, 67%；"
        "中原区第一小学（2141010201） 2200, 17%；"
        f"{NONCOMPLIANT_NAME}（{NONCOMPLIANT_CODE}） 2200, 17%"
    )


def test_json_keeps_chinese(doc: dict[str, Any], tmp_path: Path) -> None:
    raw = write_json(doc, tmp_path / "r.json").read_text("utf-8")
    assert "中原区" in raw
    assert "\\u" not in raw


def test_json_writes_nan_as_null(doc: dict[str, Any], tmp_path: Path) -> None:
    broken = {**doc, "notes": [float("nan"), float("inf")]}
    raw = write_json(broken, tmp_path / "r.json").read_text("utf-8")
    assert "NaN" not in raw
    assert "Infinity" not in raw
    assert json.loads(raw)["notes"] == [None, None]


def test_json_writes_decimals_as_numbers(doc: dict[str, Any], tmp_path: Path) -> None:
    counted = {**doc, "summary": {"counties": Decimal("3"), "share": Decimal("0.5")}}
    summary = _read(write_json(counted, tmp_path / "r.json"))["summary"]
    assert summary["counties"] == 3
    assert summary["share"] == pytest.approx(0.5)


def test_json_indents_small_docs(doc: dict[str, Any], tmp_path: Path) -> None:
    raw = write_json(doc, tmp_path / "r.json").read_text("utf-8")
    assert '\n  "counties": [' in raw


def test_json_compact_for_large(doc: dict[str, Any], tmp_path: Path) -> None:
    large = {**doc, "schools": [doc["schools"][0]] * 5_001}
    raw = write_json(large, tmp_path / "r.json").read_text("utf-8")
    assert raw.count("\n") == 1
    assert '"counties":[' in raw


def _large(doc: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {**doc, "schools": [doc["schools"][0]] * 5_001, **fields}


def test_json_compact_matches_json_module(doc: dict[str, Any], tmp_path: Path) -> None:
    # The compact writer gives the very text of json's compact encoder for
    # everything a document holds: Chinese text, control characters,
    # quotes, None, booleans, and floats from 0.0001 up.
    large = _large(doc, notes=['中\n"\\\t\x01', None, True, 0.1, 1e-4, 58345.0])
    raw = write_json(large, tmp_path / "r.json").read_text("utf-8")
    expected = json.dumps(large, ensure_ascii=False, separators=(",", ":"))
    assert raw == expected + "\n"


def test_json_compact_tiny_numbers_read_equal(
    doc: dict[str, Any], tmp_path: Path
) -> None:
    # Below 1e-4 the compact writer spells numbers differently from json
    # (0.00001 for 1e-05, 1.5e-7 for 1.5e-07); they read back as the same
    # floats.
    large = _large(doc, notes=[1e-05, 1.5e-07])
    raw = write_json(large, tmp_path / "r.json").read_text("utf-8")
    assert '"notes":[0.00001,1.5e-7]' in raw
    assert json.loads(raw)["notes"] == [1e-05, 1.5e-07]


def test_json_compact_nan_decimals_keys(doc: dict[str, Any], tmp_path: Path) -> None:
    large = _large(
        doc,
        notes=[float("nan"), float("-inf"), Decimal("0.5"), Decimal("3")],
        summary={2024: 1, None: 2},
    )
    loaded = _read(write_json(large, tmp_path / "r.json"))
    assert loaded["notes"] == [None, None, 0.5, 3]
    assert loaded["summary"] == {"2024": 1, "null": 2}
