"""A self-contained HTML report for inspectors, rendered with Jinja2.

The page needs nothing from the network: the CSS is inline and the charts are
inline SVG drawn with matplotlib. Chart text stays text (``svg.fonttype =
"none"``), so the browser draws Chinese with its own fonts; matplotlib only
needs a CJK font to measure the layout.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import matplotlib as mpl
from jinja2 import Environment, PackageLoader
from markupsafe import Markup
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from junheng.ingest.schema import choice_name
from junheng.reports import common
from junheng.reports.common import Document
from junheng.reports.labels import (
    level_label,
    part_label,
    section_label,
    text,
    verdict_label,
    yes_no,
)

log = logging.getLogger(__name__)

MAX_HTML_COUNTIES = 200
"""County-years detailed in one HTML report. A note counts the rest."""

MAX_HTML_ROWS = 200
"""Rows of the excluded-schools and import-warnings tables shown in the HTML
report; a note counts the rest, which the Excel and JSON reports list."""

CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "WenQuanYi Zen Hei",
    "SimHei",
    "DejaVu Sans",
)
"""Fonts matplotlib may use to measure chart text, in order of preference."""

BAR_COLOR = "#4472C4"
FAIL_COLOR = "#C00000"
LIMIT_COLOR = "#C00000"
SVG_METADATA: dict[str, str | None] = {
    "Date": None,
    "Creator": None,
    "Format": None,
    "Type": None,
}
"""Metadata left out of each SVG, which keeps the page reproducible and small."""


def _installed_fonts() -> list[str]:
    installed = {f.name for f in font_manager.fontManager.ttflist}
    found = [name for name in CJK_FONTS if name in installed]
    return found or ["DejaVu Sans"]


def _chart_style(salt: str) -> AbstractContextManager[None]:
    # A salt per chart keeps the ids of clip paths and markers unique when many
    # SVGs share one page.
    return mpl.rc_context(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": salt,
            "font.family": ["sans-serif"],
            "font.sans-serif": _installed_fonts(),
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )


_LONG_DECIMAL = re.compile(r"(\d+\.\d\d)\d+")
_GROUP_ID = re.compile(r'<g id="[\w.]+_\d+">')


def _compact_svg(svg: str) -> str:
    """Shorten matplotlib's SVG for inlining.

    Coordinates keep 2 decimals (1/100 pt). No-op rotations, font families and
    whitespace between tags go. Every figure repeats the numbered group ids
    (``patch_1``, ``axes_1`` …), so they are dropped to keep ids unique on the
    page. Clip paths and markers keep their salted ids.
    """
    svg = re.sub(
        r' d="[^"]*"',
        lambda m: re.sub(r"\s+", " ", _LONG_DECIMAL.sub(r"\1", m.group(0))),
        svg,
    )
    svg = re.sub(r' (x|y)="(\d+\.\d\d)\d*"', r' \1="\2"', svg)
    svg = _GROUP_ID.sub("<g>", svg)
    svg = re.sub(r' transform="rotate\(-?0 [^"]*\)"', "", svg)
    # The page's stylesheet sets the font of chart text (see the template).
    svg = re.sub(r"font-family: [^;\"]*;? ?", "", svg)
    return re.sub(r">\s+<", "><", svg)


def _to_svg(figure: Figure, label: str) -> Markup:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata=SVG_METADATA)
    svg = buffer.getvalue()
    svg = _compact_svg(svg[svg.index("<svg") :])
    # The page scales the chart down to fit. The viewBox keeps its proportions,
    # and max-width stops it growing past its drawn size.
    head, rest = svg.split(">", 1)
    head = re.sub(r' (width|height)="[^"]*"', "", head)
    width_px = round(figure.get_figwidth() * 96)
    attributes = (
        f' class="chart" role="img" aria-label="{Markup.escape(label)}"'
        f' style="max-width: {width_px}px"'
    )
    return Markup(head + attributes + ">" + rest)


def _draw_quietly(draw: Callable[..., Markup | None], *args: Any) -> Markup | None:
    # Without a CJK font matplotlib warns about each missing glyph. The text is
    # still written as text, and the browser draws it with its own fonts.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        return draw(*args)


def _county_chart(doc: Document, county: Mapping[str, Any], lang: str) -> Markup:
    sections = common.county_sections(county)
    anchor = common.county_anchor(county)
    with _chart_style(anchor):
        figure = Figure(figsize=(4.8 * max(len(sections), 1), 2.6))
        axes = figure.subplots(1, max(len(sections), 1), squeeze=False)[0]
        for ax, (section_id, section) in zip(axes, sections, strict=False):
            _cv_bars(ax, section_id, section, lang)
        figure.subplots_adjust(left=0.09, right=0.98, top=0.86, bottom=0.14, wspace=0.3)
        label = text(
            "cv_chart_title",
            lang,
            name=common.county_name(county),
            year=county["year"],
        )
        return _to_svg(figure, label)


def _cv_bars(ax: Axes, section_id: str, section: Mapping[str, Any], lang: str) -> None:
    indicators = section.get("indicators", {})
    ids = list(indicators)
    values = [common.number(e.get("cv")) or 0.0 for e in indicators.values()]
    colors = [
        FAIL_COLOR if e.get("passed") is False else BAR_COLOR
        for e in indicators.values()
    ]
    bars = ax.bar(ids, values, color=colors, width=0.6)
    ax.bar_label(bars, fmt="%.2f", fontsize=7, padding=1)
    limit = common.number(section.get("cv_limit"))
    top = max(values, default=0.0)
    if limit is not None and section.get("balance_rule") != "composite":
        ax.axhline(limit, color=LIMIT_COLOR, linestyle="--", linewidth=1)
        ax.text(
            len(ids) - 0.5,
            limit,
            f"{text('limit', lang)} {limit:.2f}",
            color=LIMIT_COLOR,
            fontsize=7,
            ha="right",
            va="bottom",
        )
        top = max(top, float(limit))
    ax.set_ylim(0, top * 1.2 if top > 0 else 1)
    status = verdict_label(section.get("status", ""), lang)
    shown_status = f"（{status}）" if lang == "zh" else f" ({status})"
    ax.set_title(f"{section_label(section_id, lang)} {text('cv', lang)}{shown_status}")
    ax.tick_params(axis="both", labelsize=8)


def _distribution_chart(doc: Document, lang: str) -> Markup | None:
    """Return box plots of county CVs per indicator from the national roll-up."""
    year = common.latest_rollup_year(doc)
    if year is None:
        return None
    rows = list(common.rollup_rows(doc, "indicators", "nation", year))
    sections = [
        s for s in common.section_ids(doc) if any(r["section"] == s for r in rows)
    ]
    if not sections:
        return None
    with _chart_style("rollup"):
        figure = Figure(figsize=(4.8 * len(sections), 2.8))
        axes = figure.subplots(1, len(sections), squeeze=False)[0]
        for ax, section in zip(axes, sections, strict=True):
            stats = []
            for row in rows:
                if row["section"] != section or row.get("cv_median") is None:
                    continue
                stats.append(
                    {
                        "label": row["indicator"],
                        "med": row["cv_median"],
                        "q1": row["cv_p25"],
                        "q3": row["cv_p75"],
                        "whislo": row["cv_min"],
                        "whishi": row["cv_max"],
                    }
                )
            if stats:
                ax.bxp(
                    stats,
                    showfliers=False,
                    patch_artist=True,
                    boxprops={"facecolor": "#DDEBF7", "edgecolor": BAR_COLOR},
                    medianprops={"color": BAR_COLOR},
                )
            limit = common.number(doc["framework"]["cv_limit"].get(section))
            if limit is not None:
                ax.axhline(limit, color=LIMIT_COLOR, linestyle="--", linewidth=1)
            ax.set_title(
                text(
                    "cv_distribution",
                    lang,
                    year=year,
                    section=section_label(section, lang),
                )
            )
            ax.tick_params(axis="both", labelsize=8)
        figure.subplots_adjust(
            left=0.08, right=0.98, top=0.86, bottom=0.12, wspace=0.25
        )
        return _to_svg(figure, text("between_county_cv", lang))


def _environment(doc: Document, lang: str) -> Environment:
    env = Environment(
        loader=PackageLoader("junheng.reports", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        t=lambda key, **fields: text(key, lang, **fields),
        verdict_label=lambda v: verdict_label(v or "", lang),
        section_label=lambda s: section_label(s, lang),
        part_label=lambda p: part_label(p, lang),
        level_label=lambda v: level_label(v, lang),
        yes_no=lambda v: yes_no(v, lang),
        choice=lambda v: choice_name(v, lang),
        requirement=lambda item: common.requirement_text(item, lang),
        exclusion_reason=lambda reason: common.exclusion_reason_text(doc, reason, lang),
        item_value=lambda v: common.item_value_text(v, lang),
        region=lambda row: (
            common.region_code_text(row, lang)
            if row["level"] == "nation"
            else row.get("region_name") or row["region_code"]
        ),
        sections_of=common.county_sections,
        items_of=common.ordered_county_items,
        worst_cv=common.worst_cv,
        noncompliant=common.noncompliant_count,
        anchor=common.county_anchor,
        paren=lambda value: f"（{value}）" if lang == "zh" else f" ({value})",
    )
    env.filters.update(num=common.format_value, cv=common.format_cv)
    return env


def _rollup_table(doc: Document) -> list[Mapping[str, Any]]:
    """Return national rows of every year, then province rows of the latest year."""
    year = common.latest_rollup_year(doc)

    def order(row: Mapping[str, Any]) -> tuple[Any, ...]:
        return (
            row["year"],
            common.natural_key(row["region_code"]),
            common.section_key(row["section"]),
            common.natural_key(row["indicator"]),
        )

    rows = sorted(common.rollup_rows(doc, "indicators", "nation"), key=order)
    provinces = common.rollup_rows(doc, "indicators", "province", year)
    return rows + sorted(provinces, key=order)


def render_html(
    doc: Document,
    lang: str | None = None,
    *,
    max_counties: int = MAX_HTML_COUNTIES,
) -> str:
    """Return the HTML report of ``doc`` as one self-contained page.

    The first ``max_counties`` county-years by year and natural division code
    are detailed, and a note counts the rest.
    """
    chosen = common.resolve_lang(doc, lang)
    counties = common.ordered_counties(doc)[: max(max_counties, 0)]
    charts = {
        common.county_anchor(c): _draw_quietly(_county_chart, doc, c, chosen)
        for c in counties
        if c.get("sections")
    }
    distribution = _draw_quietly(_distribution_chart, doc, chosen)
    template = _environment(doc, chosen).get_template("report.html.j2")
    return template.render(
        doc=doc,
        lang=chosen,
        html_lang="zh-CN" if chosen == "zh" else "en",
        counties=counties,
        hidden=len(doc["counties"]) - len(counties),
        charts=charts,
        distribution=distribution,
        rollup_rows=_rollup_table(doc),
        verdicts=common.VERDICTS,
        sections=common.section_ids(doc),
        units={i["id"]: i.get("unit") for i in doc["framework"]["indicators"]},
        item_names=common.county_item_names(doc, chosen),
        excluded=doc.get("excluded_schools", []),
        warnings=doc.get("warnings", []),
        warning_headers=common.warning_headers(chosen),
        warning_columns=common.WARNING_COLUMNS,
        max_rows=MAX_HTML_ROWS,
    )


def write_html(
    doc: Document,
    path: str | Path,
    lang: str | None = None,
    *,
    max_counties: int = MAX_HTML_COUNTIES,
) -> Path:
    """Write the HTML report of ``doc`` to ``path`` as UTF-8 and return the path."""
    target = Path(path)
    target.write_text(render_html(doc, lang, max_counties=max_counties), "utf-8")
    log.info("wrote HTML report %s", target)
    return target
