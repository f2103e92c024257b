"""Shortfalls, measurement and the side-by-side comparison, on frames."""

from __future__ import annotations

import pytest
from governance.rectdata import (
    BIG,
    COUNTY,
    EXPECTED_KEYS,
    WEAK,
    item_frame,
    school_frame,
)

from junheng.evaluation.verdict import Evaluation, evaluate
from junheng.governance.rectification import (
    GovernmentRow,
    PeerView,
    TaskSpec,
    compare,
    find_shortfalls,
    government_rows,
    measure,
    meets,
)
from junheng.standards.loader import load_framework


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    fw = load_framework("cn-2017-quality")
    return evaluate(school_frame(), fw, item_frame())


def test_shortfalls_one_of_each_kind(evaluation: Evaluation) -> None:
    found = find_shortfalls(evaluation, 2024, COUNTY)
    assert {s.key for s in found} == EXPECTED_KEYS
    assert {s.kind for s in found} == {"cv", "school", "school_item", "item", "veto"}


def test_shortfall_values_and_targets(evaluation: Evaluation) -> None:
    by_kind = {
        (s.kind, s.subject): s for s in find_shortfalls(evaluation, 2024, COUNTY)
    }
    cv = by_kind[("cv", "L6")]
    assert cv.value == pytest.approx(3920 / 4160)  # see rectdata
    assert cv.target == 0.5
    assert cv.op == "<="
    item = by_kind[("item", "G7")]
    assert item.value == 5000
    assert item.target == 6000
    assert item.part == "government"
    satisfaction = by_kind[("item", "S1")]
    assert satisfaction.part == "satisfaction"
    assert satisfaction.target == 85
    veto = by_kind[("veto", "V1")]
    assert veto.value == 1  # 是
    assert veto.op == "false"
    school = by_kind[("school", "L1, L2")]
    assert school.school_code == WEAK
    assert school.owner_code == WEAK
    assert school.value == 5  # meets 5 of 7 indicators
    school_item = by_kind[("school_item", "G5")]
    assert school_item.school_code == BIG


def test_shortfalls_of_next_year(evaluation: Evaluation) -> None:
    found = find_shortfalls(evaluation, 2025, COUNTY)
    assert [s.key for s in found] == ["2025/410102/item///S1/S1"]


def test_shortfalls_unknown_county(evaluation: Evaluation) -> None:
    assert find_shortfalls(evaluation, 2024, "410103") == []


def _spec(evaluation: Evaluation, subject: str) -> TaskSpec:
    found = find_shortfalls(evaluation, 2024, COUNTY)
    return next(s for s in found if s.subject == subject).spec()


@pytest.mark.parametrize(
    ("subject", "value_2025", "met_2025"),
    [
        ("L6", 0.0, True),  # every school at 2,200 yuan: CV 0
        ("G7", 6000.0, True),  # passing_items puts G7 at its threshold
        ("V1", 0.0, True),  # 否
        ("L1, L2", 7.0, True),  # school 4 meets all 7 indicators
        ("G5", None, True),
        ("S1", 80.0, False),
    ],
)
def test_measure_next_year(
    evaluation: Evaluation, subject: str, value_2025: float | None, met_2025: bool
) -> None:
    spec = _spec(evaluation, subject)
    found = measure(evaluation, 2025, spec)
    assert found.met is met_2025
    assert found.value == value_2025
    assert measure(evaluation, 2024, spec).met is False


def test_measure_missing_year(evaluation: Evaluation) -> None:
    found = measure(evaluation, 2026, _spec(evaluation, "L6"))
    assert found.met is None


def test_measure_custom_target(evaluation: Evaluation) -> None:
    found = find_shortfalls(evaluation, 2024, COUNTY)
    s1 = next(s for s in found if s.subject == "S1")
    assert measure(evaluation, 2025, s1.spec(target=80.0)).met is True


@pytest.mark.parametrize(
    ("op", "value", "target", "expected"),
    [
        ("<=", 0.5, 0.5, True),
        ("<=", 0.51, 0.5, False),
        (">=", 85.0, 85.0, True),
        ("<", 0.15, 0.15, False),
        (">", 1.0, 0.0, True),
        ("==", 2.0, 2.0, True),
        ("true", 1.0, None, True),
        ("false", 1.0, None, False),
        (">=", None, 85.0, None),
        (">=", 90.0, None, None),
    ],
)
def test_meets(
    op: str, value: float | None, target: float | None, expected: bool | None
) -> None:
    assert meets(op, value, target) is expected


def test_government_rows_county(evaluation: Evaluation) -> None:
    rows = {r.subject: r for r in government_rows(evaluation, 2024, COUNTY)}
    assert rows["cv:primary:L6"].judgement == "fail"
    assert rows["cv:primary:L1"].judgement == "pass"
    assert rows["check:G7"].judgement == "fail"
    assert rows["check:V1"].judgement == "fail"
    assert rows["check:G1"].judgement == "pass"


def test_government_rows_school(evaluation: Evaluation) -> None:
    rows = {r.subject: r for r in government_rows(evaluation, 2024, COUNTY, WEAK)}
    assert rows["indicator:primary:L1"].value == pytest.approx(2.4)
    assert rows["indicator:primary:L1"].judgement == "fail"
    assert rows["compliant:primary"].judgement == "fail"


def _gov(subject: str, judgement: str | None) -> GovernmentRow:
    return GovernmentRow(subject, subject, subject, 0.6, "<=", 0.5, judgement)


def test_compare_marks_disagreement() -> None:
    government = [_gov("cv:primary:L6", "fail"), _gov("cv:primary:L1", "pass")]
    peers = [
        PeerView("eval", "evaluator", "cv:primary:L6", None, "pass", "现场核查"),
        PeerView("eval", "evaluator", "cv:primary:L1", None, "pass", None),
    ]
    rows = {r["subject"]: r for r in compare(government, peers)}
    assert rows["cv:primary:L6"]["disagree"] is True
    assert rows["cv:primary:L1"]["disagree"] is False


def test_compare_judges_value_against_target() -> None:
    government = [_gov("cv:primary:L6", "fail")]
    # 0.4 <= 0.5 passes, so a value-only entry disagrees with the fail.
    peers = [PeerView("s", "school", "cv:primary:L6", 0.4, None, None)]
    row = compare(government, peers)[0]
    assert row["self"][0][1] == "pass"
    assert row["disagree"] is True


def test_compare_missing_judgement_agrees() -> None:
    government = [_gov("check:G1", None)]
    peers = [PeerView("eval", "evaluator", "check:G1", None, "fail", None)]
    assert compare(government, peers)[0]["disagree"] is False


def test_compare_keeps_peer_only_subject() -> None:
    peers = [PeerView("eval", "evaluator", "extra", None, "fail", None)]
    rows = compare([], peers)
    assert rows[0]["subject"] == "extra"
    assert rows[0]["government"] is None
