"""Store contents of the monitoring-page tests, entered through the services.

Synthetic data of real divisions of 河南省, made up for these tests:

* 410102 中原区: schools 1–5 approved in 2022, 2023 and 2024 with passing
  county items, so every CV series has the three years a forecast needs.
  Sports ground and equipment vary by school and year, so the CVs of L5 and
  L6 change from year to year. School 5's equipment rises from 1,100,000 to
  2,500,000 yuan in 2024 with the same 500 students: +127.3% (2,500,000 /
  1,100,000 − 1 = 1.2727), above the +100% of the year-jump check, so it is
  flagged. Schools 6–24 exist in 2024 only, so the county has 24 schools in
  2024 and its sample (above the census limit of 20) is a real draw.
* 410103 二七区: schools 31–33 approved in the same years, without county
  items; school 33 is named like a spreadsheet formula.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from dash.dashdata import (
    ERQI,
    FORMULA_NAME,
    ZHONGYUAN,
    People,
    approve_items,
    approve_school,
    create_people,
    save_school,
)
from factories import primary_school
from sqlalchemy.orm import Session
from store.dbfixtures import Database

from junheng.evaluation.verdict import Evaluation, evaluate
from junheng.services import accounts, records
from junheng.services.access import SYSTEM, Role
from junheng.standards.loader import load_framework
from junheng.store.divisions import load_divisions

YEARS = (2022, 2023, 2024)
JUMP_SCHOOL = "2141000005"
JUMP_EQUIPMENT = 2_500_000.0
EVALUATOR = "pinggu"


def zhongyuan_row(number: int, year: int) -> dict[str, Any]:
    """Return school ``number`` of 中原区 in ``year`` (see the module notes)."""
    step = YEARS.index(year) if year in YEARS else 0
    changes: dict[str, Any] = {
        "sports_area_m2": 4000.0 + 250.0 * number * (3 - step),
        "equipment_value_yuan": 1_100_000.0 + 50_000.0 * number * (3 - step),
    }
    if number == 5:
        changes["equipment_value_yuan"] = 1_100_000.0
        if year == 2024:
            changes["equipment_value_yuan"] = JUMP_EQUIPMENT
    return primary_school(number, year=year, **changes)


def erqi_row(number: int, year: int) -> dict[str, Any]:
    """Return school ``number`` (31–33) of 二七区 in ``year``."""
    changes: dict[str, Any] = {
        "division_code": ERQI,
        "school_code": f"21410{number:05d}",
        "sports_area_m2": 3800.0 + 100.0 * number,
    }
    if number == 33:
        changes["school_name"] = FORMULA_NAME
    return primary_school(number, year=year, **changes)


def seed(session: Session) -> People:
    """Fill an empty, migrated store with the data described above."""
    load_divisions(session, SYSTEM, 2024, within=("11", "41"))
    people = create_people(session)
    user = accounts.create_user(
        session,
        SYSTEM,
        EVALUATOR,
        "evaluator password 1",
        Role.EVALUATOR,
        "",
        counties=[ERQI],
    )
    session.flush()
    people.by_name[EVALUATOR] = accounts.principal_for(user, session)
    for year in YEARS:
        for number in range(1, 6):
            row = zhongyuan_row(number, year)
            approve_school(session, people, save_school(session, row))
        approve_items(session, people, ZHONGYUAN, year)
        for number in (31, 32, 33):
            approve_school(
                session, people, save_school(session, erqi_row(number, year))
            )
    for number in range(6, 25):
        row = zhongyuan_row(number, 2024)
        approve_school(session, people, save_school(session, row))
    people.by_name.update(create_people(session, schools=True).by_name)
    session.commit()
    return people


def evaluate_approved(database: Database) -> tuple[Evaluation, pl.DataFrame]:
    """Evaluate the approved frames of every year at once, as the CLI does;
    return the evaluation and the school rows."""
    with database.sessions() as session:
        schools = pl.concat(
            [records.approved_frame(session, y) for y in YEARS], how="diagonal_relaxed"
        )
        items = pl.concat(
            [records.approved_county_items(session, y) for y in YEARS],
            how="diagonal_relaxed",
        )
    return evaluate(schools, load_framework("cn-2017-quality"), items), schools
