"""Sample design of a county survey round.

The rules of part 4 ask for a sample of 1.5‰ of the resident population with
at least half of it parents and the other groups in roughly equal numbers.
Urban, town and rural respondents are in proportion to population, and
students spread roughly equally over grade bands. This module turns those
rules into whole numbers:

1. Total: ``n = ceil(population × rate)``, computed exactly on integers
   (``rate`` is a decimal fraction such as 0.0015), so a fractional respondent
   always rounds up and the sample is never below 1.5‰.
2. The group with a ``min_share`` (parents) gets ``ceil(n × min_share)``. The
   rest is split equally over the other groups: each gets ``rest // k``, and
   the first ``rest % k`` groups in file order get one more.
3. Each group is split over the strata by the largest-remainder (Hamilton)
   method with quotas proportional to the strata's populations. Ties in the
   remainder go to the stratum with the larger population, then to the one
   listed first.
4. A group with grade bands splits each stratum's count equally over the
   bands. The leftover of one stratum goes to the bands after those that got
   the previous stratum's leftover (cyclically), so the band totals differ by
   at most one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from junheng.errors import InvalidInput
from junheng.participation.questionnaire import QuestionnaireSet


@dataclass(frozen=True)
class Cell:
    """The target number of answers of one group, stratum and grade band.

    ``band`` is the empty string for a group without grade bands.
    """

    group: str
    stratum: str
    band: str
    target: int


@dataclass(frozen=True)
class SampleDesign:
    """The inputs of a design and its allocation to cells."""

    population: int
    stratum_population: dict[str, int]
    total: int
    group_totals: dict[str, int]
    cells: tuple[Cell, ...]

    def to_dict(self) -> dict[str, object]:
        """Return the design as JSON-ready data, as stored with a round."""
        return {
            "population": self.population,
            "stratum_population": dict(self.stratum_population),
            "total": self.total,
            "group_totals": dict(self.group_totals),
            "cells": [
                {
                    "group": c.group,
                    "stratum": c.stratum,
                    "band": c.band,
                    "target": c.target,
                }
                for c in self.cells
            ],
        }


def sample_total(population: int, rate: float) -> int:
    """Return ``ceil(population × rate)``, exact for a decimal ``rate``.

    >>> sample_total(523_417, 0.0015)
    786
    """
    exact = Fraction(population) * Fraction(Decimal(str(rate)))
    return -(-exact.numerator // exact.denominator)


def largest_remainder(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` by the largest remainder.

    Each part first gets the whole part of its quota ``total × w / Σw``. The
    seats left over go to the largest fractional parts. A tie goes to the
    larger weight, then to the earlier position.

    >>> largest_remainder(10, [5, 3, 2])
    [5, 3, 2]
    >>> largest_remainder(7, [1, 1, 1])
    [3, 2, 2]
    """
    whole = sum(weights)
    if whole <= 0:
        raise ValueError("the weights must have a positive sum")
    quotas = [Fraction(total * w, whole) for w in weights]
    parts = [q.numerator // q.denominator for q in quotas]
    left = total - sum(parts)
    order = sorted(
        range(len(weights)),
        key=lambda i: (-(quotas[i] - parts[i]), -weights[i], i),
    )
    for i in order[:left]:
        parts[i] += 1
    return parts


def _equal_split(total: int, count: int, start: int) -> list[int]:
    """Split ``total`` into ``count`` parts; the leftover goes from ``start`` on."""
    parts = [total // count] * count
    for step in range(total % count):
        parts[(start + step) % count] += 1
    return parts


def _check_inputs(
    qset: QuestionnaireSet, population: int, stratum_population: dict[str, int]
) -> None:
    problems: list[tuple[str, str]] = []
    if population <= 0:
        problems.append(
            (
                f"resident population {population} must be above 0",
                f"常住人口 {population} 应大于 0",
            )
        )
    expected = set(qset.stratum_keys())
    if set(stratum_population) != expected:
        problems.append(
            (
                f"stratum populations are given for {sorted(stratum_population)}; "
                f"give one for each of {sorted(expected)}",
                f"填写了 {sorted(stratum_population)} 的城乡人口，"
                f"请为 {sorted(expected)} 各填一个",
            )
        )
    elif any(v < 0 for v in stratum_population.values()):
        problems.append(
            ("a stratum population is negative; give 0 or more", "城乡人口不能为负数")
        )
    elif sum(stratum_population.values()) <= 0:
        problems.append(
            (
                "the stratum populations add up to 0; give at least one",
                "城乡人口合计为 0，请至少填写一项",
            )
        )
    if problems:
        english = "; ".join(en for en, _ in problems)
        chinese = "；".join(zh for _, zh in problems)
        raise InvalidInput(
            f"invalid sample design input: {english}",
            zh=f"抽样设计输入有误：{chinese}",
        )


def design_sample(
    qset: QuestionnaireSet, population: int, stratum_population: dict[str, int]
) -> SampleDesign:
    """Allocate a round's sample to groups, strata and grade bands.

    ``population`` is the county's resident population and
    ``stratum_population`` the population of each stratum of ``qset`` (only
    their proportions matter). See the module docstring for the rounding.
    """
    _check_inputs(qset, population, stratum_population)
    total = sample_total(population, qset.sample_rate)
    leading = [g for g in qset.groups if g.min_share is not None]
    others = [g for g in qset.groups if g.min_share is None]
    group_totals: dict[str, int] = {}
    rest = total
    for group in leading:
        share = Fraction(Decimal(str(group.min_share)))
        group_totals[group.key] = min(
            total, -(-(total * share.numerator) // share.denominator)
        )
        rest -= group_totals[group.key]
    for group, part in zip(others, _equal_split(rest, len(others), 0), strict=True):
        group_totals[group.key] = part

    strata = list(qset.stratum_keys())
    weights = [stratum_population[s] for s in strata]
    cells: list[Cell] = []
    for group in qset.groups:
        per_stratum = largest_remainder(group_totals[group.key], weights)
        if not group.bands:
            cells.extend(
                Cell(group.key, s, "", n)
                for s, n in zip(strata, per_stratum, strict=True)
            )
            continue
        band_keys = [b.key for b in group.bands]
        cursor = 0
        for stratum, count in zip(strata, per_stratum, strict=True):
            split = _equal_split(count, len(band_keys), cursor)
            cursor = (cursor + count % len(band_keys)) % len(band_keys)
            cells.extend(
                Cell(group.key, stratum, b, n)
                for b, n in zip(band_keys, split, strict=True)
            )
    return SampleDesign(
        population=population,
        stratum_population=dict(stratum_population),
        total=total,
        group_totals=group_totals,
        cells=tuple(cells),
    )
