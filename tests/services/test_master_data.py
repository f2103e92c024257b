"""The school master row changes only through approval or an audited edit."""

from __future__ import annotations

from typing import Any

import pytest
from services.people import HENAN, SCHOOL_1, ZHENGZHOU, ZHONGYUAN, school
from sqlalchemy import select
from sqlalchemy.orm import Session

from junheng.errors import InvalidInput, PermissionDenied
from junheng.services import reporting
from junheng.store.models import AuditRecord, School, SchoolRecord

CODE = "2141000001"


def _approve(session: Session, record: SchoolRecord) -> Any:
    current: Any = reporting.submit(session, SCHOOL_1, record.id, record.version)
    for reviewer in (ZHONGYUAN, ZHENGZHOU, HENAN):
        current = reporting.review(
            session, reviewer, current.id, "approve", None, current.version
        )
    return current


def _save(session: Session, year: int, **changes: Any) -> SchoolRecord:
    versions = [
        v
        for v in (
            reporting.versions(session, SCHOOL_1, CODE, year)
            if session.get(School, CODE)
            else []
        )
        if v.is_current
    ]
    base = versions[0].version if versions else None
    return reporting.save_school_year(
        session, SCHOOL_1, CODE, year, school(1, year=year, **changes), base
    )


def test_first_save_creates_school(store: Session) -> None:
    _save(store, 2024)
    created = store.get(School, CODE)
    assert created is not None
    assert created.name == "第1小学"


def test_draft_does_not_rename_school(store: Session) -> None:
    _approve(store, _save(store, 2024))
    _save(store, 2025, school_name='=HYPERLINK("http://x.example","click")')
    renamed = store.get(School, CODE)
    assert renamed is not None
    assert renamed.name == "第1小学"


def test_submitted_draft_does_not_rename(store: Session) -> None:
    _approve(store, _save(store, 2024))
    draft = _save(store, 2025, school_name="新名称小学", location="镇区")
    reporting.submit(store, SCHOOL_1, draft.id, draft.version)
    kept = store.get(School, CODE)
    assert kept is not None
    assert (kept.name, kept.location) == ("第1小学", "城区")


def test_final_approval_renames_school(store: Session) -> None:
    _approve(store, _save(store, 2024))
    _approve(store, _save(store, 2025, school_name="新名称小学", location="镇区"))
    renamed = store.get(School, CODE)
    assert renamed is not None
    assert (renamed.name, renamed.location) == ("新名称小学", "镇区")
    update = store.scalars(
        select(AuditRecord).where(AuditRecord.action == "school.update")
    ).one()
    assert update.before["name"] == "第1小学"
    assert update.after["name"] == "新名称小学"


def test_older_year_approval_keeps_later_name(store: Session) -> None:
    old = _save(store, 2023, school_name="旧名称小学")
    _approve(store, _save(store, 2024))
    _approve(store, old)
    kept = store.get(School, CODE)
    assert kept is not None
    assert kept.name == "第1小学"


def test_proposed_master_changes(store: Session) -> None:
    _approve(store, _save(store, 2024))
    draft = _save(store, 2025, school_name="新名称小学")
    current = store.get(School, CODE)
    assert current is not None
    changes = reporting.master_changes(current, draft.data)
    assert [(c.field, c.before, c.after) for c in changes] == [
        ("school_name", "第1小学", "新名称小学")
    ]


def test_county_edits_master_data(store: Session) -> None:
    _save(store, 2024)
    reporting.edit_school(store, ZHONGYUAN, CODE, {"school_name": "更正名称小学"})
    edited = store.get(School, CODE)
    assert edited is not None
    assert edited.name == "更正名称小学"
    actions = store.scalars(select(AuditRecord.action)).all()
    assert actions[-1] == "school.update"


def test_school_user_cannot_edit_master(store: Session) -> None:
    _save(store, 2024)
    with pytest.raises(PermissionDenied):
        reporting.edit_school(store, SCHOOL_1, CODE, {"school_name": "x"})


def test_master_edit_checks_values(store: Session) -> None:
    _save(store, 2024)
    with pytest.raises(InvalidInput):
        reporting.edit_school(store, ZHONGYUAN, CODE, {"school_type": "大学"})
    with pytest.raises(InvalidInput):
        reporting.edit_school(store, ZHONGYUAN, CODE, {"division_code": "410103"})
