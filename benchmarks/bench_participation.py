"""Benchmark survey answering under concurrent respondents.

The script runs once per store: a SQLite file, and a schema of its own in
PostgreSQL at 127.0.0.1:5432 (database ``test``, dropped at the end). It opens
a survey round of a county of 1,000,000 residents (1,500 links) and starts the
platform with uvicorn on 127.0.0.1 in a subprocess. Then it measures:

* baseline: ``--baseline`` respondents answering one at a time;
* load: ``--respondents`` respondents answering with ``--users`` of them
  submitting at the same moment;
* replay: ``--replays`` answered links submitted again at once, which must
  all be refused with HTTP 409.

Afterwards it counts the stored answers and link marks: every 303 must have
left exactly one answer and no refused submit any. It prints requests per
second, p50 and p95 latency, and the ratio of the load run to the baseline.
The data are a SYNTHETIC round: the answers are made up. Run::

    python benchmarks/bench_participation.py [--users 200] [--respondents 600]
        [--baseline 100] [--backends sqlite postgresql]

The load driver (:func:`drive`) takes a list of request builders, so other
scripts can time other public forms with it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
from bench_web import bench_schema, server
from sqlalchemy import func, select

from junheng.participation.questionnaire import load_questionnaire_set
from junheng.services import surveys
from junheng.services.access import SYSTEM
from junheng.store.db import make_engine, session_factory, upgrade
from junheng.store.divisions import load_divisions
from junheng.store.models import SurveyAnswer, SurveyLinkUse

COUNTY = "410102"
YEAR = 2025
POPULATION = 1_000_000
STRATA = {"urban": 600_000, "town": 250_000, "rural": 150_000}

RequestBuilder = Callable[[httpx2.AsyncClient], httpx2.Request]
"""Builds one request with the driver's client (base URL and limits set)."""


@dataclass
class Run:
    """Latencies (seconds), wall time and status codes of one measured run."""

    name: str
    latencies: list[float]
    seconds: float
    statuses: dict[int, int]

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
        return ordered[index]

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        codes = " ".join(f"{k}:{v}" for k, v in sorted(self.statuses.items()))
        return (
            f"{self.name:<30} {len(self.latencies):>5} req {self.rate:>8.1f} req/s  "
            f"p50 {self.percentile(0.50) * 1000:>7.1f} ms  "
            f"p95 {self.percentile(0.95) * 1000:>7.1f} ms  status {codes}"
        )


async def _drive(base: str, builders: Sequence[RequestBuilder], users: int) -> Run:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue = list(reversed(builders))
    limits = httpx2.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx2.AsyncClient(base_url=base, limits=limits, timeout=120) as client:
        start = time.perf_counter()

        async def user() -> None:
            while queue:
                request = queue.pop()(client)
                sent = time.perf_counter()
                try:
                    response = await client.send(request)
                    code = response.status_code
                except httpx2.TransportError:
                    code = 0
                latencies.append(time.perf_counter() - sent)
                statuses[code] = statuses.get(code, 0) + 1

        await asyncio.gather(*(user() for _ in range(users)))
        return Run("", latencies, time.perf_counter() - start, statuses)


def drive(name: str, base: str, builders: Sequence[RequestBuilder], users: int) -> Run:
    """Send every request of ``builders`` with ``users`` of them in flight at once.

    Each builder is called once, by the next free user, so the requests go out
    in list order. Returns the latencies and the count of each status code
    (0 for a transport error).
    """
    run = asyncio.run(_drive(base, builders, users))
    run.name = name
    return run


# ------------------------------------------------------------------ store


@contextmanager
def store(backend: str) -> Iterator[str]:
    """Yield the URL of an empty store on ``backend``; remove it at the end."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'bench.db'}"
        return
    with bench_schema() as url:
        yield url


def prepare_round(url: str) -> list[surveys.IssuedLink]:
    """Migrate the store, open a SYNTHETIC round and return its issued links."""
    engine = make_engine(url)
    upgrade(engine)
    with session_factory(engine)() as session:
        load_divisions(session, SYSTEM, 2020, within=("41",))
        survey = surveys.open_round(
            session, SYSTEM, COUNTY, YEAR, POPULATION, dict(STRATA)
        )
        links = surveys.issue_links(session, SYSTEM, survey.id)
        session.commit()
    engine.dispose()
    return links


def count_stored(url: str) -> tuple[int, int]:
    """Return the number of stored answers and of answered-link marks."""
    engine = make_engine(url)
    with engine.connect() as connection:
        answers = connection.scalar(select(func.count()).select_from(SurveyAnswer))
        uses = connection.scalar(select(func.count()).select_from(SurveyLinkUse))
    engine.dispose()
    return int(answers or 0), int(uses or 0)


# ------------------------------------------------------------------ main


def answer_builders(links: Sequence[surveys.IssuedLink]) -> list[RequestBuilder]:
    """Return one builder per link that submits a complete answer sheet."""
    qset = load_questionnaire_set()
    builders: list[RequestBuilder] = []
    for number, link in enumerate(links):
        form: dict[str, Any] = {}
        for index, item in enumerate(qset.items_of(link.group)):
            keys = qset.scales[item.scale].answer_keys()
            form[item.id] = keys[(number + index) % len(keys)]

        def build(
            client: httpx2.AsyncClient,
            path: str = f"/s/{link.token}",
            data: dict[str, Any] = form,
        ) -> httpx2.Request:
            return client.build_request("POST", path, data=data)

        builders.append(build)
    return builders


def bench_backend(backend: str, args: argparse.Namespace) -> None:
    """Measure one store and check that no answer was lost or doubled."""
    with store(backend) as url:
        links = prepare_round(url)
        needed = args.baseline + args.respondents
        if len(links) < needed:
            raise SystemExit(f"the round has {len(links)} links; {needed} needed")
        first = answer_builders(links[: args.baseline])
        second = answer_builders(links[args.baseline : needed])
        replay = answer_builders(links[: args.replays])
        with server(url, args.workers) as base:
            baseline = drive(f"{backend}: 1 at a time", base, first, 1)
            load = drive(
                f"{backend}: {args.users} concurrent", base, second, args.users
            )
            again = drive(f"{backend}: replay used links", base, replay, args.replays)
        answers, uses = count_stored(url)
    print(baseline.line())
    print(load.line())
    print(again.line())
    accepted = baseline.statuses.get(303, 0) + load.statuses.get(303, 0)
    ratio = load.rate / baseline.rate if baseline.rate else 0.0
    print(
        f"{backend}: {accepted} accepted, {answers} answers and {uses} link marks "
        f"stored, expected {needed}; load/baseline throughput {ratio:.2f}x"
    )
    lost = answers != needed or uses != needed or accepted != needed
    if lost or again.statuses.get(409, 0) != args.replays:
        raise SystemExit(f"{backend}: answers lost, doubled or wrongly refused")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200, help="concurrent respondents")
    parser.add_argument(
        "--respondents", type=int, default=600, help="answers in the load run"
    )
    parser.add_argument(
        "--baseline", type=int, default=100, help="answers sent one at a time"
    )
    parser.add_argument(
        "--replays", type=int, default=20, help="used links submitted again (max 29)"
    )
    parser.add_argument("--workers", type=int, default=1, help="uvicorn processes")
    parser.add_argument(
        "--backends",
        nargs="+",
        default=["sqlite", "postgresql"],
        choices=["sqlite", "postgresql"],
    )
    args = parser.parse_args()
    load = os.getloadavg()
    print(
        f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load average {load[0]:.2f}; "
        f"uvicorn workers {args.workers}"
    )
    for backend in args.backends:
        bench_backend(backend, args)


if __name__ == "__main__":
    main()
