"""Benchmark the evaluation on the synthetic national dataset.

Prints, in one run on one machine:

* the engine computation (indicators, school rule, CVs, verdicts) on all rows once
  the data is loaded into DuckDB, for the two-pass and the one-pass variance;
* a straightforward pandas groupby implementation of the same computation, and
  the ratio between the two, with the largest CV difference as a cross-check;
* ``junheng evaluate`` end to end on the saved national Parquet file;
* reading and validating a 200,000-row Excel file.

The dataset is synthetic (``junheng.demo``), seeded, about 200,000 schools over
10 years in the 2,849 county-level divisions. Run::

    python benchmarks/bench_evaluate.py [--years 10] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import polars as pl

from junheng import demo
from junheng.engine.compute import compute, load_schools
from junheng.ingest import load_inputs
from junheng.standards.loader import load_framework
from junheng.standards.model import Framework


def children_cpu() -> float:
    """Return the user and system CPU seconds of the ended child processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def best_of(repeat: int, run: Callable[[], Any]) -> tuple[float, Any]:
    """Return the shortest wall time of ``repeat`` runs and the last result."""
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def pandas_baseline(schools: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """Compute section CVs and school compliance with plain pandas groupby."""
    inc = fw.inclusion
    df = schools
    df = df[df["school_type"].isin([t for t, s in fw.school_types.items() if s])]
    if not inc.include_private:
        df = df[df["ownership"] != "民办"]
    if inc.teaching_point_min_students is not None:
        small = (df["school_type"] == "教学点") & (
            df["primary_students"].fillna(0) < inc.teaching_point_min_students
        )
        df = df[~small]
    weights = fw.split.weights
    enrolled = {}
    for section in fw.sections:
        types = [t for t, s in fw.school_types.items() if section in s]
        enrolled[section] = np.where(
            df["school_type"].isin(types), df[f"{section}_students"].fillna(0), 0
        ).astype(float)
    weighted = sum(weights[s] * enrolled[s] for s in fw.sections) + weights[
        "senior"
    ] * df["senior_students"].fillna(0).to_numpy(float)
    frames = []
    for section in fw.sections:
        types = [t for t, s in fw.school_types.items() if section in s]
        mask = df["school_type"].isin(types).to_numpy()
        part = pd.DataFrame(
            {
                "year": df["year"].to_numpy()[mask],
                "division_code": df["division_code"].to_numpy()[mask],
                "section": section,
                "students": df[f"{section}_students"].to_numpy(float)[mask],
            }
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            share = weights[section] * enrolled[section][mask] / weighted[mask]
        for name in (
            "teaching_aux_area_m2",
            "sports_area_m2",
            "equipment_value_yuan",
            "multimedia_classrooms",
        ):
            part[name] = df[name].to_numpy(float)[mask] * share
        for name in (
            "teachers_above_required_degree",
            "backbone_teachers",
            "pe_art_teachers",
        ):
            part[name] = df[f"{section}_{name}"].to_numpy(float)[mask]
        frames.append(part)
    units = pd.concat(frames, ignore_index=True)
    p = units["students"].where(units["students"] > 0)
    values = {
        "L1": units["teachers_above_required_degree"] * 100 / p,
        "L2": units["backbone_teachers"] * 100 / p,
        "L3": units["pe_art_teachers"] * 100 / p,
        "L4": units["teaching_aux_area_m2"] / p,
        "L5": units["sports_area_m2"] / p,
        "L6": units["equipment_value_yuan"] / p,
        "L7": units["multimedia_classrooms"] * 100 / p,
    }
    rule = fw.school_rule
    assert rule is not None
    met = pd.DataFrame(index=units.index)
    floor = pd.DataFrame(index=units.index)
    for ind in fw.resource_indicators:
        assert ind.threshold is not None
        thr = units["section"].map(ind.threshold)
        units[ind.id] = values[ind.id]
        met[ind.id] = values[ind.id] >= thr
        floor[ind.id] = values[ind.id] >= thr * rule.floor_ratio
    units["compliant"] = (met.sum(axis=1) >= rule.min_met) & floor.all(axis=1)
    units["noncompliant"] = (~units["compliant"]).astype("int64")
    keys = ["year", "division_code", "section"]
    out = units.groupby(keys)[["students", "noncompliant"]].sum()
    for ind in fw.resource_indicators:
        i = ind.id
        units["p"] = units["students"].where(units[i].notna())
        units["px"] = units["p"] * units[i]
        sums = units.groupby(keys)[["p", "px"]].transform("sum")
        units["dev"] = units["p"] * (units[i] - sums["px"] / sums["p"]) ** 2
        totals = units.groupby(keys)[["p", "px", "dev"]].sum()
        mean = totals["px"] / totals["p"]
        out[f"cv_{i}"] = np.sqrt(totals["dev"] / totals["p"]) / mean
    limits = pd.Series(fw.balance_rule.cv_limit)
    cv_cols = [f"cv_{i.id}" for i in fw.resource_indicators]
    section_limit = out.index.get_level_values("section").map(limits).to_numpy()
    out["balanced"] = (out[cv_cols].to_numpy() <= section_limit[:, None]).all(axis=1)
    out["section_pass"] = out["balanced"] & (out["noncompliant"] == 0)
    verdict = out.groupby(["year", "division_code"])["section_pass"].all()
    return out.join(verdict.rename("county_pass"), on=["year", "division_code"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--schools-per-county", type=float, default=70)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--excel-rows", type=int, default=200_000)
    parser.add_argument(
        "--skip-full-json",
        action="store_true",
        help="Leave out the JSON run of every county (about a minute).",
    )
    args = parser.parse_args()

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}, "
        f"Polars {pl.__version__}; load average at start "
        f"{os.getloadavg()[0]:.1f}"
    )
    fw = load_framework("cn-2017-quality")
    start = time.perf_counter()
    schools = demo.generate_schools(
        schools_per_county=args.schools_per_county, years=args.years
    )
    items = demo.generate_county_items(schools)
    print(
        f"synthetic dataset: {schools.height:,} school-years, "
        f"{schools['division_code'].n_unique():,} counties, {args.years} years "
        f"(generated in {time.perf_counter() - start:.1f} s)"
    )

    # Each variance form gets its own connection, so both results stay readable.
    connections = [duckdb.connect(), duckdb.connect()]
    start = time.perf_counter()
    table = load_schools(schools, connections[0])
    print(f"load into DuckDB: {time.perf_counter() - start:.2f} s")
    load_schools(schools, connections[1])
    two_pass, result = best_of(
        args.repeat, lambda: compute(table, fw, items, con=connections[0])
    )
    one_pass, fast = best_of(
        args.repeat,
        lambda: compute(table, fw, items, con=connections[1], two_pass=False),
    )
    verdicts = result.table("verdicts")["verdict"].value_counts()
    print(f"engine (DuckDB SQL), two-pass variance: {two_pass * 1000:,.0f} ms")
    print(f"engine (DuckDB SQL), one-pass variance: {one_pass * 1000:,.0f} ms")
    print(f"verdicts: {dict(zip(verdicts['verdict'], verdicts['count'], strict=True))}")

    cv_cols = [f"cv_{i.id}" for i in fw.resource_indicators]
    a = result.table("county_stats").sort("year", "division_code", "section")
    b = fast.table("county_stats").sort("year", "division_code", "section")
    one_pass_diff = max(
        float((a[c] - b[c]).abs().max() or 0.0)
        for c in cv_cols  # type: ignore[arg-type]
    )
    print(f"largest CV difference, one-pass vs two-pass: {one_pass_diff:.2e}")

    frame = schools.to_pandas()
    baseline, expected = best_of(args.repeat, lambda: pandas_baseline(frame, fw))
    print(f"pandas groupby baseline: {baseline * 1000:,.0f} ms")
    print(
        f"ratio pandas / engine (two-pass): {baseline / two_pass:.1f}x; "
        f"(one-pass): {baseline / one_pass:.1f}x"
    )
    merged = pl.from_pandas(expected.reset_index()).join(
        a, on=["year", "division_code", "section"], suffix="_engine"
    )
    diff = max(
        float((merged[c] - merged[f"{c}_engine"]).abs().max() or 0.0)  # type: ignore[arg-type]
        for c in cv_cols
    )
    print(
        f"largest CV difference, pandas vs engine: {diff:.2e} "
        f"over {merged.height:,} county sections"
    )

    with tempfile.TemporaryDirectory() as tmp:
        national = Path(tmp) / "national.parquet"
        demo.save_dataset(schools, items, national)
        items_file = national.with_name("national.county_items.parquet")
        inputs = [str(national), str(items_file)]
        runs = {
            "terminal summary (default)": [],
            "JSON of every county, no school list": [
                "--format",
                "json",
                "--no-schools",
                "-o",
                str(Path(tmp) / "out.json"),
            ],
        }
        if args.skip_full_json:
            del runs["JSON of every county, no school list"]
        for label, options in runs.items():
            command = [sys.executable, "-m", "junheng.cli", "evaluate", *inputs]
            start = time.perf_counter()
            cpu_start = children_cpu()
            subprocess.run([*command, *options], check=True, capture_output=True)
            print(
                f"junheng evaluate on the national Parquet files, {label}: "
                f"{time.perf_counter() - start:.2f} s "
                f"(CPU {children_cpu() - cpu_start:.2f} s)"
            )

        excel = Path(tmp) / "schools.xlsx"
        first = schools.filter(pl.col("year") == schools["year"].min()).head(
            args.excel_rows
        )
        demo.save_dataset(first, items.head(0), excel)
        cpu_start = time.process_time()
        seconds, imported = best_of(1, lambda: load_inputs([excel], framework=fw))
        print(
            f"import and validation of a {first.height:,}-row Excel file: "
            f"{seconds:.2f} s (CPU {time.process_time() - cpu_start:.2f} s, "
            f"{imported.schools.height:,} rows)"
        )
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
