"""Benchmark the teacher rotation plan and the school pairing.

Prints, in one run on one machine, each figure next to a baseline:

* the rotation plan of a synthetic county of about 5,000 teachers, which the
  size sends to the greedy search. The baseline is a naive plan that moves the
  longest-serving eligible teachers, backbone quota first, to the next school
  section in code order;
* on a smaller county that the exact program solves, the greedy search against
  the exact optimum of the same objective;
* the pairing of a synthetic province against a greedy matching that gives each
  weak school section, weakest first, its cheapest strong partner with room.

All data are SYNTHETIC (``junheng.demo`` and ``junheng.planning.synthetic``),
seeded. Run::

    python benchmarks/bench_rotation.py [--schools 145] [--counties 100]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections import defaultdict
from typing import Any

import polars as pl

from junheng import demo
from junheng.planning import pairing
from junheng.planning.rotation import RotationRule, plan_rotation
from junheng.planning.rotation_rule import required_counts
from junheng.planning.school_values import evaluate_units
from junheng.planning.synthetic import (
    SYNTHETIC_ROSTER,
    generate_locations,
    generate_roster,
)
from junheng.standards.loader import load_framework

FRAMEWORK = load_framework()
TEACHER_IDS = ("L1", "L2", "L3")


def timed(run: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def county_data(schools_per_county: float, seed: int) -> tuple[pl.DataFrame, ...]:
    schools = demo.generate_schools(
        counties=1, schools_per_county=schools_per_county, seed=seed
    )
    places = generate_locations(schools, seed=seed)
    schools = schools.join(places, on="school_code")
    roster = generate_roster(schools, seed=seed, locations=places)
    return schools, roster


def mean_cv(stats: pl.DataFrame) -> float:
    values = [v for i in TEACHER_IDS for v in stats[f"cv_{i}"].to_list()]
    return sum(values) / len(values)


def naive_plan(
    schools: pl.DataFrame, roster: pl.DataFrame, rule: RotationRule
) -> pl.DataFrame:
    """Return the school rows after the naive baseline plan."""
    units, _ = evaluate_units(schools, FRAMEWORK)
    keys = {(r["school_code"], r["section"]) for r in units.iter_rows(named=True)}
    eligible = roster.filter(
        pl.col("years_at_school") >= rule.min_years_at_school
    ).filter(
        pl.struct("school_code", "section").map_elements(
            lambda r: (r["school_code"], r["section"]) in keys,
            return_dtype=pl.Boolean,
        )
    )
    low, _, backbone_low = required_counts(eligible.height, rule)
    ordered = eligible.sort(["years_at_school", "teacher_id"], descending=[True, False])
    chosen = pl.concat(
        [
            ordered.filter(pl.col("backbone")).head(backbone_low),
            ordered.filter(~pl.col("backbone")).head(low - backbone_low),
        ]
    )
    by_section: dict[str, list[str]] = defaultdict(list)
    for code, section in sorted(keys):
        by_section[section].append(code)
    delta: dict[tuple[str, str], int] = defaultdict(int)
    pe_art = set(RotationRule.default().pe_art_subjects)
    for t in chosen.iter_rows(named=True):
        codes = by_section[t["section"]]
        target = codes[(codes.index(t["school_code"]) + 1) % len(codes)]
        flags = {
            "teachers": True,
            "backbone_teachers": t["backbone"],
            "teachers_above_required_degree": t["above_required_degree"],
            "pe_art_teachers": t["subject"].lower() in pe_art,
        }
        for name, has in flags.items():
            if has:
                delta[(t["school_code"], f"{t['section']}_{name}")] -= 1
                delta[(target, f"{t['section']}_{name}")] += 1
    changes = []
    for column in sorted({c for _, c in delta}):
        mapping = {code: d for (code, c), d in delta.items() if c == column}
        shift = pl.col("school_code").replace_strict(
            mapping, default=0, return_dtype=pl.Int64
        )
        changes.append((pl.col(column) + shift).alias(column))
    return schools.with_columns(changes)


def bench_rotation(schools_per_county: float, seed: int) -> None:
    schools, roster = county_data(schools_per_county, seed)
    code = schools["division_code"][0]
    print(f"county {code}: {schools.height} schools, {roster.height} teachers")
    rule = RotationRule.default()
    seconds, plan = timed(
        lambda: plan_rotation(
            roster, schools, FRAMEWORK, division_code=code, year=2024, rule=rule
        )
    )
    _, before = evaluate_units(schools, FRAMEWORK)
    after_cv = sum(r["cv_after"] for r in plan.table("cvs").rows) / len(
        plan.table("cvs").rows
    )
    base_seconds, base_frame = timed(lambda: naive_plan(schools, roster, rule))
    _, base_stats = evaluate_units(base_frame, FRAMEWORK)
    s = plan.summary
    print(
        f"  plan ({s['method']}): {seconds:.2f} s, {s['rotated']} moves "
        f"({s['backbone_rotated']} backbone), proxy {s['proxy_before']:.4f} -> "
        f"{s['proxy_after']:.4f}"
    )
    print(
        f"  mean CV of L1-L3: before {mean_cv(before):.4f}, plan {after_cv:.4f}, "
        f"naive baseline {mean_cv(base_stats):.4f} ({base_seconds:.2f} s)"
    )
    print(
        f"  mean CV change: plan {after_cv - mean_cv(before):+.4f}, naive "
        f"{mean_cv(base_stats) - mean_cv(before):+.4f}"
    )


def bench_exact_vs_greedy(seed: int) -> None:
    schools, roster = county_data(20, seed)
    code = schools["division_code"][0]
    runs = {}
    for name, limit in (("exact", 10**9), ("greedy", 0)):
        rule = RotationRule.default().updated({"exact_max_variables": limit})
        runs[name] = timed(
            lambda rule=rule: plan_rotation(
                roster, schools, FRAMEWORK, division_code=code, year=2024, rule=rule
            )
        )
    (t_exact, exact), (t_greedy, greedy) = runs["exact"], runs["greedy"]
    before = exact.summary["proxy_before"]
    gain_exact = before - exact.summary["proxy_after"]
    gain_greedy = before - greedy.summary["proxy_after"]
    print(
        f"county {code}: {roster.height} teachers; exact {t_exact:.2f} s proxy "
        f"{exact.summary['proxy_after']:.4f}; greedy {t_greedy:.2f} s proxy "
        f"{greedy.summary['proxy_after']:.4f}; greedy reaches "
        f"{gain_greedy / gain_exact:.0%} of the exact improvement"
    )


def province_data(counties: int, seed: int) -> pl.DataFrame:
    schools = demo.generate_schools(counties=counties, schools_per_county=60, seed=seed)
    codes = sorted(schools["division_code"].unique().to_list())
    relabel = {c: f"41{i + 1:04d}" for i, c in enumerate(codes)}
    return schools.with_columns(pl.col("division_code").replace_strict(relabel))


def section_pools(
    schools: pl.DataFrame, places: pl.DataFrame, options: pairing.PairingOptions
) -> dict[str, tuple[list[Any], list[int], list[int], Any]]:
    """Return, per section, the units, weak and strong indexes and pair costs."""
    frame, _ = evaluate_units(schools, FRAMEWORK)
    where = {
        r["school_code"]: (r["lat"], r["lon"]) for r in places.iter_rows(named=True)
    }
    units = pairing._units(frame, FRAMEWORK, options, where)
    pools = {}
    for section in ("primary", "junior"):
        strong = [i for i, u in enumerate(units) if u.section == section and u.strong]
        weak = [i for i, u in enumerate(units) if u.section == section and u.below]
        cost, _ = pairing.pool_costs(units, weak, strong, options)
        pools[section] = (units, weak, strong, cost)
    return pools


def greedy_pairing(
    pools: dict[str, tuple[list[Any], list[int], list[int], Any]], capacity: int
) -> tuple[int, float]:
    """Return (pairs, total pair cost) of the weakest-first greedy matching."""
    pairs, total = 0, 0.0
    for units, weak, strong, cost in pools.values():
        room = [capacity] * len(strong)
        order = sorted(
            range(len(weak)),
            key=lambda r: (
                -pairing._deficit(units[weak[r]]),
                units[weak[r]].school_code,
            ),
        )
        for row in order:
            best = None
            for j in range(len(strong)):
                if room[j] and (best is None or cost[row, j] < cost[row, best]):
                    best = j
            if best is not None:
                room[best] -= 1
                pairs += 1
                total += float(cost[row, best])
    return pairs, total


def bench_pairing(counties: int, seed: int) -> None:
    schools = province_data(counties, seed)
    places = generate_locations(schools, seed=seed)
    options = pairing.PairingOptions(cross_county=True)
    seconds, plan = timed(
        lambda: pairing.plan_pairing(
            schools,
            FRAMEWORK,
            division_code="41",
            year=2024,
            options=options,
            locations=places,
        )
    )
    pools = section_pools(schools, places, options)
    total = 0.0
    for row in plan.table("pairs").rows:
        units, weak, strong, cost = pools[row["section"]]
        w = next(
            r for r, i in enumerate(weak) if units[i].school_code == row["weak_code"]
        )
        s = next(
            j
            for j, i in enumerate(strong)
            if units[i].school_code == row["strong_code"]
        )
        total += float(cost[w, s])
    base_seconds, (base_pairs, base_total) = timed(
        lambda: greedy_pairing(pools, options.capacity)
    )
    s = plan.summary
    print(
        f"province: {counties} counties, {schools.height} schools, "
        f"{s['strong']} strong and {s['weak']} weak sections"
    )
    print(
        f"  matching: {seconds:.2f} s, {s['paired']} pairs, total cost {total:.1f}, "
        f"{s['pools_truncated']} weak sections with truncated candidates"
    )
    print(
        f"  greedy baseline (cost matrix given): {base_seconds:.2f} s, {base_pairs} "
        f"pairs, total cost {base_total:.1f}; the matching costs "
        f"{base_total - total:.1f} less ({(base_total - total) / abs(base_total):.1%})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--schools", type=float, default=145)
    parser.add_argument("--counties", type=int, default=100)
    parser.add_argument("--seed", type=int, default=20240901)
    args = parser.parse_args()
    print(SYNTHETIC_ROSTER)
    print(
        f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load {os.getloadavg()[0]:.1f}"
    )
    bench_rotation(args.schools, args.seed)
    bench_exact_vs_greedy(args.seed)
    bench_pairing(args.counties, args.seed)
    print(f"load at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
