"""Evaluating rows loaded into a DuckDB table against evaluating the frame."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from junheng import demo
from junheng.engine.compute import ReplacedEvaluationError, compute, load_schools
from junheng.evaluation.verdict import evaluate
from junheng.standards.loader import load_framework


def _sorted(frame: pl.DataFrame, *keys: str) -> pl.DataFrame:
    return frame.select(sorted(frame.columns)).sort(*keys)


def test_loaded_table_gives_the_frame_results() -> None:
    # The synthetic rows only need to be the same on both paths; the values
    # themselves are checked by hand elsewhere.
    schools = demo.generate_schools(counties=12, years=2, seed=11)
    items = demo.generate_county_items(schools)
    fw = load_framework()
    from_frame = compute(schools, fw, items)
    con = duckdb.connect()
    table = load_schools(schools, con)
    loaded = compute(table, fw, items, con=con)

    keys = ("year", "division_code", "section")
    assert_frame_equal(
        _sorted(from_frame.table("county_stats"), *keys),
        _sorted(loaded.table("county_stats"), *keys),
    )
    assert_frame_equal(
        _sorted(from_frame.table("verdicts"), "year", "division_code"),
        _sorted(loaded.table("verdicts"), "year", "division_code"),
    )
    units = "SELECT * FROM unit_values"
    assert_frame_equal(
        _sorted(from_frame.query(units), "school_code", *keys),
        _sorted(loaded.query(units), "school_code", *keys),
    )


def test_loaded_table_keeps_the_caller_setting() -> None:
    con = duckdb.connect()
    con.sql("SET preserve_insertion_order = true")
    schools = demo.generate_schools(counties=2, seed=5)
    compute(load_schools(schools, con), load_framework(), con=con)
    setting = con.sql("SELECT current_setting('preserve_insertion_order')")
    assert setting.fetchall() == [(True,)]


def _views(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.sql("SELECT view_name FROM duckdb_views() WHERE temporary").fetchall()
    return {name for (name,) in rows}


def test_per_school_views_are_created_on_first_use() -> None:
    schools = demo.generate_schools(counties=2, seed=5)
    engine = compute(schools, load_framework())
    per_school = {"units", "unit_values", "unit_core"}
    assert not per_school & _views(engine.connection)
    # A query creates the views it names, and only those.
    assert engine.query("SELECT COUNT(*) AS n FROM unit_values")["n"][0] > 0
    assert per_school & _views(engine.connection) == {"unit_values"}
    # Handing out the connection creates the rest.
    assert per_school <= _views(engine.con)


def test_derived_table_is_numbered_anew() -> None:
    # A table made from a loaded one carries the stored county numbers of
    # the whole load; evaluated by name it must number its own county-years.
    schools = demo.generate_schools(counties=6, years=2, seed=13)
    fw = load_framework()
    dropped = schools["division_code"].unique().sort()[0]
    expected = compute(schools.filter(pl.col("division_code") != dropped), fw)
    con = duckdb.connect()
    load_schools(schools, con)
    con.sql(
        "CREATE TEMP TABLE rest AS SELECT * FROM school_rows "
        f"WHERE division_code <> '{dropped}'"
    )
    derived = compute("rest", fw, con=con)
    keys = ("year", "division_code", "section")
    assert_frame_equal(
        _sorted(expected.table("county_stats"), *keys),
        _sorted(derived.table("county_stats"), *keys),
    )


def test_changed_loaded_table_is_rejected() -> None:
    schools = demo.generate_schools(counties=3, seed=17)
    fw = load_framework()
    con = duckdb.connect()
    loaded = load_schools(schools, con)
    con.sql("INSERT INTO school_rows SELECT * FROM school_rows LIMIT 1")
    with pytest.raises(ValueError, match="load the rows again"):
        compute(loaded, fw, con=con)
    replaced = load_schools(schools, con)
    con.sql("CREATE OR REPLACE TEMP TABLE school_rows AS SELECT * FROM school_rows")
    with pytest.raises(ValueError, match="replaced or changed"):
        compute(replaced, fw, con=con)


def test_details_accept_categorical_codes() -> None:
    schools = demo.generate_schools(counties=3, seed=19)
    fw = load_framework()
    plain = evaluate(schools, fw)
    coded = evaluate(
        schools.with_columns(pl.col("division_code").cast(pl.Categorical)), fw
    )
    keys = plain.keys()
    assert coded.keys() == keys
    expected = {key: detail.reasons for key, detail in plain.details(keys).items()}
    found = {key: detail.reasons for key, detail in coded.details(keys).items()}
    assert found == expected


def test_small_input_repeats_exactly() -> None:
    # Sums added on several threads can differ in the last digit between runs;
    # a county-sized input is evaluated on one thread, so reruns are equal.
    schools = demo.generate_schools(counties=4, years=2, seed=23)
    fw = load_framework()
    runs = [compute(schools, fw).table("county_stats") for _ in range(6)]
    keys = ("year", "division_code", "section")
    first = _sorted(runs[0], *keys)
    for run in runs[1:]:
        assert _sorted(run, *keys).equals(first)
    threads = compute(schools, fw).connection.sql("SELECT current_setting('threads')")
    assert threads.fetchall() == [(1,)]


def test_replaced_evaluation_raises_on_read() -> None:
    con = duckdb.connect()
    table = load_schools(demo.generate_schools(counties=2, seed=5), con)
    first = compute(table, load_framework("cn-2017-quality"), con=con)
    verdicts = first.table("verdicts")
    second = compute(table, load_framework("cn-2012-basic"), con=con)
    with pytest.raises(ReplacedEvaluationError, match="later compute"):
        first.query("SELECT * FROM county_stats")
    with pytest.raises(ReplacedEvaluationError):
        first.run("SELECT 1 FROM unit_values")
    with pytest.raises(ReplacedEvaluationError):
        _ = first.con
    # Frames read before the replacement stay as they were read.
    assert first.table("verdicts") is verdicts
    assert second.query("SELECT COUNT(*) AS n FROM verdicts")["n"][0] > 0
