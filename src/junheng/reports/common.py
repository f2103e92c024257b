"""Read-only helpers over the evaluation document shared by every report.

The reports compute nothing of their own: these helpers only pick values out of
the mapping built by :func:`junheng.evaluation.document.build_document` and
format them.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from junheng.engine.queries import meets
from junheng.evaluation.messages import REQUIREMENT, exclusion_rule
from junheng.reports.labels import LANGS, Lang, text

log = logging.getLogger(__name__)

Document = Mapping[str, Any]
"""The mapping returned by ``build_document``."""

VERDICTS = ("pass", "fail", "incomplete")

SECTION_ORDER = ("primary", "junior")
"""Order of the sections in every report: 小学 before 初中."""

_DIGITS = re.compile(r"(\d+)")


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


def natural_key(value: Any) -> tuple[tuple[int, str], ...]:
    """Return a sort key that orders the digit runs of ``value`` by number.

    ``G2`` sorts before ``G10`` and ``2-臺北市`` before ``10-宜蘭縣``.
    """
    parts = _DIGITS.split(str(value))
    # re.split with a group puts the digit runs at the odd positions.
    return tuple(
        (int(part), "") if index % 2 else (-1, part.casefold())
        for index, part in enumerate(parts)
    )


def section_key(section: str) -> tuple[int, str]:
    """Return a sort key that puts 小学 before 初中 and unknown sections last."""
    if section in SECTION_ORDER:
        return (SECTION_ORDER.index(section), "")
    return (len(SECTION_ORDER), section)


def section_ids(doc: Document) -> list[str]:
    """Return the sections of the framework, 小学 before 初中."""
    return sorted(doc["framework"].get("cv_limit", {}), key=section_key)


def county_sections(county: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """Return the ``(section id, section)`` pairs of a county, 小学 before 初中."""
    sections: Mapping[str, Mapping[str, Any]] = county.get("sections", {})
    return sorted(sections.items(), key=lambda pair: section_key(pair[0]))


def county_order(county: Mapping[str, Any]) -> tuple[Any, ...]:
    """Return the sort key of a county-year: year, then division code naturally."""
    return (county["year"], natural_key(county["division_code"]))


def ordered_counties(doc: Document) -> list[Mapping[str, Any]]:
    """Return the document's county-years by year and natural division code.

    Taiwan's district codes then run 1-, 2-, … 10- instead of 1-, 10-, 2-.
    """
    return sorted(doc["counties"], key=county_order)


def ordered_county_items(county: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Return a county's items by part, then by natural item id (G2 before G10).

    Parts keep the order of the document, and so do the checks of one item.
    """
    items: list[Mapping[str, Any]] = county.get("county_items", [])
    parts: dict[str, int] = {}
    for item in items:
        parts.setdefault(item["part"], len(parts))
    return sorted(items, key=lambda i: (parts[i["part"]], natural_key(i["item"])))


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
        return (
            self.cv is not None
            and self.limit is not None
            and meets(self.cv, ">", self.limit)
        )


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
    """Return the number of the county's schools that break the school rule.

    A combined school that fails in two sections counts once, because the
    schools are counted by the codes of their ``school_noncompliant`` reasons. Without
    those reasons the per-section counts are added up. Returns ``None`` when
    the framework has no school-level rule.
    """
    counts = [
        number(s.get("noncompliant_schools"))
        for s in county.get("sections", {}).values()
    ]
    known = [int(c) for c in counts if c is not None]
    if not known:
        return None
    codes = {reason["school_code"] for reason in failing_schools(county)}
    return len(codes) if codes else sum(known)


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


WARNING_COLUMNS = ("file", "sheet", "row", "column", "value", "message", "fix", "code")
"""Fields of a saved import warning, in the order the reports show them."""


def warning_headers(lang: str) -> list[str]:
    """Return the titles of :data:`WARNING_COLUMNS`, as the error report has them."""
    # Imported here: the ingest package loads its readers, which only reports
    # with warnings need.
    from junheng.ingest.issues import REPORT_COLUMNS

    titles = {key: (zh, en) for key, zh, en in REPORT_COLUMNS}
    return [titles[key][0 if lang == "zh" else 1] for key in WARNING_COLUMNS]


def exclusion_reason_text(doc: Document, reason: str | None, lang: str) -> str:
    """Return the inclusion rule that left a school out, in ``lang``."""
    inclusion = doc["framework"].get("inclusion") or {}
    return exclusion_rule(reason, lang, inclusion.get("teaching_point_min_students"))


def region_code_text(row: Mapping[str, Any], lang: str) -> str:
    """Return the region code of a roll-up row, with 全国 for the nation row."""
    if row["level"] == "nation":
        return text("nation_code", lang)
    return str(row["region_code"])


@dataclass(frozen=True)
class CountyItemNames:
    """Display names of a framework's county items and of their reported keys."""

    items: Mapping[str, str] = field(default_factory=dict)
    keys: Mapping[tuple[str, str], str] = field(default_factory=dict)
    """Labels of the checks by ``(item id, key)``, for items with several checks."""
    lang: str = "zh"

    def item_name(self, item: str) -> str:
        """Return the item's name, or an empty string when it is unknown."""
        return self.items.get(item, "")

    def key_label(self, item: str, key: str) -> str:
        """Return the label of one reported key, or an empty string."""
        return self.keys.get((item, key), "")

    def check_name(self, item: str, key: str) -> str:
        """Return the name of one reported check, e.g. ``… (rotation rate)``.

        That is the item's name, followed by the check's label when the item
        has several checks. Without a known name it is the key.
        """
        name = self.item_name(item)
        if not name:
            return key
        label = self.key_label(item, key)
        if not label:
            return name
        return f"{name}（{label}）" if self.lang == "zh" else f"{name} ({label})"


def county_item_names(doc: Document, lang: str) -> CountyItemNames:
    """Return the county item names of the document's framework in ``lang``.

    The document carries item ids and keys only, so the names come from the
    framework loaded again by id. A framework that was given as a file path is
    usually not found by its id, and then every name is empty and the reports
    show the ids.
    """
    from junheng.errors import FrameworkError
    from junheng.standards.loader import load_framework

    try:
        framework = load_framework(str(doc["framework"].get("id", "")))
    except FrameworkError as error:
        log.info("county item names not shown, framework not loaded: %s", error)
        return CountyItemNames(lang=lang)
    # NOTE: a framework file with the same id as another one on the search path
    # gives the names of the file that load_framework finds, which may differ.
    items = [i for p in framework.parts for i in p.items] + framework.veto_items
    names = {i.id: i.name.get(lang) for i in items}
    keys = {
        (i.id, c.key): c.label.get(lang)
        for i in items
        if len(i.checks) > 1
        for c in i.checks
        if c.key and c.label
    }
    return CountyItemNames(names, keys, lang)


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


def framework_title(doc: Document) -> str:
    """Return the framework's name followed by its id, e.g. ``… (cn-2017-quality)``."""
    fw = doc["framework"]
    return f"{fw['name']} ({fw['id']})" if fw.get("id") else str(fw["name"])


def framework_origin(doc: Document) -> str:
    """Return the framework a modified one extends and the file that modifies
    it, e.g. ``cn-2017-quality; /path/prov.yaml``, or "" for one that extends
    none."""
    fw = doc["framework"]
    based_on = fw.get("based_on") or []
    if not based_on:
        return ""
    return "; ".join([str(based_on[0]), str(fw.get("file") or "")]).rstrip("; ")
