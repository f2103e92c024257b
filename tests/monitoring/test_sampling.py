"""Sample size, inclusion probabilities and reproducibility of field samples."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from junheng.monitoring import sampling


@pytest.mark.parametrize(
    ("population", "size"),
    [
        # n0 = 1.959964² · 0.25 / 0.01 = 96.0365 for every case below.
        (100, 50),  # 96.0365 / (1 + 95.0365/100) = 49.24 → 50
        (300, 73),  # 96.0365 / (1 + 95.0365/300) = 72.93 → 73
        (1000, 100),  # formula 87.70 → 88, but 10% of 1000 = 100 is the floor
        (15, 15),  # small county: every school
    ],
)
def test_sample_size_follows_the_corrected_formula(population: int, size: int) -> None:
    design = sampling.sample_size(population)
    assert design.n_infinite == pytest.approx(96.0365, abs=1e-4)
    assert design.size == size


def test_inclusion_probabilities_are_proportional_and_capped() -> None:
    # n = 2, weights 1, 1, 6: raw 2·w/8 = 0.25, 0.25, 1.5 → the third is certain
    # and the remaining 1 is spread over the first two: 0.5 each.
    pi = sampling.inclusion_probabilities(np.array([1.0, 1.0, 6.0]), 2)
    assert pi.tolist() == pytest.approx([0.5, 0.5, 1.0])
    pi = sampling.inclusion_probabilities(np.array([1.0, 1.0, 2.0]), 2)
    assert pi.tolist() == pytest.approx([0.5, 0.5, 1.0])


def _county(n: int) -> pl.DataFrame:
    rng = np.random.default_rng(0)
    return pl.DataFrame(
        {
            "school_code": [f"{i:010d}" for i in range(n)],
            "section": rng.choice(["primary", "junior", "both"], n, p=[0.6, 0.3, 0.1]),
            "location": rng.choice(["城区", "镇区", "乡村"], n),
            "students": rng.integers(50, 2000, n).astype(float),
            "flags": [("planted flag" if i % 10 == 0 else None) for i in range(n)],
        }
    )


def test_sample_draws_the_designed_size_with_its_probabilities() -> None:
    drawn, design = sampling.inspection_sample(_county(300), seed=11)
    assert design.size == 73
    assert drawn["drawn"].sum() == 73
    assert drawn["pi"].sum() == pytest.approx(73)
    for stratum in design.strata:
        part = drawn.filter(pl.col("stratum") == stratum["stratum"])
        assert part["pi"].sum() == pytest.approx(stratum["sample"])
        assert part["drawn"].sum() == stratum["sample"]
    flagged = drawn.filter(pl.col("flags").is_not_null())
    assert flagged["weight"].min() == 3.0  # 1 + 2 for the quality flag
    assert drawn.filter("drawn")["reason"].null_count() == 0


def test_same_seed_gives_the_same_sample() -> None:
    county = _county(300)
    first, _ = sampling.inspection_sample(county, seed=5)
    again, _ = sampling.inspection_sample(county, seed=5)
    other, _ = sampling.inspection_sample(county, seed=6)
    codes = lambda f: f.filter("drawn")["school_code"].to_list()  # noqa: E731
    assert codes(first) == codes(again)
    assert codes(first) != codes(other)
