"""Small hand-built evaluations for the report tests.

County 410102 (中原区) has three primary schools of 500 students each, so every
school weighs the same in the CVs:

* L6 (equipment per student) is 2200, 2200 and 8800 yuan: mean 4400, population
  SD sqrt(((−2200)² + (−2200)² + 4400²) / 3) = 3111.27, CV = sqrt(2)/2 = 0.7071,
  over the primary limit 0.50, so the county fails.
* L7 (multimedia rooms per 100 students) is 2.4, 1.8 and 2.4: mean 2.2, CV =
  sqrt(0.08)/2.2 = 0.1286. 1.8 is below the threshold 2.3 and below 85% of it
  (1.955), so school 2 (中原区第二小学) meets 6 of 7 and is non-compliant.
* Every other indicator is equal across schools (CV 0); L1 is 25·100/500 = 5.0.

County 410103 (二七区) has one school that meets everything.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from junheng.engine.compute import COUNTY_ITEM_COLUMNS
from junheng.evaluation.document import build_document
from junheng.evaluation.verdict import evaluate
from junheng.ingest.schema import canonical_frame
from junheng.standards.loader import load_framework

NONCOMPLIANT_NAME = "中原区第二小学"
NONCOMPLIANT_CODE = "2141010202"


def school(division: str, number: int, name: str, **overrides: Any) -> dict[str, Any]:
    """Return one primary school row that meets every 2017 threshold."""
    row: dict[str, Any] = {
        "year": 2024,
        "division_code": division,
        "division_name": {"410102": "中原区", "410103": "二七区"}[division],
        "city_code": "4101",
        "city_name": "郑州市",
        "province_code": "41",
        "province_name": "河南省",
        "school_code": f"21{division}{number:02d}",
        "school_name": name,
        "school_type": "小学",
        "ownership": "公办",
        "primary_students": 500,
        "primary_classes": 12,
        "primary_max_class_size": 44,
        "primary_teachers": 30,
        "primary_teachers_above_required_degree": 25,
        "primary_backbone_teachers": 6,
        "primary_pe_art_teachers": 5,
        "teaching_aux_area_m2": 2500.0,
        "sports_area_m2": 4000.0,
        "equipment_value_yuan": 1_100_000.0,
        "multimedia_classrooms": 12,
        "computers": 60,
        "books": 15000,
        "music_rooms": 1,
        "art_rooms": 1,
        "music_room_min_area_m2": 96.0,
        "art_room_min_area_m2": 90.0,
    }
    row.update(overrides)
    return row


def county_items() -> pl.DataFrame:
    """Return one county item: G7 of 410102, 7000 yuan against at least 6000."""
    return pl.DataFrame(
        [
            {
                "year": 2024,
                "division_code": "410102",
                "item": "G7",
                "value_num": 7000.0,
                "value_bool": None,
                "value_text": "7000",
                "evidence": "县财政局拨款文件",
            }
        ],
        schema=COUNTY_ITEM_COLUMNS,
    )


def schools_frame(with_second_county: bool) -> pl.DataFrame:
    """Return the schools of 410102, and of 410103 if asked."""
    rows = [
        school("410102", 1, "中原区第一小学"),
        school("410102", 2, NONCOMPLIANT_NAME, multimedia_classrooms=9),
        school("410102", 3, "中原区第三小学", equipment_value_yuan=4_400_000.0),
    ]
    if with_second_county:
        rows.append(school("410103", 1, "二七区第一小学"))
    return canonical_frame(rows)


def build(with_second_county: bool = False, lang: str = "zh") -> dict[str, Any]:
    """Evaluate the test schools against the 2017 framework and build the document."""
    ev = evaluate(
        schools_frame(with_second_county),
        load_framework("cn-2017-quality"),
        county_items(),
    )
    sources = ["测试数据.xlsx"] if not with_second_county else None
    return build_document(ev, lang=lang, sources=sources)
