"""Benchmark the store guard on a bulk load of school records.

Generates SYNTHETIC school-years with :func:`junheng.demo.generate_schools`,
stores their schools, then inserts one ``school_records`` row per school-year
in a single ORM bulk statement (``session.execute(insert(SchoolRecord),
rows)``), the kind of statement that bypasses the flush. Each run rolls back,
so every run starts from the same table. The load runs ``--repeat`` times with
the guard's statement check (``before_cursor_execute``) listening and as many
times with it removed, alternating, and prints the median of each and their
difference. On a busy machine that difference is mostly noise, so the script
also adds up the CPU time spent inside the check and prints its share of the
run's CPU time, a figure that moves much less with the load. Run::

    python benchmarks/bench_store_guard.py [--rows 100000] [--repeat 5]
        [--url postgresql+psycopg://postgres@127.0.0.1/test]

With ``--url`` naming PostgreSQL the tables go into a schema of their own,
dropped at the end. Without it the store is a SQLite file in a temporary
folder.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, insert, make_url, text

from junheng.demo import generate_schools
from junheng.services.access import SYSTEM
from junheng.store import guard
from junheng.store.db import make_engine, session_factory, upgrade
from junheng.store.divisions import load_divisions
from junheng.store.models import School, SchoolRecord

SCHEMA = f"bench_store_guard_{os.getpid()}"


@contextmanager
def store(url: str | None) -> Iterator[Engine]:
    """Yield a migrated, empty store at ``url`` or in a SQLite file."""
    if url is None:
        with tempfile.TemporaryDirectory() as folder:
            engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
            upgrade(engine)
            yield engine
            engine.dispose()
        return
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
    in_schema = make_url(url).update_query_dict({"options": f"-csearch_path={SCHEMA}"})
    engine = make_engine(in_schema.render_as_string(hide_password=False))
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{SCHEMA}" CASCADE'))
        admin.dispose()


def record_rows(count: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return ``count`` school rows and one record row per school."""
    frame = generate_schools(counties=max(1, count // 40), seed=20240901)
    frame = frame.head(count)
    now = datetime.now(UTC)
    schools = []
    records = []
    for row in frame.iter_rows(named=True):
        schools.append(
            {
                "code": row["school_code"],
                "name": row["school_name"],
                "division_code": row["division_code"],
                "school_type": row["school_type"],
                "ownership": row["ownership"],
                "location": row["location"],
            }
        )
        records.append(
            {
                "school_code": row["school_code"],
                "year": row["year"],
                "version": 1,
                "status": "draft",
                "data": {k: v for k, v in row.items() if v is not None},
                "is_current": True,
                "created_by": "bench",
                "created_at": now,
                "comment": "bulk load",
            }
        )
    return schools, records


def timed_load(engine: Engine, records: list[dict[str, Any]]) -> tuple[float, float]:
    """Insert ``records`` in one bulk statement and roll back.

    Returns the wall time and this process's CPU time in seconds. The CPU time
    includes SQLite's work but not the PostgreSQL server's, and moves less
    with the load of other processes.
    """
    sessions = session_factory(engine)
    with sessions() as session:
        start = time.perf_counter()
        cpu_start = time.process_time()
        session.execute(insert(SchoolRecord), records)
        session.flush()
        cpu = time.process_time() - cpu_start
        wall = time.perf_counter() - start
        session.rollback()
    return wall, cpu


class TimedCheck:
    """The guard's statement check, adding up the CPU time spent inside it."""

    def __init__(self) -> None:
        self.cpu = 0.0

    def __call__(self, *args: Any) -> None:
        start = time.process_time()
        try:
            guard.check_parameters(*args)
        finally:
            self.cpu += time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--url", help="PostgreSQL URL; a SQLite file when omitted")
    args = parser.parse_args()

    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    schools, records = record_rows(args.rows)
    with store(args.url) as engine:
        sessions = session_factory(engine)
        with sessions.begin() as session:
            load_divisions(session, SYSTEM, 2024)
            session.execute(insert(School), schools)
        timed_load(engine, records[:1000])  # warm the statement cache
        checked: list[tuple[float, float]] = []
        unchecked: list[tuple[float, float]] = []
        inside: list[float] = []
        event.remove(Engine, "before_cursor_execute", guard.check_parameters)
        try:
            for _ in range(args.repeat):
                timed = TimedCheck()
                event.listen(Engine, "before_cursor_execute", timed)
                try:
                    checked.append(timed_load(engine, records))
                finally:
                    event.remove(Engine, "before_cursor_execute", timed)
                inside.append(timed.cpu)
                unchecked.append(timed_load(engine, records))
        finally:
            event.listen(Engine, "before_cursor_execute", guard.check_parameters)
        backend = engine.dialect.name
    print(f"{backend}: {len(records):,} school records in one bulk insert")
    print(f"median of {args.repeat} runs   wall     CPU")
    for name, runs in (("with the check", checked), ("without it", unchecked)):
        wall = statistics.median(run[0] for run in runs)
        cpu = statistics.median(run[1] for run in runs)
        print(f"{name:<20} {wall:6.2f} s {cpu:6.2f} s")
    wall_change = statistics.median(
        c[0] / u[0] - 1 for c, u in zip(checked, unchecked, strict=True)
    )
    cpu_change = statistics.median(
        c[1] / u[1] - 1 for c, u in zip(checked, unchecked, strict=True)
    )
    print(f"median change of a pair: wall {wall_change:+.1%}, CPU {cpu_change:+.1%}")
    share = statistics.median(
        spent / run[1] for spent, run in zip(inside, checked, strict=True)
    )
    print(
        f"CPU inside the check: {statistics.median(inside):.3f} s a run, "
        f"{share:.1%} of the run's CPU"
    )
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
