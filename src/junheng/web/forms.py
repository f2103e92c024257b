"""The school-year data form: which canonical fields it shows and how it reads them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from junheng.ingest.schema import (
    IDENTITY_FIELDS,
    SCHOOL_FIELDS,
    SCHOOL_MEASURES,
    SECTION_MEASURES,
    SECTIONS,
    Field,
)
from junheng.store.models import School

FIXED_FIELDS = frozenset({"year", "division_code", "school_code"})
"""Fields taken from the school and the URL, not typed into the form."""

MAX_FIELD_LENGTH = 200


@dataclass(frozen=True)
class FieldGroup:
    """A fieldset of the form: its catalogue title key and its fields."""

    title_key: str
    fields: tuple[Field, ...]


def field_groups() -> tuple[FieldGroup, ...]:
    """Return the form's fieldsets in template order."""
    by_name = {f.name: f for f in SCHOOL_FIELDS}
    identity = tuple(f for f in IDENTITY_FIELDS if f.name not in FIXED_FIELDS)
    sections = tuple(
        FieldGroup(
            f"form.section_{section}",
            tuple(by_name[f"{section}_{m.name}"] for m in SECTION_MEASURES),
        )
        for section in SECTIONS
    )
    return (
        FieldGroup("form.identity", identity),
        *sections,
        FieldGroup("form.resources", SCHOOL_MEASURES),
    )


def editable_fields() -> tuple[Field, ...]:
    """Return every field the form shows."""
    return tuple(f for group in field_groups() for f in group.fields)


def read_form(form: Mapping[str, Any], school: School, year: int) -> dict[str, Any]:
    """Return the record data typed into ``form``, with the fixed fields filled in.

    Values stay text, as in an uploaded CSV file, so the store validates them with
    the import's rules; an empty box is a missing value.
    """
    data: dict[str, Any] = {
        "year": year,
        "division_code": school.division_code,
        "school_code": school.code,
    }
    for field in editable_fields():
        raw = form.get(field.name)
        text = raw.strip()[:MAX_FIELD_LENGTH] if isinstance(raw, str) else ""
        data[field.name] = text or None
    return data


def initial_values(data: Mapping[str, Any] | None, school: School) -> dict[str, Any]:
    """Return the values to show in the form: the record's, else the school's."""
    values: dict[str, Any] = {
        "school_name": school.name,
        "school_type": school.school_type,
        "ownership": school.ownership,
        "location": school.location,
    }
    for name, value in (data or {}).items():
        values[name] = display_value(value)
    return values


def display_value(value: Any) -> Any:
    """Show whole floats without ``.0`` so a re-save does not change the text."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def version_number(raw: object) -> int | None:
    """Return a version number sent in a form field, or ``None`` when empty."""
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw)
    return None
