"""Shortfalls of an evaluation, their measurement in later years, and the
comparison of the government's evaluation with other authors'.

Pure functions over :class:`junheng.evaluation.verdict.Evaluation`; the store
side is :mod:`junheng.services.rectification`.

A shortfall is one thing a county or school must fix:

========== ============ =====================================================
kind        owner        fixed when
========== ============ =====================================================
``cv``      county       the section's CV of the indicator is ``<=`` the target
``school``  school       the school meets the school rule (``compliant``)
``school_item`` school   every check of a school-level item passes (``pass``)
``item``    county       the county check meets ``op`` and the target
``veto``    county       the veto condition is no longer reported (``false``)
========== ============ =====================================================

Missing values (a county that reported no item, a school without an
indicator) are data gaps, not shortfalls, so no task is made for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from junheng.engine import queries
from junheng.evaluation import messages
from junheng.evaluation.verdict import Evaluation
from junheng.standards.model import Framework, Item

KINDS: tuple[str, ...] = ("cv", "school", "school_item", "item", "veto")
COMPARISONS: tuple[str, ...] = ("<=", ">=", "<", ">", "==")
BOOLEAN_OPS: tuple[str, ...] = ("true", "false")
RULE_OPS: tuple[str, ...] = ("compliant", "pass")
"""Ops judged by the engine's own flags, so the target is shown but not compared."""


@dataclass(frozen=True)
class Shortfall:
    """One shortfall of a county-year, ready to become a rectification task.

    ``value`` is the value found (a CV, the number of indicators a school
    meets, an item's number, or 1/0 for yes/no), and ``target`` the value
    that fixes it by ``op`` (the framework's threshold or limit).
    """

    kind: str
    part: str
    year: int
    division_code: str
    school_code: str | None
    section: str | None
    subject: str
    check_key: str | None
    op: str
    value: float | None
    target: float | None
    title_zh: str
    title_en: str

    @property
    def key(self) -> str:
        """Return the identity of the shortfall: the same one found again has
        the same key."""
        return "/".join(
            str(part or "")
            for part in (
                self.year,
                self.division_code,
                self.kind,
                self.section,
                self.school_code,
                self.subject,
                self.check_key,
            )
        )

    @property
    def owner_code(self) -> str:
        """Return the school code for school shortfalls, else the county code."""
        return self.school_code or self.division_code

    def spec(self, target: float | None = None) -> TaskSpec:
        """Return the task fields of this shortfall, with ``target`` in place
        of the framework's when given."""
        return TaskSpec(
            kind=self.kind,
            division_code=self.division_code,
            school_code=self.school_code,
            section=self.section,
            subject=self.subject,
            check_key=self.check_key,
            op=self.op,
            target=self.target if target is None else target,
        )


@dataclass(frozen=True)
class Measurement:
    """A task's indicator or item in a later evaluation: its value and whether
    it meets the target (``None`` when the data lack the value)."""

    year: int
    value: float | None
    met: bool | None


def meets(op: str, value: float | None, target: float | None) -> bool | None:
    """Return whether ``value`` meets ``target`` by ``op``, or ``None`` when
    either is missing.

    For ``true`` and ``false`` the value is 1 for yes and 0 for no, and the
    target is not used.
    """
    if value is None:
        return None
    if op == "true":
        return value == 1
    if op == "false":
        return value == 0
    if target is None:
        return None
    if op == "<=":
        return value <= target
    if op == ">=":
        return value >= target
    if op == "<":
        return value < target
    if op == ">":
        return value > target
    if op == "==":
        return value == target
    raise ValueError(f"unknown comparison {op!r}; use one of {COMPARISONS}")


def _items(fw: Framework) -> dict[str, tuple[str, Item]]:
    found = {i.id: (p.id, i) for p in fw.parts for i in p.items}
    found.update({i.id: ("veto", i) for i in fw.veto_items})
    return found


def _bool_value(value: bool | None) -> float | None:
    return None if value is None else float(value)


def _check_value(row: dict[str, Any]) -> float | None:
    if row["op"] in BOOLEAN_OPS:
        return _bool_value(row["value_bool"])
    value: float | None = row["value_num"]
    return value


def find_shortfalls(ev: Evaluation, year: int, division_code: str) -> list[Shortfall]:
    """Return every shortfall of one county-year of ``ev``, in the order of the
    verdict's reasons: vetoes, county items, CVs, schools, school items."""
    key = (year, division_code)
    if key not in set(ev.keys()):
        return []
    detail = ev.details([key])[key]
    found: list[Shortfall] = []
    items = _items(ev.framework)
    for row in detail.checks:
        if row["passed"] is not False:
            continue
        part, item = items[row["item_id"]]
        found.append(_check_shortfall(row, part, item))
    for reason in detail.reasons:
        if reason["code"] == "cv_over_limit":
            found.append(
                _cv_shortfall(reason, year, division_code, reason["indicator"])
            )
        elif reason["code"] == "composite_over_limit":
            found.append(_cv_shortfall(reason, year, division_code, "composite"))
        elif reason["code"] == "school_noncompliant":
            found.append(_school_shortfall(reason, year, division_code, ev.framework))
    found += _school_item_shortfalls(ev, year, division_code)
    return found


def _check_shortfall(row: dict[str, Any], part: str, item: Item) -> Shortfall:
    op = row["op"]
    value = _check_value(row)
    shown = messages.format_number(value) if op not in BOOLEAN_OPS else None
    requirement = {
        lang: messages.REQUIREMENT[op][lang].format(
            t=messages.format_number(row["threshold"])
        )
        for lang in ("zh", "en")
    }
    label = item.name.model_dump()
    check = "" if row["key"] == item.id else f" {row['key']}"
    if part == "veto":
        title_zh = f"一票否决 {item.id}{check}：{label['zh']}"
        title_en = f"Veto {item.id}{check}: {label['en']}"
    else:
        found_zh, found_en = shown, shown
        if shown is None:
            found_zh, found_en = ("否", "no") if value == 0 else ("是", "yes")
        title_zh = (
            f"{item.id}{check} {label['zh']}：{found_zh}，要求 {requirement['zh']}"
        )
        title_en = (
            f"{item.id}{check} {label['en']}: {found_en}, required {requirement['en']}"
        )
    return Shortfall(
        kind="veto" if part == "veto" else "item",
        part=part,
        year=row["year"],
        division_code=row["division_code"],
        school_code=None,
        section=None,
        subject=item.id,
        check_key=row["key"],
        op=op,
        value=value,
        target=row["threshold"],
        title_zh=title_zh,
        title_en=title_en,
    )


def _cv_shortfall(
    reason: dict[str, Any], year: int, division_code: str, subject: str
) -> Shortfall:
    return Shortfall(
        kind="cv",
        part="resource",
        year=year,
        division_code=division_code,
        school_code=None,
        section=reason["section"],
        subject=subject,
        check_key=None,
        op="<=",
        value=reason["cv"],
        target=reason["limit"],
        title_zh=reason["message"]["zh"],
        title_en=reason["message"]["en"],
    )


def _school_shortfall(
    reason: dict[str, Any], year: int, division_code: str, fw: Framework
) -> Shortfall:
    below = ", ".join(s["indicator"] for s in reason["below"])
    name = reason["school_name"]
    rule = fw.school_rule
    return Shortfall(
        kind="school",
        part="resource",
        year=year,
        division_code=division_code,
        school_code=reason["school_code"],
        section=reason["section"],
        subject=below or "rule",
        check_key=None,
        op="compliant",
        value=float(reason["met_count"]),
        target=float(rule.min_met) if rule is not None else None,
        title_zh=f"{name}（{reason['school_code']}）未达标：{below}",
        title_en=f"{name} ({reason['school_code']}) not compliant: {below}",
    )


def _school_item_columns(fw: Framework) -> dict[str, tuple[str, Item, list[str]]]:
    by_item: dict[str, tuple[str, Item, list[str]]] = {}
    items = _items(fw)
    for item, index, _ in queries.school_checks(fw):
        part = items[item.id][0]
        by_item.setdefault(item.id, (part, item, []))[2].append(
            queries.check_column(item, index)
        )
    return by_item


def _unit_rows(ev: Evaluation, year: int, where: str, params: list[Any]) -> list[Any]:
    # unit_values recomputes the per-school detail of the whole year on read
    # unless the results cache has stored it, so filter inside the query.
    rows = ev.engine.con.execute(
        f"SELECT * FROM unit_values WHERE year = ? AND {where}", [year, *params]
    )
    columns = [c[0] for c in rows.description or []]
    return [dict(zip(columns, r, strict=True)) for r in rows.fetchall()]


def _school_item_shortfalls(
    ev: Evaluation, year: int, division_code: str
) -> list[Shortfall]:
    by_item = _school_item_columns(ev.framework)
    if not by_item:
        return []
    found: list[Shortfall] = []
    rows = _unit_rows(ev, year, "division_code = ?", [division_code])
    rows.sort(key=lambda r: (r["school_code"], r["section"]))
    # NOTE: one task per school and item, across its sections; the engine
    # keeps no value per school-level check, so the task has no value found.
    seen: set[tuple[str, str]] = set()
    for part, item, columns in by_item.values():
        for row in rows:
            if not any(row[c] is False for c in columns):
                continue
            if (row["school_code"], item.id) in seen:
                continue
            seen.add((row["school_code"], item.id))
            label = item.name.model_dump()
            name = row["school_name"] or ""
            found.append(
                Shortfall(
                    kind="school_item",
                    part=part,
                    year=year,
                    division_code=division_code,
                    school_code=row["school_code"],
                    section=None,
                    subject=item.id,
                    check_key=None,
                    op="pass",
                    value=None,
                    target=None,
                    title_zh=f"{name}（{row['school_code']}）{item.id} "
                    f"{label['zh']} 未达到要求",
                    title_en=f"{name} ({row['school_code']}) {item.id} "
                    f"{label['en']} not met",
                )
            )
    return found


@dataclass(frozen=True)
class TaskSpec:
    """The fields of a task that :func:`measure` reads: the shortfall and its
    target."""

    kind: str
    division_code: str
    school_code: str | None
    section: str | None
    subject: str
    check_key: str | None
    op: str
    target: float | None


def measure(ev: Evaluation, year: int, task: TaskSpec) -> Measurement:
    """Return the value of ``task``'s indicator or item in ``year`` of ``ev``
    and whether it meets the task's target.

    A school that is not in the year's data, or a county without the value,
    gives ``met`` ``None``: the data cannot tell whether the task is done.
    """
    if task.kind == "cv":
        return _measure_cv(ev, year, task)
    if task.kind in ("school", "school_item"):
        return _measure_school(ev, year, task)
    checks = ev.engine.con.execute(
        "SELECT op, value_num, value_bool FROM county_checks "
        "WHERE year = ? AND division_code = ? AND key = ?",
        [year, task.division_code, task.check_key],
    ).fetchall()
    if not checks:
        return Measurement(year, None, None)
    op, value_num, value_bool = checks[0]
    value = _bool_value(value_bool) if op in BOOLEAN_OPS else value_num
    return Measurement(year, value, meets(task.op, value, task.target))


def _measure_cv(ev: Evaluation, year: int, task: TaskSpec) -> Measurement:
    rows = ev.sections.filter(
        (pl.col("year") == year)
        & (pl.col("division_code") == task.division_code)
        & (pl.col("section") == task.section)
    )
    if rows.is_empty():
        return Measurement(year, None, None)
    column = "composite_cv" if task.subject == "composite" else f"cv_{task.subject}"
    value = rows[column][0] if column in rows.columns else None
    return Measurement(year, value, meets("<=", value, task.target))


def _measure_school(ev: Evaluation, year: int, task: TaskSpec) -> Measurement:
    where = "school_code = ?"
    params: list[Any] = [task.school_code]
    if task.section:
        where += " AND section = ?"
        params.append(task.section)
    rows = _unit_rows(ev, year, where, params)
    if not rows:
        return Measurement(year, None, None)
    if task.kind == "school":
        row = rows[0]
        met = row["compliant"]
        return Measurement(year, float(row["met_count"]), met)
    columns = _school_item_columns(ev.framework).get(task.subject, ("", None, []))[2]
    results = [row[c] for row in rows for c in columns]
    if any(r is False for r in results):
        return Measurement(year, None, False)
    if not results or any(r is None for r in results):
        return Measurement(year, None, None)
    return Measurement(year, None, True)


# ------------------------------------------------------------ side by side


@dataclass(frozen=True)
class GovernmentRow:
    """One indicator or item as the government's evaluation judged it."""

    subject: str
    label_zh: str
    label_en: str
    value: float | None
    op: str
    target: float | None
    judgement: str | None


def _judgement(met: bool | None) -> str | None:
    if met is None:
        return None
    return "pass" if met else "fail"


def government_rows(
    ev: Evaluation, year: int, division_code: str, school_code: str = ""
) -> list[GovernmentRow]:
    """Return the subjects of a county-year (``school_code`` empty) or a
    school-year with the government's value and judgement.

    Subjects: ``cv:SECTION:ID`` for each section CV and ``check:KEY`` for each
    county check of a county; ``indicator:SECTION:ID`` and
    ``compliant:SECTION`` for a school.
    """
    if school_code:
        return _school_rows(ev, year, school_code)
    rows: list[GovernmentRow] = []
    sections = ev.sections.filter(
        (pl.col("year") == year) & (pl.col("division_code") == division_code)
    )
    for row in sections.iter_rows(named=True):
        for ind in ev.framework.resource_indicators:
            value = row.get(f"cv_{ind.id}")
            limit = row["cv_limit"]
            rows.append(
                GovernmentRow(
                    subject=f"cv:{row['section']}:{ind.id}",
                    label_zh=f"{ind.name.zh} 差异系数（{_SECTION_ZH[row['section']]}）",
                    label_en=f"{ind.name.en} CV ({row['section']})",
                    value=value,
                    op="<=",
                    target=limit,
                    judgement=_judgement(meets("<=", value, limit)),
                )
            )
    items = _items(ev.framework)
    checks = ev.engine.con.execute(
        "SELECT item_id, key, op, threshold, value_num, value_bool, passed "
        "FROM county_checks WHERE year = ? AND division_code = ? "
        "ORDER BY part_id, item_id, check_index",
        [year, division_code],
    ).fetchall()
    for item_id, key, op, threshold, value_num, value_bool, passed in checks:
        item = items[item_id][1]
        check = "" if key == item_id else f" {key}"
        value = _bool_value(value_bool) if op in BOOLEAN_OPS else value_num
        rows.append(
            GovernmentRow(
                subject=f"check:{key}",
                label_zh=f"{item_id}{check} {item.name.zh}",
                label_en=f"{item_id}{check} {item.name.en}",
                value=value,
                op=op,
                target=threshold,
                judgement=_judgement(passed),
            )
        )
    return rows


_SECTION_ZH = {"primary": "小学", "junior": "初中"}


def subjects(framework: Framework, school: bool) -> set[str]:
    """Return every subject :func:`government_rows` can name under
    ``framework``: those of a school-year when ``school``, else of a
    county-year."""
    indicators = [ind.id for ind in framework.resource_indicators]
    if school:
        found = {f"compliant:{section}" for section in framework.sections}
        found.update(
            f"indicator:{section}:{ind}"
            for section in framework.sections
            for ind in indicators
        )
        return found
    found = {f"check:{key}" for key in framework.county_keys()}
    found.update(
        f"cv:{section}:{ind}" for section in framework.sections for ind in indicators
    )
    return found


def _school_rows(ev: Evaluation, year: int, school_code: str) -> list[GovernmentRow]:
    rows: list[GovernmentRow] = []
    for row in _unit_rows(ev, year, "school_code = ?", [school_code]):
        section = row["section"]
        for ind in ev.framework.resource_indicators:
            rows.append(
                GovernmentRow(
                    subject=f"indicator:{section}:{ind.id}",
                    label_zh=f"{ind.name.zh}（{_SECTION_ZH.get(section, section)}）",
                    label_en=f"{ind.name.en} ({section})",
                    value=row.get(f"v_{ind.id}"),
                    op=">=" if ind.direction == "higher" else "<=",
                    target=row.get(f"thr_{ind.id}"),
                    judgement=_judgement(row.get(f"met_{ind.id}")),
                )
            )
        rows.append(
            GovernmentRow(
                subject=f"compliant:{section}",
                label_zh=f"学校达标（{_SECTION_ZH.get(section, section)}）",
                label_en=f"school compliant ({section})",
                value=float(row["met_count"]),
                op="compliant",
                target=None,
                judgement=_judgement(row["compliant"]),
            )
        )
    return rows


@dataclass(frozen=True)
class PeerView:
    """Another author's entry for a subject, as the comparison needs it."""

    author: str
    role: str
    subject: str
    value: float | None
    judgement: str | None
    note: str | None


def effective_judgement(peer: PeerView, government: GovernmentRow | None) -> str | None:
    """Return the peer's judgement, or the one its value gives against the
    government's target and op when the peer recorded only a value."""
    if peer.judgement:
        return peer.judgement
    if government is None or government.op in RULE_OPS:
        return None
    return _judgement(meets(government.op, peer.value, government.target))


def compare(
    government: list[GovernmentRow], peers: list[PeerView]
) -> list[dict[str, Any]]:
    """Return one row per subject with the government's, the third parties'
    and the self-evaluation's judgements and whether they disagree.

    Two judgements disagree when one is ``pass`` and another ``fail``; a
    missing judgement disagrees with nothing.
    """
    by_subject = {g.subject: g for g in government}
    subjects = [g.subject for g in government]
    subjects += sorted({p.subject for p in peers} - set(by_subject))
    rows = []
    for subject in subjects:
        gov = by_subject.get(subject)
        entries = [p for p in peers if p.subject == subject]
        third = [
            (p, effective_judgement(p, gov)) for p in entries if p.role != "school"
        ]
        own = [(p, effective_judgement(p, gov)) for p in entries if p.role == "school"]
        judgements = {j for _, j in third + own if j}
        if gov is not None and gov.judgement:
            judgements.add(gov.judgement)
        rows.append(
            {
                "subject": subject,
                "government": gov,
                "third_party": third,
                "self": own,
                "disagree": len(judgements) > 1,
            }
        )
    return rows
