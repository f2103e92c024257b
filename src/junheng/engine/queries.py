"""SQL text of the evaluation, generated from a framework.

Everything here returns strings of portable SQL: ``CASE``, ``NULLIF``,
``UNION ALL``, grouped aggregates and joins on small typed tables, with no
engine-specific functions. DuckDB runs them in-process by default; the same text
is meant to run on a distributed SQL engine for national student-level data.

Relations, in the order they are built:

``county_keys``
    One row per county-year of the input with an integer ``county_id``.
``units``
    One row per school, section and year, for the schools the framework
    includes. Section measures lose their ``primary_``/``junior_`` prefix and
    shared whole-school resources are multiplied by the section's ``share``.
``unit_values``
    ``units`` plus ``v_<ID>`` (indicator value) and ``met_<ID>`` for every
    resource indicator, the counts behind the school rule and its result
    ``compliant``, and school-level item checks ``chk_<ITEM>_<n>``.
``unit_core``
    The same values keyed by one integer, ``unit_key``, without names or raw
    measures: what the county statistics read.
``county_stats``
    One row per county, section and year with, per indicator, the enrolled
    students behind it, the weighted mean, S, CV and the pass flag.
"""

from __future__ import annotations

from typing import Literal

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

LOADED_COUNTY_ID = "loaded_county_id"
"""Column of the county number in rows stored by ``compute.load_schools``."""

Keyed = bool | Literal["stored"]
"""Where a unit's ``county_id`` comes from: nowhere (False), a join with
``county_keys`` (True), or the rows' :data:`LOADED_COUNTY_ID` ("stored")."""

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


RELATIVE_TOLERANCE = 1e-9
"""Relative margin within which a value counts as equal to its bound.

Binary floating point turns some exact ties into near misses: 4909.05 m² over
1,090.9 weighted students gives 4.499999999999999 for a threshold of 4.5, and
a CV that is exactly 0.5 can come out as 0.5000000000000001. A value this
close to its threshold, floor or CV limit counts as equal to it. A value that
truly differs from its bound by less than the margin needs inputs with about
ten significant digits, and school statistics have far fewer.
"""

_COMPARISONS = {">=", "<=", ">", "<", "=="}


def compare_sql(value: str, op: str, bound: float | str | None) -> str:
    """Return the SQL test ``value op bound`` that treats near ties as ties.

    ``bound`` is a number, an SQL expression or ``None`` (the test is then
    NULL). The bound moves by :data:`RELATIVE_TOLERANCE` of its size in the
    direction that counts a tie as equal. So ``>=`` and ``<=`` are true at a
    tie, ``>`` and ``<`` are false, and ``==`` is true within the margin.
    """
    if op not in _COMPARISONS:
        raise ValueError(f"unknown comparison {op!r}; expected one of {_COMPARISONS}")
    if bound is None:
        return f"({value} {'=' if op == '==' else op} CAST(NULL AS DOUBLE))"
    if isinstance(bound, str):
        margin = f"ABS({bound}) * {_double(RELATIVE_TOLERANCE)}"
        lower, upper, exact = f"{bound} - {margin}", f"{bound} + {margin}", bound
    else:
        size = abs(float(bound)) * RELATIVE_TOLERANCE
        lower, upper = _double(bound - size), _double(bound + size)
        exact, margin = _double(bound), _double(size)
    if op == "==":
        return f"(ABS({value} - {exact}) <= {margin})"
    edge = lower if op in (">=", "<") else upper
    return f"({value} {op} {edge})"


def meets(value: float, op: str, bound: float) -> bool:
    """Return the test of :func:`compare_sql` for two numbers.

    Code outside the SQL that judges a value against a bound (reason texts,
    report colours, plans) uses this, so that it agrees with the verdict on
    near ties.
    """
    margin = abs(bound) * RELATIVE_TOLERANCE
    if op == ">=":
        return value >= bound - margin
    if op == "<=":
        return value <= bound + margin
    if op == ">":
        return value > bound + margin
    if op == "<":
        return value < bound - margin
    if op == "==":
        return abs(value - bound) <= margin
    raise ValueError(f"unknown comparison {op!r}; expected one of {_COMPARISONS}")


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
    type-only rule are absent), with one ``in_<section>`` flag per section and
    the threshold of each school-level check that depends on the school type.
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
        thresholds = [
            check.threshold_by_school_type.get(school_type, check.threshold)
            for _, _, check in _type_checks(fw)
            if check.threshold_by_school_type
        ]
        rows.append((school_type, *(s in sections for s in fw.sections), *thresholds))
    return rows


def _type_checks(fw: Framework) -> list[tuple[Item, int, Check]]:
    return [c for c in school_checks(fw) if c[2].threshold_by_school_type]


def school_type_columns(fw: Framework) -> list[str]:
    """Return the column names of the school-type table.

    ``in_<section>`` columns are BOOLEAN, ``thr_<check>`` columns DOUBLE.
    """
    return (
        ["school_type"]
        + [f"in_{s}" for s in fw.sections]
        + [f"thr_{check_column(item, n)}" for item, n, _ in _type_checks(fw)]
    )


def regions_sql(source: str = "schools") -> str:
    """Return the query of the region names of each division in ``source``.

    A division takes the names of most of its rows, so that one row with a
    wrong name does not rename it. Between equally frequent names, the first
    in sort order wins.
    """
    names = ", ".join(REGION_COLUMNS)
    return (
        f"SELECT division_code, {names} FROM (SELECT division_code, {names}, "
        "ROW_NUMBER() OVER (PARTITION BY division_code "
        f"ORDER BY COUNT(*) DESC, {names}) AS place "
        f"FROM {source} GROUP BY division_code, {names}) WHERE place = 1"
    )


def county_keys_sql(source: str = "schools") -> str:
    """Return the query numbering the county-years of ``source``.

    The county statistics group and join on this integer ``county_id`` (with the
    section's position in the framework) instead of the year and the division
    code string, which makes both grouped passes cheaper.
    """
    return (
        "SELECT year, division_code, CAST(ROW_NUMBER() OVER "
        "(ORDER BY year, division_code) AS BIGINT) AS county_id "
        f"FROM (SELECT DISTINCT year, division_code FROM {source}) d"
    )


def _unit_base_sql(fw: Framework, source: str, *, keyed: Keyed) -> str:
    """Return the included schools with their section flags and split weights.

    Reads ``school_types`` (see :func:`school_type_rows`); joining that small
    table decides each school's sections once, instead of testing the type
    against lists of names in every expression. ``keyed`` adds ``county_id``
    from ``county_keys``; ``"stored"`` takes it from the rows' own
    :data:`LOADED_COUNTY_ID` column instead.
    """
    weights: dict[str, float] = {str(k): v for k, v in fw.split.weights.items()}
    enrolled = [
        f"CASE WHEN t.in_{s} THEN CAST(COALESCE(s.{s}_students, 0) AS DOUBLE) "
        "ELSE 0 END"
        for s in fw.sections
    ]
    weighted = [
        f"{_double(weights.get(s, 1.0))} * {expr}"
        for s, expr in zip(fw.sections, enrolled, strict=True)
    ]
    weighted.append(
        f"{_double(weights.get('senior', 1.0))} * "
        "CAST(COALESCE(s.senior_students, 0) AS DOUBLE)"
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
    flags = ", ".join(
        f"t.{name}" for name in school_type_columns(fw) if name != "school_type"
    )
    county = ""
    if keyed == "stored":
        flags += f", s.{LOADED_COUNTY_ID} AS county_id"
    elif keyed is True:
        flags += ", c.county_id"
        county = (
            "JOIN county_keys c ON s.year = c.year "
            "AND s.division_code = c.division_code "
        )
    return (
        f"SELECT s.*, {flags}, {' + '.join(weighted)} AS weighted_students, "
        f"{' + '.join(enrolled)} AS school_students_, {classes} AS school_classes_ "
        f"FROM {source} s JOIN school_types t USING (school_type) {county}{where}"
    )


def _unit_branch_sql(
    fw: Framework, section: str, source: str, keys: list[str], *, keyed: Keyed
) -> str:
    """Return the units of one section with ``keys`` first, then the unit fields.

    Section measures lose their ``primary_``/``junior_`` prefix and shared
    whole-school resources are multiplied by the section's ``share``.
    """
    weight = {str(k): v for k, v in fw.split.weights.items()}.get(section, 1.0)
    shared = set(fw.split.shared_fields)
    share = (
        f"{_double(weight)} * CAST({section}_students AS DOUBLE) "
        "/ NULLIF(weighted_students, 0)"
    )
    columns = [*keys, f"{quote(section)} AS section"]
    columns += [
        f"CAST({section}_{m.name} AS DOUBLE) AS {m.name}" for m in SECTION_MEASURES
    ]
    columns.append("share_ AS share")
    for measure in SCHOOL_MEASURES:
        if measure.name in shared:
            columns.append(f"CAST({measure.name} AS DOUBLE) * share_ AS {measure.name}")
        else:
            columns.append(f"CAST({measure.name} AS DOUBLE) AS {measure.name}")
    columns += [
        "school_students_ AS school_students",
        "school_classes_ AS school_classes",
    ]
    columns += [f"thr_{check_column(i, n)}" for i, n, _ in _type_checks(fw)]
    base = _unit_base_sql(fw, source, keyed=keyed)
    # The base query is repeated in each branch rather than shared as a CTE: a
    # CTE read twice gets materialized with every source column, names included.
    # The share is computed once, in its own step, for every shared field.
    return (
        f"SELECT {', '.join(columns)} FROM (SELECT b.*, {share} AS share_ "
        f"FROM ({base}) b WHERE in_{section}) b"
    )


_IDENTITY = [f.name for f in IDENTITY_FIELDS + REGION_FIELDS]


def units_sql(fw: Framework, source: str = "schools") -> str:
    """Return the query that splits schools into section units (see module doc)."""
    return " UNION ALL ".join(
        _unit_branch_sql(fw, s, source, _IDENTITY, keyed=False) for s in fw.sections
    )


def thresholds_rows(fw: Framework) -> list[tuple[object, ...]]:
    """Return the rows of the typed thresholds table, one per section."""
    rows: list[tuple[object, ...]] = []
    for index, section in enumerate(fw.sections):
        row: list[object] = [section, index, fw.balance_rule.cv_limit[section]]
        for ind in fw.resource_indicators:
            row.append(ind.threshold[section] if ind.threshold else None)
        rows.append(tuple(row))
    return rows


def thresholds_columns(fw: Framework) -> list[str]:
    """Return the column names of the thresholds table."""
    return ["section", "section_index", "cv_limit"] + [
        f"thr_{i.id}" for i in fw.resource_indicators
    ]


def school_checks(fw: Framework) -> list[tuple[Item, int, Check]]:
    """Return every school-level check as (item, index, check)."""
    return [
        (item, n, check)
        for part in fw.parts
        for item in part.items
        if item.level == "school"
        for n, check in enumerate(item.checks)
    ]


def _maybe_double(value: float | None) -> str:
    return "CAST(NULL AS DOUBLE)" if value is None else _double(value)


def _check_bound(
    item: Item, index: int, check: Check, section: str, qualifier: str
) -> float | str | None:
    """Return the threshold of a school-level check in ``section``: a number,
    ``None`` when the section has none, or the column of the school-type table
    that the units carry (qualified by ``qualifier``)."""
    if check.threshold_by_section:
        by_section = {str(k): v for k, v in check.threshold_by_section.items()}
        return by_section.get(section)
    if check.threshold_by_school_type:
        # Read from the school-type table the units carry, not a CASE on names.
        return f"{qualifier}.thr_{check_column(item, index)}"
    return check.threshold


def _threshold_sql(item: Item, index: int, check: Check, section: str) -> str:
    bound = _check_bound(item, index, check, section, "u")
    return bound if isinstance(bound, str) else _maybe_double(bound)


def check_column(item: Item, index: int) -> str:
    """Return the column name of a school-level check's result."""
    return f"chk_{item.id}_{index}"


def _unit_values_section_sql(fw: Framework, section: str, units: str) -> str:
    """Return the query adding indicator values, school rule and checks to units.

    ``units`` is the query of one section's units. Thresholds are that
    section's, written as DOUBLE constants. The values are computed once in an
    inner query; the school rule and the checks then read them by name.
    """
    thresholds: dict[str, float | None] = {
        ind.id: {str(k): v for k, v in (ind.threshold or {}).items()}.get(section)
        for ind in fw.resource_indicators
    }
    inner = ["u.*"]
    inner += [
        f"{_maybe_double(thresholds[i.id])} AS thr_{i.id}"
        for i in fw.resource_indicators
    ]
    for ind in fw.resource_indicators:
        # Inside the guard a division by the students needs no NULLIF.
        formula = compile_formula(
            ind.formula, UNIT_FORMULA_FIELDS, qualifier="u", nonzero={"students"}
        )
        inner.append(f"CASE WHEN u.students > 0 THEN {formula.sql} END AS v_{ind.id}")
    for item, index, check in school_checks(fw):
        assert check.formula is not None
        formula = compile_formula(check.formula, UNIT_FORMULA_FIELDS, qualifier="u")
        inner.append(f"{formula.sql} AS val_{item.id}_{index}")
        check_threshold = _threshold_sql(item, index, check, section)
        inner.append(f"{check_threshold} AS thr_{item.id}_{index}")

    columns = ["w.*"]
    met_terms, known_terms, floor_terms = [], [], []
    rule = fw.school_rule
    for ind in fw.resource_indicators:
        threshold = thresholds[ind.id]
        if ind.threshold is None:
            continue
        value = f"w.v_{ind.id}"
        cmp_met = ">=" if ind.direction == "higher" else "<="
        met_test = compare_sql(value, cmp_met, threshold)
        columns.append(f"{met_test} AS met_{ind.id}")
        met_terms.append(f"CAST({met_test} AS INTEGER)")
        known_terms.append(f"{value} IS NOT NULL")
        if rule is not None:
            floor = (
                None
                if threshold is None
                else threshold * rule.floor_ratio
                if ind.direction == "higher"
                else threshold / rule.floor_ratio
            )
            # A value below the floor breaks the rule whatever else the school meets.
            floor_terms.append(f"NOT {compare_sql(value, cmp_met, floor)}")
    for item, index, check in school_checks(fw):
        # The bound is written into the test itself, so a number gets its
        # margin here rather than for every row.
        bound = _check_bound(item, index, check, section, "w")
        test = compare_sql(f"w.val_{item.id}_{index}", check.op, bound)
        columns.append(f"{test} AS {check_column(item, index)}")
    if rule is not None and met_terms:
        met = " + ".join(f"COALESCE({t}, 0)" for t in met_terms)
        known = " + ".join(f"CAST({t} AS INTEGER)" for t in known_terms)
        below = " + ".join(f"COALESCE(CAST({t} AS INTEGER), 0)" for t in floor_terms)
        columns += [
            f"{met} AS met_count",
            f"{known} AS known_count",
            f"{below} AS below_floor_count",
        ]
        # Three-valued logic: FALSE when the rule is already broken, TRUE when
        # every value is known and enough are met, else NULL. A school without
        # students has no known values, so it comes out NULL. Schools with every
        # value known take the short form, which needs no COALESCE.
        n = len(met_terms)
        broken = f"(({below}) > 0 OR ({met}) + ({n} - ({known})) < {rule.min_met})"
        kept = f"(({known}) = {n} AND ({met}) >= {rule.min_met})"
        fast_broken = " OR ".join(
            [*floor_terms, f"{' + '.join(met_terms)} < {rule.min_met}"]
        )
        columns.append(
            f"CASE WHEN {' AND '.join(known_terms)} THEN NOT ({fast_broken}) "
            f"ELSE (NOT {broken}) AND ({kept} OR NULL) END AS compliant"
        )
    return (
        f"SELECT {', '.join(columns)} FROM (SELECT {', '.join(inner)} "
        f"FROM ({units}) u) w"
    )


def unit_values_sql(fw: Framework, source: str = "schools") -> str:
    """Return the per-school detail: units with values, school rule and checks."""
    return " UNION ALL ".join(
        _unit_values_section_sql(
            fw, s, _unit_branch_sql(fw, s, source, _IDENTITY, keyed=False)
        )
        for s in fw.sections
    )


def unit_core_sql(
    fw: Framework, source: str = "schools", *, stored_keys: bool = False
) -> str:
    """Return the query of the narrow unit table the county statistics read.

    It keeps only one integer key, ``unit_key`` = ``county_id`` (from
    ``county_keys``) times the number of sections plus the section's position,
    enrollment and results, so the grouped passes scan no names or raw
    measures and join on one integer. Values come from the same expressions as
    :func:`unit_values_sql`. ``stored_keys`` says that ``source`` has the
    county numbers in its :data:`LOADED_COUNTY_ID` column, so no join to
    ``county_keys`` is needed.
    """
    columns = ["unit_key", "students"]
    for ind in fw.resource_indicators:
        columns.append(f"v_{ind.id}")
        if ind.threshold is not None:
            columns.append(f"met_{ind.id}")
    if fw.school_rule is not None:
        columns.append("compliant")
    columns += [check_column(item, n) for item, n, _ in school_checks(fw)]
    columns.append("repeat_school")
    branches = []
    for index, section in enumerate(fw.sections):
        # A school with students in an earlier section of its type is already
        # counted there; the county's school count leaves it out here.
        earlier = [f"(in_{s} AND {s}_students > 0)" for s in fw.sections[:index]] or [
            "FALSE"
        ]
        keys = [
            f"county_id * {len(fw.sections)} + {index} AS unit_key",
            "school_type",
            f"({' OR '.join(earlier)}) AS repeat_school",
        ]
        keyed: Keyed = "stored" if stored_keys else True
        units = _unit_branch_sql(fw, section, source, keys, keyed=keyed)
        values = _unit_values_section_sql(fw, section, units)
        branches.append(f"SELECT {', '.join(columns)} FROM ({values}) v")
    return " UNION ALL ".join(branches)


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

    The roll-ups need it and the verdict does not, so it is kept out of the
    county statistics. It reads ``unit_core`` again and joins the county means
    on ``unit_key``.
    """
    columns = ["u.unit_key"]
    for ind in fw.resource_indicators:
        term = theil_term(f"u.v_{ind.id}", f"m.mean_{ind.id}", "u.students")
        columns.append(f"{term} AS theil_{ind.id}")
    means = ", ".join(f"mean_{i.id}" for i in fw.resource_indicators)
    sums = (
        f"SELECT {', '.join(columns)} FROM unit_core u JOIN (SELECT unit_key, "
        f"{means} FROM county_stats) m ON u.unit_key = m.unit_key "
        "GROUP BY u.unit_key"
    )
    theil = ", ".join(f"t.theil_{i.id}" for i in fw.resource_indicators)
    return (
        f"SELECT s.year, s.division_code, s.section, {theil} FROM ({sums}) t "
        "JOIN county_stats s ON t.unit_key = s.unit_key"
    )


def count_if(condition: str, alias: str) -> str:
    """Return a portable aggregate counting the rows where ``condition`` holds."""
    return f"CAST(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END) AS BIGINT) AS {alias}"


def county_stats_sql(
    fw: Framework,
    *,
    two_pass: bool = True,
    theil: bool = False,
    units: str = "SELECT * FROM unit_core",
) -> str:
    """Return the query of weighted means, S and CVs per county and section.

    Reads ``units``, the query of the narrow unit table (see
    :func:`unit_core_sql`), ``county_keys``, ``thresholds`` and ``regions``.
    ``two_pass`` computes S from deviations to the mean found in a first pass,
    the numerically safe reference form. The one-pass form derives S from
    ``Σ P·X²`` and is faster, but loses digits when the CV is very small.
    ``theil`` adds the Theil numerators the roll-ups need (``theil_<ID>``) to
    the second pass, which already pairs each unit with its county mean; the
    one-pass form leaves them to :func:`theil_sql`.
    """
    first: list[str] = [
        "unit_key",
        "CAST(COUNT(*) AS BIGINT) AS units",
        count_if("students > 0", "schools"),
        count_if("students IS NULL OR students = 0", "schools_without_students"),
        count_if("students > 0 AND repeat_school", "repeat_schools"),
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
            # A value exists only where students > 0, so the schools without
            # one are the schools less the values.
            "CAST(SUM(CASE WHEN students > 0 THEN 1 ELSE 0 END) "
            f"- COUNT({v}) AS BIGINT) AS missing_{ind.id}",
            f"SUM(students * {v}) / SUM({p}) AS mean_{ind.id}",
        ]
        if not two_pass:
            first.append(f"SUM(students * {v} * {v}) AS sxx_{ind.id}")
        if ind.threshold is not None:
            first.append(count_if(f"met_{ind.id} = FALSE", f"unmet_{ind.id}"))
    first_sql = f"SELECT {', '.join(first)} FROM uc GROUP BY unit_key"

    if two_pass:
        second = ["m.unit_key"]
        for ind in fw.resource_indicators:
            v, mean = f"u.v_{ind.id}", f"m.mean_{ind.id}"
            second.append(
                f"SUM(u.students * ({v} - {mean}) * ({v} - {mean})) AS ss_{ind.id}"
            )
            if theil:
                second.append(f"{theil_term(v, mean, 'u.students')} AS theil_{ind.id}")
        # Only the means go into the join, which keeps its hash table narrow.
        means = ", ".join(f"mean_{i.id}" for i in fw.resource_indicators)
        spread = (
            f"SELECT {', '.join(second)} FROM uc u JOIN (SELECT unit_key, {means} "
            "FROM first_pass) m ON u.unit_key = m.unit_key GROUP BY m.unit_key"
        )
    else:
        second = ["unit_key"]
        for ind in fw.resource_indicators:
            second.append(
                f"GREATEST(sxx_{ind.id} - p_{ind.id} * mean_{ind.id} * "
                f"mean_{ind.id}, 0) AS ss_{ind.id}"
            )
        spread = f"SELECT {', '.join(second)} FROM first_pass"

    sections = len(fw.sections)
    final = [
        "k.year",
        "k.division_code",
        "f.section",
        "k.county_id",
        "f.*",
        *(f"r.{name}" for name in REGION_COLUMNS),
    ]
    cv_terms = []
    for ind in fw.resource_indicators:
        i = ind.id
        sd = f"SQRT(s.ss_{i} / f.p_{i})"
        cv = f"{sd} / NULLIF(f.mean_{i}, 0)"
        final += [f"{sd} AS sd_{i}", f"{cv} AS cv_{i}"]
        if theil and two_pass:
            final.append(f"s.theil_{i}")
        cv_terms.append(cv)
        final.append(f"{compare_sql(f'({cv})', '<=', 'f.cv_limit')} AS cv_ok_{i}")
    final.append(f"({' + '.join(cv_terms)}) / {len(cv_terms)} AS composite_cv")
    # The section's position is unit_key modulo the number of sections and the
    # county the quotient (exact in integer and in DOUBLE division).
    sectioned = (
        "SELECT p.*, t.section, t.section_index, t.cv_limit, "
        f"CAST((p.unit_key - t.section_index) / {sections} AS BIGINT) AS county_key "
        f"FROM first_pass p JOIN thresholds t ON MOD(p.unit_key, {sections}) "
        "= t.section_index"
    )
    # The two-pass form reads the narrow unit table twice; MATERIALIZED keeps
    # DuckDB from computing the indicators twice (engines without the hint
    # lose nothing of meaning by dropping it). The one-pass form reads it once,
    # and storing it would only cost time.
    hint = "MATERIALIZED " if two_pass else ""
    return (
        f"WITH uc AS {hint}({units}), "
        f"first_pass AS ({first_sql}), spread AS ({spread}) "
        f"SELECT {', '.join(final)} FROM ({sectioned}) f "
        "JOIN spread s ON f.unit_key = s.unit_key "
        "JOIN county_keys k ON f.county_key = k.county_id "
        "LEFT JOIN regions r ON k.division_code = r.division_code"
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
        failed = compare_sql("composite_cv", ">", "cv_limit")
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
    + "".join(
        f"WHEN '{op}' THEN {compare_sql('v.value_num', op, 'c.threshold')} "
        for op in (">=", "<=", ">", "<", "==")
    )
    + "WHEN 'true' THEN v.value_bool WHEN 'false' THEN NOT v.value_bool END"
)


def county_check_counts_sql() -> str:
    """Return the query counting each county-year's judged and failed checks.

    Reads ``checks`` (one row per county-level check of the framework) and
    ``county_items`` (the reported values). A county-year without any reported
    value has no row; the verdict counts its checks as missing.
    """
    return (
        "SELECT year, division_code, "
        "CAST(SUM(CASE WHEN passed = FALSE THEN 1 ELSE 0 END) AS BIGINT) AS failed, "
        "CAST(SUM(CASE WHEN passed IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) "
        f"AS judged FROM (SELECT v.year, v.division_code, {_PASSED} AS passed "
        "FROM county_items v JOIN checks c ON v.item = c.key) j "
        "GROUP BY year, division_code"
    )


def county_checks_sql() -> str:
    """Return the query listing every county-level check of every county-year.

    One row per county-year and check, with the reported value and evidence; a
    check without a value has a NULL ``passed``. Reads ``counties``, the
    county-years evaluated.
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
        "WITH r AS (SELECT county_id, MIN(year) AS year, "
        "MIN(division_code) AS division_code, MAX(status) AS resource_status, "
        + "".join(f"MIN({name}) AS {name}, " for name in REGION_COLUMNS)
        + "SUM(students) AS students, "
        "CAST(SUM(schools) - SUM(repeat_schools) AS BIGINT) AS schools "
        "FROM section_status GROUP BY county_id), "
        f"q AS (SELECT r.*, {parts} AS parts_status FROM r "
        "LEFT JOIN county_check_counts p "
        "ON r.year = p.year AND r.division_code = p.division_code) "
        "SELECT q.*, CASE GREATEST(resource_status, parts_status) "
        f"WHEN {FAIL} THEN 'fail' WHEN {INCOMPLETE} THEN 'incomplete' "
        "ELSE 'pass' END AS verdict FROM q"
    )
