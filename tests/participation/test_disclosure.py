"""Complementary suppression of survey figures, checked case by case by hand.

The built-in set has three questionnaires: ``public`` (parents, deputies, CPPCC
members, other residents), ``staff`` (principals, teachers) and ``students``.
"""

from __future__ import annotations

from factories import DEPUTY_ANSWERS

from junheng.participation.disclosure import suppression, uniform
from junheng.participation.questionnaire import load_questionnaire_set
from junheng.participation.rates import AnswerSheet, Tally, tally_answers

PUBLIC_ITEMS = ("P1", "P2", "P3", "P4", "P5", "P6", "P7")
STAFF_ITEMS = ("T1", "T2", "T3", "T4", "T5", "T6")
STUDENT_ITEMS = ("U1", "U2", "U3", "U4", "U5", "U6")
MINIMUM = 5


def sheets(group: str, count: int, items: tuple[str, ...], value: str) -> list:
    answers = dict.fromkeys(items, value)
    return [AnswerSheet(group, "urban", "", answers) for _ in range(count)]


def hidden(*answered: list[AnswerSheet]) -> tuple[set[str], set[str], bool]:
    qset = load_questionnaire_set()
    rates = tally_answers(qset, [s for group in answered for s in group])
    found = suppression(qset, rates, MINIMUM)
    return set(found.groups), set(found.items), found.overall


def test_staff_items_exist() -> None:
    qset = load_questionnaire_set()
    assert tuple(i.id for i in qset.questionnaires["staff"].items) == STAFF_ITEMS
    assert tuple(i.id for i in qset.questionnaires["students"].items) == (STUDENT_ITEMS)


def test_nothing_small_nothing_hidden() -> None:
    groups, items, overall = hidden(
        sheets("parents", 10, PUBLIC_ITEMS, "satisfied"),
        sheets("deputies", 5, PUBLIC_ITEMS, "satisfied"),
    )
    assert groups == set()
    assert items == set()
    assert overall is False


def test_one_deputy_hides_parents_too() -> None:
    # 10 parents and 1 deputy answer the public questionnaire (11 in all, so
    # its items show). Overall − parents would be the deputy's answers, so the
    # parents (the smallest shown group of that questionnaire) are hidden too.
    # The overall then pools 11 people and may show.
    groups, items, overall = hidden(
        sheets("parents", 7, PUBLIC_ITEMS, "satisfied"),
        sheets("parents", 3, PUBLIC_ITEMS, "dissatisfied"),
        sheets("deputies", 1, PUBLIC_ITEMS, "very_dissatisfied"),
    )
    assert groups == {"parents", "deputies"}
    assert items == set()
    assert overall is False


def test_complement_is_smallest_shown_group() -> None:
    # Deputies 2 and CPPCC 1 pool 3 < 5; residents (6) are smaller than
    # parents (20), so residents are the complement. The deputies answer
    # "neutral", so no item and not the pool is all of one kind.
    groups, items, overall = hidden(
        sheets("parents", 20, PUBLIC_ITEMS, "satisfied"),
        sheets("deputies", 2, PUBLIC_ITEMS, "neutral"),
        sheets("cppcc", 1, PUBLIC_ITEMS, "satisfied"),
        sheets("residents", 6, PUBLIC_ITEMS, "satisfied"),
    )
    assert groups == {"deputies", "cppcc", "residents"}
    assert items == set()
    assert overall is False


def test_small_pool_reaching_minimum_needs_no_complement() -> None:
    # Deputies, CPPCC and residents 2 each: their pool of 6 reaches 5. The
    # deputies answer "neutral", so no item is all of one kind.
    groups, _, overall = hidden(
        sheets("parents", 20, PUBLIC_ITEMS, "satisfied"),
        sheets("deputies", 2, PUBLIC_ITEMS, "neutral"),
        sheets("cppcc", 2, PUBLIC_ITEMS, "satisfied"),
        sheets("residents", 2, PUBLIC_ITEMS, "satisfied"),
    )
    assert groups == {"deputies", "cppcc", "residents"}
    assert overall is False


def test_item_sums_reveal_one_principal() -> None:
    # The staff items pool 1 principal and 10 teachers; the item sums minus
    # the teachers' row would be the principal's answers.
    groups, items, overall = hidden(
        sheets("parents", 20, PUBLIC_ITEMS, "satisfied"),
        sheets("principals", 1, STAFF_ITEMS, "dissatisfied"),
        sheets("teachers", 10, STAFF_ITEMS, "satisfied"),
    )
    assert groups == {"principals", "teachers"}
    assert items == set()
    assert overall is False


def test_small_questionnaire_hides_overall() -> None:
    # 2 students: the student group and items are hidden, and overall − the
    # parents would be the two students, so the overall is hidden too.
    groups, items, overall = hidden(
        sheets("parents", 20, PUBLIC_ITEMS, "satisfied"),
        sheets("students", 2, STUDENT_ITEMS, "dissatisfied"),
    )
    assert groups == {"students"}
    assert items == set(STUDENT_ITEMS)
    assert overall is True


def test_small_questionnaires_pooled_may_show_overall() -> None:
    # Staff 2 + 2 and students 2: each questionnaire is hidden, but overall −
    # the public groups pools 6 people, which reaches 5 and, with the
    # principals "neutral", is not all of one kind.
    groups, items, overall = hidden(
        sheets("parents", 15, PUBLIC_ITEMS, "satisfied"),
        sheets("principals", 2, STAFF_ITEMS, "neutral"),
        sheets("teachers", 2, STAFF_ITEMS, "satisfied"),
        sheets("students", 2, STUDENT_ITEMS, "satisfied"),
    )
    assert groups == {"principals", "teachers", "students"}
    assert items == set(STAFF_ITEMS) | set(STUDENT_ITEMS)
    assert overall is False


def test_small_groups_all_alike_hide_overall() -> None:
    # As above, but the 6 people of the staff and student questionnaires all
    # answer "satisfied": overall − parents would say what each of them
    # answered, so the overall is hidden.
    _, _, overall = hidden(
        sheets("parents", 15, PUBLIC_ITEMS, "neutral"),
        sheets("principals", 2, STAFF_ITEMS, "satisfied"),
        sheets("teachers", 2, STAFF_ITEMS, "satisfied"),
        sheets("students", 2, STUDENT_ITEMS, "satisfied"),
    )
    assert overall is True


def deputy_after_parents() -> list[AnswerSheet]:
    """Return 5 parents all very satisfied, then 1 deputy who varies."""
    deputy = DEPUTY_ANSWERS
    parents = sheets("parents", 5, PUBLIC_ITEMS, "very_satisfied")
    return [*parents, AnswerSheet("deputies", "urban", "", deputy)]


def test_item_all_alike_hides_items_of_questionnaire() -> None:
    # Item P4 is 6 satisfied of 6 valid: every respondent, the only deputy
    # too, was satisfied. Showing the items with the parents hidden would tell
    # that, so the public items are hidden instead and the parents (5, at the
    # minimum) show. Overall − parents is the deputy alone (1 < 5), so the
    # overall is hidden.
    qset = load_questionnaire_set()
    rates = tally_answers(qset, deputy_after_parents())
    assert (rates.items["P4"].satisfied, rates.items["P4"].valid) == (6, 6)
    found = suppression(qset, rates, MINIMUM)
    assert set(found.groups) == {"deputies"}
    assert set(found.items) == set(PUBLIC_ITEMS)
    assert found.overall is True


def test_open_round_hides_every_figure() -> None:
    # While a round is open nothing but the counts of respondents shows, even
    # with 20 parents and no small group.
    qset = load_questionnaire_set()
    rates = tally_answers(qset, sheets("parents", 20, PUBLIC_ITEMS, "neutral"))
    found = suppression(qset, rates, MINIMUM, open_round=True)
    assert set(found.groups) == {g.key for g in qset.groups}
    assert set(found.items) == set(rates.items)
    assert found.overall is True
    assert found.open_round is True


def test_uniform_kinds() -> None:
    # All satisfied, all valid but not satisfied, all excluded: one kind each.
    assert uniform(Tally(satisfied=6, valid=6, excluded=0))
    assert uniform(Tally(satisfied=0, valid=6, excluded=0))
    assert uniform(Tally(satisfied=0, valid=0, excluded=6))
    # 5 satisfied and 1 excluded (P5 of that round): two kinds.
    assert not uniform(Tally(satisfied=5, valid=5, excluded=1))
    assert not uniform(Tally(satisfied=5, valid=6, excluded=0))
    assert not uniform(Tally())


def test_fewer_than_minimum_in_all_hides_overall() -> None:
    groups, items, overall = hidden(sheets("parents", 3, PUBLIC_ITEMS, "satisfied"))
    assert groups == {"parents"}
    assert items == set(PUBLIC_ITEMS)
    assert overall is True


def test_no_answers_hide_nothing() -> None:
    assert hidden() == (set(), set(), False)
