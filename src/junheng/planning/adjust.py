"""Least-cost adjustment plan: the cheapest way for a county to pass part 1.

Part 1 of the framework (resource allocation) requires every school section
to meet the school rule and every indicator's between-school CV to stay within
its limit. :func:`plan_adjustment` finds the hires, transfers, building,
equipment and classrooms that achieve this at the least total cost (model and
solver in :mod:`junheng.planning.adjust_model`), applies them to the school
rows and runs :func:`junheng.evaluation.verdict.evaluate` on the result, so
that the evaluation core itself confirms the pass.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

import numpy as np
import polars as pl

from junheng.errors import FrameworkError, InputError
from junheng.evaluation.verdict import Evaluation, evaluate
from junheng.planning import adjust_explain, adjust_report
from junheng.planning.adjust_model import Problem, Solution, build_problem
from junheng.planning.adjust_solve import solve
from junheng.planning.costs import AdjustCosts
from junheng.planning.result import PlanResult
from junheng.planning.units import (
    BUILD_FIELDS,
    TEACHER_FIELDS,
    Units,
    county_units,
)
from junheng.standards.model import Framework

log = logging.getLogger(__name__)

SOLVER = "HiGHS (scipy.optimize.milp) with outer-approximation cuts"


@dataclass(frozen=True)
class Action:
    """One change to one school: a hire, a transfer, building or buying.

    ``section`` is empty for whole-school resources; ``counterpart`` names the
    other school of a transfer.
    """

    school_code: str
    section: str
    action: str
    """``hire``, ``transfer_in``, ``transfer_out``, ``build`` or ``buy``."""
    field: str
    quantity: float
    cost: float
    counterpart: str = ""


def plan_adjustment(
    schools: pl.DataFrame,
    framework: Framework,
    *,
    division_code: str,
    year: int,
    costs: AdjustCosts | None = None,
    county_items: pl.DataFrame | None = None,
) -> PlanResult:
    """Plan the least-cost changes that make one county-year pass part 1.

    Parameters
    ----------
    schools:
        Canonical school rows; only those of ``division_code`` and ``year``
        are read.
    framework:
        The framework whose indicators, thresholds, school rule and CV limits
        the plan meets. Its balance rule must be ``every``.
    division_code, year:
        The county-year to plan for.
    costs:
        Unit costs, limits and solver settings; the illustrative defaults of
        :class:`AdjustCosts` when ``None``.
    county_items:
        County-level items, passed to the evaluation of the adjusted data.

    Returns a :class:`PlanResult` of kind ``adjust``. An infeasible request
    comes back with ``feasible=False`` and messages naming the school,
    section and indicator (or the CV) that cannot be met.
    """
    results = plan_adjustments(
        schools,
        framework,
        year=year,
        division_codes=[division_code],
        costs=costs,
        county_items=county_items,
    )
    return results[division_code]


def plan_adjustments(
    schools: pl.DataFrame,
    framework: Framework,
    *,
    year: int,
    division_codes: list[str] | None = None,
    costs: AdjustCosts | None = None,
    county_items: pl.DataFrame | None = None,
    advance: Callable[[int], None] | None = None,
    workers: int = 1,
) -> dict[str, PlanResult]:
    """Plan the least-cost changes for many counties of one year at once.

    Each county gets the plan :func:`plan_adjustment` gives it alone, but
    the evaluation of the data as given, the unit query and the evaluation
    of the adjusted data each run once for all counties. ``division_codes``
    defaults to every county with school rows in ``year``. ``workers`` above
    1 solves the counties in that many worker processes, in chunks of
    :data:`CHUNK_COUNTIES`; the results do not depend on the number of
    workers. ``advance(n)`` is called as ``n`` more counties are solved
    (for a progress bar). Returns the results by division code, in code
    order.
    """
    costs = costs or AdjustCosts()
    if framework.balance_rule.mode != "every":
        raise FrameworkError(
            f"framework {framework.id} limits the mean of the CVs (balance mode "
            f"{framework.balance_rule.mode!r}); the least-cost plan supports only "
            "a limit on every indicator's CV (mode 'every')",
            zh=f"评估办法 {framework.id} 限制综合差异系数，最低成本方案仅支持"
            "逐项差异系数限值（mode: every）",
        )
    rows = schools.filter(pl.col("year") == year)
    present = {str(c) for c in rows["division_code"].unique()}
    codes = sorted(present if division_codes is None else set(division_codes))
    for code in codes:
        if code not in present:
            raise InputError(
                f"no school rows of division {code} in {year}; check "
                "--county and --year against the data",
                zh=f"数据中没有 {code} 在 {year} 学年的学校记录；"
                "请核对 --county 和 --year",
            )
    rows = rows.filter(pl.col("division_code").cast(pl.String).is_in(codes))
    items = None
    if county_items is not None:
        items = county_items.filter(
            pl.col("division_code").cast(pl.String).is_in(codes)
            & (pl.col("year") == year)
        )
    log.info("planning adjustment for %d counties in %d", len(codes), year)
    before = _checked(evaluate(rows, framework, items, indicator_rollups=False))
    all_units = county_units(rows, framework)
    outcomes = _solve_counties(
        [(code, all_units[code]) for code in codes],
        _Task(framework, costs, year),
        workers,
        advance,
    )
    by_county = {
        str(key[0]): part
        for key, part in rows.partition_by("division_code", as_dict=True).items()
    }
    results: dict[str, PlanResult] = {}
    pending: dict[str, tuple[adjust_report.Report, Solution, list[Action]]] = {}
    adjusted: list[pl.DataFrame] = []
    for code in codes:
        outcome = outcomes[code]
        report = adjust_report.Report(
            framework, costs, code, year, before(code, False), all_units[code].frame
        )
        if outcome.actions is None:
            results[code] = report.infeasible(outcome.messages, outcome.solution)
        else:
            assert outcome.solution is not None
            pending[code] = (report, outcome.solution, outcome.actions)
            adjusted.append(apply_actions(by_county[code], outcome.actions))
    if pending:
        after_items = None
        if items is not None:
            after_items = items.filter(
                pl.col("division_code").cast(pl.String).is_in(list(pending))
            )
        evaluation = evaluate(
            pl.concat(adjusted, how="vertical_relaxed"),
            framework,
            after_items,
            indicator_rollups=False,
        )
        after = _checked(evaluation)
        for code, (report, solution, actions) in pending.items():
            results[code] = report.planned(solution, actions, after(code, True))
    return {code: results[code] for code in codes}


CHUNK_COUNTIES = 4
"""Counties a worker process solves per task. Small chunks keep every worker
busy while one of them is on a county that runs into its time limit."""


@dataclass(frozen=True)
class _Task:
    """Inputs that every county of a batch shares."""

    framework: Framework
    costs: AdjustCosts
    year: int


@dataclass
class Outcome:
    """The solve of one county: a solution with its actions, or the reasons
    that no plan exists (``actions`` is ``None`` then)."""

    solution: Solution | None
    actions: list[Action] | None
    messages: list[adjust_explain.Message]


def _solve_counties(
    jobs: list[tuple[str, Units]],
    task: _Task,
    workers: int,
    advance: Callable[[int], None] | None,
) -> dict[str, Outcome]:
    """Solve every county of ``jobs``, here or in ``workers`` processes.

    A county's solve reads its own data only, so the worker that solves it
    does not change its outcome. Returns the outcomes in the order of
    ``jobs``.
    """
    if workers <= 1 or len(jobs) <= 1:
        outcomes = {}
        for code, units in jobs:
            outcomes[code] = _solve_county(code, units, task)
            if advance is not None:
                advance(1)
        return outcomes
    chunks = [jobs[i : i + CHUNK_COUNTIES] for i in range(0, len(jobs), CHUNK_COUNTIES)]
    found: dict[str, Outcome] = {}
    # Spawned workers start clean; a forked copy of this process would
    # inherit the thread pools of Polars and DuckDB in an undefined state.
    with ProcessPoolExecutor(
        max_workers=min(workers, len(chunks)),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(task,),
    ) as pool:
        futures = [pool.submit(_solve_chunk, chunk) for chunk in chunks]
        for future in as_completed(futures):
            solved = future.result()
            found.update(solved)
            if advance is not None:
                advance(len(solved))
    return {code: found[code] for code, _ in jobs}


_worker_task: _Task | None = None
"""The shared part of the batch, set once in each worker process."""


def _start_worker(task: _Task) -> None:
    global _worker_task
    _worker_task = task


def _solve_chunk(chunk: list[tuple[str, Units]]) -> dict[str, Outcome]:
    assert _worker_task is not None
    return {code: _solve_county(code, units, _worker_task) for code, units in chunk}


def _solve_county(code: str, units: Units, task: _Task) -> Outcome:
    """Solve one county: the reasons if no plan is possible, else the
    solution and its actions for the evaluation of the adjusted data."""
    costs = task.costs
    problem = build_problem(units, task.framework, costs)
    missing = adjust_report.missing_values(problem)
    if missing:
        return Outcome(None, None, missing)
    if units.frame.is_empty():
        # No section has students, so there is nothing to change or to solve.
        empty = Solution("optimal", np.zeros(0), 0.0, 0.0, 0.0, 0, 0, 0.0)
        return Outcome(empty, [], [])
    solution = solve(problem)
    log.info(
        "adjustment %s %d: %s after %d solves, cost %s",
        code,
        task.year,
        solution.status,
        solution.iterations,
        solution.cost,
    )
    if solution.x is None:
        if solution.status == "infeasible":
            return Outcome(solution, None, adjust_explain.explain(problem))
        return Outcome(
            solution, None, [adjust_report.limit_message(solution.status, costs)]
        )
    return Outcome(solution, plan_actions(problem, solution.x, costs), [])


def _checked(ev: Evaluation) -> Callable[[str, bool], adjust_report.Checked]:
    """Split ``ev`` by county: a function from division code to its rows."""
    sections = ev.sections.with_columns(pl.col("division_code").cast(pl.String))
    by_code = sections.partition_by("division_code", as_dict=True)
    values: dict[tuple[object, ...], pl.DataFrame] = {}
    empty_values: pl.DataFrame | None = None

    def county(code: str, with_values: bool) -> adjust_report.Checked:
        nonlocal values, empty_values
        unit_values = None
        if with_values:
            if empty_values is None:
                frame = ev.engine.query("SELECT * FROM unit_values WHERE students > 0")
                frame = frame.with_columns(pl.col("division_code").cast(pl.String))
                values = frame.partition_by("division_code", as_dict=True)
                empty_values = frame.clear()
            unit_values = values.get((code,), empty_values)
        return adjust_report.Checked(
            by_code.get((code,), sections.clear()), unit_values
        )

    return county


def _decision(x: np.ndarray, column: int) -> float:
    return float(x[column]) if abs(x[column]) > 1e-9 else 0.0


def plan_actions(problem: Problem, x: np.ndarray, costs: AdjustCosts) -> list[Action]:
    """Turn the solver's vector into actions, transfers paired school to school.

    Transfers of one section and teacher kind are pooled in the model. They are
    paired here in school-code order: each sender's teachers go to the first
    receivers that still need some.
    """
    layout = problem.layout
    codes = problem.units.frame["school_code"].to_list()
    actions: list[Action] = []
    for k, name in enumerate(TEACHER_FIELDS):
        for section in sorted(set(problem.sections)):
            senders, receivers = [], []
            for u in range(layout.units):
                if problem.sections[u] != section:
                    continue
                hires = round(_decision(x, layout.hire(u, k)))
                if hires:
                    actions.append(
                        Action(
                            codes[u],
                            section,
                            "hire",
                            name,
                            hires,
                            hires * costs.hire_yuan,
                        )
                    )
                out = round(_decision(x, layout.transfer_out(u, k)))
                incoming = round(_decision(x, layout.transfer_in(u, k)))
                senders += [codes[u]] * out
                receivers += [codes[u]] * incoming
            actions += _paired_transfers(section, name, senders, receivers, costs)
    school_codes = sorted(set(codes))
    prices = (
        costs.floor_area_yuan_per_m2,
        costs.sports_area_yuan_per_m2,
        costs.equipment_yuan_per_yuan,
        costs.multimedia_classroom_yuan,
    )
    for s, code in enumerate(school_codes):
        for f, name in enumerate(BUILD_FIELDS):
            amount = _decision(x, layout.build(s, f))
            if amount:
                kind = "buy" if name == "equipment_value_yuan" else "build"
                actions.append(Action(code, "", kind, name, amount, amount * prices[f]))
    return sorted(actions, key=lambda a: (a.school_code, a.section, a.field, a.action))


def _paired_transfers(
    section: str,
    field: str,
    senders: list[str],
    receivers: list[str],
    costs: AdjustCosts,
) -> list[Action]:
    pairs: dict[tuple[str, str], int] = {}
    for source, target in zip(senders, receivers, strict=True):
        pairs[(source, target)] = pairs.get((source, target), 0) + 1
    actions = []
    for (source, target), count in sorted(pairs.items()):
        actions.append(
            Action(source, section, "transfer_out", field, count, 0.0, target)
        )
        actions.append(
            Action(
                target,
                section,
                "transfer_in",
                field,
                count,
                count * costs.transfer_yuan,
                source,
            )
        )
    return actions


def apply_actions(schools: pl.DataFrame, actions: list[Action]) -> pl.DataFrame:
    """Return ``schools`` with every action applied to its school row.

    A teacher hired or moved changes the section's count of that kind and its
    full-time teacher total alike.
    """
    changes: dict[tuple[str, str], float] = {}
    for action in actions:
        sign = -1.0 if action.action == "transfer_out" else 1.0
        columns = [action.field]
        if action.section:
            columns = [f"{action.section}_{action.field}", f"{action.section}_teachers"]
        for column in columns:
            key = (action.school_code, column)
            changes[key] = changes.get(key, 0.0) + sign * action.quantity
    adjusted = schools
    for column in sorted({c for _, c in changes}):
        delta = pl.Series(
            [changes.get((code, column), 0.0) for code in schools["school_code"]],
            dtype=pl.Float64,
        )
        dtype = schools.schema[column]
        adjusted = adjusted.with_columns(
            (pl.col(column).cast(pl.Float64) + delta).cast(dtype).alias(column)
        )
    return adjusted


def part_one_passes(ev: Evaluation) -> bool:
    """Return whether every section passes the school rule and the CV limits."""
    return adjust_report.Checked(ev.sections).passes


def solution_summary(solution: Solution) -> dict[str, object]:
    """Return the solver figures of ``solution`` for the plan summary."""
    gap = solution.gap
    return {
        "solver": SOLVER,
        "solver_status": solution.status,
        "iterations": solution.iterations,
        "cuts": solution.cuts,
        "gap": None if gap is None or math.isnan(gap) else round(gap, 6),
        "lower_bound": solution.lower_bound,
        "solve_seconds": round(solution.seconds, 3),
    }
