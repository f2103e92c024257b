"""Reporting and approval pages: data entry, upload, submit, review, history.

Every change goes through :mod:`junheng.services.reporting`, which checks the
caller's scope, validates with the import rules and appends to the audit chain.
The routes here only read the form, call the service, commit and render.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from junheng.errors import Conflict, InputError, InvalidInput, JunhengError, NotFound
from junheng.ingest.schema import FIELDS_BY_NAME
from junheng.services import reporting
from junheng.services.access import (
    ADMINISTRATIONS,
    Principal,
    Role,
    can_review,
    can_write,
    covers,
)
from junheng.services.completeness import applied_deadlines
from junheng.store.divisions import retired_changes
from junheng.store.models import Division, School, SchoolRecord
from junheng.web.auth import CurrentPrincipal, DbSession
from junheng.web.errors import issue_dict
from junheng.web.forms import (
    FIXED_FIELDS,
    display_value,
    field_groups,
    initial_values,
    read_form,
    version_number,
)
from junheng.web.i18n import Language
from junheng.web.pages.render import language_of, render
from junheng.web.params import RowId, YearPath
from junheng.web.scope import (
    completeness_rows,
    current_records,
    get_record,
    get_school,
    readable_schools,
    record_events,
)
from junheng.web.state import PlatformFramework
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
    return _school_page(request, principal, session, school_code)


def _school_page(
    request: Request,
    principal: Principal,
    session: Session,
    school_code: str,
    error: JunhengError | None = None,
) -> Response:
    school = _school_or_new(session, principal, school_code)
    records = current_records(session, school.code)
    may_edit = (
        principal.role in ADMINISTRATIONS
        and covers(principal.scope, school.division_code)
        and session.get(School, school.code) is not None
    )
    division = session.get(Division, school.division_code)
    deadlines = applied_deadlines(session, school.division_code)
    listed = {r.year for r in records} | set(_open_years(records)) | set(deadlines)
    return render(
        request,
        "reporting/school.html",
        {
            "school": school,
            "division": division,
            "division_changes": retired_changes(division),
            "records": records,
            "can_write": can_write(principal, school.division_code, school.code),
            "open_years": _open_years(records),
            "deadline_years": sorted(listed, reverse=True),
            "deadlines": deadlines,
            "may_edit_master": may_edit,
            "master_choices": {
                name: FIELDS_BY_NAME[name].choices
                for name in ("school_type", "ownership", "location")
            },
            "master_saved": request.query_params.get("master") == "saved",
            "error": error,
            "issues": issue_rows(error, language_of(request)),
        },
        status_code=int(error.status) if error is not None else 200,
    )


@router.post("/reporting/{school_code}/master")
def edit_master(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    school_code: str,
    school_name: Annotated[str, Form()],
    school_type: Annotated[str, Form()],
    ownership: Annotated[str, Form()],
    location: Annotated[str, Form()] = "",
) -> Response:
    """Change the school's name, type, ownership and location (authorities)."""
    values = {
        "school_name": school_name.strip(),
        "school_type": school_type,
        "ownership": ownership,
        "location": location or None,
    }
    try:
        reporting.edit_school(session, principal, school_code, values)
        session.commit()
    except InputError as error:
        session.rollback()
        return _school_page(request, principal, session, school_code, error)
    return RedirectResponse(
        f"/reporting/{school_code}?master=saved", status_code=SEE_OTHER
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
    form = await request.form()
    # The checks and the store block, so they run in the thread pool.
    return await run_in_threadpool(
        _save_year_form, request, principal, session, school_code, year, form
    )


def _save_year_form(
    request: Request,
    principal: Principal,
    session: Session,
    school_code: str,
    year: int,
    form: FormData,
) -> Response:
    school = _school_or_new(session, principal, school_code)
    data = read_form(form, school, year)
    base = version_number(form.get("base_version"))
    # Overwriting another person's newer version takes an explicit choice: the
    # box carries the version the user has seen, and only then replaces ``base``.
    overwrite = version_number(form.get("overwrite_version"))
    try:
        record = reporting.save_school_year(
            session,
            principal,
            school.code,
            year,
            data,
            overwrite if overwrite is not None else base,
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
            base_version=base,
        )
    return RedirectResponse(
        f"/reporting/{school.code}/{record.year}?saved={record.version}",
        status_code=SEE_OTHER,
    )


@router.post("/reporting/upload")
def upload(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    framework: PlatformFramework,
    file: UploadFile,
) -> Response:
    """Import an uploaded Excel or CSV file, all or nothing."""
    with saved_upload(file) as path:
        try:
            imported = reporting.import_school_data(
                session,
                principal,
                path,
                framework=framework,
                limits=request.app.state.settings.size_limits(),
            )
            session.commit()
        except InputError as error:
            session.rollback()
            return render(
                request,
                "reporting/upload_result.html",
                {
                    "error": error,
                    "issues": issue_rows(error, language_of(request)),
                    "records": [],
                },
                status_code=int(error.status),
            )
    lang = language_of(request)
    return render(
        request,
        "reporting/upload_result.html",
        {
            "error": None,
            "issues": [w.as_dict(lang) for w in imported.warnings],
            "records": imported.records,
        },
    )


@router.get("/records/{record_id}")
def record_page(
    request: Request, principal: CurrentPrincipal, session: DbSession, record_id: RowId
) -> Response:
    """Show one version: its data, its workflow and the actions open to the caller."""
    return _record_page(request, session, principal, record_id)


def _record_page(
    request: Request,
    session: Session,
    principal: Principal,
    record_id: int,
    error: JunhengError | None = None,
) -> Response:
    record, school = get_record(session, principal, record_id)
    may_review = record.is_current and can_review(
        principal, school.division_code, record.status
    )
    return render(
        request,
        "reporting/record.html",
        {
            "record": record,
            "school": school,
            "groups": field_groups(),
            "events": record_events(session, school.code, record.year),
            "may_review": may_review,
            "may_submit": record.is_current
            and record.status in EDITABLE
            and can_write(principal, school.division_code, school.code),
            "may_reopen": record.is_current
            and record.status == "approved"
            and principal.role in ADMINISTRATIONS,
            "master_changes": reporting.master_changes(school, record.data)
            if record.status != "approved"
            else [],
            "error": error,
        },
        status_code=int(error.status) if error is not None else 200,
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
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    record_id: RowId,
    decision: Annotated[str, Form(pattern="^(approve|return)$")],
    base_version: Annotated[int, Form(ge=1)],
    comment: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Approve the record for the next level, or return it with a comment.

    A return without a comment shows the record again with the message.
    """
    try:
        record = reporting.review(
            session, principal, record_id, decision, comment.strip(), base_version
        )
    except InvalidInput as error:
        session.rollback()
        return _record_page(request, session, principal, record_id, error)
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
    return _compare_page(request, school, versions[a], versions[b])


@router.get("/records/{record_id}/compare/{other_id}")
def compare_records_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    record_id: RowId,
    other_id: RowId,
) -> Response:
    """Compare two versions given by record id, as the API route of the same path."""
    first, school = get_record(session, principal, record_id)
    second, _ = get_record(session, principal, other_id)
    if (second.school_code, second.year) != (first.school_code, first.year):
        raise InvalidInput(
            f"records {record_id} and {other_id} are not versions of the same "
            "school year; compare versions listed on one history page",
            zh=f"记录 {record_id} 和 {other_id} 不是同一学校同一学年的版本，"
            "请在同一版本历史页面中选择",
        )
    return _compare_page(request, school, first, second)


def _compare_page(
    request: Request, school: School, a: SchoolRecord, b: SchoolRecord
) -> Response:
    return render(
        request,
        "reporting/compare.html",
        {
            "school": school,
            "year": a.year,
            "a": a,
            "b": b,
            "changes": reporting.compare(a, b),
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
    division: Annotated[str | None, Query(pattern=r"^[0-9]{0,6}$")] = None,
) -> Response:
    """Show per child division how many schools reported, were approved, are late."""
    chosen = year if year is not None else _latest_year(session)
    rows = completeness_rows(session, principal, chosen, division)
    return render(
        request,
        "reporting/completeness.html",
        {"rows": rows, "year": chosen, "division": division or ""},
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
    base_version: int | None = None,
) -> Response:
    """Render the data form.

    After a conflict, ``values`` are the user's own and ``base_version`` the
    version the user started from. The form keeps that base and lists what
    the other person changed since, so that saving again conflicts again
    unless the user ticks the box to overwrite.
    """
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
    conflict = None
    if isinstance(error, Conflict) and current is not None and values is not None:
        conflict = _conflict_rows(
            session, principal, school, current, values, base_version
        )
    elif values is None:
        base_version = current.version if current is not None else None
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
            "issues": issue_rows(error, language_of(request)),
            "returned_comment": returned,
            "saved": request.query_params.get("saved"),
            "lang": language_of(request),
            "base_version": base_version,
            "conflict": conflict,
            "deadlines": applied_deadlines(session, school.division_code, [year]),
        },
        status_code=status_code,
    )


def _conflict_rows(
    session: Session,
    principal: Principal,
    school: School,
    current: SchoolRecord,
    values: dict[str, Any],
    base_version: int | None,
) -> list[dict[str, Any]]:
    """Return the fields changed since the user's base: theirs against the user's.

    The base is the version the form was opened on. Without one (two people
    entering a new year at once) every field of the current version counts.
    """
    versions = reporting.versions(session, principal, school.code, current.year)
    base = next((v for v in versions if v.version == base_version), None)
    if base is not None:
        changes = reporting.compare(base, current)
    else:
        empty = SchoolRecord(data={})
        changes = reporting.compare(empty, current)
    return [
        {
            "field": change,
            "base": base.data.get(change.field) if base is not None else None,
            "theirs": display_value(change.after),
            "yours": values.get(change.field),
        }
        for change in changes
        if change.field not in FIXED_FIELDS
    ]


def _open_years(records: Sequence[SchoolRecord]) -> list[int]:
    """Return the recent school years without data: last year and this year."""
    reported = {record.year for record in records}
    this_year = date.today().year
    return [year for year in (this_year - 1, this_year) if year not in reported]


def _latest_year(session: Session) -> int:
    """Return the latest school year with any data, else last year."""
    latest = session.scalar(select(func.max(SchoolRecord.year)))
    return latest if latest is not None else date.today().year - 1


def issue_rows(error: object, lang: Language) -> list[dict[str, object]]:
    """Return the issues of ``error`` as table rows worded in ``lang``."""
    issues = getattr(error, "issues", None) or []
    return [issue_dict(issue, lang) for issue in issues]
