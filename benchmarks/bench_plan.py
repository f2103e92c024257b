"""Time least-cost adjustment plans on SYNTHETIC counties from ``junheng demo``.

Two runs, each with a baseline from the same process:

* one county of about 300 schools: the full plan (target under 10 s on two
  cores), against the continuous relaxation of the same model (no integer
  teachers, classrooms or school-rule binaries), whose cost is a lower bound;
* the national synthetic dataset (2,849 counties): every county, or a sample
  of ``--counties N`` whose total time is extrapolated to all counties and
  printed as an estimate (target under 30 minutes of wall time), solved in
  ``--workers`` processes (one per core by default).

    python benchmarks/bench_plan.py                  # 300-school county only
    python benchmarks/bench_plan.py --counties 100   # plus a national sample
    python benchmarks/bench_plan.py --counties 0     # plus every county
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time

import numpy as np
import polars as pl
from rich.progress import Progress

from junheng import demo
from junheng.planning.adjust import plan_adjustment, plan_adjustments
from junheng.planning.adjust_model import build_problem
from junheng.planning.adjust_solve import solve
from junheng.planning.costs import AdjustCosts
from junheng.planning.units import county_units, section_units
from junheng.standards.loader import load_framework

SEED = 20240901


def _county_near(schools: pl.DataFrame, size: int) -> tuple[str, pl.DataFrame]:
    sizes = schools.group_by("division_code").len()
    nearest = sizes.with_columns((pl.col("len") - size).abs().alias("distance"))
    code = str(nearest.sort("distance", "division_code")["division_code"][0])
    return code, schools.filter(pl.col("division_code") == code)


def bench_county(size: int) -> None:
    fw = load_framework()
    # County sizes vary around the mean; take the one of eight nearest to it.
    schools = demo.generate_schools(counties=8, schools_per_county=size, seed=SEED)
    code, county = _county_near(schools, size)
    print(f"county {code}: {county.height} synthetic schools")

    started = time.process_time()
    result = plan_adjustment(county, fw, division_code=code, year=2024)
    total = time.process_time() - started
    summary = result.summary
    print(
        f"plan: {total:.2f} s CPU in all, "
        f"solver (wall) {summary.get('solve_seconds')} s, "
        f"{summary.get('iterations')} solves, {summary.get('cuts')} cuts, "
        f"gap {summary.get('gap')}, cost {summary.get('total_cost'):,.0f} yuan, "
        f"core confirms pass: {summary.get('core_confirms_pass')}"
    )

    started = time.process_time()
    problem = build_problem(section_units(county, fw), fw, AdjustCosts())
    relaxed = solve(problem, relax=True)
    relax_seconds = time.process_time() - started
    assert relaxed.cost is not None
    print(
        f"baseline, continuous relaxation: {relax_seconds:.2f} s CPU, cost "
        f"{relaxed.cost:,.0f} yuan (a lower bound)"
    )
    print(
        f"ratio plan/relaxation: time {total / relax_seconds:.2f}, cost "
        f"{summary['total_cost'] / max(relaxed.cost, 1e-9):.4f}"
    )


def _cpu() -> float:
    """CPU seconds of this process and of its finished worker processes."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def bench_national(sample: int, workers: int) -> None:
    fw = load_framework()
    started = time.perf_counter()
    schools = demo.generate_schools(seed=SEED)
    codes = sorted(schools["division_code"].unique().to_list())
    print(
        f"national synthetic dataset: {schools.height} schools, {len(codes)} "
        f"counties, generated in {time.perf_counter() - started:.1f} s"
    )
    if sample:
        rng = np.random.default_rng(SEED)
        codes = sorted(rng.choice(codes, size=min(sample, len(codes)), replace=False))

    by_county = schools.partition_by("division_code", as_dict=True)
    with Progress() as progress:
        task = progress.add_task("planning", total=len(codes))
        begin, wall_begin = _cpu(), time.perf_counter()
        results = plan_adjustments(
            schools,
            fw,
            year=2024,
            division_codes=codes,
            advance=lambda n: progress.advance(task, n),
            workers=workers,
        )
        total = _cpu() - begin
        wall = time.perf_counter() - wall_begin

    solver, gaps, relax_seconds = [], [], []
    cost, bound = 0.0, 0.0
    statuses: dict[str, int] = {}
    confirmed = 0
    planned = [code for code in codes if results[code].feasible]
    begin = time.process_time()
    units = county_units(schools.filter(pl.col("division_code").is_in(planned)), fw)
    relax_total = time.process_time() - begin
    for code in codes:
        result = results[code]
        status = str(result.summary.get("solver_status", "missing data"))
        statuses[status] = statuses.get(status, 0) + 1
        confirmed += bool(result.summary["core_confirms_pass"])
        if result.feasible:
            solver.append(float(result.summary["solve_seconds"]))
            gaps.append(float(result.summary["gap"] or 0.0))
            begin = time.process_time()
            relaxed = solve(build_problem(units[code], fw, AdjustCosts()), relax=True)
            relax_seconds.append(time.process_time() - begin)
            cost += float(result.summary["total_cost"])
            bound += relaxed.cost or 0.0
    relax_total += sum(relax_seconds)

    print(f"counties planned: {len(codes)}; statuses {statuses}")
    print(f"core confirms pass: {confirmed} of {len(codes)}")
    print(f"plan wall time: {wall:.1f} s ({wall / 60:.1f} min), {workers} workers")
    print(
        f"plan CPU time (with workers): {total:.1f} s in all, "
        f"{total / len(codes):.2f} s per "
        f"county; solver (wall) median {statistics.median(solver or [0]):.3f} s, "
        f"max {max(solver or [0]):.2f} s"
    )
    print(f"gap: max {max(gaps or [0]):.6f}, mean {statistics.fmean(gaps or [0]):.6f}")
    if sample:
        estimate = wall / len(codes) * len(by_county)
        print(
            f"ESTIMATE for all {len(by_county)} counties, extrapolated from the "
            f"sample of {len(codes)}: {estimate / 60:.1f} min of wall time"
        )
    print(
        f"baseline, continuous relaxation of the planned counties: "
        f"{relax_total:.1f} s CPU; ratio plan/relaxation: time "
        f"{total / max(relax_total, 1e-9):.2f}, cost "
        f"{cost / max(bound, 1e-9):.4f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size", type=float, default=300, help="mean number of schools per county"
    )
    parser.add_argument(
        "--counties",
        type=int,
        default=None,
        help="national sample size; 0 plans every county; omitted skips the run",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=len(os.sched_getaffinity(0)),
        help="processes that solve the national counties (default: one per core)",
    )
    args = parser.parse_args()
    print(demo.SYNTHETIC)
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    bench_county(int(args.size))
    if args.counties is not None:
        bench_national(args.counties, args.workers)
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
