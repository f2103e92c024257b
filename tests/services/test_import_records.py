"""File import into the store, and approved store data evaluated by the core."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from factories import primary_school
from services.people import ERQI, HENAN, ZHENGZHOU, ZHONGYUAN
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from junheng import demo
from junheng.errors import InvalidInput
from junheng.evaluation.document import build_document
from junheng.evaluation.verdict import evaluate
from junheng.governance import audit
from junheng.ingest import load_inputs
from junheng.ingest.schema import canonical_frame
from junheng.services import records, reporting
from junheng.services.access import (
    COUNTY_ITEMS,
    SCHOOL_RECORD,
    SCOPE_LENGTH,
    SYSTEM,
    Principal,
    reviewer_role,
)
from junheng.standards.loader import load_framework
from junheng.store.divisions import has_city_level, load_divisions
from junheng.store.models import AuditRecord, CountyItemRecord, School, SchoolRecord


def _csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    """Write rows under the canonical headers; cells may hold any text."""
    names = list(canonical_frame([]).columns)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=names)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _counts(session: Session) -> tuple[int | None, ...]:
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (School, SchoolRecord, CountyItemRecord, AuditRecord)
    )


def _import_fails(session: Session, principal: Principal, source: Path) -> list[Any]:
    """Import ``source``, which must fail; check nothing was stored."""
    before = _counts(session)
    with pytest.raises(InvalidInput) as caught:
        reporting.import_school_file(session, principal, source)
    session.rollback()
    assert _counts(session) == before
    return caught.value.issues


def test_import_stores_drafts(store: Session, tmp_path: Path) -> None:
    source = _csv(tmp_path / "schools.csv", [primary_school(1), primary_school(2)])
    imported = reporting.import_school_file(store, ZHONGYUAN, source)
    store.commit()
    assert [r.school_code for r in imported] == ["2141000001", "2141000002"]
    assert {r.status for r in imported} == {"draft"}
    assert imported[0].comment == "import schools.csv"
    again = reporting.import_school_file(store, ZHONGYUAN, source)
    assert [r.id for r in again] == [r.id for r in imported]


def test_bad_file_stores_nothing(store: Session, tmp_path: Path) -> None:
    rows = [primary_school(1), primary_school(2, primary_students="many")]
    source = _csv(tmp_path / "schools.csv", rows)
    issue = _import_fails(store, ZHONGYUAN, source)[0]
    assert issue.file == "schools.csv"  # type: ignore[attr-defined]
    assert issue.row == 3  # type: ignore[attr-defined]
    assert issue.column == "primary_students"  # type: ignore[attr-defined]
    assert issue.value == "many"  # type: ignore[attr-defined]
    assert issue.fix  # type: ignore[attr-defined]


def test_row_outside_scope_stores_nothing(store: Session, tmp_path: Path) -> None:
    # The second row lies in 二七区 (410103), outside 中原区's scope.
    rows = [primary_school(1), primary_school(2, division_code="410103")]
    source = _csv(tmp_path / "schools.csv", rows)
    [issue] = _import_fails(store, ZHONGYUAN, source)
    assert issue.value == "2141000002"  # type: ignore[attr-defined]
    assert issue.rule == "store_scope"  # type: ignore[attr-defined]
    assert "outside the scope" in issue.message  # type: ignore[attr-defined]


def test_locked_record_stores_nothing(store: Session, tmp_path: Path) -> None:
    first = reporting.save_school_year(
        store, ZHONGYUAN, "2141000001", 2024, primary_school(1), None
    )
    reporting.submit(store, ZHONGYUAN, first.id, 1)
    store.commit()
    source = _csv(tmp_path / "s.csv", [primary_school(2), primary_school(1, books=1)])
    issues = _import_fails(store, ZHONGYUAN, source)
    assert [i.rule for i in issues] == ["store_locked"]
    # 二七区 may not write 中原区's schools at all.
    assert {i.rule for i in _import_fails(store, ERQI, source)} == {"store_scope"}


def _approve_everything(session: Session) -> None:
    """Submit every current record and approve it up its chain."""
    for kind, model in (
        (SCHOOL_RECORD, SchoolRecord),
        (COUNTY_ITEMS, CountyItemRecord),
    ):
        for record in session.scalars(select(model).where(model.is_current.is_(True))):
            if isinstance(record, SchoolRecord):
                school = session.get(School, record.school_code)
                assert school is not None
                division = school.division_code
            else:
                division = record.division_code
            reporting.submit(session, SYSTEM, record.id, record.version, kind=kind)
            while record.status != "approved":
                role = reviewer_role(record.status, has_city_level(division), kind)
                assert role is not None
                scope = division[: SCOPE_LENGTH[role]]
                reviewer = Principal(None, f"{role}-{scope}", role, scope)
                reporting.review(
                    session,
                    reviewer,
                    record.id,
                    "approve",
                    None,
                    record.version,
                    kind=kind,
                )


def test_approved_frame_matches_file_evaluation(
    session: Session, tmp_path: Path
) -> None:
    """Approved store data get the verdicts the same file gets from the CLI path."""
    schools = demo.generate_schools(counties=3, schools_per_county=6, seed=7)
    items = demo.generate_county_items(schools, seed=7)
    [source] = demo.save_dataset(schools, items, tmp_path / "synthetic.xlsx")
    framework = load_framework()

    # The path of `junheng evaluate FILE`: load_inputs, then evaluate.
    loaded = load_inputs([source], framework=framework)
    direct = evaluate(loaded.schools, framework, loaded.county_items)

    provinces = tuple(sorted(set(schools["province_code"].to_list())))
    load_divisions(session, SYSTEM, 2024, within=provinces)
    reporting.import_school_file(session, SYSTEM, source)
    assert records.approved_frame(session).is_empty()
    _approve_everything(session)
    session.commit()
    frame = records.approved_frame(session)
    county_items = records.approved_county_items(session)
    assert frame.schema == loaded.schools.schema
    assert county_items.schema == loaded.county_items.schema
    assert frame.height == loaded.schools.height
    assert county_items.height == loaded.county_items.height
    stored = evaluate(frame, framework, county_items)

    direct_doc = build_document(direct, lang="en")
    stored_doc = build_document(stored, lang="en")
    assert stored_doc["counties"] == direct_doc["counties"]
    assert stored_doc["summary"] == direct_doc["summary"]
    verdicts = [c["verdict"] for c in stored_doc["counties"]]
    assert len(verdicts) == 3
    assert audit.verify(session).ok


def test_approved_frame_filters(store: Session) -> None:
    for number, division in ((1, "410102"), (2, "410103")):
        row = primary_school(number, division_code=division)
        record = reporting.save_school_year(
            store, HENAN, row["school_code"], 2024, row, None
        )
        reporting.submit(store, HENAN, record.id, 1)
        county = ZHONGYUAN if division == "410102" else ERQI
        reporting.review(store, county, record.id, "approve", None, 1)
        reporting.review(store, ZHENGZHOU, record.id, "approve", None, 1)
        reporting.review(store, HENAN, record.id, "approve", None, 1)
    assert records.approved_frame(store).height == 2
    assert records.approved_frame(store, prefix="410103")["school_code"].to_list() == [
        "2141000002"
    ]
    assert records.approved_frame(store, year=2023).is_empty()
    assert isinstance(records.approved_frame(store, year=2023), pl.DataFrame)
