"""Request and response bodies of the ``/api/v1`` routes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from junheng.ingest.schema import SCHOOL_NAME_MAX

FieldValue = str | int | float | bool | None


class _FromAttributes(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class DivisionChangeOut(_FromAttributes):
    """One step from a retired division code to the code that replaced it."""

    year: int = Field(description="Year of the first code table showing the change.")
    kind: Literal["merged", "renamed", "recoded"]
    new_code: str
    new_name: str
    text: str = Field(
        description="The change in words, e.g. 2010年并入 东城区（110101）."
    )


class DivisionOut(_FromAttributes):
    """An administrative division (province, city or county-level unit)."""

    code: str = Field(description="Division code: 2, 4 or 6 digits by level.")
    name: str
    level: str = Field(description="province, city or county.")
    parent_code: str | None
    valid_from: int | None
    valid_to: int | None = Field(description="First year the code was no longer used.")
    successor_code: str | None = Field(
        description="For a retired code, the code in force that it leads to."
    )
    changes: list[DivisionChangeOut] = Field(
        default_factory=list,
        description="For a retired code, the recorded changes from it to "
        "successor_code, oldest first.",
    )


class SchoolOut(_FromAttributes):
    """A school and the county it belongs to."""

    code: str = Field(description="10-digit school identifier code (学校标识码).")
    name: str
    division_code: str
    school_type: str
    ownership: str
    location: str | None


class SchoolEditIn(BaseModel):
    """New master values of a school; fields left out keep their value."""

    model_config = ConfigDict(extra="forbid")

    school_name: str | None = Field(None, min_length=1, max_length=SCHOOL_NAME_MAX)
    school_type: str | None = Field(None, description="A school type of the template.")
    ownership: str | None = Field(None, description="公办 or 民办.")
    location: str | None = Field(None, description="城区, 镇区 or 乡村.")


class RecordSummary(_FromAttributes):
    """One version of a school's data for a school year, without the data."""

    id: int
    school_code: str
    year: int
    version: int
    status: str = Field(
        description="draft, submitted, county_approved, city_approved, approved "
        "(final) or returned."
    )
    is_current: bool
    created_by: str
    created_at: datetime
    comment: str | None


class ImportIssueOut(BaseModel):
    """A problem found in an imported file, worded in the request language."""

    file: str
    sheet: str | None
    row: int | None = Field(description="Row as the user sees it; the header is 1.")
    column: str | None
    value: str | None
    message: str
    fix: str
    severity: Literal["error", "warning"]
    rule: str
    code: str = Field(description="Message code (see docs/import.md).")


class ImportOut(BaseModel):
    """The versions an import stored and the warnings that did not stop it."""

    records: list[RecordSummary]
    warnings: list[ImportIssueOut]


class RecordOut(RecordSummary):
    """One version of a school's data, with the canonical fields."""

    data: dict[str, Any] = Field(
        description="Canonical school fields (see docs/import.md) and their values."
    )


class SaveRecordIn(BaseModel):
    """New data for a school year; it becomes a new draft version."""

    data: dict[str, FieldValue] = Field(
        description="Canonical school fields and values; identity fields may be "
        "left out and are filled from the school."
    )
    base_version: int | None = Field(
        None,
        ge=1,
        description="The current version the change is based on; null for the "
        "first version. A stale value answers 409.",
    )


class CountyRecordSummary(_FromAttributes):
    """One version of a county's items for a school year, without the data."""

    id: int
    division_code: str
    year: int
    version: int
    status: str = Field(
        description="draft, submitted, city_approved, approved (final) or returned."
    )
    is_current: bool
    created_by: str
    created_at: datetime
    comment: str | None


class CountyItemIn(BaseModel):
    """The value of one county item and the note on its evidence."""

    value: FieldValue = Field(description="Number, percentage or yes/no (是/否).")
    evidence: str | None = Field(None, max_length=2000)


class CountyRecordOut(CountyRecordSummary):
    """One version of a county's items, with the values."""

    data: dict[str, CountyItemIn] = Field(
        description="Item key of the framework → value and evidence."
    )


class SaveCountyItemsIn(BaseModel):
    """New county items for a school year; they become a new draft version."""

    data: dict[str, CountyItemIn]
    base_version: int | None = Field(
        None,
        ge=1,
        description="The current version the change is based on; null for the "
        "first version. A stale value answers 409.",
    )


class SubmitIn(BaseModel):
    """Submit the current version for review."""

    base_version: int = Field(ge=1)


class ReviewIn(BaseModel):
    """Approve a record or return it to the school with a comment."""

    decision: Literal["approve", "return"]
    comment: str = Field("", max_length=2000)
    base_version: int = Field(ge=1)


class ReopenIn(BaseModel):
    """Reopen an approved record for a correction."""

    reason: str = Field(min_length=1, max_length=2000)


class ReviewEventOut(_FromAttributes):
    """A step of the approval workflow."""

    id: int
    record_id: int
    actor: str
    from_status: str
    to_status: str
    comment: str | None
    at: datetime


class FieldChangeOut(_FromAttributes):
    """One field that differs between two versions."""

    field: str
    label_zh: str
    label_en: str
    before: Any
    after: Any


class CompletenessOut(_FromAttributes):
    """Reporting progress of one child division for one school year."""

    code: str = Field(description="Division code of the child division.")
    name: str
    level: str
    expected: int = Field(description="Schools in the store under the division.")
    submitted: int = Field(
        description="Schools whose current version is submitted or further."
    )
    approved: int = Field(description="Schools whose data is finally approved.")
    overdue: int = Field(description="Schools not submitted after their deadline.")
    late: int = Field(description="Schools first submitted after their deadline.")
    due_date: date | None = Field(description="Deadline of the division, if set.")
