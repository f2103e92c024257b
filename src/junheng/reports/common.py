"""Read-only helpers over the evaluation document shared by every report.

The reports compute nothing of their own: these helpers only pick values out of
the mapping built by :func:`junheng.evaluation.document.build_document` and
format them.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from junheng.evaluation.messages import REQUIREMENT
from junheng.reports.labels import LANGS, Lang, text

Document = Mapping[str, Any]
"""The mapping returned by ``build_document``."""

VERDICTS = ("pass", "fail", "incomplete")


def resolve_lang(doc: Document, lang: str | None) -> Lang:
    """Return ``lang``, or the document's language when ``lang`` is ``None``.

    Raises ``ValueError`` for a language other than ``zh`` or ``en``.
    """
    chosen = lang if lang is not None else doc.get("lang", "zh")
    for known in LANGS:
        if chosen == known:
            return known
    raise ValueError(f"unsupported report language {chosen!r}, use 'zh' or 'en'")


def number(value: Any) -> float | int | None:
    """Return ``value`` as a plain number, or ``None`` for missing, NaN or inf.

    DuckDB sums arrive as ``Decimal``, and integral ones become ``int``.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return None


def format_value(value: Any, digits: int = 2) -> str:
    """Return a number with ``digits`` decimals and thousands separators."""
    found = number(value)
    if found is None:
        return "—"
    if isinstance(found, int):
        return f"{found:,}"
    return f"{found:,.{digits}f}"


def format_cv(value: Any) -> str:
    """Return a CV with three decimals, or a dash when it is missing."""
    found = number(value)
    return "—" if found is None else f"{found:.3f}"


def is_money(unit: str | None) -> bool:
    """Return whether an indicator unit is an amount of money (元, yuan)."""
    # NOTE: the document carries no unit kind, so money is recognised by the
    # unit's text; a framework unit such as 万元 matches, one without 元 does not.
    return bool(unit) and ("元" in str(unit) or "yuan" in str(unit))


def section_ids(doc: Document) -> list[str]:
    """Return the sections of the framework in framework order."""
    return list(doc["framework"].get("cv_limit", {}))


def indicator_ids(doc: Document) -> list[str]:
    """Return the resource indicator ids in framework order."""
    return [i["id"] for i in doc["framework"]["indicators"]]


def county_name(county: Mapping[str, Any]) -> str:
    """Return the county name, or its division code when the name is unknown."""
    return str(county.get("division_name") or county["division_code"])


def county_anchor(county: Mapping[str, Any]) -> str:
    """Return an HTML id that is unique per county-year."""
    return f"c-{county['division_code']}-{county['year']}"


@dataclass(frozen=True)
class WorstCV:
    """The CV of a section that is furthest over (or closest to) its limit."""

    indicator: str | None
    cv: float | None
    limit: float | None

    @property
    def over(self) -> bool:
        """Whether the CV exceeds the limit."""
        return self.cv is not None and self.limit is not None and self.cv > self.limit


def worst_cv(section: Mapping[str, Any]) -> WorstCV:
    """Return the largest CV of a section against the section's CV limit.

    Under a composite balance rule the composite CV is the one the limit applies
    to, so it is returned with ``indicator=None``.
    """
    limit = number(section.get("cv_limit"))
    limit_value = float(limit) if limit is not None else None
    if section.get("balance_rule") == "composite":
        composite = number(section.get("composite_cv"))
        value = float(composite) if composite is not None else None
        return WorstCV(None, value, limit_value)
    best: WorstCV = WorstCV(None, None, limit_value)
    for ind_id, entry in section.get("indicators", {}).items():
        cv = number(entry.get("cv"))
        if cv is not None and (best.cv is None or cv > best.cv):
            best = WorstCV(ind_id, float(cv), limit_value)
    return best


def noncompliant_count(county: Mapping[str, Any]) -> int | None:
    """Return the county's non-compliant schools over all sections.

    Returns ``None`` when the framework has no school-level rule.
    """
    counts = [
        number(s.get("noncompliant_schools"))
        for s in county.get("sections", {}).values()
    ]
    known = [int(c) for c in counts if c is not None]
    return sum(known) if known else None


def failing_schools(county: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Return the county's ``school_noncompliant`` reasons in reason order."""
    return [r for r in county.get("reasons", []) if r["code"] == "school_noncompliant"]


def requirement_text(item: Mapping[str, Any], lang: str) -> str:
    """Return a county item's requirement, e.g. ``≥ 95`` or 是."""
    op = item.get("op")
    if op not in REQUIREMENT:
        return ""
    threshold = number(item.get("threshold"))
    shown = "" if threshold is None else format_plain(threshold)
    return REQUIREMENT[op][lang].format(t=shown)


def format_plain(value: Any) -> str:
    """Return a number without trailing zeros and without separators."""
    found = number(value)
    if found is None:
        return ""
    if isinstance(found, int):
        return str(found)
    return f"{found:.4f}".rstrip("0").rstrip(".") or "0"


def item_value_text(value: Any, lang: str) -> str:
    """Return a reported county item value as text (是/否 for booleans)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return text("yes" if value else "no", lang)
    found = number(value)
    return format_plain(found) if found is not None else str(value)


def latest_rollup_year(doc: Document) -> int | None:
    """Return the latest year that has indicator roll-ups."""
    years = [r["year"] for r in doc["rollups"].get("indicators", [])]
    return max(years) if years else None


def rollup_rows(
    doc: Document, table: str, level: str, year: int | None = None
) -> Iterator[Mapping[str, Any]]:
    """Yield roll-up rows of ``table`` at ``level``, optionally for one year."""
    for row in doc["rollups"].get(table, []):
        if row["level"] == level and (year is None or row["year"] == year):
            yield row
