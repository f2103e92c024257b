"""The evaluation document as an Excel workbook, written with xlsxwriter.

Sheets, in order: overview with verdict counts and a chart, county results per
section with a CV chart, indicator thresholds, schools, schools left out by the
inclusion rules, reasons, county items, verdict roll-ups, indicator roll-ups and
the import warnings. The tables have autofilters. Every sheet is written top to
bottom in xlsxwriter's constant-memory mode, so a national document costs little
memory. In that mode a row that has been passed can no longer be written, so
each sheet is written in row order.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import xlsxwriter

from junheng.ingest.schema import choice_name
from junheng.reports.common import (
    VERDICTS,
    WARNING_COLUMNS,
    Document,
    county_item_names,
    county_name,
    county_sections,
    exclusion_reason_text,
    framework_origin,
    framework_title,
    indicator_ids,
    is_money,
    natural_key,
    noncompliant_count,
    number,
    ordered_counties,
    ordered_county_items,
    region_code_text,
    requirement_text,
    resolve_lang,
    section_ids,
    section_key,
    warning_headers,
)
from junheng.reports.labels import (
    level_label,
    part_label,
    section_label,
    sheet_name,
    text,
    verdict_label,
    yes_no,
)

log = logging.getLogger(__name__)

MAX_SHEET_ROWS = 1_000_000
"""Data rows written per sheet, below Excel's limit of 1,048,576 rows in all."""

MAX_CELL_CHARS = 32_767
"""Excel's limit on the characters of one cell."""

WIDTH_SAMPLE_ROWS = 500
"""Rows measured per sheet to size its columns."""

VERDICT_COLORS = {
    "pass": ("#C6EFCE", "#006100"),
    "fail": ("#FFC7CE", "#9C0006"),
    "incomplete": ("#FFEB9C", "#9C5700"),
}
"""Fill and font colours of each verdict (Excel's good, bad and neutral styles)."""

FAIL_FILL = "#F4A6A6"
"""Fill of a value that misses its threshold or limit."""

ROW_FILL = "#FDE9E7"
"""Fill of a whole non-compliant school row."""

HEADER_FILL = "#DDEBF7"

CV_FORMAT = "0.000"
THEIL_FORMAT = "0.0000"
MONEY_FORMAT = "#,##0"
COUNT_FORMAT = "#,##0"
RATIO_FORMAT = "0.00"

INDICATOR_STATUS = {
    "confirmed": {"zh": "已核实", "en": "confirmed"},
    "secondary": {"zh": "间接来源", "en": "secondary source"},
    "unconfirmed": {"zh": "未核实", "en": "unconfirmed"},
}


def _display_width(value: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in value)


class _Formats:
    """Cached xlsxwriter formats keyed by number format, fill and font."""

    def __init__(self, book: Any) -> None:
        self._book = book
        self._cache: dict[tuple[Any, ...], Any] = {}

    def get(
        self,
        num: str | None = None,
        fill: str | None = None,
        color: str | None = None,
        bold: bool = False,
    ) -> Any:
        key = (num, fill, color, bold)
        if key not in self._cache:
            props: dict[str, Any] = {"valign": "top"}
            if num:
                props["num_format"] = num
            if fill:
                props["bg_color"] = fill
                props["pattern"] = 1
            if color:
                props["font_color"] = color
            if bold:
                props["bold"] = True
            self._cache[key] = self._book.add_format(props)
        return self._cache[key]

    def header(self) -> Any:
        key = ("header",)
        if key not in self._cache:
            self._cache[key] = self._book.add_format(
                {
                    "bold": True,
                    "bg_color": HEADER_FILL,
                    "pattern": 1,
                    "bottom": 1,
                    "text_wrap": True,
                    "valign": "top",
                }
            )
        return self._cache[key]

    def verdict(self, verdict: str | None) -> Any:
        fill, color = VERDICT_COLORS.get(verdict or "", (None, None))
        return self.get(fill=fill, color=color, bold=fill is not None)


@dataclass
class _Cell:
    value: Any
    format: Any = None


@dataclass
class _Sheet:
    """A worksheet written row by row, with its column widths measured."""

    book: Any
    formats: _Formats
    name: str
    lang: str
    ws: Any = None
    row: int = 0
    widths: dict[int, int] = field(default_factory=dict)
    measured: int = 0
    header_row: int | None = None
    columns: int = 0

    def __post_init__(self) -> None:
        self.ws = self.book.add_worksheet(self.name)

    def _measure(self, col: int, value: str) -> None:
        self.widths[col] = max(self.widths.get(col, 0), _display_width(value))

    def header(self, labels: Sequence[str], *, freeze: bool = True) -> int:
        """Write a header row, freeze the panes below it, return its row."""
        for col, label in enumerate(labels):
            self.ws.write_string(self.row, col, label, self.formats.header())
            self._measure(col, label)
        if freeze:
            self.ws.freeze_panes(self.row + 1, 0)
        self.header_row = self.row
        self.columns = len(labels)
        self.row += 1
        return self.row - 1

    def autofilter(self) -> None:
        """Add an autofilter over the last header and the rows written below it."""
        if self.header_row is None:
            raise ValueError(f"sheet {self.name!r} has no header row to filter")
        last_row = max(self.row - 1, self.header_row)
        self.ws.autofilter(self.header_row, 0, last_row, self.columns - 1)

    def write(self, cells: Sequence[_Cell | Any], *, measure: bool = True) -> None:
        """Write one row; ``None`` values leave blank cells (filled if formatted).

        ``measure=False`` keeps the row out of the column widths.
        """
        measure = measure and self.measured < WIDTH_SAMPLE_ROWS
        for col, item in enumerate(cells):
            cell = item if isinstance(item, _Cell) else _Cell(item)
            value = cell.value
            if isinstance(value, bool):
                value = yes_no(value, self.lang)
            if isinstance(value, str):
                shown = value[:MAX_CELL_CHARS]
                self.ws.write_string(self.row, col, shown, cell.format)
                if measure:
                    self._measure(col, shown[:200])
                continue
            found = number(value)
            if found is None:
                if cell.format is not None:
                    self.ws.write_blank(self.row, col, None, cell.format)
                continue
            self.ws.write_number(self.row, col, found, cell.format)
            if measure:
                self._measure(col, f"{found:,.3f}")
        if measure:
            self.measured += 1
        self.row += 1

    def skip(self, rows: int = 1) -> None:
        self.row += rows

    def finish(self, max_width: int = 60) -> None:
        for col, width in self.widths.items():
            self.ws.set_column(col, col, min(max(width + 2, 6), max_width))


def _num_format(unit: str | None) -> str:
    return MONEY_FORMAT if is_money(unit) else RATIO_FORMAT


LEVEL_ORDER = {"nation": 0, "province": 1, "city": 2}
INDICATOR_FIRST_ROW = 1
"""Row of the first indicator id on the indicators sheet; charts use the ids."""


@dataclass
class _Book:
    """The workbook being written and what every sheet writer needs."""

    workbook: Any
    formats: _Formats
    doc: Document
    lang: str
    counties: list[Mapping[str, Any]] = field(default_factory=list)
    """The document's county-years by year and natural division code."""

    def sheet(self, key: str) -> _Sheet:
        return _Sheet(
            self.workbook, self.formats, sheet_name(key, self.lang), self.lang
        )

    def bold(self) -> Any:
        return self.formats.get(bold=True)


def _row_totals(doc: Document) -> dict[str, int]:
    counties = doc["counties"]
    return {
        "overview": len(counties),
        "counties": sum(len(c.get("sections", {})) for c in counties),
        "schools": len(doc.get("schools", [])),
        "excluded": len(doc.get("excluded_schools", [])),
        "warnings": len(doc.get("warnings", [])),
        "reasons": sum(len(c.get("reasons", [])) for c in counties),
        "county_items": sum(len(c.get("county_items", [])) for c in counties),
    }


def _truncation_notes(doc: Document, lang: str) -> list[str]:
    notes = []
    for key, total in _row_totals(doc).items():
        if total > MAX_SHEET_ROWS:
            notes.append(
                text(
                    "rows_truncated",
                    lang,
                    sheet=sheet_name(key, lang),
                    shown=f"{MAX_SHEET_ROWS:,}",
                    total=f"{total:,}",
                )
            )
    return notes


def _rule_texts(doc: Document, lang: str) -> list[tuple[str, str]]:
    fw = doc["framework"]
    limits = "; ".join(
        f"{section_label(s, lang)} {limit}" for s, limit in fw["cv_limit"].items()
    )
    rule = "balance_composite" if fw["balance_rule"] == "composite" else "balance_every"
    found = [("balance_rule", f"{text(rule, lang)} ({limits})")]
    school_rule = fw.get("school_rule")
    if school_rule:
        found.append(
            (
                "school_rule",
                text(
                    "school_rule_text",
                    lang,
                    min_met=school_rule["min_met"],
                    floor_pct=school_rule["floor_ratio"] * 100,
                ),
            )
        )
    return found


def _first_county_rows(counties: list[Mapping[str, Any]]) -> list[tuple[int, str]]:
    """Return (row on the county results sheet, section) of the first county."""
    if not counties:
        return []
    sections = [section_id for section_id, _ in county_sections(counties[0])]
    return [(1 + n, s) for n, s in enumerate(sections)]


def _verdict_chart(book: _Book, sheet: _Sheet, first_row: int) -> Any:
    chart = book.workbook.add_chart({"type": "column"})
    chart.add_series(
        {
            "name": text("verdict_counts", book.lang),
            "categories": [sheet.name, first_row, 0, first_row + 2, 0],
            "values": [sheet.name, first_row, 1, first_row + 2, 1],
            "points": [{"fill": {"color": VERDICT_COLORS[v][1]}} for v in VERDICTS],
            "data_labels": {"value": True},
        }
    )
    chart.set_title({"name": text("verdict_counts", book.lang)})
    chart.set_legend({"none": True})
    chart.set_size({"width": 420, "height": 240})
    return chart


def _cv_chart(book: _Book) -> Any | None:
    """Return a chart of the first county's CVs per section against the limit."""
    rows = _first_county_rows(book.counties)
    if not rows:
        return None

    lang = book.lang
    county = book.counties[0]
    ids = indicator_ids(book.doc)
    fixed = len(_COUNTY_FIXED)
    cv_col = fixed + len(ids)
    limit_col = fixed + 2 * len(ids)
    counties_sheet = sheet_name("counties", lang)
    categories = [
        sheet_name("indicators", lang),
        INDICATOR_FIRST_ROW,
        0,
        INDICATOR_FIRST_ROW + len(ids) - 1,
        0,
    ]

    columns = book.workbook.add_chart({"type": "column"})
    lines = book.workbook.add_chart({"type": "line"})
    has_limit = False
    for row, section in rows:
        label = section_label(section, lang)
        columns.add_series(
            {
                "name": f"{label} {text('cv', lang)}",
                "categories": categories,
                "values": [counties_sheet, row, cv_col, row, cv_col + len(ids) - 1],
            }
        )
        if county["sections"][section].get("balance_rule") == "composite":
            continue
        has_limit = True
        lines.add_series(
            {
                "name": f"{label} {text('limit', lang)}",
                "categories": categories,
                "values": [
                    counties_sheet,
                    row,
                    limit_col,
                    row,
                    limit_col + len(ids) - 1,
                ],
                "line": {"color": "#C00000", "dash_type": "dash", "width": 1.5},
                "marker": {"type": "none"},
            }
        )
    if has_limit:
        columns.combine(lines)

    columns.set_title(
        {
            "name": text(
                "cv_chart_title", lang, name=county_name(county), year=county["year"]
            )
        }
    )
    columns.set_y_axis({"name": text("cv", lang), "num_format": "0.00"})
    columns.set_size({"width": 560, "height": 240})
    return columns


def _write_overview(book: _Book) -> None:
    doc, lang = book.doc, book.lang
    sheet = book.sheet("overview")
    title = book.workbook.add_format({"bold": True, "font_size": 14})
    sheet.ws.write_string(0, 0, text("title", lang), title)
    sheet.skip(2)
    fw = doc["framework"]
    info = [
        ("framework", framework_title(doc)),
        *(
            [("framework_based_on", origin)]
            if (origin := framework_origin(doc))
            else []
        ),
        ("framework_source", fw.get("source") or ""),
        ("sources", "; ".join(doc.get("sources") or [])),
        ("generated_at", doc.get("generated_at") or ""),
        ("generator", doc.get("generator") or ""),
        *_rule_texts(doc, lang),
    ]
    for key, value in info:
        sheet.write([_Cell(text(key, lang), book.bold()), value], measure=False)
    warnings = len(doc.get("warnings", []))
    counted = [text("import_warnings_note", lang, n=warnings)] if warnings else []
    for note in [*doc.get("notes", []), *counted, *_truncation_notes(doc, lang)]:
        sheet.write([_Cell(text("notes", lang), book.bold()), str(note)], measure=False)
    sheet.skip()

    counts_row = sheet.row
    sheet.write(
        [
            _Cell(text("verdict", lang), book.formats.header()),
            _Cell(text("county_years", lang), book.formats.header()),
        ],
        measure=False,
    )
    summary = doc["summary"]
    for verdict in VERDICTS:
        sheet.write(
            [
                _Cell(verdict_label(verdict, lang), book.formats.verdict(verdict)),
                summary.get(verdict, 0),
            ],
            measure=False,
        )
    total = sum(int(number(summary.get(v)) or 0) for v in VERDICTS)
    sheet.write([_Cell(text("total", lang), book.bold()), total], measure=False)
    sheet.ws.insert_chart(counts_row, 3, _verdict_chart(book, sheet, counts_row + 1))
    cv_chart = _cv_chart(book)
    if cv_chart is not None:
        sheet.ws.insert_chart(counts_row, 3, cv_chart, {"x_offset": 440})
    sheet.row = max(sheet.row + 1, counts_row + 14)

    sheet.header(
        [
            text(key, lang)
            for key in (
                "year",
                "division_code",
                "division_name",
                "city_name",
                "province_name",
                "verdict",
                "students",
                "schools",
                "noncompliant_schools",
                "reason_count",
                "reasons",
            )
        ],
        # The table starts below the summary and the charts, so freezing its
        # header would keep more than 20 rows on screen.
        freeze=False,
    )
    separator = " ｜ " if lang == "zh" else " | "
    count = book.formats.get(COUNT_FORMAT)
    for county in book.counties[:MAX_SHEET_ROWS]:
        reasons = county.get("reasons", [])
        sheet.write(
            [
                county["year"],
                county["division_code"],
                county.get("division_name"),
                county.get("city_name"),
                county.get("province_name"),
                _Cell(
                    verdict_label(county["verdict"], lang),
                    book.formats.verdict(county["verdict"]),
                ),
                _Cell(county.get("students"), count),
                _Cell(county.get("schools"), count),
                _Cell(noncompliant_count(county), count),
                len(reasons),
                separator.join(r["message"] for r in reasons),
            ]
        )
    sheet.finish(max_width=40)
    sheet.ws.set_column(10, 10, 100)


_COUNTY_FIXED = (
    "year",
    "division_code",
    "division_name",
    "city_name",
    "province_name",
    "section",
    "status",
    "schools",
    "students",
    "cv_limit",
    "composite_cv",
    "noncompliant_schools",
)
_COUNTY_BLOCKS = ("mean", "cv", "limit", "passed", "schools_below_threshold")


def _section_cells(
    book: _Book,
    county: Mapping[str, Any],
    section_id: str,
    section: Mapping[str, Any],
) -> list[Any]:
    """Return the cells of one county-year-section row of the results sheet."""
    formats, lang = book.formats, book.lang
    ids = indicator_ids(book.doc)
    units = {i["id"]: i.get("unit") for i in book.doc["framework"]["indicators"]}
    cv = formats.get(CV_FORMAT)
    cv_fail = formats.get(CV_FORMAT, FAIL_FILL)
    count = formats.get(COUNT_FORMAT)
    fail = formats.get(fill=FAIL_FILL)
    indicators = section.get("indicators", {})
    entries = [indicators.get(i, {}) for i in ids]
    composite_over = (
        section.get("balance_rule") == "composite"
        and section.get("balance_status") == "fail"
    )

    fixed = [
        county["year"],
        county["division_code"],
        county.get("division_name"),
        county.get("city_name"),
        county.get("province_name"),
        section_label(section_id, lang),
        _Cell(
            verdict_label(section.get("status", ""), lang),
            formats.verdict(section.get("status")),
        ),
        _Cell(section.get("schools"), count),
        _Cell(section.get("students"), count),
        _Cell(section.get("cv_limit"), cv),
        _Cell(section.get("composite_cv"), cv_fail if composite_over else cv),
        _Cell(section.get("noncompliant_schools"), count),
    ]
    means = [
        _Cell(e.get("mean"), formats.get(_num_format(units.get(i))))
        for i, e in zip(ids, entries, strict=True)
    ]
    cvs = [
        _Cell(e.get("cv"), cv_fail if e.get("passed") is False else cv) for e in entries
    ]
    limits = [_Cell(e.get("limit"), cv) for e in entries]
    passed = [
        _Cell(e.get("passed"), fail if e.get("passed") is False else None)
        for e in entries
    ]
    below = [_Cell(e.get("schools_below_threshold"), count) for e in entries]
    # The order of the blocks must match _COUNTY_BLOCKS and the header.
    return fixed + means + cvs + limits + passed + below


def _write_county_results(book: _Book) -> None:
    sheet = book.sheet("counties")
    ids = indicator_ids(book.doc)
    sheet.header(
        [text(key, book.lang) for key in _COUNTY_FIXED]
        + [f"{i} {text(block, book.lang)}" for block in _COUNTY_BLOCKS for i in ids]
    )
    rows = (
        (county, section_id, section)
        for county in book.counties
        for section_id, section in county_sections(county)
    )
    for county, section_id, section in islice(rows, MAX_SHEET_ROWS):
        sheet.write(_section_cells(book, county, section_id, section))
    sheet.autofilter()
    sheet.finish(max_width=24)


def _write_indicators(book: _Book) -> None:
    doc, lang, formats = book.doc, book.lang, book.formats
    sheet = book.sheet("indicators")
    fw = doc["framework"]
    sections = section_ids(doc)
    sheet.header(
        [text(k, lang) for k in ("indicator", "indicator_name", "unit", "data_status")]
        + [f"{section_label(s, lang)} {text('threshold', lang)}" for s in sections]
        + [f"{section_label(s, lang)} {text('cv_limit', lang)}" for s in sections]
    )
    cv = formats.get(CV_FORMAT)
    for ind in fw["indicators"]:
        thresholds = ind.get("threshold") or {}
        status = ind.get("status", "")
        sheet.write(
            [
                ind["id"],
                ind["name"],
                ind.get("unit"),
                INDICATOR_STATUS.get(status, {}).get(lang, status),
                *(
                    _Cell(thresholds.get(s), formats.get(_num_format(ind.get("unit"))))
                    for s in sections
                ),
                *(_Cell(fw["cv_limit"].get(s), cv) for s in sections),
            ]
        )
    sheet.skip()
    for key, value in _rule_texts(doc, lang):
        sheet.write([_Cell(text(key, lang), book.bold()), value], measure=False)
    sheet.finish()


def _write_schools(book: _Book) -> None:
    doc, lang, formats = book.doc, book.lang, book.formats
    sheet = book.sheet("schools")
    ids = indicator_ids(doc)
    units = {i["id"]: i.get("unit") for i in doc["framework"]["indicators"]}
    sheet.header(
        [
            text(key, lang)
            for key in (
                "year",
                "division_code",
                "school_code",
                "school_name",
                "school_type",
                "ownership",
                "section",
                "students",
            )
        ]
        + [f"{i}（{units[i]}）" if lang == "zh" else f"{i} ({units[i]})" for i in ids]
        + [text("met_count", lang), text("compliant", lang)]
    )
    value_formats = [_num_format(units[i]) for i in ids]
    for school in doc.get("schools", [])[:MAX_SHEET_ROWS]:
        row_fill = ROW_FILL if school.get("compliant") is False else None
        plain = formats.get(fill=row_fill)
        count = formats.get(COUNT_FORMAT, row_fill)
        indicators = school.get("indicators", {})
        values = []
        for ind_id, num in zip(ids, value_formats, strict=True):
            entry = indicators.get(ind_id, {})
            fill = FAIL_FILL if entry.get("met") is False else row_fill
            values.append(_Cell(entry.get("value"), formats.get(num, fill)))
        compliant = school.get("compliant")
        sheet.write(
            [
                _Cell(school["year"], plain),
                _Cell(school["division_code"], plain),
                _Cell(school["school_code"], plain),
                _Cell(school.get("school_name"), plain),
                _Cell(choice_name(school.get("school_type"), lang), plain),
                _Cell(choice_name(school.get("ownership"), lang), plain),
                _Cell(section_label(school["section"], lang), plain),
                _Cell(school.get("students"), count),
                *values,
                _Cell(school.get("met_count"), count),
                _Cell(
                    compliant,
                    formats.get(fill=FAIL_FILL, bold=True)
                    if compliant is False
                    else plain,
                ),
            ]
        )
    sheet.autofilter()
    sheet.finish(max_width=30)


_EXCLUDED_COLUMNS = (
    "year",
    "division_code",
    "division_name",
    "school_code",
    "school_name",
    "school_type",
    "ownership",
    "primary_students",
    "exclusion_reason",
)


def _write_excluded(book: _Book) -> None:
    doc, lang = book.doc, book.lang
    sheet = book.sheet("excluded")
    sheet.header([text(key, lang) for key in _EXCLUDED_COLUMNS])
    count = book.formats.get(COUNT_FORMAT)
    for school in doc.get("excluded_schools", [])[:MAX_SHEET_ROWS]:
        sheet.write(
            [
                school["year"],
                school["division_code"],
                school.get("division_name"),
                school["school_code"],
                school.get("school_name"),
                choice_name(school.get("school_type"), lang),
                choice_name(school.get("ownership"), lang),
                _Cell(school.get("primary_students"), count),
                exclusion_reason_text(doc, school.get("reason"), lang),
            ]
        )
    sheet.autofilter()
    sheet.finish(max_width=40)


def _write_warnings(book: _Book) -> None:
    sheet = book.sheet("warnings")
    sheet.header(warning_headers(book.lang))
    for warning in book.doc.get("warnings", [])[:MAX_SHEET_ROWS]:
        # Values are cell text, written as strings so codes keep leading zeros.
        sheet.write(
            [
                warning.get(key) if key == "row" else _text_or_none(warning.get(key))
                for key in WARNING_COLUMNS
            ]
        )
    sheet.autofilter()
    sheet.finish(max_width=60)


def _text_or_none(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _write_reasons(book: _Book) -> None:
    lang = book.lang
    sheet = book.sheet("reasons")
    sheet.header(
        [
            text(key, lang)
            for key in (
                "year",
                "division_code",
                "division_name",
                "part",
                "reason_code",
                "section",
                "message",
            )
        ]
    )
    rows = (
        (county, reason)
        for county in book.counties
        for reason in county.get("reasons", [])
    )
    for county, reason in islice(rows, MAX_SHEET_ROWS):
        section = reason.get("section")
        sheet.write(
            [
                county["year"],
                county["division_code"],
                county.get("division_name"),
                part_label(reason.get("part", ""), lang),
                reason["code"],
                section_label(section, lang) if section else None,
                reason["message"],
            ]
        )
    sheet.autofilter()
    sheet.finish(max_width=24)
    sheet.ws.set_column(6, 6, 110)


def _write_county_items(book: _Book) -> None:
    lang, formats = book.lang, book.formats
    sheet = book.sheet("county_items")
    names = county_item_names(book.doc, lang)
    sheet.header(
        [
            text(key, lang)
            for key in (
                "year",
                "division_code",
                "division_name",
                "part",
                "item",
                "item_name",
                "requirement",
                "value",
                "passed",
                "evidence",
            )
        ]
    )
    fail = formats.get(fill=FAIL_FILL)
    missing = formats.get(fill=VERDICT_COLORS["incomplete"][0])
    written = 0
    for county in book.counties:
        for item in ordered_county_items(county):
            if written >= MAX_SHEET_ROWS:
                break
            written += 1
            passed = item.get("passed")
            value = item.get("value")
            sheet.write(
                [
                    county["year"],
                    county["division_code"],
                    county.get("division_name"),
                    part_label(item["part"], lang),
                    item["item"],
                    names.check_name(item["item"], item["key"]),
                    requirement_text(item, lang),
                    value,
                    _Cell(
                        passed,
                        fail
                        if passed is False
                        else missing
                        if passed is None
                        else None,
                    ),
                    item.get("evidence"),
                ]
            )
    sheet.autofilter()
    sheet.finish(max_width=40)


_VERDICT_ROLLUP = ("level", "region_code", "region_name", "year", "counties")
_INDICATOR_ROLLUP = (
    ("counties", COUNT_FORMAT),
    ("students", COUNT_FORMAT),
    ("mean", RATIO_FORMAT),
    ("counties_over_limit", COUNT_FORMAT),
    ("schools_below_threshold", COUNT_FORMAT),
    ("cv_min", CV_FORMAT),
    ("cv_p25", CV_FORMAT),
    ("cv_median", CV_FORMAT),
    ("cv_p75", CV_FORMAT),
    ("cv_max", CV_FORMAT),
    ("between_county_cv", CV_FORMAT),
    ("theil", THEIL_FORMAT),
    ("theil_between", THEIL_FORMAT),
    ("theil_within", THEIL_FORMAT),
)


def _rollup_order(row: Mapping[str, Any]) -> tuple[Any, ...]:
    return (
        LEVEL_ORDER.get(row["level"], 9),
        row["year"],
        natural_key(row["region_code"]),
    )


def _indicator_rollup_order(row: Mapping[str, Any]) -> tuple[Any, ...]:
    return (
        *_rollup_order(row),
        section_key(row["section"]),
        natural_key(row["indicator"]),
    )


def _region_cells(row: Mapping[str, Any], lang: str) -> list[Any]:
    return [
        level_label(row["level"], lang),
        region_code_text(row, lang),
        row.get("region_name"),
        row["year"],
    ]


def _write_verdict_rollups(book: _Book) -> None:
    doc, lang, formats = book.doc, book.lang, book.formats
    sheet = book.sheet("rollup_verdicts")
    count = formats.get(COUNT_FORMAT)
    verdict_rows = sorted(doc["rollups"].get("verdicts", []), key=_rollup_order)
    first = (
        sheet.header(
            [text(k, lang) for k in _VERDICT_ROLLUP]
            + [verdict_label(v, lang) for v in VERDICTS]
            + [text("students", lang)]
        )
        + 1
    )
    for row in verdict_rows:
        sheet.write(
            [
                *_region_cells(row, lang),
                _Cell(row["counties"], count),
                *(_Cell(row.get(v), formats.verdict(v)) for v in VERDICTS),
                _Cell(row.get("students"), count),
            ]
        )
    sheet.autofilter()
    chart = _rollup_chart(book, sheet, verdict_rows, first)
    if chart is not None:
        sheet.ws.insert_chart(1, len(_VERDICT_ROLLUP) + len(VERDICTS) + 2, chart)
    sheet.finish(max_width=24)


def _write_indicator_rollups(book: _Book) -> None:
    doc, lang, formats = book.doc, book.lang, book.formats
    sheet = book.sheet("rollup_indicators")
    units = {i["id"]: i.get("unit") for i in doc["framework"]["indicators"]}
    sheet.header(
        [text(k, lang) for k in ("level", "region_code", "region_name", "year")]
        + [text("section", lang), text("indicator", lang)]
        + [text(key, lang) for key, _ in _INDICATOR_ROLLUP]
    )
    rows = sorted(doc["rollups"].get("indicators", []), key=_indicator_rollup_order)
    for row in rows:
        cells = []
        for key, num in _INDICATOR_ROLLUP:
            if key == "mean":
                num = _num_format(units.get(row["indicator"]))
            cells.append(_Cell(row.get(key), formats.get(num)))
        sheet.write(
            [
                *_region_cells(row, lang),
                section_label(row["section"], lang),
                row["indicator"],
                *cells,
            ]
        )
    sheet.autofilter()
    sheet.finish(max_width=24)


def _rollup_chart(
    book: _Book, sheet: _Sheet, rows: list[Mapping[str, Any]], first: int
) -> Any | None:
    """Return a stacked chart of verdicts per province in the latest year.

    Falls back to the national rows (one bar per year) without province codes.
    """
    if not rows:
        return None
    provinces = [n for n, r in enumerate(rows) if r["level"] == "province"]
    if provinces:
        latest = max(rows[n]["year"] for n in provinces)
        chosen = [n for n in provinces if rows[n]["year"] == latest]
        category_col = 2
    else:
        chosen = [n for n, r in enumerate(rows) if r["level"] == "nation"]
        category_col = 3
    if not chosen:
        return None
    # Rows are sorted by level, year and region, so the chosen rows are adjacent.
    top, bottom = first + chosen[0], first + chosen[-1]
    chart = book.workbook.add_chart({"type": "column", "subtype": "stacked"})
    for offset, verdict in enumerate(VERDICTS):
        col = len(_VERDICT_ROLLUP) + offset
        chart.add_series(
            {
                "name": [sheet.name, first - 1, col],
                "categories": [sheet.name, top, category_col, bottom, category_col],
                "values": [sheet.name, top, col, bottom, col],
                "fill": {"color": VERDICT_COLORS[verdict][1]},
            }
        )
    chart.set_title({"name": text("verdict_counts", book.lang)})
    chart.set_size({"width": 640, "height": 300})
    return chart


def write_workbook(doc: Document, path: str | Path, lang: str | None = None) -> Path:
    """Write ``doc`` to ``path`` as an Excel workbook and return the path.

    ``lang`` sets sheet names and headers and defaults to the document's
    language. Sheets with more than 1,000,000 data rows keep the first
    1,000,000, and the overview sheet lists which sheets were cut.
    """
    target = Path(path)
    chosen = resolve_lang(doc, lang)
    workbook = xlsxwriter.Workbook(str(target), {"constant_memory": True})
    book = _Book(workbook, _Formats(workbook), doc, chosen, ordered_counties(doc))
    try:
        _write_overview(book)
        _write_county_results(book)
        _write_indicators(book)
        _write_schools(book)
        _write_excluded(book)
        _write_reasons(book)
        _write_county_items(book)
        _write_verdict_rollups(book)
        _write_indicator_rollups(book)
        _write_warnings(book)
    finally:
        workbook.close()
    log.info("wrote Excel report %s", target)
    return target
