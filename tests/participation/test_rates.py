"""Satisfaction rates of a round, checked by hand."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from junheng.participation.questionnaire import load_questionnaire_set
from junheng.participation.rates import AnswerSheet, floor_percent, tally_answers

PUBLIC_ITEMS = ("P1", "P2", "P3", "P4", "P5", "P6", "P7")


def sheets() -> list[AnswerSheet]:
    happy = dict.fromkeys(PUBLIC_ITEMS, "very_satisfied")
    mixed = dict.fromkeys(PUBLIC_ITEMS, "satisfied")
    mixed.update(P1="dissatisfied", P2="dont_know")
    student = {
        "U1": "satisfied",
        "U2": "satisfied",
        "U3": "satisfied",
        "U4": "neutral",
        "U5": "neutral",
        "U6": "dont_know",
    }
    return [
        AnswerSheet("parents", "urban", "", happy),
        AnswerSheet("parents", "rural", "", mixed),
        AnswerSheet("students", "town", "g3_4", student),
    ]


def test_group_and_overall_rates() -> None:
    rates = tally_answers(load_questionnaire_set(), sheets())
    # Parents: 7 + 5 satisfied of 7 + 6 valid (P2 don't know left out):
    # 12 / 13 = 92.307…%.
    assert rates.groups["parents"].rate == Fraction(1200, 13)
    # Students: 3 satisfied of 5 valid (U6 don't know left out) = 60%.
    assert rates.groups["students"].rate == Fraction(60)
    # Overall: 15 / 18 = 83.33…%, below 85%.
    assert rates.overall.rate == Fraction(1500, 18)
    assert rates.passed is False
    assert rates.respondents["parents"] == 2
    assert rates.groups["teachers"].rate is None


def test_lowest_items_drive_failure() -> None:
    rates = tally_answers(load_questionnaire_set(), sheets())
    # U4 and U5: 0 of 1 (0%); P1: 1 of 2 (50%); U6 has no valid answer.
    assert rates.items["P1"].rate == Fraction(50)
    assert rates.items["U6"].rate is None
    assert rates.lowest_items() == ["U4", "U5", "P1"]


def test_pass_at_threshold() -> None:
    # 17 satisfied of 20 valid is exactly 85%: a pass.
    answers = [
        AnswerSheet(
            "students",
            "urban",
            "g3_4",
            dict.fromkeys(("U1", "U2", "U3", "U4"), "satisfied"),
        )
        for _ in range(4)
    ]
    answers.append(
        AnswerSheet(
            "students",
            "urban",
            "g3_4",
            {"U1": "satisfied", "U2": "neutral", "U3": "dissatisfied", "U4": "neutral"},
        )
    )
    rates = tally_answers(load_questionnaire_set(), answers)
    assert rates.overall.rate == Fraction(85)
    assert rates.passed is True


def test_floor_percent_rounds_down() -> None:
    # 84.99…% must not show as 85.0.
    assert floor_percent(Fraction(8499, 100) + Fraction(9, 1000)) == Decimal("84.9")
    assert floor_percent(Fraction(1200, 13)) == Decimal("92.3")
    assert floor_percent(None) is None
