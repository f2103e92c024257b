"""Concurrent requests share reads of the data generation, never an old one,
and a read sees every commit made before it."""

from __future__ import annotations

import threading
import time

import pytest
from store.dbfixtures import Database

from junheng.services import records
from junheng.services.access import SYSTEM
from junheng.store.divisions import load_divisions
from junheng.web.dash_support import (
    GenerationQuery,
    GenerationReader,
    Generations,
    generation_query,
)


def test_reader_sees_every_change() -> None:
    stored = [1]
    reader = GenerationReader(lambda: stored[0])
    assert reader.generation() == 1
    stored[0] = 2
    # A call after the change must not get the value read before it.
    assert reader.generation() == 2


def test_waiting_calls_share_one_read() -> None:
    reads: list[int] = []
    entered = threading.Event()
    release = threading.Event()
    stored = [5]

    def read() -> int:
        value = stored[0]
        reads.append(value)
        if len(reads) == 1:
            entered.set()
            release.wait(10)
        return value

    reader = GenerationReader(read)
    results: list[int] = []
    first = threading.Thread(target=lambda: results.append(reader.generation()))
    first.start()
    assert entered.wait(10)
    # These calls arrive while the first read is under way, after it started,
    # so they need a read of their own, and all of them share one.
    stored[0] = 6
    waiting = [
        threading.Thread(target=lambda: results.append(reader.generation()))
        for _ in range(8)
    ]
    for thread in waiting:
        thread.start()
    # Let the first read end only once all eight wait on the reader's
    # condition (CPython keeps its waiters in _waiters).
    deadline = time.monotonic() + 10
    while len(reader._done._waiters) < 8 and time.monotonic() < deadline:  # type: ignore[attr-defined]
        time.sleep(0.01)
    release.set()
    for thread in [first, *waiting]:
        thread.join(10)
    assert len(reads) == 2
    assert sorted(results) == [5] + [6] * 8


def test_failed_read_lets_next_call_retry() -> None:
    calls = [0]

    def read() -> int:
        calls[0] += 1
        if calls[0] == 1:
            raise OSError("connection lost")
        return 3

    reader = GenerationReader(read)
    with pytest.raises(OSError, match="connection lost"):
        reader.generation()
    assert reader.generation() == 3


def test_query_sees_each_commit(database: Database) -> None:
    query = generation_query(database.engine)
    assert query() == Generations(data=0, divisions=0)
    with database.sessions() as session:
        records.bump_data_generation(session)
        session.commit()
    # Committed by another connection just before: the next read has it.
    assert query() == Generations(data=1, divisions=0)
    assert generation_query(database.engine) is query or database.backend == "sqlite"


def test_query_counts_changing_division_loads(database: Database) -> None:
    query = generation_query(database.engine)
    with database.sessions() as session:
        load_divisions(session, SYSTEM, 2024, within=("11",))
        session.commit()
    assert query() == Generations(data=0, divisions=1)
    # A second load of the same package changes no division, so cached pages
    # stay valid.
    with database.sessions() as session:
        assert not load_divisions(session, SYSTEM, 2025, within=("11",)).changed
        session.commit()
    assert query() == Generations(data=0, divisions=1)


def test_query_replaces_a_dropped_connection(database: Database) -> None:
    query = generation_query(database.engine)
    assert isinstance(query, GenerationQuery)
    assert query() == Generations(0, 0)
    # Close the driver's connection behind the pool's back, as a server
    # restart would; the next read fails once and is made again.
    with query.engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert driver is not None
        driver.close()
    assert query() == Generations(0, 0)


def test_query_connection_closes_with_engine(database: Database) -> None:
    if database.backend == "sqlite":
        pytest.skip("SQLite is read through the engine's own connections")
    query = generation_query(database.engine)
    assert isinstance(query, GenerationQuery)
    query()
    assert query.engine.pool.checkedin() == 1
    database.engine.dispose()
    assert query.engine.pool.checkedin() == 0
