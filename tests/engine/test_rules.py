"""Hand-built counties covering each rule of the 2017 standard."""

from __future__ import annotations

from typing import Any

import pytest
from factories import all_items_met, primary_school

from junheng.evaluation.verdict import Evaluation, evaluate
from junheng.ingest.schema import canonical_frame
from junheng.standards.loader import load_framework

COUNTY = (2024, "410102")


def _evaluate(
    rows: list[dict[str, Any]], framework: str = "cn-2017-quality"
) -> Evaluation:
    return evaluate(canonical_frame(rows), load_framework(framework))


def _unit(ev: Evaluation, code: str, section: str = "primary") -> dict[str, Any]:
    frame = ev.engine.table("unit_values")
    for row in frame.iter_rows(named=True):
        if row["school_code"] == code and row["section"] == section:
            return row
    raise AssertionError(f"no unit {code} {section}")


def test_seventh_indicator_at_86_percent() -> None:
    # L6 threshold 2000 yuan; 1720 yuan per student is 86%, above the 85% floor.
    school = primary_school(1, equipment_value_yuan=1720.0 * 500)
    ev = _evaluate([school])
    unit = _unit(ev, school["school_code"])
    assert unit["met_count"] == 6
    assert unit["compliant"] is True


def test_seventh_indicator_at_84_percent() -> None:
    # 1680 yuan per student is 84% of 2000, below the 85% floor.
    school = primary_school(1, equipment_value_yuan=1680.0 * 500)
    ev = _evaluate([school])
    unit = _unit(ev, school["school_code"])
    assert unit["met_count"] == 6
    assert unit["compliant"] is False
    reasons = [r for r in ev.reasons[COUNTY] if r["code"] == "school_noncompliant"]
    assert len(reasons) == 1
    assert reasons[0]["school_code"] == school["school_code"]
    assert reasons[0]["below"][0]["indicator"] == "L6"
    assert reasons[0]["below"][0]["ratio"] == pytest.approx(0.84)
    assert "84.0%" in reasons[0]["message"]["zh"]


def test_five_of_seven_fails() -> None:
    school = primary_school(
        1, equipment_value_yuan=1999.0 * 500, multimedia_classrooms=11
    )
    ev = _evaluate([school])
    unit = _unit(ev, school["school_code"])
    assert unit["met_count"] == 5
    assert unit["compliant"] is False


def test_threshold_is_inclusive() -> None:
    # Exactly 2.3 multimedia classrooms per 100 students meets "2.3 or more".
    school = primary_school(
        1,
        primary_students=1000,
        multimedia_classrooms=23,
        teaching_aux_area_m2=5000.0,
        sports_area_m2=8000.0,
        equipment_value_yuan=2_200_000.0,
        primary_teachers=60,
        primary_teachers_above_required_degree=50,
        primary_backbone_teachers=12,
        primary_pe_art_teachers=10,
    )
    unit = _unit(_evaluate([school]), school["school_code"])
    assert unit["met_L7"] is True


def test_one_school_county_cv_zero() -> None:
    ev = _evaluate([primary_school(1)])
    row = ev.sections.row(0, named=True)
    for n in range(1, 8):
        assert row[f"cv_L{n}"] == 0.0
    assert row["balance_status"] == 0


def test_teaching_point_49_excluded() -> None:
    point = primary_school(2, school_type="教学点", primary_students=49)
    ev = _evaluate([primary_school(1), point])
    codes = set(ev.engine.table("unit_values")["school_code"].to_list())
    assert point["school_code"] not in codes


def test_teaching_point_50_included() -> None:
    point = primary_school(2, school_type="教学点", primary_students=50)
    ev = _evaluate([primary_school(1), point])
    codes = set(ev.engine.table("unit_values")["school_code"].to_list())
    assert point["school_code"] in codes


def test_zero_student_school_kept() -> None:
    closed = primary_school(
        2,
        primary_students=0,
        primary_teachers=0,
        primary_teachers_above_required_degree=0,
        primary_backbone_teachers=0,
        primary_pe_art_teachers=0,
        primary_teachers_intermediate_title=0,
    )
    ev = _evaluate([primary_school(1), closed])
    unit = _unit(ev, closed["school_code"])
    assert unit["v_L1"] is None
    assert unit["compliant"] is None
    row = ev.sections.row(0, named=True)
    assert row["schools"] == 1
    assert row["schools_without_students"] == 1
    assert row["cv_L1"] == 0.0
    assert row["status"] == 0


def test_twelve_year_school_split() -> None:
    # 300 primary, 200 junior, 100 senior students: weighted total
    # 300 + 1.1·200 + 1.32·100 = 652, so 6,520 m² splits 3,000 / 2,200.
    school = primary_school(
        1,
        school_type="十二年一贯制学校",
        primary_students=300,
        junior_students=200,
        senior_students=100,
        teaching_aux_area_m2=6520.0,
        junior_teachers=20,
    )
    ev = _evaluate([school])
    assert _unit(ev, school["school_code"], "primary")["teaching_aux_area_m2"] == (
        pytest.approx(3000.0)
    )
    assert _unit(ev, school["school_code"], "junior")["teaching_aux_area_m2"] == (
        pytest.approx(2200.0)
    )


def test_twelve_year_school_size_limit() -> None:
    # G4: twelve-year schools may have 2,500 compulsory students, others 2,000.
    school = primary_school(
        1,
        school_type="十二年一贯制学校",
        primary_students=1500,
        junior_students=900,
        senior_students=600,
    )
    unit = _unit(_evaluate([school]), school["school_code"])
    assert unit["school_students"] == 2400
    assert unit["chk_G4_0"] is True


def test_complete_secondary_junior_share() -> None:
    # Junior : senior = 1 : 1.2; 500 junior and 600 senior students give the
    # junior part 550 / (550 + 792) of 13,420 m², that is 5,500 m².
    school = primary_school(
        1,
        school_type="完全中学",
        primary_students=None,
        primary_teachers=None,
        primary_teachers_above_required_degree=None,
        primary_backbone_teachers=None,
        primary_pe_art_teachers=None,
        primary_classes=None,
        primary_max_class_size=None,
        junior_students=500,
        senior_students=600,
        teaching_aux_area_m2=13420.0,
    )
    ev = _evaluate([school])
    sections = set(ev.engine.table("unit_values")["section"].to_list())
    assert sections == {"junior"}
    unit = _unit(ev, school["school_code"], "junior")
    assert unit["teaching_aux_area_m2"] == pytest.approx(5500.0)


def test_nine_year_counts_in_both_sections() -> None:
    school = primary_school(1, school_type="九年一贯制学校", junior_students=400)
    ev = _evaluate([school])
    sections = sorted(ev.engine.table("unit_values")["section"].to_list())
    assert sections == ["junior", "primary"]


def test_combined_school_counts_once_in_county() -> None:
    # A primary school, a nine-year school with students in both sections and
    # one with primary students only: four units with students, three schools.
    schools = [
        primary_school(1),
        primary_school(2, school_type="九年一贯制学校", junior_students=400),
        primary_school(3, school_type="九年一贯制学校", junior_students=0),
    ]
    ev = _evaluate(schools)
    stats = ev.engine.table("county_stats").sort("section")
    assert stats["schools"].to_list() == [1, 3]
    assert stats["repeat_schools"].to_list() == [1, 0]
    assert ev.verdicts["schools"].to_list() == [3]


def test_composite_passes_one_cv_fails() -> None:
    # Four schools of 500 students. Only the multimedia classrooms differ: 30, 12,
    # 12 and 2 rooms, so L7 has values 6, 2.4, 2.4, 0.4 per 100 students with
    # mean 2.8, S = sqrt((10.24 + 0.16 + 0.16 + 5.76) / 4) = sqrt(4.08) and
    # CV = 0.7214, above 0.50; the other six CVs are 0, so the composite is
    # 0.7214 / 7 = 0.1031, within the limit.
    rooms = [30, 12, 12, 2]
    ev = _evaluate(
        [
            primary_school(n, multimedia_classrooms=r)
            for n, r in enumerate(rooms, start=1)
        ]
    )
    row = ev.sections.row(0, named=True)
    assert row["cv_L7"] == pytest.approx(4.08**0.5 / 2.8, rel=1e-12)
    assert row["composite_cv"] == pytest.approx(4.08**0.5 / 2.8 / 7, rel=1e-12)
    assert row["composite_cv"] < 0.5
    assert row["cv_ok_L7"] is False
    assert ev.verdicts["verdict"][0] == "fail"
    cv_reasons = [r for r in ev.reasons[COUNTY] if r["code"] == "cv_over_limit"]
    assert [r["indicator"] for r in cv_reasons] == ["L7"]
    assert cv_reasons[0]["excess"] == pytest.approx(4.08**0.5 / 2.8 - 0.5)
    assert "第1小学" in cv_reasons[0]["top_schools"]["zh"]
    assert "第1小学 (2141000001)" in cv_reasons[0]["top_schools"]["en"]


def test_cv_reason_lists_contributors() -> None:
    # The L7 values of test_composite_passes_one_cv_fails: 6, 2.4, 2.4 and 0.4
    # rooms per 100 students, mean 2.8, squared deviations 10.24, 0.16, 0.16 and
    # 5.76 (sum 16.32) for equal enrollments. Schools 2 and 3 tie, and the
    # lower school code comes first.
    rooms = [30, 12, 12, 2]
    ev = _evaluate(
        [
            primary_school(n, multimedia_classrooms=r)
            for n, r in enumerate(rooms, start=1)
        ]
    )
    reason = next(r for r in ev.reasons[COUNTY] if r["code"] == "cv_over_limit")
    found = reason["contributors"]
    assert [c["school_code"] for c in found] == [
        "2141000001",
        "2141000004",
        "2141000002",
    ]
    assert [c["school_name"] for c in found] == ["第1小学", "第4小学", "第2小学"]
    assert [c["value"] for c in found] == pytest.approx([6.0, 0.4, 2.4], rel=1e-12)
    assert [c["students"] for c in found] == [500, 500, 500]
    assert [c["share"] for c in found] == pytest.approx(
        [10.24 / 16.32, 5.76 / 16.32, 0.16 / 16.32], rel=1e-9
    )
    # The text names the same schools in the same order.
    assert reason["top_schools"]["en"] == (
        "第1小学 (2141000001) 6, 63%; 第4小学 (2141000004) 0.4, 35%; "
        "第2小学 (2141000002) 2.4, 1%"
    )


def test_complete_county_passes() -> None:
    framework = load_framework()
    items = all_items_met(framework.county_keys())
    ev = evaluate(
        canonical_frame([primary_school(1), primary_school(2)]), framework, items
    )
    assert ev.verdicts["verdict"][0] == "pass"
    assert ev.reasons.get(COUNTY, []) == []


def test_veto_fails_county() -> None:
    framework = load_framework()
    items = all_items_met(framework.county_keys(), V3=True)
    ev = evaluate(canonical_frame([primary_school(1)]), framework, items)
    assert ev.verdicts["verdict"][0] == "fail"
    assert ev.reasons[COUNTY][0]["code"] == "veto"
    assert ev.reasons[COUNTY][0]["item"] == "V3"


def test_low_satisfaction_fails() -> None:
    framework = load_framework()
    items = all_items_met(framework.county_keys(), S1=84.9)
    ev = evaluate(canonical_frame([primary_school(1)]), framework, items)
    assert ev.verdicts["verdict"][0] == "fail"
    assert ev.part_status[COUNTY]["satisfaction"] == "fail"
    assert ev.part_status[COUNTY]["government"] == "pass"


def test_class_size_46_fails_g5() -> None:
    ev = _evaluate([primary_school(1, primary_max_class_size=46)])
    failed = [r for r in ev.reasons[COUNTY] if r["code"] == "school_item_failed"]
    assert [r["item"] for r in failed] == ["G5"]


def test_excluded_schools_listed() -> None:
    from junheng.evaluation.document import build_document

    point = primary_school(2, school_type="教学点", primary_students=49)
    special = primary_school(3, school_type="特殊教育学校")
    ev = _evaluate([primary_school(1), point, special])
    assert ev.exclusions == {"small_teaching_point": 1, "special_education": 1}
    doc = build_document(ev)
    reasons = {r["school_code"]: r["reason"] for r in doc["excluded_schools"]}
    assert reasons[point["school_code"]] == "small_teaching_point"
    assert reasons[special["school_code"]] == "special_education"
    assert any("规模不足的教学点 1" in note for note in doc["notes"])


def test_missing_room_data_counts_schools() -> None:
    # Two schools without music or art room data: G3 has four checks per school,
    # but the reason counts schools.
    rows = [
        primary_school(
            n,
            music_rooms=None,
            art_rooms=None,
            music_room_min_area_m2=None,
            art_room_min_area_m2=None,
        )
        for n in (1, 2)
    ]
    ev = _evaluate(rows)
    missing = [r for r in ev.reasons[COUNTY] if r["code"] == "school_item_missing"]
    assert [r["item"] for r in missing] == ["G3"]
    assert missing[0]["count"] == 2


def test_failed_item_reason_in_english() -> None:
    framework = load_framework()
    items = all_items_met(framework.county_keys(), G10=False)
    ev = evaluate(canonical_frame([primary_school(1)]), framework, items)
    reason = next(r for r in ev.reasons[COUNTY] if r["code"] == "item_failed")
    assert reason["message"]["en"] == (
        "G10 (County allocates staff quotas and posts across schools within "
        "approved totals) not met: G10 = no, required yes"
    )
    assert reason["message"]["zh"].endswith("G10 = 否，要求 是")


def test_noncompliant_school_reason_text() -> None:
    # L6 1680 yuan per student against 2000 is 84.0%, below the 85% floor;
    # the other six indicators are met.
    school = primary_school(1, equipment_value_yuan=1680.0 * 500)
    ev = _evaluate([school])
    reason = next(r for r in ev.reasons[COUNTY] if r["code"] == "school_noncompliant")
    assert reason["shortfalls"] == "L6 1680/2000 (84.0%)"
    assert reason["below"] == [
        {"indicator": "L6", "value": 1680.0, "threshold": 2000.0, "ratio": 0.84}
    ]
    assert reason["message"] == {
        "zh": "第1小学（2141000001，小学）资源配置 6/7 项达标，"
        "要求至少 6 项且其余不低于标准的 85%：L6 1680/2000 (84.0%)",
        "en": "第1小学 (2141000001, primary) meets 6 of 7 resource indicators; "
        "at least 6 are required and the rest must reach 85% of the threshold: "
        "L6 1680/2000 (84.0%)",
    }


def test_part_statuses_in_order() -> None:
    # Resource first, then the part of the school-level checks, then the parts
    # of the county items by id. G9 is not reported and S1 84.9 is below 85.
    framework = load_framework()
    items = all_items_met(framework.county_keys() - {"G9"}, S1=84.9)
    ev = evaluate(
        canonical_frame([primary_school(1), primary_school(2)]), framework, items
    )
    assert list(ev.part_status[COUNTY].items()) == [
        ("resource", "pass"),
        ("government", "incomplete"),
        ("quality", "pass"),
        ("satisfaction", "fail"),
        ("veto", "pass"),
    ]
