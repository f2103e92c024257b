"""Known answers from published examples, checked against the engine."""

from __future__ import annotations

import math

import polars as pl
import pytest

from junheng.engine.compute import compute
from junheng.evaluation.verdict import evaluate
from junheng.ingest.schema import canonical_frame, frame_schema
from junheng.standards.loader import load_framework


def _books_county() -> pl.DataFrame:
    students = [45, 37, 89, 76, 55]
    books = [279, 137, 935, 160, 402]
    rows = [
        {
            "year": 2024,
            "division_code": "410102",
            "school_code": f"21410000{n:02d}",
            "school_name": f"学校{n}",
            "school_type": "小学",
            "ownership": "公办",
            "primary_students": p,
            "books": b,
        }
        for n, (p, b) in enumerate(zip(students, books, strict=True))
    ]
    return canonical_frame(rows)


def test_books_cv_matches_published() -> None:
    # Published: books-per-student CV 0.515257 (shown rounded as 0.52).
    ev = evaluate(_books_county(), load_framework("cn-2012-basic"))
    row = ev.sections.row(0, named=True)
    assert row["cv_B5"] == pytest.approx(0.515257, abs=5e-7)


def test_books_cv_is_weighted() -> None:
    # The unweighted CV of the same data, 0.4888, is the classic mistake.
    ev = evaluate(_books_county(), load_framework("cn-2012-basic"))
    assert ev.sections["cv_B5"][0] != pytest.approx(0.4888, abs=1e-3)


def test_books_only_county_incomplete() -> None:
    ev = evaluate(_books_county(), load_framework("cn-2012-basic"))
    assert ev.verdicts["verdict"][0] == "incomplete"
    missing = {
        r["indicator"]
        for r in ev.reasons[(2024, "410102")]
        if r["code"] == "missing_indicator"
    }
    assert missing == {"B1", "B2", "B3", "B4", "B6", "B7", "B8"}


def test_books_mean_is_total_ratio() -> None:
    # The weighted mean equals county books / county students: 1913 / 302.
    ev = evaluate(_books_county(), load_framework("cn-2012-basic"))
    assert ev.sections["mean_B5"][0] == pytest.approx(1913 / 302, rel=1e-12)


def _two_school_frame(cvs: list[float]) -> pl.DataFrame:
    """Two schools of 90 and 10 students whose 8 basic-balance CVs equal ``cvs``.

    With weights 0.9 and 0.1 and values 1 and x, S = 0.3·(x − 1) and the mean is
    0.9 + 0.1·x, so x = (0.3 + 0.9·cv) / (0.3 − 0.1·cv) gives the wanted CV.
    The engine computes in floating point, so resource totals need not be whole.
    """
    values = [(0.3 + 0.9 * c) / (0.3 - 0.1 * c) for c in cvs]
    fields_per_student = [
        "teaching_aux_area_m2",
        "sports_area_m2",
        "equipment_value_yuan",
    ]
    per_hundred = ["computers"]
    rows = []
    for n, (students, pick) in enumerate(((90, 0), (10, 1))):
        row: dict[str, object] = {
            "year": 2024,
            "division_code": "110101",
            "school_code": f"21110000{n:02d}",
            "school_name": f"学校{n}",
            "school_type": "小学",
            "ownership": "公办",
            "primary_students": float(students),
        }
        x = [1.0 if pick == 0 else v for v in values]
        for name, value in zip(fields_per_student, x[:3], strict=True):
            row[name] = value * students
        for name in per_hundred:
            row[name] = x[3] * students / 100
        row["books"] = x[4] * students
        row["primary_teachers"] = x[5] * students / 100
        row["primary_teachers_above_required_degree"] = x[6] * students / 100
        row["primary_teachers_intermediate_title"] = x[7] * students / 100
        rows.append(row)
    schema = {
        name: pl.Float64 if dtype == pl.Int64 else dtype
        for name, dtype in frame_schema().items()
    }
    schema["year"] = pl.Int64
    return pl.DataFrame(rows, schema=schema)


def test_composite_cv_matches_published() -> None:
    # Published county: eight CVs whose composite is 0.592.
    cvs = [0.881, 1.299, 0.977, 0.379, 0.170, 0.334, 0.286, 0.408]
    result = compute(_two_school_frame(cvs), load_framework("cn-2012-basic"))
    row = result.table("county_stats").row(0, named=True)
    for n, cv in enumerate(cvs, start=1):
        assert row[f"cv_B{n}"] == pytest.approx(cv, rel=1e-12)
    assert round(row["composite_cv"], 3) == 0.592
    assert row["composite_cv"] == pytest.approx(4.734 / 8, rel=1e-12)


def test_nine_year_books_split() -> None:
    # 166 primary and 210 junior students share 23,226 books with weights 1 : 1.1,
    # so the primary part gets 23226·166/397 and the junior part 23226·231/397.
    row = {
        "year": 2024,
        "division_code": "410102",
        "school_code": "2141000001",
        "school_name": "九年一贯制学校",
        "school_type": "九年一贯制学校",
        "ownership": "公办",
        "primary_students": 166,
        "junior_students": 210,
        "books": 23226,
    }
    result = compute(canonical_frame([row]), load_framework("cn-2012-basic"))
    units = {r["section"]: r for r in result.table("unit_values").iter_rows(named=True)}
    assert units["primary"]["books"] == pytest.approx(23226 * 166 / 397, rel=1e-12)
    assert units["junior"]["books"] == pytest.approx(23226 * 231 / 397, rel=1e-12)
    assert units["primary"]["books"] == pytest.approx(9711.627, abs=1e-3)
    assert units["primary"]["books"] + units["junior"]["books"] == pytest.approx(23226)
    assert math.isclose(units["junior"]["share"], 231 / 397)
