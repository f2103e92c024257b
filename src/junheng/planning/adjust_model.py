"""The least-cost adjustment model: variables, bounds and linear rows.

All decisions are non-negative. Per unit (school section) and teacher kind,
they are the hires, transfers in and transfers out. Per school, they are the
floor area, sports area and equipment value to add and the multimedia
classrooms to equip. Per unit and indicator, a binary ``y`` is 1 when the
indicator must reach its threshold, because the school rule lets the others
stop at the floor.

Every indicator value is linear in the decisions, ``v = a + V·x`` (see
:mod:`junheng.planning.units`), so the school rule and the transfer and
hiring limits are linear rows. The CV limits are cones; the loop in
:mod:`junheng.planning.adjust_solve` adds them as cutting planes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from junheng.engine.queries import meets
from junheng.planning.costs import AdjustCosts
from junheng.planning.units import BUILD_FIELDS, TEACHER_FIELDS, Floats, Units
from junheng.standards.model import Framework

CUT_SHRINK = 1e-5
"""Relative amount the cuts tighten each CV limit by, so that a solution near
the cut passes the exact test of the engine."""
ACCEPT_SHRINK = 1e-7
"""A CV counts as within its limit at ``cv ≤ limit·(1 − ACCEPT_SHRINK)``."""

Block = tuple[sp.csr_matrix, Floats, Floats]
"""Rows of linear constraints with their lower and upper bounds."""

_CONTINUOUS = ("teaching_aux_area_m2", "sports_area_m2", "equipment_value_yuan")
_GRAIN = 0.01
# Positive continuous amounts are rounded up to a multiple of this grain (m²,
# yuan) at least half a grain above the solver's amount. The solver may stop
# a little below the exact need (its feasibility tolerance), and an amount
# that meets a threshold exactly can fail in the engine's floating point:
# on synthetic counties, 4.499999999999999 m² per student against 4.5 and
# 2124.9999999999995 yuan per student against 2125.


@dataclass
class Layout:
    """Positions of the decision variables in the solver's vector."""

    units: int
    schools: int
    school_of_unit: np.ndarray
    rule_pairs: list[tuple[int, int]]

    @property
    def teacher_count(self) -> int:
        return self.units * len(TEACHER_FIELDS)

    def hire(self, u: int, k: int) -> int:
        return u * len(TEACHER_FIELDS) + k

    def transfer_in(self, u: int, k: int) -> int:
        return self.teacher_count + self.hire(u, k)

    def transfer_out(self, u: int, k: int) -> int:
        return 2 * self.teacher_count + self.hire(u, k)

    def build(self, s: int, f: int) -> int:
        return 3 * self.teacher_count + s * len(BUILD_FIELDS) + f

    @property
    def y_start(self) -> int:
        return 3 * self.teacher_count + self.schools * len(BUILD_FIELDS)

    @property
    def size(self) -> int:
        return self.y_start + len(self.rule_pairs)


@dataclass
class Problem:
    """A county's model: the value map ``v = a + V·x``, bounds and rows."""

    units: Units
    framework: Framework
    costs: AdjustCosts
    layout: Layout
    base: Floats
    value_map: sp.csr_matrix
    objective: Floats
    lower: Floats
    upper: Floats
    integer: np.ndarray
    limit_rows: list[Block]
    """Transfer balance and per-school limits."""
    rule_rows: list[Block]
    """The school rule."""
    sections: list[str]
    thresholds: Floats
    floors: Floats
    higher: np.ndarray

    def values(self, x: Floats) -> Floats:
        """Return the indicator values (units × indicators) at ``x``."""
        flat = self.base.reshape(-1) + self.value_map @ x
        return np.asarray(flat).reshape(self.base.shape)


@dataclass
class Solution:
    """The outcome of the cutting-plane loop."""

    status: str
    """``optimal``, ``node_limit``, ``time_limit``, ``not_converged`` or
    ``infeasible``."""
    x: Floats | None
    cost: float | None
    lower_bound: float | None
    gap: float | None
    iterations: int
    cuts: int
    seconds: float
    violated: list[tuple[str, int]] = field(default_factory=list)


def _thresholds(fw: Framework, sections: list[str]) -> tuple[Floats, Floats, Floats]:
    ids = [ind.id for ind in fw.resource_indicators]
    threshold = np.full((len(sections), len(ids)), np.nan)
    floor = np.full_like(threshold, np.nan)
    higher = np.array([ind.direction == "higher" for ind in fw.resource_indicators])
    ratio = fw.school_rule.floor_ratio if fw.school_rule else 1.0
    for u, section in enumerate(sections):
        for j, ind in enumerate(fw.resource_indicators):
            value = (ind.threshold or {}).get(section)  # type: ignore[call-overload]
            if value is None:
                continue
            threshold[u, j] = value
            floor[u, j] = value * ratio if higher[j] else value / ratio
    return threshold, floor, higher


def build_problem(units: Units, fw: Framework, costs: AdjustCosts) -> Problem:
    """Build the variables, bounds, objective and school-rule rows."""
    frame = units.frame
    sections = frame["section"].to_list()
    codes = frame["school_code"].to_list()
    school_codes = sorted(set(codes))
    school_index = {code: s for s, code in enumerate(school_codes)}
    school_of_unit = np.array([school_index[c] for c in codes], dtype=np.int64)
    n, J = len(codes), len(units.indicator_ids)
    base = units.values
    threshold, floor, higher = _thresholds(fw, sections)

    slopes = units.slopes
    rule_pairs: list[tuple[int, int]] = []
    if fw.school_rule is not None:
        rule_pairs = [
            (u, j) for u in range(n) for j in range(J) if not np.isnan(threshold[u, j])
        ]
    layout = Layout(n, len(school_codes), school_of_unit, rule_pairs)

    # The value map: row u·J + j, one entry per decision that moves v_uj.
    rows, cols, data = [], [], []
    for k, name in enumerate(TEACHER_FIELDS):
        for u, j in zip(*np.nonzero(slopes[name]), strict=True):
            slope = slopes[name][u, j]
            for column, sign in (
                (layout.hire(u, k), 1.0),
                (layout.transfer_in(u, k), 1.0),
                (layout.transfer_out(u, k), -1.0),
            ):
                rows.append(u * J + j)
                cols.append(column)
                data.append(sign * slope)
    for f, name in enumerate(BUILD_FIELDS):
        for u, j in zip(*np.nonzero(slopes[name]), strict=True):
            rows.append(u * J + j)
            cols.append(layout.build(int(school_of_unit[u]), f))
            data.append(slopes[name][u, j])
    value_map = sp.csr_matrix((data, (rows, cols)), shape=(n * J, layout.size))

    objective = np.zeros(layout.size)
    lower = np.zeros(layout.size)
    upper = np.full(layout.size, np.inf)
    integer = np.ones(layout.size, dtype=np.int8)
    transfers = costs.max_transfers_out_per_school
    counts = frame.select(list(TEACHER_FIELDS)).to_numpy().astype(np.float64)
    for u in range(n):
        for k in range(len(TEACHER_FIELDS)):
            objective[layout.hire(u, k)] = costs.hire_yuan
            objective[layout.transfer_in(u, k)] = costs.transfer_yuan
            if costs.max_hires_per_school is not None:
                upper[layout.hire(u, k)] = costs.max_hires_per_school
            out_limit = 0.0 if np.isnan(counts[u, k]) else math.floor(counts[u, k])
            if transfers is not None:
                out_limit = min(out_limit, transfers)
            upper[layout.transfer_out(u, k)] = out_limit
            if transfers == 0:
                upper[layout.transfer_in(u, k)] = 0.0
    prices = (
        costs.floor_area_yuan_per_m2,
        costs.sports_area_yuan_per_m2,
        costs.equipment_yuan_per_yuan,
        costs.multimedia_classroom_yuan,
    )
    caps = (
        costs.max_floor_area_m2_per_school,
        costs.max_sports_area_m2_per_school,
        None,
        None,
    )
    for s in range(layout.schools):
        for f, name in enumerate(BUILD_FIELDS):
            column = layout.build(s, f)
            objective[column] = prices[f]
            if caps[f] is not None:
                upper[column] = caps[f]
            if name in _CONTINUOUS:
                integer[column] = 0
    upper[layout.y_start :] = 1.0

    problem = Problem(
        units=units,
        framework=fw,
        costs=costs,
        layout=layout,
        base=base,
        value_map=value_map,
        objective=objective,
        lower=lower,
        upper=upper,
        integer=integer,
        limit_rows=[],
        rule_rows=[],
        sections=sections,
        thresholds=threshold,
        floors=floor,
        higher=higher,
    )
    _fix_constant_binaries(problem)
    problem.limit_rows = _limit_rows(problem)
    problem.rule_rows = _rule_rows(problem)
    return problem


def _fix_constant_binaries(problem: Problem) -> None:
    # An indicator no decision moves keeps its value, so its binary is known.
    moved = np.asarray(abs(problem.value_map).sum(axis=1)).reshape(-1) > 0
    J = problem.base.shape[1]
    for r, (u, j) in enumerate(problem.layout.rule_pairs):
        if moved[u * J + j]:
            continue
        value, threshold = problem.base[u, j], problem.thresholds[u, j]
        met = meets(value, ">=" if problem.higher[j] else "<=", threshold)
        column = problem.layout.y_start + r
        problem.lower[column] = problem.upper[column] = 1.0 if met else 0.0


def _limit_rows(problem: Problem) -> list[Block]:
    layout, costs = problem.layout, problem.costs
    blocks: list[Block] = []

    # Transfers balance within each section and teacher kind.
    sections = sorted(set(problem.sections))
    balance = sp.lil_matrix((len(sections) * len(TEACHER_FIELDS), layout.size))
    for u, section in enumerate(problem.sections):
        for k in range(len(TEACHER_FIELDS)):
            r = sections.index(section) * len(TEACHER_FIELDS) + k
            balance[r, layout.transfer_in(u, k)] = 1.0
            balance[r, layout.transfer_out(u, k)] = -1.0
    zeros = np.zeros(balance.shape[0])
    blocks.append((balance.tocsr(), zeros, zeros))

    # Per-school limits on transfers out and on hires, summed over sections.
    for limit, column in (
        (costs.max_transfers_out_per_school, layout.transfer_out),
        (costs.max_hires_per_school, layout.hire),
    ):
        if limit is None:
            continue
        per_school = sp.lil_matrix((layout.schools, layout.size))
        for u in range(layout.units):
            for k in range(len(TEACHER_FIELDS)):
                per_school[int(layout.school_of_unit[u]), column(u, k)] = 1.0
        blocks.append(
            (
                per_school.tocsr(),
                np.full(layout.schools, -np.inf),
                np.full(layout.schools, float(limit)),
            )
        )

    return blocks


def _rule_rows(problem: Problem) -> list[Block]:
    layout, fw = problem.layout, problem.framework
    J = problem.base.shape[1]
    if fw.school_rule is None or not layout.rule_pairs:
        return []
    # The school rule: Σ_j y_uj ≥ min_met, and v_uj ≥ F + (T − F)·y_uj for an
    # indicator where higher is better (v ≤ F + (T − F)·y otherwise).
    count = sp.lil_matrix((layout.units, layout.size))
    rule_rows = [int(u * J + j) for u, j in layout.rule_pairs]
    reach = problem.value_map[rule_rows].tolil()
    rhs_low = np.empty(len(rule_rows))
    rhs_high = np.empty(len(rule_rows))
    for r, (u, j) in enumerate(layout.rule_pairs):
        column = layout.y_start + r
        count[u, column] = 1.0
        threshold, floor = problem.thresholds[u, j], problem.floors[u, j]
        reach[r, column] = -(threshold - floor)
        room = floor - problem.base[u, j]
        if problem.higher[j]:
            rhs_low[r], rhs_high[r] = room, np.inf
        else:
            rhs_low[r], rhs_high[r] = -np.inf, room
    has_rule = np.asarray(count.sum(axis=1)).reshape(-1) > 0
    count_csr = count.tocsr()[has_rule]
    needed = float(min(fw.school_rule.min_met, len(fw.resource_indicators)))
    rows = count_csr.shape[0]
    return [
        (count_csr, np.full(rows, needed), np.full(rows, np.inf)),
        (reach.tocsr(), rhs_low, rhs_high),
    ]


def exact_dot(a: Floats, b: Floats) -> float:
    """Return the dot product of ``a`` and ``b``, correctly rounded.

    The sum of a BLAS or NumPy dot product may be taken in an order that
    depends on where the arrays lie in memory, which differs between
    processes. Rounding the exact sum once makes the model, and so the plan,
    the same whichever process builds it.
    """
    return math.fsum(np.multiply(a, b).tolist())


def section_cvs(problem: Problem, values: Floats) -> dict[tuple[str, int], float]:
    """Return the weighted CV of every section and indicator at ``values``.

    The weights are the students of each unit, as in the engine.
    """
    students = problem.units.frame["students"].to_numpy().astype(np.float64)
    result: dict[tuple[str, int], float] = {}
    sections = np.array(problem.sections)
    for section in sorted(set(problem.sections)):
        mask = sections == section
        weight = students[mask] / students[mask].sum()
        for j in range(values.shape[1]):
            column = values[mask, j]
            mean = exact_dot(weight, column)
            spread = math.sqrt(exact_dot(weight, (column - mean) ** 2))
            result[(section, j)] = spread / mean if mean != 0 else math.nan
    return result


def cv_limit(problem: Problem, section: str) -> float:
    """Return the CV limit of ``section``."""
    return float(problem.framework.balance_rule.cv_limit[section])  # type: ignore[index]


def violated_cvs(
    problem: Problem, values: Floats, *, as_judged: bool = False
) -> list[tuple[str, int]]:
    """Return the (section, indicator) pairs whose CV is over its limit.

    ``as_judged`` applies the verdict's test, under which a CV within a near
    tie of its limit passes. Use it for the values as reported: a section the
    verdict passes needs no plan. Without it a plan's CVs must stay below the
    limit by :data:`ACCEPT_SHRINK`, except that a CV the verdict already
    passed as reported may stay where it was.
    """
    cvs = section_cvs(problem, values)
    if as_judged:
        return [
            key
            for key, cv in cvs.items()
            if not math.isnan(cv) and meets(cv, ">", cv_limit(problem, key[0]))
        ]
    passed = _passed_as_reported(problem)
    return [
        key
        for key, cv in cvs.items()
        if not math.isnan(cv)
        and cv > cv_limit(problem, key[0]) * (1 - ACCEPT_SHRINK)
        and not cv <= passed.get(key, -math.inf)
    ]


def _passed_as_reported(problem: Problem) -> dict[tuple[str, int], float]:
    """Return the reported CV of each pair the verdict passes, by pair."""
    return {
        key: cv
        for key, cv in section_cvs(problem, problem.base).items()
        if not math.isnan(cv) and not meets(cv, ">", cv_limit(problem, key[0]))
    }


def rounded(problem: Problem, x: Floats) -> Floats:
    out = x.copy()
    integer = problem.integer.astype(bool)
    out[integer] = np.round(out[integer])
    continuous = ~integer
    positive = continuous & (out > 1e-6)
    out[positive] = np.ceil(out[positive] / _GRAIN + 0.5) * _GRAIN
    out[continuous & ~positive] = 0.0
    return np.minimum(np.maximum(out, problem.lower), problem.upper)
