"""Sample design of a survey round, checked on hand-worked cases."""

from __future__ import annotations

import pytest

from junheng.errors import InvalidInput
from junheng.participation.design import (
    design_sample,
    largest_remainder,
    sample_total,
)
from junheng.participation.questionnaire import load_questionnaire_set

STRATA = {"urban": 300_000, "town": 150_000, "rural": 73_417}


def cells_of(design, group):  # type: ignore[no-untyped-def]
    return {(c.stratum, c.band): c.target for c in design.cells if c.group == group}


def test_total_rounds_up() -> None:
    # 523417 × 1.5 / 1000 = 785.1255, rounded up to 786.
    assert sample_total(523_417, 0.0015) == 786
    # 2,000,000 × 0.0015 = 3000 exactly: no rounding.
    assert sample_total(2_000_000, 0.0015) == 3000
    # 1000 × 0.0015 = 1.5 → 2.
    assert sample_total(1000, 0.0015) == 2


def test_largest_remainder_ties() -> None:
    # Quotas 7/3 each: 2 + 2 + 2, one left over; the tie goes to the first.
    assert largest_remainder(7, [1, 1, 1]) == [3, 2, 2]
    # Quotas 2.5 and 2.5 with weights 2 and 3? No: 5 × 2/5 = 2, 5 × 3/5 = 3.
    assert largest_remainder(5, [2, 3]) == [2, 3]
    # Quotas 1.5 and 1.5: equal remainders, larger weight first (equal here),
    # then position.
    assert largest_remainder(3, [1, 1]) == [2, 1]
    # Quotas 4 × 1/4 = 1, 4 × 3/4 = 3: exact.
    assert largest_remainder(4, [1, 3]) == [1, 3]


def test_groups_of_a_county() -> None:
    qset = load_questionnaire_set()
    design = design_sample(qset, 523_417, STRATA)
    # n = 786; parents ceil(786 / 2) = 393; the other 393 over 6 groups is 65
    # each with 3 left over, which go to the first three groups in file order.
    assert design.total == 786
    assert design.group_totals == {
        "parents": 393,
        "deputies": 66,
        "cppcc": 66,
        "residents": 66,
        "principals": 65,
        "teachers": 65,
        "students": 65,
    }
    assert sum(c.target for c in design.cells) == 786


def test_strata_by_largest_remainder() -> None:
    qset = load_questionnaire_set()
    design = design_sample(qset, 523_417, STRATA)
    # Parents, 393 over 300000 : 150000 : 73417 (sum 523417):
    #   urban 393 × 300000 / 523417 = 225.2506
    #   town  393 × 150000 / 523417 = 112.6303
    #   rural 393 × 73417 / 523417  =  55.1238
    # whole parts 225 + 112 + 55 = 392; the one left goes to town (.6303).
    assert cells_of(design, "parents") == {
        ("urban", ""): 225,
        ("town", ""): 113,
        ("rural", ""): 55,
    }


def test_student_bands_stay_balanced() -> None:
    qset = load_questionnaire_set()
    design = design_sample(qset, 523_417, STRATA)
    # Students, 65: urban 37.2552, town 18.6276, rural 9.1172 → 37 + 18 + 9 =
    # 64, the one left to town: 37, 19, 9.
    # Urban 37 over 3 bands: 12 each, 1 left to g3_4; the cursor moves to g5_6.
    # Town 19: 6 each, 1 left to g5_6; the cursor moves to g7_9.
    # Rural 9: 3 each.
    cells = cells_of(design, "students")
    assert cells == {
        ("urban", "g3_4"): 13,
        ("urban", "g5_6"): 12,
        ("urban", "g7_9"): 12,
        ("town", "g3_4"): 6,
        ("town", "g5_6"): 7,
        ("town", "g7_9"): 6,
        ("rural", "g3_4"): 3,
        ("rural", "g5_6"): 3,
        ("rural", "g7_9"): 3,
    }
    bands = {
        b: sum(n for (_, band), n in cells.items() if band == b)
        for b in ("g3_4", "g5_6", "g7_9")
    }
    # Band totals 22, 22, 21 differ by at most one.
    assert bands == {"g3_4": 22, "g5_6": 22, "g7_9": 21}


def test_tiny_county() -> None:
    qset = load_questionnaire_set()
    design = design_sample(qset, 1000, {"urban": 1, "town": 1, "rural": 1})
    # n = ceil(1.5) = 2; parents ceil(2 × 0.5) = 1; the other 1 goes to the
    # first other group (deputies). Each 1 goes to the first stratum on a tie.
    assert design.group_totals["parents"] == 1
    assert design.group_totals["deputies"] == 1
    assert design.group_totals["students"] == 0
    assert cells_of(design, "parents") == {
        ("urban", ""): 1,
        ("town", ""): 0,
        ("rural", ""): 0,
    }


@pytest.mark.parametrize(
    ("population", "strata", "fragment"),
    [
        (0, STRATA, "resident population 0"),
        (1000, {"urban": 1, "town": 1}, "give one for each"),
        (1000, {"urban": -1, "town": 1, "rural": 1}, "negative"),
        (1000, {"urban": 0, "town": 0, "rural": 0}, "add up to 0"),
    ],
)
def test_bad_design_input(
    population: int, strata: dict[str, int], fragment: str
) -> None:
    qset = load_questionnaire_set()
    with pytest.raises(InvalidInput) as caught:
        design_sample(qset, population, strata)
    assert fragment in str(caught.value)


def test_design_input_message_chinese() -> None:
    qset = load_questionnaire_set()
    with pytest.raises(InvalidInput) as caught:
        design_sample(qset, 1000, {"urban": 0, "town": 0, "rural": 0})
    assert (
        caught.value.message("zh")
        == "抽样设计输入有误：城乡人口合计为 0，请至少填写一项"
    )
