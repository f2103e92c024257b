"""Benchmark the dashboard pages under load on the synthetic national dataset.

Loads one year of the SYNTHETIC national dataset of ``junheng.demo`` (about
200,000 schools in the 2,849 county-level divisions, every record approved) into
PostgreSQL at 127.0.0.1:5432, database ``test``, in a schema of its own that is
dropped at the end. Starts the platform with uvicorn on 127.0.0.1 as a
deployment would run it (uvloop, httptools, no access log), once per
``--workers`` count. A bounded asyncio load generator (httpx2) then keeps a
fixed number of concurrent users busy, and the script prints requests per
second and the p50/p95/p99 latency of:

* a bare JSON endpoint of the same app (same middleware, no token check and
  no database read), the ceiling of this server and client on this machine;
* county dashboard pages (HTML), rotating over ``--pages`` counties;
* province dashboard pages (HTML), rotating over every province;
* the county pages again without a token, as the public gets them, which
  shows what the token check costs.

With ``--baseline SRC`` the same runs are made first with the platform of
another checkout (its ``src`` folder, e.g. from ``git archive main``) at every
worker count, right before this checkout's, and the ratios to it are printed.

The first request builds the national evaluation, which is timed on its own
("cold"). Each page is then requested once, and every page list once more by
concurrent users so that each worker process builds its cache, so the
measured figures are the steady state between two data changes. Run::

    python benchmarks/bench_web.py [--users 50] [--requests 3000] [--seconds 30]
        [--workers 1 2] [--baseline /tmp/main/src]

Every request loop stops after ``--requests`` responses or ``--seconds``
seconds, whichever comes first. Targets: county p95 < 150 ms and province p95
< 400 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import polars as pl
from sqlalchemy import Engine, create_engine, insert, select, text, update
from sqlalchemy.engine import make_url

from junheng import demo
from junheng.services import accounts
from junheng.services.access import SYSTEM, Role
from junheng.store.db import make_engine, session_factory, upgrade
from junheng.store.divisions import load_divisions
from junheng.store.models import (
    CountyItemRecord,
    DataGeneration,
    Division,
    School,
    SchoolRecord,
    utcnow,
)

ADMIN_URLS = [
    f"postgresql+psycopg://{user}@127.0.0.1:5432/test" for user in ("postgres", "root")
]
YEAR = 2024
CHUNK = 5_000
PING_PATH = "/bench/ping"
PID_PATH = "/bench/pid"
TARGETS = {"county": 0.150, "province": 0.400}


def bench_app() -> Any:
    """Return the platform app with a bare JSON route, for uvicorn ``--factory``."""
    from junheng.web.app import create_app

    app = create_app()

    @app.get(PING_PATH)
    def ping() -> dict[str, bool]:
        return {"ok": True}

    @app.get(PID_PATH)
    def pid() -> dict[str, int]:
        return {"pid": os.getpid()}

    return app


# ------------------------------------------------------------------ data


def _admin_engine() -> Engine:
    for url in ADMIN_URLS:
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return engine
        except Exception:
            engine.dispose()
    raise SystemExit(
        "PostgreSQL at 127.0.0.1:5432 (database test) did not respond; start the "
        "server or check that user postgres or root can connect without a password"
    )


@contextmanager
def bench_schema() -> Iterator[str]:
    """Create a schema of its own, yield a URL that uses it, drop it at the end."""
    admin = _admin_engine()
    schema = f"junheng_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(str(admin.url)).update_query_dict(
        {"options": f"-csearch_path={schema}"}
    )
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _items_by_county(items: pl.DataFrame) -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = {}
    for row in items.iter_rows(named=True):
        entry = data.setdefault(row["division_code"], {})
        entry[row["item"]] = {"value": row["value_text"], "evidence": row["evidence"]}
    return data


def load_store(url: str, schools: pl.DataFrame, items: pl.DataFrame) -> str:
    """Fill the store with approved synthetic records; return a ministry token.

    Records go in by bulk insert, not through the reporting services, because
    the workflow is not what this benchmark measures.
    """
    engine = make_engine(url)
    upgrade(engine)
    sessions = session_factory(engine)
    with sessions() as session:
        load_divisions(session, SYSTEM, YEAR)
        session.commit()
        known = set(session.scalars(select(Division.code)))
        kept = schools.filter(pl.col("division_code").is_in(sorted(known)))
        dropped = schools.height - kept.height
        if dropped:
            print(f"left out {dropped:,} schools whose division is not in the store")
        now = utcnow()
        rows = kept.to_dicts()
        for start in range(0, len(rows), CHUNK):
            part = rows[start : start + CHUNK]
            session.execute(
                insert(School),
                [
                    {
                        "code": r["school_code"],
                        "name": r["school_name"],
                        "division_code": r["division_code"],
                        "school_type": r["school_type"],
                        "ownership": r["ownership"],
                        "location": r["location"],
                    }
                    for r in part
                ],
            )
            session.execute(
                insert(SchoolRecord),
                [
                    {
                        "school_code": r["school_code"],
                        "year": YEAR,
                        "version": 1,
                        "status": "approved",
                        "data": r,
                        "is_current": True,
                        "created_by": "bench",
                        "created_at": now,
                    }
                    for r in part
                ],
            )
        county_items = _items_by_county(items)
        session.execute(
            insert(CountyItemRecord),
            [
                {
                    "division_code": code,
                    "year": YEAR,
                    "version": 1,
                    "status": "approved",
                    "data": data,
                    "is_current": True,
                    "created_by": "bench",
                    "created_at": now,
                }
                for code, data in county_items.items()
                if code in known
            ],
        )
        session.execute(update(DataGeneration).values(value=1))
        user = accounts.create_user(
            session, SYSTEM, "bench", "bench password 2024", Role.MINISTRY, ""
        )
        session.flush()
        token = accounts.create_api_token(
            session, accounts.principal_for(user, session), "bench"
        )
        session.commit()
    engine.dispose()
    return token


# ------------------------------------------------------------------ server


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def server(url: str, workers: int = 1, source: Path | None = None) -> Iterator[str]:
    """Run uvicorn with :func:`bench_app` on 127.0.0.1; yield its base URL.

    The server runs as a deployment would: ``workers`` processes, uvloop and
    httptools, no access log. ``source`` is the ``src`` folder of another
    checkout of the platform (the baseline), which then comes first on the
    server's import path.
    """
    port = _free_port()
    env = {**os.environ, "JUNHENG_DATABASE_URL": url, "JUNHENG_MODE": "dev"}
    if source is not None:
        env["PYTHONPATH"] = os.pathsep.join(
            [str(source), *filter(None, [os.environ.get("PYTHONPATH")])]
        )
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "bench_web:bench_app",
        "--app-dir",
        str(Path(__file__).resolve().parent),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    process = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx2.get(f"{base}{PING_PATH}", timeout=2)
                break
            except httpx2.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit(
                        f"uvicorn did not start on {base}; see its output above"
                    ) from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


# ------------------------------------------------------------------ load


@dataclass
class Run:
    """Latencies (seconds) and the wall time of one measured run."""

    name: str
    latencies: list[float]
    seconds: float
    errors: int

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
        return ordered[index]

    def line(self) -> str:
        rps = len(self.latencies) / self.seconds if self.seconds else 0.0
        return (
            f"{self.name:<22} {len(self.latencies):>6} req {rps:>8.1f} req/s  "
            f"p50 {self.percentile(0.50) * 1000:>7.1f} ms  "
            f"p95 {self.percentile(0.95) * 1000:>7.1f} ms  "
            f"p99 {self.percentile(0.99) * 1000:>7.1f} ms  errors {self.errors}"
        )


def _auth(token: str) -> dict[str, str]:
    """Return the headers of a request as the token's user ("" for anonymous)."""
    return {"authorization": f"Bearer {token}"} if token else {}


async def _load(
    base: str,
    token: str,
    paths: Sequence[str],
    users: int,
    requests: int,
    seconds: float,
) -> tuple[list[float], float, int]:
    latencies: list[float] = []
    errors = 0
    issued = 0
    limits = httpx2.Limits(max_connections=users, max_keepalive_connections=users)
    headers = _auth(token)
    async with httpx2.AsyncClient(
        base_url=base, headers=headers, limits=limits, timeout=60
    ) as client:
        start = time.perf_counter()
        stop = start + seconds

        async def user() -> None:
            nonlocal issued, errors
            while issued < requests and time.perf_counter() < stop:
                path = paths[issued % len(paths)]
                issued += 1
                sent = time.perf_counter()
                try:
                    response = await client.get(path)
                except httpx2.TransportError:
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - sent)
                if response.status_code != 200:
                    errors += 1

        await asyncio.gather(*(user() for _ in range(users)))
        return latencies, time.perf_counter() - start, errors


def measure(
    name: str,
    base: str,
    token: str,
    paths: Sequence[str],
    users: int,
    requests: int,
    seconds: float,
) -> Run:
    """Run the load generator once and return its figures."""
    latencies, wall, errors = asyncio.run(
        _load(base, token, paths, users, requests, seconds)
    )
    return Run(name, latencies, wall, errors)


def warm(base: str, token: str, paths: Sequence[str]) -> Run:
    """Request every path once, one at a time (the first build of each page)."""
    latencies = []
    errors = 0
    start = time.perf_counter()
    headers = _auth(token)
    with httpx2.Client(base_url=base, headers=headers, timeout=600) as client:
        for path in paths:
            sent = time.perf_counter()
            response = client.get(path)
            latencies.append(time.perf_counter() - sent)
            if response.status_code != 200:
                errors += 1
                print(f"warm-up {path}: {response.status_code} {response.text[:200]}")
    return Run(
        f"first view ({len(paths)})", latencies, time.perf_counter() - start, errors
    )


# ------------------------------------------------------------------ main


def _machine() -> str:
    load = os.getloadavg()
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load average {load[0]:.2f} "
        f"{load[1]:.2f} {load[2]:.2f}"
    )


@dataclass
class Plan:
    """The measured runs of one server: name, token ("" for public) and paths."""

    runs: list[tuple[str, str, list[str]]]
    county_paths: list[str]
    province_paths: list[str]


def serve_and_measure(
    url: str, plan: Plan, args: argparse.Namespace, workers: int, source: Path | None
) -> list[Run]:
    """Start one server, warm every page on every worker, run the plan."""
    token = plan.runs[0][1]
    with server(url, workers, source) as base:
        cold = warm(base, token, [f"/dash/{YEAR}/nation.json"])
        print(f"  cold: national evaluation and first page {cold.latencies[0]:.2f} s")
        print("  " + warm(base, token, plan.county_paths).line())
        print("  " + warm(base, token, plan.province_paths).line())
        warm_workers(base, plan, workers)
        print(f"  load average before the runs {os.getloadavg()[0]:.2f}")
        return [
            measure(name, base, caller, paths, args.users, args.requests, args.seconds)
            for name, caller, paths in plan.runs
        ]


def warm_workers(base: str, plan: Plan, workers: int) -> None:
    """Request every path of the plan once from each worker process.

    Every worker has a cache of its own. One connection stays with the worker
    that accepted it, so connections are opened until each worker has one,
    and each is kept busy by a thread of its own, which keeps it alive.
    """
    clients: dict[int, httpx2.Client] = {}
    for _ in range(20 * workers):
        if len(clients) == workers:
            break
        limits = httpx2.Limits(max_connections=1)
        client = httpx2.Client(base_url=base, timeout=600, limits=limits)
        pid = client.get(PID_PATH).json()["pid"]
        if pid in clients:
            client.close()
        else:
            clients[pid] = client
    if len(clients) < workers:
        print(f"  NOTE: reached {len(clients)} of {workers} workers to warm them")

    def warm_one(client: httpx2.Client) -> None:
        for _, caller, paths in plan.runs:
            for path in paths:
                client.get(path, headers=_auth(caller))

    threads = [threading.Thread(target=warm_one, args=(c,)) for c in clients.values()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for client in clients.values():
        client.close()


def report(label: str, runs: list[Run], baseline: list[Run] | None) -> None:
    """Print the runs of one server with ratios to its ceiling and baseline."""
    ceiling = len(runs[0].latencies) / runs[0].seconds
    print(label)
    for index, run in enumerate(runs):
        rps = len(run.latencies) / run.seconds
        line = f"  {run.line()}  {rps / ceiling:6.1%} of ceiling"
        if baseline is not None:
            old = baseline[index]
            old_rps = len(old.latencies) / old.seconds
            speedup = rps / old_rps if old_rps else 0.0
            p95 = run.percentile(0.95) / old.percentile(0.95)
            line += f"  {speedup:5.2f}x req/s, p95 x{p95:.2f} of baseline"
        print(line)
    for run, (kind, target) in zip(runs[1:3], TARGETS.items(), strict=True):
        p95 = run.percentile(0.95)
        verdict = "met" if p95 < target else "NOT met"
        print(
            f"  {kind} p95 {p95 * 1000:.1f} ms, target {target * 1000:.0f} ms: "
            f"{verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50, help="concurrent users")
    parser.add_argument(
        "--requests", type=int, default=3000, help="requests per measured run"
    )
    parser.add_argument(
        "--seconds", type=float, default=30, help="time limit per measured run"
    )
    parser.add_argument(
        "--pages", type=int, default=200, help="county pages to rotate over"
    )
    parser.add_argument(
        "--schools-per-county", type=float, default=70, help="mean schools per county"
    )
    parser.add_argument(
        "--workers",
        type=int,
        nargs="+",
        default=[1, 2],
        help="uvicorn worker processes; each count is measured in turn",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        help="src folder of another checkout (e.g. from `git archive main`); its "
        "server is measured before this one's at every worker count",
    )
    args = parser.parse_args()

    print(f"machine: {_machine()}")
    print(demo.SYNTHETIC)
    started = time.perf_counter()
    schools = demo.generate_schools(schools_per_county=args.schools_per_county)
    items = demo.generate_county_items(schools)
    print(
        f"generated {schools.height:,} synthetic schools in "
        f"{time.perf_counter() - started:.1f} s"
    )

    with bench_schema() as url:
        started = time.perf_counter()
        token = load_store(url, schools, items)
        print(f"loaded the store in {time.perf_counter() - started:.1f} s")
        counties = sorted(set(schools["division_code"].to_list()))
        step = max(1, len(counties) // args.pages)
        county_paths = [f"/dash/{YEAR}/county/{c}" for c in counties[::step]]
        county_paths = county_paths[: args.pages]
        provinces = sorted({c[:2] for c in counties})
        province_paths = [f"/dash/{YEAR}/province/{p}" for p in provinces]
        plan = Plan(
            [
                ("bare JSON (ceiling)", token, [PING_PATH]),
                ("county page", token, county_paths),
                ("province page", token, province_paths),
                ("county page, public", "", county_paths),
            ],
            county_paths,
            province_paths,
        )
        print(
            f"load: {args.users} users, at most {args.requests} requests or "
            f"{args.seconds:.0f} s per run"
        )
        # Baseline and this checkout run one after the other at each worker
        # count, so both see about the same load from the rest of the machine.
        for workers in args.workers:
            old = None
            if args.baseline is not None:
                print(f"baseline, {workers} worker(s): {args.baseline}")
                old = serve_and_measure(url, plan, args, workers, args.baseline)
            print(f"this checkout, {workers} worker(s)")
            new = serve_and_measure(url, plan, args, workers, None)
            if old is not None:
                report(f"baseline, {workers} worker(s)", old, None)
            report(f"this checkout, {workers} worker(s)", new, old)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
