"""Split the engine's CPU time into its stages and compare it with bare queries.

Loads the synthetic national dataset (``junheng.demo``, seed 20240901) into
DuckDB, runs :func:`junheng.engine.compute.compute` and then times, as separate
statements on the same connection:

* the narrow unit relation ``unit_core`` alone, then with fewer of its columns,
  to show what the indicator values, the school rule and the school-level
  checks each add;
* the first grouped pass over a stored copy of ``unit_core``;
* each statement of ``compute()``, from the debug log lines it writes before
  each one;
* bare grouped sums over the raw columns the indicators read, the floor of any
  SQL form of the computation on this machine.

Figures are CPU seconds of the process and all of DuckDB's threads
(``time.process_time()``), best of ``--repeat``, because the machine is shared
and wall times move with the load. Run::

    python benchmarks/bench_engine_floor.py [--years 10] [--repeat 3]
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import time

import duckdb
import numpy as np
import pandas as pd
import polars as pl

from junheng import demo
from junheng.engine import queries
from junheng.engine.compute import compute, load_schools
from junheng.standards.loader import load_framework

RAW_MEASURES = (
    "primary_students",
    "primary_teachers_above_required_degree",
    "primary_backbone_teachers",
    "primary_pe_art_teachers",
    "junior_students",
    "junior_teachers_above_required_degree",
    "junior_backbone_teachers",
    "junior_pe_art_teachers",
    "teaching_aux_area_m2",
    "sports_area_m2",
    "equipment_value_yuan",
    "multimedia_classrooms",
)


def measure(
    con: duckdb.DuckDBPyConnection, sql: str, repeat: int
) -> tuple[float, float]:
    """Store the result of ``sql`` in a table ``repeat`` times and return the
    least CPU time and the least wall time of one run."""
    cpu = wall = float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        con.sql(f"CREATE OR REPLACE TEMP TABLE bench_out AS {sql}")
        cpu = min(cpu, time.process_time() - start_cpu)
        wall = min(wall, time.perf_counter() - start)
    return cpu, wall


def measure_cpu(con: duckdb.DuckDBPyConnection, sql: str, repeat: int) -> float:
    """Return the least CPU time of one run of ``sql`` (see :func:`measure`)."""
    return measure(con, sql, repeat)[0]


# Numerator of each indicator of cn-2017-quality over its section's students,
# with shared resources taken whole: no split weights.
NARROW_INDICATORS = {
    "L1": ("teachers_above_required_degree", True, 100),
    "L2": ("backbone_teachers", True, 100),
    "L3": ("pe_art_teachers", True, 100),
    "L4": ("teaching_aux_area_m2", False, 1),
    "L5": ("sports_area_m2", False, 1),
    "L6": ("equipment_value_yuan", False, 1),
    "L7": ("multimedia_classrooms", False, 100),
}


def narrow_scope_sql(source: str, *, two_pass: bool) -> str:
    """Return the weighted CVs of the seven indicators per county section, and
    nothing else.

    Units are the sections with students of every school row. There are no
    exclusions, split weights, met flags, school rule, school-level checks,
    counts or verdicts: this is the scope of a bare CV computation, for
    comparison with the engine's full scope on the same rows.
    """
    branches = []
    for index, section in enumerate(("primary", "junior")):
        values = ", ".join(
            f"CAST({section + '_' if per_section else ''}{field} AS DOUBLE) "
            f"* {factor} / {section}_students AS v_{name}"
            for name, (field, per_section, factor) in NARROW_INDICATORS.items()
        )
        branches.append(
            f"SELECT {queries.LOADED_COUNTY_ID} * 2 + {index} AS k, "
            f"CAST({section}_students AS DOUBLE) AS p, {values} FROM {source} "
            f"WHERE {section}_students > 0"
        )
    units = " UNION ALL ".join(branches)
    ids = list(NARROW_INDICATORS)
    means = ", ".join(f"SUM(p * v_{i}) / SUM(p) AS m_{i}" for i in ids)
    if not two_pass:
        squares = ", ".join(f"SUM(p * v_{i} * v_{i}) AS q_{i}" for i in ids)
        cvs = ", ".join(
            f"SQRT(GREATEST(q_{i} / sp - m_{i} * m_{i}, 0)) / m_{i} AS cv_{i}"
            for i in ids
        )
        return (
            f"SELECT k, {cvs} FROM (SELECT k, SUM(p) AS sp, {means}, {squares} "
            f"FROM ({units}) u GROUP BY k) g"
        )
    spread = ", ".join(
        f"SQRT(SUM(u.p * (u.v_{i} - g.m_{i}) * (u.v_{i} - g.m_{i})) / MIN(g.sp)) "
        f"/ MIN(g.m_{i}) AS cv_{i}"
        for i in ids
    )
    return (
        f"WITH u AS MATERIALIZED ({units}), g AS (SELECT k, SUM(p) AS sp, {means} "
        f"FROM u GROUP BY k) SELECT g.k, {spread} FROM u JOIN g ON u.k = g.k "
        "GROUP BY g.k"
    )


def narrow_scope_pandas(schools: pd.DataFrame) -> pd.DataFrame:
    """Return the narrow-scope CVs of :func:`narrow_scope_sql` (two-pass) with
    a plain pandas groupby, indexed by year, division code and section."""
    parts = []
    for section in ("primary", "junior"):
        rows = schools[schools[f"{section}_students"] > 0]
        students = rows[f"{section}_students"].astype("float64")
        unit = pd.DataFrame(
            {
                "year": rows["year"],
                "division_code": rows["division_code"],
                "section": section,
                "p": students,
            }
        )
        for name, (field, per_section, factor) in NARROW_INDICATORS.items():
            column = f"{section}_{field}" if per_section else field
            unit[name] = rows[column].astype("float64") * factor / students
        parts.append(unit)
    units = pd.concat(parts, ignore_index=True)
    names = list(NARROW_INDICATORS)
    groups = units.groupby(["year", "division_code", "section"], sort=False)
    number = groups.ngroup().to_numpy()
    weighted = units[names].mul(units["p"], axis=0)
    weighted["p"] = units["p"]
    sums = weighted.groupby(number).sum()
    means = sums[names].div(sums["p"], axis=0)
    deviations = units[names].to_numpy() - means.to_numpy()[number]
    spread = pd.DataFrame(
        deviations * deviations * units[["p"]].to_numpy(), columns=names
    )
    variances = spread.groupby(number).sum().div(sums["p"], axis=0)
    return np.sqrt(variances) / means


def narrow_scope_polars(schools: pl.DataFrame) -> pl.DataFrame:
    """Return the narrow-scope CVs of :func:`narrow_scope_sql` (two-pass) with
    Polars lazy frames, one row per year, division code and section."""
    parts = []
    for section in ("primary", "junior"):
        students = pl.col(f"{section}_students").cast(pl.Float64)
        values = [
            (
                pl.col(f"{section}_{field}" if per_section else field).cast(pl.Float64)
                * factor
                / students
            ).alias(name)
            for name, (field, per_section, factor) in NARROW_INDICATORS.items()
        ]
        parts.append(
            schools.lazy()
            .filter(pl.col(f"{section}_students") > 0)
            .select(
                "year",
                "division_code",
                pl.lit(section).alias("section"),
                students.alias("p"),
                *values,
            )
        )
    keys = ["year", "division_code", "section"]
    names = list(NARROW_INDICATORS)
    units = pl.concat(parts).with_columns(
        [
            ((pl.col("p") * pl.col(n)).sum() / pl.col("p").sum())
            .over(keys)
            .alias(f"m_{n}")
            for n in names
        ]
    )
    cvs = [
        (
            (
                (pl.col("p") * (pl.col(n) - pl.col(f"m_{n}")) ** 2).sum()
                / pl.col("p").sum()
            ).sqrt()
            / pl.col(f"m_{n}").first()
        ).alias(n)
        for n in names
    ]
    return units.group_by(keys).agg(cvs).collect()


def measure_frame(run: object, repeat: int) -> tuple[float, float]:
    """Return the least CPU and wall time of ``repeat`` calls of ``run``."""
    assert callable(run)
    cpu = wall = float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        run()
        cpu = min(cpu, time.process_time() - start_cpu)
        wall = min(wall, time.perf_counter() - start)
    return cpu, wall


class StatementTimer(logging.Handler):
    """Log handler that adds up the CPU time between ``compute()``'s statements.

    ``compute()`` logs each statement at DEBUG level just before it runs it, so
    the CPU time until the next record (or :meth:`stop`) belongs to it.
    """

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.totals: dict[str, float] = {}
        self._current: tuple[str, float] | None = None

    def emit(self, record: logging.LogRecord) -> None:
        self.stop()
        # The message is "engine query: <SQL>"; its first words name the relation.
        words = record.getMessage().split()[2:8]
        self._current = (" ".join(words), time.process_time())

    def stop(self) -> None:
        """Charge the CPU time since the last record to its statement."""
        if self._current is not None:
            name, start = self._current
            spent = time.process_time() - start
            self.totals[name] = self.totals.get(name, 0.0) + spent
        self._current = None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    fw = load_framework("cn-2017-quality")
    schools = demo.generate_schools(schools_per_county=70, years=args.years)
    items = demo.generate_county_items(schools)
    print(
        f"synthetic dataset: {schools.height:,} school-years; load average "
        f"{os.getloadavg()[0]:.1f}; figures are CPU seconds, best of {args.repeat}"
    )
    con = duckdb.connect()
    con.sql("SET enable_progress_bar = false")
    table = load_schools(schools, con)

    timer = StatementTimer()
    engine_log = logging.getLogger("junheng.engine.compute")
    engine_log.addHandler(timer)
    engine_log.setLevel(logging.DEBUG)
    engine_log.propagate = False
    best = float("inf")
    for _ in range(args.repeat):
        start = time.process_time()
        engine = compute(table, fw, items, con=con)
        timer.stop()
        best = min(best, time.process_time() - start)
    engine_log.removeHandler(timer)
    engine.run("SELECT 1 FROM unit_core LIMIT 0")  # creates the view read below
    print(f"{best:6.3f}  compute(), two-pass variance, all statements")
    ranked = sorted(timer.totals.items(), key=lambda pair: -pair[1])
    for name, total in ranked[:8]:
        print(f"{total / args.repeat:6.3f}    statement, mean: {name[:70]}")

    values = [f"v_{i.id}" for i in fw.resource_indicators]
    met = [f"met_{i.id}" for i in fw.resource_indicators if i.threshold]
    stages = {
        "unit_core: key and enrollment only": ["unit_key", "students"],
        "  + indicator values": ["unit_key", "students", *values],
        "  + met flags": ["unit_key", "students", *values, *met],
        "  + school rule (compliant)": [
            "unit_key",
            "students",
            *values,
            *met,
            "compliant",
        ],
        "  + school-level checks (all of unit_core)": ["*"],
    }
    for label, columns in stages.items():
        sql = f"SELECT {', '.join(columns)} FROM unit_core"
        print(f"{measure_cpu(con, sql, args.repeat):6.3f}  {label}")

    stats = queries.county_stats_sql(fw)
    found = re.search(r"first_pass AS \((SELECT .*? GROUP BY unit_key)\)", stats)
    assert found is not None
    con.sql("CREATE OR REPLACE TEMP TABLE uc AS SELECT * FROM unit_core")
    first_pass = measure_cpu(con, found.group(1), args.repeat)
    print(f"{first_pass:6.3f}  first pass on stored units")

    sums = ", ".join(f"SUM({c})" for c in RAW_MEASURES)
    squares = ", ".join(f"SUM({c}), SUM({c} * {c})" for c in RAW_MEASURES)
    floors = {
        "floor: COUNT(*) per county-year": "SELECT year, division_code, COUNT(*)",
        "floor: 12 raw sums per county-year": f"SELECT year, division_code, {sums}",
        "floor: 12 sums and 12 sums of squares": (
            f"SELECT year, division_code, {squares}"
        ),
    }
    for label, select in floors.items():
        sql = f"{select} FROM {table.name} GROUP BY year, division_code"
        print(f"{measure_cpu(con, sql, args.repeat):6.3f}  {label}")
    for two_pass in (False, True):
        sql = narrow_scope_sql(table.name, two_pass=two_pass)
        cpu, wall = measure(con, sql, args.repeat)
        form = "two-pass" if two_pass else "one-pass"
        print(
            f"{cpu:6.3f}  narrow scope, {form}: the seven CVs of the units with "
            f"students, nothing else (wall {wall:.3f} s)"
        )

    # The same narrow scope with a plain pandas groupby and with Polars lazy
    # frames, to compare with the engines' figures at this scope.
    duck = con.sql(
        f"SELECT k, * EXCLUDE (k) FROM ({narrow_scope_sql(table.name, two_pass=True)})"
    ).fetchnumpy()
    frame = schools.to_pandas()
    cpu, wall = measure_frame(lambda: narrow_scope_pandas(frame), args.repeat)
    print(f"{cpu:6.3f}  narrow scope, two-pass, pandas groupby (wall {wall:.3f} s)")
    cpu, wall = measure_frame(lambda: narrow_scope_polars(schools), args.repeat)
    print(f"{cpu:6.3f}  narrow scope, two-pass, Polars lazy (wall {wall:.3f} s)")
    by_pandas = narrow_scope_pandas(frame)
    by_polars = narrow_scope_polars(schools)
    sections = len(duck["k"])
    assert len(by_pandas) == sections == by_polars.height
    for name in NARROW_INDICATORS:
        expected = np.sort(duck[f"cv_{name}"])
        for label, found in (
            ("pandas", np.sort(by_pandas[name].to_numpy())),
            ("Polars", np.sort(by_polars[name].to_numpy())),
        ):
            known = expected != 0
            gap = np.nanmax(np.abs(found - expected)[known] / expected[known])
            assert gap < 1e-12, f"{label} {name} differs from DuckDB by {gap:.2e}"
    print(f"       pandas and Polars agree with DuckDB over {sections:,} sections")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
