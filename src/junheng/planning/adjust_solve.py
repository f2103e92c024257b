"""The cutting-plane loop that solves the adjustment model with HiGHS.

A CV limit ``Σ_i w_i (X_i − m)² ≤ t²`` with ``t = L·m`` is a cone in as many
dimensions as the section has schools. Tangent cuts on the whole cone
converge slowly there (each cut fixes one direction of a 300-dimensional
cone), so the cone is split into one small cone per school, the extended
formulation of Vielma, Dunning, Huchette and Lubin (Math. Prog. Comp. 2017):

    δ_i = X_i − m,   w_i δ_i² / t ≤ z_i,   Σ_i z_i ≤ t.

Each ``w δ² / t`` is a convex function of two variables, and its tangent at
``ρ = δ*/t*`` is the linear cut ``w (2ρ δ − ρ² t) ≤ z``. A section and
indicator gets its variables ``m``, ``δ`` and ``z`` the first time its CV is
over the limit. Each pass solves the MILP, rounds the solution, computes
every CV exactly and adds a cut wherever a school's cone is violated. Because
the cuts only outer-approximate the cones, the MILP's dual bound is a lower
bound on the least cost of the tightened limits.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from junheng.planning.adjust_model import (
    CUT_SHRINK,
    Problem,
    Solution,
    cv_limit,
    exact_dot,
    rounded,
    violated_cvs,
)
from junheng.planning.units import Floats

_SEED_SLOPES = (-3.0, -2.0, -1.25, -0.6, -0.25, 0.25, 0.6, 1.25, 2.0, 3.0)
"""Values of ρ = δ/t with a cut before the first solve. At the limit the
weighted mean of ρ² is 1, so most schools sit in this range. Ten seeds took
11 solves on a 300-school synthetic county where four took 18."""
_CUT_TOLERANCE = 1e-9

NODE_LIMIT = 1000
"""Branch-and-bound nodes per MILP solve. Unlike the wall-clock time limit,
a node limit stops HiGHS at the same point at any load, so a county that
reaches it still gets the same plan every run. On the synthetic national
data, county 110119 had spent a 60 s time limit on 13,334 nodes and ended
with the plan it had at node 200. The time limit (``time_limit_seconds``,
300 s by default) stays as a backstop that only a heavily loaded machine
should reach."""
# NOTE: a fixed limit, not a cost setting: the settings are also the web
# form's fields, which label each one.


@dataclass
class _Cone:
    """The variables of one section and indicator's split cone."""

    section: str
    indicator: int
    units: np.ndarray
    weights: Floats
    limit: float
    offset: int
    """Column of ``m``; ``δ`` and ``z`` of the units follow."""

    def delta(self, i: int) -> int:
        return self.offset + 1 + i

    def z(self, i: int) -> int:
        return self.offset + 1 + len(self.units) + i

    @property
    def size(self) -> int:
        return 1 + 2 * len(self.units)


class _Rows:
    """Rows added during the loop, in coordinate form over a growing width."""

    def __init__(self) -> None:
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.data: list[float] = []
        self.lower: list[float] = []
        self.upper: list[float] = []

    def add(self, entries: dict[int, float], lower: float, upper: float) -> None:
        r = len(self.lower)
        for col, value in entries.items():
            self.rows.append(r)
            self.cols.append(col)
            self.data.append(value)
        self.lower.append(lower)
        self.upper.append(upper)

    def matrix(self, width: int) -> sp.csr_matrix:
        return sp.csr_matrix(
            (self.data, (self.rows, self.cols)), shape=(len(self.lower), width)
        )


class _Loop:
    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.width = problem.layout.size
        self.cones: dict[tuple[str, int], _Cone] = {}
        self.rows = _Rows()
        self.cuts = 0
        self.lower: list[float] = []
        self.upper: list[float] = []
        students = problem.units.frame["students"].to_numpy().astype(np.float64)
        self.students = students
        self.sections = np.array(problem.sections)

    def add_cone(self, section: str, j: int) -> None:
        problem = self.problem
        units = np.nonzero(self.sections == section)[0]
        weights = self.students[units] / self.students[units].sum()
        limit = cv_limit(problem, section) * (1 - CUT_SHRINK)
        cone = _Cone(section, j, units, weights, limit, self.width)
        self.cones[(section, j)] = cone
        self.width += cone.size
        self.lower += [1e-12] + [-np.inf] * len(units) + [0.0] * len(units)
        self.upper += [np.inf] * cone.size
        J = problem.base.shape[1]
        value_rows = problem.value_map[[int(u * J + j) for u in units]].tocsr()
        base = problem.base[units, j]

        # m − Σ w_i V_i·x = Σ w_i a_i
        mean_row = {cone.offset: 1.0}
        weighted = sp.csr_matrix(weights @ value_rows)
        for col, value in zip(weighted.indices, weighted.data, strict=True):
            mean_row[int(col)] = -float(value)
        level = exact_dot(weights, base)
        self.rows.add(mean_row, level, level)

        # δ_i − V_i·x + m = a_i
        for i in range(len(units)):
            entries = {cone.delta(i): 1.0, cone.offset: 1.0}
            start, end = value_rows.indptr[i], value_rows.indptr[i + 1]
            for col, value in zip(
                value_rows.indices[start:end], value_rows.data[start:end], strict=True
            ):
                entries[int(col)] = -float(value)
            self.rows.add(entries, float(base[i]), float(base[i]))

        # Σ z_i − L·m ≤ 0
        total = {cone.z(i): 1.0 for i in range(len(units))}
        total[cone.offset] = -limit
        self.rows.add(total, -np.inf, 0.0)

        mean = level
        for i in range(len(units)):
            slopes = {*_SEED_SLOPES, (base[i] - mean) / (limit * mean)}
            for slope in sorted(slopes):
                self.add_cut(cone, i, slope)

    def add_cut(self, cone: _Cone, i: int, slope: float) -> None:
        # w (2ρ δ − ρ² t) − z ≤ 0 with t = L·m
        w = float(cone.weights[i])
        entries = {
            cone.delta(i): 2 * slope * w,
            cone.offset: -slope * slope * cone.limit * w,
            cone.z(i): -1.0,
        }
        self.rows.add(entries, -np.inf, 0.0)
        self.cuts += 1

    def refine(self, cone: _Cone, values: Floats, x: Floats) -> None:
        column = values[cone.units, cone.indicator]
        mean = exact_dot(cone.weights, column)
        t = cone.limit * mean
        for i in range(len(cone.units)):
            delta = column[i] - mean
            need = cone.weights[i] * delta * delta / t
            if need > x[cone.z(i)] + _CUT_TOLERANCE * t:
                self.add_cut(cone, i, delta / t)

    def constraints(self, use_rule: bool) -> list[LinearConstraint]:
        problem = self.problem
        blocks = problem.limit_rows + (problem.rule_rows if use_rule else [])
        extra = self.width - problem.layout.size
        result = []
        for matrix, lower, upper in blocks:
            padded = sp.hstack([matrix, sp.csr_matrix((matrix.shape[0], extra))])
            result.append(LinearConstraint(padded.tocsr(), lower, upper))
        if self.rows.lower:
            result.append(
                LinearConstraint(
                    self.rows.matrix(self.width),
                    np.array(self.rows.lower),
                    np.array(self.rows.upper),
                )
            )
        return result

    def bounds(self) -> Bounds:
        problem = self.problem
        return Bounds(
            np.concatenate([problem.lower, self.lower]),
            np.concatenate([problem.upper, self.upper]),
        )


def _solve_once(loop: _Loop, relax: bool, use_rule: bool, deadline: float) -> Any:
    problem = loop.problem
    extra = loop.width - problem.layout.size
    objective = np.concatenate([problem.objective, np.zeros(extra)])
    integer = np.concatenate([problem.integer, np.zeros(extra, dtype=np.int8)])
    return milp(
        objective,
        integrality=np.zeros_like(integer) if relax else integer,
        bounds=loop.bounds(),
        constraints=loop.constraints(use_rule),
        # HiGHS's time limit is wall-clock, so a plan cut short by it depends on
        # the load. The node limit normally stops a hard county long before.
        options={
            "time_limit": max(deadline - time.perf_counter(), 1.0),
            "mip_rel_gap": problem.costs.mip_rel_gap,
            "disp": False,
            **({} if relax else {"node_limit": NODE_LIMIT}),
        },
    )


def _stopped(status: int) -> str:
    """Name the reason a solve without an optimum stopped (SciPy's status)."""
    return {2: "infeasible", 1: "time_limit"}.get(status, "node_limit")


def solve(
    problem: Problem,
    *,
    relax: bool = False,
    only: list[tuple[str, int]] | None = None,
    use_rule: bool = True,
) -> Solution:
    """Run the cutting-plane loop until every CV is within its limit.

    The loop first runs on the continuous relaxation: its cuts are valid for
    the MILP too and each relaxation solves in a fraction of a MILP's time.
    ``relax`` stops there (a continuous bound for comparison). ``only``
    restricts the CV limits to those pairs and ``use_rule=False`` drops the
    school rule; both serve the explanation of an infeasible request.
    """
    costs = problem.costs
    started = time.perf_counter()
    deadline = started + costs.time_limit_seconds
    loop = _Loop(problem)
    nv = problem.layout.size

    def selected(pairs: list[tuple[str, int]]) -> list[tuple[str, int]]:
        return [p for p in pairs if only is None or p in only]

    for key in selected(violated_cvs(problem, problem.base, as_judged=True)):
        loop.add_cone(*key)
    iterations = 0
    phases = [True] if relax else [True, False]
    for continuous in phases:
        last_phase = continuous is phases[-1]
        phase_iterations = 0
        while True:
            iterations += 1
            phase_iterations += 1
            result = _solve_once(loop, continuous, use_rule, deadline)
            seconds = time.perf_counter() - started
            if result.x is None:
                status = _stopped(result.status)
                return Solution(
                    status, None, None, None, None, iterations, loop.cuts, seconds
                )
            full = result.x if continuous else rounded_full(problem, result.x)
            x = full[:nv]
            values = problem.values(x)
            violated = selected(violated_cvs(problem, values))
            out_of_time = seconds >= costs.time_limit_seconds
            stop = out_of_time or phase_iterations >= costs.max_iterations
            if not last_phase:
                if violated and not stop:
                    _add_cuts(loop, violated, values, full)
                    continue
                break
            if continuous:
                gap, bound = 0.0, float(result.fun)
            else:
                bound = float(getattr(result, "mip_dual_bound", np.nan))
            # Unit costs are not negative, so no plan costs less than 0, but
            # the solver's bound can lie a rounding error below it.
            bound = max(bound, 0.0)
            cost = exact_dot(problem.objective, x)
            if not continuous:
                # The gap of the plan as delivered (rounded) to the valid bound.
                gap = max(0.0, (cost - bound) / cost) if cost > 0 else 0.0
            if not violated:
                status = "optimal" if result.status == 0 else _stopped(result.status)
                return Solution(
                    status, x, cost, bound, gap, iterations, loop.cuts, seconds
                )
            if stop:
                status = "time_limit" if out_of_time else "not_converged"
                return Solution(
                    status,
                    x,
                    cost,
                    bound,
                    gap,
                    iterations,
                    loop.cuts,
                    seconds,
                    violated,
                )
            _add_cuts(loop, violated, values, full)
    raise AssertionError("the loop returns from its last phase")


def _add_cuts(
    loop: _Loop, violated: list[tuple[str, int]], values: Floats, x: Floats
) -> None:
    for key in violated:
        if key not in loop.cones:
            loop.add_cone(*key)
        else:
            loop.refine(loop.cones[key], values, x)


def rounded_full(problem: Problem, x: Floats) -> Floats:
    """Round the model's decisions of ``x`` and keep the cone variables."""
    nv = problem.layout.size
    return np.concatenate([rounded(problem, x[:nv]), x[nv:]])
