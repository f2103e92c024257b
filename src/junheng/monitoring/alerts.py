"""Early warnings from rule files, and their escalation past the deadline.

Rules are data (``monitoring/rules/*.yaml``): each names a kind of check, its
parameters, a level, the responsible body and the days allowed. :func:`raise_warnings`
applies them to the trends, the per-school values and the forecasts of one
evaluation year and returns the warnings table; :func:`escalate` moves every open
warning past its deadline one level and one body up.

Here warnings are frames only. :mod:`junheng.services.warnings` stores them,
tracks their status and applies :func:`escalate` to the stored ones.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any, Literal

import polars as pl
import yaml
from pydantic import BaseModel, ConfigDict, Field

from junheng.engine.queries import RELATIVE_TOLERANCE
from junheng.errors import InputError
from junheng.evaluation.messages import SECTION_LABELS
from junheng.monitoring.forecast import HORIZON
from junheng.standards.model import Framework, Text
from junheng.yaml_files import read_yaml_text

RULES_DIR = Path(__file__).parent / "rules"
Body = Literal["county", "city", "province"]
BODIES: tuple[Body, ...] = ("county", "city", "province")


class Rule(BaseModel):
    """One early-warning rule."""

    model_config = ConfigDict(extra="forbid")
    id: str
    kind: Literal[
        "cv_near_limit",
        "cv_rising",
        "school_below_floor",
        "accredited_now_fails",
        "forecast_misses_schedule",
    ]
    name: Text
    level: str
    responsible: Body
    deadline_days: int = Field(gt=0)
    params: dict[str, Any] = Field(default_factory=dict)


class RuleSet(BaseModel):
    """A file of rules with its level order."""

    model_config = ConfigDict(extra="forbid")
    id: str
    name: Text
    levels: list[str]
    escalation_days: int = Field(gt=0)
    rules: list[Rule]


def load_rules(source: str | Path = "cn-default") -> RuleSet:
    """Load a rule file by id (``rules/<id>.yaml``) or path."""
    path = Path(source)
    if not path.suffix:
        path = RULES_DIR / f"{source}.yaml"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in RULES_DIR.glob("*.yaml")))
        raise InputError(f"no warning rules {str(source)!r}; installed: {known}")
    text = read_yaml_text(path, InputError, "warning rules", "预警规则文件")
    try:
        rules = RuleSet.model_validate(yaml.safe_load(text))
    except Exception as error:
        raise InputError(f"warning rules {path} are not valid: {error}") from error
    for rule in rules.rules:
        if rule.level not in rules.levels:
            raise InputError(
                f"rule {rule.id!r} in {path} has level {rule.level!r}; use one of "
                f"{', '.join(rules.levels)}"
            )
    return rules


WARNING_SCHEMA: dict[str, Any] = {
    "warning_id": pl.String,
    "rule": pl.String,
    "level": pl.String,
    "year": pl.Int64,
    "division_code": pl.String,
    "city_code": pl.String,
    "province_code": pl.String,
    "section": pl.String,
    "indicator": pl.String,
    "school_code": pl.String,
    "value": pl.Float64,
    "limit": pl.Float64,
    "responsible": pl.String,
    "responsible_code": pl.String,
    "raised_on": pl.Date,
    "deadline": pl.Date,
    "status": pl.String,
    "escalations": pl.Int64,
    "message_zh": pl.String,
    "message_en": pl.String,
}


_SECTION_ZH = pl.col("section").replace_strict(
    {key: label["zh"] for key, label in SECTION_LABELS.items()},
    default=pl.col("section"),
    return_dtype=pl.String,
)
"""The section's Chinese name, for the Chinese messages."""


def _cv_near_limit(rule: Rule, trends: pl.DataFrame, year: int) -> pl.DataFrame:
    margin = float(rule.params.get("margin", 0.10))
    now = trends.filter(
        (pl.col("year") == year)
        & (pl.col("cv") >= pl.col("cv_limit") * (1 - margin))
        # Within the limit as the verdict judges it, near ties included.
        & (pl.col("cv") <= pl.col("cv_limit") * (1 + RELATIVE_TOLERANCE))
    )
    return now.select(
        "year",
        "division_code",
        "section",
        "indicator",
        pl.col("cv").alias("value"),
        pl.col("cv_limit").alias("limit"),
        pl.format(
            "{} {} 差异系数 {} 接近上限 {}（差距不足 {}%）",
            _SECTION_ZH,
            "indicator",
            pl.col("cv").round(3),
            "cv_limit",
            pl.lit(round(margin * 100)),
        ).alias("message_zh"),
        pl.format(
            "{} {} CV {} is within {}% of its limit {}",
            "section",
            "indicator",
            pl.col("cv").round(3),
            pl.lit(round(margin * 100)),
            "cv_limit",
        ).alias("message_en"),
    )


def _cv_rising(rule: Rule, trends: pl.DataFrame, year: int) -> pl.DataFrame:
    years = int(rule.params.get("years", 2))
    keys = ["division_code", "section", "indicator"]
    window = trends.filter(pl.col("year").is_between(year - years, year)).sort("year")
    rising = (
        window.group_by(keys)
        .agg(
            pl.col("year"),
            pl.col("cv"),
            pl.col("cv_limit").last(),
        )
        .filter(
            (pl.col("year").list.len() == years + 1)
            & pl.col("cv").list.eval(pl.element().diff().drop_nulls() > 0).list.all()
        )
    )
    sequence = (
        pl.col("cv")
        .list.eval(pl.element().round(3))
        .cast(pl.List(pl.String))
        .list.join(" → ")
    )
    return rising.select(
        pl.lit(year).alias("year"),
        *keys,
        pl.col("cv").list.last().alias("value"),
        pl.col("cv_limit").alias("limit"),
        pl.format(
            "{} {} 差异系数连续 {} 年上升：{}",
            _SECTION_ZH,
            "indicator",
            pl.lit(years),
            sequence,
        ).alias("message_zh"),
        pl.format(
            "{} {} CV rose {} years running: {}",
            "section",
            "indicator",
            pl.lit(years),
            sequence,
        ).alias("message_en"),
    )


def _school_below_floor(
    rule: Rule, units: pl.DataFrame, framework: Framework, year: int
) -> pl.DataFrame:
    school_rule = framework.school_rule
    if school_rule is None:
        return pl.DataFrame()
    ratio = float(rule.params.get("floor_ratio", school_rule.floor_ratio))
    parts = []
    now = units.filter(pl.col("year") == year)
    for ind in framework.resource_indicators:
        if ind.threshold is None:
            continue
        limit = pl.col("section").replace_strict(
            {s: v * ratio for s, v in ind.threshold.items()},
            default=None,
            return_dtype=pl.Float64,
        )
        value = pl.col(f"v_{ind.id}")
        below = (
            value < limit * (1 - RELATIVE_TOLERANCE)
            if ind.direction == "higher"
            else value > limit * (1 + RELATIVE_TOLERANCE)
        )
        parts.append(
            now.filter(below).select(
                "year",
                "division_code",
                "section",
                pl.lit(ind.id).alias("indicator"),
                "school_code",
                value.alias("value"),
                limit.alias("limit"),
                pl.format(
                    "学校 {}（{}）{} {} 为 {}，低于标准的 {}%（{}）",
                    "school_name",
                    "school_code",
                    _SECTION_ZH,
                    pl.lit(ind.id),
                    value.round(2),
                    pl.lit(round(ratio * 100)),
                    limit.round(2),
                ).alias("message_zh"),
                pl.format(
                    "school {} ({}) {} {} is {}, below {}% of the threshold ({})",
                    "school_name",
                    "school_code",
                    "section",
                    pl.lit(ind.id),
                    value.round(2),
                    pl.lit(round(ratio * 100)),
                    limit.round(2),
                ).alias("message_en"),
            )
        )
    return pl.concat(parts) if parts else pl.DataFrame()


def _accredited_now_fails(
    verdicts: pl.DataFrame, accredited: pl.DataFrame | None, year: int
) -> pl.DataFrame:
    if accredited is None:
        accredited = (
            verdicts.filter((pl.col("verdict") == "pass") & (pl.col("year") < year))
            .group_by("division_code")
            .agg(pl.col("year").min().alias("accredited_year"))
        )
    now = verdicts.filter((pl.col("year") == year) & (pl.col("verdict") == "fail"))
    return now.join(accredited, on="division_code").select(
        "year",
        "division_code",
        pl.format(
            "{} 于 {} 年达标/认定，{} 年评估不达标",
            "division_code",
            "accredited_year",
            "year",
        ).alias("message_zh"),
        pl.format(
            "{} met the standard in {} and fails in {}",
            "division_code",
            "accredited_year",
            "year",
        ).alias("message_en"),
    )


def _forecast_misses(
    rule: Rule, forecasts: pl.DataFrame, plans: pl.DataFrame | None, year: int
) -> pl.DataFrame:
    default = int(rule.params.get("default_year", 2035))
    frame = forecasts.filter(pl.col("status") == "ok")
    if "metric" in frame.columns:
        frame = frame.filter(pl.col("metric").is_in(["cv", "share_compliant"]))
    if plans is not None:
        frame = frame.join(
            plans.select("division_code", "target_year"), on="division_code", how="left"
        )
    else:
        frame = frame.with_columns(pl.lit(None, pl.Int64).alias("target_year"))
    frame = frame.with_columns(pl.col("target_year").fill_null(default))
    missed = frame.filter(
        pl.col("expected_year").is_null()
        | (pl.col("expected_year") > pl.col("target_year"))
    )
    return missed.select(
        pl.lit(year).alias("year"),
        "division_code",
        "section",
        "indicator",
        pl.col("last_value").alias("value"),
        "limit",
        pl.format(
            "{} {}{}{}，计划 {} 年达标",
            _SECTION_ZH,
            _INDICATOR,
            _METRIC_NAMES["zh"],
            _outlook("zh"),
            "target_year",
        ).alias("message_zh"),
        pl.format(
            "{} {}{} {}, but it is scheduled to meet it in {}",
            "section",
            _INDICATOR,
            _METRIC_NAMES["en"],
            _outlook("en"),
            "target_year",
        ).alias("message_en"),
    )


_INDICATOR = (
    pl.when(pl.col("indicator") == "all")
    .then(pl.lit(""))
    .otherwise(pl.col("indicator") + " ")
)
"""The indicator and a space, or nothing for the series of every indicator
(the share of compliant schools)."""


_METRIC_NAMES = {
    lang: pl.col("metric").replace_strict(
        names, default=pl.col("metric"), return_dtype=pl.String
    )
    for lang, names in {
        "zh": {"cv": "差异系数", "share_compliant": "达标学校占比"},
        "en": {"cv": "CV", "share_compliant": "share of compliant schools"},
    }.items()
}
"""The name of each forecast metric in a warning, by language."""


def _outlook(lang: str) -> pl.Expr:
    """Word when a series' trend meets its requirement, after its expected
    year and the reason (see :func:`junheng.monitoring.forecast._expected_year`)."""
    expected = pl.col("expected_year").cast(pl.String)
    reason = pl.col("expected_reason")
    if lang == "zh":
        return (
            pl.when(expected.is_not_null())
            .then(pl.format("按当前趋势预计 {} 年达标", expected))
            .when(reason == "after_horizon")
            .then(pl.lit(f"按当前趋势 {HORIZON} 年前不会达标"))
            .otherwise(pl.lit("的趋势背离要求，按当前趋势不会达标"))
        )
    return (
        pl.when(expected.is_not_null())
        .then(pl.format("on its trend meets the requirement in {}", expected))
        .when(reason == "after_horizon")
        .then(pl.lit(f"on its trend does not meet the requirement by {HORIZON}"))
        .otherwise(
            pl.lit("moves away from the requirement and on its trend never meets it")
        )
    )


def raise_warnings(
    rules: RuleSet,
    *,
    year: int,
    today: dt.date,
    framework: Framework,
    trends: pl.DataFrame,
    verdicts: pl.DataFrame,
    units: pl.DataFrame | None = None,
    forecasts: pl.DataFrame | None = None,
    accredited: pl.DataFrame | None = None,
    plans: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Apply every rule to evaluation ``year`` and return the warnings table.

    Parameters
    ----------
    trends
        :func:`junheng.monitoring.trends.county_trends`.
    verdicts
        ``Evaluation.verdicts`` (year, division_code, verdict and region codes).
    units
        Per-school indicator values (the engine's ``unit_values``); without them
        the school rule is skipped.
    forecasts
        :func:`junheng.monitoring.forecast.forecast_series` of the requirement
        series; without them the schedule rule is skipped.
    accredited
        ``division_code, accredited_year`` of the accredited counties; by default
        every county that passed in an earlier year of ``verdicts``.
    plans
        ``division_code, target_year``: the year each county is scheduled to
        reach the standard; counties without a plan use the rule's default.
    """
    found = []
    for rule in rules.rules:
        if rule.kind == "cv_near_limit":
            hits = _cv_near_limit(rule, trends, year)
        elif rule.kind == "cv_rising":
            hits = _cv_rising(rule, trends, year)
        elif rule.kind == "school_below_floor":
            if units is None:
                continue
            hits = _school_below_floor(rule, units, framework, year)
        elif rule.kind == "accredited_now_fails":
            hits = _accredited_now_fails(verdicts, accredited, year)
        else:
            if forecasts is None:
                continue
            hits = _forecast_misses(rule, forecasts, plans, year)
        if hits.is_empty():
            continue
        found.append(
            hits.with_columns(
                pl.lit(rule.id).alias("rule"),
                pl.lit(rule.level).alias("level"),
                pl.lit(rule.responsible).alias("responsible"),
                pl.lit(today).alias("raised_on"),
                pl.lit(today + dt.timedelta(days=rule.deadline_days)).alias("deadline"),
            )
        )
    if not found:
        return pl.DataFrame(schema=WARNING_SCHEMA)
    regions = verdicts.select("division_code", "city_code", "province_code").unique(
        subset=["division_code"]
    )
    table = pl.concat(found, how="diagonal_relaxed").join(
        regions, on="division_code", how="left"
    )
    for name in ("section", "indicator", "school_code"):
        if name not in table.columns:
            table = table.with_columns(pl.lit(None, pl.String).alias(name))
    table = table.with_columns(
        _body_code(pl.col("responsible")).alias("responsible_code"),
        pl.lit("open").alias("status"),
        pl.lit(0, pl.Int64).alias("escalations"),
        pl.concat_str(
            "rule",
            "year",
            "division_code",
            *(pl.col(c).fill_null("") for c in ("section", "indicator", "school_code")),
            separator="/",
        ).alias("warning_id"),
    )
    return table.select(
        pl.col(name).cast(dtype)
        if name in table.columns
        else pl.lit(None, dtype).alias(name)
        for name, dtype in WARNING_SCHEMA.items()
    ).sort("warning_id")


def _body_code(body: pl.Expr) -> pl.Expr:
    return (
        pl.when(body == "county")
        .then(pl.col("division_code"))
        .when(body == "city")
        .then(pl.col("city_code"))
        .otherwise(pl.col("province_code"))
    )


def escalate(warnings: pl.DataFrame, today: dt.date, rules: RuleSet) -> pl.DataFrame:
    """Move every open warning whose deadline is before ``today`` one step up.

    The level goes to the next one of ``rules.levels`` (the highest stays), the
    responsible body from county to city to province (province stays), and the
    new deadline is ``today + rules.escalation_days``. Closed warnings and those
    still within their deadline are returned unchanged. Pure: the input frame is
    not modified.
    """
    levels = rules.levels
    next_level = dict(itertools.pairwise(levels))
    next_level[levels[-1]] = levels[-1]
    next_body = {"county": "city", "city": "province", "province": "province"}
    due = (pl.col("status") == "open") & (pl.col("deadline") < pl.lit(today))
    new_body = pl.col("responsible").replace_strict(next_body, default=None)
    return warnings.with_columns(
        pl.when(due)
        .then(pl.col("level").replace_strict(next_level, default=None))
        .otherwise(pl.col("level"))
        .alias("level"),
        pl.when(due)
        .then(new_body)
        .otherwise(pl.col("responsible"))
        .alias("responsible"),
        pl.when(due)
        .then(_body_code(new_body))
        .otherwise(pl.col("responsible_code"))
        .alias("responsible_code"),
        pl.when(due)
        .then(pl.lit(today + dt.timedelta(days=rules.escalation_days)))
        .otherwise(pl.col("deadline"))
        .alias("deadline"),
        (pl.col("escalations") + due.cast(pl.Int64)).alias("escalations"),
    )
