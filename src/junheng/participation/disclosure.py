"""Which survey figures may be shown without revealing a small group's answers.

A round shows satisfied and valid counts (and the rate) per group, per item and
overall. A figure pooled from fewer than ``min_answers`` respondents is
suppressed (primary suppression). Suppressing it is not enough when the other
figures let it be derived by subtraction: with the overall counts and every
other group's counts shown, the overall minus those groups is the suppressed
group. Statistical offices therefore also suppress complementary figures, so
that every total that can be derived from the shown figures pools at least
``min_answers`` respondents. :func:`suppression` applies that rule to the
figures of :class:`~junheng.participation.rates.RoundRates`:

1. A group with 1 to ``min_answers - 1`` respondents is suppressed, and so is
   a question asked of 1 to ``min_answers - 1`` respondents in all. Every
   group of a questionnaire answers all its items, so the items of one
   questionnaire are either all shown or all suppressed.
2. When a questionnaire's items are shown, the sum of its item counts equals
   the sum of its groups' counts. The suppressed groups of that questionnaire
   can then be derived as one pool, so while that pool has fewer than
   ``min_answers`` respondents, the smallest shown group of the questionnaire
   that has respondents is suppressed too.
3. The overall counts minus every shown group, and minus the pools of step 2,
   leave the groups of the questionnaires whose items are suppressed. When
   those have 1 to ``min_answers - 1`` respondents, the overall counts, rate
   and verdict are suppressed as well.

Counts of respondents (who answered, not what they answered) stay visible,
because the fieldwork needs them.
"""

from __future__ import annotations

from dataclasses import dataclass

from junheng.participation.questionnaire import QuestionnaireSet
from junheng.participation.rates import RoundRates


@dataclass(frozen=True)
class Suppression:
    """The figures of a round that must not be shown.

    ``groups`` and ``items`` hold the keys of suppressed groups and item ids;
    ``overall`` is true when the overall counts, rate and verdict are hidden.
    """

    groups: frozenset[str]
    items: frozenset[str]
    overall: bool


def _small(respondents: int, min_answers: int) -> bool:
    return 0 < respondents < min_answers


def suppression(
    qset: QuestionnaireSet, rates: RoundRates, min_answers: int
) -> Suppression:
    """Return the figures of ``rates`` to suppress (see the module docstring)."""
    respondents = rates.respondents
    groups = {g.key for g in qset.groups if _small(respondents[g.key], min_answers)}
    members: dict[str, list[str]] = {}
    for group in qset.groups:
        members.setdefault(group.questionnaire, []).append(group.key)
    hidden_questionnaires = {
        name
        for name, keys in members.items()
        if _small(sum(respondents[k] for k in keys), min_answers)
    }
    for name, keys in members.items():
        if name in hidden_questionnaires:
            continue
        pool = sum(respondents[k] for k in keys if k in groups)
        if not _small(pool, min_answers):
            continue
        shown = [k for k in keys if k not in groups and respondents[k] > 0]
        # The questionnaire's total reaches min_answers while the suppressed
        # pool does not, so a shown group with respondents exists.
        groups.add(min(shown, key=lambda k: (respondents[k], keys.index(k))))
    residual = sum(
        respondents[k] for name in hidden_questionnaires for k in members[name]
    )
    items = {
        item.id
        for name in hidden_questionnaires
        for item in qset.questionnaires[name].items
    }
    return Suppression(
        groups=frozenset(groups),
        items=frozenset(items),
        overall=_small(residual, min_answers),
    )
