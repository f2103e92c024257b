"""A school-year record cannot move its school to another county.

School 2141000001 is a made-up school of 中原区 (410102); 410103 二七区 is another
county of 郑州市 and 110101 东城区 a district of Beijing.
"""

from __future__ import annotations

import pytest
from services.people import ERQI, HENAN, SCHOOL_1, ZHENGZHOU, ZHONGYUAN, school
from sqlalchemy import select
from sqlalchemy.orm import Session

from junheng.errors import InvalidInput, NotFound, PermissionDenied
from junheng.governance import audit
from junheng.ingest.schema import canonical_frame
from junheng.services import reporting
from junheng.services.access import can_write
from junheng.services.schools import move_school
from junheng.store.models import AuditRecord, School, SchoolRecord

CODE = "2141000001"


def _saved(store: Session) -> SchoolRecord:
    return reporting.save_school_year(store, SCHOOL_1, CODE, 2024, school(1), None)


def test_school_user_write_needs_own_county() -> None:
    assert can_write(SCHOOL_1, "410102", CODE)
    assert not can_write(SCHOOL_1, "410302", CODE)
    assert not can_write(SCHOOL_1, "110101", CODE)


def test_school_user_cannot_move_school(store: Session) -> None:
    record = _saved(store)
    moved = school(1, division_code="410103", division_name="二七区")
    # The school may write its own school, so the error names the county to enter.
    with pytest.raises(InvalidInput) as caught:
        reporting.save_school_year(store, SCHOOL_1, CODE, 2024, moved, record.version)
    issue = caught.value.issues[0]
    assert issue.rule == "store_mismatch"
    assert issue.value == "410103"
    assert "belongs to division 410102" in issue.message
    assert "410102" in issue.fix
    assert store.get(School, CODE).division_code == "410102"  # type: ignore[union-attr]


def test_county_move_names_school_county(store: Session) -> None:
    record = _saved(store)
    # 中原区 may not write 二七区, but the school is its own, so the error is
    # the 422 that names 410102, not a 403 about 410103.
    moved = school(1, division_code="410103", division_name="二七区")
    with pytest.raises(InvalidInput) as caught:
        reporting.save_school_year(store, ZHONGYUAN, CODE, 2024, moved, record.version)
    issue = caught.value.issues[0]
    assert issue.rule == "store_mismatch"
    assert "belongs to division 410102" in issue.message
    # 二七区 may not write the school at all; the 403 names the school's county.
    with pytest.raises(PermissionDenied) as denied:
        reporting.save_school_year(store, ERQI, CODE, 2024, moved, record.version)
    assert "in division 410102" in denied.value.message("en")
    assert "（行政区划 410102）" in denied.value.message("zh")


def test_school_upload_names_own_county(store: Session, tmp_path: object) -> None:
    from pathlib import Path

    _saved(store)
    path = Path(str(tmp_path)) / "movecounty.csv"
    canonical_frame(
        [school(1, division_code="410103", division_name="二七区")]
    ).write_csv(path)
    with pytest.raises(InvalidInput) as caught:
        reporting.import_school_file(store, SCHOOL_1, path)
    [issue] = caught.value.issues
    assert issue.rule == "store_mismatch"
    assert "belongs to division 410102" in issue.message
    assert "outside the scope" not in issue.message
    # The one data row is row 2 of the file, under the header.
    assert (issue.file, issue.row, issue.value) == ("movecounty.csv", 2, "410103")
    assert issue.column == "division_code"


def test_new_school_outside_own_county_denied(store: Session) -> None:
    row = school(1, division_code="410103", division_name="二七区")
    with pytest.raises(PermissionDenied):
        reporting.save_school_year(store, SCHOOL_1, CODE, 2024, row, None)
    assert store.get(School, CODE) is None


def test_authority_record_cannot_move_school(store: Session) -> None:
    record = _saved(store)
    moved = school(1, division_code="410103", division_name="二七区")
    with pytest.raises(InvalidInput) as caught:
        reporting.save_school_year(store, ZHENGZHOU, CODE, 2024, moved, record.version)
    issue = caught.value.issues[0]
    assert issue.rule == "store_mismatch"
    assert "junheng school move" in issue.fix
    assert issue.value == "410103"
    # A county outside the school's own county is refused before that.
    with pytest.raises(PermissionDenied):
        reporting.save_school_year(store, ERQI, CODE, 2024, moved, record.version)


def test_import_cannot_move_school(store: Session, tmp_path: object) -> None:
    from pathlib import Path

    _saved(store)
    path = Path(str(tmp_path)) / "moved.csv"
    canonical_frame(
        [school(1, division_code="410103", division_name="二七区")]
    ).write_csv(path)
    count = len(store.scalars(select(SchoolRecord)).all())
    with pytest.raises(InvalidInput) as caught:
        reporting.import_school_file(store, ZHENGZHOU, path)
    assert [i.rule for i in caught.value.issues] == ["store_mismatch"]
    assert len(store.scalars(select(SchoolRecord)).all()) == count


def test_move_school_is_audited(store: Session) -> None:
    _saved(store)
    move_school(store, ZHENGZHOU, CODE, "410103", "合并办学")
    assert store.get(School, CODE).division_code == "410103"  # type: ignore[union-attr]
    last = store.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()
    assert last is not None
    assert last.action == "school.move"
    assert last.before == {"division_code": "410102"}
    assert last.after == {"division_code": "410103", "reason": "合并办学"}
    assert audit.verify(store).ok
    # From now on the records of the school carry its new county.
    row = school(1, division_code="410103", division_name="二七区")
    saved = reporting.save_school_year(store, ERQI, CODE, 2024, row, 1)
    assert saved.data["division_code"] == "410103"


def test_move_school_needs_both_counties(store: Session) -> None:
    _saved(store)
    with pytest.raises(PermissionDenied):
        move_school(store, ZHONGYUAN, CODE, "410103", "合并办学")
    with pytest.raises(PermissionDenied):
        move_school(store, SCHOOL_1, CODE, "410103", "合并办学")
    with pytest.raises(NotFound):
        move_school(store, HENAN, CODE, "419999", "合并办学")
    with pytest.raises(InvalidInput):
        move_school(store, HENAN, CODE, "410103", "  ")
