"""Time least-cost adjustment plans on SYNTHETIC counties from ``junheng demo``.

Two runs, each with a baseline from the same process:

* one county of about 300 schools: the full plan (target under 10 s on two
  cores), against the continuous relaxation of the same model (no integer
  teachers, classrooms or school-rule binaries), whose cost is a lower bound;
* the national synthetic dataset (2,849 counties): every county, or a sample
  of ``--counties N`` whose total time is extrapolated to all counties and
  printed as an estimate (target under 30 minutes).

    python benchmarks/bench_plan.py                  # 300-school county only
    python benchmarks/bench_plan.py --counties 100   # plus a national sample
    python benchmarks/bench_plan.py --counties 0     # plus every county
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
import polars as pl
from rich.progress import Progress

from junheng import demo
from junheng.planning.adjust import plan_adjustment
from junheng.planning.adjust_model import build_problem
from junheng.planning.adjust_solve import solve
from junheng.planning.costs import AdjustCosts
from junheng.planning.units import section_units
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

    started = time.perf_counter()
    result = plan_adjustment(county, fw, division_code=code, year=2024)
    total = time.perf_counter() - started
    summary = result.summary
    print(
        f"plan: {total:.2f} s in all, solver {summary.get('solve_seconds')} s, "
        f"{summary.get('iterations')} solves, {summary.get('cuts')} cuts, "
        f"gap {summary.get('gap')}, cost {summary.get('total_cost'):,.0f} yuan, "
        f"core confirms pass: {summary.get('core_confirms_pass')}"
    )

    started = time.perf_counter()
    problem = build_problem(section_units(county, fw), fw, AdjustCosts())
    relaxed = solve(problem, relax=True)
    relax_seconds = time.perf_counter() - started
    assert relaxed.cost is not None
    print(
        f"baseline, continuous relaxation: {relax_seconds:.2f} s, cost "
        f"{relaxed.cost:,.0f} yuan (a lower bound)"
    )
    print(
        f"ratio plan/relaxation: time {total / relax_seconds:.2f}, cost "
        f"{summary['total_cost'] / max(relaxed.cost, 1e-9):.4f}"
    )


def bench_national(sample: int) -> None:
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
    seconds, solver, gaps, relax_seconds = [], [], [], []
    cost, bound = 0.0, 0.0
    statuses: dict[str, int] = {}
    confirmed = 0
    with Progress() as progress:
        task = progress.add_task("planning", total=len(codes))
        for code in codes:
            county = by_county[(code,)]
            begin = time.perf_counter()
            result = plan_adjustment(county, fw, division_code=code, year=2024)
            seconds.append(time.perf_counter() - begin)
            status = str(result.summary.get("solver_status", "missing data"))
            statuses[status] = statuses.get(status, 0) + 1
            confirmed += bool(result.summary["core_confirms_pass"])
            if result.feasible:
                solver.append(float(result.summary["solve_seconds"]))
                gaps.append(float(result.summary["gap"] or 0.0))
                begin = time.perf_counter()
                problem = build_problem(section_units(county, fw), fw, AdjustCosts())
                relaxed = solve(problem, relax=True)
                relax_seconds.append(time.perf_counter() - begin)
                cost += float(result.summary["total_cost"])
                bound += relaxed.cost or 0.0
            progress.advance(task)

    total = sum(seconds)
    print(f"counties planned: {len(codes)}; statuses {statuses}")
    print(f"core confirms pass: {confirmed} of {len(codes)}")
    print(
        f"plan time: {total:.1f} s in all, median {statistics.median(seconds):.2f} s, "
        f"max {max(seconds):.2f} s; solver median "
        f"{statistics.median(solver or [0]):.3f} s, max {max(solver or [0]):.2f} s"
    )
    print(f"gap: max {max(gaps or [0]):.6f}, mean {statistics.fmean(gaps or [0]):.6f}")
    if sample:
        estimate = total / len(codes) * len(by_county)
        print(
            f"ESTIMATE for all {len(by_county)} counties, extrapolated from the "
            f"sample of {len(codes)}: {estimate / 60:.1f} min"
        )
    print(
        f"baseline, continuous relaxation of the planned counties: "
        f"{sum(relax_seconds):.1f} s; ratio plan/relaxation: time "
        f"{total / max(sum(relax_seconds), 1e-9):.2f}, cost "
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
    args = parser.parse_args()
    print(demo.SYNTHETIC)
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    bench_county(int(args.size))
    if args.counties is not None:
        bench_national(args.counties)
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
