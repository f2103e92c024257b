"""The tables and charts of the monitoring pages, ready for JSON.

Each function turns the tables of :class:`~junheng.web.monitor_data.MonitorData`
into a view: ``tables`` (columns with Chinese and English labels, kind and
decimals, then rows rounded once to the decimals the page shows) and
``charts`` (which table, rows and columns ``static/dash/dash.js`` draws). The
page, its JSON, CSV and Excel twins and the API all show these views.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import polars as pl

from junheng.evaluation.messages import SECTION_LABELS
from junheng.monitoring import sampling
from junheng.services.result_views import (
    CV_DIGITS,
    NATION_NAME,
    VALUE_DIGITS,
    Column,
    Table,
    round_value,
)
from junheng.standards.model import Framework
from junheng.web.monitor_data import LEVEL, TARGET_YEAR, MonitorData

LEVEL_OF_LENGTH = {0: "nation", 2: "province", 4: "city", 6: "county"}
SHARE_DIGITS = 1
MILESTONE_EARLY = 2027


def level_of(prefix: str) -> str:
    """Return the level of a division code prefix (``""`` is the nation)."""
    return LEVEL_OF_LENGTH[len(prefix)]


def _indicator_names(framework: Framework) -> dict[str, tuple[str, str]]:
    return {i.id: (i.name.zh, i.name.en) for i in framework.resource_indicators}


def _table(
    name: str,
    title: tuple[str, str],
    columns: Sequence[Column],
    rows: Iterable[dict[str, Any]],
    percent: Sequence[str] = (),
) -> dict[str, Any]:
    """Return a JSON-ready table; ``percent`` columns hold shares (0–1) that
    the table shows as percentages."""
    shown = []
    for raw in rows:
        row = {}
        for column in columns:
            value = raw.get(column.key)
            if column.key in percent and value is not None:
                value = 100.0 * value
            if column.kind == "int" and value is not None:
                value = int(value)
            row[column.key] = round_value(value, column.digits)
        shown.append(row)
    return Table(name, title[0], title[1], list(columns), shown).as_dict()


def _chart(
    chart_id: str,
    table: str,
    section: str | None,
    series: list[str],
    limit: float | None,
    title: tuple[str, str],
    kind: str = "lines",
) -> dict[str, Any]:
    label = SECTION_LABELS.get(section or "", {"zh": "", "en": ""})
    return {
        "id": chart_id,
        "kind": kind,
        "table": table,
        "filter": {"section": section} if section else {},
        "x": "year",
        "series": series,
        "limit": limit,
        "title": {
            "zh": f"{label['zh']}{title[0]}",
            "en": f"{label['en']} {title[1]}".strip(),
        },
    }


def _sections(frame: pl.DataFrame) -> list[str]:
    found = set(frame["section"].to_list()) if "section" in frame.columns else set()
    return [s for s in ("primary", "junior") if s in found]


def _label(lang: str, pair: tuple[str, str]) -> str:
    return pair[1] if lang == "en" else pair[0]


SECTION = Column("section", "学段", "Section", "code")
YEAR = Column("year", "年度", "Year", "int")
INDICATOR = Column("indicator", "指标", "Indicator")
COUNTY = Column("division_code", "县代码", "County code", "code")
MEAN = Column("mean", "均值", "Mean", "num", VALUE_DIGITS)
SHARE_COMPLIANT = Column(
    "share_compliant", "合格学校占比 %", "Compliant schools %", "pct", SHARE_DIGITS
)


# ------------------------------------------------------------------ trends


def _cv_table(
    frame: pl.DataFrame, value: str, framework: Framework, title: tuple[str, str]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return the table of ``value`` per section and year with one column per
    indicator, and one line chart per section with the CV limit."""
    names = _indicator_names(framework)
    ids = [i for i in names if i in set(frame["indicator"].to_list())]
    columns = [
        SECTION,
        YEAR,
        *(Column(f"cv_{i}", names[i][0], names[i][1], "num", CV_DIGITS) for i in ids),
        Column("cv_limit", "限值", "Limit", "num", CV_DIGITS),
    ]
    rows: dict[tuple[str, int], dict[str, Any]] = {}
    for row in frame.sort("section", "year").iter_rows(named=True):
        key = (row["section"], row["year"])
        entry = rows.setdefault(key, {"section": key[0], "year": key[1]})
        entry[f"cv_{row['indicator']}"] = row[value]
        entry["cv_limit"] = framework.balance_rule.cv_limit.get(key[0])
    ordered = sorted(rows.values(), key=lambda r: (_order(r["section"]), r["year"]))
    table = _table("cv", title, columns, ordered)
    charts = [
        _chart(
            f"cv-{section}",
            "cv",
            section,
            [f"cv_{i}" for i in ids],
            framework.balance_rule.cv_limit.get(section),  # type: ignore[call-overload]
            ("各指标差异系数历年变化", "CV per indicator by year"),
        )
        for section in _sections(frame)
    ]
    return table, charts


def _order(section: str) -> int:
    return {"primary": 0, "junior": 1}.get(section, 2)


def _named(frame: pl.DataFrame, framework: Framework, lang: str) -> pl.DataFrame:
    """Replace indicator ids by their names in ``lang`` (``all`` stays)."""
    names = {k: _label(lang, v) for k, v in _indicator_names(framework).items()}
    return frame.with_columns(
        pl.col("indicator").replace_strict(names, default=pl.col("indicator"))
    )


def _indicator_table(
    frame: pl.DataFrame, framework: Framework, lang: str, columns: list[Column]
) -> dict[str, Any]:
    """Return every trend row by year, section and indicator, with ``columns``
    and the compliant share."""
    detail = _named(frame, framework, lang).sort("year", "section", "indicator")
    return _table(
        "indicators",
        ("分指标历年数据", "Indicators by year"),
        [YEAR, SECTION, INDICATOR, *columns, SHARE_COMPLIANT],
        detail.iter_rows(named=True),
        percent=("share_meeting", "share_compliant"),
    )


def county_trend_view(data: MonitorData, code: str, lang: str) -> dict[str, Any] | None:
    """Return the trend page of one county, or ``None`` without approved data."""
    frame = data.county_trends().filter(pl.col("division_code") == code)
    if frame.is_empty():
        return None
    fw = data.framework
    cv, charts = _cv_table(frame, "cv", fw, ("各指标差异系数", "CV per indicator"))
    verdicts = frame.group_by("year").agg(pl.col("verdict").first()).sort("year")
    verdict_table = _table(
        "verdicts",
        ("历年评估结论", "Verdict by year"),
        [YEAR, Column("verdict", "结论", "Verdict", "verdict")],
        verdicts.iter_rows(named=True),
    )
    indicators = _indicator_table(
        frame,
        fw,
        lang,
        [
            Column("schools", "学校数", "Schools", "int"),
            MEAN,
            Column("cv", "差异系数", "CV", "num", CV_DIGITS),
            Column("cv_limit", "限值", "Limit", "num", CV_DIGITS),
            Column("cv_ok", "差异系数达标", "CV within limit", "bool"),
            Column("change_cv", "较上年变化", "Change", "num", CV_DIGITS),
            Column("share_meeting", "达标学校占比 %", "Schools meeting %", "pct", 1),
        ],
    )
    return {
        "kind": "trends",
        "level": "county",
        "code": code,
        "name": frame["division_name"][0] or code,
        "years": data.years,
        "tables": {"cv": cv, "verdicts": verdict_table, "indicators": indicators},
        "charts": charts,
    }


def region_trend_view(
    data: MonitorData, prefix: str, lang: str
) -> dict[str, Any] | None:
    """Return the trend page of a city, province or the nation (``prefix`` "")."""
    level = level_of(prefix)
    region = prefix or "all"
    frame = data.region_trends().filter(
        (pl.col("level") == level) & (pl.col("region_code") == region)
    )
    if frame.is_empty():
        return None
    fw = data.framework

    cv, charts = _cv_table(
        frame, "cv_median", fw, ("县域差异系数中位数", "Median county CV")
    )
    verdicts = (
        data.region_verdicts()
        .filter((pl.col("level") == level) & (pl.col("region_code") == region))
        .with_columns((pl.col("pass") / pl.col("counties")).alias("pass_share"))
        .sort("year")
    )
    verdict_table = _table(
        "verdicts",
        ("历年达标县数", "Counties passing by year"),
        [
            YEAR,
            Column("counties", "县数", "Counties", "int"),
            Column("pass", "达标", "Pass", "int"),
            Column("fail", "未达标", "Fail", "int"),
            Column("incomplete", "数据不全", "Incomplete", "int"),
            Column("pass_share", "达标县占比 %", "Counties passing %", "pct", 1),
        ],
        verdicts.iter_rows(named=True),
        percent=("pass_share",),
    )
    charts.append(
        _chart(
            "verdicts",
            "verdicts",
            None,
            ["pass", "fail", "incomplete"],
            None,
            ("历年达标县数", "Counties passing by year"),
        )
    )

    indicators = _indicator_table(
        frame,
        fw,
        lang,
        [
            Column("counties", "县数", "Counties", "int"),
            MEAN,
            Column("cv", "县际差异系数", "Between-county CV", "num", CV_DIGITS),
            Column("cv_median", "县域差异系数中位数", "Median county CV", "num", 4),
            Column("counties_over_limit", "超限县数", "Counties over limit", "int"),
            Column("schools_below_threshold", "未达标学校数", "Schools below", "int"),
        ],
    )
    name = NATION_NAME["en" if lang == "en" else "zh"]
    if prefix:
        name = frame["region_name"][0] or prefix
    return {
        "kind": "trends",
        "level": level,
        "code": prefix,
        "name": name,
        "years": data.years,
        "tables": {"cv": cv, "verdicts": verdict_table, "indicators": indicators},
        "charts": charts,
    }


# ------------------------------------------------------------------ forecasts


def county_names(data: MonitorData) -> dict[str, str]:
    """Return the name of every county with approved data, by code."""

    def build() -> dict[str, str]:
        frame = data.county_trends().unique("division_code", keep="last")
        return dict(zip(frame["division_code"], frame["division_name"], strict=True))

    return data.memo("county_names", build)


def ranked_counties(series: pl.DataFrame) -> pl.DataFrame:
    """Rank counties by the year they are expected to meet every CV limit.

    A county's year is the latest expected year of its CV series. It has none
    when a series moves away from its limit (or reaches it after 2050) or has
    too few years for a forecast, and such counties come last. Ties are broken
    by the lowest probability of meeting the limit in 2035, highest first.
    """
    p_target = f"p_meet_{TARGET_YEAR}"
    per = series.group_by("division_code").agg(
        pl.len().alias("series"),
        (pl.col("status") != "ok").sum().alias("series_short"),
        ((pl.col("status") == "ok") & pl.col("expected_year").is_null())
        .sum()
        .alias("series_never"),
        pl.col("expected_year").max().alias("latest_expected"),
        pl.col(p_target).min().alias("p_min"),
    )
    per = per.with_columns(
        pl.when((pl.col("series_short") == 0) & (pl.col("series_never") == 0))
        .then(pl.col("latest_expected"))
        .alias("expected_year")
    ).sort(
        pl.col("expected_year").is_null(),
        "expected_year",
        pl.col("p_min").fill_null(-1.0),
        "division_code",
        descending=[False, False, True, False],
    )
    return per.with_row_index("rank", offset=1)


def forecast_view(
    data: MonitorData,
    prefix: str,
    visible: pl.Expr,
    lang: str,
    county: str | None,
    indicator: str | None,
) -> dict[str, Any] | None:
    """Return the forecast page of the counties inside ``prefix`` that
    ``visible`` keeps; ``county`` and ``indicator`` choose the band chart."""
    found = data.forecasts().filter(
        pl.col("division_code").str.starts_with(prefix) & visible
    )
    if found.is_empty():
        return None
    names = county_names(data)
    p_target = f"p_meet_{TARGET_YEAR}"
    p_early = f"p_meet_{MILESTONE_EARLY}"
    ranked = ranked_counties(found).with_columns(
        pl.col("division_code").replace_strict(names, default=None).alias("name")
    )
    counties = _table(
        "counties",
        ("各县预计达到差异系数限值年份（排序）", "Counties ranked by expected year"),
        [
            Column("rank", "排名", "Rank", "int"),
            COUNTY,
            Column("name", "县名称", "County"),
            Column("expected_year", "预计全部达到年份", "Expected year (all)", "int"),
            Column("series", "序列数", "Series", "int"),
            Column("series_never", "无法达到的序列", "Series never met", "int"),
            Column("series_short", "年份不足的序列", "Series too short", "int"),
            Column(
                "p_min",
                f"{TARGET_YEAR}年最低达到概率 %",
                f"Lowest P({TARGET_YEAR}) %",
                "pct",
                SHARE_DIGITS,
            ),
        ],
        ranked.iter_rows(named=True),
        percent=("p_min",),
    )
    detail = _named(found, data.framework, lang).with_columns(
        pl.col("division_code").replace_strict(names, default=None).alias("name")
    )
    series = _table(
        "series",
        ("分指标预测", "Forecast per CV series"),
        [
            COUNTY,
            Column("name", "县名称", "County"),
            SECTION,
            INDICATOR,
            Column("n_points", "年数", "Years", "int"),
            Column("last_year", "最近年度", "Last year", "int"),
            Column("last_value", "最近差异系数", "Last CV", "num", CV_DIGITS),
            Column("limit", "限值", "Limit", "num", CV_DIGITS),
            Column("slope", "年变化", "Change per year", "num", CV_DIGITS),
            Column("expected_year", "预计达到年份", "Expected year", "int"),
            Column(
                "forecast", f"{TARGET_YEAR}年预测", f"Forecast {TARGET_YEAR}", "num", 4
            ),
            Column("lower", "区间下限", "Lower", "num", CV_DIGITS),
            Column("upper", "区间上限", "Upper", "num", CV_DIGITS),
            Column(
                p_early,
                f"{MILESTONE_EARLY}年达到概率 %",
                f"P({MILESTONE_EARLY}) %",
                "pct",
                1,
            ),
            Column(
                p_target, f"{TARGET_YEAR}年达到概率 %", f"P({TARGET_YEAR}) %", "pct", 1
            ),
            Column("interval", "区间", "Interval"),
            Column("status", "状态", "Status", "code"),
        ],
        detail.sort("division_code", "section", "indicator").iter_rows(named=True),
        percent=(p_early, p_target),
    )
    tables = {"counties": counties, "series": series}
    charts: list[dict[str, Any]] = []
    choice = _band_choice(ranked, found, county, indicator)
    if choice is not None:
        county, indicator = choice
        tables["band"], charts = _band(data, names, county, indicator)

    return {
        "kind": "forecasts",
        "level": level_of(prefix),
        "code": prefix,
        "years": data.years,
        "target_year": TARGET_YEAR,
        "interval_level": LEVEL,
        "band": {"county": county, "indicator": indicator} if choice else None,
        "tables": tables,
        "charts": charts,
    }


def _band(
    data: MonitorData, names: dict[str, str], county: str, indicator: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return the table of one county's CV history and forecast band for
    ``indicator``, and one chart per section with the CV limit."""
    band = data.band(county).filter(pl.col("indicator") == indicator)
    label = names.get(county) or county
    table = _table(
        "band",
        (f"{label} 差异系数历史与预测区间", f"{label}: CV history and forecast band"),
        [
            SECTION,
            YEAR,
            Column("observed", "实际值", "Observed", "num", CV_DIGITS),
            Column("forecast", "预测值", "Forecast", "num", CV_DIGITS),
            Column("lower", "区间下限", "Lower", "num", CV_DIGITS),
            Column("upper", "区间上限", "Upper", "num", CV_DIGITS),
            Column("limit", "限值", "Limit", "num", CV_DIGITS),
        ],
        band.sort("section", "year").iter_rows(named=True),
    )
    name = _indicator_names(data.framework).get(indicator, (indicator, indicator))
    charts = []
    for section in _sections(band):
        limits = band.filter(pl.col("section") == section)["limit"].drop_nulls()
        charts.append(
            _chart(
                f"band-{section}",
                "band",
                section,
                ["observed", "forecast", "lower", "upper"],
                float(limits[0]) if limits.len() else None,
                (f"{name[0]}：历史与预测区间", f"{name[1]}: history and forecast"),
            )
        )
    return table, charts


def _band_choice(
    ranked: pl.DataFrame,
    series: pl.DataFrame,
    county: str | None,
    indicator: str | None,
) -> tuple[str, str] | None:
    """Return the county and indicator of the band chart: those asked for,
    else the last-ranked county and its series least likely to meet the limit
    in 2035 (the largest last CV among equals)."""
    codes = ranked["division_code"].to_list()
    if county not in codes:
        county = codes[-1] if codes else None
    if county is None:
        return None
    own = series.filter(pl.col("division_code") == county)
    ids = own["indicator"].to_list()
    if indicator not in ids:
        riskiest = own.sort(
            pl.col(f"p_meet_{TARGET_YEAR}").fill_null(-1.0),
            pl.col("last_value").fill_null(0.0),
            descending=[False, True],
        )
        indicator = riskiest["indicator"][0] if riskiest.height else None
    if indicator is None:
        return None
    return county, indicator


# ------------------------------------------------------------------ flags


FLAG_COLUMNS = [
    Column("check", "检查", "Check", "code"),
    YEAR,
    COUNTY,
    Column("school_code", "学校代码", "School code", "code"),
    Column("field", "字段", "Field", "code"),
    Column("value", "值", "Value", "num", VALUE_DIGITS),
    Column("statistic", "统计量", "Statistic", "num", 3),
    Column("p_value", "p 值", "p-value", "num", 6),
    Column("message", "说明", "Finding"),
    Column("status", "县级说明状态", "County status", "code"),
    Column("note", "县级说明", "County note"),
    Column("noted_by", "说明人", "Noted by"),
    Column("flag_key", "疑点标识", "Flag key", "code"),
]


def flag_view(
    flags: pl.DataFrame, notes: dict[str, Any], prefix: str, lang: str
) -> dict[str, Any]:
    """Return the flag page: every flag of ``flags`` with its county note, and
    the count of flags and flagged schools per check."""
    from junheng.monitoring import quality
    from junheng.services.flag_notes import flag_key

    rows = []
    for row in flags.iter_rows(named=True):
        key = flag_key(
            row["check"],
            row["year"],
            row["division_code"] or "",
            row["school_code"],
            row["field"] or "",
        )
        note = notes.get(key)
        rows.append(
            {
                **row,
                "message": row["message_en" if lang == "en" else "message_zh"],
                "flag_key": key,
                "status": note.status if note is not None else None,
                "note": note.note if note is not None else None,
                "noted_by": note.updated_by if note is not None else None,
            }
        )
    summary = _table(
        "summary",
        ("各类疑点数", "Flags per check"),
        [
            Column("check", "检查", "Check", "code"),
            Column("flags", "疑点数", "Flags", "int"),
            Column("schools", "涉及学校", "Schools", "int"),
        ],
        quality.summarise_flags(flags).iter_rows(named=True),
    )
    return {
        "kind": "flags",
        "level": level_of(prefix),
        "code": prefix,
        "tables": {
            "summary": summary,
            "flags": _table("flags", ("数据疑点", "Flags"), FLAG_COLUMNS, rows),
        },
        "charts": [],
    }


# ------------------------------------------------------------------ samples


def sample_view(
    drawn: pl.DataFrame, design: sampling.SampleDesign, county: str, year: int
) -> dict[str, Any]:
    """Return the sample page of one county-year: the drawn schools, the
    strata and the design, and every school of the frame."""
    school_columns = [
        Column("school_code", "学校代码", "School code", "code"),
        Column("school_name", "学校名称", "School"),
        Column("stratum", "层", "Stratum", "code"),
        Column("students", "学生数", "Students", "int"),
        Column("weight", "风险权重", "Risk weight", "num", VALUE_DIGITS),
        Column("pi", "入样概率", "Inclusion probability", "num", CV_DIGITS),
        Column("drawn", "入样", "Drawn", "bool"),
        Column("reason", "入样理由", "Reason"),
    ]
    plan = design.as_dict()
    keys = (
        "seed",
        "population",
        "size",
        "census",
        "confidence",
        "margin",
        "expected_rate",
        "z",
        "n_infinite",
        "n_corrected",
        "n_minimum",
        "formula",
    )
    return {
        "kind": "samples",
        "level": "county",
        "code": county,
        "year": year,
        "seed": design.seed,
        "design": {k: plan[k] for k in keys},
        "tables": {
            "sample": _table(
                "sample",
                ("抽中的学校", "Schools drawn"),
                school_columns,
                drawn.filter("drawn").iter_rows(named=True),
            ),
            "strata": _table(
                "strata",
                ("分层与样本分配", "Strata and allocation"),
                [
                    Column("stratum", "层", "Stratum", "code"),
                    Column("schools", "学校数", "Schools", "int"),
                    Column("sample", "样本数", "Sample", "int"),
                ],
                design.strata,
            ),
            "frame": _table(
                "frame",
                ("抽样框（全部学校）", "Sampling frame (every school)"),
                school_columns,
                drawn.iter_rows(named=True),
            ),
        },
        "charts": [],
    }
