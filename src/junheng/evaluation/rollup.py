"""Roll-ups of county results to city, province and nation.

For every region, year and section the roll-up reports how many counties pass,
the distribution of each indicator's county CVs, how many counties exceed each
limit and how many schools miss each threshold (the weakest indicators), and the
balance between counties:

* the between-county CV: the student-weighted CV of the county means,
  ``mean_r = Σ P_c·m_c / Σ P_c`` and ``S_r = sqrt(Σ P_c·(m_c − mean_r)² / Σ P_c)``;
* the Theil index T over all schools of the region, split exactly into a
  between-county and a within-county part. With school weights ``P_i`` and values
  ``X_i``, county aggregates ``P_c``, ``μ_c`` and region mean ``μ``::

      T         = Σ_i (P_i·X_i / (P·μ)) · ln(X_i / μ)
      T_between = Σ_c (P_c·μ_c / (P·μ)) · ln(μ_c / μ)
      T_within  = Σ_c (P_c·μ_c / (P·μ)) · T_c

  Schools with ``X_i = 0`` contribute 0 (the limit of ``x·ln x``).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from junheng.engine import queries
from junheng.engine.compute import EngineResult
from junheng.standards.model import Framework

LEVELS = {
    "city": ("city_code", "city_name"),
    "province": ("province_code", "province_name"),
    "nation": ("'all'", "'全国'"),
}


@dataclass
class Rollups:
    """Roll-up tables: ``verdicts`` per region-year, ``indicators`` per
    region-year-section-indicator."""

    verdicts: pl.DataFrame
    indicators: pl.DataFrame


def _indicator_sql(fw: Framework, level: str, code: str, name: str) -> str:
    branches = []
    for ind in fw.resource_indicators:
        i = ind.id
        unmet = f"unmet_{i}" if ind.threshold is not None else "CAST(NULL AS BIGINT)"
        branches.append(
            f"SELECT '{level}' AS level, {code} AS region_code, {name} AS region_name, "
            f"year, section, '{i}' AS indicator, p_{i} AS p, mean_{i} AS m, "
            f"t.theil_{i} AS tsum, cv_{i} AS cv, cv_limit, {unmet} AS unmet "
            "FROM county_stats JOIN county_theil t "
            "USING (year, division_code, section) WHERE schools > 0"
        )
    rows = " UNION ALL ".join(branches)
    # Under a composite rule single CVs have no limit, so none is "over" it.
    over = queries.compare_sql("cv", ">", "cv_limit")
    over_limit = (
        f"CAST(SUM(CASE WHEN {over} THEN 1 ELSE 0 END) AS BIGINT)"
        if fw.balance_rule.mode == "every"
        else "CAST(NULL AS BIGINT)"
    )
    keys = "level, region_code, year, section, indicator"
    return (
        f"WITH c AS ({rows}), "
        f"r AS (SELECT {keys}, MIN(region_name) AS region_name, "
        "CAST(COUNT(*) AS BIGINT) AS counties, SUM(p) AS students, "
        "SUM(p * m) / SUM(p) AS mean, "
        f"{over_limit} AS counties_over_limit, "
        "CAST(SUM(unmet) AS BIGINT) AS schools_below_threshold, "
        "MIN(cv) AS cv_min, "
        "PERCENTILE_CONT(0.25) WITHIN GROUP (ORDER BY cv) AS cv_p25, "
        "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY cv) AS cv_median, "
        "PERCENTILE_CONT(0.75) WITHIN GROUP (ORDER BY cv) AS cv_p75, "
        "MAX(cv) AS cv_max, SUM(tsum) AS tsum FROM c GROUP BY "
        f"{keys}) "
        f"SELECT r.{keys.replace(', ', ', r.')}, MIN(r.region_name) AS region_name, "
        "MIN(r.counties) AS counties, MIN(r.students) AS students, "
        "MIN(r.mean) AS mean, MIN(r.counties_over_limit) AS counties_over_limit, "
        "MIN(r.schools_below_threshold) AS schools_below_threshold, "
        "MIN(r.cv_min) AS cv_min, MIN(r.cv_p25) AS cv_p25, "
        "MIN(r.cv_median) AS cv_median, MIN(r.cv_p75) AS cv_p75, "
        "MIN(r.cv_max) AS cv_max, "
        "SQRT(SUM(c.p * (c.m - r.mean) * (c.m - r.mean)) / MIN(r.students)) "
        "/ NULLIF(MIN(r.mean), 0) AS between_county_cv, "
        "SUM(CASE WHEN c.m > 0 AND r.mean > 0 THEN c.p * c.m * LN(c.m / r.mean) "
        "ELSE 0 END) / NULLIF(MIN(r.students) * MIN(r.mean), 0) AS theil_between, "
        "MIN(r.tsum) / NULLIF(MIN(r.students) * MIN(r.mean), 0) AS theil_within "
        "FROM r JOIN c ON r.level = c.level AND r.region_code = c.region_code "
        "AND r.year = c.year AND r.section = c.section AND r.indicator = c.indicator "
        "WHERE c.m IS NOT NULL "
        f"GROUP BY r.{keys.replace(', ', ', r.')}"
    )


def compute_rollups(
    engine: EngineResult, fw: Framework, *, indicators: bool = True
) -> Rollups:
    """Compute city, province and nation roll-ups from an engine result.

    Without ``indicators``, only the verdict counts are computed, and
    ``Rollups.indicators`` is an empty frame without columns.
    """
    verdicts = engine.query(
        " UNION ALL ".join(
            _verdict_sql(level, code, name) for level, (code, name) in LEVELS.items()
        )
    )
    verdicts = verdicts.sort("level", "region_code", "year")
    if not indicators:
        return Rollups(verdicts=verdicts, indicators=pl.DataFrame())
    if engine.theil:
        theil = ", ".join(f"theil_{i.id}" for i in fw.resource_indicators)
        source = f"SELECT year, division_code, section, {theil} FROM county_stats"
    else:
        source = queries.theil_sql(fw)
    engine.run(f"CREATE OR REPLACE TEMP TABLE county_theil AS {source}")
    indicator_parts = [
        _indicator_sql(fw, level, code, name) for level, (code, name) in LEVELS.items()
    ]
    rows = engine.query(
        " UNION ALL ".join(
            f"SELECT * FROM ({q}) q{n}" for n, q in enumerate(indicator_parts)
        )
    )
    rows = rows.filter(pl.col("region_code").is_not_null()).with_columns(
        (pl.col("theil_between") + pl.col("theil_within")).alias("theil")
    )
    order = ["level", "region_code", "year", "section", "indicator"]
    return Rollups(verdicts=verdicts, indicators=rows.sort(order))


def _verdict_sql(level: str, code: str, name: str) -> str:
    return (
        f"SELECT '{level}' AS level, {code} AS region_code, "
        f"MIN({name}) AS region_name, year, CAST(COUNT(*) AS BIGINT) AS counties, "
        "CAST(SUM(CASE WHEN verdict = 'pass' THEN 1 ELSE 0 END) AS BIGINT) "
        "AS pass, "
        "CAST(SUM(CASE WHEN verdict = 'fail' THEN 1 ELSE 0 END) AS BIGINT) "
        "AS fail, "
        "CAST(SUM(CASE WHEN verdict = 'incomplete' THEN 1 ELSE 0 END) AS BIGINT) "
        f"AS incomplete, SUM(students) AS students FROM verdicts "
        f"WHERE {code} IS NOT NULL GROUP BY {code}, year"
    )
