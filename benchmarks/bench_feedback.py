"""Benchmark public feedback submissions: 200 concurrent senders against one
server, with a one-at-a-time baseline in the same run.

Creates a SQLite file in a temporary folder (or uses ``--url``), upgrades it
and loads the divisions of 河南省 (41). Starts the platform with uvicorn in a
subprocess on 127.0.0.1 (one worker, no access log) with the per-address
limits lifted (``JUNHENG_FEEDBACK_RATE_LIMIT=none``), because every sender
comes from 127.0.0.1 and the default of 5 an hour would reject nearly all of
them. Then it

* sends ``--baseline`` submissions one at a time (the baseline);
* runs ``--senders`` concurrent senders that each send ``--each``
  submissions through ``POST /api/v1/feedback``;

and prints requests per second, p50 and p95 latency of both, their ratio, and
the number of items stored afterwards against the number of 201 responses, so
a lost submission shows. The texts are synthetic. Run::

    python benchmarks/bench_feedback.py [--senders 200] [--each 5]
        [--baseline 200] [--url postgresql+psycopg://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2
from sqlalchemy import func, select

from junheng.services.access import SYSTEM
from junheng.store.db import make_engine, session_factory, upgrade
from junheng.store.divisions import load_divisions
from junheng.store.models import FeedbackItem

COUNTIES = ("410102", "410103", "410105", "410181", "419001")
START_TIMEOUT = 60.0


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def prepare(url: str) -> None:
    """Bring the database to the current schema and load 河南's divisions."""
    engine = make_engine(url)
    upgrade(engine)
    with session_factory(engine)() as session:
        load_divisions(session, SYSTEM, 2024, within=("41",))
        session.commit()
    engine.dispose()


def stored_items(url: str) -> int:
    """Return the number of feedback items in the database."""
    engine = make_engine(url)
    with session_factory(engine)() as session:
        count = session.scalar(select(func.count()).select_from(FeedbackItem)) or 0
    engine.dispose()
    return count


@contextmanager
def server(url: str) -> Iterator[str]:
    """Run the platform with uvicorn on 127.0.0.1 in a subprocess."""
    port = free_port()
    env = {
        **os.environ,
        "JUNHENG_DATABASE_URL": url,
        "JUNHENG_MODE": "dev",
        "JUNHENG_FEEDBACK_RATE_LIMIT": "none",
        "JUNHENG_FEEDBACK_ATTEMPT_LIMIT": "none",
        "JUNHENG_FEEDBACK_TRACK_LIMIT": "none",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "junheng.web.app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if httpx2.get(f"{base}/feedback/track", timeout=2).status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"uvicorn did not start on {base}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def body(number: int) -> dict[str, Any]:
    """Return a synthetic submission."""
    return {
        "category": "admission",
        "division_code": COUNTIES[number % len(COUNTIES)],
        "text": f"合成测试意见 {number}：招生划片信息不公开。",
        "contact": f"1380000{number % 10000:04d}",
    }


async def send(
    client: httpx2.AsyncClient, base: str, number: int, latencies: list[float]
) -> int:
    started = time.perf_counter()
    response = await client.post(f"{base}/api/v1/feedback", json=body(number))
    latencies.append(time.perf_counter() - started)
    return response.status_code


async def run_sequential(
    base: str, count: int, start: int
) -> tuple[float, list[float], int]:
    """Send ``count`` submissions one at a time; return seconds, latencies, 201s."""
    latencies: list[float] = []
    created = 0
    async with httpx2.AsyncClient(timeout=60) as client:
        began = time.perf_counter()
        for number in range(start, start + count):
            created += await send(client, base, number, latencies) == 201
        elapsed = time.perf_counter() - began
    return elapsed, latencies, created


async def run_concurrent(
    base: str, senders: int, each: int, start: int
) -> tuple[float, list[float], int]:
    """Run ``senders`` concurrent senders of ``each`` submissions."""
    latencies: list[float] = []
    limits = httpx2.Limits(max_connections=senders, max_keepalive_connections=senders)
    async with httpx2.AsyncClient(timeout=120, limits=limits) as client:

        async def sender(index: int) -> int:
            created = 0
            for k in range(each):
                number = start + index * each + k
                created += await send(client, base, number, latencies) == 201
            return created

        began = time.perf_counter()
        results = await asyncio.gather(*(sender(i) for i in range(senders)))
        elapsed = time.perf_counter() - began
    return elapsed, latencies, sum(results)


def percentile(values: list[float], share: float) -> float:
    """Return the nearest-rank percentile of ``values`` (``share`` in 0–1)."""
    ordered = sorted(values)
    rank = max(1, round(share * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def report(name: str, elapsed: float, latencies: list[float], created: int) -> float:
    rate = len(latencies) / elapsed
    print(
        f"{name:<28} {len(latencies):>6} requests  {created:>6} created  "
        f"{rate:8.1f} req/s  p50 {percentile(latencies, 0.5) * 1000:7.1f} ms  "
        f"p95 {percentile(latencies, 0.95) * 1000:7.1f} ms"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--senders", type=int, default=200, help="concurrent senders")
    parser.add_argument("--each", type=int, default=5, help="submissions per sender")
    parser.add_argument(
        "--baseline", type=int, default=200, help="one-at-a-time submissions"
    )
    parser.add_argument(
        "--url", default=None, help="database URL (default: a new SQLite file)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite:///{Path(folder) / 'bench.db'}"
        prepare(url)
        before = stored_items(url)
        print(
            f"python {platform.python_version()}, {os.cpu_count()} cores, "
            f"load average {os.getloadavg()[0]:.1f}, database "
            f"{url.split(':', 1)[0]}, one uvicorn worker"
        )
        print(
            "rate limits lifted for this run: JUNHENG_FEEDBACK_RATE_LIMIT, "
            "_ATTEMPT_LIMIT and _TRACK_LIMIT=none"
        )
        with server(url) as base:
            sequential = asyncio.run(run_sequential(base, args.baseline, 0))
            concurrent = asyncio.run(
                run_concurrent(base, args.senders, args.each, args.baseline)
            )
        base_rate = report("baseline, one at a time", *sequential)
        rate = report(f"{args.senders} concurrent senders", *concurrent)
        created = sequential[2] + concurrent[2]
        stored = stored_items(url) - before
        print(f"throughput ratio concurrent / baseline: {rate / base_rate:.2f}")
        print(
            f"201 responses {created}, items stored {stored}, "
            f"lost {created - stored}, failed requests "
            f"{len(sequential[1]) + len(concurrent[1]) - created}"
        )


if __name__ == "__main__":
    main()
