"""Each data-quality check catches a planted problem and leaves clean data alone."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import pytest
from factories import primary_school
from scipy import stats

from junheng.ingest.schema import canonical_frame
from junheng.monitoring import quality


def _schools(*rows: dict[str, object]) -> pl.DataFrame:
    return canonical_frame(list(rows))


def test_sub_count_above_total_and_tiny_area_are_inconsistent() -> None:
    clean = _schools(primary_school(1), primary_school(2))
    assert quality.inconsistent_values(clean).is_empty()
    # 40 backbone teachers of 30 teachers; 100 m² for 500 pupils = 0.2 m² each.
    bad = _schools(
        primary_school(1, primary_backbone_teachers=40),
        primary_school(2, teaching_aux_area_m2=100.0),
    )
    flags = quality.inconsistent_values(bad)
    assert flags["field"].to_list() == [
        "primary_backbone_teachers",
        "teaching_aux_area_m2",
    ]
    assert "40, above its total primary_teachers = 30" in flags["message_en"][0]
    assert flags["value"][1] == pytest.approx(0.2)


def _peers(values: list[float]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "year": 2024,
            "division_code": "410102",
            "section": "primary",
            "school_code": [f"s{i:02d}" for i in range(len(values))],
            "v_L6": values,
        }
    )


def test_peer_outlier_flags_the_planted_value_only() -> None:
    # 20 schools spread 1900..2090 yuan; one reports 20,000 (ln distance 2.3
    # against a MAD of about 0.025 in ln units, robust z far above 3.5).
    values = [1900.0 + 10 * i for i in range(20)]
    assert quality.peer_outliers(_peers(values), "v_L6", ["section"]).is_empty()
    flags = quality.peer_outliers(_peers([*values, 20000.0]), "v_L6", ["section"])
    assert flags["school_code"].to_list() == ["s20"]
    assert flags["statistic"][0] > 3.5


def test_year_jump_explains_the_change_against_students() -> None:
    # Equipment 1,000,000 → 5,120,000 yuan is +412%; students 500 → 485 is −3%.
    before = primary_school(1, year=2024, equipment_value_yuan=1_000_000.0)
    after = primary_school(
        1, year=2025, primary_students=485, equipment_value_yuan=5_120_000.0
    )
    schools = _schools(before, after)
    frame = schools.with_columns(quality.total_students(schools).alias("students"))
    flags = quality.year_jumps(frame, ["equipment_value_yuan", "books"])
    assert flags["message_en"].to_list() == [
        "equipment_value_yuan rose 412% while students fell 3% (1000000.0 → 5120000.0)"
    ]
    steady = frame.with_columns(pl.lit(1_000_000.0).alias("equipment_value_yuan"))
    assert quality.year_jumps(steady, ["equipment_value_yuan"]).is_empty()


def test_copies_across_schools_and_years_are_flagged() -> None:
    fields = ["primary_students", "primary_teachers", "books", "computers"]
    distinct = _schools(primary_school(1), primary_school(2, books=15_001))
    assert quality.copied_rows(distinct, fields).is_empty()
    twins = _schools(primary_school(1), primary_school(2))
    assert quality.copied_rows(twins, fields)["school_code"].n_unique() == 2
    repeat = _schools(primary_school(1, year=2024), primary_school(1, year=2025))
    flags = quality.copied_rows(repeat, fields)
    assert flags["message_en"].to_list() == ["all 4 figures identical to 2024"]


def test_last_digit_heaping_is_caught_by_chi_square() -> None:
    # 200 values all ending in 0: counts (200, 0, ..., 0) against 20 expected
    # each, chi-square = 180²/20 + 9·20²/20 = 1620 + 180 = 1800.
    heaped = pl.DataFrame(
        {"division_code": "410102", "n": [1000 + 10 * k for k in range(200)]}
    )
    flags = quality.digit_preference(heaped, "n", ["division_code"])
    assert flags["statistic"][0] == pytest.approx(1800.0)
    assert flags["value"][0] == pytest.approx(1.0)  # all end in 0 or 5
    # 100..299 has every last digit exactly 20 times: chi-square 0.
    uniform = pl.DataFrame({"division_code": "410102", "n": list(range(100, 300))})
    assert quality.digit_preference(uniform, "n", ["division_code"]).is_empty()


def test_benford_flags_made_up_money_and_passes_conforming_money() -> None:
    made_up = pl.DataFrame(
        {"province_code": "41", "v": [5000.0 + i for i in range(300)]}
    )
    flags = quality.benford(made_up, "v", ["province_code"])
    assert "first digit 5 is 100.0%" in flags["message_en"][0]
    # A province's flag names the province, which explains it.
    assert flags["division_code"].to_list() == ["41"]
    # 1000 values whose first digits follow log10(1 + 1/d) to the nearest unit.
    counts = np.round(1000 * quality.BENFORD).astype(int)
    values = [float(d * 1000 + k) for d, c in enumerate(counts, 1) for k in range(c)]
    conforming = pl.DataFrame({"province_code": "41", "v": values})
    assert quality.benford(conforming, "v", ["province_code"]).is_empty()


def _per_group_tests(
    frame: pl.DataFrame,
    by: list[str],
    digit: pl.Expr,
    first: int,
    shares: np.ndarray[Any, Any],
) -> dict[tuple[object, ...], tuple[float, float]]:
    """Chi-square and p of each group, one group at a time: the reference the
    grouped implementation is compared with."""
    out = {}
    for key, group in frame.with_columns(digit.alias("d")).group_by(by):
        counts = np.bincount(group["d"].to_numpy(), minlength=10)[first:]
        chi2, p = stats.chisquare(counts, shares * counts.sum())
        out[key] = (float(chi2), float(p))
    return out


def test_grouped_digit_tests_match_one_group_at_a_time() -> None:
    # SYNTHETIC data: 30 groups with random counts, a third of them heaped on
    # round tens and a third with uniform (non-Benford) money figures.
    rng = np.random.default_rng(11)
    group = np.repeat(np.arange(30), 120)
    n = rng.integers(100, 5000, group.size)
    n = np.where(group % 3 == 0, n // 10 * 10, n)
    money = np.where(
        group % 3 == 1,
        rng.uniform(1e4, 1e5, group.size),
        10 ** rng.uniform(4, 7, group.size),
    )
    frame = pl.DataFrame(
        {
            "year": 2024,
            "division_code": [f"4101{g:02d}" for g in group],
            "n": n,
            "money": money,
        }
    )
    by = ["year", "division_code"]
    flags = quality.digit_preference(frame, "n", by, alpha=1.0)
    reference = _per_group_tests(frame, by, pl.col("n") % 10, 0, np.full(10, 0.1))
    assert flags.height == 30
    for row in flags.iter_rows(named=True):
        chi2, p = reference[(row["year"], row["division_code"])]
        assert (row["statistic"], row["p_value"]) == (chi2, p)
    heaped = set(quality.digit_preference(frame, "n", by)["division_code"])
    assert heaped == {f"4101{g:02d}" for g in range(0, 30, 3)}
    flags = quality.benford(frame, "money", by, alpha=1.0, mad_limit=0.0)
    digits = pl.col("money").cast(pl.String).str.slice(0, 1).cast(pl.Int64)
    reference = _per_group_tests(frame, by, digits, 1, quality.BENFORD)
    assert flags.height == 30
    for row in flags.iter_rows(named=True):
        chi2, p = reference[(row["year"], row["division_code"])]
        assert row["statistic"] == pytest.approx(chi2, rel=1e-12)
        assert row["p_value"] == pytest.approx(p, rel=1e-9)
    uniform = set(quality.benford(frame, "money", by)["division_code"])
    assert uniform == {f"4101{g:02d}" for g in range(1, 30, 3)}


def test_checks_never_change_the_data() -> None:
    schools = _schools(
        primary_school(1, primary_backbone_teachers=40), primary_school(2)
    )
    copy = schools.clone()
    quality.check_schools(schools)
    assert schools.equals(copy)
