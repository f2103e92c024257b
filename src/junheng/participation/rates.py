"""Satisfaction rates of a survey round.

The rate of a set of answers is

    rate = 100 × S / V

where ``S`` counts the answers the item's scale marks as satisfied and ``V``
the valid answers: every answer except those the scale excludes (不了解, don't
know). A group's rate pools every item answered by every respondent of the
group; the overall rate pools all groups; an item's rate pools every group that
answered it. The evaluation rules set the 85% threshold but the sources we hold
do not give the formula, so this pooled ratio is the platform's own reading
(status: unconfirmed) and the scales say which answers count.

Rates are exact fractions here. The pass check compares the exact value with
the threshold, and :func:`floor_percent` rounds down for display and for the
county item, so a rounded value never passes where the exact one fails.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction

from junheng.participation.questionnaire import QuestionnaireSet

LOWEST_ITEMS = 3
"""How many of the lowest-rated items a failed round names."""


@dataclass
class Tally:
    """Satisfied and valid answers counted so far."""

    satisfied: int = 0
    valid: int = 0
    excluded: int = 0

    @property
    def rate(self) -> Fraction | None:
        """Return ``100 × satisfied / valid``, or ``None`` with no valid answer."""
        if self.valid == 0:
            return None
        return Fraction(100 * self.satisfied, self.valid)


@dataclass(frozen=True)
class AnswerSheet:
    """One respondent's answers: item id to answer key."""

    group: str
    stratum: str
    band: str
    answers: Mapping[str, str]


@dataclass
class RoundRates:
    """Tallies per group, per item and overall, with the verdict."""

    threshold: float
    overall: Tally = field(default_factory=Tally)
    groups: dict[str, Tally] = field(default_factory=dict)
    items: dict[str, Tally] = field(default_factory=dict)
    respondents: dict[str, int] = field(default_factory=dict)

    @property
    def passed(self) -> bool | None:
        """Return whether the overall rate reaches the threshold (``None``: no data)."""
        rate = self.overall.rate
        if rate is None:
            return None
        return rate >= Fraction(Decimal(str(self.threshold)))

    def lowest_items(self, count: int = LOWEST_ITEMS) -> list[str]:
        """Return the ids of the ``count`` items with the lowest rates.

        Ties go to the item with more valid answers, then to the id.
        """
        rated = [
            (t.rate, -t.valid, key)
            for key, t in self.items.items()
            if t.rate is not None
        ]
        rated.sort()
        return [key for _, _, key in rated[:count]]


def tally_answers(qset: QuestionnaireSet, sheets: Iterable[AnswerSheet]) -> RoundRates:
    """Count the answers of ``sheets`` by group and item.

    Answers to items or with keys the set does not know are skipped; the
    answer form only stores known ones.
    """
    result = RoundRates(threshold=qset.threshold)
    for group in qset.groups:
        result.groups[group.key] = Tally()
        result.respondents[group.key] = 0
        for item in qset.items_of(group.key):
            result.items.setdefault(item.id, Tally())
    for sheet in sheets:
        if sheet.group not in result.groups:
            continue
        result.respondents[sheet.group] += 1
        for item in qset.items_of(sheet.group):
            answer = sheet.answers.get(item.id)
            scale = qset.scales[item.scale]
            if answer is None or answer not in scale.answer_keys():
                continue
            for tally in (
                result.overall,
                result.groups[sheet.group],
                result.items[item.id],
            ):
                if answer in scale.excluded:
                    tally.excluded += 1
                    continue
                tally.valid += 1
                if answer in scale.satisfied:
                    tally.satisfied += 1
    return result


def floor_percent(rate: Fraction | None, decimals: int = 1) -> Decimal | None:
    """Return ``rate`` rounded down to ``decimals`` places (``None`` stays ``None``).

    >>> floor_percent(Fraction(254, 3))
    Decimal('84.6')
    """
    if rate is None:
        return None
    exact = Decimal(rate.numerator) / Decimal(rate.denominator)
    return exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_FLOOR)
