"""Reporting workflow: save versions, import files, submit, review and reopen.

School data go school → county → city → province; county items start at the
county and go to the city and the province. A division without a city level
skips the city (see :func:`junheng.services.access.reviewer_role`). The
province's approval is final: the record is locked until someone reopens it,
which starts a new version that goes through the same chain again.

Every save makes a new version. Changes are checked against the version the
user started from (``base_version``), so two people editing at once do not
overwrite each other: the second gets a :class:`~junheng.errors.Conflict`
naming who changed the record and when.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from junheng.errors import (
    Conflict,
    InputError,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from junheng.governance import audit
from junheng.ingest.issues import Issue
from junheng.ingest.messages import both, render
from junheng.ingest.schema import ALL_SCHOOL_FIELDS, FIELDS_BY_NAME
from junheng.ingest.size_limits import SizeLimits
from junheng.services.access import (
    ADMINISTRATIONS,
    COUNTY_ITEMS,
    SCHOOL_RECORD,
    Principal,
    Role,
    can_review,
    can_write,
    covers,
    require_read,
    require_write,
    reviewer_role,
)
from junheng.services.completeness import (
    CompletenessRow,
    completeness,
    set_deadline,
)
from junheng.services.records import bump_data_generation, county_published
from junheng.services.statuses import county_items_status_name, status_name
from junheng.services.validation import (
    FORM_SOURCE,
    RowPlace,
    field_label,
    invalid,
    json_value,
    plausibility_issues,
    validate_county_data,
    validate_school_data,
)
from junheng.store.divisions import has_city_level
from junheng.store.models import (
    CountyItemRecord,
    Division,
    ReviewEvent,
    School,
    SchoolRecord,
    utcnow,
)

if TYPE_CHECKING:
    from junheng.standards.model import Framework

__all__ = [
    "CompletenessRow",
    "FieldChange",
    "ImportedFile",
    "compare",
    "completeness",
    "county_record",
    "county_versions",
    "edit_school",
    "import_school_data",
    "import_school_file",
    "master_changes",
    "may_edit_county",
    "may_review",
    "pending_county_reviews",
    "pending_reviews",
    "reopen",
    "review",
    "save_county_items",
    "save_school_year",
    "set_deadline",
    "submit",
    "versions",
]

EDITABLE_STATES: tuple[str, ...] = ("draft", "returned")
REVIEW_STATES: tuple[str, ...] = ("submitted", "county_approved", "city_approved")
REVIEWERS: tuple[Role, ...] = (Role.COUNTY, Role.CITY, Role.PROVINCE)
"""Roles that review records (see :func:`~junheng.services.access.reviewer_role`)."""
_APPROVED_BY: dict[Role, str] = {
    Role.COUNTY: "county_approved",
    Role.CITY: "city_approved",
    Role.PROVINCE: "approved",
}

Record = SchoolRecord | CountyItemRecord
RecordT = TypeVar("RecordT", SchoolRecord, CountyItemRecord)


@dataclass(frozen=True)
class FieldChange:
    """A field whose value differs between two versions."""

    field: str
    label_zh: str
    label_en: str
    before: Any
    after: Any


# ---------------------------------------------------------------------------
# Shared helpers


def _when(record_time: Any) -> str:
    return f"{record_time.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


def _model(kind: str) -> type[SchoolRecord] | type[CountyItemRecord]:
    if kind == SCHOOL_RECORD:
        return SchoolRecord
    if kind == COUNTY_ITEMS:
        return CountyItemRecord
    raise ValueError(f"unknown record kind {kind!r}")


def _label(record: Record) -> tuple[str, str]:
    """Return the English and Chinese name of what ``record`` is about."""
    if isinstance(record, SchoolRecord):
        return (
            f"the data of school {record.school_code} for {record.year}",
            f"学校 {record.school_code} 的 {record.year} 学年数据",
        )
    return (
        f"the county items of {record.division_code} for {record.year}",
        f"{record.division_code} 的 {record.year} 学年县级指标",
    )


def _load(session: Session, kind: str, record_id: int) -> Record:
    record: Record | None
    if _model(kind) is SchoolRecord:
        record = session.get(SchoolRecord, record_id)
    else:
        record = session.get(CountyItemRecord, record_id)
    if record is None:
        raise NotFound(
            f"no {kind} record with id {record_id}",
            zh=f"不存在 id 为 {record_id} 的记录",
        )
    return record


def _place(session: Session, record: Record) -> tuple[str, str | None]:
    """Return the county code and the school code (if any) of ``record``."""
    if isinstance(record, SchoolRecord):
        school = session.get(School, record.school_code)
        assert school is not None  # enforced by the foreign key
        return school.division_code, school.code
    return record.division_code, None


def _city_level(session: Session, division_code: str) -> bool:
    division = session.get(Division, division_code)
    if division is not None and division.parent_code is not None:
        return len(division.parent_code) == 4
    return has_city_level(division_code)


def _last_event(session: Session, kind: str, record: Record) -> ReviewEvent | None:
    return session.scalar(
        select(ReviewEvent)
        .where(ReviewEvent.record_kind == kind, ReviewEvent.record_id == record.id)
        .order_by(ReviewEvent.id.desc())
        .limit(1)
    )


def _current_of(session: Session, kind: str, record: Record) -> Record | None:
    if isinstance(record, SchoolRecord):
        return _current_school(session, record.school_code, record.year)
    return _current_county(session, record.division_code, record.year)


def _changed_by(current: Record, base_version: int | None) -> Conflict:
    en, zh = _label(current)
    when = _when(current.created_at)
    edited = "a new record" if base_version is None else f"version {base_version}"
    edited_zh = "新记录" if base_version is None else f"第 {base_version} 版"
    return Conflict(
        f"{en} was changed by {current.created_by} at {when} and is now version "
        f"{current.version}, but you edited {edited}; reload it, apply your "
        "changes again and save",
        zh=f"{zh}已由 {current.created_by} 于 {when} 修改，当前为第 "
        f"{current.version} 版，而您编辑的是{edited_zh}；请刷新后重新修改并保存",
    )


def _status_name(record: Record) -> str:
    """Return the Chinese name of ``record``'s status, naming its next reviewer."""
    if isinstance(record, CountyItemRecord):
        return county_items_status_name(record.status, record.division_code, "zh")
    return status_name(record.status, "zh")


def _status_moved(session: Session, kind: str, record: Record) -> Conflict:
    en, zh = _label(record)
    event = _last_event(session, kind, record)
    if event is None:
        by_en, by_zh = "", ""
    else:
        by_en = f" by {event.actor} at {_when(event.at)}"
        by_zh = f"（{event.actor} 于 {_when(event.at)} 操作）"
    return Conflict(
        f"the status of {en} is now {record.status}{by_en}; reload to see what changed",
        zh=f"{zh}当前状态为“{_status_name(record)}”{by_zh}，请刷新查看",
    )


def _check_current(
    session: Session, kind: str, record: Record, base_version: int | None
) -> None:
    """Raise :class:`Conflict` unless ``record`` is the version the user saw."""
    current = _current_of(session, kind, record)
    if current is None or current.id != record.id or record.version != base_version:
        raise _changed_by(current or record, base_version)


def _transition(
    session: Session,
    principal: Principal,
    kind: str,
    record: Record,
    to_status: str,
    comment: str | None,
    action: str,
) -> Record:
    """Move ``record`` to ``to_status`` unless someone else moved it first."""
    model = _model(kind)
    from_status = record.status
    result = session.execute(
        update(model)
        .where(
            model.id == record.id,
            model.status == from_status,
            model.is_current.is_(True),
        )
        .values(status=to_status)
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(record)
        raise _status_moved(session, kind, record)
    event = ReviewEvent(
        record_kind=kind,
        record_id=record.id,
        actor=principal.username,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
        at=utcnow(),
    )
    session.add(event)
    session.flush()
    audit.append(
        session,
        principal.username,
        f"{kind}.{action}",
        kind,
        record.id,
        {"status": from_status},
        {"status": to_status, "version": record.version, "comment": comment},
    )
    if to_status == "approved":
        if isinstance(record, SchoolRecord):
            _apply_master_data(session, principal, record)
        bump_data_generation(session)
    return record


def _check_editable(
    current: Record | None, base_version: int | None, missing_en: str, missing_zh: str
) -> None:
    """Raise unless a new version may follow ``current`` from ``base_version``.

    ``missing_en`` and ``missing_zh`` name what has no data yet, for a
    ``base_version`` given where no version exists.
    """
    if (current.version if current else None) != base_version:
        if current is None:
            raise NotFound(
                f"{missing_en}, so version {base_version} does not exist; save "
                "without a base version",
                zh=f"{missing_zh}，不存在第 {base_version} 版",
            )
        raise _changed_by(current, base_version)
    if current is not None and current.status not in EDITABLE_STATES:
        raise _locked(current)


def _add_version(
    session: Session,
    principal: Principal,
    kind: str,
    current: Record | None,
    record: RecordT,
    after: dict[str, Any],
) -> RecordT:
    """Store ``record`` as the version after ``current`` and audit the save."""
    before: dict[str, Any] | None = None
    if current is not None:
        current.is_current = False
        before = {"version": current.version, "status": current.status}
    session.add(record)
    try:
        session.flush()
    except IntegrityError as error:
        # Another transaction saved the same version first.
        en, zh = _label(record)
        raise Conflict(
            f"{en} were saved by someone else at the same moment; reload them "
            "and save again",
            zh=f"{zh}刚被他人同时保存，请刷新后重新保存",
        ) from error
    audit.append(
        session,
        principal.username,
        f"{kind}.save",
        kind,
        record.id,
        before,
        {**after, "version": record.version, "status": record.status},
    )
    return record


# ---------------------------------------------------------------------------
# School-year records


def _current_school(
    session: Session, school_code: str, year: int
) -> SchoolRecord | None:
    return session.scalar(
        select(SchoolRecord)
        .where(
            SchoolRecord.school_code == school_code,
            SchoolRecord.year == year,
            SchoolRecord.is_current.is_(True),
        )
        .with_for_update()
    )


def _locked(record: Record) -> Conflict:
    code, fields = _locked_issue(record)
    message_en, fix_en = render(code, "en", fields)
    message_zh, fix_zh = render(code, "zh", fields)
    return Conflict(f"{message_en}; {fix_en}", zh=f"{message_zh}；{fix_zh}")


def save_school_year(
    session: Session,
    principal: Principal,
    school_code: str,
    year: int,
    data: dict[str, Any],
    base_version: int | None,
    *,
    source: str = FORM_SOURCE,
    comment: str | None = None,
) -> SchoolRecord:
    """Save a new version of a school's data for ``year``.

    ``data`` maps canonical field names to values; it is checked with the
    rules of the file import (see
    :func:`junheng.services.validation.validate_school_data`).
    ``base_version`` is the version the user edited, ``None`` for a school-year
    without data. Saving unchanged data returns the current version. Raises
    :class:`InvalidInput`, :class:`PermissionDenied`, or :class:`Conflict` when
    the record changed since ``base_version`` or is under review or approved.
    """
    data = dict(data)
    for name, value in (("school_code", school_code), ("year", year)):
        if data.setdefault(name, value) != value and str(data[name]) != str(value):
            issue = Issue.coded(
                source,
                None,
                None,
                FIELDS_BY_NAME[name].zh,
                str(data[name]),
                "store_mismatch",
                value=data[name],
                expected=value,
                field=field_label(name),
            )
            raise invalid([issue], source)
    row = validate_school_data(data, source)
    return _store_school_row(session, principal, row, base_version, comment)


def _school_state(school: School) -> dict[str, Any]:
    return {
        "name": school.name,
        "division_code": school.division_code,
        "school_type": school.school_type,
        "ownership": school.ownership,
        "location": school.location,
    }


MASTER_FIELDS: dict[str, str] = {
    "name": "school_name",
    "school_type": "school_type",
    "ownership": "ownership",
    "location": "location",
}
"""School columns kept in step with approved data, and the record field of each."""


def _create_school(session: Session, principal: Principal, row: dict[str, Any]) -> None:
    """Add the school of ``row`` to the store unless it is there already.

    An existing school keeps its name, type, ownership and location until data
    that change them are approved (see :func:`_apply_master_data`), so a draft
    never renames a school.
    """
    code = row["school_code"]
    if session.get(School, code) is not None:
        return
    state = {column: row[field] for column, field in MASTER_FIELDS.items()}
    state["division_code"] = row["division_code"]
    session.add(School(code=code, **state))
    session.flush()
    audit.append(
        session, principal.username, "school.create", "school", code, None, state
    )


def _moved_school_issue(
    school: School, division: str, source: str, place: RowPlace | None = None
) -> Issue:
    """Return the issue of a row that files ``school`` under another division.

    A school-year record never moves a school: the county of every version is
    the county of the school in the store, so reviewers and evaluations see the
    school where its county administers it. ``place`` is the row's place in an
    imported file.
    """
    column = FIELDS_BY_NAME["division_code"].zh
    return Issue.coded(
        source if place is None else place.file,
        None if place is None else place.sheet,
        None if place is None else place.row,
        column if place is None else place.column("division_code"),
        division,
        "store_mismatch.moved_school",
        value=division,
        school=school.code,
        registered=school.division_code,
    )


def master_changes(school: School, data: dict[str, Any]) -> list[FieldChange]:
    """Return the school master values that approving ``data`` would change."""
    changes = []
    for column, name in MASTER_FIELDS.items():
        before, after = getattr(school, column), data.get(name)
        if after is not None and after != before:
            spec = FIELDS_BY_NAME[name]
            changes.append(FieldChange(name, spec.zh, spec.en, before, after))
    return changes


def _apply_master_data(
    session: Session, principal: Principal, record: SchoolRecord
) -> None:
    """Copy the name, type, ownership and location of approved data to the school.

    Only the latest approved year counts: approving a correction of an older
    year leaves the master values of a later year in place.
    """
    later = session.scalar(
        select(func.count())
        .select_from(SchoolRecord)
        .where(
            SchoolRecord.school_code == record.school_code,
            SchoolRecord.is_current.is_(True),
            SchoolRecord.status == "approved",
            SchoolRecord.year > record.year,
        )
    )
    school = session.get(School, record.school_code)
    if later or school is None:
        return
    changes = master_changes(school, record.data)
    if changes:
        _update_school(session, principal, school, changes)


def _update_school(
    session: Session,
    principal: Principal,
    school: School,
    changes: Sequence[FieldChange],
) -> None:
    before = _school_state(school)
    columns = {name: column for column, name in MASTER_FIELDS.items()}
    for change in changes:
        setattr(school, columns[change.field], change.after)
    session.flush()
    audit.append(
        session,
        principal.username,
        "school.update",
        "school",
        school.code,
        before,
        _school_state(school),
    )


def edit_school(
    session: Session, principal: Principal, school_code: str, values: dict[str, Any]
) -> School:
    """Change a school's master name, type, ownership or location directly.

    ``values`` maps record field names (``school_name``, ``school_type``,
    ``ownership``, ``location``) to new values. Only an education authority
    whose scope covers the school may do this; the change is audited. Raises
    :class:`InvalidInput` for an unknown field or a value the import rejects.
    """
    school = session.get(School, school_code)
    if school is None:
        raise NotFound(
            f"no school with code {school_code}", zh=f"不存在学校 {school_code}"
        )
    if principal.role not in ADMINISTRATIONS or not covers(
        principal.scope, school.division_code
    ):
        raise PermissionDenied(
            f"user {principal.username!r} ({principal.role}) may not edit the "
            f"master data of school {school_code}",
            zh=f"用户 {principal.username} 无权修改学校 {school_code} 的基本信息",
        )
    unknown = sorted(set(values) - set(MASTER_FIELDS.values()))
    if unknown:
        raise InvalidInput(
            f"{', '.join(unknown)} cannot be edited here; use school_name, "
            "school_type, ownership or location",
            zh=f"{', '.join(unknown)} 不能在此修改；"
            "可修改学校名称、学校类型、办学性质和城乡分类",
        )
    row = {
        name: values.get(name, getattr(school, column))
        for column, name in MASTER_FIELDS.items()
    }
    checked = validate_school_data(
        {
            **row,
            "school_code": school.code,
            "division_code": school.division_code,
            "year": date.today().year,
        }
    )
    changes = master_changes(school, checked)
    if changes:
        _update_school(session, principal, school, changes)
    return school


def _require_division(session: Session, code: str, source: str) -> None:
    if session.get(Division, code) is None:
        issue = Issue.coded(
            source,
            None,
            None,
            FIELDS_BY_NAME["division_code"].zh,
            code,
            "store_division",
            value=code,
        )
        raise invalid([issue], source)


def _store_school_row(
    session: Session,
    principal: Principal,
    row: dict[str, Any],
    base_version: int | None,
    comment: str | None,
    source: str = FORM_SOURCE,
) -> SchoolRecord:
    code, year, division = row["school_code"], row["year"], row["division_code"]
    _require_division(session, division, source)
    school = session.get(School, code)
    # A stored school is checked in its own county, so a row naming another
    # county gets the error that names the school's county, for every role.
    require_write(principal, division if school is None else school.division_code, code)
    if school is not None and school.division_code != division:
        raise invalid([_moved_school_issue(school, division, source)], source)
    current = _current_school(session, code, year)
    _check_editable(
        current,
        base_version,
        f"school {code} has no data for {year}",
        f"学校 {code} 没有 {year} 学年数据",
    )
    if current is not None and current.data == row:
        return current
    published = county_published(session, division, year)
    _create_school(session, principal, row)
    record = SchoolRecord(
        school_code=code,
        year=year,
        version=current.version + 1 if current else 1,
        status="draft",
        data=row,
        is_current=True,
        created_by=principal.username,
        created_at=utcnow(),
        comment=comment,
    )
    after = {"school_code": code, "year": year, "data": row}
    stored = _add_version(session, principal, SCHOOL_RECORD, current, record, after)
    if published:
        # The new draft takes the county-year out of the published set, and
        # the public results are cached per data generation.
        bump_data_generation(session)
    return stored


def versions(
    session: Session, principal: Principal, school_code: str, year: int
) -> list[SchoolRecord]:
    """Return every version of a school's data for ``year``, oldest first."""
    school = session.get(School, school_code)
    if school is None:
        raise NotFound(
            f"no school with code {school_code}", zh=f"不存在学校 {school_code}"
        )
    require_read(principal, school.division_code, school_code)
    return list(
        session.scalars(
            select(SchoolRecord)
            .where(SchoolRecord.school_code == school_code, SchoolRecord.year == year)
            .order_by(SchoolRecord.version)
        )
    )


def compare(a: Record, b: Record) -> list[FieldChange]:
    """Return the fields whose values differ from version ``a`` to version ``b``.

    School fields come in template order, then any other key in name order.
    """
    keys = set(a.data) | set(b.data)
    ordered = [f.name for f in ALL_SCHOOL_FIELDS if f.name in keys]
    ordered += sorted(keys - set(ordered))
    changes = []
    for key in ordered:
        before, after = a.data.get(key), b.data.get(key)
        if before == after:
            continue
        spec = FIELDS_BY_NAME.get(key)
        changes.append(
            FieldChange(
                key,
                spec.zh if spec else key,
                spec.en if spec else key,
                before,
                after,
            )
        )
    return changes


# ---------------------------------------------------------------------------
# County items


def _current_county(
    session: Session, division_code: str, year: int
) -> CountyItemRecord | None:
    return session.scalar(
        select(CountyItemRecord)
        .where(
            CountyItemRecord.division_code == division_code,
            CountyItemRecord.year == year,
            CountyItemRecord.is_current.is_(True),
        )
        .with_for_update()
    )


def county_versions(
    session: Session, principal: Principal, division_code: str, year: int
) -> list[CountyItemRecord]:
    """Return every version of a county's items for ``year``, oldest first."""
    require_read(principal, division_code)
    return list(
        session.scalars(
            select(CountyItemRecord)
            .where(
                CountyItemRecord.division_code == division_code,
                CountyItemRecord.year == year,
            )
            .order_by(CountyItemRecord.version)
        )
    )


def county_record(
    session: Session, principal: Principal, record_id: int
) -> CountyItemRecord:
    """Return one version of county items; raise NotFound or PermissionDenied."""
    record = session.get(CountyItemRecord, record_id)
    if record is None:
        raise NotFound(
            f"no county-items record with id {record_id}",
            zh=f"不存在 id 为 {record_id} 的县级指标记录",
        )
    require_read(principal, record.division_code)
    return record


def may_edit_county(principal: Principal, division_code: str) -> bool:
    """Return whether ``principal`` may enter and submit a county's items."""
    return principal.role in ADMINISTRATIONS and covers(principal.scope, division_code)


def _require_county_write(principal: Principal, division_code: str) -> None:
    if not may_edit_county(principal, division_code):
        raise PermissionDenied(
            f"user {principal.username!r} may not change the county items of "
            f"{division_code}",
            zh=f"用户 {principal.username} 无权修改 {division_code} 的县级指标",
        )


def save_county_items(
    session: Session,
    principal: Principal,
    division_code: str,
    year: int,
    data: dict[str, Any],
    base_version: int | None,
    *,
    source: str = FORM_SOURCE,
    comment: str | None = None,
    framework: Framework | None = None,
) -> CountyItemRecord:
    """Save a new version of a county's items for ``year``.

    ``data`` maps item keys of ``framework`` (the default framework when
    ``None``) to ``{"value": ..., "evidence": ...}`` and is checked like an
    imported county-items sheet. Otherwise as :func:`save_school_year`.
    """
    entries = validate_county_data(division_code, year, data, source, framework)
    return _store_county_items(
        session, principal, division_code, year, entries, base_version, comment, source
    )


def _store_county_items(
    session: Session,
    principal: Principal,
    division_code: str,
    year: int,
    entries: dict[str, dict[str, Any]],
    base_version: int | None,
    comment: str | None,
    source: str,
) -> CountyItemRecord:
    _require_division(session, division_code, source)
    _require_county_write(principal, division_code)
    current = _current_county(session, division_code, year)
    _check_editable(
        current,
        base_version,
        f"{division_code} has no county items for {year}",
        f"{division_code} 没有 {year} 学年县级指标",
    )
    if current is not None and current.data == entries:
        return current
    published = county_published(session, division_code, year)
    record = CountyItemRecord(
        division_code=division_code,
        year=year,
        version=current.version + 1 if current else 1,
        status="draft",
        data=entries,
        is_current=True,
        created_by=principal.username,
        created_at=utcnow(),
        comment=comment,
    )
    after = {"division_code": division_code, "year": year, "data": entries}
    stored = _add_version(session, principal, COUNTY_ITEMS, current, record, after)
    if published:
        bump_data_generation(session)
    return stored


# ---------------------------------------------------------------------------
# Workflow


def submit(
    session: Session,
    principal: Principal,
    record_id: int,
    base_version: int | None,
    *,
    kind: str = SCHOOL_RECORD,
) -> Record:
    """Submit a draft or returned record for review."""
    record = _load(session, kind, record_id)
    division, school_code = _place(session, record)
    if school_code is not None:
        require_write(principal, division, school_code)
    else:
        _require_county_write(principal, division)
    _check_current(session, kind, record, base_version)
    if record.status not in EDITABLE_STATES:
        raise _status_moved(session, kind, record)
    return _transition(session, principal, kind, record, "submitted", None, "submit")


def review(
    session: Session,
    principal: Principal,
    record_id: int,
    decision: str,
    comment: str | None,
    base_version: int | None,
    *,
    kind: str = SCHOOL_RECORD,
) -> Record:
    """Approve a record one step up the chain, or return it for correction.

    ``decision`` is ``"approve"`` or ``"return"``; a return needs a ``comment``
    saying what to fix. The province's approval makes the record ``approved``
    (final and locked) and advances the data generation. A caller outside
    the record's chain of reviewers gets :class:`PermissionDenied` before the
    decision and comment are checked, so it learns nothing of the form.
    """
    record = _load(session, kind, record_id)
    division, _ = _place(session, record)
    city_level = _city_level(session, division)
    chain = {reviewer_role(status, city_level, kind) for status in REVIEW_STATES}
    in_chain = principal.role in chain and covers(principal.scope, division)
    if not in_chain:
        raise PermissionDenied(
            f"user {principal.username!r} ({principal.role}) may not review "
            f"{_label(record)[0]}",
            zh=f"用户 {principal.username} 无权审核{_label(record)[1]}",
        )
    if decision not in ("approve", "return"):
        raise InvalidInput(
            f"decision {decision!r} is invalid; use 'approve' or 'return'",
            zh=f"审核结论 {decision!r} 无效，应为 approve（通过）或 return（退回）",
        )
    if decision == "return" and not (comment and comment.strip()):
        raise InvalidInput(
            "a return needs a comment saying what to correct",
            zh="退回时请填写需要修改的内容",
        )
    _check_current(session, kind, record, base_version)
    if not can_review(
        principal, division, record.status, city_level=city_level, kind=kind
    ):
        # A reviewer of this record whose step has passed or not yet come.
        raise _status_moved(session, kind, record)
    if decision == "return":
        return _transition(
            session, principal, kind, record, "returned", comment, "return"
        )
    role = reviewer_role(record.status, city_level, kind)
    assert role is not None  # can_review found one
    return _transition(
        session, principal, kind, record, _APPROVED_BY[role], comment, "approve"
    )


def reopen(
    session: Session,
    principal: Principal,
    record_id: int,
    reason: str,
    *,
    kind: str = SCHOOL_RECORD,
) -> Record:
    """Reopen an approved record for a correction.

    The approved version stays as it is. A copy becomes the current version
    with status ``returned``, to be corrected, submitted and approved through
    the same chain. Only an education authority whose scope covers the record
    may reopen it. The data generation advances, because the school-year leaves
    the approved data until it is approved again.
    """
    if not reason.strip():
        raise InvalidInput("a reopen needs a reason", zh="重新开放时请填写原因")
    record = _load(session, kind, record_id)
    division, _ = _place(session, record)
    if principal.role not in ADMINISTRATIONS or not covers(principal.scope, division):
        raise PermissionDenied(
            f"user {principal.username!r} ({principal.role}) may not reopen "
            f"{_label(record)[0]}",
            zh=f"用户 {principal.username} 无权重新开放{_label(record)[1]}",
        )
    current = _current_of(session, kind, record)
    if current is None or current.id != record.id:
        raise _changed_by(current or record, record.version)
    if record.status != "approved":
        en, zh = _label(record)
        raise Conflict(
            f"{en} is {record.status}, not approved; only approved data are reopened",
            zh=f"{zh}状态为“{_status_name(record)}”，只有终审通过的数据才需要重新开放",
        )
    record.is_current = False
    session.flush()
    copy: Record
    if isinstance(record, SchoolRecord):
        copy = SchoolRecord(school_code=record.school_code)
    else:
        copy = CountyItemRecord(division_code=record.division_code)
    copy.year = record.year
    copy.version = record.version + 1
    copy.status = "returned"
    copy.data = dict(record.data)
    copy.is_current = True
    copy.created_by = principal.username
    copy.created_at = utcnow()
    copy.comment = reason
    session.add(copy)
    session.flush()
    session.add(
        ReviewEvent(
            record_kind=kind,
            record_id=copy.id,
            actor=principal.username,
            from_status="approved",
            to_status="returned",
            comment=reason,
            at=utcnow(),
        )
    )
    session.flush()
    audit.append(
        session,
        principal.username,
        f"{kind}.reopen",
        kind,
        copy.id,
        {"version": record.version, "status": "approved"},
        {"version": copy.version, "status": "returned", "reason": reason},
    )
    bump_data_generation(session)
    return copy


def may_review(session: Session, principal: Principal, record: Record) -> bool:
    """Return whether ``principal`` may approve or return ``record`` now."""
    if not record.is_current:
        return False
    division, _ = _place(session, record)
    kind = SCHOOL_RECORD if isinstance(record, SchoolRecord) else COUNTY_ITEMS
    return can_review(
        principal,
        division,
        record.status,
        city_level=_city_level(session, division),
        kind=kind,
    )


def _pending(session: Session, principal: Principal, kind: str) -> list[Any]:
    if principal.role not in REVIEWERS:
        return []
    model = _model(kind)
    query = select(model).where(
        model.is_current.is_(True), model.status.in_(REVIEW_STATES)
    )
    if model is SchoolRecord:
        query = (
            query.join(School, School.code == SchoolRecord.school_code)
            .where(School.division_code.startswith(principal.scope, autoescape=True))
            .order_by(School.division_code, SchoolRecord.school_code, SchoolRecord.year)
        )
    else:
        query = query.where(
            CountyItemRecord.division_code.startswith(principal.scope, autoescape=True)
        ).order_by(CountyItemRecord.division_code, CountyItemRecord.year)
    pending = []
    city_levels: dict[str, bool] = {}
    records: list[Record] = list(session.scalars(query))
    for record in records:
        division, _ = _place(session, record)
        if division not in city_levels:
            city_levels[division] = _city_level(session, division)
        if can_review(
            principal,
            division,
            record.status,
            city_level=city_levels[division],
            kind=kind,
        ):
            pending.append(record)
    return pending


def pending_reviews(session: Session, principal: Principal) -> list[SchoolRecord]:
    """Return the school-year records waiting for ``principal``'s review."""
    return _pending(session, principal, SCHOOL_RECORD)


def pending_county_reviews(
    session: Session, principal: Principal
) -> list[CountyItemRecord]:
    """Return the county-item records waiting for ``principal``'s review."""
    return _pending(session, principal, COUNTY_ITEMS)


# ---------------------------------------------------------------------------
# File import


@dataclass(frozen=True)
class ImportedFile:
    """The outcome of an import: the stored versions and the warnings found."""

    records: list[SchoolRecord]
    warnings: list[Issue]
    """Problems that did not stop the import, such as a school without students."""
    county_records: list[CountyItemRecord] = field(default_factory=list)
    """The county-item versions, one per division and year of the file."""
    unchanged: int = 0
    """School rows and county-item sets identical to their current version,
    which keeps its version number instead of gaining a new draft."""


def import_school_file(
    session: Session,
    principal: Principal,
    path: Path,
    *,
    profile: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[SchoolRecord]:
    """Import a file as :func:`import_school_data` does; return the versions."""
    return import_school_data(
        session, principal, path, profile=profile, progress=progress
    ).records


def import_school_data(
    session: Session,
    principal: Principal,
    path: Path,
    *,
    profile: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    encoding: str | None = None,
    framework: Framework | None = None,
    limits: SizeLimits | None = None,
) -> ImportedFile:
    """Import a file of school rows (and county items, if any) as new drafts.

    The file is read and checked by :func:`junheng.ingest.load_inputs`, which
    accepts the county item keys of ``framework`` (the default framework when
    ``None``). Then
    every row must lie in ``principal``'s scope, name a division in the store
    and belong to a school-year that is not under review or approved. If any
    check fails, :class:`InvalidInput` lists every problem and nothing is
    stored. A row identical to the current version keeps that version.
    ``progress`` is called with the rows stored so far and the total.
    ``encoding`` is the encoding of a CSV file, detected when ``None``.
    ``limits`` bound the size of the file the readers parse. Returns the
    versions and the import's warnings. County items are checked against
    ``framework``, the default framework when ``None``.
    """
    from junheng.ingest import load_inputs

    path = Path(path)
    try:
        result = load_inputs(
            [path],
            profile=profile,
            framework=framework,
            encoding=encoding,
            limits=limits,
        )
    except InvalidInput:
        raise
    except InputError as error:
        raise InvalidInput(
            str(error),
            error.issues,
            zh=f"{path.name} 有错误，未导入任何数据",
        ) from error
    rows = [
        {name: json_value(value) for name, value in row.items()}
        for row in result.schools.iter_rows(named=True)
    ]
    items = _county_entries(result.county_items)
    if not rows and not items:
        raise InvalidInput(
            f"{path.name} has no school rows and no county items",
            zh=f"{path.name} 中没有学校数据和县级指标",
        )
    places = [
        RowPlace(*place, columns=headers)
        for place, headers in zip(
            result.school_places, result.school_places.headers(), strict=True
        )
    ]
    issues = _import_issues(session, principal, path.name, rows, places, items)
    if issues:
        raise invalid(issues, path.name)
    records = []
    county_records = []
    unchanged = 0
    total = len(rows) + len(items)
    comment = f"import {path.name}"
    for done, row in enumerate(rows, start=1):
        current = _current_school(session, row["school_code"], row["year"])
        base = current.version if current else None
        stored = _store_school_row(session, principal, row, base, comment, path.name)
        unchanged += stored is current
        records.append(stored)
        if progress is not None:
            progress(done, total)
    for done, ((division, year), entries) in enumerate(items.items(), len(rows) + 1):
        current_items = _current_county(session, division, year)
        base = current_items.version if current_items else None
        stored_items = _store_county_items(
            session, principal, division, year, entries, base, comment, path.name
        )
        unchanged += stored_items is current_items
        county_records.append(stored_items)
        if progress is not None:
            progress(done, total)
    return ImportedFile(records, list(result.warnings), county_records, unchanged)


def _county_entries(frame: Any) -> dict[tuple[str, int], dict[str, dict[str, Any]]]:
    groups: dict[tuple[str, int], dict[str, dict[str, Any]]] = {}
    for row in frame.iter_rows(named=True):
        key = (row["division_code"], row["year"])
        groups.setdefault(key, {})[row["item"]] = {
            "value": row["value_text"],
            "evidence": row["evidence"],
        }
    return groups


def _import_issues(
    session: Session,
    principal: Principal,
    source: str,
    rows: Sequence[dict[str, Any]],
    places: Sequence[RowPlace],
    items: dict[tuple[str, int], dict[str, dict[str, Any]]],
) -> list[Issue]:
    """Return the problems that keep rows that passed validation from being stored.

    ``places`` gives the file, sheet and row of each of ``rows``.
    """
    issues: list[Issue] = []
    division_column = FIELDS_BY_NAME["division_code"].zh
    known: dict[str, bool] = {}

    def division_known(code: str) -> bool:
        if code not in known:
            known[code] = session.get(Division, code) is not None
        return known[code]

    place = RowPlace(source)

    def add(column: str, value: str, code: str, **fields: Any) -> None:
        issues.append(
            Issue.coded(
                place.file,
                place.sheet,
                place.row,
                column,
                value,
                code,
                value=value,
                **fields,
            )
        )

    for row, place in zip(rows, places, strict=True):
        code, year, division = row["school_code"], row["year"], row["division_code"]
        issues += plausibility_issues(row, place)
        if not division_known(division):
            add(place.column("division_code"), division, "store_division")
        school = session.get(School, code)
        # As for a form save, a stored school is checked in its own county.
        home = division if school is None else school.division_code
        if not can_write(principal, home, code):
            add(
                place.column("school_code"),
                code,
                "store_scope",
                divisions=home,
                user=principal.username,
            )
            continue
        if school is not None and school.division_code != division:
            issues.append(_moved_school_issue(school, division, source, place))
            continue
        current = _current_school(session, code, year)
        if current is not None and current.status not in EDITABLE_STATES:
            locked, fields = _locked_issue(current)
            add(place.column("school_code"), code, locked, **fields)
    place = RowPlace(source)
    for division, year in items:
        if not division_known(division):
            add(division_column, division, "store_division.county_items")
            continue
        if principal.role not in ADMINISTRATIONS or not covers(
            principal.scope, division
        ):
            add(
                division_column,
                division,
                "store_scope.county_items",
                user=principal.username,
            )
            continue
        current_items = _current_county(session, division, year)
        if current_items is not None and current_items.status not in EDITABLE_STATES:
            locked, fields = _locked_issue(current_items)
            add(division_column, division, locked, **fields)
    return issues


def _locked_issue(record: Record) -> tuple[str, dict[str, Any]]:
    """Return the issue code and fields of a record that may not change."""
    en, zh = _label(record)
    if record.status == "approved":
        return "store_locked.approved", {"label": both(zh, en)}
    status = both(_status_name(record), record.status)
    return "store_locked.in_review", {"label": both(zh, en), "status": status}
