"""Deterministic greedy search for rotation plans too large for the exact program.

It minimises the same objective as the mixed-integer program of
:mod:`junheng.planning.rotation` under the same constraints, one move at a
time: each step takes the feasible move that lowers the proxy most (ties to
the lowest class and target index). It first makes the required number of
moves, taking backbone teachers whenever the backbone share would otherwise
become unreachable, then goes on while a move still lowers the proxy and the
maximum is not reached. The result is feasible but not proven optimal.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from junheng.planning.rotation import RotationRule, _Problem

_TOLERANCE = 1e-12


def greedy_moves(
    problem: _Problem, rule: RotationRule, low: int, high: int
) -> dict[tuple[int, int], int] | None:
    """Return moves as ``{(class, target unit): teachers}``, or ``None`` when
    the search finds no way to reach ``low`` moves under the constraints."""
    units = problem.units
    indicators = problem.indicators
    pairs = [(c, v) for c, g in enumerate(problem.classes) for v in g.targets]
    if not pairs:
        return {} if low == 0 else None
    cls = np.array([c for c, _ in pairs])
    home = np.array([problem.classes[c].home for c, _ in pairs])
    target = np.array([v for _, v in pairs])
    backbone = np.array([problem.classes[c].backbone for c in cls])
    subjects = sorted(
        {g.subject for g in problem.classes} | {s for _, s in problem.subjects}
    )
    subject_index = {s: i for i, s in enumerate(subjects)}
    subject = np.array([subject_index[problem.classes[c].subject] for c in cls])
    # Teachers per (unit, subject) now, and whether the unit had the subject.
    cover = np.zeros((len(units), len(subjects)))
    for (u, s), count in problem.subjects.items():
        cover[u, subject_index[s]] = count
    had = cover > 0
    # Deviation a·count − m·P of each unit and indicator, and its weight.
    dev = np.zeros((len(units), len(indicators)))
    weight = np.zeros((len(units), len(indicators)))
    factor = np.array([ind.factor for ind in indicators])
    for u, unit in enumerate(units):
        for k, ind in enumerate(indicators):
            mean = problem.means[(ind.id, unit.section)]
            if mean > 0:
                dev[u, k] = ind.factor * unit.counts[ind.field] - mean * unit.students
                weight[u, k] = 1.0 / (mean * problem.section_students[unit.section])
    flags = np.array(
        [[problem.classes[c].flags[ind.field] for ind in indicators] for c in cls],
        dtype=float,
    ).reshape(len(pairs), len(indicators))

    remaining = np.array([len(g.teachers) for g in problem.classes])
    net = np.zeros(len(units), dtype=int)
    moves: dict[tuple[int, int], int] = {}
    rotated = backbone_rotated = 0
    share = rule.min_backbone_share
    while rotated < high:
        delta = (
            flags * weight[home] * (np.abs(dev[home] - factor) - np.abs(dev[home]))
        ).sum(axis=1) + (
            flags
            * weight[target]
            * (np.abs(dev[target] + factor) - np.abs(dev[target]))
        ).sum(axis=1)
        feasible = (
            (remaining[cls] > 0)
            & (net[home] - 1 >= -rule.max_net_change)
            & (net[target] + 1 <= rule.max_net_change)
            & ((cover[home, subject] > 1) | ~had[home, subject])
        )
        # A non-backbone move is allowed only while the backbone share stays
        # reachable with the backbone teachers that are left.
        after = rotated + 1
        if backbone_rotated < math.ceil(share * max(after, low)):
            spare = max(low, after) - after
            needed = math.ceil(share * max(after, low)) - backbone_rotated
            if needed > spare:
                feasible &= backbone
        if rotated >= low:
            feasible &= delta < -_TOLERANCE
        if not feasible.any():
            break

        candidates = np.flatnonzero(feasible)
        best = int(candidates[np.argmin(delta[candidates])])
        c, v, h = int(cls[best]), int(target[best]), int(home[best])
        moves[(c, v)] = moves.get((c, v), 0) + 1
        remaining[c] -= 1
        net[h] -= 1
        net[v] += 1
        cover[h, subject[best]] -= 1
        cover[v, subject[best]] += 1
        dev[h] -= factor * flags[best]
        dev[v] += factor * flags[best]
        rotated += 1
        backbone_rotated += bool(backbone[best])
    if rotated < low or backbone_rotated < math.ceil(share * rotated):
        return None
    return moves


def proxy_of(problem: _Problem, moves: dict[tuple[int, int], int]) -> float:
    """Return the proxy objective after ``moves`` (without the per-move cost)."""
    flow: dict[tuple[int, str], int] = {}
    for (c, v), n in moves.items():
        group = problem.classes[c]
        for ind in problem.indicators:
            if group.flags[ind.field]:
                flow[(group.home, ind.field)] = flow.get((group.home, ind.field), 0) - n
                flow[(v, ind.field)] = flow.get((v, ind.field), 0) + n
    total = 0.0
    for ind in problem.indicators:
        for u, unit in enumerate(problem.units):
            mean = problem.means[(ind.id, unit.section)]
            if mean <= 0:
                continue
            count = unit.counts[ind.field] + flow.get((u, ind.field), 0)
            gap = ind.factor * count - mean * unit.students
            total += abs(gap) / (mean * problem.section_students[unit.section])
    return total
