"""Evaluations computed from approved store data, cached per data generation.

The dashboards, the JSON API and the report downloads all read evaluations
through :class:`ResultsCache`. One entry contains the national evaluation of one
year under one framework for one audience and is keyed by ``(framework, year, data
generation, audience)``. The store bumps the data generation in the same
transaction that approves or reopens a record, so the first request after an
approval sees a new key and evaluates again, and every request in between reuses
the entry and the pages, JSON and CSV bytes memoised on it.

An evaluation of the whole country also answers every province, city and
county, because a county's verdict depends on its own schools and items only
and a region's roll-up on the counties inside it.

Audiences:

``internal``
    every approved record (status ``approved``, the last step of the chain).
``public``
    only *published* county-years: those in which every current school record
    and the current county-item record (where one exists) are final-approved,
    so no record of that county and year is still in the workflow (draft,
    submitted, returned or approved at a lower level). A county with one school
    still under review is not shown to the public until that school's record
    is approved too.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol, TypeVar

import polars as pl

from junheng.engine.compute import empty_county_items
from junheng.evaluation.document import build_document
from junheng.evaluation.verdict import Evaluation, evaluate
from junheng.standards.loader import load_framework
from junheng.standards.model import Framework

log = logging.getLogger(__name__)

Audience = Literal["internal", "public"]
AUDIENCES: tuple[Audience, ...] = ("internal", "public")
DEFAULT_FRAMEWORK = "cn-2017-quality"

T = TypeVar("T")


class ResultSource(Protocol):
    """A provider of approved data: the store, or frames in tests and demos."""

    def generation(self) -> int:
        """Return the current data generation."""
        ...

    def years(self, audience: Audience = "internal") -> list[int]:
        """Return the years with approved school data for ``audience``, oldest
        first."""
        ...

    def schools(self, year: int, audience: Audience) -> pl.DataFrame:
        """Return the approved canonical school rows of ``year`` for ``audience``."""
        ...

    def county_items(self, year: int, audience: Audience) -> pl.DataFrame:
        """Return the approved county items of ``year`` for ``audience``."""
        ...


@dataclass
class FrameSource:
    """A :class:`ResultSource` over fixed frames, for demos, tests and benchmarks.

    Every row counts as approved and every county as published unless
    ``unpublished`` names it. Call :meth:`bump` after changing the frames.
    """

    school_rows: pl.DataFrame
    item_rows: pl.DataFrame | None = None
    unpublished: set[tuple[int, str]] = field(default_factory=set)
    value: int = 1

    def generation(self) -> int:
        """Return the current data generation."""
        return self.value

    def bump(self) -> None:
        """Mark the frames as changed."""
        self.value += 1

    def years(self, audience: Audience = "internal") -> list[int]:
        """Return the years of the rows ``audience`` sees, oldest first."""
        rows = self._published(self.school_rows, audience)
        return sorted(set(rows["year"].to_list()))

    def _published(self, frame: pl.DataFrame, audience: Audience) -> pl.DataFrame:
        if audience == "internal" or not self.unpublished:
            return frame
        hidden = pl.DataFrame(
            sorted(self.unpublished),
            schema={"year": pl.Int64, "division_code": pl.String},
            orient="row",
        )
        return frame.join(hidden, on=["year", "division_code"], how="anti")

    def schools(self, year: int, audience: Audience) -> pl.DataFrame:
        """Return the school rows of ``year`` visible to ``audience``."""
        rows = self.school_rows.filter(pl.col("year") == year)
        return self._published(rows, audience)

    def county_items(self, year: int, audience: Audience) -> pl.DataFrame:
        """Return the county items of ``year`` visible to ``audience``."""
        if self.item_rows is None:
            return empty_county_items()
        rows = self.item_rows.filter(pl.col("year") == year)
        return self._published(rows, audience)


@dataclass(frozen=True)
class ResultKey:
    """What one cache entry depends on."""

    framework: str
    year: int
    generation: int
    audience: Audience


class _Memo:
    """A bounded least-recently-used mapping of derived values."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            if key not in self._items:
                return _MISSING
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


_MISSING = object()

MEMO_SIZE = 4096
"""Derived values (page views, JSON and CSV bytes) kept per cache entry."""


@dataclass
class YearResult:
    """The evaluation of one year and the values derived from it.

    ``lock`` serialises work on the evaluation's DuckDB connection, which is not
    safe to use from several threads at once. Derived values are memoised with
    :meth:`memo`, so a page built once is served from memory until the data
    generation changes.
    """

    key: ResultKey
    framework: Framework
    schools: pl.DataFrame
    county_items: pl.DataFrame
    evaluation: Evaluation
    lock: threading.RLock = field(default_factory=threading.RLock)
    _memo: _Memo = field(default_factory=lambda: _Memo(MEMO_SIZE))

    def memo(self, key: Hashable, build: Callable[[], T]) -> T:
        """Return the value memoised under ``key``, building it on first use."""
        found = self._memo.get(key)
        if found is not _MISSING:
            value: T = found
            return value
        with self.lock:
            found = self._memo.get(key)
            if found is not _MISSING:
                return found  # type: ignore[no-any-return]
            built = build()
            self._memo.put(key, built)
            return built

    def division_evaluation(self, prefix: str) -> Evaluation:
        """Return the evaluation of the counties whose code starts with ``prefix``.

        The whole-year evaluation already contains every county's numbers, and this one
        exists for the reports, whose roll-ups and lists must cover exactly the
        division in view.
        """
        if not prefix:
            return self.evaluation

        def build() -> Evaluation:
            inside = pl.col("division_code").str.starts_with(prefix)
            return evaluate(
                self.schools.filter(inside),
                self.framework,
                self.county_items.filter(inside),
            )

        return self.memo(("division_evaluation", prefix), build)

    def document(self, prefix: str, lang: str) -> dict[str, Any]:
        """Return the report document of the division ``prefix`` in ``lang``."""

        def build() -> dict[str, Any]:
            ev = self.division_evaluation(prefix)
            doc = build_document(ev, lang=lang, sources=[_source_label(self.key)])
            # Anyone who may read the page downloads its reports, anonymous
            # visitors included, so they name the file without the server's
            # folders.
            doc["framework"]["file"] = ev.framework.file_name
            return doc

        return self.memo(("document", prefix, lang), build)

    def restricted(self, codes: Iterable[str]) -> Evaluation:
        """Return the evaluation with its verdicts limited to the ``codes``.

        The copy shares the engine and the cache of explanations, so it only
        narrows what :func:`junheng.evaluation.document.county_records` lists.
        """
        wanted = list(codes)
        ev = self.evaluation
        return replace(
            ev, verdicts=ev.verdicts.filter(pl.col("division_code").is_in(wanted))
        )


def _materialise_units(ev: Evaluation) -> None:
    """Keep the per-school values in a table instead of recomputing them.

    ``unit_values`` is a view that recomputes every school of the year when it
    is read, and each county page reads it for its own schools. Storing it once
    per cache entry makes those reads a filter on a table.
    """
    con = ev.engine.con
    con.sql(
        "CREATE OR REPLACE TEMP TABLE unit_values_stored AS "
        "SELECT * FROM unit_values ORDER BY division_code, school_code"
    )
    con.sql(
        "CREATE OR REPLACE TEMP VIEW unit_values AS SELECT * FROM unit_values_stored"
    )


def _source_label(key: ResultKey) -> str:
    return (
        f"junheng store: approved data of {key.year}, data generation "
        f"{key.generation} ({key.audience})"
    )


class ResultsCache:
    """Evaluations per ``(framework, year, data generation, audience)``.

    ``max_entries`` bounds the entries kept; entries of an older data generation
    are dropped as soon as a newer one is built. ``builds`` counts evaluations
    run, which the tests use to prove that a cached entry was reused.
    ``framework`` (an id or a file path) is the framework of :meth:`result`
    calls that name none.
    """

    def __init__(
        self, max_entries: int = 12, framework: str = DEFAULT_FRAMEWORK
    ) -> None:
        self.max_entries = max_entries
        self.framework = framework
        self.builds = 0
        self._entries: OrderedDict[ResultKey, YearResult] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[ResultKey, threading.Lock] = {}
        self._small: dict[tuple[int, Hashable], Any] = {}

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
            self._key_locks.clear()
            self._small.clear()

    def per_generation(
        self, generation: int, key: Hashable, build: Callable[[], T]
    ) -> T:
        """Return a small value that only changes with the data generation.

        Values of older generations are dropped when a newer one is stored.
        """
        with self._lock:
            found = self._small.get((generation, key), _MISSING)
        if found is not _MISSING:
            value: T = found
            return value
        built = build()
        with self._lock:
            stale = [k for k in self._small if k[0] < generation]
            for old in stale:
                del self._small[old]
            self._small[(generation, key)] = built
        return built

    def result(
        self,
        source: ResultSource,
        year: int,
        *,
        audience: Audience = "internal",
        framework: str | None = None,
        generation: int | None = None,
    ) -> YearResult:
        """Return the evaluation of ``year`` for ``audience``, building it if needed.

        ``framework`` defaults to the cache's own. ``generation`` is the data
        generation read by the caller in the same request; it is read from
        ``source`` when not given.
        """
        current = source.generation() if generation is None else generation
        key = ResultKey(framework or self.framework, year, current, audience)
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        # One build per key: concurrent requests for the same key wait for it.
        with key_lock:
            with self._lock:
                found = self._entries.get(key)
            if found is not None:
                return found
            built = self._build(source, key)
            with self._lock:
                self._store(key, built)
                self._key_locks.pop(key, None)
            return built

    def _store(self, key: ResultKey, built: YearResult) -> None:
        if any(k.generation > key.generation for k in self._entries):
            # A request that read the generation before an approval finished
            # after one that read it after: serve it, but do not keep it.
            return
        stale = [k for k in self._entries if k.generation < key.generation]
        for old in stale:
            del self._entries[old]
        self._entries[key] = built
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def _build(self, source: ResultSource, key: ResultKey) -> YearResult:
        fw = load_framework(key.framework)
        schools = source.schools(key.year, key.audience)
        items = source.county_items(key.year, key.audience)
        ev = evaluate(schools, fw, items)
        _materialise_units(ev)
        self.builds += 1
        log.info(
            "evaluated %d schools of %d for %s (data generation %d, %s)",
            schools.height,
            key.year,
            key.framework,
            key.generation,
            key.audience,
        )
        return YearResult(key, fw, schools, items, ev)
