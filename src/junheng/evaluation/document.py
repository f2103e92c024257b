"""The evaluation as one JSON-ready document, shared by every report format."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import polars as pl

from junheng import GENERATOR
from junheng.engine import queries
from junheng.evaluation import messages
from junheng.evaluation.verdict import CheckTable, Evaluation


def _clean(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def _finite(frame: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` with NaN and infinite floats replaced by null."""
    floats = [name for name, dtype in frame.schema.items() if dtype.is_float()]
    return frame.with_columns(
        pl.when(pl.col(name).is_finite()).then(pl.col(name)).alias(name)
        for name in floats
    )


def _section_entries(
    ev: Evaluation, sections: pl.DataFrame
) -> dict[tuple[int, str], dict[str, Any]]:
    """Return the entry of every section row, keyed by county-year and section."""
    fw = ev.framework
    # Under a composite rule single CVs have no limit of their own.
    every = fw.balance_rule.mode == "every"
    mode = fw.balance_rule.mode
    indicators = [ind.id for ind in fw.resource_indicators]
    fixed = {
        ind.id: (ind.name.zh, ind.name.en, ind.unit.zh, ind.threshold or {})
        for ind in fw.resource_indicators
    }
    names = set(sections.columns)
    stats = ("p", "mean", "sd", "cv", "cv_ok", "unmet", "missing")
    columns = [
        pl.col(f"{stat}_{i}")
        if f"{stat}_{i}" in names
        else pl.lit(None).alias(f"{stat}_{i}")
        for i in indicators
        for stat in stats
    ]
    rule = fw.school_rule is not None
    ruled = (
        "compliant_schools",
        "noncompliant_schools",
        "unknown_compliance_schools",
        "school_rule_status",
    )
    frame = _finite(
        sections.select(
            "year",
            "division_code",
            "section",
            "status",
            "schools",
            "schools_without_students",
            "students",
            "cv_limit",
            "composite_cv",
            "balance_status",
            *(ruled if rule else ()),
            *columns,
        )
    )
    entries: dict[tuple[int, str], dict[str, Any]] = {}
    width = len(stats)
    for (
        year,
        code,
        section,
        status,
        schools,
        empty,
        students,
        limit,
        cv,
        *rest,
    ) in frame.iter_rows():
        balance = rest[0]
        extra: list[Any] = rest[1 : 1 + len(ruled)] if rule else []
        cells = rest[1 + len(extra) :]
        indicator_entries = {}
        for n, i in enumerate(indicators):
            p, mean, sd, ind_cv, ok, unmet, missing = cells[n * width : n * width + 7]
            name, name_en, unit, thresholds = fixed[i]
            indicator_entries[i] = {
                "name": name,
                "name_en": name_en,
                "unit": unit,
                "threshold": thresholds.get(section),
                "students": p,
                "mean": mean,
                "sd": sd,
                "cv": ind_cv,
                "limit": limit if every else None,
                "passed": ok if every and schools else None,
                "schools_below_threshold": unmet,
                "schools_without_data": missing,
            }
        entry: dict[str, Any] = {
            "status": ev_status(status),
            "schools": schools,
            "schools_without_students": empty,
            "students": students,
            "cv_limit": limit,
            "balance_rule": mode,
            "composite_cv": cv,
            "balance_status": ev_status(balance),
            "indicators": indicator_entries,
        }
        if rule:
            entry.update(
                compliant_schools=extra[0],
                noncompliant_schools=extra[1],
                schools_unknown_compliance=extra[2],
                school_rule_status=ev_status(extra[3]),
            )
        entries.setdefault((year, code), {})[section] = entry
    return entries


def ev_status(code: int) -> str:
    """Return the status name of a numeric status code."""
    return queries.STATUS_NAMES[code]


def check_items(table: CheckTable) -> dict[tuple[int, str], list[dict[str, Any]]]:
    """Return the ``county_items`` records of every county-year in ``table``.

    The records are built straight from the table's columns, so that each of
    the million checks of a national run becomes one mapping instead of two
    (the one of :attr:`CountyDetail.checks`, then the record).
    """
    frame = table.frame
    found: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    names = ["item_id", "part_id", "key", "op", "threshold", "value_num"]
    names += ["value_bool", "passed", "evidence"]
    columns = [frame.get_column(name).to_list() for name in names]
    keys = zip(frame["year"].to_list(), frame["division_code"].to_list(), strict=True)
    for key, (item, part, name, op, threshold, number, flag, passed, evidence) in zip(
        keys, zip(*columns, strict=True), strict=True
    ):
        found[key].append(
            {
                "item": item,
                "part": part,
                "key": name,
                "op": op,
                "threshold": threshold,
                "value": number if number is not None else flag,
                "passed": passed,
                "evidence": evidence,
            }
        )
    return found


def county_records(
    ev: Evaluation, lang: str = "zh", *, limit: int | None = None
) -> list[dict[str, Any]]:
    """Return one record per county-year with its verdict, sections and reasons.

    ``limit`` keeps the first county-years only (in verdict order), so a short
    report does not explain every county of a national run.
    """
    verdicts = ev.verdicts if limit is None else ev.verdicts.head(limit)
    keys = list(
        zip(
            verdicts["year"].to_list(), verdicts["division_code"].to_list(), strict=True
        )
    )
    details = ev.details(keys, (lang,))
    chosen = ev.sections.join(
        verdicts.select("year", "division_code"),
        on=["year", "division_code"],
        how="semi",
    )
    sections = _section_entries(ev, chosen)
    items_by_table: dict[int, dict[tuple[int, str], list[dict[str, Any]]]] = {}
    records = []
    for row in _finite(verdicts).iter_rows(named=True):
        key = (row["year"], row["division_code"])
        detail = details[key]
        # Details built together share one table, read once here.
        table = detail.check_table
        if id(table) not in items_by_table:
            items_by_table[id(table)] = check_items(table)
        items = items_by_table[id(table)].get(key, [])
        records.append(
            {
                "year": row["year"],
                "division_code": row["division_code"],
                "division_name": row["division_name"],
                "city_code": row["city_code"],
                "city_name": row["city_name"],
                "province_code": row["province_code"],
                "province_name": row["province_name"],
                "verdict": row["verdict"],
                "students": row["students"],
                "schools": row["schools"],
                "parts": detail.parts,
                "reasons": detail.reasons,
                "sections": sections.get(key, {}),
                "county_items": items,
            }
        )
    return records


def school_records(ev: Evaluation) -> list[dict[str, Any]]:
    """Return one record per school section with its indicators and compliance."""
    fw = ev.framework
    frame = ev.engine.query(
        "SELECT * FROM unit_values ORDER BY year, division_code, school_code, section"
    )
    has_rule = fw.school_rule is not None
    thresholds = {
        s: {i.id: (i.threshold or {}).get(s) for i in fw.resource_indicators}
        for s in fw.sections
    }
    records = []
    for row in frame.iter_rows(named=True):
        indicators = {}
        for ind in fw.resource_indicators:
            indicators[ind.id] = {
                "value": _clean(row[f"v_{ind.id}"]),
                "threshold": thresholds[row["section"]][ind.id],
                "met": row.get(f"met_{ind.id}"),
            }
        checks = {
            queries.check_column(item, n)[4:]: row[queries.check_column(item, n)]
            for item, n, _ in queries.school_checks(fw)
        }
        records.append(
            {
                "year": row["year"],
                "division_code": row["division_code"],
                "school_code": row["school_code"],
                "school_name": row["school_name"],
                "school_type": row["school_type"],
                "ownership": row["ownership"],
                "section": row["section"],
                "students": _clean(row["students"]),
                "share": _clean(row["share"]),
                "indicators": indicators,
                "met_count": row.get("met_count") if has_rule else None,
                "compliant": row.get("compliant") if has_rule else None,
                "no_students": not row["students"],
                "checks": checks,
            }
        )
    return records


def _frame_records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return _finite(frame).to_dicts()


def _named_nation(frame: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Return roll-up rows with the nation row named in ``lang``."""
    if frame.is_empty() or "region_name" not in frame.columns:
        return frame
    name = messages.NATION_NAMES.get(lang, messages.NATION_NAMES["zh"])
    return frame.with_columns(
        pl.when(pl.col("level") == "nation")
        .then(pl.lit(name))
        .otherwise(pl.col("region_name"))
        .alias("region_name")
    )


def build_document(
    ev: Evaluation,
    *,
    lang: str = "zh",
    include_schools: bool = True,
    sources: list[str] | None = None,
    county_limit: int | None = None,
    warnings: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """Return the evaluation as a JSON-ready mapping.

    ``county_limit`` keeps only the first county-years in ``counties`` (the
    summary and roll-ups still cover all of them). ``warnings`` are the
    warnings of the import that read the rows, as mappings of
    :meth:`junheng.ingest.issues.Issue.as_dict`; the document lists them as
    given.
    """
    fw = ev.framework
    notes = list(ev.notes)
    if ev.exclusions:
        notes.append(messages.exclusion_note(ev.exclusions, lang))
    excluded = (
        _frame_records(
            ev.engine.query(
                "SELECT e.year, e.division_code, g.division_name, e.school_code, "
                "e.school_name, e.school_type, e.ownership, e.primary_students, "
                "e.reason FROM excluded e LEFT JOIN regions g "
                "ON e.division_code = g.division_code "
                "ORDER BY e.year, e.division_code, e.school_code"
            )
        )
        if include_schools
        else []
    )
    return {
        "generator": GENERATOR,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "lang": lang,
        "sources": sources or [],
        "framework": {
            "id": fw.id,
            "name": fw.name.get(lang),
            "source": fw.source,
            "based_on": list(fw.based_on),
            "file": fw.path,
            "balance_rule": fw.balance_rule.mode,
            "cv_limit": dict(fw.balance_rule.cv_limit),
            "school_rule": fw.school_rule.model_dump() if fw.school_rule else None,
            "inclusion": fw.inclusion.model_dump(),
            "indicators": [
                {
                    "id": i.id,
                    "name": i.name.get(lang),
                    "unit": i.unit.get(lang),
                    "threshold": dict(i.threshold) if i.threshold else None,
                    "status": i.status,
                }
                for i in fw.resource_indicators
            ],
        },
        "summary": ev.summary(),
        "notes": notes,
        "warnings": [dict(warning) for warning in warnings or ()],
        "excluded_schools": excluded,
        "counties": county_records(ev, lang, limit=county_limit),
        "schools": school_records(ev) if include_schools else [],
        "rollups": {
            "verdicts": _frame_records(_named_nation(ev.rollups.verdicts, lang)),
            "indicators": _frame_records(_named_nation(ev.rollups.indicators, lang)),
        },
    }
