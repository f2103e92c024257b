"""Teacher rotation plan (交流轮岗): who moves where this year.

:func:`plan_rotation` picks moves of eligible teachers between the school
sections of one county so that

- the rule is met: at least ``ceil(10% × eligible)`` teachers rotate, and at
  least ``ceil(20% × rotated)`` of them are backbone teachers. These shares are
  item G11 of the 2017 standard, and they and the eligibility come from a YAML
  rule file;
- every school section keeps each subject it had (at least one teacher of it);
- every school section's teacher total stays within ``max_net_change`` of its
  total before;
- no teacher with a known home goes to a school farther than
  ``max_distance_km`` (haversine);
- the spread of the teacher indicators (L1, L2, L3 of the 2017 standard: the
  framework's indicators of the form ``count × 100 / students``) falls as far
  as the linear proxy below can tell.

What is optimised. A move within the county and section leaves each
indicator's county mean ``m`` unchanged (the teacher totals do not change), so
the weighted mean absolute deviation ``Σ P_i·|X_i − m| / (m·Σ P_i)`` of every
indicator is linear in the moves. It is the L1 analogue of the CV ``S / m``.
The plan minimises the sum of these proxies over the teacher indicators and
sections, plus a tiny cost per move, so that among equally good plans the one
with fewer moves wins. Teachers with the same school, subject, flags and
reachable schools form one class, and each class may go to its
``candidate_schools`` most promising targets. Up to ``exact_max_variables``
(class, target) pairs the plan is a mixed-integer program solved by HiGHS to a
relative gap of 1e-6; above that, the deterministic greedy search of
:mod:`junheng.planning.rotation_search` minimises the same objective under
the same constraints without a proof of optimality (the summary's ``method``
says which ran). Before and after values and CVs are then computed by the
evaluation engine, so the CVs shown are the official ones, not the proxy.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from junheng.errors import InputError
from junheng.planning.model import Program
from junheng.planning.result import PlanResult
from junheng.planning.roster import read_roster
from junheng.planning.rotation_report import (
    GROUP_TEXT,
    cv_table,
    describe,
    explain_backbone,
    explain_search_failure,
    moves_table,
    units_table,
)
from junheng.planning.rotation_rule import RotationRule, required_counts
from junheng.planning.rotation_search import greedy_moves, proxy_of
from junheng.planning.school_values import (
    TEACHER_FIELDS,
    TeacherIndicator,
    evaluate_units,
    haversine_km,
    location_columns,
    select_schools,
    teacher_indicators,
)
from junheng.standards.model import Framework

__all__ = ["RotationRule", "plan_rotation", "read_roster", "required_counts"]

MOVE_COST = 1e-3
"""Objective cost of one move, in the scaled objective (see :func:`_build_model`).
It breaks ties towards fewer moves and is far below the change that moving one
teacher makes (about ``100 / mean``, 20 or more for the 2017 indicators)."""

SOLVER = "HiGHS (scipy.optimize.milp)"
GREEDY = "greedy search (junheng.planning.rotation_search)"


# ---------------------------------------------------------------------------
# Problem data


@dataclass
class _Unit:
    """One school section with students: the place teachers move between."""

    school_code: str
    school_name: str
    section: str
    students: float
    counts: dict[str, float]
    lat: float | None
    lon: float | None


@dataclass
class _Class:
    """Eligible teachers alike in everything the plan reads."""

    home: int
    subject: str
    flags: dict[str, bool]
    backbone: bool
    targets: tuple[int, ...]
    teachers: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Problem:
    units: list[_Unit]
    classes: list[_Class]
    indicators: list[TeacherIndicator]
    subjects: dict[tuple[int, str], int]
    """Roster teachers per (unit, subject)."""
    means: dict[tuple[str, str], float]
    """County mean of each (indicator, section)."""
    section_students: dict[str, float]
    eligible: int
    eligible_backbone: int
    unlocated: int
    """Teachers with a home whose reach left out schools without a location."""
    outside: int
    """Roster teachers of school sections the evaluation leaves out."""

    @property
    def scale(self) -> float:
        """Factor of the objective: the county's students. The proxy weights
        ``1 / (m·Σ P)`` are near 1e-5, which HiGHS would take for noise."""
        return sum(self.section_students.values())


def _teacher_flags(
    roster: pl.DataFrame, rule: RotationRule, indicators: list[TeacherIndicator]
) -> tuple[pl.DataFrame, list[TeacherIndicator], list[tuple[str, str]]]:
    """Add a boolean column per teacher count field; drop indicators the roster
    cannot tell (no degree flags) and return why, as (zh, en) notes."""
    subjects = pl.col("subject").str.strip_chars().str.to_lowercase()
    frame = roster.with_columns(
        pl.lit(True).alias("teachers"),
        pl.col("backbone").fill_null(False).alias("backbone_teachers"),
        subjects.is_in(list(rule.pe_art_subjects)).alias("pe_art_teachers"),
        pl.col("above_required_degree").alias("teachers_above_required_degree"),
    )
    kept: list[TeacherIndicator] = []
    notes: list[tuple[str, str]] = []
    unknown = roster["above_required_degree"].null_count()
    for indicator in indicators:
        if indicator.field == "teachers_above_required_degree" and unknown:
            notes.append(
                (
                    f"{indicator.id} 未纳入优化：{unknown} 名教师"
                    f"未填写“高于规定学历”，调整后的 {indicator.id} 为近似值。",
                    f"{indicator.id} is left out of the objective: {unknown} "
                    "teachers have no above-required-degree flag, so "
                    f"{indicator.id} after the plan is approximate.",
                )
            )
            continue
        kept.append(indicator)
    return frame, kept, notes


def _check_roster(
    roster: pl.DataFrame, county: pl.DataFrame, units: list[_Unit]
) -> pl.DataFrame:
    """Return the roster rows of evaluated school sections.

    Raises InputError when the roster names a school the school data lacks, or
    has more teachers of a kind in a school section than the school data
    reports.
    """
    known = set(county["school_code"].to_list())
    unknown = roster.filter(~pl.col("school_code").is_in(list(known)))
    if not unknown.is_empty():
        shown = ", ".join(
            f"{r['teacher_id']} ({r['school_code']})"
            for r in unknown.head(10).iter_rows(named=True)
        )
        raise InputError(
            f"{unknown.height} roster teachers work in a school that is not in the "
            f"school data of this county and year: {shown}; correct their school "
            "code, or give the school data of the same county and year",
            zh=f"名册中有 {unknown.height} 名教师所在学校不在本县本学年的学校数据中："
            f"{shown}；请更正学校标识码，或提供同一县、同一学年的学校数据",
        )
    index = {(u.school_code, u.section): i for i, u in enumerate(units)}
    keys = pl.DataFrame(
        [(u.school_code, u.section) for u in units],
        schema={"school_code": pl.String, "section": pl.String},
        orient="row",
    )
    flags = roster.join(keys, on=["school_code", "section"], how="semi")
    counts = flags.group_by("school_code", "section").agg(
        pl.col(name).sum() for name in TEACHER_FIELDS
    )
    problems = []
    for row in counts.sort("school_code", "section").iter_rows(named=True):
        unit = units[index[(row["school_code"], row["section"])]]
        for name in TEACHER_FIELDS:
            if row[name] is not None and row[name] > unit.counts[name]:
                problems.append(
                    f"{unit.school_code} {unit.section} {name}: roster "
                    f"{row[name]}, school data {unit.counts[name]:g}"
                )
    if problems:
        shown = "; ".join(problems[:10])
        raise InputError(
            f"the roster lists more teachers than the school data reports: {shown}; "
            "make the school data and the roster describe the same year",
            zh=f"名册中的教师人数多于学校数据：{shown}；请使名册与学校数据为同一学年",
        )
    return flags


def _build_units(county: pl.DataFrame, unit_frame: pl.DataFrame) -> list[_Unit]:
    places = location_columns(county)
    rows = county.join(places, on="school_code", how="left", suffix="_loc")
    by_code = {r["school_code"]: r for r in rows.iter_rows(named=True)}
    units = []
    for row in unit_frame.iter_rows(named=True):
        school = by_code[row["school_code"]]
        section = row["section"]
        counts = {
            name: float(school.get(f"{section}_{name}") or 0) for name in TEACHER_FIELDS
        }
        lat = school.get("lat_loc", school.get("lat"))
        lon = school.get("lon_loc", school.get("lon"))
        units.append(
            _Unit(
                row["school_code"],
                row["school_name"] or row["school_code"],
                section,
                float(row["students"]),
                counts,
                None if lat is None else float(lat),
                None if lon is None else float(lon),
            )
        )
    return units


def _reach(
    teacher: Mapping[str, Any],
    home: int,
    units: list[_Unit],
    limit: float | None,
) -> tuple[tuple[int, ...], bool]:
    """Return the units a teacher may go to within ``limit`` km of home, and
    whether a school without a location was left out of them."""
    section = units[home].section
    same = [i for i, u in enumerate(units) if u.section == section and i != home]
    lat, lon = teacher["home_lat"], teacher["home_lon"]
    if limit is None or lat is None or lon is None:
        return tuple(same), False
    reach = []
    unlocated = False
    for i in same:
        unit = units[i]
        if unit.lat is None or unit.lon is None:
            unlocated = True
            continue
        if float(haversine_km(lat, lon, unit.lat, unit.lon)) <= limit:
            reach.append(i)
    return tuple(reach), unlocated


def _build_problem(
    roster: pl.DataFrame,
    county: pl.DataFrame,
    unit_frame: pl.DataFrame,
    indicators: list[TeacherIndicator],
    rule: RotationRule,
) -> _Problem:
    units = _build_units(county, unit_frame)
    evaluated = _check_roster(roster, county, units)
    outside = roster.height - evaluated.height
    roster = evaluated
    index = {(u.school_code, u.section): i for i, u in enumerate(units)}
    subjects: dict[tuple[int, str], int] = defaultdict(int)
    classes: dict[tuple[Any, ...], _Class] = {}
    eligible = eligible_backbone = unlocated = 0
    # Without any school location the bound cannot be checked, so it is off and
    # plan_rotation reports that. With some, unlocated schools are out of reach.
    located = any(u.lat is not None and u.lon is not None for u in units)
    limit = rule.max_distance_km if located else None
    ordered = roster.sort("school_code", "section", "teacher_id")
    for teacher in ordered.iter_rows(named=True):
        home = index[(teacher["school_code"], teacher["section"])]
        subject = teacher["subject"].strip()
        subjects[(home, subject)] += 1
        if teacher["years_at_school"] < rule.min_years_at_school:
            continue
        eligible += 1
        eligible_backbone += bool(teacher["backbone"])
        targets, left_out = _reach(teacher, home, units, limit)
        unlocated += left_out
        flags = {i.field: bool(teacher[i.field]) for i in indicators}
        key = (
            home,
            subject,
            tuple(sorted(flags.items())),
            teacher["backbone"],
            targets,
        )
        group = classes.setdefault(
            key, _Class(home, subject, flags, bool(teacher["backbone"]), targets)
        )
        group.teachers.append(teacher)
    students: dict[str, float] = defaultdict(float)
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for unit in units:
        students[unit.section] += unit.students
        for indicator in indicators:
            totals[(indicator.id, unit.section)] += unit.counts[indicator.field]
    means = {
        (ind_id, section): next(i for i in indicators if i.id == ind_id).factor
        * total
        / students[section]
        for (ind_id, section), total in totals.items()
    }
    groups = list(classes.values())
    _keep_candidates(groups, units, indicators, means, dict(students), rule)
    return _Problem(
        units,
        groups,
        indicators,
        dict(subjects),
        means,
        dict(students),
        eligible,
        eligible_backbone,
        unlocated,
        outside,
    )


def _keep_candidates(
    groups: list[_Class],
    units: list[_Unit],
    indicators: list[TeacherIndicator],
    means: dict[tuple[str, str], float],
    students: dict[str, float],
    rule: RotationRule,
) -> None:
    """Keep each class's ``candidate_schools`` most promising targets.

    A target ranks by how far it is below the county mean, per student of the
    section, on the indicators the class's teachers count towards. Ties go to
    the schools that follow the home school in code order, so that moves of
    teachers who count towards no indicator spread out. With at least as many
    candidates as school sections the program is exact.
    """
    shortfall: dict[tuple[int, str], float] = {}
    for u, unit in enumerate(units):
        for ind in indicators:
            mean = means[(ind.id, unit.section)]
            gap = mean * unit.students - ind.factor * unit.counts[ind.field]
            shortfall[(u, ind.field)] = gap / (
                students[unit.section] * max(mean, 1e-12)
            )
    n = len(units)
    for group in groups:
        if len(group.targets) <= rule.candidate_schools:
            continue
        ranked = sorted(
            group.targets,
            key=lambda v: (
                -sum(
                    shortfall[(v, ind.field)]
                    for ind in indicators
                    if group.flags[ind.field]
                ),
                (v - group.home) % n,
            ),
        )
        group.targets = tuple(sorted(ranked[: rule.candidate_schools]))


# ---------------------------------------------------------------------------
# The mixed-integer program


@dataclass
class _Model:
    program: Program
    moves: list[tuple[int, int, int]]
    """(variable, class, target unit) of every move variable."""
    proxy: list[tuple[int, float]]
    """(deviation variable, weight) of the objective's proxy terms."""


_GROUPS = ("coverage", "net_change", "distance")


def _build_model(
    problem: _Problem, rule: RotationRule, low: int, high: int, relax: str = ""
) -> _Model:
    """Write the program; ``relax`` names a constraint group to leave out (used to
    explain an infeasible plan)."""
    program = Program()
    moves: list[tuple[int, int, int]] = []
    units = problem.units
    for c, group in enumerate(problem.classes):
        targets = group.targets
        if relax == "distance":
            section = units[group.home].section
            targets = tuple(
                i
                for i, u in enumerate(units)
                if u.section == section and i != group.home
            )
        terms = []
        for target in targets:
            var = program.variable(MOVE_COST, 0, len(group.teachers), integer=True)
            moves.append((var, c, target))
            terms.append((var, 1.0))
        if terms:
            program.constrain(terms, 0, len(group.teachers))
    everyone = [(var, 1.0) for var, _, _ in moves]
    program.constrain(everyone, low, high)
    share = rule.min_backbone_share
    program.constrain(
        [
            (var, share.denominator * problem.classes[c].backbone - share.numerator)
            for var, c, _ in moves
        ],
        0,
        math.inf,
    )
    flows: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for var, c, target in moves:
        flows[target].append((var, c, 1))
        flows[problem.classes[c].home].append((var, c, -1))
    if relax != "net_change":
        for u in range(len(units)):
            terms = [(var, float(sign)) for var, _, sign in flows[u]]
            if terms:
                program.constrain(terms, -rule.max_net_change, rule.max_net_change)
    if relax != "coverage":
        _add_coverage(program, problem, flows)
    proxy = _add_proxy(program, problem, flows)
    return _Model(program, moves, proxy)


def _add_coverage(
    program: Program, problem: _Problem, flows: dict[int, list[tuple[int, int, int]]]
) -> None:
    """Keep at least one teacher of every subject a school section had."""
    eligible: dict[tuple[int, str], int] = defaultdict(int)
    for group in problem.classes:
        eligible[(group.home, group.subject)] += len(group.teachers)
    for (unit, subject), count in problem.subjects.items():
        if count - eligible[(unit, subject)] >= 1:
            continue  # teachers who cannot rotate keep the subject
        terms = [
            (var, float(sign))
            for var, c, sign in flows[unit]
            if problem.classes[c].subject == subject
        ]
        program.constrain(terms, 1 - count, math.inf)


def _add_proxy(
    program: Program, problem: _Problem, flows: dict[int, list[tuple[int, int, int]]]
) -> list[tuple[int, float]]:
    """Add ``d ≥ |a·(count + net flow) − m·P|`` per indicator and unit, and
    return the deviation variables with their objective weights."""
    proxy = []
    for indicator in problem.indicators:
        for u, unit in enumerate(problem.units):
            mean = problem.means[(indicator.id, unit.section)]
            if mean <= 0:
                continue  # the CV is undefined; nothing to balance
            weight = problem.scale / (mean * problem.section_students[unit.section])
            a = indicator.factor
            gap = a * unit.counts[indicator.field] - mean * unit.students
            terms = [
                (var, a * sign)
                for var, c, sign in flows[u]
                if problem.classes[c].flags[indicator.field]
            ]
            dev = program.variable(weight, 0, math.inf, integer=False)
            proxy.append((dev, weight))
            program.constrain([(dev, 1.0), *((v, -k) for v, k in terms)], gap, math.inf)
            program.constrain([(dev, 1.0), *terms], -gap, math.inf)
    return proxy


# ---------------------------------------------------------------------------
# Plan


def plan_rotation(
    roster: pl.DataFrame,
    schools: pl.DataFrame,
    framework: Framework,
    *,
    division_code: str,
    year: int,
    rule: RotationRule | None = None,
) -> PlanResult:
    """Plan this year's teacher rotation in one county.

    Parameters
    ----------
    roster:
        Teachers, as :func:`read_roster` returns them, of the county's schools.
    schools:
        Canonical school rows (as ``junheng evaluate`` reads them). Optional
        ``lat`` and ``lon`` columns (WGS84 degrees) locate the schools for the
        distance bound.
    framework:
        The framework whose teacher indicators are balanced.
    division_code:
        The 6-digit county code.
    year:
        The school year whose school rows describe the county.
    rule:
        Eligibility and bounds; the shipped rule when ``None``.

    Returns a :class:`PlanResult` of kind ``rotation`` with the tables
    ``moves``, ``units`` (per school section before and after) and ``cvs``.
    An infeasible rule gives ``feasible=False`` and messages naming the
    constraint that cannot be met. Raises :class:`InputError` when the roster
    and the school data do not fit together.
    """
    rule = rule or RotationRule.default()
    county = select_schools(schools, division_code, year)
    codes = sorted(county["division_code"].unique().to_list())
    if len(codes) > 1:
        raise InputError(
            f"a rotation plan covers one county, but {division_code} has "
            f"{len(codes)}: {', '.join(codes[:10])}; give a 6-digit county code",
            zh=f"轮岗方案针对一个县，但 {division_code} 下有 {len(codes)} 个县；"
            "请给出 6 位县级区划代码",
        )
    unit_frame, stats_before = evaluate_units(county, framework)
    flags, indicators, notes = _teacher_flags(
        roster, rule, teacher_indicators(framework)
    )
    problem = _build_problem(flags, county, unit_frame, indicators, rule)
    low, high, backbone_low = required_counts(problem.eligible, rule)
    result = PlanResult(
        kind="rotation",
        division_code=codes[0],
        year=year,
        framework_id=framework.id,
        feasible=False,
        parameters={"rule": rule.to_dict()},
        summary={
            "teachers": roster.height,
            "eligible": problem.eligible,
            "eligible_backbone": problem.eligible_backbone,
            "min_rotated": low,
            "max_rotated": high,
            "min_backbone_rotated": backbone_low,
        },
    )
    for zh, en in notes:
        result.messages_zh.append(zh)
        result.messages_en.append(en)
    if problem.outside:
        result.messages_zh.append(
            f"{problem.outside} 名教师所在学校学段不参与评估（如不足 50 人的教学点）"
            "或无学生，未纳入方案。"
        )
        result.messages_en.append(
            f"{problem.outside} teachers work in school sections that the evaluation "
            "leaves out (such as teaching points under 50 students) or that have no "
            "students; they are not part of the plan."
        )
    located = any(u.lat is not None for u in problem.units)
    if rule.max_distance_km is not None and not located:
        result.messages_zh.append("学校数据没有位置，未检查距离约束。")
        result.messages_en.append(
            "The schools have no locations, so the distance bound is not checked."
        )
    if problem.unlocated:
        result.messages_zh.append(
            f"{problem.unlocated} 名有住址的教师不会被派往未提供位置的学校。"
        )
        result.messages_en.append(
            f"{problem.unlocated} teachers with a home location are not sent to "
            "schools whose location is unknown."
        )
    if problem.eligible_backbone < backbone_low:
        explain_backbone(result, problem, rule, low, backbone_low)
        return result
    variables = sum(len(g.targets) for g in problem.classes)
    if variables <= rule.exact_max_variables:
        model = _build_model(problem, rule, low, high)
        solution = model.program.solve()
        if solution.status == 2:
            _explain_infeasible(result, problem, rule, low, high)
            return result
        if solution.x is None:
            raise RuntimeError(f"HiGHS stopped without a plan: {solution.message}")
        counts = {
            (c, target): round(float(solution.x[var]))
            for var, c, target in model.moves
            if round(float(solution.x[var])) > 0
        }
        result.summary.update(
            {"method": "exact", "solver": SOLVER, "mip_gap": solution.gap}
        )
    else:
        found = greedy_moves(problem, rule, low, high)
        if found is None:
            explain_search_failure(result, low)
            return result
        counts = found
        result.summary.update({"method": "greedy", "solver": GREEDY})
    moves = _pick_teachers(problem, counts)
    after = _apply_moves(county, problem, moves)
    unit_after, stats_after = evaluate_units(after, framework)
    result.feasible = True
    result.summary.update(
        {
            "move_variables": variables,
            "rotated": len(moves),
            "backbone_rotated": sum(bool(m["backbone"]) for m in moves),
            "proxy_before": proxy_of(problem, {}),
            "proxy_after": proxy_of(problem, counts),
        }
    )
    result.tables = [
        moves_table(moves),
        units_table(unit_frame, unit_after, indicators),
        cv_table(stats_before, stats_after, indicators),
    ]
    describe(result, rule, problem, moves)
    return result


def _pick_teachers(
    problem: _Problem, counts: dict[tuple[int, int], int]
) -> list[dict[str, Any]]:
    """Turn class counts into named teachers: the longest at their school go
    first, ties by teacher id."""
    queues = {
        c: sorted(
            group.teachers, key=lambda t: (-t["years_at_school"], t["teacher_id"])
        )
        for c, group in enumerate(problem.classes)
    }
    moves = []
    for (c, target), count in sorted(counts.items()):
        for _ in range(count):
            teacher = queues[c].pop(0)
            home = problem.units[problem.classes[c].home]
            to = problem.units[target]
            distance = None
            if (
                teacher["home_lat"] is not None
                and to.lat is not None
                and to.lon is not None
            ):
                distance = float(
                    haversine_km(
                        teacher["home_lat"], teacher["home_lon"], to.lat, to.lon
                    )
                )
            moves.append(
                {
                    "teacher_id": teacher["teacher_id"],
                    "subject": teacher["subject"],
                    "backbone": bool(teacher["backbone"]),
                    "years_at_school": teacher["years_at_school"],
                    "section": home.section,
                    "from_code": home.school_code,
                    "from_name": home.school_name,
                    "to_code": to.school_code,
                    "to_name": to.school_name,
                    "distance_km": distance,
                    # NOTE: a teacher without an above-required-degree flag
                    # moves no L1 count, so L1 after the plan is approximate
                    # for a roster that leaves the flag empty.
                    "_flags": {
                        f: bool(teacher[f])
                        for f in TEACHER_FIELDS
                        if teacher[f] is not None
                    },
                }
            )
    moves.sort(key=lambda m: (m["section"], m["from_code"], m["teacher_id"]))
    return moves


def _apply_moves(
    county: pl.DataFrame, problem: _Problem, moves: list[dict[str, Any]]
) -> pl.DataFrame:
    """Return the school rows with the teacher counts after the moves."""
    delta: dict[tuple[str, str], int] = defaultdict(int)
    for move in moves:
        for name, has in move["_flags"].items():
            if has:
                column = f"{move['section']}_{name}"
                delta[(move["from_code"], column)] -= 1
                delta[(move["to_code"], column)] += 1
    columns = sorted({column for _, column in delta})
    changes = []
    for column in columns:
        mapping = {code: d for (code, col), d in delta.items() if col == column}
        shift = pl.col("school_code").replace_strict(
            mapping, default=0, return_dtype=pl.Int64
        )
        changes.append((pl.col(column) + shift).alias(column))
    return county.with_columns(changes) if changes else county


def _explain_infeasible(
    result: PlanResult, problem: _Problem, rule: RotationRule, low: int, high: int
) -> None:
    """Name the constraint groups whose removal alone makes the plan feasible."""
    blocking = []
    for group in _GROUPS:
        if group == "distance" and rule.max_distance_km is None:
            continue
        trial = _build_model(problem, rule, low, high, relax=group).program.solve()
        if trial.status != 2:
            blocking.append(group)
    values = {"n": rule.max_net_change, "d": rule.max_distance_km}
    names_zh = [GROUP_TEXT[g][0].format(**values) for g in blocking]
    names_en = [GROUP_TEXT[g][1].format(**values) for g in blocking]
    head_zh = f"无法在满足全部约束的情况下交流至少 {low} 人"
    head_en = f"No plan rotates at least {low} teachers under all the constraints"
    if blocking:
        result.messages_zh.insert(
            0, f"{head_zh}；放宽以下任一约束即可：{'；'.join(names_zh)}。"
        )
        result.messages_en.insert(
            0,
            f"{head_en}; relaxing any one of these makes it possible: "
            f"{'; '.join(names_en)}.",
        )
    else:
        result.messages_zh.insert(0, f"{head_zh}；需同时放宽多项约束。")
        result.messages_en.insert(
            0, f"{head_en}; more than one constraint must be relaxed."
        )
