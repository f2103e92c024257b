"""Facts in the errors of a store import: the right county and the row."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import canonical_csv
from services.people import ERQI, ZHONGYUAN, school
from sqlalchemy.orm import Session

from junheng.errors import InvalidInput
from junheng.ingest.issues import Issue
from junheng.services import reporting


def _issues(session: Session, path: Path) -> list[Issue]:
    with pytest.raises(InvalidInput) as caught:
        reporting.import_school_file(session, ZHONGYUAN, path)
    session.rollback()
    return caught.value.issues  # type: ignore[return-value]


def test_out_of_scope_names_school_county(store: Session, tmp_path: Path) -> None:
    # School 2141000009 belongs to 二七区 (410103); the file files it under the
    # importer's own 中原区 (410102).
    other = school(9, division_code="410103")
    reporting.save_school_year(store, ERQI, other["school_code"], 2024, other, None)
    store.commit()
    rows = [school(1), school(9)]
    issues = _issues(store, canonical_csv(tmp_path / "hijack.csv", rows))
    assert len(issues) == 1
    assert issues[0].rule == "store_scope"
    assert "of division 410103 is outside the scope" in issues[0].message
    assert "410102" not in issues[0].message


def test_out_of_scope_error_has_row(store: Session, tmp_path: Path) -> None:
    rows = [school(1), school(2), school(3, division_code="410103")]
    issues = _issues(store, canonical_csv(tmp_path / "outscope.csv", rows))
    assert [(i.rule, i.file, i.row) for i in issues] == [
        ("store_scope", "outscope.csv", 4)
    ]
    assert "row 4" in issues[0].location
