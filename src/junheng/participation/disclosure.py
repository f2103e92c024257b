"""Which survey figures may be shown without revealing one person's answers.

A round shows satisfied and valid counts (and the rate) per group, per item and
overall. Three ways would let a reader, who may know who got which link, derive
what one respondent answered, and :func:`suppression` closes each:

- Comparing views over time. The figures of an open round change with each
  answer, and the cell table says which design cell the new answer came from,
  so two views taken before and after one answer give that answer. While a
  round is open, every satisfied count, valid count, rate and the verdict is
  therefore hidden; only the counts of respondents show.
- Subtraction within one view. A figure pooled from fewer than ``min_answers``
  respondents is suppressed (primary suppression), and further figures are
  suppressed so that every total the shown figures let a reader derive pools
  at least ``min_answers`` respondents (complementary suppression).
- Answers all of one kind. A figure whose answers are all satisfied, all
  valid but not satisfied, or all excluded (不了解) tells each contributor's
  answer. That matters where the figure pools a hidden group: an item row of
  6 of 6 with one deputy among the 6 says what the deputy answered.

For a closed round the rule is:

1. A group with 1 to ``min_answers - 1`` respondents is suppressed. A
   questionnaire answered by 1 to ``min_answers - 1`` respondents in all has
   all its items suppressed (all its groups are then suppressed too).
2. For any other questionnaire with a suppressed group, the sum of its item
   counts minus its shown groups gives the suppressed groups as one pool. The
   items stay shown only if that pool reaches ``min_answers`` (the smallest
   shown group with respondents is suppressed too when it does not), the pool
   is not all of one kind, and no item is all of one kind. Otherwise the
   questionnaire's items are suppressed and its groups of step 1 alone stay
   hidden.
3. The overall counts minus every shown group and the pools of step 2 leave
   the suppressed groups of the questionnaires whose items are suppressed.
   When those have 1 to ``min_answers - 1`` respondents, or their answers are
   all of one kind, the overall counts, rate and verdict are suppressed.

A shown group of at least ``min_answers`` respondents who all answered alike
is shown as it is: the minimum is the size from which a group's figure may be
published.

Counts of respondents (who answered, not what they answered) stay visible,
because the fieldwork needs them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from junheng.participation.questionnaire import QuestionnaireSet
from junheng.participation.rates import RoundRates, Tally


@dataclass(frozen=True)
class Suppression:
    """The figures of a round that must not be shown.

    ``groups`` and ``items`` hold the keys of suppressed groups and item ids.
    ``overall`` is true when the overall counts, rate and verdict are hidden.
    ``open_round`` is true when everything is hidden because the round is open.
    """

    groups: frozenset[str]
    items: frozenset[str]
    overall: bool
    open_round: bool = False


def _small(respondents: int, min_answers: int) -> bool:
    return 0 < respondents < min_answers


def _pooled(rates: RoundRates, keys: Iterable[str]) -> Tally:
    pool = Tally()
    for key in keys:
        pool.satisfied += rates.groups[key].satisfied
        pool.valid += rates.groups[key].valid
        pool.excluded += rates.groups[key].excluded
    return pool


def uniform(tally: Tally) -> bool:
    """Return whether a figure's answers are all of one kind.

    The kinds are satisfied, valid but not satisfied, and excluded (不了解);
    a figure without answers is not uniform.
    """
    answers = tally.valid + tally.excluded
    return answers > 0 and (
        tally.satisfied == answers
        or (tally.satisfied == 0 and tally.excluded == 0)
        or tally.valid == 0
    )


def suppression(
    qset: QuestionnaireSet,
    rates: RoundRates,
    min_answers: int,
    *,
    open_round: bool = False,
) -> Suppression:
    """Return the figures of ``rates`` to suppress (see the module docstring).

    ``open_round`` hides every figure except the counts of respondents.
    """
    if open_round:
        return Suppression(
            groups=frozenset(g.key for g in qset.groups),
            items=frozenset(rates.items),
            overall=True,
            open_round=True,
        )
    respondents = rates.respondents
    small = {g.key for g in qset.groups if _small(respondents[g.key], min_answers)}
    groups = set(small)
    members: dict[str, list[str]] = {}
    for group in qset.groups:
        members.setdefault(group.questionnaire, []).append(group.key)
    hidden_questionnaires: set[str] = set()
    for name, keys in members.items():
        if _small(sum(respondents[k] for k in keys), min_answers):
            hidden_questionnaires.add(name)
            continue
        pool = [k for k in keys if k in small]
        if not pool:
            continue
        if sum(respondents[k] for k in pool) < min_answers:
            shown = [k for k in keys if k not in small and respondents[k] > 0]
            # The questionnaire's total reaches min_answers while the
            # suppressed pool does not, so a shown group with respondents exists.
            pool.append(min(shown, key=lambda k: (respondents[k], keys.index(k))))
        items = qset.questionnaires[name].items
        if uniform(_pooled(rates, pool)) or any(
            uniform(rates.items[item.id]) for item in items
        ):
            hidden_questionnaires.add(name)
        else:
            groups.update(pool)
    residual = [k for name in hidden_questionnaires for k in members[name]]
    residual = [k for k in residual if k in small]
    residual_count = sum(respondents[k] for k in residual)
    items_hidden = {
        item.id
        for name in hidden_questionnaires
        for item in qset.questionnaires[name].items
    }
    return Suppression(
        groups=frozenset(groups),
        items=frozenset(items_hidden),
        overall=_small(residual_count, min_answers)
        or uniform(_pooled(rates, residual)),
    )
