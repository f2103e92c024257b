"""School-year records, their versions and the approval workflow."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, UploadFile

from junheng.services import reporting
from junheng.store.models import School, SchoolRecord
from junheng.web.api.schemas import (
    CompletenessOut,
    FieldChangeOut,
    ImportIssueOut,
    ImportOut,
    RecordOut,
    RecordSummary,
    ReopenIn,
    ReviewEventOut,
    ReviewIn,
    SaveRecordIn,
    SubmitIn,
)
from junheng.web.auth import CurrentPrincipal, DbSession
from junheng.web.pages.render import language_of
from junheng.web.params import RowId, YearPath
from junheng.web.scope import (
    completeness_rows,
    get_record,
    get_school,
    record_events,
)
from junheng.web.state import PlatformFramework
from junheng.web.uploads import saved_upload

router = APIRouter(tags=["records"])

Year = Annotated[int, Query(ge=1990, le=2100, description="School year (start year).")]


@router.get("/schools/{code}/records", response_model=list[RecordSummary])
def list_versions(
    principal: CurrentPrincipal, session: DbSession, code: str, year: Year
) -> list[SchoolRecord]:
    """List every version of a school's data for a year, newest first."""
    school = get_school(session, principal, code)
    return list(reporting.versions(session, principal, school.code, year))


@router.put("/schools/{code}/records/{year}", response_model=RecordOut, status_code=201)
def save_record(
    principal: CurrentPrincipal,
    session: DbSession,
    code: str,
    year: YearPath,
    body: SaveRecordIn,
) -> SchoolRecord:
    """Save new data for a school year as a new draft version.

    For a school without data yet, ``data`` must include its ``division_code``
    and identity fields.
    The data are validated with the rules of the file import; every problem is
    returned in ``error.detail`` with its field, value and fix.
    """
    data: dict[str, Any] = dict(body.data)
    # A school enters the store with its first data, which then name its county.
    if session.get(School, code) is not None:
        school = get_school(session, principal, code)
        data.setdefault("division_code", school.division_code)
    data.setdefault("school_code", code)
    data.setdefault("year", year)
    record = reporting.save_school_year(
        session, principal, code, year, data, body.base_version
    )
    session.commit()
    return record


@router.post("/imports", response_model=ImportOut, status_code=201)
def import_file(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    framework: PlatformFramework,
    file: UploadFile,
) -> ImportOut:
    """Import an Excel, CSV or Parquet file of school rows, all or nothing.

    The response lists the stored versions and the warnings, worded in the
    request language. A file over the size limits gets 422 before it is parsed.
    """
    # A plain def route runs in the thread pool, so an import of many rows
    # does not hold up other requests.
    with saved_upload(file) as path:
        imported = reporting.import_school_data(
            session,
            principal,
            path,
            framework=framework,
            limits=request.app.state.settings.size_limits(),
        )
        session.commit()
    lang = language_of(request)
    return ImportOut(
        records=[RecordSummary.model_validate(r) for r in imported.records],
        warnings=[
            ImportIssueOut.model_validate(w.as_dict(lang)) for w in imported.warnings
        ],
    )


@router.get("/records/{record_id}", response_model=RecordOut)
def read_record(
    principal: CurrentPrincipal, session: DbSession, record_id: RowId
) -> SchoolRecord:
    """Read one version with its data."""
    record, _ = get_record(session, principal, record_id)
    return record


@router.get("/records/{record_id}/events", response_model=list[ReviewEventOut])
def list_events(
    principal: CurrentPrincipal, session: DbSession, record_id: RowId
) -> list[ReviewEventOut]:
    """List the workflow steps of every version of the record's school year."""
    record, school = get_record(session, principal, record_id)
    events = record_events(session, school.code, record.year)
    return [ReviewEventOut.model_validate(e) for e in events]


@router.get(
    "/records/{record_id}/compare/{other_id}", response_model=list[FieldChangeOut]
)
def compare_records(
    principal: CurrentPrincipal, session: DbSession, record_id: RowId, other_id: RowId
) -> list[FieldChangeOut]:
    """List the fields that differ between two versions of the same school year."""
    first, _ = get_record(session, principal, record_id)
    second, _ = get_record(session, principal, other_id)
    return [FieldChangeOut.model_validate(c) for c in reporting.compare(first, second)]


@router.post("/records/{record_id}/submit", response_model=RecordOut)
def submit_record(
    principal: CurrentPrincipal, session: DbSession, record_id: RowId, body: SubmitIn
) -> reporting.Record:
    """Submit the current version for review by the county."""
    record = reporting.submit(session, principal, record_id, body.base_version)
    session.commit()
    return record


@router.post("/records/{record_id}/review", response_model=RecordOut)
def review_record(
    principal: CurrentPrincipal, session: DbSession, record_id: RowId, body: ReviewIn
) -> reporting.Record:
    """Approve the record for the next level, or return it with a comment."""
    record = reporting.review(
        session, principal, record_id, body.decision, body.comment, body.base_version
    )
    session.commit()
    return record


@router.post("/records/{record_id}/reopen", response_model=RecordOut)
def reopen_record(
    principal: CurrentPrincipal, session: DbSession, record_id: RowId, body: ReopenIn
) -> reporting.Record:
    """Reopen approved data for a correction; it goes up the chain again."""
    record = reporting.reopen(session, principal, record_id, body.reason)
    session.commit()
    return record


@router.get("/reviews/pending", response_model=list[RecordSummary])
def list_pending(principal: CurrentPrincipal, session: DbSession) -> list[SchoolRecord]:
    """List the records waiting for the caller's review."""
    return list(reporting.pending_reviews(session, principal))


@router.get("/completeness", response_model=list[CompletenessOut])
def read_completeness(
    principal: CurrentPrincipal,
    session: DbSession,
    year: Year,
    division: Annotated[
        str | None,
        Query(
            pattern=r"^[0-9]{0,6}$",
            description="Region code; empty for the caller's own region.",
        ),
    ] = None,
) -> list[CompletenessOut]:
    """Count, per child division, the schools expected, submitted, approved, late.

    Without ``division`` (or with an empty one) the rows cover the caller's own
    region, for an evaluator each assigned county.
    """
    rows = completeness_rows(session, principal, year, division)
    return [CompletenessOut.model_validate(row) for row in rows]
