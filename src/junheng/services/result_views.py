"""The tables behind every dashboard page, built from a cached evaluation.

A view is a JSON-ready mapping: what the page is about (``level``, ``code``,
``name``, ``year``), its ``tables`` and the ``charts`` drawn from them. Each
table lists its columns (key, Chinese and English label, kind, decimals) and its
rows. Numbers are rounded here, once, to the decimals the page shows, so the
page, its JSON twin and its CSV twin carry the same values.

Levels: ``nation`` (code ``""``), ``province`` (2 digits), ``city`` (4 digits),
``county`` (6 digits) and ``school`` (10-digit school identifier code).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, Literal

import polars as pl

from junheng.evaluation import messages
from junheng.evaluation.document import county_records
from junheng.reports.labels import part_label
from junheng.services.results import YearResult

Level = Literal["nation", "province", "city", "county", "school"]
LEVELS: tuple[Level, ...] = ("nation", "province", "city", "county", "school")
CODE_LENGTH: dict[Level, int] = {
    "nation": 0,
    "province": 2,
    "city": 4,
    "county": 6,
    "school": 10,
}
CHILD_LEVEL: dict[Level, Level] = {
    "nation": "province",
    "province": "city",
    "city": "county",
    "county": "school",
}
NATION_NAME = {"zh": "全国", "en": "China"}

Kind = Literal["text", "int", "num", "pct", "verdict", "bool", "code"]

CV_DIGITS = 4
VALUE_DIGITS = 2
SHARE_DIGITS = 1


@dataclass(frozen=True)
class Column:
    """One column of a view table.

    ``flag`` names a boolean column of the same row that is False where the
    value fails its threshold, so the page can highlight the cell.
    """

    key: str
    zh: str
    en: str
    kind: Kind = "text"
    digits: int | None = None
    flag: str | None = None

    def label(self, lang: str) -> str:
        """Return the column heading in ``lang``."""
        return self.en if lang == "en" else self.zh


@dataclass
class Table:
    """Rows of one table or chart, with the columns that describe them."""

    name: str
    zh: str
    en: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return the table as a JSON-ready mapping."""
        return {
            "name": self.name,
            "title": {"zh": self.zh, "en": self.en},
            "columns": [
                {k: v for k, v in asdict(c).items() if v is not None}
                for c in self.columns
            ],
            "rows": self.rows,
        }


def round_value(value: Any, digits: int | None) -> Any:
    """Return ``value`` as a plain JSON number rounded to ``digits``.

    NaN and infinities become ``None``; DuckDB decimals become floats or ints.
    """
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        if digits is None:
            return value
        rounded = round(value, digits)
        return int(rounded) if digits == 0 else rounded
    return value


def _row(columns: Sequence[Column], values: dict[str, Any]) -> dict[str, Any]:
    row = {}
    for column in columns:
        raw = values.get(column.key)
        if column.kind == "int" and raw is not None:
            number = round_value(raw, 0)
            row[column.key] = None if number is None else int(number)
        else:
            row[column.key] = round_value(raw, column.digits)
        if column.flag is not None:
            row[column.flag] = values.get(column.flag)
    return row


def _table(
    name: str,
    title: tuple[str, str],
    columns: list[Column],
    rows: Iterable[dict[str, Any]],
) -> Table:
    return Table(name, title[0], title[1], columns, [_row(columns, r) for r in rows])


def _share(part: Any, whole: Any) -> float | None:
    if not whole:
        return None
    return 100.0 * float(part or 0) / float(whole)


# ------------------------------------------------------------------ regions


VERDICT_COUNT_COLUMNS = [
    Column("counties", "参评县数", "Counties", "int"),
    Column("pass", "达标", "Pass", "int"),
    Column("fail", "未达标", "Fail", "int"),
    Column("incomplete", "数据不全", "Incomplete", "int"),
    Column("pass_share", "达标比例(%)", "Pass share (%)", "pct", SHARE_DIGITS),
    Column("students", "学生数", "Students", "int"),
]


def _verdict_counts(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "pass_share": _share(row.get("pass"), row.get("counties"))}


def _region_indicator_table(result: YearResult, level: Level, code: str) -> Table:
    fw = result.framework
    rollup_level = "nation" if level == "nation" else level
    region = "all" if level == "nation" else code
    frame = result.evaluation.rollups.indicators.filter(
        (pl.col("level") == rollup_level) & (pl.col("region_code") == region)
    )
    limits = dict(fw.balance_rule.cv_limit)
    every = fw.balance_rule.mode == "every"
    order = {ind.id: n for n, ind in enumerate(fw.resource_indicators)}
    rows = []
    for row in frame.iter_rows(named=True):
        ind = fw.indicator(row["indicator"])
        rows.append(
            {
                **row,
                "section_label": messages.SECTION_LABELS[row["section"]]["zh"],
                "name": ind.name.zh,
                "name_en": ind.name.en,
                "limit": limits.get(row["section"]) if every else None,
                "_order": (row["section"] != "primary", order[row["indicator"]]),
            }
        )
    rows.sort(key=lambda r: r["_order"])
    columns = [
        Column("section", "学段", "Section", "code"),
        Column("indicator", "指标", "Indicator", "code"),
        Column("name", "指标名称", "Indicator name"),
        Column("name_en", "指标名称（英文）", "Indicator name (English)"),
        Column("counties", "县数", "Counties", "int"),
        Column("mean", "学生加权均值", "Student-weighted mean", "num", VALUE_DIGITS),
        Column("cv_p25", "县差异系数 P25", "County CV p25", "num", CV_DIGITS),
        Column("cv_median", "县差异系数中位数", "County CV median", "num", CV_DIGITS),
        Column("cv_p75", "县差异系数 P75", "County CV p75", "num", CV_DIGITS),
        Column("cv_max", "县差异系数最大值", "County CV max", "num", CV_DIGITS),
        Column("limit", "限值", "Limit", "num", CV_DIGITS),
        Column("counties_over_limit", "超限县数", "Counties over limit", "int"),
        Column(
            "schools_below_threshold", "未达标学校数", "Schools below threshold", "int"
        ),
        Column(
            "between_county_cv", "县际差异系数", "Between-county CV", "num", CV_DIGITS
        ),
        Column("theil", "泰尔指数", "Theil index", "num", CV_DIGITS),
    ]
    return _table(
        "indicators", ("指标差异系数分布", "Indicator CV distribution"), columns, rows
    )


def _children_rows(result: YearResult, level: Level, code: str) -> list[dict[str, Any]]:
    rollups = result.evaluation.rollups.verdicts
    if level == "nation":
        frame = rollups.filter(pl.col("level") == "province")
    elif level == "province":
        frame = rollups.filter(
            (pl.col("level") == "city") & pl.col("region_code").str.starts_with(code)
        )
    else:
        raise ValueError(f"no region children at level {level!r}")
    rows = []
    for row in frame.sort("region_code").iter_rows(named=True):
        rows.append(
            _verdict_counts(
                {**row, "code": row["region_code"], "name": row["region_name"]}
            )
        )
    return rows


COUNTY_CHILD_COLUMNS = [
    Column("code", "行政区划代码", "Division code", "code"),
    Column("name", "县区", "County", "text"),
    Column("verdict", "结论", "Verdict", "verdict"),
    Column("schools", "学校数", "Schools", "int"),
    Column("students", "学生数", "Students", "int"),
    Column("worst_cv", "最大差异系数", "Largest CV", "num", CV_DIGITS),
    Column("reasons", "问题数", "Reasons", "int"),
]


def _county_children(result: YearResult, city_code: str) -> list[dict[str, Any]]:
    ev = result.evaluation
    verdicts = ev.verdicts.filter(pl.col("city_code") == city_code)
    keys = list(zip(verdicts["year"], verdicts["division_code"], strict=True))
    with result.lock:
        details = ev.details(keys)
    cv_columns = [f"cv_{i.id}" for i in result.framework.resource_indicators]
    worst = (
        ev.sections.filter(
            pl.col("division_code").is_in(verdicts["division_code"].to_list())
        )
        .group_by("division_code")
        .agg(pl.max_horizontal(cv_columns).max().alias("worst_cv"))
    )
    worst_by_code = dict(zip(worst["division_code"], worst["worst_cv"], strict=True))
    rows = []
    for row in verdicts.iter_rows(named=True):
        key = (row["year"], row["division_code"])
        rows.append(
            {
                "code": row["division_code"],
                "name": row["division_name"],
                "verdict": row["verdict"],
                "schools": row["schools"],
                "students": row["students"],
                "worst_cv": worst_by_code.get(row["division_code"]),
                "reasons": len(details[key].reasons),
            }
        )
    rows.sort(key=lambda r: r["code"])
    return rows


def _region_summary(
    result: YearResult, level: Level, code: str
) -> dict[str, Any] | None:
    rollups = result.evaluation.rollups.verdicts
    region = "all" if level == "nation" else code
    frame = rollups.filter(
        (pl.col("level") == level) & (pl.col("region_code") == region)
    )
    if frame.is_empty():
        return None
    return _verdict_counts(frame.row(0, named=True))


def region_view(result: YearResult, level: Level, code: str) -> dict[str, Any] | None:
    """Return the view of a nation, province or city, or ``None`` if it has no data."""
    summary = _region_summary(result, level, code)
    if summary is None:
        return None
    name = summary["region_name"] if level != "nation" else NATION_NAME["zh"]
    summary_table = _table(
        "summary", ("评估结论汇总", "Verdict summary"), VERDICT_COUNT_COLUMNS, [summary]
    )
    if level == "city":
        children = _table(
            "children",
            ("各县区结论", "Counties"),
            COUNTY_CHILD_COLUMNS,
            _county_children(result, code),
        )
    else:
        child_name = ("省份", "Province") if level == "nation" else ("地市", "City")
        columns = [
            Column("code", "代码", "Code", "code"),
            Column("name", child_name[0], child_name[1]),
            *VERDICT_COUNT_COLUMNS,
        ]
        children = _table(
            "children",
            (f"各{child_name[0]}结论", f"{child_name[1]} results"),
            columns,
            _children_rows(result, level, code),
        )
    indicators = _region_indicator_table(result, level, code)
    parents = {}
    if level == "city":
        province = _region_summary(result, "province", code[:2])
        if province is not None:
            parents["province"] = [code[:2], province["region_name"]]
    return {
        "level": level,
        "code": code,
        "name": name,
        "year": result.key.year,
        "framework": result.framework.id,
        "parents": parents,
        "child_level": CHILD_LEVEL[level],
        "tables": [summary_table, children, indicators],
    }


# ------------------------------------------------------------------ counties


def county_view(result: YearResult, code: str, lang: str) -> dict[str, Any] | None:
    """Return the view of one county, or ``None`` if it has no data that year."""
    ev = result.restricted([code])
    if ev.verdicts.is_empty():
        return None
    with result.lock:
        record = county_records(ev, lang)[0]
    fw = result.framework
    part_columns = [
        Column(part, part_label(part, "zh"), part_label(part, "en"), "verdict")
        for part in record["parts"]
    ]
    summary = _table(
        "summary",
        ("评估结论", "Verdict"),
        [
            Column("verdict", "结论", "Verdict", "verdict"),
            Column("schools", "学校数", "Schools", "int"),
            Column("students", "学生数", "Students", "int"),
            *part_columns,
        ],
        [{**record, **record["parts"]}],
    )
    reasons = _table(
        "reasons",
        ("结论依据", "Reasons"),
        [
            Column("part", "部分", "Part", "code"),
            Column("code", "类型", "Kind", "code"),
            Column("message", "说明", "Explanation"),
        ],
        record["reasons"],
    )
    indicator_rows = []
    for section, entry in sorted(
        record["sections"].items(), key=lambda s: s[0] != "primary"
    ):
        for ind in fw.resource_indicators:
            values = entry["indicators"][ind.id]
            indicator_rows.append(
                {
                    **values,
                    "section": section,
                    "indicator": ind.id,
                    "name": ind.name.get(lang),
                    "unit": ind.unit.get(lang),
                    "cv_ok": values["passed"],
                }
            )
    indicators = _table(
        "indicators",
        ("各项指标差异系数", "Indicator CVs"),
        [
            Column("section", "学段", "Section", "code"),
            Column("indicator", "指标", "Indicator", "code"),
            Column("name", "指标名称", "Indicator name"),
            Column("unit", "单位", "Unit"),
            Column("threshold", "达标标准", "Threshold", "num", VALUE_DIGITS),
            Column(
                "mean", "学生加权均值", "Student-weighted mean", "num", VALUE_DIGITS
            ),
            Column("cv", "差异系数", "CV", "num", CV_DIGITS, flag="cv_ok"),
            Column("limit", "限值", "Limit", "num", CV_DIGITS),
            Column("passed", "差异系数达标", "CV within limit", "bool"),
            Column(
                "schools_below_threshold",
                "未达标学校数",
                "Schools below threshold",
                "int",
            ),
            Column(
                "schools_without_data", "缺数据学校数", "Schools without data", "int"
            ),
        ],
        indicator_rows,
    )
    items = _table(
        "items",
        ("县级指标", "County-level items"),
        [
            Column("item", "项目", "Item", "code"),
            Column("key", "填报项", "Key", "code"),
            Column("op", "条件", "Test", "code"),
            Column("threshold", "标准", "Threshold", "num", VALUE_DIGITS),
            Column("value", "填报值", "Value", "num", VALUE_DIGITS),
            Column("passed", "达标", "Met", "bool"),
        ],
        record["county_items"],
    )
    return {
        "level": "county",
        "code": code,
        "name": record["division_name"],
        "year": result.key.year,
        "framework": fw.id,
        "parents": {
            "province": [record["province_code"], record["province_name"]],
            "city": [record["city_code"], record["city_name"]],
        },
        "verdict": record["verdict"],
        "tables": [summary, reasons, indicators, _school_table(result, code), items],
    }


def _unit_rows(result: YearResult, column: str, value: str) -> pl.DataFrame:
    # unit_values is a view: the filter runs inside DuckDB, for this county only.
    with result.lock:
        return result.evaluation.engine.query(
            f"SELECT * FROM unit_values WHERE year = ? AND {column} = ? "
            "ORDER BY section DESC, school_code",
            [result.key.year, value],
        )


def _school_columns(result: YearResult) -> list[Column]:
    columns = [
        Column("school_code", "学校标识码", "School code", "code"),
        Column("school_name", "学校名称", "School name"),
        Column("section", "学段", "Section", "code"),
        Column("students", "学生数", "Students", "int"),
    ]
    for ind in result.framework.resource_indicators:
        columns.append(
            Column(
                f"v_{ind.id}",
                f"{ind.id} {ind.name.zh}",
                f"{ind.id} {ind.name.en}",
                "num",
                VALUE_DIGITS,
                flag=f"met_{ind.id}",
            )
        )
    if result.framework.school_rule is not None:
        columns += [
            Column("met_count", "达标项数", "Indicators met", "int"),
            Column("compliant", "学校达标", "School meets the rule", "bool"),
        ]
    return columns


def _school_table(result: YearResult, county_code: str) -> Table:
    frame = _unit_rows(result, "division_code", county_code)
    return _table(
        "schools",
        ("学校指标（未达标值标红）", "Schools (values below threshold marked)"),
        _school_columns(result),
        frame.iter_rows(named=True),
    )


def school_view(result: YearResult, school_code: str) -> dict[str, Any] | None:
    """Return the view of one school, or ``None`` if it has no data that year."""
    frame = _unit_rows(result, "school_code", school_code)
    if frame.is_empty():
        return None
    first = frame.row(0, named=True)
    fw = result.framework
    rows = []
    for unit in frame.iter_rows(named=True):
        for ind in fw.resource_indicators:
            rows.append(
                {
                    "section": unit["section"],
                    "indicator": ind.id,
                    "name": ind.name.zh,
                    "name_en": ind.name.en,
                    "value": unit[f"v_{ind.id}"],
                    "threshold": unit[f"thr_{ind.id}"],
                    "met": unit.get(f"met_{ind.id}"),
                }
            )
    indicators = _table(
        "indicators",
        ("本校各项指标", "Indicators of the school"),
        [
            Column("section", "学段", "Section", "code"),
            Column("indicator", "指标", "Indicator", "code"),
            Column("name", "指标名称", "Indicator name"),
            Column("name_en", "指标名称（英文）", "Indicator name (English)"),
            Column("value", "本校值", "Value", "num", VALUE_DIGITS, flag="met"),
            Column("threshold", "达标标准", "Threshold", "num", VALUE_DIGITS),
            Column("met", "达标", "Met", "bool"),
        ],
        rows,
    )
    summary = _table(
        "summary",
        ("学段概况", "Sections"),
        _school_columns(result),
        frame.iter_rows(named=True),
    )
    return {
        "level": "school",
        "code": school_code,
        "name": first["school_name"],
        "year": result.key.year,
        "framework": fw.id,
        "division_code": first["division_code"],
        "parents": {
            "province": [first["province_code"], first["province_name"]],
            "city": [first["city_code"], first["city_name"]],
            "county": [first["division_code"], first["division_name"]],
        },
        "tables": [summary, indicators],
    }


# ------------------------------------------------------------------ trends


def region_trend(results: Sequence[YearResult], level: Level, code: str) -> Table:
    """Return the verdict counts of a region in each year it has data."""
    rows = []
    for result in results:
        summary = _region_summary(result, level, code)
        if summary is not None:
            rows.append({**summary, "year": result.key.year})
    return _table(
        "trend",
        ("历年结论", "Verdicts by year"),
        [Column("year", "年度", "Year", "code"), *VERDICT_COUNT_COLUMNS],
        rows,
    )


def county_trend(results: Sequence[YearResult], code: str) -> Table:
    """Return a county's verdict and CVs per section in each year it has data."""
    fw = results[0].framework if results else None
    indicators = fw.resource_indicators if fw is not None else []
    rows = []
    for result in results:
        ev = result.evaluation
        verdict = ev.verdicts.filter(pl.col("division_code") == code)
        if verdict.is_empty():
            continue
        sections = ev.sections.filter(pl.col("division_code") == code)
        for row in sections.iter_rows(named=True):
            entry = {
                "year": result.key.year,
                "verdict": verdict["verdict"][0],
                "section": row["section"],
            }
            entry.update({f"cv_{i.id}": row[f"cv_{i.id}"] for i in indicators})
            rows.append(entry)
    rows.sort(key=lambda r: (r["year"], r["section"] != "primary"))
    columns = [
        Column("year", "年度", "Year", "code"),
        Column("verdict", "结论", "Verdict", "verdict"),
        Column("section", "学段", "Section", "code"),
    ]
    columns += [
        Column(f"cv_{i.id}", f"{i.id} 差异系数", f"{i.id} CV", "num", CV_DIGITS)
        for i in indicators
    ]
    return _table("trend", ("历年差异系数", "CVs by year"), columns, rows)


def school_trend(results: Sequence[YearResult], school_code: str) -> Table:
    """Return a school's indicator values per section in each year it has data."""
    fw = results[0].framework if results else None
    indicators = fw.resource_indicators if fw is not None else []
    rows = []
    for result in results:
        for unit in _unit_rows(result, "school_code", school_code).iter_rows(
            named=True
        ):
            entry = {"year": result.key.year, "section": unit["section"]}
            entry.update({f"v_{i.id}": unit[f"v_{i.id}"] for i in indicators})
            rows.append(entry)
    columns = [
        Column("year", "年度", "Year", "code"),
        Column("section", "学段", "Section", "code"),
    ]
    columns += [
        Column(f"v_{i.id}", i.id, i.id, "num", VALUE_DIGITS) for i in indicators
    ]
    return _table("trend", ("历年指标值", "Values by year"), columns, rows)


def jsonable(view: dict[str, Any]) -> dict[str, Any]:
    """Return ``view`` with its tables as plain mappings, ready for JSON."""
    return {
        **view,
        "tables": {t.name: t.as_dict() for t in view["tables"]},
    }
