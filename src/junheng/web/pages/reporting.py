"""Reporting and approval pages: data entry, upload, submit, review, history.

Every change goes through :mod:`junheng.services.reporting`, which checks the
caller's scope, validates with the import rules and appends to the audit chain.
The routes here only read the form, call the service, commit and render.
"""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from junheng.errors import Conflict, InputError, JunhengError, NotFound
from junheng.services import reporting
from junheng.services.access import (
    ADMINISTRATIONS,
    Principal,
    Role,
    can_review,
    can_write,
)
from junheng.store.models import School, SchoolRecord
from junheng.web.auth import CurrentPrincipal, DbSession
from junheng.web.forms import field_groups, initial_values, read_form
from junheng.web.pages.render import language_of, render
from junheng.web.params import RowId, YearPath
from junheng.web.scope import (
    current_records,
    get_record,
    get_school,
    readable_schools,
    record_events,
    require_scope,
)
from junheng.web.uploads import saved_upload

router = APIRouter(include_in_schema=False)

SEE_OTHER = 303
EDITABLE = frozenset({"draft", "returned"})
YEARS = Annotated[int, Query(ge=1990, le=2100)]


@router.get("/reporting")
def reporting_home(
    request: Request, principal: CurrentPrincipal, session: DbSession
) -> Response:
    """List the schools the caller reports for, with each year's status."""
    if principal.role == Role.SCHOOL and principal.school_code:
        return RedirectResponse(
            f"/reporting/{principal.school_code}", status_code=SEE_OTHER
        )
    schools = readable_schools(session, principal)
    return render(request, "reporting/schools.html", {"schools": schools})


@router.get("/reporting/{school_code}")
def school_page(
    request: Request, principal: CurrentPrincipal, session: DbSession, school_code: str
) -> Response:
    """Show a school's years, their current status and the upload form."""
    school = _school_or_new(session, principal, school_code)
    return render(
        request,
        "reporting/school.html",
        {
            "school": school,
            "records": current_records(session, school.code),
            "can_write": can_write(principal, school.division_code, school.code),
            "this_year": date.today().year,
        },
    )


@router.get("/reporting/{school_code}/{year}")
def year_form(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    school_code: str,
    year: YearPath,
) -> Response:
    """Show the data form of a school year with its current version."""
    school = _school_or_new(session, principal, school_code)
    current = _current(session, principal, school, year)
    return _form_page(request, session, principal, school, year, current)


@router.post("/reporting/{school_code}/{year}")
async def save_year(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    school_code: str,
    year: YearPath,
) -> Response:
    """Save the form as a new draft version; show every issue if it is invalid."""
    school = _school_or_new(session, principal, school_code)
    form = await request.form()
    data = read_form(form, school, year)
    base = _base_version(form.get("base_version"))
    try:
        record = reporting.save_school_year(
            session, principal, school.code, year, data, base
        )
        session.commit()
    except (InputError, Conflict) as error:
        session.rollback()
        current = _current(session, principal, school, year)
        return _form_page(
            request,
            session,
            principal,
            school,
            year,
            current,
            values=data,
            error=error,
            status_code=int(error.status),
        )
    return RedirectResponse(
        f"/reporting/{school.code}/{record.year}?saved={record.version}",
        status_code=SEE_OTHER,
    )


@router.post("/reporting/upload")
async def upload(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    file: UploadFile,
) -> Response:
    """Import an uploaded Excel or CSV file, all or nothing."""
    async with saved_upload(file) as path:
        try:
            records = reporting.import_school_file(session, principal, path)
            session.commit()
        except InputError as error:
            session.rollback()
            return render(
                request,
                "reporting/upload_result.html",
                {"error": error, "issues": _issue_rows(error), "records": []},
                status_code=int(error.status),
            )
    return render(
        request,
        "reporting/upload_result.html",
        {"error": None, "issues": [], "records": records},
    )


@router.get("/records/{record_id}")
def record_page(
    request: Request, principal: CurrentPrincipal, session: DbSession, record_id: RowId
) -> Response:
    """Show one version: its data, its workflow and the actions open to the caller."""
    record, school = get_record(session, principal, record_id)
    return render(
        request,
        "reporting/record.html",
        {
            "record": record,
            "school": school,
            "groups": field_groups(),
            "events": record_events(session, school.code, record.year),
            "may_review": record.is_current
            and can_review(principal, school.division_code, record.status),
            "may_submit": record.is_current
            and record.status in EDITABLE
            and can_write(principal, school.division_code, school.code),
            "may_reopen": record.is_current
            and record.status == "approved"
            and principal.role in ADMINISTRATIONS,
        },
    )


@router.post("/records/{record_id}/submit")
def submit(
    principal: CurrentPrincipal,
    session: DbSession,
    record_id: RowId,
    base_version: Annotated[int, Form(ge=1)],
) -> Response:
    """Submit the current version for review by the county."""
    record = reporting.submit(session, principal, record_id, base_version)
    session.commit()
    return RedirectResponse(f"/records/{record.id}", status_code=SEE_OTHER)


@router.post("/records/{record_id}/review")
def review(
    principal: CurrentPrincipal,
    session: DbSession,
    record_id: RowId,
    decision: Annotated[str, Form(pattern="^(approve|return)$")],
    base_version: Annotated[int, Form(ge=1)],
    comment: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Approve the record for the next level, or return it with a comment."""
    record = reporting.review(
        session, principal, record_id, decision, comment.strip(), base_version
    )
    session.commit()
    return RedirectResponse(f"/records/{record.id}", status_code=SEE_OTHER)


@router.post("/records/{record_id}/reopen")
def reopen(
    principal: CurrentPrincipal,
    session: DbSession,
    record_id: RowId,
    reason: Annotated[str, Form(min_length=1, max_length=2000)],
) -> Response:
    """Reopen approved data for a correction, which then goes up the chain again."""
    record = reporting.reopen(session, principal, record_id, reason.strip())
    session.commit()
    return RedirectResponse(f"/records/{record.id}", status_code=SEE_OTHER)


@router.get("/reporting/{school_code}/{year}/versions")
def versions_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    school_code: str,
    year: YearPath,
) -> Response:
    """List every version of a school year with a form to compare two."""
    school = get_school(session, principal, school_code)
    versions = reporting.versions(session, principal, school.code, year)
    return render(
        request,
        "reporting/versions.html",
        {"school": school, "year": year, "versions": versions},
    )


@router.get("/reporting/{school_code}/{year}/compare")
def compare_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    school_code: str,
    year: YearPath,
    a: Annotated[int, Query(ge=1)],
    b: Annotated[int, Query(ge=1)],
) -> Response:
    """Compare two versions of a school year field by field."""
    school = get_school(session, principal, school_code)
    versions = {
        v.version: v for v in reporting.versions(session, principal, school.code, year)
    }
    missing = [n for n in (a, b) if n not in versions]
    if missing:
        raise NotFound(
            f"version {missing[0]} of school {school.code} in {year} was not found; "
            f"it has versions {sorted(versions)}",
            zh=f"学校 {school.code} {year} 学年没有第 {missing[0]} 版，"
            f"现有版本：{sorted(versions)}",
        )
    changes = reporting.compare(versions[a], versions[b])
    return render(
        request,
        "reporting/compare.html",
        {
            "school": school,
            "year": year,
            "a": versions[a],
            "b": versions[b],
            "changes": changes,
        },
    )


@router.get("/reviews")
def reviews_page(
    request: Request, principal: CurrentPrincipal, session: DbSession
) -> Response:
    """List the records waiting for the caller's review."""
    pending = reporting.pending_reviews(session, principal)
    return render(request, "reporting/reviews.html", {"pending": pending})


@router.get("/completeness")
def completeness_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    year: YEARS | None = None,
    division: Annotated[str | None, Query(pattern=r"^\d{0,6}$")] = None,
) -> Response:
    """Show per child division how many schools reported, were approved, are late."""
    prefix = principal.scope if division is None else division
    require_scope(principal, prefix)
    chosen = year if year is not None else _latest_year(session)
    rows = reporting.completeness(session, principal, chosen, prefix)
    return render(
        request,
        "reporting/completeness.html",
        {"rows": rows, "year": chosen, "division": prefix},
    )


def _school_or_new(session: Session, principal: Principal, code: str) -> School:
    """Return the school, or an unsaved one for a school user's first report.

    A school enters the store with its first saved data, so a school account
    must be able to open the form of a school the store does not know yet.
    """
    if (
        principal.role == Role.SCHOOL
        and principal.school_code == code
        and session.get(School, code) is None
    ):
        return School(code=code, name="", division_code=principal.scope, school_type="")
    return get_school(session, principal, code)


def _current(
    session: Session, principal: Principal, school: School, year: int
) -> SchoolRecord | None:
    if session.get(School, school.code) is None:
        return None
    versions = reporting.versions(session, principal, school.code, year)
    return next((v for v in versions if v.is_current), None)


def _form_page(
    request: Request,
    session: Session,
    principal: Principal,
    school: School,
    year: int,
    current: SchoolRecord | None,
    values: dict[str, Any] | None = None,
    error: JunhengError | None = None,
    status_code: int = 200,
) -> Response:
    editable = can_write(principal, school.division_code, school.code) and (
        current is None or current.status in EDITABLE
    )
    returned = None
    if current is not None and current.status == "returned":
        events = record_events(session, school.code, year)
        returned = next(
            (e.comment for e in reversed(events) if e.to_status == "returned"), None
        )
    form_values = (
        values
        if values is not None
        else initial_values(current.data if current is not None else None, school)
    )
    return render(
        request,
        "reporting/form.html",
        {
            "school": school,
            "year": year,
            "current": current,
            "groups": field_groups(),
            "values": form_values,
            "editable": editable,
            "error": error,
            "issues": _issue_rows(error),
            "returned_comment": returned,
            "saved": request.query_params.get("saved"),
            "lang": language_of(request),
        },
        status_code=status_code,
    )


def _latest_year(session: Session) -> int:
    """Return the latest school year with any data, else last year."""
    latest = session.scalar(select(func.max(SchoolRecord.year)))
    return latest if latest is not None else date.today().year - 1


def _base_version(raw: object) -> int | None:
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw)
    return None


def _issue_rows(error: object) -> list[dict[str, object]]:
    issues = getattr(error, "issues", None) or []
    return [asdict(i) for i in issues if is_dataclass(i) and not isinstance(i, type)]
