"""A short evaluation summary for the terminal, rendered with rich.

One county gets every number: its sections and indicators, its county items and
all reasons. Many counties get the verdict counts, the latest year's roll-up by
province and the first ``max_counties`` county-years with at most 8 reasons each,
so a national run of tens of thousands of county-years still prints in a moment.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console, RenderableType
from rich.text import Text

from junheng.reports.common import (
    VERDICTS,
    CountyItemNames,
    Document,
    county_item_names,
    county_sections,
    format_cv,
    format_value,
    framework_origin,
    framework_title,
    item_value_text,
    natural_key,
    noncompliant_count,
    ordered_counties,
    ordered_county_items,
    requirement_text,
    resolve_lang,
    rollup_rows,
    section_ids,
    worst_cv,
)
from junheng.reports.labels import (
    part_label,
    section_label,
    text,
    verdict_label,
    yes_no,
)
from junheng.reports.table_fit import FitColumn, FittedTable

REASONS_PER_COUNTY = 8
"""Reasons listed per county when several counties are shown."""

WIDE_MIN_WIDTH = 100
"""Narrowest console that gets the school counts in the county table.

rich uses 80 columns when the output is piped or redirected.
"""

VERDICT_STYLES = {"pass": "bold green", "fail": "bold red", "incomplete": "bold yellow"}


def _verdict_text(verdict: str, lang: str) -> Text:
    return Text(verdict_label(verdict, lang), style=VERDICT_STYLES.get(verdict, ""))


def _passed_text(passed: Any, lang: str) -> Text:
    if passed is None:
        return Text("—", style="dim")
    return Text(yes_no(passed, lang), style="green" if passed else "bold red")


def _header(doc: Document, console: Console, lang: str) -> None:
    fw = doc["framework"]
    console.rule(Text(text("title", lang), style="bold"))
    lines = [
        ("framework", framework_title(doc)),
        ("framework_based_on", framework_origin(doc)),
        ("framework_source", fw.get("source")),
    ]
    lines.append(("sources", "; ".join(doc.get("sources") or [])))
    for key, value in lines:
        if value:
            label = text(key, lang) + text("colon", lang)
            console.print(Text.assemble((label, "bold"), str(value)))
    summary = doc["summary"]
    counts = Text.assemble((f"{text('county_years', lang)} ", "bold"))
    counts.append(str(summary["counties"]))
    for verdict in VERDICTS:
        counts.append("  ")
        counts.append(verdict_label(verdict, lang), VERDICT_STYLES[verdict])
        counts.append(f" {summary.get(verdict, 0)}")
    console.print(counts)
    for note in doc.get("notes", []):
        label = text("notes", lang) + text("colon", lang)
        console.print(Text(label + str(note), style="dim"))


def _province_table(doc: Document, lang: str) -> FittedTable | None:
    """Return verdict counts per province in the latest year, if any."""
    rows = list(rollup_rows(doc, "verdicts", "province"))
    if not rows:
        return None
    latest = max(r["year"] for r in rows)
    rows = sorted(
        (r for r in rows if r["year"] == latest),
        key=lambda r: natural_key(r["region_code"]),
    )
    title = f"{text('rollup_by_province', lang)} {latest}"
    table = FittedTable(
        [
            FitColumn(text("region_code", lang)),
            FitColumn(text("region_name", lang), folds=True),
            FitColumn(text("counties", lang), justify="right"),
            *(FitColumn(verdict_label(v, lang), justify="right") for v in VERDICTS),
        ],
        title=title,
    )
    for row in rows:
        table.add_row(
            str(row["region_code"]),
            str(row["region_name"] or ""),
            format_value(row["counties"]),
            *(Text(format_value(row[v]), VERDICT_STYLES[v]) for v in VERDICTS),
        )
    return table


def _worst_cv_text(section: Mapping[str, Any] | None, stacked: bool) -> Text:
    """Return ``L6 0.707/0.500``, on two lines when ``stacked``."""
    if section is None:
        return Text("")
    worst = worst_cv(section)
    label = f"{format_cv(worst.cv)}/{format_cv(worst.limit)}"
    if worst.indicator:
        separator = "\n" if stacked else " "
        label = f"{worst.indicator}{separator}{label}"
    return Text(label, style="bold red" if worst.over else "")


def _county_table(
    doc: Document,
    counties: list[Mapping[str, Any]],
    lang: str,
    *,
    wide: bool,
    stacked: bool = False,
) -> FittedTable:
    """Return the county-years as a table.

    The wide layout has every column. The narrow one leaves out the school
    counts, and the year when every row has the same year (the title then
    names it). ``stacked`` puts each worst CV on two lines.
    """
    sections = section_ids(doc)
    years = sorted({c["year"] for c in counties})
    with_year = wide or len(years) > 1
    columns = [
        FitColumn(text("division_code", lang)),
        FitColumn(text("division_name", lang), folds=True),
    ]
    if with_year:
        columns.append(FitColumn(text("year", lang)))
    columns.append(FitColumn(text("verdict", lang)))
    columns.append(FitColumn(text("students", lang), justify="right"))
    if wide:
        columns.append(FitColumn(text("schools", lang), justify="right"))
    columns.extend(
        FitColumn(f"{section_label(s, lang)} {text('worst_cv', lang)}")
        for s in sections
    )
    if wide:
        columns.append(FitColumn(text("noncompliant_schools", lang), justify="right"))
    title = None if with_year else f"{text('year', lang)} {years[0]}"
    table = FittedTable(columns, title=title)

    for county in counties:
        cells: list[Text | str] = [
            str(county["division_code"]),
            str(county.get("division_name") or ""),
        ]
        if with_year:
            cells.append(str(county["year"]))
        cells.append(_verdict_text(county["verdict"], lang))
        cells.append(format_value(county.get("students"), 0))
        if wide:
            cells.append(format_value(county.get("schools")))
        cells.extend(
            _worst_cv_text(county["sections"].get(s), stacked) for s in sections
        )
        if wide:
            noncompliant = noncompliant_count(county)
            cells.append(
                Text(
                    format_value(noncompliant),
                    style="bold red" if noncompliant else "",
                )
            )
        table.add_row(*cells)
    return table


def _fitted_county_table(
    doc: Document, counties: list[Mapping[str, Any]], lang: str, width: int
) -> RenderableType:
    """Return the widest county table layout that fits in ``width`` cells."""
    layouts = [(False, False)]
    if width >= WIDE_MIN_WIDTH:
        layouts.insert(0, (True, False))
    for wide, stacked in layouts:
        fitted = _county_table(doc, counties, lang, wide=wide, stacked=stacked)
        table = fitted.table(width)
        if table is not None:
            return table
    return _county_table(doc, counties, lang, wide=False, stacked=True).render(width)


BULLET = "  • "
BULLET_INDENT = " " * len(BULLET)


def _print_bullet(console: Console, message: str) -> None:
    """Print one list item with a hanging indent.

    A sentence without spaces (most Chinese reasons) folds at the console edge
    and continues under its first character, not on a line of its own.
    """
    width = max(console.width - len(BULLET), 10)
    lines = Text(message).wrap(console, width, overflow="fold")
    for index, line in enumerate(lines):
        line.rstrip()
        console.print(Text.assemble(BULLET if index == 0 else BULLET_INDENT, line))


def _reason_lines(
    console: Console, county: Mapping[str, Any], lang: str, limit: int | None
) -> None:
    reasons = county.get("reasons", [])
    heading = Text.assemble(
        (f"{county.get('division_name') or ''} {county['division_code']} ", "bold"),
        f"{county['year']} ",
        _verdict_text(county["verdict"], lang),
    )
    console.print(heading)
    if not reasons:
        console.print(Text(f"  {text('no_reasons', lang)}", style="dim"))
    shown = reasons if limit is None else reasons[:limit]
    for reason in shown:
        _print_bullet(console, reason["message"])
    if len(shown) < len(reasons):
        more = text("more_reasons", lang, n=len(reasons) - len(shown))
        console.print(Text(f"  {more}", style="dim"))


def _section_table(
    section_id: str, section: Mapping[str, Any], lang: str
) -> FittedTable:
    status = section.get("status", "")
    title = Text.assemble(
        (section_label(section_id, lang), "bold"),
        " ",
        _verdict_text(status, lang),
        f"  {text('schools', lang)} {format_value(section.get('schools'))}",
        f"  {text('students', lang)} {format_value(section.get('students'), 0)}",
        f"  {text('composite_cv', lang)} {format_cv(section.get('composite_cv'))}",
    )
    table = FittedTable(
        [
            FitColumn(text("indicator", lang)),
            FitColumn(text("indicator_name", lang), folds=True),
            FitColumn(text("threshold", lang), justify="right"),
            FitColumn(text("mean", lang), justify="right"),
            FitColumn(text("cv", lang), justify="right"),
            FitColumn(text("limit", lang), justify="right"),
            FitColumn(text("passed", lang), justify="center"),
            FitColumn(text("schools_below_threshold", lang), justify="right"),
        ],
        title=title,
    )
    for ind_id, entry in section.get("indicators", {}).items():
        below = entry.get("schools_below_threshold")
        name = entry["name_en"] if lang == "en" else entry["name"]
        table.add_row(
            ind_id,
            name,
            format_value(entry.get("threshold")),
            format_value(entry.get("mean")),
            Text(
                format_cv(entry.get("cv")),
                style="bold red" if entry.get("passed") is False else "",
            ),
            format_cv(entry.get("limit")),
            _passed_text(entry.get("passed"), lang),
            Text(format_value(below), style="red" if below else ""),
        )
    return table


def _items_table(
    county: Mapping[str, Any], names: CountyItemNames, lang: str
) -> FittedTable:
    table = FittedTable(
        [
            # 12 cells keep the longest Chinese part name, 政府保障程度, on one line.
            FitColumn(text("part", lang), folds=True, min_width=12),
            FitColumn(text("item", lang)),
            FitColumn(text("item_name", lang), folds=True),
            *(FitColumn(text(key, lang)) for key in ("requirement", "value", "passed")),
            FitColumn(text("evidence", lang), folds=True),
        ],
        title=text("county_items", lang),
    )
    for item in ordered_county_items(county):
        table.add_row(
            part_label(item["part"], lang),
            item["item"],
            names.check_name(item["item"], item["key"]),
            requirement_text(item, lang),
            item_value_text(item.get("value"), lang),
            _passed_text(item.get("passed"), lang),
            str(item.get("evidence") or ""),
        )
    return table


def _render_one(
    console: Console, doc: Document, county: Mapping[str, Any], lang: str
) -> None:
    width = console.width
    parts = Text(text("parts", lang) + text("colon", lang), style="bold")
    for part, status in county.get("parts", {}).items():
        parts.append(f"{part_label(part, lang)} ")
        parts.append(verdict_label(status, lang), VERDICT_STYLES.get(status, ""))
        parts.append("  ")
    console.print(parts)
    for section_id, section in county_sections(county):
        console.print(_section_table(section_id, section, lang).render(width))
    if county.get("county_items"):
        names = county_item_names(doc, lang)
        console.print(_items_table(county, names, lang).render(width))
    console.print(Text(text("reasons", lang), style="bold"))
    _reason_lines(console, county, lang, None)


def render_summary(
    doc: Document,
    console: Console,
    *,
    max_counties: int = 30,
    lang: str | None = None,
) -> None:
    """Print the evaluation summary of ``doc`` to ``console``.

    ``lang`` sets the labels and defaults to the document's language. Reason
    sentences are printed in the language the document was built in. Tables fit
    the console width: below 100 columns the county table leaves out the school
    counts, and no number, code or verdict is ever cut.
    """
    chosen = resolve_lang(doc, lang)
    counties = doc["counties"]
    # The document may list only the first county-years; the summary counts all.
    total = int(doc["summary"]["counties"])
    width = console.width
    _header(doc, console, chosen)
    if total > 1:
        provinces = _province_table(doc, chosen)
        if provinces is not None:
            console.print(provinces.render(width))
    shown = ordered_counties(doc)[: max(max_counties, 0)]
    if not shown:
        return
    console.print(_fitted_county_table(doc, shown, chosen, width))
    if total > len(shown):
        console.print(
            Text(
                text("shown_counties", chosen, shown=len(shown), total=total),
                style="dim",
            )
        )
    if total == 1:
        _render_one(console, doc, counties[0], chosen)
        return
    for county in shown:
        _reason_lines(console, county, chosen, REASONS_PER_COUNTY)
    if total > len(shown):
        more = text("more_counties", chosen, n=total - len(shown))
        console.print(Text(more, style="dim"))
