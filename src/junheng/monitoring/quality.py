"""Data-quality and falsification checks; each flag explains itself.

Every check reads a frame and returns flags in one shape (:data:`FLAG_SCHEMA`):
the check, year, division and school codes, the field, the value, a statistic
(robust z, relative change, chi-square) with its p-value where one exists, and a
sentence in Chinese and English naming the numbers. No check changes the data.

Checks
------
``inconsistent``
    A sub-count above its total (backbone teachers above teachers), more classes
    than students, or floor area per student outside plausible bounds.
``peer_outlier``
    A value whose robust z against its peers, ``0.6745 · (x − median) / MAD``,
    exceeds 3.5 in absolute value (Iglewicz and Hoaglin's cut-off). Peers share
    year and the ``by`` columns (section, location, province by default).
``year_jump``
    A field that rose by 100% or more, or fell by 50% or more, from one year to
    the next while the school's students changed by less than a third as much.
``copy``
    Schools whose figures are identical in every checked field in the same year,
    or a school whose figures are identical to its own previous year.
``digit_preference``
    Last digits of integer figures of 100 or more tested against the uniform
    distribution by Pearson's chi-square (9 degrees of freedom), per group; flagged
    below ``alpha``. Heaping on round numbers shows as too many 0s and 5s.
``benford``
    First digits of money figures tested against Benford's law,
    ``P(d) = log10(1 + 1/d)``, by chi-square (8 degrees of freedom) and by the mean
    absolute deviation (MAD); flagged when ``p < alpha`` and MAD > 0.015, Nigrini's
    bound of nonconformity for first digits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import polars as pl
from scipy import stats

from junheng.ingest.schema import SECTION_MEASURES, SECTIONS

FLAG_SCHEMA: dict[str, Any] = {
    "check": pl.String,
    "year": pl.Int64,
    "division_code": pl.String,
    "school_code": pl.String,
    "field": pl.String,
    "value": pl.Float64,
    "statistic": pl.Float64,
    "p_value": pl.Float64,
    "message_zh": pl.String,
    "message_en": pl.String,
}
ROBUST_Z = 3.5
MAD_SCALE = 0.6745
BENFORD = np.log10(1 + 1 / np.arange(1, 10))
BENFORD_MAD_LIMIT = 0.015


def _flags(frame: pl.DataFrame) -> pl.DataFrame:
    """Cast ``frame`` to :data:`FLAG_SCHEMA`, adding missing columns as nulls."""
    return frame.select(
        pl.col(n).cast(t) if n in frame.columns else pl.lit(None, t).alias(n)
        for n, t in FLAG_SCHEMA.items()
    )


def empty_flags() -> pl.DataFrame:
    """Return a flag table with no rows."""
    return pl.DataFrame(schema=FLAG_SCHEMA)


def _num(expr: pl.Expr, digits: int = 2) -> pl.Expr:
    return expr.round(digits).cast(pl.String)


def total_students(schools: pl.DataFrame) -> pl.Expr:
    """Return the expression of a school's students of every section."""
    parts = [f"{s}_students" for s in (*SECTIONS, "senior")]
    present = [p for p in parts if p in schools.columns]
    return pl.sum_horizontal(*(pl.col(p).fill_null(0) for p in present))


def inconsistent_values(
    schools: pl.DataFrame,
    *,
    area_per_student: tuple[float, float] = (0.5, 60.0),
    area_field: str = "teaching_aux_area_m2",
) -> pl.DataFrame:
    """Flag sub-counts above totals, more classes than students and area bounds.

    ``area_per_student`` bounds the teaching and auxiliary floor area per student
    in m²: far outside the 4.5–5.8 m² of the standard and far outside what a
    school can have, so a flag points to a unit or typing error.
    """
    keys = ["year", "division_code", "school_code"]
    parts = []
    for section in SECTIONS:
        for measure in SECTION_MEASURES:
            if measure.parent is None:
                continue
            sub, total = f"{section}_{measure.name}", f"{section}_{measure.parent}"
            if sub not in schools.columns or total not in schools.columns:
                continue
            parts.append(
                schools.filter(pl.col(sub) > pl.col(total)).select(
                    *keys,
                    pl.lit(sub).alias("field"),
                    pl.col(sub).alias("value"),
                    pl.format(
                        "{} 为 {}，超过其总数 {} = {}",
                        pl.lit(sub),
                        sub,
                        pl.lit(total),
                        total,
                    ).alias("message_zh"),
                    pl.format(
                        "{} is {}, above its total {} = {}",
                        pl.lit(sub),
                        sub,
                        pl.lit(total),
                        total,
                    ).alias("message_en"),
                )
            )
        classes, students = f"{section}_classes", f"{section}_students"
        if classes in schools.columns and students in schools.columns:
            parts.append(
                schools.filter(pl.col(classes) > pl.col(students)).select(
                    *keys,
                    pl.lit(classes).alias("field"),
                    pl.col(classes).alias("value"),
                    pl.format("{} 个班只有 {} 名学生", classes, students).alias(
                        "message_zh"
                    ),
                    pl.format(
                        "{} classes for only {} students", classes, students
                    ).alias("message_en"),
                )
            )
    if area_field in schools.columns:
        low, high = area_per_student
        per = pl.col(area_field) / total_students(schools)
        parts.append(
            schools.filter(
                (total_students(schools) > 0) & ~per.is_between(low, high)
            ).select(
                *keys,
                pl.lit(area_field).alias("field"),
                per.alias("value"),
                per.alias("statistic"),
                pl.format(
                    "生均面积 {} m²，超出合理范围 {}–{} m²",
                    _num(per),
                    pl.lit(low),
                    pl.lit(high),
                ).alias("message_zh"),
                pl.format(
                    "area per student {} m² lies outside the plausible {}–{} m²",
                    _num(per),
                    pl.lit(low),
                    pl.lit(high),
                ).alias("message_en"),
            )
        )
    if not parts:
        return empty_flags()
    return _flags(
        pl.concat(parts, how="diagonal_relaxed").with_columns(
            pl.lit("inconsistent").alias("check")
        )
    )


def peer_outliers(
    frame: pl.DataFrame,
    value: str,
    by: Sequence[str],
    *,
    threshold: float = ROBUST_Z,
    min_peers: int = 10,
    label: str | None = None,
    log: bool = True,
) -> pl.DataFrame:
    """Flag values whose robust z against their peer group exceeds ``threshold``.

    ``frame`` has ``year``, ``division_code``, ``school_code``, the ``by`` columns
    and ``value``. Groups with fewer than ``min_peers`` values or a MAD of 0 are
    not judged. With ``log`` the z is computed on ``ln x`` (values ≤ 0 are left
    out), which suits per-student ratios whose spread grows with their level.
    """
    group = ["year", *by]
    x = pl.col(value)
    scale = x.log() if log else x
    kept = x.is_not_null() & x.is_finite() & ((x > 0) if log else pl.lit(True))
    scored = (
        frame.filter(kept)
        .with_columns(scale.alias("_s"))
        .with_columns(
            pl.col("_s").median().over(group).alias("_centre"),
            x.median().over(group).alias("_median"),
            pl.len().over(group).alias("_peers"),
        )
        .with_columns(
            (pl.col("_s") - pl.col("_centre")).abs().median().over(group).alias("_mad")
        )
        .filter((pl.col("_peers") >= min_peers) & (pl.col("_mad") > 0))
        .with_columns(
            (MAD_SCALE * (pl.col("_s") - pl.col("_centre")) / pl.col("_mad")).alias(
                "_z"
            )
        )
        .filter(pl.col("_z").abs() > threshold)
    )
    name = label or value
    peers = pl.concat_str([pl.col(c).cast(pl.String) for c in by], separator=", ")
    return _flags(
        scored.select(
            pl.lit("peer_outlier").alias("check"),
            "year",
            "division_code",
            "school_code",
            pl.lit(name).alias("field"),
            x.alias("value"),
            pl.col("_z").alias("statistic"),
            pl.format(
                "{} = {}，稳健 z = {}，同类 {} 所学校（{}）中位数 {}",
                pl.lit(name),
                _num(x),
                _num(pl.col("_z"), 1),
                "_peers",
                peers,
                _num(pl.col("_median")),
            ).alias("message_zh"),
            pl.format(
                "{} = {} has robust z {} against the median {} of {} peer schools ({})",
                pl.lit(name),
                _num(x),
                _num(pl.col("_z"), 1),
                _num(pl.col("_median")),
                "_peers",
                peers,
            ).alias("message_en"),
        )
    )


def year_jumps(
    frame: pl.DataFrame,
    fields: Sequence[str],
    *,
    size: str = "students",
    rise: float = 1.0,
    fall: float = 0.5,
    ratio: float = 3.0,
    min_before: float = 10.0,
) -> pl.DataFrame:
    """Flag yearly jumps of ``fields`` that the change of ``size`` does not explain.

    A change ``c = x_t / x_{t−1} − 1`` is a jump when ``c ≥ rise`` or ``c ≤ −fall``
    and ``|size change| < |c| / ratio``. Years must be consecutive, and the earlier
    value at least ``min_before`` so that 1 → 2 rooms is not called a jump.
    """
    # Each school-year joined to the same school's row of the year before:
    # one hash join instead of a window per field.
    fields = list(fields)
    columns = dict.fromkeys(["year", "division_code", "school_code", size, *fields])
    narrow = frame.select(list(columns))
    previous = narrow.select(
        "school_code",
        (pl.col("year") + 1).alias("year"),
        pl.col(size).alias("_size_before"),
        *(pl.col(name).alias(f"_before_{name}") for name in fields),
    )
    ordered = narrow.join(previous, on=["school_code", "year"]).sort(
        "school_code", "year"
    )
    size_change = pl.col(size) / pl.col("_size_before") - 1
    parts = []
    for name in fields:
        before = pl.col(f"_before_{name}")
        change = pl.col(name) / before - 1
        jump = (change >= rise) | (change <= -fall)
        up_zh = pl.when(change > 0).then(pl.lit("增长")).otherwise(pl.lit("下降"))
        up_en = pl.when(change > 0).then(pl.lit("rose")).otherwise(pl.lit("fell"))
        size_zh = (
            pl.when(size_change >= 0).then(pl.lit("增长")).otherwise(pl.lit("下降"))
        )
        size_en = (
            pl.when(size_change >= 0).then(pl.lit("rose")).otherwise(pl.lit("fell"))
        )
        parts.append(
            ordered.filter(
                (before > 0)
                & (pl.col("_size_before") > 0)
                & jump
                & (size_change.abs() < change.abs() / ratio)
            ).select(
                pl.lit("year_jump").alias("check"),
                "year",
                "division_code",
                "school_code",
                pl.lit(name).alias("field"),
                pl.col(name).alias("value"),
                change.alias("statistic"),
                pl.format(
                    "{} 较上年{} {}%，而学生数{} {}%（{} → {}）",
                    pl.lit(name),
                    up_zh,
                    _pct(change),
                    size_zh,
                    _pct(size_change),
                    _num(before),
                    _num(pl.col(name)),
                ).alias("message_zh"),
                pl.format(
                    "{} {} {}% while students {} {}% ({} → {})",
                    pl.lit(name),
                    up_en,
                    _pct(change),
                    size_en,
                    _pct(size_change),
                    _num(before),
                    _num(pl.col(name)),
                ).alias("message_en"),
            )
        )
    return _flags(pl.concat(parts, how="diagonal_relaxed")) if parts else empty_flags()


def _pct(change: pl.Expr) -> pl.Expr:
    return (change.abs() * 100).round(0).cast(pl.Int64).cast(pl.String)


def copied_rows(
    frame: pl.DataFrame, fields: Sequence[str], *, min_nonzero: int = 3
) -> pl.DataFrame:
    """Flag schools with identical figures to another school, or to last year.

    Only rows with at least ``min_nonzero`` non-zero figures are compared, so
    empty or all-zero rows are not called copies.
    """
    fields = list(fields)
    nonzero = pl.sum_horizontal(
        *((pl.col(f).fill_null(0) != 0).cast(pl.Int32) for f in fields)
    )
    columns = dict.fromkeys(["year", "division_code", "school_code", *fields])
    rows = (
        frame.select(list(columns))
        .filter(nonzero >= min_nonzero)
        .with_columns(
            pl.struct([pl.col(f).cast(pl.Float64) for f in fields]).hash().alias("_h")
        )
    )
    same = (
        rows.group_by("year", "_h")
        .agg(pl.col("school_code").unique().sort().alias("_same"))
        .filter(pl.col("_same").list.len() > 1)
    )
    across = rows.join(same, on=["year", "_h"])
    others = pl.col("_same").list.set_difference(pl.concat_list(pl.col("school_code")))
    first = others.list.head(5).list.join(", ")
    across_flags = across.select(
        pl.lit("copy").alias("check"),
        "year",
        "division_code",
        "school_code",
        pl.lit("all").alias("field"),
        (pl.col("_same").list.len() - 1).cast(pl.Float64).alias("statistic"),
        pl.format(
            "全部 {} 项数据与 {} 所学校完全相同：{}",
            pl.lit(len(fields)),
            pl.col("_same").list.len() - 1,
            first,
        ).alias("message_zh"),
        pl.format(
            "all {} figures identical to {} other school(s): {}",
            pl.lit(len(fields)),
            pl.col("_same").list.len() - 1,
            first,
        ).alias("message_en"),
    )
    # The same school's row of the year before, by one hash join.
    previous = rows.select(
        "school_code", (pl.col("year") + 1).alias("year"), pl.col("_h").alias("_prev")
    )
    repeat = (
        rows.join(previous, on=["school_code", "year"])
        .filter(pl.col("_h") == pl.col("_prev"))
        .sort("school_code", "year")
    )
    repeat_flags = repeat.select(
        pl.lit("copy").alias("check"),
        "year",
        "division_code",
        "school_code",
        pl.lit("all").alias("field"),
        pl.format(
            "全部 {} 项数据与 {} 年完全相同", pl.lit(len(fields)), pl.col("year") - 1
        ).alias("message_zh"),
        pl.format(
            "all {} figures identical to {}", pl.lit(len(fields)), pl.col("year") - 1
        ).alias("message_en"),
    )
    return _flags(pl.concat([across_flags, repeat_flags], how="diagonal_relaxed"))


def _digit_counts(
    usable: pl.DataFrame, digit: pl.Expr, by: Sequence[str], size: int
) -> tuple[pl.DataFrame, np.ndarray[Any, Any]]:
    """Count ``digit`` (0 … size − 1) per group of ``by`` in one grouped query.

    Returns the groups (``by`` columns and ``n``, in order of first appearance)
    and their counts as an array of shape (groups, size).
    """
    counted = (
        usable.with_columns(digit.alias("_digit"))
        .group_by(list(by), maintain_order=True)
        .agg(
            pl.len().alias("n"),
            *((pl.col("_digit") == d).sum().alias(f"_d{d}") for d in range(size)),
        )
    )
    names = [f"_d{d}" for d in range(size)]
    # C order: each row summed as one contiguous run, as for a single group.
    counts = np.ascontiguousarray(counted.select(names).to_numpy(), dtype=np.int64)
    return counted.drop(names), counts


def _group_labels(by: Sequence[str]) -> pl.Expr:
    return pl.concat_str(
        [
            pl.format(f"{b}={{}}", pl.col(b).cast(pl.String).fill_null("None"))
            for b in by
        ],
        separator=", ",
    )


def _scored(
    groups: pl.DataFrame,
    by: Sequence[str],
    value: np.ndarray[Any, Any],
    chi2: np.ndarray[Any, Any],
    p: np.ndarray[Any, Any],
    **extra: np.ndarray[Any, Any],
) -> pl.DataFrame:
    """Attach each group's value, chi-square, p-value and label to ``groups``."""
    return groups.with_columns(
        pl.Series("value", value),
        pl.Series("statistic", chi2),
        pl.Series("p_value", p),
        *(pl.Series(name, column) for name, column in extra.items()),
        _group_labels(by).alias("_label"),
    )


def digit_preference(
    frame: pl.DataFrame,
    field: str,
    by: Sequence[str],
    *,
    min_count: int = 50,
    alpha: float = 0.001,
    min_value: float = 100,
) -> pl.DataFrame:
    """Test the last digits of ``field`` against uniform, per group of ``by``.

    Only whole numbers of ``min_value`` or more enter: the last digit of a
    smooth distribution is close to uniform only when the values span many tens,
    so two-digit counts such as class sizes would be flagged for their shape.
    The flag carries the division code when ``by`` has one, and no
    school code: it concerns the group's reporting. The digits of all groups
    are counted in one grouped query and tested together.
    """
    x = pl.col(field)
    usable = frame.filter(x.is_not_null() & (x >= min_value) & (x == x.round(0)))
    groups, counts = _digit_counts(usable, x.cast(pl.Int64) % 10, by, 10)
    n = counts.sum(axis=1)
    if not len(n):
        return empty_flags()
    chi2, p = stats.chisquare(counts, axis=1)
    share = (counts[:, 0] + counts[:, 5]) / n
    flagged = _scored(groups, by, share, chi2, p).filter(
        (pl.col("n") >= min_count) & (pl.col("p_value") < alpha)
    )
    return _group_flags(
        flagged,
        by,
        field,
        "digit_preference",
        lambda r: (
            f"{r['_label']}：{r['n']} 个 {field} 的末位数字不均匀，"
            f"χ²={r['statistic']:.1f}，p={r['p_value']:.1e}；末位为 0 或 5 的占 "
            f"{r['value']:.0%}（均匀时为 20%）"
        ),
        lambda r: (
            f"{r['_label']}: last digits of {r['n']} {field} values are not "
            f"uniform, chi-square {r['statistic']:.1f}, p={r['p_value']:.1e}; "
            f"{r['value']:.0%} end in 0 or 5 (20% if uniform)"
        ),
    )


def _group_flags(
    flagged: pl.DataFrame,
    by: Sequence[str],
    field: str,
    check: str,
    zh: Callable[[dict[str, Any]], str],
    en: Callable[[dict[str, Any]], str],
) -> pl.DataFrame:
    """Turn the flagged groups into flags, with each group's sentences."""
    if flagged.is_empty():
        return empty_flags()
    rows = list(flagged.iter_rows(named=True))
    return _flags(
        flagged.select(*by, "value", "statistic", "p_value").with_columns(
            pl.lit(check).alias("check"),
            pl.lit(field).alias("field"),
            pl.Series("message_zh", [zh(r) for r in rows], pl.String),
            pl.Series("message_en", [en(r) for r in rows], pl.String),
        )
    )


def first_digits(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Return the first significant digit of each positive value."""
    positive = values[values > 0]
    exponent = np.floor(np.log10(positive))
    digits = np.floor(positive / 10.0**exponent).astype(np.int64)
    # Round-off can give 10 for values just below a power of ten.
    clipped: np.ndarray[Any, Any] = np.clip(digits, 1, 9)
    return clipped


def _first_digit(expr: pl.Expr) -> pl.Expr:
    """Polars form of :func:`first_digits` for positive values."""
    x = expr.cast(pl.Float64)
    exponent = x.log10().floor()
    return (x / pl.lit(10.0).pow(exponent)).floor().cast(pl.Int64).clip(1, 9)


def benford(
    frame: pl.DataFrame,
    field: str,
    by: Sequence[str],
    *,
    min_count: int = 100,
    alpha: float = 0.001,
    mad_limit: float = BENFORD_MAD_LIMIT,
) -> pl.DataFrame:
    """Test the first digits of ``field`` against Benford's law, per group.

    The digits of all groups are counted in one grouped query and tested
    together. Grouped by ``province_code`` without ``division_code``, a
    flag's ``division_code`` is the province's code, the body that explains it.
    """
    usable = frame.filter(pl.col(field).is_not_null() & (pl.col(field) >= 10))
    groups, counts = _digit_counts(usable, _first_digit(pl.col(field)), by, 10)
    counts = counts[:, 1:]
    n = counts.sum(axis=1)
    if not len(n):
        return empty_flags()
    chi2, p = stats.chisquare(counts, BENFORD * n[:, None], axis=1)
    observed = counts / n[:, None]
    deviation = np.abs(observed - BENFORD)
    mad = deviation.mean(axis=1)
    worst = deviation.argmax(axis=1)
    flagged = _scored(
        groups,
        by,
        mad,
        chi2,
        p,
        _worst=worst + 1,
        _share=observed[np.arange(len(n)), worst],
        _expected=BENFORD[worst],
    ).filter(
        (pl.col("n") >= min_count)
        & (pl.col("p_value") < alpha)
        & (pl.col("value") > mad_limit)
    )
    if "province_code" in by and "division_code" not in by:
        flagged = flagged.with_columns(pl.col("province_code").alias("division_code"))
        by = [*by, "division_code"]
    return _group_flags(
        flagged,
        by,
        field,
        "benford",
        lambda r: (
            f"{r['_label']}：{r['n']} 个 {field} 的首位数字偏离本福特分布，"
            f"χ²={r['statistic']:.1f}，p={r['p_value']:.1e}，"
            f"MAD={r['value']:.3f}（>{mad_limit}）；首位 {r['_worst']} 占 "
            f"{r['_share']:.1%}，应约 {r['_expected']:.1%}"
        ),
        lambda r: (
            f"{r['_label']}: first digits of {r['n']} {field} values depart "
            f"from Benford's law, chi-square {r['statistic']:.1f}, "
            f"p={r['p_value']:.1e}, MAD {r['value']:.3f} (>{mad_limit}); "
            f"first digit {r['_worst']} is {r['_share']:.1%}, expected "
            f"{r['_expected']:.1%}"
        ),
    )


RESOURCE_FIELDS = (
    "teaching_aux_area_m2",
    "sports_area_m2",
    "equipment_value_yuan",
    "multimedia_classrooms",
    "computers",
    "books",
)
"""Whole-school resource columns compared across years and schools."""
MONEY_FIELDS = ("equipment_value_yuan",)


def check_schools(
    schools: pl.DataFrame,
    units: pl.DataFrame | None = None,
    indicators: Sequence[str] = (),
    *,
    peer_by: Sequence[str] = ("section", "location", "province_code"),
    digit_by: Sequence[str] = ("year", "division_code"),
    benford_by: Sequence[str] = ("year", "province_code"),
) -> pl.DataFrame:
    """Run every check on canonical school rows and return all flags.

    ``units`` are the engine's per-school section values (``v_<ID>`` columns for
    ``indicators``); without them the peer check is skipped.
    """
    students = total_students(schools).alias("students")
    with_total = schools.with_columns(students)
    count_fields = [
        c
        for c in (
            *(f"{s}_students" for s in SECTIONS),
            *(f"{s}_teachers" for s in SECTIONS),
        )
        if c in schools.columns
    ]
    resource = [f for f in RESOURCE_FIELDS if f in schools.columns]
    parts = [
        inconsistent_values(schools),
        year_jumps(with_total, resource),
        copied_rows(schools, [*count_fields, *resource]),
    ]
    for field in count_fields:
        parts.append(digit_preference(schools, field, digit_by))
    for field in MONEY_FIELDS:
        if field in schools.columns:
            parts.append(benford(schools, field, benford_by))
    if units is not None:
        for ind in indicators:
            parts.append(peer_outliers(units, f"v_{ind}", peer_by, label=ind))
    flags = pl.concat([p for p in parts if not p.is_empty()] or [empty_flags()])
    return flags.sort("check", "year", "division_code", "school_code", nulls_last=True)


def summarise_flags(flags: pl.DataFrame) -> pl.DataFrame:
    """Return the number of flags and flagged schools per check."""
    return (
        flags.group_by("check")
        .agg(
            pl.len().alias("flags"),
            pl.col("school_code").drop_nulls().n_unique().alias("schools"),
        )
        .sort("check")
    )
