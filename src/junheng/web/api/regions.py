"""Divisions and schools."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from junheng.services import reporting
from junheng.store.models import Division
from junheng.web.api.schemas import DivisionOut, SchoolEditIn, SchoolOut
from junheng.web.auth import CurrentPrincipal, DbSession
from junheng.web.scope import get_division, get_school, readable_schools

router = APIRouter(tags=["regions"])

CodePrefix = Annotated[
    str, Query(pattern=r"^\d{0,6}$", description="Division code prefix (0–6 digits).")
]


@router.get("/divisions", response_model=list[DivisionOut])
def list_divisions(
    principal: CurrentPrincipal,
    session: DbSession,
    parent: Annotated[
        str | None, Query(pattern=r"^\d{2,6}$", description="Parent division code.")
    ] = None,
    level: Annotated[
        str | None, Query(pattern="^(province|city|county)$", description="Level.")
    ] = None,
) -> list[Division]:
    """List administrative divisions.

    Division codes and names are public reference data, so every logged-in user
    reads the whole list.
    """
    query = select(Division).order_by(Division.code)
    if parent is not None:
        query = query.where(Division.parent_code == parent)
    if level is not None:
        query = query.where(Division.level == level)
    return list(session.scalars(query).all())


@router.get("/divisions/{code}", response_model=DivisionOut)
def read_division(
    principal: CurrentPrincipal,
    session: DbSession,
    code: str,
) -> Division:
    """Read one division."""
    return get_division(session, code)


@router.get("/schools", response_model=list[SchoolOut])
def list_schools(
    principal: CurrentPrincipal, session: DbSession, division: CodePrefix = ""
) -> list[SchoolOut]:
    """List the schools the caller may read, optionally within a division."""
    schools = readable_schools(session, principal, division)
    return [SchoolOut.model_validate(s) for s in schools]


@router.get("/schools/{code}", response_model=SchoolOut)
def read_school(
    principal: CurrentPrincipal, session: DbSession, code: str
) -> SchoolOut:
    """Read one school."""
    return SchoolOut.model_validate(get_school(session, principal, code))


@router.patch("/schools/{code}", response_model=SchoolOut)
def edit_school(
    principal: CurrentPrincipal, session: DbSession, code: str, body: SchoolEditIn
) -> SchoolOut:
    """Change a school's name, type, ownership or location; audited.

    Only an education authority whose scope covers the school may do this
    (403 otherwise). A value the import rejects gets 422 with the issues.
    """
    values = body.model_dump(exclude_unset=True)
    school = reporting.edit_school(session, principal, code, values)
    session.commit()
    return SchoolOut.model_validate(school)
