"""Run the evaluation queries on an in-process DuckDB connection.

Frames in, frames out: :func:`compute` takes the canonical school frame and the
county items, builds the relations described in :mod:`junheng.engine.queries`
and returns them as a :class:`EngineResult` that reads them back as Polars
frames on request.
"""

from __future__ import annotations

import logging
import re
import weakref
from dataclasses import dataclass, field

import duckdb
import polars as pl
import pyarrow as pa

from junheng.engine import queries
from junheng.standards.model import Framework

log = logging.getLogger(__name__)

COUNTY_ITEM_COLUMNS: dict[str, type[pl.DataType] | pl.DataType] = {
    "year": pl.Int64,
    "division_code": pl.String,
    "item": pl.String,
    "value_num": pl.Float64,
    "value_bool": pl.Boolean,
    "value_text": pl.String,
    "evidence": pl.String,
}


SINGLE_THREAD_ROWS = 250_000
"""Inputs up to this many school rows are evaluated on one DuckDB thread.

Threads add their partial sums in whatever order they finish, so the last
digits of a CV can differ between two runs of the same data. A county, a city
or one year of a province fits under this size and then gives the same figures
on every run, in well under a second. Larger inputs, such as the whole nation,
keep both threads.
NOTE: their figures can still differ between runs in about the 16th digit.
"""


_CURRENT_EVALUATION: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, object] = (
    weakref.WeakKeyDictionary()
)
"""The token of the latest :func:`compute` on each connection."""


class ReplacedEvaluationError(RuntimeError):
    """A later :func:`compute` on the same connection replaced this result's
    tables, so reading them would return the later evaluation's rows."""


def empty_county_items() -> pl.DataFrame:
    """Return an empty county-items frame with the canonical columns."""
    return pl.DataFrame(schema=COUNTY_ITEM_COLUMNS)


@dataclass
class EngineResult:
    """Relations of one evaluation, kept in a DuckDB connection.

    Tables: ``county_keys``, ``county_stats``, ``county_check_counts``,
    ``verdicts`` and ``regions``; views ``section_status`` (the county sections
    with their statuses) and ``county_checks`` (every county-level check), and
    the views ``units``, ``unit_values`` and ``unit_core`` that recompute the
    per-school detail on demand (see :mod:`junheng.engine.queries`).

    The per-school views are created on first use, either through :attr:`con`
    or by :meth:`query` and :meth:`run` when the SQL names one. Binding their
    long SQL takes about 55 ms, which an evaluation that never reads them
    would waste.
    """

    connection: duckdb.DuckDBPyConnection
    framework: Framework
    source: str
    """Name of the relation of school rows in the connection."""
    two_pass: bool = True
    theil: bool = False
    """Whether ``county_stats`` has the ``theil_<ID>`` numerators."""
    frame: pl.DataFrame | None = None
    """The school rows as given, when :func:`compute` got a frame: reading a
    few counties' rows from it is cheaper than scanning them in the connection."""
    deferred_views: dict[str, str] = field(default_factory=dict)
    """Views not created yet, name to query."""
    token: object = None
    """Identity of the :func:`compute` call that built the tables."""
    _cache: dict[str, pl.DataFrame] = field(default_factory=dict)

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The connection, with every view of the evaluation created."""
        self._check_current()
        self._create_views(list(self.deferred_views))
        return self.connection

    def _check_current(self) -> None:
        if _CURRENT_EVALUATION.get(self.connection) is not self.token:
            raise ReplacedEvaluationError(
                "a later compute() on the same DuckDB connection replaced the "
                "tables of this evaluation; give each evaluation that must stay "
                "readable its own connection"
            )

    def _views_of(self, sql: str) -> None:
        self._check_current()
        named = set(re.findall(r"\w+", sql))
        self._create_views([v for v in self.deferred_views if v in named])

    def _create_views(self, names: list[str]) -> None:
        for name in names:
            sql = self.deferred_views.pop(name)
            self.connection.sql(f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}")

    def table(self, name: str) -> pl.DataFrame:
        """Return table ``name`` as a Polars frame (read once, then cached)."""
        if name not in self._cache:
            self._cache[name] = self.query(f"SELECT * FROM {name}")
        return self._cache[name]

    def run(self, sql: str) -> None:
        """Run the statement ``sql``, creating the views it names first."""
        self._views_of(sql)
        self.connection.sql(sql)

    def query(self, sql: str, params: list[object] | None = None) -> pl.DataFrame:
        """Run ``sql`` on the connection and return the result as a Polars frame."""
        self._views_of(sql)
        relation = self.connection.sql(sql, params=params)
        if relation is None:
            raise ValueError(f"query returned no relation: {sql[:80]!r}")
        frame: pl.DataFrame = relation.pl()
        return frame


def _arrow(frame: pl.DataFrame) -> pa.Table:
    """Return ``frame`` as an Arrow table DuckDB can scan without copying it.

    DuckDB converts a registered Polars frame again for every query that reads
    it, and the default conversion copies each text column into the older
    Arrow string layout. The newest layout keeps Polars' own string views,
    which DuckDB reads as they are (3 ms instead of about 400 ms for the two
    million national rows).
    """
    return frame.to_arrow(compat_level=pl.CompatLevel.newest())


def _checks_frame(fw: Framework) -> pl.DataFrame:
    rows = []
    parts = [(p.id, p.items) for p in fw.parts] + [("veto", fw.veto_items)]
    for part_id, items in parts:
        for item in items:
            if item.level != "county":
                continue
            for index, check in enumerate(item.checks):
                rows.append(
                    {
                        "part_id": part_id,
                        "item_id": item.id,
                        "check_index": index,
                        "key": check.key,
                        "op": check.op,
                        "threshold": check.threshold,
                    }
                )
    schema = {
        "part_id": pl.String,
        "item_id": pl.String,
        "check_index": pl.Int64,
        "key": pl.String,
        "op": pl.String,
        "threshold": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema)


def school_types_frame(fw: Framework) -> pl.DataFrame:
    """Return the typed school-type table the unit queries join (see
    :func:`junheng.engine.queries.school_type_rows`)."""
    return pl.DataFrame(
        queries.school_type_rows(fw),
        schema={
            name: (
                pl.String
                if name == "school_type"
                else pl.Float64
                if name.startswith("thr_")
                else pl.Boolean
            )
            for name in queries.school_type_columns(fw)
        },
        orient="row",
    )


def compute(
    schools: pl.DataFrame | str | LoadedSchools,
    framework: Framework,
    county_items: pl.DataFrame | None = None,
    *,
    two_pass: bool = True,
    theil: bool = False,
    con: duckdb.DuckDBPyConnection | None = None,
) -> EngineResult:
    """Evaluate every county-year in ``schools`` against ``framework``.

    Parameters
    ----------
    schools:
        Canonical school-year rows (see :mod:`junheng.ingest.schema`), as a Polars
        frame, as the name of a table already in ``con``, or as the table
        :func:`load_schools` stored and indexed.
    framework:
        The loaded framework.
    county_items:
        County-level items in long form; ``None`` means none were reported, so
        parts 2–4 and the veto items come out incomplete.
    two_pass:
        Use the two-pass variance (the reference); ``False`` selects the faster
        one-pass form.
    theil:
        Also sum the Theil numerators the roll-ups read while the two-pass
        variance has each unit next to its county mean. The verdict does not
        need them; without them the roll-ups compute them from the units again.
    con:
        A DuckDB connection to build the tables in; a new in-memory one by
        default, on one thread for inputs up to :data:`SINGLE_THREAD_ROWS` rows.
        The tables and views have fixed names, so a second ``compute()`` on
        the same connection replaces those of the first, and the first result
        then raises :class:`ReplacedEvaluationError` when read. Give each
        evaluation that must stay readable its own connection.
    """
    if con is None:
        con = duckdb.connect()
        # A table name or a loaded table lives in the caller's connection, so
        # only a frame can arrive without one.
        if isinstance(schools, pl.DataFrame) and schools.height <= SINGLE_THREAD_ROWS:
            # With one thread every sum is added in the same order, so a rerun
            # gives the same last digits.
            con.sql("SET threads = 1")
    con.sql("SET enable_progress_bar = false")
    fw = framework
    items = county_items if county_items is not None else empty_county_items()
    thresholds = pl.DataFrame(
        queries.thresholds_rows(fw),
        schema={
            name: (
                pl.String
                if name == "section"
                else pl.Int64
                if name == "section_index"
                else pl.Float64
            )
            for name in queries.thresholds_columns(fw)
        },
        orient="row",
    )
    stored_keys = False
    if isinstance(schools, LoadedSchools):
        _check_loaded(con, schools)
        source = schools.name
        keys_sql, regions_sql = (
            f"SELECT * FROM {name}" for name in _index_names(source)
        )
        stored_keys = True
    elif isinstance(schools, str):
        source = schools
        keys_sql = queries.county_keys_sql(source)
        regions_sql = queries.regions_sql(source)
    else:
        source = "schools"
        con.register(source, _arrow(schools))
        keys_sql = queries.county_keys_sql(source)
        regions_sql = queries.regions_sql(source)
    con.register("county_items", _arrow(items))
    con.register("thresholds_input", thresholds)
    con.register("checks_input", _checks_frame(fw))
    con.register("school_types_input", school_types_frame(fw))
    unit_core = queries.unit_core_sql(fw, source, stored_keys=stored_keys)
    statements = [
        "CREATE OR REPLACE TEMP TABLE thresholds AS SELECT * FROM thresholds_input",
        "CREATE OR REPLACE TEMP TABLE checks AS SELECT * FROM checks_input",
        "CREATE OR REPLACE TEMP TABLE school_types AS SELECT * FROM school_types_input",
        f"CREATE OR REPLACE TEMP TABLE county_keys AS {keys_sql}",
        f"CREATE OR REPLACE TEMP TABLE regions AS {regions_sql}",
        f"CREATE OR REPLACE TEMP VIEW excluded AS {queries.excluded_sql(fw, source)}",
        # DuckDB underestimates the unit table and would build the hash table of
        # the second pass on its two million rows instead of the county means.
        "SET disabled_optimizers = 'build_side_probe_side'",
        "CREATE OR REPLACE TEMP TABLE county_stats AS "
        + queries.county_stats_sql(fw, two_pass=two_pass, theil=theil, units=unit_core),
        "RESET disabled_optimizers",
        # A view: the statuses are cheap to derive from the few county rows,
        # and a stored copy of the wide table would cost more than reading it.
        "CREATE OR REPLACE TEMP VIEW section_status AS "
        + queries.section_status_sql(fw),
        "CREATE OR REPLACE TEMP TABLE counties AS "
        "SELECT year, division_code FROM county_keys WHERE county_id IN "
        "(SELECT county_id FROM county_stats)",
        "CREATE OR REPLACE TEMP TABLE county_check_counts AS "
        + queries.county_check_counts_sql(),
        "CREATE OR REPLACE TEMP VIEW county_checks AS " + queries.county_checks_sql(),
        "CREATE OR REPLACE TEMP TABLE verdicts AS "
        + queries.verdicts_sql(len(_checks_frame(fw))),
    ]
    # Every table here is a grouped result or is numbered by ORDER BY, so the
    # order rows are stored in means nothing, and DuckDB may then write them
    # from all threads at once. The caller's setting is restored afterwards.
    setting = con.sql("SELECT current_setting('preserve_insertion_order')")
    preserve = setting.fetchall()[0][0]
    con.sql("SET preserve_insertion_order = false")
    try:
        for sql in statements:
            log.debug("engine query: %s", sql)
            con.sql(sql)
    finally:
        con.sql(f"SET preserve_insertion_order = {str(bool(preserve)).lower()}")
    token = _CURRENT_EVALUATION[con] = object()
    return EngineResult(
        connection=con,
        framework=fw,
        source=source,
        two_pass=two_pass,
        theil=theil and two_pass,
        frame=schools if isinstance(schools, pl.DataFrame) else None,
        deferred_views={
            "units": queries.units_sql(fw, source),
            "unit_values": queries.unit_values_sql(fw, source),
            "unit_core": unit_core,
        },
        token=token,
    )


@dataclass(frozen=True)
class LoadedSchools:
    """School rows stored in a DuckDB table by :func:`load_schools`.

    Beside the table ``name`` are ``<name>_county_keys`` (the county-years of
    the rows, numbered) and ``<name>_regions`` (the region names of each
    division), and each row carries its county number in ``loaded_county_id``.
    ``table_oid`` and ``rows`` identify the table as it was loaded, so that
    :func:`compute` notices a table replaced or grown since.
    """

    name: str
    table_oid: int
    rows: int


def load_schools(
    schools: pl.DataFrame, con: duckdb.DuckDBPyConnection, name: str = "school_rows"
) -> LoadedSchools:
    """Copy ``schools`` into a DuckDB table of ``con`` and index it.

    Repeated evaluations of the same rows (benchmarks, several frameworks) then
    scan DuckDB's own storage instead of converting the frame each time, and
    :func:`compute` reads the county numbers and region names stored with the
    rows (see :class:`LoadedSchools`) instead of scanning and joining every row
    again: they depend on the rows alone, not on the framework.

    NOTE: change the rows by loading them again. ``compute`` rejects a table
    replaced or with a different row count since, but cannot see rows whose
    year or division code were updated in place.
    """
    keys, regions = _index_names(name)
    con.register("school_rows_input", _arrow(schools))
    con.sql(
        f"CREATE OR REPLACE TEMP TABLE {keys} AS "
        + queries.county_keys_sql("school_rows_input")
    )
    con.sql(
        f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT s.*, "
        f"k.county_id AS {queries.LOADED_COUNTY_ID} "
        f"FROM school_rows_input s JOIN {keys} k "
        "ON s.year = k.year AND s.division_code = k.division_code"
    )
    con.unregister("school_rows_input")
    con.sql(f"CREATE OR REPLACE TEMP TABLE {regions} AS {queries.regions_sql(name)}")
    oid = _table_oid(con, name)
    assert oid is not None, f"table {name} was just created"
    return LoadedSchools(name, oid, schools.height)


def _index_names(name: str) -> tuple[str, str]:
    return f"{name}_county_keys", f"{name}_regions"


def _table_oid(con: duckdb.DuckDBPyConnection, name: str) -> int | None:
    found = con.execute(
        "SELECT table_oid FROM duckdb_tables() WHERE table_name = ? AND temporary",
        [name],
    ).fetchall()
    return int(found[0][0]) if found else None


def _check_loaded(con: duckdb.DuckDBPyConnection, loaded: LoadedSchools) -> None:
    """Raise ValueError if ``loaded`` no longer describes its table in ``con``."""
    changed = _table_oid(con, loaded.name) != loaded.table_oid
    if not changed:
        count = con.sql(f"SELECT COUNT(*) FROM {loaded.name}").fetchall()[0][0]
        changed = count != loaded.rows
    if changed:
        raise ValueError(
            f"table {loaded.name} was replaced or changed after load_schools(); "
            "load the rows again, or pass the table name as a string to "
            "evaluate it without the stored index"
        )
