"""County school counts in the overview tables of the reports."""

from __future__ import annotations

from factories import primary_school

from junheng.evaluation.document import build_document
from junheng.evaluation.verdict import evaluate
from junheng.ingest.schema import canonical_frame
from junheng.reports.common import noncompliant_count
from junheng.standards.loader import load_framework


def test_combined_school_failing_twice_counts_once() -> None:
    # The nine-year school misses the L6 floor in both sections, so both of
    # its units break the school rule; the county has one such school.
    schools = [
        primary_school(1),
        primary_school(
            2,
            school_type="九年一贯制学校",
            junior_students=300,
            equipment_value_yuan=10.0,
        ),
    ]
    county = build_document(evaluate(canonical_frame(schools), load_framework()))[
        "counties"
    ][0]
    per_section = {
        name: section["noncompliant_schools"]
        for name, section in county["sections"].items()
    }
    assert per_section == {"primary": 1, "junior": 1}
    assert county["schools"] == 2
    assert noncompliant_count(county) == 1


def test_noncompliant_count_without_reasons() -> None:
    county = {
        "sections": {
            "primary": {"noncompliant_schools": 2},
            "junior": {"noncompliant_schools": 1},
        },
        "reasons": [],
    }
    assert noncompliant_count(county) == 3


def test_noncompliant_count_without_rule() -> None:
    county = {"sections": {"primary": {"schools": 4}}, "reasons": []}
    assert noncompliant_count(county) is None


def test_nation_row_named_in_report_language() -> None:
    ev = evaluate(canonical_frame([primary_school(1)]), load_framework())
    for lang, name in (("zh", "全国"), ("en", "nation")):
        rollups = build_document(ev, lang=lang)["rollups"]
        nation = [r for r in rollups["verdicts"] if r["level"] == "nation"]
        assert [r["region_name"] for r in nation] == [name]
        indicators = [r for r in rollups["indicators"] if r["level"] == "nation"]
        assert indicators
        assert {r["region_name"] for r in indicators} == {name}
