"""Field-verification samples: which schools inspectors visit in a county.

Size. For the county's compliance rate ``p`` estimated within ``± margin`` at
``confidence``, with ``z`` its normal quantile and ``N`` schools::

    n0 = z² · p · (1 − p) / margin²            (infinite population)
    n  = ceil( n0 / (1 + (n0 − 1) / N) )       (finite-population correction)
    n  = max(n, ceil(min_share · N))            (never below 10% of schools)

and every school when ``N ≤ census_below``. ``p = 0.5`` is the cautious default.

Design. Schools are stratified by section (primary, junior or both), location
and size class (thirds of the county's enrolment order). ``n`` is allocated to
strata in proportion to their size by largest remainders, at least one school
per stratum when ``n`` allows. Within a stratum each school has weight
``1 + 2·flagged + near_threshold + influential`` and inclusion probability
``π_i = n_h · w_i / Σ w`` (capped at 1, the rest re-spread), drawn by
systematic sampling over a seeded random order, which realises exactly those
probabilities. Weights bias the draw toward suspect schools; estimates of the
county rate weight each visited school by ``1 / π_i`` (Horvitz–Thompson).
"""

from __future__ import annotations

import math
import secrets
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import polars as pl
from scipy import stats

from junheng.standards.model import Framework

SEED_LIMIT = 1_000_000
"""A new sample's seed is drawn from 0 to this number less one."""
FLAG_WEIGHT = 2.0
NEAR_WEIGHT = 1.0
INFLUENCE_WEIGHT = 1.0
INFLUENCE_SHARE = 0.10
"""A school whose share of a CV's variance reaches this counts as influential."""
NEAR_BAND = 0.10
"""A value within this fraction of a threshold counts as near it."""


@dataclass
class SampleDesign:
    """Everything needed to reproduce and justify a sample."""

    population: int
    confidence: float
    margin: float
    expected_rate: float
    z: float
    n_infinite: float
    n_corrected: int
    n_minimum: int
    size: int
    census: bool
    seed: int
    formula: str = (
        "n0 = z²·p·(1−p)/e²; n = ceil(n0/(1+(n0−1)/N)); n = max(n, ceil(0.1·N)); "
        "all schools when N ≤ census_below"
    )
    strata: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return the design as plain data for JSON or an Excel sheet."""
        return asdict(self)


def sample_size(
    population: int,
    *,
    confidence: float = 0.95,
    margin: float = 0.10,
    expected_rate: float = 0.5,
    min_share: float = 0.10,
    census_below: int = 20,
    seed: int = 0,
) -> SampleDesign:
    """Return the sample size of a county of ``population`` schools (module doc)."""
    if population < 1:
        raise ValueError(f"population must be at least 1, got {population}")
    if not 0 < confidence < 1 or not 0 < margin < 1 or not 0 < expected_rate < 1:
        raise ValueError(
            "confidence, margin and expected_rate must lie between 0 and 1, got "
            f"{confidence}, {margin}, {expected_rate}"
        )
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    n0 = z * z * expected_rate * (1 - expected_rate) / (margin * margin)
    corrected = math.ceil(n0 / (1 + (n0 - 1) / population) - 1e-9)
    minimum = math.ceil(min_share * population - 1e-9)
    census = population <= census_below
    size = population if census else min(population, max(corrected, minimum))
    return SampleDesign(
        population=population,
        confidence=confidence,
        margin=margin,
        expected_rate=expected_rate,
        z=z,
        n_infinite=n0,
        n_corrected=corrected,
        n_minimum=minimum,
        size=size,
        census=census,
        seed=seed,
    )


def _allocate(sizes: list[int], n: int) -> list[int]:
    """Split ``n`` over strata of ``sizes`` by largest remainders."""
    total = sum(sizes)
    floor_one = n >= len(sizes)
    quotas = [n * s / total for s in sizes]
    alloc = [max(1 if floor_one else 0, math.floor(q)) for q in quotas]
    alloc = [min(a, s) for a, s in zip(alloc, sizes, strict=True)]
    order = sorted(range(len(sizes)), key=lambda i: (quotas[i] - alloc[i], sizes[i]))
    while sum(alloc) < n:
        for i in reversed(order):
            if alloc[i] < sizes[i] and sum(alloc) < n:
                alloc[i] += 1
    while sum(alloc) > n:
        for i in order:
            if alloc[i] > (1 if floor_one else 0) and sum(alloc) > n:
                alloc[i] -= 1
    return alloc


def inclusion_probabilities(
    weights: np.ndarray[Any, Any], n: int
) -> np.ndarray[Any, Any]:
    """Return ``π_i = n·w_i/Σw`` capped at 1, the excess re-spread over the rest."""
    pi = np.zeros(len(weights))
    certain = np.zeros(len(weights), dtype=bool)
    while True:
        rest = n - certain.sum()
        free = ~certain
        pi[free] = rest * weights[free] / weights[free].sum() if rest > 0 else 0.0
        pi[certain] = 1.0
        over = free & (pi >= 1.0)
        if not over.any():
            return pi
        certain |= over


def _systematic(
    pi: np.ndarray[Any, Any], rng: np.random.Generator
) -> np.ndarray[Any, Any]:
    """Draw by systematic sampling on a random order; returns the drawn mask."""
    order = rng.permutation(len(pi))
    cumulative = np.concatenate([[0.0], np.cumsum(pi[order])])
    start = rng.uniform()
    points = start + np.arange(round(cumulative[-1]))
    hits = np.searchsorted(cumulative, points, side="right") - 1
    drawn = np.zeros(len(pi), dtype=bool)
    drawn[order[hits]] = True
    return drawn


def inspection_sample(
    frame: pl.DataFrame,
    *,
    seed: int,
    confidence: float = 0.95,
    margin: float = 0.10,
    expected_rate: float = 0.5,
    min_share: float = 0.10,
    census_below: int = 20,
) -> tuple[pl.DataFrame, SampleDesign]:
    """Draw the field-verification sample of one county-year.

    ``frame`` has one row per school: ``school_code``, ``section``
    (``primary``, ``junior`` or ``both``), ``location``, ``students`` and
    optionally ``flags`` (text of its quality flags), ``near_threshold`` (text)
    and ``cv_share`` (its largest share of a CV's variance). Returns every school
    with its stratum, weight, inclusion probability ``pi``, ``drawn`` and the
    ``reason`` it was drawn, and the design.
    """
    design = sample_size(
        frame.height,
        confidence=confidence,
        margin=margin,
        expected_rate=expected_rate,
        min_share=min_share,
        census_below=census_below,
        seed=seed,
    )
    for name, dtype in (
        ("flags", pl.String),
        ("near_threshold", pl.String),
        ("cv_share", pl.Float64),
    ):
        if name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype).alias(name))
    frame = frame.sort("school_code").with_columns(
        pl.col("location").fill_null("未知"),
        pl.when(pl.len() >= 3)
        .then(
            pl.col("students")
            .rank("ordinal")
            .mul(3)
            .sub(1)
            .floordiv(pl.len())
            .replace_strict({0: "small", 1: "medium", 2: "large"}, default="large")
        )
        .otherwise(pl.lit("all"))
        .alias("size_class"),
    )
    frame = frame.with_columns(
        pl.concat_str("section", "location", "size_class", separator="/").alias(
            "stratum"
        ),
        (
            1.0
            + FLAG_WEIGHT * pl.col("flags").is_not_null().cast(pl.Float64)
            + NEAR_WEIGHT * pl.col("near_threshold").is_not_null().cast(pl.Float64)
            + INFLUENCE_WEIGHT
            * (pl.col("cv_share").fill_null(0) >= INFLUENCE_SHARE).cast(pl.Float64)
        ).alias("weight"),
    )
    strata = frame.group_by("stratum").len().sort("stratum")
    alloc = _allocate(strata["len"].to_list(), design.size)
    rng = np.random.default_rng(seed)
    parts = []
    for (name, count), n_h in zip(strata.iter_rows(), alloc, strict=True):
        group = frame.filter(pl.col("stratum") == name)
        pi = inclusion_probabilities(group["weight"].to_numpy(), n_h)
        drawn = _systematic(pi, rng) if n_h else np.zeros(count, dtype=bool)
        parts.append(group.with_columns(pl.Series("pi", pi), pl.Series("drawn", drawn)))
        design.strata.append({"stratum": name, "schools": count, "sample": n_h})
    out = pl.concat(parts).sort("stratum", "school_code")
    return out.with_columns(_reason(design).alias("reason")), design


def _reason(design: SampleDesign) -> pl.Expr:
    extras = pl.concat_str(
        pl.when(pl.col("flags").is_not_null()).then(
            pl.format("数据疑点 quality flag: {}；", "flags")
        ),
        pl.when(pl.col("near_threshold").is_not_null()).then(
            pl.format("接近标准 near threshold: {}；", "near_threshold")
        ),
        pl.when(pl.col("cv_share").fill_null(0) >= INFLUENCE_SHARE).then(
            pl.format(
                "差异系数影响大 large CV influence: {}%；",
                (pl.col("cv_share") * 100).round(0).cast(pl.Int64),
            )
        ),
        ignore_nulls=True,
    )
    if design.census:
        return pl.lit(
            f"小县全部学校 census of a small county ({design.population} schools)"
        )
    return (
        pl.when(pl.col("drawn"))
        .then(
            pl.format(
                "分层 stratum {}，入样概率 π={}；", "stratum", pl.col("pi").round(3)
            )
            + extras
        )
        .otherwise(pl.lit(None, pl.String))
    )


def sampling_frame(
    units: pl.DataFrame,
    county_stats: pl.DataFrame,
    framework: Framework,
    flags: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Build the per-school frame of one county-year from engine relations.

    ``units`` and ``county_stats`` are the engine's ``unit_values`` and
    ``county_stats`` rows of that county-year; ``flags`` the quality flags.
    """
    near_parts: list[pl.Expr] = []
    share_parts: list[pl.Expr] = []
    joined = units.join(
        county_stats.select(
            "section",
            *(f"mean_{i.id}" for i in framework.resource_indicators),
            *(f"sd_{i.id}" for i in framework.resource_indicators),
            *(f"p_{i.id}" for i in framework.resource_indicators),
        ),
        on="section",
        how="left",
    )
    for ind in framework.resource_indicators:
        i, v = ind.id, pl.col(f"v_{ind.id}")
        if ind.threshold is not None:
            thr = pl.col("section").replace_strict(
                ind.threshold, default=None, return_dtype=pl.Float64
            )
            near_parts.append(
                pl.when((v / thr - 1).abs() <= NEAR_BAND).then(
                    pl.format("{} {}/{}", pl.lit(i), v.round(2), thr)
                )
            )
        share_parts.append(
            pl.col("students")
            * (v - pl.col(f"mean_{i}")) ** 2
            / (pl.col(f"p_{i}") * pl.col(f"sd_{i}") ** 2)
        )
    per_unit = joined.select(
        "school_code",
        "school_name",
        "section",
        "location",
        "students",
        pl.concat_str(near_parts, separator=", ", ignore_nulls=True)
        .replace("", None)
        .alias("near_threshold"),
        pl.max_horizontal(share_parts).alias("cv_share"),
    )
    schools = per_unit.group_by("school_code").agg(
        pl.col("school_name").first(),
        pl.when(pl.col("section").n_unique() > 1)
        .then(pl.lit("both"))
        .otherwise(pl.col("section").first())
        .first()
        .alias("section"),
        pl.col("location").first(),
        pl.col("students").sum(),
        pl.col("near_threshold").drop_nulls().str.join("; ").replace("", None),
        pl.col("cv_share").max(),
    )
    if flags is not None and not flags.is_empty():
        per_school = (
            flags.filter(pl.col("school_code").is_not_null())
            .group_by("school_code")
            .agg(pl.col("message_zh").head(3).str.join("；").alias("flags"))
        )
        schools = schools.join(per_school, on="school_code", how="left")
    return schools.sort("school_code")


def new_seed() -> int:
    """Draw a seed for a sample requested without one. Callers record it."""
    return secrets.randbelow(SEED_LIMIT)
