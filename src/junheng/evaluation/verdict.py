"""County verdicts with the reasons a bureau can act on.

:func:`evaluate` runs the engine and returns the verdict (``pass``, ``fail`` or
``incomplete``) of every county and year with its section statistics.
:meth:`Evaluation.details` then explains the county-years a report shows. Its
reasons name the indicator, the size of the gap, the schools below threshold and
the schools that contribute most to each CV over its limit.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from junheng.engine import queries
from junheng.engine.compute import EngineResult, compute
from junheng.evaluation import messages
from junheng.evaluation.rollup import Rollups, compute_rollups
from junheng.standards.model import Framework, Item

log = logging.getLogger(__name__)

TOP_CONTRIBUTORS = 3
"""How many schools each over-limit CV reason names as largest contributors."""

CountyKey = tuple[int, str]

Languages = tuple[str, ...]
"""The languages of reason texts: both ``("zh", "en")`` or one of them."""

BOTH: Languages = ("zh", "en")


@dataclass
class Evaluation:
    """Everything one evaluation produced, ready for the reports.

    Verdicts, section statistics and roll-ups are computed for every county-year
    at once. Reasons, part statuses and county items are built on request for
    the county-years a report shows (:meth:`details`), because a national run
    has over a million reasons and a terminal summary shows thirty counties.
    """

    framework: Framework
    engine: EngineResult
    verdicts: pl.DataFrame
    sections: pl.DataFrame
    rollups: Rollups
    exclusions: dict[str, int] = field(default_factory=dict)
    """Schools left out by the inclusion rules, counted per reason."""
    unevaluated: set[CountyKey] = field(default_factory=set)
    """County-years whose every school the inclusion rules leave out. Each has
    an ``incomplete`` verdict and a ``no_included_schools`` reason."""
    notes: list[str] = field(default_factory=list)
    _cache: dict[tuple[CountyKey, Languages], CountyDetail] = field(
        default_factory=dict
    )

    def summary(self) -> dict[str, int]:
        """Return the number of county-years per verdict."""
        counts = dict.fromkeys(("pass", "fail", "incomplete"), 0)
        for verdict in self.verdicts["verdict"].to_list():
            counts[verdict] += 1
        return {"counties": self.verdicts.height, **counts}

    def keys(self) -> list[CountyKey]:
        """Return every county-year key in verdict order."""
        return list(
            zip(
                self.verdicts["year"].to_list(),
                self.verdicts["division_code"].to_list(),
                strict=True,
            )
        )

    def details(
        self, keys: list[CountyKey] | None = None, langs: Languages = BOTH
    ) -> dict[CountyKey, CountyDetail]:
        """Return reasons, part statuses and county checks of ``keys`` (all if None).

        With both ``langs``, each text field of a reason (its message, the
        names) maps each language to its text. With one language, such a field
        is that language's text, which saves filling in the other language for
        a report that shows one.
        """
        if langs != BOTH and (len(langs) != 1 or langs[0] not in BOTH):
            raise ValueError(
                f"invalid langs {langs!r}: pass ('zh',), ('en',) or ('zh', 'en')"
            )
        requested = self.keys() if keys is None else keys
        missing = [k for k in requested if (k, langs) not in self._cache]
        if missing and langs != BOTH:
            # Details already built in both languages only need flattening.
            for key in missing:
                both = self._cache.get((key, BOTH))
                if both is not None:
                    self._cache[(key, langs)] = both.in_language(langs[0])
            missing = [k for k in missing if (k, langs) not in self._cache]
        if missing:
            built = _build_details(self, missing, langs)
            self._cache.update(((k, langs), d) for k, d in built.items())
        return {k: self._cache[(k, langs)] for k in requested}

    @property
    def reasons(self) -> dict[CountyKey, list[dict[str, Any]]]:
        """Return the reasons of every county-year that has any."""
        return {k: d.reasons for k, d in self.details().items() if d.reasons}

    @property
    def part_status(self) -> dict[CountyKey, dict[str, str]]:
        """Return the status of every part of every county-year."""
        return {k: d.parts for k, d in self.details().items()}


class CheckTable:
    """The county checks of the county-years of one :meth:`Evaluation.details` call.

    A national run has about a million checks. They become Python mappings
    only when a caller reads :attr:`CountyDetail.checks`, so that a report
    can build its own records from :attr:`frame` instead.
    """

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame
        """The checks, ordered by county-year, part, item and check."""
        self._rows: dict[CountyKey, list[dict[str, Any]]] | None = None

    def rows(self, key: CountyKey) -> list[dict[str, Any]]:
        """Return the checks of county-year ``key`` as mappings of their columns."""
        if self._rows is None:
            self._rows = defaultdict(list)
            for row in self.frame.rows(named=True):
                self._rows[(row["year"], row["division_code"])].append(row)
        return self._rows.get(key, [])


@dataclass
class CountyDetail:
    """The explanation of one county-year's verdict."""

    reasons: list[dict[str, Any]]
    parts: dict[str, str]
    key: CountyKey
    check_table: CheckTable

    @property
    def checks(self) -> list[dict[str, Any]]:
        """The county checks of this county-year, as mappings of their columns."""
        return self.check_table.rows(self.key)

    def in_language(self, lang: str) -> CountyDetail:
        """Return this detail with each bilingual reason field in ``lang`` only."""
        reasons = [_in_language(r, lang) for r in self.reasons]
        return CountyDetail(reasons, self.parts, self.key, self.check_table)


def _in_language(fields: dict[str, Any], lang: str) -> dict[str, Any]:
    """Return ``fields`` with each value given per language in ``lang`` only."""
    return {
        k: v[lang] if isinstance(v, dict) and lang in v else v
        for k, v in fields.items()
    }


def evaluate(
    schools: pl.DataFrame,
    framework: Framework,
    county_items: pl.DataFrame | None = None,
    *,
    two_pass: bool = True,
    indicator_rollups: bool = True,
) -> Evaluation:
    """Evaluate every county-year in ``schools``; reasons follow on request.

    Without ``indicator_rollups``, ``rollups.indicators`` is an empty frame and
    the Theil index, which only those roll-ups show, is not computed.
    """
    engine = compute(
        schools, framework, county_items, two_pass=two_pass, theil=indicator_rollups
    )
    # Added to the engine's table, so that the roll-ups count these counties.
    unevaluated = _unevaluated_counties(engine)
    engine.connection.register("unevaluated_input", unevaluated)
    engine.connection.sql(
        "INSERT INTO verdicts BY NAME SELECT * FROM unevaluated_input"
    )
    # Codes sort by their leading number first, so district codes such as 2-…
    # come before 10-…; six-digit division codes keep their usual order.
    verdicts = (
        engine.query("SELECT * FROM verdicts")
        .with_columns(
            pl.col("division_code")
            .str.extract(r"^(\d+)")
            .cast(pl.Int64, strict=False)
            .alias("_code_number")
        )
        .sort("year", "_code_number", "division_code", nulls_last=True)
        .drop("_code_number")
    )
    sections = engine.query(
        "SELECT * FROM section_status ORDER BY year, division_code, section"
    )
    rollups = compute_rollups(engine, framework, indicators=indicator_rollups)
    excluded = engine.query(
        "SELECT reason, CAST(COUNT(*) AS BIGINT) AS n FROM excluded GROUP BY reason"
    )
    log.info("evaluated %d county-years against %s", verdicts.height, framework.id)
    return Evaluation(
        framework=framework,
        engine=engine,
        verdicts=verdicts,
        sections=sections,
        rollups=rollups,
        exclusions=dict(zip(excluded["reason"], excluded["n"], strict=True)),
        unevaluated=set(
            zip(
                unevaluated["year"].to_list(),
                unevaluated["division_code"].to_list(),
                strict=True,
            )
        ),
    )


def _unevaluated_counties(engine: EngineResult) -> pl.DataFrame:
    """Return verdict rows of the county-years without a school that counts.

    The engine's statistics start from the included schools, so such a county
    has no verdict row there. It is ``incomplete``, with 0 schools.
    """
    regions = ", ".join(f"g.{name}" for name in queries.REGION_COLUMNS)
    return engine.query(
        f"SELECT k.county_id, k.year, k.division_code, {regions}, "
        f"{queries.INCOMPLETE} AS resource_status, "
        f"{queries.INCOMPLETE} AS parts_status, CAST(0 AS DOUBLE) AS students, "
        "CAST(0 AS BIGINT) AS schools, 'incomplete' AS verdict "
        "FROM county_keys k LEFT JOIN regions g ON k.division_code = g.division_code "
        "WHERE NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.year = k.year "
        "AND v.division_code = k.division_code)"
    )


def _build_details(
    ev: Evaluation, keys: list[CountyKey], langs: Languages
) -> dict[CountyKey, CountyDetail]:
    engine, fw = ev.engine, ev.framework
    selected = pl.DataFrame(
        {"year": [k[0] for k in keys], "division_code": [k[1] for k in keys]},
        schema={"year": pl.Int64, "division_code": pl.String},
    )
    engine.connection.register("selected_input", selected)
    engine.connection.sql(
        "CREATE OR REPLACE TEMP TABLE selected AS SELECT * FROM selected_input"
    )

    # The per-school detail is computed once, from the school rows of the
    # selected counties only, so every reason query below reads a small table.
    # With every county-year selected, filtering the rows first would only
    # copy them all.
    unselected = engine.query(
        "SELECT COUNT(*) AS n FROM county_keys k WHERE NOT EXISTS (SELECT 1 FROM "
        "selected s WHERE s.year = k.year AND s.division_code = k.division_code)"
    )
    if unselected["n"][0] == 0:
        schools = engine.source
    elif engine.frame is not None:
        # Keys compared as Int64 and String, whatever types the frame has.
        key_columns = [
            pl.col("year").cast(pl.Int64).alias("_year"),
            pl.col("division_code").cast(pl.String).alias("_code"),
        ]
        rows = (
            engine.frame.with_columns(key_columns)
            .join(
                selected,
                left_on=["_year", "_code"],
                right_on=["year", "division_code"],
                how="semi",
            )
            .drop("_year", "_code")
        )
        engine.connection.register("selected_rows", rows)
        schools = "selected_rows"
    else:
        schools = (
            f"(SELECT r.* FROM {engine.source} r JOIN selected s ON r.year = s.year "
            "AND r.division_code = s.division_code)"
        )
    # Only the columns the reasons read are stored. In a national run, writing
    # all 79 columns took about 3.8 s of CPU time and these 28 about 1.5 s.
    values = queries.unit_values_sql(fw, schools)
    available = set(engine.connection.sql(values).columns)
    read = [name for name in _reason_columns(fw) if name in available]
    engine.connection.sql(
        "CREATE OR REPLACE TEMP TABLE unit_values_selected AS "
        f"SELECT {', '.join(read)} FROM ({values})"
    )
    for name, kind in (("county_stats", "VIEW"), ("county_checks", "VIEW")):
        engine.connection.sql(
            f"CREATE OR REPLACE TEMP {kind} {name}_selected AS SELECT t.* FROM "
            f"{name} t JOIN selected s ON t.year = s.year "
            "AND t.division_code = s.division_code"
        )

    sections = ev.sections.join(selected, on=["year", "division_code"], how="semi")
    checks = engine.query(
        "SELECT * FROM county_checks_selected ORDER BY year, division_code, part_id, "
        "item_id, check_index"
    )
    reasons = _build_reasons(engine, fw, sections, checks, langs)
    if ev.unevaluated.intersection(keys):
        found = _no_school_reasons(engine, fw, ev.unevaluated, langs)
        for key, reason in found.items():
            reasons.setdefault(key, []).insert(0, reason)
    parts = _part_statuses(fw, sections, checks)

    table = CheckTable(checks)
    return {
        key: CountyDetail(
            reasons=reasons.get(key, []),
            parts=parts.get(key, {}),
            key=key,
            check_table=table,
        )
        for key in keys
    }


def _reason_columns(fw: Framework) -> list[str]:
    """Return the columns of ``unit_values_selected`` that the reasons read."""
    columns = ["year", "division_code", "section", "school_code", "school_name"]
    columns.append("students")
    for ind in fw.resource_indicators:
        columns += [f"v_{ind.id}", f"met_{ind.id}"]
    columns += ["met_count", "compliant"]
    columns += [
        queries.check_column(item, n) for item, n, _ in queries.school_checks(fw)
    ]
    return columns


def _no_school_reasons(
    engine: EngineResult, fw: Framework, unevaluated: set[CountyKey], langs: Languages
) -> dict[CountyKey, Any]:
    """Return the reason of each selected county-year in ``unevaluated``.

    The reason names every school left out and the inclusion rule that left it
    out. Reads the ``selected`` table of :func:`_build_details`.
    """
    frame = engine.query(
        "SELECT e.year, e.division_code, e.school_code, e.school_name, e.reason "
        "FROM excluded e JOIN selected s ON e.year = s.year "
        "AND e.division_code = s.division_code "
        "ORDER BY e.year, e.division_code, e.school_code"
    )
    minimum = fw.inclusion.teaching_point_min_students
    found: dict[CountyKey, dict[str, list[str]]] = defaultdict(
        lambda: {lang: [] for lang in langs}
    )
    for row in frame.iter_rows(named=True):
        key = (row["year"], row["division_code"])
        if key not in unevaluated:
            continue
        labels = found[key]
        for lang in langs:
            rule = messages.exclusion_rule(row["reason"], lang, minimum)
            name = row["school_name"] or ""
            if lang == "en":
                labels[lang].append(f"{name} ({row['school_code']}, {rule})")
            else:
                labels[lang].append(f"{name}（{row['school_code']}，{rule}）")
    return {
        key: _reason(
            "no_included_schools",
            "resource",
            langs,
            schools={lang: LIST_SEPARATORS[lang].join(labels[lang]) for lang in labels},
        )
        for key, labels in found.items()
    }


def _items(fw: Framework) -> dict[str, tuple[str, Item]]:
    found = {i.id: (p.id, i) for p in fw.parts for i in p.items}
    found.update({i.id: ("veto", i) for i in fw.veto_items})
    return found


def _reason(code: str, part: str, langs: Languages, **fields: Any) -> dict[str, Any]:
    """Return a reason with its message in ``langs``.

    With one language, the bilingual fields keep the text of that language.
    """
    if len(langs) == 1:
        lang = langs[0]
        fields = _in_language(fields, lang)
        return {
            "code": code,
            "part": part,
            **fields,
            "message": messages.render(code, lang, fields),
        }
    return {
        "code": code,
        "part": part,
        **fields,
        "message": messages.render_all(code, fields, langs),
    }


LIST_SEPARATORS = {"zh": "；", "en": "; "}


def _school_label(name: str | None, code: str, lang: str) -> str:
    if lang == "en":
        return f"{name or ''} ({code})"
    return f"{name or ''}（{code}）"


@dataclass
class _Contributors:
    """The schools that contribute most to one over-limit CV, largest first."""

    text: dict[str, str]
    """The schools as one text per language."""
    schools: list[dict[str, Any]]
    """The same schools as records (see :func:`_contributors`)."""


def _contributors(
    engine: EngineResult, fw: Framework, langs: Languages
) -> dict[tuple[Any, ...], _Contributors]:
    """Return the largest contributors to each over-limit CV.

    Each school is named as text per language and as a record with its code,
    name, value, students and ``share``: its part of the sum of squared
    deviations ``Σ P_i·(X_i − mean)²`` (0 to 1).
    """
    # One pass over the school values gives every indicator's candidates, as
    # a list of structs unnested into one row per school and indicator.
    candidates, over = [], []
    for ind in fw.resource_indicators:
        i = ind.id
        candidates.append(
            f"CASE WHEN s.cv_ok_{i} = FALSE AND u.v_{i} IS NOT NULL THEN "
            f"{{'indicator': '{i}', 'value': u.v_{i}, 'variance_share': u.students * "
            f"(u.v_{i} - s.mean_{i}) * (u.v_{i} - s.mean_{i}) / NULLIF(s.p_{i} * "
            f"s.sd_{i} * s.sd_{i}, 0)}} END"
        )
        over.append(f"s.cv_ok_{i} = FALSE")
    if not candidates:
        return {}
    scan = (
        "SELECT u.year, u.division_code, u.section, u.school_code, u.school_name, "
        f"u.students, UNNEST(list_filter([{', '.join(candidates)}], "
        "lambda c: c IS NOT NULL), recursive := true) FROM unit_values_selected u "
        "JOIN county_stats_selected s ON u.year = s.year AND u.division_code = "
        f"s.division_code AND u.section = s.section WHERE {' OR '.join(over)}"
    )
    ranked = engine.query(
        "SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY year, "
        "division_code, section, indicator ORDER BY variance_share DESC, "
        f"school_code) AS rank FROM ({scan}) c) r "
        f"WHERE rank <= {TOP_CONTRIBUTORS} ORDER BY year, division_code, section, "
        "indicator, rank"
    )
    texts: dict[tuple[Any, ...], list[dict[str, str]]] = defaultdict(list)
    schools: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in ranked.iter_rows(named=True):
        key = (row["year"], row["division_code"], row["section"], row["indicator"])
        detail = (
            f" {messages.format_number(row['value'])}, "
            f"{row['variance_share'] * 100:.0f}%"
        )
        texts[key].append(
            {
                lang: _school_label(row["school_name"], row["school_code"], lang)
                + detail
                for lang in langs
            }
        )
        schools[key].append(
            {
                "school_code": row["school_code"],
                "school_name": row["school_name"] or "",
                "value": row["value"],
                "students": row["students"],
                "share": row["variance_share"],
            }
        )
    return {
        key: _Contributors(
            {
                lang: LIST_SEPARATORS[lang].join(p[lang] for p in parts)
                for lang in langs
            },
            schools[key],
        )
        for key, parts in texts.items()
    }


def _resource_reasons(
    engine: EngineResult, fw: Framework, sections: pl.DataFrame, langs: Languages
) -> dict[CountyKey, list[dict[str, Any]]]:
    reasons: dict[CountyKey, list[dict[str, Any]]] = defaultdict(list)
    contributors = _contributors(engine, fw, langs)
    composite = fw.balance_rule.mode == "composite"
    columns = ["year", "division_code", "section", "cv_limit", "composite_cv"]
    columns += ["schools"]
    for ind in fw.resource_indicators:
        columns += [f"cv_{ind.id}", f"missing_{ind.id}"]
    failing = sections.filter(pl.col("status") > 0).select(columns)
    for row in failing.iter_rows(named=True):
        key = (row["year"], row["division_code"])
        section = row["section"]
        limit = row["cv_limit"]
        if (
            composite
            and row["composite_cv"] is not None
            and queries.meets(row["composite_cv"], ">", limit)
        ):
            reasons[key].append(
                _reason(
                    "composite_over_limit",
                    "resource",
                    langs,
                    section=section,
                    cv=row["composite_cv"],
                    limit=limit,
                    excess=row["composite_cv"] - limit,
                )
            )
        for ind in fw.resource_indicators:
            i = ind.id
            cv = row[f"cv_{i}"]
            over = not composite and cv is not None and queries.meets(cv, ">", limit)
            if not (row[f"missing_{i}"] or over or (cv is None and row["schools"])):
                continue
            common = {
                "section": section,
                "indicator": i,
                "indicator_name": ind.name.model_dump(),
            }
            if row[f"missing_{i}"]:
                reasons[key].append(
                    _reason(
                        "missing_indicator",
                        "resource",
                        langs,
                        **common,
                        schools=row[f"missing_{i}"],
                    )
                )
            elif cv is None and row["schools"]:
                reasons[key].append(
                    _reason("cv_undefined", "resource", langs, **common)
                )
            elif over:
                top = contributors.get((key[0], key[1], section, i))
                reasons[key].append(
                    _reason(
                        "cv_over_limit",
                        "resource",
                        langs,
                        **common,
                        cv=cv,
                        limit=limit,
                        excess=cv - limit,
                        top_schools=top.text if top else "",
                        contributors=top.schools if top else [],
                    )
                )
    return reasons


def _number_sql(expr: str) -> str:
    """Return SQL writing the number ``expr`` as :func:`messages.format_number`.

    DuckDB's printf rounds as Python's format does.
    """
    return f"rtrim(rtrim(printf('%.4f', {expr}), '0'), '.')"


def _school_reasons(
    engine: EngineResult, fw: Framework, langs: Languages
) -> dict[CountyKey, list[dict[str, Any]]]:
    reasons: dict[CountyKey, list[dict[str, Any]]] = defaultdict(list)
    rule = fw.school_rule
    if rule is None:
        return reasons
    # Each school's shortfalls, as structs and as text, are built in SQL
    # because a Python loop over the indicators of every failing school took
    # several seconds in a national run.
    columns = engine.query("SELECT * FROM unit_values_selected LIMIT 0").columns
    structs, texts = [], []
    for ind in fw.resource_indicators:
        i = ind.id
        if f"met_{i}" not in columns:
            continue
        cases = " ".join(
            f"WHEN '{s}' THEN '{float((ind.threshold or {}).get(s) or 0.0)!r}'"
            for s in fw.sections
        )
        threshold = f"CAST(CASE section {cases} ELSE '0.0' END AS DOUBLE)"
        shortfall = f"met_{i} = FALSE AND v_{i} IS NOT NULL"
        ratio = f"CASE WHEN {threshold} <> 0 THEN v_{i} / {threshold} END"
        structs.append(
            f"CASE WHEN {shortfall} THEN {{'indicator': '{i}', 'value': v_{i}, "
            f"'threshold': {threshold}, 'ratio': {ratio}}} END"
        )
        texts.append(
            f"CASE WHEN {shortfall} THEN '{i} ' || {_number_sql(f'v_{i}')} || '/' "
            f"|| {_number_sql(threshold)} || COALESCE(' (' || printf('%.1f', "
            f"{ratio} * 100) || '%)', '') END"
        )
    below = (
        f"list_filter([{', '.join(structs)}], lambda s: s IS NOT NULL)"
        if structs
        else "[]"
    )
    separator = LIST_SEPARATORS["zh"]
    text = f"concat_ws('{separator}', {', '.join(texts)})" if texts else "''"
    failing = engine.query(
        "SELECT year, division_code, section, school_code, school_name, met_count, "
        f"{text} AS shortfalls, {below} AS below FROM unit_values_selected "
        "WHERE compliant = FALSE ORDER BY year, division_code, section, school_code"
    )
    fixed = {
        "total": len(fw.resource_indicators),
        "min_met": rule.min_met,
        "floor_pct": rule.floor_ratio * 100,
    }
    # Polars turns a list of structs into Python objects one row at a time,
    # which is slow. The exploded structs become dicts in one call.
    shortfalls = failing["below"].explode().drop_nulls().to_list()
    # The sentence of each section and language with the fixed fields filled
    # in, so that each school only adds its own fields.
    code = "school_noncompliant"
    templates = {
        section: {
            lang: messages.prefill(code, lang, {"section": section, **fixed})
            for lang in langs
        }
        for section in fw.sections
    }
    one = langs[0] if len(langs) == 1 else None
    start = 0
    rows = failing.drop("below").iter_rows()
    counts = failing["below"].list.len().to_list()
    for (year, division, section, school_code, name, met_count, text), count in zip(
        rows, counts, strict=True
    ):
        reason = {
            "code": code,
            "part": "resource",
            "section": section,
            "school_code": school_code,
            "school_name": name or "",
            "met_count": met_count,
            **fixed,
            "shortfalls": text,
            "below": shortfalls[start : start + count],
        }
        by_lang = templates[section]
        if one is not None:
            reason["message"] = by_lang[one].format_map(
                reason | {"shortfalls": _shortfalls_in(text, one)}
            )
        else:
            reason["message"] = {
                lang: template.format_map(
                    reason | {"shortfalls": _shortfalls_in(text, lang)}
                )
                for lang, template in by_lang.items()
            }
        reasons[(year, division)].append(reason)
        start += count
    return reasons


def _shortfalls_in(text: str, lang: str) -> str:
    """Return the shortfalls ``text`` with the list separator of ``lang``.

    The ``shortfalls`` field keeps the Chinese separator that the SQL puts
    between the indicators, in every language, so that one-language reasons
    equal the bilingual ones. The text contains only indicator ids and
    numbers, so every separator in it is one that the SQL put there.
    """
    return text.replace(LIST_SEPARATORS["zh"], LIST_SEPARATORS[lang])


def _school_item_reasons(
    engine: EngineResult, fw: Framework, langs: Languages
) -> dict[CountyKey, list[dict[str, Any]]]:
    reasons: dict[CountyKey, list[dict[str, Any]]] = defaultdict(list)
    by_item: dict[str, list[str]] = defaultdict(list)
    for item, index, _ in queries.school_checks(fw):
        by_item[item.id].append(queries.check_column(item, index))
    items = _items(fw)
    for item_id, columns in by_item.items():
        part, item = items[item_id]
        any_fail = " OR ".join(f"{c} = FALSE" for c in columns)
        failing = engine.query(
            "SELECT year, division_code, LIST(school_name ORDER BY school_name, "
            "school_code) AS names, LIST(school_code ORDER BY school_name, "
            "school_code) AS codes FROM (SELECT DISTINCT year, division_code, "
            f"school_name, school_code FROM unit_values_selected WHERE {any_fail}) f "
            "GROUP BY year, division_code"
        )
        for row in failing.iter_rows(named=True):
            pairs = list(zip(row["names"], row["codes"], strict=True))
            names = [_school_label(n, c, "zh") for n, c in pairs]
            schools = {"zh": "、".join(names)}
            if "en" in langs:
                english = [_school_label(n, c, "en") for n, c in pairs]
                schools["en"] = ", ".join(english)
            reasons[(row["year"], row["division_code"])].append(
                _reason(
                    "school_item_failed",
                    part,
                    langs,
                    item=item_id,
                    item_name=item.name.model_dump(),
                    count=len(names),
                    schools=schools,
                    school_list=names,
                )
            )
        any_missing = " OR ".join(f"{c} IS NULL" for c in columns)
        missing = engine.query(
            "SELECT year, division_code, COUNT(DISTINCT school_code) AS n "
            f"FROM unit_values_selected WHERE students > 0 AND ({any_missing}) "
            "GROUP BY year, division_code"
        )
        for row in missing.iter_rows(named=True):
            reasons[(row["year"], row["division_code"])].append(
                _reason(
                    "school_item_missing",
                    part,
                    langs,
                    item=item_id,
                    item_name=item.name.model_dump(),
                    count=row["n"],
                )
            )
    return reasons


def _check_reasons(
    fw: Framework, checks: pl.DataFrame, langs: Languages
) -> dict[CountyKey, list[dict[str, Any]]]:
    reasons: dict[CountyKey, list[dict[str, Any]]] = defaultdict(list)
    items = _items(fw)
    problems = checks.filter(pl.col("passed").is_null() | ~pl.col("passed"))
    for row in problems.iter_rows(named=True):
        part, item = items[row["item_id"]]
        key = (row["year"], row["division_code"])
        common = {
            "item": item.id,
            "item_name": item.name.model_dump(),
            "key": row["key"],
        }
        if part == "veto":
            code = "veto_missing" if row["passed"] is None else "veto"
            reasons[key].append(_reason(code, part, langs, **common))
            continue
        if row["passed"] is None:
            reasons[key].append(_reason("item_missing", part, langs, **common))
            continue
        requirement = {
            lang: messages.REQUIREMENT[row["op"]][lang].format(
                t=messages.format_number(row["threshold"])
            )
            for lang in langs
        }
        value: str | dict[str, str]
        if row["op"] in ("true", "false") and row["value_bool"] is not None:
            value = messages.REQUIREMENT["true" if row["value_bool"] else "false"]
        elif row["value_num"] is not None:
            value = messages.format_number(row["value_num"])
        else:
            value = str(row["value_text"])
        reasons[key].append(
            _reason(
                "item_failed",
                part,
                langs,
                **common,
                value=value,
                requirement=requirement,
                threshold=row["threshold"],
                evidence=row["evidence"],
            )
        )
    return reasons


_ORDER = {"veto": 0, "veto_missing": 1}


def _build_reasons(
    engine: EngineResult,
    fw: Framework,
    sections: pl.DataFrame,
    checks: pl.DataFrame,
    langs: Languages,
) -> dict[CountyKey, list[dict[str, Any]]]:
    combined: dict[CountyKey, list[dict[str, Any]]] = defaultdict(list)
    for part in (
        _check_reasons(fw, checks, langs),
        _resource_reasons(engine, fw, sections, langs),
        _school_reasons(engine, fw, langs),
        _school_item_reasons(engine, fw, langs),
    ):
        for key, found in part.items():
            combined[key].extend(found)
    for found in combined.values():
        found.sort(key=lambda r: _ORDER.get(r["code"], 2))
    return dict(combined)


def _part_statuses(
    fw: Framework, sections: pl.DataFrame, checks: pl.DataFrame
) -> dict[CountyKey, dict[str, str]]:
    # The worst status of each part, from the section rows first (resource, then
    # the parts of the school-level checks), then from the county checks in the
    # order of their part ids.
    keys = ["year", "division_code"]
    part_columns: dict[str, list[str]] = defaultdict(list)
    for item, index, _ in queries.school_checks(fw):
        part_id = next(p.id for p in fw.parts if item in p.items)
        part_columns[part_id].append(queries.check_column(item, index))

    def any_set(names: list[str]) -> pl.Expr:
        return pl.any_horizontal(
            pl.col(name).cast(pl.Boolean).fill_null(False) for name in names
        )

    by_section = (
        sections.select(
            *keys,
            pl.max_horizontal("balance_status", "school_rule_status").alias("resource"),
            *(
                pl.when(any_set([f"fail_{c}" for c in columns]))
                .then(queries.FAIL)
                .when(any_set([f"missing_{c}" for c in columns]))
                .then(queries.INCOMPLETE)
                .otherwise(queries.PASS)
                .alias(part_id)
                for part_id, columns in part_columns.items()
            ),
        )
        .group_by(keys, maintain_order=True)
        .max()
    )
    status: dict[CountyKey, dict[str, int]] = {}
    names = by_section.columns[2:]
    for year, code, *codes in by_section.iter_rows():
        status[(year, code)] = dict(zip(names, codes, strict=True))
    by_check = (
        checks.select(
            *keys,
            "part_id",
            pl.when(pl.col("passed").is_null())
            .then(queries.INCOMPLETE)
            .when(~pl.col("passed"))
            .then(queries.FAIL)
            .otherwise(queries.PASS)
            .alias("code"),
        )
        .group_by(*keys, "part_id")
        .max()
        .sort(*keys, "part_id")
    )
    for year, code, part_id, worst in by_check.iter_rows():
        parts = status.setdefault((year, code), {})
        parts[part_id] = max(parts.get(part_id, 0), worst)
    return {
        key: {part: queries.STATUS_NAMES[code] for part, code in parts.items()}
        for key, parts in status.items()
    }
