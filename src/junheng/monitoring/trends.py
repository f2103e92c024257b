"""Yearly series of every county, section and indicator, and their roll-ups.

One evaluation of a multi-year school frame gives every year at once;
:func:`county_trends` and :func:`region_trends` reshape its section statistics
and roll-ups into long series with the change from the previous reported year.

County columns: ``mean`` (the student-weighted indicator mean), ``cv`` (its
between-school CV), ``cv_limit``, ``cv_ok``, ``share_meeting`` (schools meeting
the indicator's threshold among those with a value), ``share_compliant`` (schools
passing the school rule among those whose compliance is known) and ``verdict``
(the county verdict of that year). Each numeric column has a ``change_`` twin,
this year's value less the previous reported year's, and ``previous_year`` names
that year (null in the first year).
"""

from __future__ import annotations

import polars as pl

from junheng.evaluation.verdict import Evaluation

SERIES_KEYS = ("division_code", "section", "indicator")
REGION_KEYS = ("level", "region_code", "section", "indicator")
TRACKED = ("mean", "cv", "share_meeting", "share_compliant")


def _with_changes(frame: pl.DataFrame, keys: tuple[str, ...]) -> pl.DataFrame:
    """Add ``previous_year`` and ``change_<col>`` for every tracked column."""
    frame = frame.sort(*keys, "year")
    over = list(keys)
    changes = [
        (pl.col(c) - pl.col(c).shift(1).over(over)).alias(f"change_{c}")
        for c in (*TRACKED, "pass_share")
        if c in frame.columns
    ]
    extra = []
    if "verdict" in frame.columns:
        extra.append(pl.col("verdict").shift(1).over(over).alias("previous_verdict"))
    return frame.with_columns(
        pl.col("year").shift(1).over(over).alias("previous_year"), *changes, *extra
    )


def county_trends(ev: Evaluation) -> pl.DataFrame:
    """Return one row per county, section, indicator and year (see module doc)."""
    sections = ev.sections
    known = pl.col("compliant_schools") + pl.col("noncompliant_schools")
    has_rule = "compliant_schools" in sections.columns
    parts = []
    for ind in ev.framework.resource_indicators:
        i = ind.id
        valued = pl.col("schools") - pl.col(f"missing_{i}")
        meeting = (
            ((valued - pl.col(f"unmet_{i}")) / valued)
            if ind.threshold is not None
            else pl.lit(None, pl.Float64)
        )
        parts.append(
            sections.filter(pl.col("schools") > 0).select(
                "year",
                "division_code",
                "division_name",
                "city_code",
                "province_code",
                "section",
                pl.lit(i).alias("indicator"),
                "schools",
                pl.col(f"mean_{i}").alias("mean"),
                pl.col(f"cv_{i}").alias("cv"),
                "cv_limit",
                pl.col(f"cv_ok_{i}").alias("cv_ok"),
                pl.when(valued > 0).then(meeting).alias("share_meeting"),
                (
                    pl.when(known > 0).then(pl.col("compliant_schools") / known)
                    if has_rule
                    else pl.lit(None, pl.Float64)
                ).alias("share_compliant"),
            )
        )
    frame = pl.concat(parts).join(
        ev.verdicts.select("year", "division_code", "verdict"),
        on=["year", "division_code"],
        how="left",
    )
    return _with_changes(frame, SERIES_KEYS)


def region_trends(ev: Evaluation) -> pl.DataFrame:
    """Return one row per city, province and nation, section, indicator and year.

    ``mean`` is the student-weighted regional mean, ``cv`` the between-county CV,
    ``cv_median`` the median of the county CVs, ``share_compliant`` the compliant
    share of all the region's schools with known compliance and ``pass_share``
    the share of its counties whose verdict is pass.
    """
    roll = ev.rollups
    sections = ev.sections
    level_codes = {
        "city": pl.col("city_code"),
        "province": pl.col("province_code"),
        "nation": pl.lit("all"),
    }
    compliant = []
    if "compliant_schools" in sections.columns:
        for level, code in level_codes.items():
            compliant.append(
                sections.with_columns(code.alias("region_code"))
                .filter(pl.col("region_code").is_not_null())
                .group_by("region_code", "year", "section")
                .agg(
                    pl.col("compliant_schools").sum().alias("_c"),
                    pl.col("noncompliant_schools").sum().alias("_n"),
                )
                .with_columns(pl.lit(level).alias("level"))
            )
    frame = roll.indicators.select(
        "level",
        "region_code",
        "region_name",
        "year",
        "section",
        "indicator",
        "counties",
        "mean",
        pl.col("between_county_cv").alias("cv"),
        "cv_median",
        "counties_over_limit",
        "schools_below_threshold",
    )
    if compliant:
        shares = pl.concat(compliant, how="diagonal").with_columns(
            (pl.col("_c") / (pl.col("_c") + pl.col("_n"))).alias("share_compliant")
        )
        frame = frame.join(
            shares.select("level", "region_code", "year", "section", "share_compliant"),
            on=["level", "region_code", "year", "section"],
            how="left",
        )
    verdicts = roll.verdicts.select(
        "level",
        "region_code",
        "year",
        pl.col("pass").alias("counties_pass"),
        (pl.col("pass") / pl.col("counties")).alias("pass_share"),
    )
    frame = frame.join(verdicts, on=["level", "region_code", "year"], how="left")
    return _with_changes(frame, REGION_KEYS)
