"""SQL text of the evaluation, generated from a framework.

Everything here returns strings of portable SQL: ``CASE``, ``NULLIF``,
``UNION ALL``, grouped aggregates and joins on small typed tables, with no
engine-specific functions. DuckDB runs them in-process by default; the same text
is meant to run on a distributed SQL engine for national student-level data.

Relations, in the order they are built:

``units``
    One row per school, section and year, for the schools the framework
    includes. Section measures lose their ``primary_``/``junior_`` prefix and
    shared whole-school resources are multiplied by the section's ``share``.
``unit_values``
    ``units`` plus ``v_<ID>`` (indicator value), ``met_<ID>`` and ``floor_<ID>``
    for every resource indicator, the school rule result and school-level item
    checks ``chk_<ITEM>_<n>``.
``county_stats``
    One row per county, section and year with, per indicator, the enrolled
    students behind it, the weighted mean, S, CV and the pass flag.
"""

from __future__ import annotations

from junheng.ingest.schema import (
    IDENTITY_FIELDS,
    REGION_FIELDS,
    SCHOOL_MEASURES,
    SECTION_MEASURES,
    UNIT_FORMULA_FIELDS,
)
from junheng.standards.formula import compile_formula
from junheng.standards.model import Check, Framework, Item

REGION_COLUMNS = (
    "division_name",
    "city_code",
    "city_name",
    "province_code",
    "province_name",
)

_VOCATIONAL_TYPES = ("职业初中",)
_SPECIAL_TYPES = ("特殊教育学校",)
_TEACHING_POINT = "教学点"


def quote(text: str) -> str:
    """Return ``text`` as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _double(value: float) -> str:
    # DuckDB reads a bare 0.85 as DECIMAL; a DOUBLE keeps the arithmetic in
    # floating point and fast.
    return f"CAST({float(value)!r} AS DOUBLE)"


def _in_list(values: list[str]) -> str:
    return "(" + ", ".join(quote(v) for v in values) + ")" if values else "(NULL)"


def exclusion_rules(fw: Framework) -> list[tuple[str, str]]:
    """Return (reason code, SQL condition) for each way a school is left out.

    Reason codes: ``private``, ``teaching_point``, ``small_teaching_point``,
    ``special_education``, ``vocational`` and ``no_section`` (a school type that
    contributes no section to the framework).
    """
    inc = fw.inclusion
    rules: list[tuple[str, str]] = []
    if not inc.include_private:
        rules.append(("private", "ownership = '民办'"))
    if not inc.include_teaching_points:
        rules.append(("teaching_point", f"school_type = {quote(_TEACHING_POINT)}"))
    elif inc.teaching_point_min_students is not None:
        minimum = int(inc.teaching_point_min_students)
        rules.append(
            (
                "small_teaching_point",
                f"school_type = {quote(_TEACHING_POINT)} AND "
                f"COALESCE(primary_students, 0) < {minimum}",
            )
        )
    if not inc.include_special_education:
        rules.append(
            ("special_education", f"school_type IN {_in_list(list(_SPECIAL_TYPES))}")
        )
    if not inc.include_vocational:
        rules.append(
            ("vocational", f"school_type IN {_in_list(list(_VOCATIONAL_TYPES))}")
        )
    with_sections = [t for t, sections in fw.school_types.items() if sections]
    rules.append(("no_section", f"school_type NOT IN {_in_list(with_sections)}"))
    return rules


def inclusion_predicate(fw: Framework) -> str:
    """Return the WHERE condition that keeps the schools the framework counts."""
    conditions = ["school_type IS NOT NULL"]
    conditions += [f"NOT ({condition})" for _, condition in exclusion_rules(fw)]
    return " AND ".join(conditions)


def excluded_sql(fw: Framework, source: str = "schools") -> str:
    """Return the query listing the schools left out, each with its first reason."""
    cases = " ".join(
        f"WHEN {condition} THEN {quote(code)}"
        for code, condition in exclusion_rules(fw)
    )
    return (
        "SELECT year, division_code, school_code, school_name, school_type, "
        f"ownership, primary_students, CASE {cases} END AS reason FROM {source} "
        f"WHERE NOT ({inclusion_predicate(fw)})"
    )


TYPE_RULES = ("teaching_point", "special_education", "vocational", "no_section")
"""Exclusion rules that depend on the school type alone."""


def school_type_rows(fw: Framework) -> list[tuple[object, ...]]:
    """Return the rows of the typed school-type table the units join.

    One row per school type the framework evaluates (types excluded by a
    type-only rule are absent), with one ``in_<section>`` flag per section.
    """
    inc = fw.inclusion
    rows: list[tuple[object, ...]] = []
    for school_type, sections in fw.school_types.items():
        if not sections:
            continue
        if school_type == _TEACHING_POINT and not inc.include_teaching_points:
            continue
        if school_type in _SPECIAL_TYPES and not inc.include_special_education:
            continue
        if school_type in _VOCATIONAL_TYPES and not inc.include_vocational:
            continue
        rows.append((school_type, *(s in sections for s in fw.sections)))
    return rows


def school_type_columns(fw: Framework) -> list[str]:
    """Return the column names of the school-type table."""
    return ["school_type"] + [f"in_{s}" for s in fw.sections]


def units_sql(fw: Framework, source: str = "schools") -> str:
    """Return the query that splits schools into section units (see module doc).

    Reads ``school_types`` (see :func:`school_type_rows`); joining that small
    table decides each school's sections once, instead of testing the type
    against lists of names in every expression.
    """
    weights: dict[str, float] = {k: v for k, v in fw.split.weights.items()}
    shared = set(fw.split.shared_fields)
    enrolled = [
        f"CASE WHEN t.in_{s} THEN CAST(COALESCE(s.{s}_students, 0) AS DOUBLE) "
        "ELSE 0 END"
        for s in fw.sections
    ]
    weighted = [
        f"{_double(weights.get(s, 1.0))} * {expr}"
        for s, expr in zip(fw.sections, enrolled, strict=True)
    ]
    senior_weight = weights.get("senior", 1.0)
    weighted.append(
        f"{_double(senior_weight)} * CAST(COALESCE(s.senior_students, 0) AS DOUBLE)"
    )
    classes = " + ".join(
        f"CASE WHEN t.in_{s} THEN CAST(COALESCE(s.{s}_classes, 0) AS DOUBLE) ELSE 0 END"
        for s in fw.sections
    )
    other_rules = [
        f"NOT ({condition})"
        for code, condition in exclusion_rules(fw)
        if code not in TYPE_RULES
    ]
    where = f"WHERE {' AND '.join(other_rules)}" if other_rules else ""
    flags = ", ".join(f"t.in_{s}" for s in fw.sections)
    base = (
        f"SELECT s.*, {flags}, {' + '.join(weighted)} AS weighted_students, "
        f"{' + '.join(enrolled)} AS school_students_, {classes} AS school_classes_ "
        f"FROM {source} s JOIN school_types t USING (school_type) "
        f"{where}"
    )
    identity = [f.name for f in IDENTITY_FIELDS + REGION_FIELDS]
    branches = []
    for section in fw.sections:
        weight = weights.get(section, 1.0)
        share = (
            f"{_double(weight)} * CAST({section}_students AS DOUBLE) "
            "/ NULLIF(weighted_students, 0)"
        )
        columns = [*identity, f"{quote(section)} AS section"]
        columns += [
            f"CAST({section}_{m.name} AS DOUBLE) AS {m.name}" for m in SECTION_MEASURES
        ]
        columns.append(f"{share} AS share")
        for measure in SCHOOL_MEASURES:
            if measure.name in shared:
                columns.append(
                    f"CAST({measure.name} AS DOUBLE) * ({share}) AS {measure.name}"
                )
            else:
                columns.append(f"CAST({measure.name} AS DOUBLE) AS {measure.name}")
        columns += [
            "school_students_ AS school_students",
            "school_classes_ AS school_classes",
        ]
        branches.append(
            f"SELECT {', '.join(columns)} FROM ({base}) b WHERE in_{section}"
        )
    # The base query is repeated in each branch rather than shared as a CTE: a
    # CTE read twice gets materialized with every source column, names included.
    return " UNION ALL ".join(branches)


def thresholds_rows(fw: Framework) -> list[tuple[object, ...]]:
    """Return the rows of the typed thresholds table, one per section."""
    rows: list[tuple[object, ...]] = []
    for section in fw.sections:
        row: list[object] = [section, fw.balance_rule.cv_limit[section]]
        for ind in fw.resource_indicators:
            row.append(ind.threshold[section] if ind.threshold else None)
        rows.append(tuple(row))
    return rows


def thresholds_columns(fw: Framework) -> list[str]:
    """Return the column names of the thresholds table."""
    return ["section", "cv_limit"] + [f"thr_{i.id}" for i in fw.resource_indicators]


def school_checks(fw: Framework) -> list[tuple[Item, int, Check]]:
    """Return every school-level check as (item, index, check)."""
    return [
        (item, n, check)
        for part in fw.parts
        for item in part.items
        if item.level == "school"
        for n, check in enumerate(item.checks)
    ]


def _threshold_sql(check: Check) -> str:
    if check.threshold_by_section:
        cases = " ".join(
            f"WHEN u.section = {quote(s)} THEN CAST({v!r} AS DOUBLE)"
            for s, v in check.threshold_by_section.items()
        )
        return f"(CASE {cases} END)"
    if check.threshold_by_school_type:
        cases = " ".join(
            f"WHEN u.school_type = {quote(t)} THEN CAST({v!r} AS DOUBLE)"
            for t, v in check.threshold_by_school_type.items()
        )
        default = (
            f"CAST({check.threshold!r} AS DOUBLE)"
            if check.threshold is not None
            else "NULL"
        )
        return f"(CASE {cases} ELSE {default} END)"
    return f"CAST({check.threshold!r} AS DOUBLE)"


def check_column(item: Item, index: int) -> str:
    """Return the column name of a school-level check's result."""
    return f"chk_{item.id}_{index}"


def unit_values_sql(fw: Framework) -> str:
    """Return the query adding indicator values, school rule and checks to units.

    The values are computed once in an inner query; the school rule and the
    checks then read them by name.
    """
    inner = ["u.*"] + [f"t.thr_{i.id}" for i in fw.resource_indicators]
    for ind in fw.resource_indicators:
        formula = compile_formula(ind.formula, UNIT_FORMULA_FIELDS, qualifier="u")
        inner.append(f"CASE WHEN u.students > 0 THEN {formula.sql} END AS v_{ind.id}")
    for item, index, check in school_checks(fw):
        assert check.formula is not None
        formula = compile_formula(check.formula, UNIT_FORMULA_FIELDS, qualifier="u")
        inner.append(f"{formula.sql} AS val_{item.id}_{index}")
        inner.append(f"{_threshold_sql(check)} AS thr_{item.id}_{index}")

    columns = ["w.*"]
    met_terms, known_terms, floor_terms = [], [], []
    rule = fw.school_rule
    for ind in fw.resource_indicators:
        if ind.threshold is None:
            continue
        value, thr = f"w.v_{ind.id}", f"w.thr_{ind.id}"
        cmp_met = ">=" if ind.direction == "higher" else "<="
        columns.append(f"{value} {cmp_met} {thr} AS met_{ind.id}")
        met_terms.append(f"COALESCE(CAST({value} {cmp_met} {thr} AS INTEGER), 0)")
        known_terms.append(f"CAST({value} IS NOT NULL AS INTEGER)")
        if rule is not None:
            ratio = _double(rule.floor_ratio)
            floor = (
                f"{thr} * {ratio}" if ind.direction == "higher" else f"{thr} / {ratio}"
            )
            # A value below the floor breaks the rule whatever else the school meets.
            floor_terms.append(
                f"COALESCE(CAST(NOT ({value} {cmp_met} {floor}) AS INTEGER), 0)"
            )
    if rule is not None and met_terms:
        n = len(met_terms)
        met = " + ".join(met_terms)
        known = " + ".join(known_terms)
        below = " + ".join(floor_terms)
        columns += [
            f"{met} AS met_count",
            f"{known} AS known_count",
            f"{below} AS below_floor_count",
        ]
    for item, index, check in school_checks(fw):
        op = {"==": "="}.get(check.op, check.op)
        columns.append(
            f"w.val_{item.id}_{index} {op} w.thr_{item.id}_{index} "
            f"AS {check_column(item, index)}"
        )
    middle = (
        f"SELECT {', '.join(columns)} FROM (SELECT {', '.join(inner)} FROM units u "
        "JOIN thresholds t ON u.section = t.section) w"
    )
    if rule is None or not met_terms:
        return middle
    # Three-valued logic instead of CASE: FALSE when the rule is already
    # broken, TRUE when every value is known and enough are met, else NULL.
    # A school without students has no known values, so it comes out NULL.
    n = len(met_terms)
    broken = (
        f"(below_floor_count > 0 OR met_count + ({n} - known_count) < {rule.min_met})"
    )
    kept = f"(known_count = {n} AND met_count >= {rule.min_met})"
    compliant = f"(NOT {broken}) AND ({kept} OR NULL)"
    return f"SELECT m.*, {compliant} AS compliant FROM ({middle}) m"


def unit_core_sql(fw: Framework) -> str:
    """Return the query of the narrow unit table the county statistics read.

    It keeps only keys, enrollment and results, so the grouped passes scan no
    names or raw measures.
    """
    columns = ["year", "division_code", "section", "students"]
    for ind in fw.resource_indicators:
        columns.append(f"v_{ind.id}")
        if ind.threshold is not None:
            columns.append(f"met_{ind.id}")
    if fw.school_rule is not None:
        columns.append("compliant")
    columns += [check_column(item, n) for item, n, _ in school_checks(fw)]
    return f"SELECT {', '.join(columns)} FROM unit_values"


def theil_term(value: str, mean: str, weight: str) -> str:
    """Return the aggregate ``Σ P·X·ln(X / mean)`` of the Theil index T.

    Units with ``X = 0`` contribute nothing (the limit of ``x·ln x``).
    """
    return (
        f"SUM(CASE WHEN {value} > 0 AND {mean} > 0 THEN {weight} * {value} "
        f"* LN({value} / {mean}) ELSE 0 END)"
    )


def theil_sql(fw: Framework) -> str:
    """Return the query of each county section's Theil numerator per indicator.

    The two-pass county statistics compute the same sums; this query serves
    results computed with the one-pass variance.
    """
    columns = ["u.year", "u.division_code", "u.section"]
    for ind in fw.resource_indicators:
        term = theil_term(f"u.v_{ind.id}", f"s.mean_{ind.id}", "u.students")
        columns.append(f"{term} AS theil_{ind.id}")
    return (
        f"SELECT {', '.join(columns)} FROM unit_values u JOIN county_stats s "
        "ON u.year = s.year AND u.division_code = s.division_code "
        "AND u.section = s.section GROUP BY u.year, u.division_code, u.section"
    )


def count_if(condition: str, alias: str) -> str:
    """Return a portable aggregate counting the rows where ``condition`` holds."""
    return f"CAST(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END) AS BIGINT) AS {alias}"


def county_stats_sql(fw: Framework, *, two_pass: bool = True) -> str:
    """Return the query of weighted means, S and CVs per county and section.

    ``two_pass`` computes S from deviations to the mean found in a first pass,
    the numerically safe reference form. The one-pass form derives S from
    ``Σ P·X²`` and is faster, but loses digits when the CV is very small.
    """
    first: list[str] = [
        "year",
        "division_code",
        "section",
        "CAST(COUNT(*) AS BIGINT) AS units",
        count_if("students > 0", "schools"),
        count_if("students IS NULL OR students = 0", "schools_without_students"),
        "SUM(students) AS students",
    ]
    if fw.school_rule is not None:
        first += [
            count_if("compliant", "compliant_schools"),
            count_if("compliant = FALSE", "noncompliant_schools"),
            count_if(
                "compliant IS NULL AND students > 0", "unknown_compliance_schools"
            ),
        ]
    for item, index, _ in school_checks(fw):
        col = check_column(item, index)
        first += [
            count_if(f"{col} = FALSE", f"fail_{col}"),
            count_if(f"{col} IS NULL AND students > 0", f"missing_{col}"),
        ]
    for ind in fw.resource_indicators:
        v = f"v_{ind.id}"
        p = f"CASE WHEN {v} IS NOT NULL THEN students END"
        first += [
            f"SUM({p}) AS p_{ind.id}",
            count_if(f"students > 0 AND {v} IS NULL", f"missing_{ind.id}"),
            f"SUM(students * {v}) / SUM({p}) AS mean_{ind.id}",
        ]
        if not two_pass:
            first.append(f"SUM(students * {v} * {v}) AS sxx_{ind.id}")
        if ind.threshold is not None:
            first.append(count_if(f"met_{ind.id} = FALSE", f"unmet_{ind.id}"))
    first_sql = (
        f"SELECT {', '.join(first)} FROM unit_core "
        "GROUP BY year, division_code, section"
    )

    if two_pass:
        second = ["m.year", "m.division_code", "m.section"]
        for ind in fw.resource_indicators:
            v, mean = f"u.v_{ind.id}", f"m.mean_{ind.id}"
            second.append(
                f"SQRT(SUM(u.students * ({v} - {mean}) * ({v} - {mean})) "
                f"/ MIN(m.p_{ind.id})) AS sd_{ind.id}"
            )
            # The Theil numerator rides on the same pass (see theil_sql).
            second.append(f"{theil_term(v, mean, 'u.students')} AS theil_{ind.id}")
        spread = (
            f"SELECT {', '.join(second)} FROM unit_core u JOIN first_pass m "
            "ON u.year = m.year AND u.division_code = m.division_code "
            "AND u.section = m.section GROUP BY m.year, m.division_code, m.section"
        )
    else:
        second = ["year", "division_code", "section"]
        for ind in fw.resource_indicators:
            second.append(
                f"SQRT(GREATEST(sxx_{ind.id} / p_{ind.id} - mean_{ind.id} * "
                f"mean_{ind.id}, 0)) AS sd_{ind.id}"
            )
            second.append(f"CAST(NULL AS DOUBLE) AS theil_{ind.id}")
        spread = f"SELECT {', '.join(second)} FROM first_pass"

    final = ["f.*", *(f"r.{name}" for name in REGION_COLUMNS), "t.cv_limit"]
    cv_terms = []
    for ind in fw.resource_indicators:
        i = ind.id
        cv = f"s.sd_{i} / NULLIF(f.mean_{i}, 0)"
        final += [f"s.sd_{i}", f"s.theil_{i}", f"{cv} AS cv_{i}"]
        cv_terms.append(cv)
        final.append(f"({cv}) <= t.cv_limit AS cv_ok_{i}")
    final.append(f"({' + '.join(cv_terms)}) / {len(cv_terms)} AS composite_cv")
    # The narrow unit table is read by both passes; MATERIALIZED keeps DuckDB
    # from computing the indicators twice (engines without the hint ignore
    # nothing of meaning by dropping it).
    return (
        f"WITH unit_core AS MATERIALIZED ({unit_core_sql(fw)}), "
        f"first_pass AS ({first_sql}), spread AS ({spread}) "
        f"SELECT {', '.join(final)} FROM first_pass f "
        "JOIN spread s ON f.year = s.year AND f.division_code = s.division_code "
        "AND f.section = s.section JOIN thresholds t ON f.section = t.section "
        "LEFT JOIN regions r ON f.division_code = r.division_code"
    )


# Status codes: the worst component decides the verdict.
PASS, INCOMPLETE, FAIL = 0, 1, 2
STATUS_NAMES = {PASS: "pass", INCOMPLETE: "incomplete", FAIL: "fail"}


def section_status_sql(fw: Framework) -> str:
    """Return the query of the resource-allocation status per county section.

    Columns: ``balance_status``, ``school_rule_status``, ``school_items_status``
    and ``status`` (their maximum), each 0 pass, 1 incomplete, 2 fail. A section
    with no enrolled school has status 0 and ``schools = 0``.
    """
    ids = [i.id for i in fw.resource_indicators]
    missing = " OR ".join(f"missing_{i} > 0" for i in ids)
    if fw.balance_rule.mode == "every":
        failed = " OR ".join(f"cv_ok_{i} = FALSE" for i in ids)
        unknown = " OR ".join(f"cv_{i} IS NULL" for i in ids)
    else:
        failed = "composite_cv > cv_limit"
        unknown = "composite_cv IS NULL"
    balance = (
        f"CASE WHEN schools = 0 THEN {PASS} WHEN {failed} THEN {FAIL} "
        f"WHEN {unknown} OR {missing} THEN {INCOMPLETE} ELSE {PASS} END"
    )
    if fw.school_rule is not None:
        rule = (
            f"CASE WHEN noncompliant_schools > 0 THEN {FAIL} "
            f"WHEN unknown_compliance_schools > 0 THEN {INCOMPLETE} ELSE {PASS} END"
        )
    else:
        rule = str(PASS)
    item_terms = [
        f"CASE WHEN fail_{check_column(item, n)} > 0 THEN {FAIL} "
        f"WHEN missing_{check_column(item, n)} > 0 THEN {INCOMPLETE} ELSE {PASS} END"
        for item, n, _ in school_checks(fw)
    ]
    items = f"GREATEST({', '.join(item_terms)})" if item_terms else str(PASS)
    return (
        f"SELECT *, {balance} AS balance_status, {rule} AS school_rule_status, "
        f"{items} AS school_items_status, GREATEST({balance}, {rule}, {items}) "
        "AS status FROM county_stats"
    )


_PASSED = (
    "CASE c.op "
    "WHEN '>=' THEN v.value_num >= c.threshold "
    "WHEN '<=' THEN v.value_num <= c.threshold "
    "WHEN '>' THEN v.value_num > c.threshold "
    "WHEN '<' THEN v.value_num < c.threshold "
    "WHEN '==' THEN v.value_num = c.threshold "
    "WHEN 'true' THEN v.value_bool "
    "WHEN 'false' THEN NOT v.value_bool END"
)


def reported_checks_sql() -> str:
    """Return the query judging the county-level checks that have a value.

    Reads ``checks`` (one row per county-level check of the framework),
    ``county_items`` (the reported values) and ``counties`` (the county-years
    evaluated). Checks without a reported value have no row here; the verdict
    counts them as missing.
    """
    return (
        "SELECT v.year, v.division_code, c.part_id, c.item_id, c.check_index, "
        f"{_PASSED} AS passed FROM county_items v "
        "JOIN checks c ON v.item = c.key "
        "JOIN counties k ON k.year = v.year AND k.division_code = v.division_code"
    )


def county_checks_sql() -> str:
    """Return the query listing every county-level check of every county-year.

    One row per county-year and check, with the reported value and evidence; a
    check without a value has a NULL ``passed``.
    """
    return (
        "SELECT k.year, k.division_code, c.part_id, c.item_id, c.check_index, "
        "c.key, c.op, c.threshold, v.value_num, v.value_bool, v.value_text, "
        f"v.evidence, {_PASSED} AS passed "
        "FROM counties k CROSS JOIN checks c "
        "LEFT JOIN county_items v ON v.year = k.year "
        "AND v.division_code = k.division_code AND v.item = c.key"
    )


def verdicts_sql(check_count: int) -> str:
    """Return the query of one verdict row per county-year.

    ``resource_status`` is the worst section status and ``parts_status`` the
    worst county-level check. A county that reported fewer than ``check_count``
    checks is missing inputs. The verdict is ``fail`` if any component fails,
    else ``incomplete`` if any input is missing, else ``pass``.
    """
    parts = (
        f"CASE WHEN p.failed > 0 THEN {FAIL} "
        f"WHEN COALESCE(p.judged, 0) < {check_count} THEN {INCOMPLETE} "
        f"ELSE {PASS} END"
    )
    return (
        "WITH r AS (SELECT year, division_code, MAX(status) AS resource_status, "
        "MIN(division_name) AS division_name, MIN(city_code) AS city_code, "
        "MIN(city_name) AS city_name, MIN(province_code) AS province_code, "
        "MIN(province_name) AS province_name, SUM(students) AS students, "
        "CAST(SUM(schools) AS BIGINT) AS schools FROM section_status "
        "GROUP BY year, division_code), "
        "p AS (SELECT year, division_code, "
        "SUM(CASE WHEN passed = FALSE THEN 1 ELSE 0 END) AS failed, "
        "SUM(CASE WHEN passed IS NOT NULL THEN 1 ELSE 0 END) AS judged "
        "FROM reported_checks GROUP BY year, division_code), "
        f"q AS (SELECT r.*, {parts} AS parts_status FROM r LEFT JOIN p "
        "ON r.year = p.year AND r.division_code = p.division_code) "
        "SELECT q.*, CASE GREATEST(resource_status, parts_status) "
        f"WHEN {FAIL} THEN 'fail' WHEN {INCOMPLETE} THEN 'incomplete' "
        "ELSE 'pass' END AS verdict FROM q"
    )
