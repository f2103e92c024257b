"""Who may explain a data-quality flag: the county, or for a flag of a whole
province (Benford's test) the province."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from store.dbfixtures import Database

from junheng.errors import PermissionDenied
from junheng.services import flag_notes
from junheng.services.access import Principal, Role
from junheng.store.models import AuditRecord

HENAN = Principal(1, "henan", Role.PROVINCE, "41")
BEIJING = Principal(2, "beijing", Role.PROVINCE, "11")
ZHONGYUAN = Principal(3, "zhongyuan", Role.COUNTY, "410102")
MINISTRY = Principal(4, "moe", Role.MINISTRY, "")


def _explain(session: Session, principal: Principal, division: str) -> None:
    flag_notes.explain(
        session,
        principal,
        check="benford" if len(division) == 2 else "year_jump",
        year=2024,
        division_code=division,
        school_code=None if len(division) == 2 else "2141000005",
        field="equipment_value_yuan",
        note="已核对全省设备采购合同",
    )


def test_province_explains_its_benford_flag(database: Database) -> None:
    with database.sessions() as session:
        _explain(session, HENAN, "41")
        notes = flag_notes.notes_within(session, HENAN, "41")
        key = flag_notes.flag_key("benford", 2024, "41", None, "equipment_value_yuan")
        assert list(notes) == [key]
        assert notes[key].updated_by == "henan"
        actions = session.scalars(select(AuditRecord.action)).all()
        assert actions == ["flag_note.explain"]


@pytest.mark.parametrize(
    ("principal", "division"),
    [
        (BEIJING, "41"),  # another province
        (ZHONGYUAN, "41"),  # a county cannot explain its province's flag
        (MINISTRY, "41"),
        (HENAN, "410102"),  # a province cannot explain a county's flag
    ],
)
def test_others_may_not_explain(
    database: Database, principal: Principal, division: str
) -> None:
    with database.sessions() as session:
        with pytest.raises(PermissionDenied):
            _explain(session, principal, division)
        assert session.scalars(select(AuditRecord)).all() == []
