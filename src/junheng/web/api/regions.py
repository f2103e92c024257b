"""Divisions and schools."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from junheng.services import reporting
from junheng.store.divisions import retired_changes
from junheng.store.models import Division
from junheng.web.api.schemas import (
    DivisionChangeOut,
    DivisionOut,
    SchoolEditIn,
    SchoolOut,
)
from junheng.web.auth import CurrentPrincipal, DbSession
from junheng.web.pages.render import language_of
from junheng.web.scope import get_division, get_school, readable_schools

router = APIRouter(tags=["regions"])

CodePrefix = Annotated[
    str,
    Query(pattern=r"^[0-9]{0,6}$", description="Division code prefix (0–6 digits)."),
]


@router.get("/divisions", response_model=list[DivisionOut])
def list_divisions(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    parent: Annotated[
        str | None, Query(pattern=r"^[0-9]{2,6}$", description="Parent division code.")
    ] = None,
    level: Annotated[
        str | None, Query(pattern="^(province|city|county)$", description="Level.")
    ] = None,
) -> list[DivisionOut]:
    """List administrative divisions.

    Division codes and names are public reference data, so every logged-in user
    reads the whole list.
    """
    query = select(Division).order_by(Division.code)
    if parent is not None:
        query = query.where(Division.parent_code == parent)
    if level is not None:
        query = query.where(Division.level == level)
    lang = language_of(request)
    return [division_out(d, lang) for d in session.scalars(query)]


@router.get("/divisions/{code}", response_model=DivisionOut)
def read_division(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    code: str,
) -> DivisionOut:
    """Read one division, with the changes that lead a retired code onward."""
    return division_out(get_division(session, code), language_of(request))


def division_out(division: Division, lang: str = "zh") -> DivisionOut:
    """Return ``division`` for the API, with its changes when it is retired.

    The changes are worded in ``lang``.
    """
    out = DivisionOut.model_validate(division)
    out.changes = [
        DivisionChangeOut(
            year=change.year,
            kind=change.kind,
            new_code=change.new_code,
            new_name=change.new_name,
            text=change.text(lang),
        )
        for change in retired_changes(division)
    ]
    return out


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
