"""Helpers of the plan page and API tests: saved synthetic scenarios and
approved test schools, rosters and locations for the real planners. Every
school, teacher and location here is made up."""

from __future__ import annotations

import math

from plan_results import adjust_result, move
from web.site import SCHOOL_A, SCHOOL_B, Site

from junheng.planning.result import PlanResult
from junheng.planning.school_values import EARTH_RADIUS_KM
from junheng.services import plans

SCHOOL_D = "2141000004"
"""A second primary school of 中原区 (410102) for the rotation and pairing tests."""

ROSTER_HEADER = (
    "teacher_id,school_code,section,subject,backbone,years_at_school,"
    "above_required_degree"
)
SUBJECTS = ["语文"] * 10 + ["数学"] * 10 + ["英语"] * 5 + ["体育"] * 2 + ["音乐"] * 2
SUBJECTS += ["美术"]
"""Subjects of the 30 teachers of a test school: 5 teach PE, music or art."""

DEG_PER_KM = math.degrees(1 / EARTH_RADIUS_KM)
"""Degrees of latitude per km along a meridian, where haversine is R·Δφ."""

FIRST = [move("4101020001", "中原一小", 1), move("4101020002", "=HYPERLINK(1)", 1)]
SECOND = [move("4101020001", "中原一小", 2)]


def save(
    site: Site,
    name: str,
    result: PlanResult | None = None,
    username: str = "zhongyuan",
) -> int:
    """Save ``result`` (the synthetic FIRST plan by default) as ``username``."""
    with site.database.sessions() as session:
        scenario = plans.save_scenario(
            session, site.principals[username], result or adjust_result(FIRST), name
        )
        session.commit()
        return scenario.id


def save_other_county(site: Site, name: str = "金水方案") -> int:
    """Save a synthetic scenario of 金水区 (410105) as its county user."""
    result = adjust_result(SECOND, division_code="410105")
    return save(site, name, result, "jinshui")


def approve_rotation_county(site: Site) -> None:
    """Approve two primary schools of 中原区 whose teachers :func:`roster_csv`
    lists: school A as the factory makes it (30 teachers, 6 of them backbone)
    and school D with 2 backbone teachers."""
    for code, backbone in ((SCHOOL_A, 6), (SCHOOL_D, 2)):
        record = site.save(code, primary_backbone_teachers=backbone)
        site.advance(record, "zhongyuan", "zhengzhou", "henan")


def roster_csv() -> str:
    """Return the roster of the two schools of :func:`approve_rotation_county`.

    Each school has the factory's 30 teachers: the subjects of
    :data:`SUBJECTS`, the first 25 above the required degree, and the first
    10 at the school for 8 years (eligible under the 6-year rule), the rest
    for 3. School A's teachers 1, 2, 3, 11, 12 and 13 are backbone teachers,
    school D's teachers 1 and 11.
    """
    backbone = {SCHOOL_A: {1, 2, 3, 11, 12, 13}, SCHOOL_D: {1, 11}}
    lines = [ROSTER_HEADER]
    for prefix, code in (("A", SCHOOL_A), ("D", SCHOOL_D)):
        for number, subject in enumerate(SUBJECTS, start=1):
            flags = [
                "是" if number in backbone[code] else "否",
                "8" if number <= 10 else "3",
                "是" if number <= 25 else "否",
            ]
            lines.append(
                f"{prefix}{number:02d},{code},小学,{subject},{','.join(flags)}"
            )
    return "\n".join(lines) + "\n"


def approve_school_a(site: Site) -> None:
    """Approve the data of school A (中原区) for the test year up the chain."""
    record = site.save(SCHOOL_A)
    site.advance(record, "zhongyuan", "zhengzhou", "henan")


def approve_short_school(site: Site) -> None:
    """Approve school A (中原区) with 15 teachers above the required degree for
    500 students, so that the least-cost plan hires 3 of them (worked out in
    tests/web/test_plans_real_planner.py)."""
    record = site.save(SCHOOL_A, primary_teachers_above_required_degree=15)
    site.advance(record, "zhongyuan", "zhengzhou", "henan")


def approve_pairing_county(site: Site) -> None:
    """Approve school A as the factory makes it (every threshold met) and
    school D with 15 teachers above the required degree: L1 15 × 100 / 500 =
    3.0 below the threshold 4.2, so D is weak and A strong."""
    record = site.save(SCHOOL_A)
    site.advance(record, "zhongyuan", "zhengzhou", "henan")
    record = site.save(SCHOOL_D, primary_teachers_above_required_degree=15)
    site.advance(record, "zhongyuan", "zhengzhou", "henan")


def locations_csv(km: float = 12.5) -> str:
    """Return a locations file: school A at 30° N 110° E, school D ``km`` km
    north of it on the same meridian (so ``km`` apart by haversine)."""
    north = 30.0 + km * DEG_PER_KM
    return f"学校标识码,纬度,经度\n{SCHOOL_A},30,110\n{SCHOOL_D},{north:.10f},110\n"


ZHONGYUAN, JINSHUI = "410102", "410105"


def approve_two_counties(site: Site) -> None:
    """Approve A (every threshold met) and D in 中原区 and B in 金水区 up the
    chain, D and B with 15 teachers above the required degree (L1 3.0 below
    4.2, as in :func:`approve_pairing_county`): 金水区 has no strong school."""
    for code, county, degree in (
        (SCHOOL_A, "zhongyuan", 25),
        (SCHOOL_D, "zhongyuan", 15),
        (SCHOOL_B, "jinshui", 15),
    ):
        record = site.save(code, primary_teachers_above_required_degree=degree)
        site.advance(record, county, "zhengzhou", "henan")


def three_locations_csv() -> str:
    """A at 30° N 110° E, D 12.5 km north and B 5 km south on its meridian."""
    north = 30.0 + 12.5 * DEG_PER_KM
    south = 30.0 - 5.0 * DEG_PER_KM
    return (
        f"school_code,lat,lon\n{SCHOOL_A},30,110\n{SCHOOL_D},{north:.10f},110\n"
        f"{SCHOOL_B},{south:.10f},110\n"
    )


CROSS_COUNTY_PAIRS = [
    (SCHOOL_A, ZHONGYUAN, SCHOOL_B, JINSHUI, 5.0),
    (SCHOOL_A, ZHONGYUAN, SCHOOL_D, ZHONGYUAN, 12.5),
]
"""The pairs of :func:`approve_two_counties` across the counties of 郑州市 with
:func:`three_locations_csv`, as (strong code, its county, weak code, its
county, km): A takes B of 金水区 and D of its own county."""
