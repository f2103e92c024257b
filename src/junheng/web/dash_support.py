"""Helpers of the dashboards: the store as a result source, chart and map
specifications, map geometry lookup and the page context.

Charts and maps are drawn in the browser by ``static/dash/dash.js`` from the
page's JSON twin. The specifications here only name the table and columns a
chart shows, so a chart can never show a number the twin does not have.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from functools import cache
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar

import polars as pl
from markupsafe import Markup, escape
from sqlalchemy import Engine, case, create_engine, event, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from junheng.evaluation.messages import SECTION_LABELS, VERDICT_LABELS
from junheng.services import access
from junheng.services.access import Principal
from junheng.services.results import Audience, ResultsCache
from junheng.standards.model import Framework
from junheng.store.models import (
    CountyItemRecord,
    DataGeneration,
    Division,
    School,
    SchoolRecord,
)
from junheng.web.i18n import MESSAGES, translate

STATIC_DIR = Path(__file__).resolve().parent / "static"
GEO_DIR = STATIC_DIR / "geo"
FINAL = "approved"
T = TypeVar("T")
V = TypeVar("V")

# The dashboard labels live in the web catalogue under the prefix "dash.".
DASH_TEXT: dict[str, tuple[str, str]] = {
    key.removeprefix("dash."): texts
    for key, texts in MESSAGES.items()
    if key.startswith("dash.")
}


def dash_text(key: str, lang: str) -> str:
    """Return the dashboard label ``key`` in ``lang``."""
    return translate(f"dash.{key}", "en" if lang == "en" else "zh")


# ------------------------------------------------------------------ the store


class GenerationReader(Generic[V]):
    """Read the data generation for many concurrent requests at once.

    Each request needs a generation read at least as new as the request,
    because an approval committed before the request arrived must show in
    its page. A read that started after a request arrived serves that
    request, so concurrent requests share one read instead of each taking a
    pooled connection, and no request ever gets a value older than itself.
    ``read`` returns the value: :class:`Generations` in the app, whose
    divisions generation comes with the data generation at no extra cost.
    """

    def __init__(self, read: Callable[[], V]) -> None:
        self._read = read
        self._done = threading.Condition()
        self._started: int | None = None
        self._latest: tuple[int, V | None] = (-1, None)

    def generation(self) -> V:
        """Return the value of a read that started after this call did."""
        arrived = time.monotonic_ns()
        with self._done:
            while True:
                started, latest = self._latest
                if started > arrived and latest is not None:
                    return latest
                if self._started is None:
                    mine = self._started = time.monotonic_ns()
                    break
                # A read is under way: use it if it started after this call,
                # else wait for it to end and start one.
                self._done.wait()
        try:
            value = self._read()
        except BaseException:
            with self._done:
                self._started = None
                self._done.notify_all()
            raise
        with self._done:
            if mine > self._latest[0]:
                self._latest = (mine, value)
            self._started = None
            self._done.notify_all()
        return value


class Generations(NamedTuple):
    """The counters of :class:`~junheng.store.models.DataGeneration`."""

    data: int
    """The data generation, 0 before anything was approved."""
    divisions: int
    """The number of division loads that changed the ``divisions`` table."""


GENERATION_QUERY = select(DataGeneration.value, DataGeneration.divisions).where(
    DataGeneration.id == 1
)


class GenerationQuery:
    """Read the data and divisions generations with one statement and nothing else.

    A read through a store session costs a session, a pooled connection
    checked with a ping, a transaction and its rollback: most of a cached
    page's CPU time. On a database server the reads use a pool of one
    connection of their own in autocommit mode. Each read is then one
    round trip, and it returns the value of the last commit before it
    started. When the server has closed the connection, the read fails once
    and is made again on a new connection. SQLite has no ping, and an
    in-memory database only exists on the engine's own connection, so it is
    read through the engine.

    Use :func:`generation_query`, which makes one per engine.
    """

    def __init__(self, engine: Engine) -> None:
        self.own = engine.dialect.name != "sqlite"
        self.engine = engine
        if self.own:
            self.engine = create_engine(
                engine.url,
                pool_size=1,
                max_overflow=0,
                isolation_level="AUTOCOMMIT",
                pool_reset_on_return=None,
            )

    def __call__(self) -> Generations:
        for attempt in (1, 2):
            try:
                with self.engine.connect() as connection:
                    row = connection.execute(GENERATION_QUERY).first()
                    return Generations(*row) if row is not None else Generations(0, 0)
            except DBAPIError as error:
                # SQLAlchemy invalidates a dropped connection and replaces it
                # on the next checkout. Other errors go to the caller.
                if attempt == 2 or not error.connection_invalidated:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def dispose(self, *_: object) -> None:
        """Close the connection of the reads (not the engine it was made for)."""
        if self.own:
            self.engine.dispose()


_QUERIES: weakref.WeakKeyDictionary[Engine, GenerationQuery] = (
    weakref.WeakKeyDictionary()
)
_QUERIES_LOCK = threading.Lock()


def generation_query(engine: Engine) -> Callable[[], Generations]:
    """Return the reader of the generations in ``engine``'s database.

    Every app on one engine shares one reader, so the connections of the
    reads are as many as the engines, and disposing of the engine closes
    them.
    """
    if engine.dialect.name == "sqlite":
        return GenerationQuery(engine)
    with _QUERIES_LOCK:
        query = _QUERIES.get(engine)
        if query is None:
            query = _QUERIES[engine] = GenerationQuery(engine)
            event.listen(engine, "engine_disposed", query.dispose)
    return query


class StoreSource:
    """The store as a :class:`~junheng.services.results.ResultSource`.

    Reads happen in the caller's session; the generation and the year lists are
    read once per source, which lives for one request. ``generation`` and
    ``divisions`` are the data and divisions generations the caller has
    already read.
    """

    def __init__(
        self,
        session: Session,
        cache: ResultsCache | None = None,
        generation: int | None = None,
        divisions: int | None = None,
    ) -> None:
        self.session = session
        self.cache = cache
        self._generation = generation
        self._divisions = divisions
        self._years: dict[Audience, list[int]] = {}
        self._published: dict[int, set[str]] = {}

    def generation(self) -> int:
        """Return the data generation (0 before anything was approved)."""
        if self._generation is None:
            row = self.session.get(DataGeneration, 1)
            self._generation = row.value if row is not None else 0
        return self._generation

    def divisions(self) -> int:
        """Return the divisions generation (0 before a load changed divisions)."""
        if self._divisions is None:
            row = self.session.get(DataGeneration, 1)
            self._divisions = row.divisions if row is not None else 0
        return self._divisions

    def _shared(self, key: Hashable, build: Callable[[], T]) -> T:
        # Year lists and published counties change with approvals, which bump
        # the data generation, so they are kept per generation.
        if self.cache is None:
            return build()
        return self.cache.per_generation(self.generation(), key, build)

    def years(self, audience: Audience = "internal") -> list[int]:
        """Return the years with approved school records that ``audience`` sees."""
        if audience not in self._years:
            self._years[audience] = self._shared(
                ("years", audience), lambda: self._query_years(audience)
            )
        return self._years[audience]

    def _query_years(self, audience: Audience) -> list[int]:
        query = (
            select(SchoolRecord.year)
            .where(SchoolRecord.is_current, SchoolRecord.status == FINAL)
            .distinct()
        )
        years = sorted(self.session.scalars(query))
        if audience == "public":
            years = [y for y in years if self.published_counties(y)]
        return years

    def published_counties(self, year: int) -> set[str]:
        """Return the counties of ``year`` whose current records are all final.

        Current school records and the current county-item record count; a
        county without any approved school record is not published.
        """
        if year not in self._published:
            self._published[year] = self._shared(
                ("published", year), lambda: self._query_published(year)
            )
        return self._published[year]

    def _query_published(self, year: int) -> set[str]:
        approved = func.sum(case((SchoolRecord.status == FINAL, 1), else_=0))
        schools = self.session.execute(
            select(School.division_code, func.count(), approved)
            .join(School, School.code == SchoolRecord.school_code)
            .where(SchoolRecord.year == year, SchoolRecord.is_current)
            .group_by(School.division_code)
        ).all()
        complete = {code for code, total, done in schools if done and total == done}
        pending_items = self.session.scalars(
            select(CountyItemRecord.division_code).where(
                CountyItemRecord.year == year,
                CountyItemRecord.is_current,
                CountyItemRecord.status != FINAL,
            )
        )
        return complete - set(pending_items)

    def retired(self, code: str) -> Division | None:
        """Return the division ``code`` if it is retired with a known successor.

        The returned row belongs to no session. The retired codes are read
        once per data and divisions generation, so a division load that
        retires a code shows from its commit on.
        """
        key = ("retired", self.divisions())
        found = self._shared(key, self._query_retired).get(code)
        return None if found is None else Division(**found)

    def _query_retired(self) -> dict[str, dict[str, Any]]:
        query = select(*Division.__table__.columns).where(
            Division.valid_to.is_not(None), Division.successor_code.is_not(None)
        )
        return {
            row["code"]: dict(row) for row in self.session.execute(query).mappings()
        }

    def _visible(
        self, frame: pl.DataFrame, year: int, audience: Audience
    ) -> pl.DataFrame:
        if audience == "internal":
            return frame
        codes = sorted(self.published_counties(year))
        return frame.filter(pl.col("division_code").is_in(codes))

    def schools(self, year: int, audience: Audience) -> pl.DataFrame:
        """Return the approved school rows of ``year`` that ``audience`` sees."""
        from junheng.services import records

        return self._visible(records.approved_frame(self.session, year), year, audience)

    def county_items(self, year: int, audience: Audience) -> pl.DataFrame:
        """Return the approved county items of ``year`` that ``audience`` sees."""
        from junheng.services import records

        frame = records.approved_county_items(self.session, year)
        return self._visible(frame, year, audience)


# ------------------------------------------------------------------ charts


def _sections(table: dict[str, Any]) -> list[str]:
    found = {row.get("section") for row in table["rows"]}
    return [s for s in ("primary", "junior") if s in found]


def _section_title(section: str) -> dict[str, str]:
    return SECTION_LABELS.get(section, {"zh": section, "en": section})


def _chart(
    chart_id: str,
    kind: str,
    table: str,
    section: str | None,
    series: list[str],
    limit: float | None,
    title: tuple[str, str],
) -> dict[str, Any]:
    """Return one chart specification; ``section`` prefixes the title."""
    label = _section_title(section) if section else {"zh": "", "en": ""}
    return {
        "id": chart_id,
        "kind": kind,
        "table": table,
        "filter": {"section": section} if section else {},
        "x": "year" if table == "trend" else "indicator",
        "series": series,
        "limit": limit,
        "title": {
            "zh": f"{label['zh']}{title[0]}",
            "en": f"{label['en']} {title[1]}".strip(),
        },
    }


def chart_specs(view: dict[str, Any], framework: Framework) -> list[dict[str, Any]]:
    """Return the charts of a page: which table, rows, columns and limit line."""
    tables = view["tables"]
    limits: dict[str, float] = {
        str(k): v for k, v in framework.balance_rule.cv_limit.items()
    }
    level = view["level"]
    charts: list[dict[str, Any]] = []
    indicators = tables.get("indicators")
    for section in _sections(indicators) if indicators is not None else []:
        if level == "school":
            charts.append(
                _chart(
                    f"values-{section}",
                    "bars",
                    "indicators",
                    section,
                    ["value", "threshold"],
                    None,
                    ("指标值与标准", "values and thresholds"),
                )
            )
        else:
            series = ["cv"] if level == "county" else ["cv_median", "cv_max"]
            charts.append(
                _chart(
                    f"cv-{section}",
                    "bars",
                    "indicators",
                    section,
                    series,
                    limits.get(section),
                    ("各指标差异系数", "CV per indicator"),
                )
            )
    trend = tables.get("trend")
    if trend is None:
        return charts
    if level in ("nation", "province", "city"):
        series = ["pass", "fail", "incomplete"]
        charts.append(
            _chart(
                "trend",
                "lines",
                "trend",
                None,
                series,
                None,
                ("历年结论", "Verdicts by year"),
            )
        )
        return charts
    prefix = "cv_" if level == "county" else "v_"
    keys = [c["key"] for c in trend["columns"] if c["key"].startswith(prefix)]
    for section in _sections(trend):
        limit = limits.get(section) if prefix == "cv_" else None
        charts.append(
            _chart(
                f"trend-{section}",
                "lines",
                "trend",
                section,
                keys,
                limit,
                ("历年变化", "by year"),
            )
        )
    return charts


# ------------------------------------------------------------------ maps


@cache
def geo_codes(name: str) -> frozenset[str]:
    """Return the division codes that the boundary file ``name`` covers."""
    path = GEO_DIR / name
    if not path.is_file():
        return frozenset()
    collection = json.loads(path.read_text(encoding="utf-8"))
    return frozenset(f["properties"]["code"] for f in collection["features"])


def map_spec(view: dict[str, Any]) -> dict[str, Any] | None:
    """Return the map of a page: boundary file, areas and divisions without one.

    ``None`` at school level, where there is nothing to draw.
    """
    level = view["level"]
    if level == "school":
        return None
    code = view["code"]
    if level == "nation":
        name = "provinces.json"
    elif level == "province":
        name = f"cities/{code}.json"
    else:
        name = f"counties/{code[:2]}.json"
    if level == "county":
        summary = view["tables"]["summary"]["rows"][0]
        areas = [{"code": code, "name": view["name"], "verdict": summary["verdict"]}]
        metric = "verdict"
    else:
        children = view["tables"]["children"]["rows"]
        metric = "verdict" if level == "city" else "pass_share"
        areas = [
            {"code": r["code"], "name": r["name"], metric: r.get(metric)}
            for r in children
        ]
    covered = geo_codes(name)
    missing = [a for a in areas if a["code"] not in covered]
    # A file without any area of the page (a retired county, say) would draw
    # an empty map, so the page lists the areas as missing instead.
    drawn = bool(covered) and len(missing) < len(areas)
    return {
        "geo": f"/static/geo/{name}" if drawn else None,
        "prefix": code,
        "metric": metric,
        "areas": areas,
        "missing": [{"code": a["code"], "name": a["name"]} for a in missing],
    }


# ------------------------------------------------------------------ pages


LEVEL_PATHS = {
    "province": "province",
    "city": "city",
    "county": "county",
    "school": "school",
}


def page_path(year: int, level: str, code: str) -> str:
    """Return the path of a dashboard page."""
    if level == "nation":
        return f"/dash/{year}/nation"
    return f"/dash/{year}/{LEVEL_PATHS[level]}/{code}"


def _child_href(
    view: dict[str, Any], principal: Principal | None, code: str
) -> str | None:
    level = {"nation": "province", "province": "city", "city": "county"}.get(
        view["level"]
    )
    if level is None:
        if view["level"] == "county":
            level = "school"
        else:
            return None
    if (
        principal is not None
        and principal.role != access.Role.PUBLIC
        and not access.can_read(
            principal,
            view["code"] if level == "school" else code,
            code if level == "school" else None,
        )
    ):
        return None
    return page_path(view["year"], level, code)


def breadcrumbs(view: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """Return ``(label, path)`` pairs from the nation down to the page's parent."""
    year = view["year"]
    crumbs = [(dash_text("nation", lang), page_path(year, "nation", ""))]
    parents = view.get("parents", {})
    for level in ("province", "city", "county"):
        if level in parents:
            code, name = parents[level]
            crumbs.append((name or code, page_path(year, level, code)))
    return crumbs


def cell_text(value: Any, column: dict[str, Any], lang: str) -> str:
    """Return the text a table cell shows: the twin's value, formatted."""
    if value is None:
        return "—"
    kind = column.get("kind")
    if kind == "verdict":
        return VERDICT_LABELS.get(value, {}).get(lang, str(value))
    if kind == "bool" or isinstance(value, bool):
        return dash_text("yes" if value else "no", lang)
    if kind == "code" and column["key"] == "section":
        return _section_title(str(value))[lang]
    digits = column.get("digits")
    if isinstance(value, float) and digits is not None:
        return f"{value:.{digits}f}"
    return str(value)


def link_key(principal: Principal | None) -> str | None:
    """Return what the row links of a page depend on for ``principal``.

    A caller who may read a page may read every division and school listed on
    it, except a school user, who may open only their own school.
    """
    if principal is not None and principal.role == access.Role.SCHOOL:
        return principal.school_code or ""
    return None


def tables_context(
    view: dict[str, Any], lang: str, principal: Principal | None
) -> dict[str, Any]:
    """Return the context of the ``dash/tables.html`` fragment."""
    # Links are kept beside the rows: the rows are shared with the JSON twin,
    # which is the same for every caller.
    row_links: dict[str, list[str | None]] = {}
    for name in ("children", "schools"):
        table = view["tables"].get(name)
        if table is None:
            continue
        row_links[name] = [
            _child_href(view, principal, str(row.get("code") or row["school_code"]))
            for row in table["rows"]
        ]
    return {
        "view": view,
        "lang": lang,
        "path": page_path(view["year"], view["level"], view["code"]),
        "row_links": row_links,
        "d": lambda key: dash_text(key, lang),
        "cell": lambda value, column: cell_text(value, column, lang),
    }


def page_context(
    view: dict[str, Any], lang: str, years: Sequence[int], tables_html: str
) -> dict[str, Any]:
    """Return the template context of a dashboard page."""
    path = page_path(view["year"], view["level"], view["code"])
    return {
        "view": view,
        "lang": lang,
        "path": path,
        "json_href": f"{path}.json",
        "reports": view["level"] in ("province", "city", "county"),
        "years": [(y, page_path(y, view["level"], view["code"])) for y in years],
        "crumbs": breadcrumbs(view, lang),
        "tables_html": tables_html,
        "d": lambda key: dash_text(key, lang),
        "verdict_label": lambda v: VERDICT_LABELS.get(v, {}).get(lang, v),
    }


# ------------------------------------------------------------------ page frames


CONTENT_MARK = Markup(f"jhcontent{secrets.token_hex(16)}")
"""Stands for the main part of a page while its frame is rendered."""
TOKEN_MARK = Markup(f"jhcsrf{secrets.token_hex(16)}")
"""Stands for the CSRF token while a page frame is rendered. Hex digits and
letters only, so escaping leaves both marks as they are."""
_MARKS = re.compile(f"({re.escape(CONTENT_MARK)}|{re.escape(TOKEN_MARK)})")


class PageFrame:
    """A rendered page with holes for its main part and its CSRF token.

    The frame (header, navigation, forms around the main part) depends on the
    caller and the URL, the main part on the data and the token on the time,
    so each is made where it changes and :meth:`fill` puts them together.
    """

    def __init__(self, page: bytes) -> None:
        pieces = _MARKS.split(page.decode("utf-8"))
        self.texts = [piece.encode("utf-8") for piece in pieces[::2]]
        self.holes = [piece == CONTENT_MARK for piece in pieces[1::2]]

    def fill(self, content: bytes, token: str) -> bytes:
        """Return the page with ``content`` and ``token`` in their holes."""
        token_bytes = str(escape(token)).encode("utf-8")
        out = [self.texts[0]]
        for is_content, text in zip(self.holes, self.texts[1:], strict=True):
            out.append(content if is_content else token_bytes)
            out.append(text)
        return b"".join(out)


FRAME_ENTRIES = 2048
"""Page frames kept per process; the least recently used go first."""


class PageFrames:
    """The most recently used page frames, by whatever their page depends on."""

    def __init__(self, size: int = FRAME_ENTRIES) -> None:
        self.size = size
        self._frames: OrderedDict[Hashable, PageFrame] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> PageFrame | None:
        """Return the frame under ``key``, or ``None``."""
        with self._lock:
            frame = self._frames.get(key)
            if frame is not None:
                self._frames.move_to_end(key)
            return frame

    def put(self, key: Hashable, frame: PageFrame) -> None:
        """Keep ``frame`` under ``key``, dropping the oldest beyond the size."""
        with self._lock:
            self._frames[key] = frame
            self._frames.move_to_end(key)
            while len(self._frames) > self.size:
                self._frames.popitem(last=False)
