"""A short evaluation summary for the terminal, rendered with rich.

One county gets every number: its sections and indicators, its county items and
all reasons. Many counties get the verdict counts, the latest year's roll-up by
province and the first ``max_counties`` county-years with at most 8 reasons each,
so a national run of tens of thousands of county-years still prints in a moment.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from junheng.reports.common import (
    VERDICTS,
    Document,
    format_cv,
    format_value,
    item_value_text,
    noncompliant_count,
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

REASONS_PER_COUNTY = 8
"""Reasons listed per county when several counties are shown."""

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
    lines = [("framework", fw["name"]), ("framework_source", fw.get("source"))]
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


def _province_table(doc: Document, lang: str) -> Table | None:
    """Return verdict counts per province in the latest year, if any."""
    rows = list(rollup_rows(doc, "verdicts", "province"))
    if not rows:
        return None
    latest = max(r["year"] for r in rows)
    rows = sorted(
        (r for r in rows if r["year"] == latest), key=lambda r: str(r["region_code"])
    )
    title = f"{text('rollup_by_province', lang)} {latest}"
    table = Table(title=title, title_justify="left")
    table.add_column(text("region_code", lang), no_wrap=True)
    table.add_column(text("region_name", lang))
    table.add_column(text("counties", lang), justify="right")
    for verdict in VERDICTS:
        table.add_column(verdict_label(verdict, lang), justify="right")
    for row in rows:
        table.add_row(
            str(row["region_code"]),
            str(row["region_name"] or ""),
            format_value(row["counties"]),
            *(Text(format_value(row[v]), VERDICT_STYLES[v]) for v in VERDICTS),
        )
    return table


def _worst_cv_text(section: Mapping[str, Any] | None) -> Text:
    if section is None:
        return Text("")
    worst = worst_cv(section)
    label = f"{format_cv(worst.cv)}/{format_cv(worst.limit)}"
    if worst.indicator:
        label = f"{worst.indicator} {label}"
    return Text(label, style="bold red" if worst.over else "")


def _county_table(doc: Document, counties: list[Mapping[str, Any]], lang: str) -> Table:
    sections = section_ids(doc)
    table = Table(show_lines=False)
    table.add_column(text("division_code", lang), no_wrap=True)
    table.add_column(text("division_name", lang))
    table.add_column(text("year", lang), no_wrap=True)
    table.add_column(text("verdict", lang), no_wrap=True)
    table.add_column(text("students", lang), justify="right")
    table.add_column(text("schools", lang), justify="right")
    for section in sections:
        table.add_column(
            f"{section_label(section, lang)} {text('worst_cv', lang)}", no_wrap=True
        )
    table.add_column(text("noncompliant_schools", lang), justify="right")
    for county in counties:
        noncompliant = noncompliant_count(county)
        table.add_row(
            str(county["division_code"]),
            str(county.get("division_name") or ""),
            str(county["year"]),
            _verdict_text(county["verdict"], lang),
            format_value(county.get("students"), 0),
            format_value(county.get("schools")),
            *(_worst_cv_text(county["sections"].get(s)) for s in sections),
            Text(
                format_value(noncompliant),
                style="bold red" if noncompliant else "",
            ),
        )
    return table


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
        console.print(Text(f"  • {reason['message']}"), overflow="fold")
    if len(shown) < len(reasons):
        more = text("more_reasons", lang, n=len(reasons) - len(shown))
        console.print(Text(f"  {more}", style="dim"))


def _section_table(section_id: str, section: Mapping[str, Any], lang: str) -> Table:
    status = section.get("status", "")
    title = Text.assemble(
        (section_label(section_id, lang), "bold"),
        " ",
        _verdict_text(status, lang),
        f"  {text('schools', lang)} {format_value(section.get('schools'))}",
        f"  {text('students', lang)} {format_value(section.get('students'), 0)}",
        f"  {text('composite_cv', lang)} {format_cv(section.get('composite_cv'))}",
    )

    table = Table(title=title, title_justify="left")
    table.add_column(text("indicator", lang), no_wrap=True)
    table.add_column(text("indicator_name", lang))
    table.add_column(text("threshold", lang), justify="right")
    table.add_column(text("mean", lang), justify="right")
    table.add_column(text("cv", lang), justify="right")
    table.add_column(text("limit", lang), justify="right")
    table.add_column(text("passed", lang), justify="center")
    table.add_column(text("schools_below_threshold", lang), justify="right")

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


def _items_table(county: Mapping[str, Any], lang: str) -> Table:
    table = Table(title=text("county_items", lang), title_justify="left")
    for key in ("part", "item", "key", "requirement", "value", "passed", "evidence"):
        table.add_column(text(key, lang))
    for item in county.get("county_items", []):
        table.add_row(
            part_label(item["part"], lang),
            item["item"],
            item["key"],
            requirement_text(item, lang),
            item_value_text(item.get("value"), lang),
            _passed_text(item.get("passed"), lang),
            str(item.get("evidence") or ""),
        )
    return table


def _render_one(console: Console, county: Mapping[str, Any], lang: str) -> None:
    parts = Text(text("parts", lang) + text("colon", lang), style="bold")
    for part, status in county.get("parts", {}).items():
        parts.append(f"{part_label(part, lang)} ")
        parts.append(verdict_label(status, lang), VERDICT_STYLES.get(status, ""))
        parts.append("  ")
    console.print(parts)
    for section_id, section in county.get("sections", {}).items():
        console.print(_section_table(section_id, section, lang))
    if county.get("county_items"):
        console.print(_items_table(county, lang))
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
    sentences are printed in the language the document was built in.
    """
    chosen = resolve_lang(doc, lang)
    counties = doc["counties"]
    # The document may list only the first county-years; the summary counts all.
    total = int(doc["summary"]["counties"])
    _header(doc, console, chosen)
    if total > 1:
        provinces = _province_table(doc, chosen)
        if provinces is not None:
            console.print(provinces)
    shown = counties[: max(max_counties, 0)]
    if not shown:
        return
    console.print(_county_table(doc, shown, chosen))
    if total > len(shown):
        console.print(
            Text(
                text("shown_counties", chosen, shown=len(shown), total=total),
                style="dim",
            )
        )
    if total == 1:
        _render_one(console, counties[0], chosen)
        return
    for county in shown:
        _reason_lines(console, county, chosen, REASONS_PER_COUNTY)
    if total > len(shown):
        more = text("more_counties", chosen, n=total - len(shown))
        console.print(Text(more, style="dim"))
