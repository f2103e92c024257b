"""County items: their versions and the approval workflow, as for school data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from junheng.services import reporting
from junheng.services.access import COUNTY_ITEMS
from junheng.store.models import CountyItemRecord
from junheng.web.api.schemas import (
    CountyRecordOut,
    CountyRecordSummary,
    ReopenIn,
    ReviewIn,
    SaveCountyItemsIn,
    SubmitIn,
)
from junheng.web.auth import CurrentPrincipal, DbSession
from junheng.web.params import RowId, YearPath
from junheng.web.scope import get_division
from junheng.web.state import PlatformFramework

router = APIRouter(tags=["county items"])

CountyCode = Annotated[
    str, Path(pattern=r"^[0-9]{6}$", description="6-digit county division code.")
]


@router.get(
    "/county-items/{code}/{year}/records", response_model=list[CountyRecordSummary]
)
def list_county_versions(
    principal: CurrentPrincipal, session: DbSession, code: CountyCode, year: YearPath
) -> list[CountyItemRecord]:
    """List every version of a county's items for a year, oldest first."""
    get_division(session, code)
    return reporting.county_versions(session, principal, code, year)


@router.put(
    "/county-items/{code}/{year}", response_model=CountyRecordOut, status_code=201
)
def save_county_items(
    principal: CurrentPrincipal,
    session: DbSession,
    code: CountyCode,
    year: YearPath,
    body: SaveCountyItemsIn,
    framework: PlatformFramework,
) -> CountyItemRecord:
    """Save a county's items for a year as a new draft version.

    ``data`` maps item keys of the platform's framework to ``{"value",
    "evidence"}``. They are validated like an imported county-items sheet.
    """
    get_division(session, code)
    data = {key: entry.model_dump() for key, entry in body.data.items()}
    record = reporting.save_county_items(
        session, principal, code, year, data, body.base_version, framework=framework
    )
    session.commit()
    return record


@router.get("/county-records/{record_id}", response_model=CountyRecordOut)
def read_county_record(
    principal: CurrentPrincipal, session: DbSession, record_id: RowId
) -> CountyItemRecord:
    """Read one version of county items with its data."""
    return reporting.county_record(session, principal, record_id)


@router.post("/county-records/{record_id}/submit", response_model=CountyRecordOut)
def submit_county_record(
    principal: CurrentPrincipal, session: DbSession, record_id: RowId, body: SubmitIn
) -> reporting.Record:
    """Submit the current county items for review by the city (or province)."""
    record = reporting.submit(
        session, principal, record_id, body.base_version, kind=COUNTY_ITEMS
    )
    session.commit()
    return record


@router.post("/county-records/{record_id}/review", response_model=CountyRecordOut)
def review_county_record(
    principal: CurrentPrincipal, session: DbSession, record_id: RowId, body: ReviewIn
) -> reporting.Record:
    """Approve county items for the next level, or return them with a comment."""
    record = reporting.review(
        session,
        principal,
        record_id,
        body.decision,
        body.comment,
        body.base_version,
        kind=COUNTY_ITEMS,
    )
    session.commit()
    return record


@router.post("/county-records/{record_id}/reopen", response_model=CountyRecordOut)
def reopen_county_record(
    principal: CurrentPrincipal, session: DbSession, record_id: RowId, body: ReopenIn
) -> reporting.Record:
    """Reopen approved county items for a correction."""
    record = reporting.reopen(
        session, principal, record_id, body.reason, kind=COUNTY_ITEMS
    )
    session.commit()
    return record


@router.get("/reviews/pending-county-items", response_model=list[CountyRecordSummary])
def list_pending_county(
    principal: CurrentPrincipal, session: DbSession
) -> list[CountyItemRecord]:
    """List the county items waiting for the caller's review."""
    return reporting.pending_county_reviews(session, principal)
