"""Measure the server CPU time of one cached dashboard request.

A load test on a shared machine is noisy, because the other work on the
machine takes turns with the server. The CPU time the server spends on one
request changes much less, and with 50 users always waiting it sets the
throughput: a server that spends C µs of CPU per request serves at most
1,000,000 / C requests a second on one core.

The script loads a SYNTHETIC sample of the national dataset of
``junheng.demo`` into PostgreSQL at 127.0.0.1:5432: ``--counties``
county-level divisions, every record approved, in a schema of its own that
is dropped at the end. It starts the platform with uvicorn on 127.0.0.1 with
one worker process, as ``bench_web.py`` does, and requests every page twice,
so that later requests come from the caches. Then one client sends
``--requests`` requests one after the other to each of:

* the bare JSON route of ``bench_web.py`` (the ceiling);
* county pages (HTML) with a ministry API token, rotating over ``--pages``;
* the same county pages without a token, as the public gets them;
* the JSON twins of the county pages, with the token;
* province pages (HTML) with the token.

The requests are split into ``--rounds`` rounds. The CPU time is the user
and system time of the uvicorn process, read from ``/proc``. For each kind
the script prints the CPU time per request in the median round and its
range over the rounds, the ratio to the bare route and the wall time. The
time PostgreSQL spends on its queries is not in the figure. The profile
below counts the statements a request sends to it.

With ``--baseline SRC`` a second server runs the ``src`` folder of another
checkout. Each round measures both servers, one after the other, so a
change in the load from the rest of the machine affects both alike, and the
ratios to the baseline are printed.

With ``--profile N`` the script also runs the app in this process (no
server) and profiles N cached county page requests with cProfile. It prints
the functions with the most time of their own and the most time under them.
Sync routes then run in the event loop's thread instead of the thread pool,
so the profile includes them. Run::

    python benchmarks/bench_web_cost.py [--counties 300] [--requests 2000]
        [--rounds 5] [--pages 60] [--baseline /tmp/main/src] [--profile 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import statistics
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
from bench_web import PID_PATH, PING_PATH, YEAR, bench_schema, load_store, server
from sqlalchemy import event

from junheng import demo

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """Return the user plus system CPU time of process ``pid``, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 of proc(5). The split drops 1 and 2.
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


Kind = tuple[str, list[str], dict[str, str]]
"""A measured kind of request: name, paths to rotate over and headers."""


@dataclass
class Cost:
    """Server CPU and wall time per request of one kind, one figure per round."""

    name: str
    cpu_us: list[float] = field(default_factory=list)
    wall_us: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def cpu(self) -> float:
        """The median over the rounds of the CPU µs per request."""
        return statistics.median(self.cpu_us)

    def line(self, ceiling: Cost, baseline: Cost | None) -> str:
        spread = f"{min(self.cpu_us):.0f}-{max(self.cpu_us):.0f}"
        text = (
            f"{self.name:<22} {self.cpu:>6.0f} µs CPU ({spread:>11})  "
            f"{self.cpu / ceiling.cpu:>5.2f}x bare  "
            f"wall {statistics.median(self.wall_us):>6.0f} µs"
        )
        if baseline is not None:
            text += f"  {self.cpu / baseline.cpu:5.2f}x baseline CPU"
        if self.errors:
            text += f"  errors {self.errors}"
        return text


@dataclass
class Server:
    """A running server of one checkout, its client and its figures."""

    label: str
    client: httpx2.Client
    pid: int
    costs: list[Cost]


def measure_round(server_: Server, kinds: Sequence[Kind], count: int) -> None:
    """Send ``count`` requests of each kind one after the other; record the cost."""
    for cost, (_, paths, headers) in zip(server_.costs, kinds, strict=True):
        before = cpu_seconds(server_.pid)
        start = time.perf_counter()
        for index in range(count):
            response = server_.client.get(paths[index % len(paths)], headers=headers)
            cost.errors += response.status_code != 200
        cost.wall_us.append((time.perf_counter() - start) / count * 1e6)
        cost.cpu_us.append((cpu_seconds(server_.pid) - before) / count * 1e6)


def plan(token: str, county: list[str], province: list[str]) -> list[Kind]:
    """Return the measured kinds."""
    auth = {"authorization": f"Bearer {token}"}
    return [
        ("bare JSON (ceiling)", [PING_PATH], auth),
        ("county page", county, auth),
        ("county page, public", county, {}),
        ("county JSON twin", [f"{p}.json" for p in county], auth),
        ("province page", province, auth),
    ]


def start(
    stack: ExitStack, url: str, label: str, source: Path | None, kinds: list[Kind]
) -> Server:
    """Start the server of one checkout and warm every page twice."""
    base = stack.enter_context(server(url, 1, source))
    client = stack.enter_context(httpx2.Client(base_url=base, timeout=600))
    pid = client.get(PID_PATH).json()["pid"]
    started = time.perf_counter()
    client.get(f"/dash/{YEAR}/nation.json", headers=kinds[1][2])
    took = time.perf_counter() - started
    print(f"{label}: evaluation and first page {took:.1f} s")
    for _ in range(2):
        for _, paths, headers in kinds:
            for path in paths:
                client.get(path, headers=headers)
    return Server(label, client, pid, [Cost(name) for name, _, _ in kinds])


def costs(
    url: str, kinds: list[Kind], count: int, rounds: int, baseline: Path | None
) -> list[Server]:
    """Measure this checkout, and the baseline if given, in alternating rounds.

    Both servers run at once, and each round measures every kind on each, so
    a change in the load from the rest of the machine affects both alike.
    """
    with ExitStack() as stack:
        servers = []
        if baseline is not None:
            servers.append(start(stack, url, "baseline", baseline, kinds))
        servers.append(start(stack, url, "this checkout", None, kinds))
        per_round = max(1, count // rounds)
        for _ in range(rounds):
            for checkout in servers:
                measure_round(checkout, kinds, per_round)
    return servers


def report(servers: list[Server]) -> None:
    """Print the figures of each server, with ratios to the first one."""
    first = servers[0] if len(servers) > 1 else None
    for checkout in servers:
        print(checkout.label)
        for index, cost in enumerate(checkout.costs):
            compared = first is not None and checkout is not first
            old = first.costs[index] if compared and first is not None else None
            print("  " + cost.line(checkout.costs[0], old))


# ------------------------------------------------------------------ profile


async def _drive(
    app: Any, paths: Sequence[str], headers: dict[str, str], n: int
) -> None:
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(
        transport=transport, base_url="http://127.0.0.1"
    ) as client:
        for index in range(n):
            response = await client.get(paths[index % len(paths)], headers=headers)
            if response.status_code != 200:
                raise SystemExit(f"{response.status_code}: {response.text[:300]}")


def _inline_threadpool() -> Callable[[], None]:
    """Run FastAPI's sync routes in the calling thread; return the undo."""
    import fastapi.routing

    original = fastapi.routing.run_in_threadpool

    async def inline(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    fastapi.routing.run_in_threadpool = inline  # type: ignore[assignment]

    def undo() -> None:
        fastapi.routing.run_in_threadpool = original

    return undo


def profile(
    url: str, token: str, county: list[str], count: int, out: Path | None
) -> None:
    """Profile ``count`` cached county page requests in this process."""
    os.environ["JUNHENG_DATABASE_URL"] = url
    os.environ["JUNHENG_MODE"] = "dev"
    from bench_web import bench_app

    app = bench_app()
    headers = {"authorization": f"Bearer {token}"}
    statements = 0

    def count_statement(*_: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(app.state.engine, "before_cursor_execute", count_statement)
    undo = _inline_threadpool()
    try:
        asyncio.run(_drive(app, [f"/dash/{YEAR}/nation.json"], headers, 1))
        asyncio.run(_drive(app, county, headers, 2 * len(county)))
        statements = 0
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        asyncio.run(_drive(app, county, headers, count))
        profiler.disable()
    finally:
        undo()
        app.state.engine.dispose()
    if out is not None:
        profiler.dump_stats(out)
    print(f"SQL statements per cached county page: {statements / count:.2f}")
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats(order).print_stats(35)
        print(f"profile of {count} cached county pages (client included), by {order}")
        print(out.getvalue())


# ------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--counties", type=int, default=300, help="county-level divisions to load"
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=2000,
        help="requests per measured kind and server",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="rounds to split the requests into (the median round is shown)",
    )
    parser.add_argument(
        "--pages", type=int, default=60, help="county pages to rotate over"
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        help="src folder of another checkout (e.g. from `git archive main`), "
        "measured first",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="also profile N cached county pages in this process",
    )
    parser.add_argument(
        "--profile-out", type=Path, help="also write the profile to this file"
    )
    args = parser.parse_args()

    load = os.getloadavg()[0]
    print(f"load average {load:.2f}, {os.cpu_count()} cores")
    print(demo.SYNTHETIC)
    schools = demo.generate_schools(counties=args.counties)
    items = demo.generate_county_items(schools)
    with bench_schema() as url:
        token = load_store(url, schools, items)
        counties = sorted(set(schools["division_code"].to_list()))
        step = max(1, len(counties) // args.pages)
        county = [f"/dash/{YEAR}/county/{c}" for c in counties[::step]][: args.pages]
        province = [
            f"/dash/{YEAR}/province/{p}" for p in sorted({c[:2] for c in counties})
        ]
        kinds = plan(token, county, province)
        print(
            f"{schools.height:,} schools in {len(counties)} counties; "
            f"{args.requests} sequential requests per kind"
        )
        report(costs(url, kinds, args.requests, args.rounds, args.baseline))
        if args.profile:
            profile(url, token, county, args.profile, args.profile_out)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
