"""Stored warnings and targets: refresh, escalation, scope and audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from factories import warning_row
from services.people import (
    EVALUATOR,
    HENAN,
    MINISTRY,
    PUBLIC,
    SCHOOL_1,
    ZHENGZHOU,
    ZHONGYUAN,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from junheng.errors import PermissionDenied
from junheng.governance import audit
from junheng.monitoring import alerts
from junheng.services import warnings as service
from junheng.store.models import AuditRecord, Target, Warning

TODAY = dt.date(2026, 12, 1)


def _warning(code: str, rule: str = "cv_near_limit", **changes: Any) -> dict[str, Any]:
    """A warning raised on :data:`TODAY` with 180 days to act."""
    changes.setdefault("raised_on", TODAY)
    changes.setdefault("deadline", TODAY + dt.timedelta(days=180))
    return warning_row(code, rule, **changes)


def _frame(*rows: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=alerts.WARNING_SCHEMA)


def _actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditRecord.action).order_by(AuditRecord.seq)))


def test_refresh_is_idempotent_and_resolves_what_is_gone(session: Session) -> None:
    first = _frame(_warning("410102"), _warning("410103"))
    assert service.refresh_warnings(session, ZHENGZHOU, first) == {
        "added": 2,
        "kept": 0,
        "resolved": 0,
    }
    session.commit()
    # The same run again adds nothing.
    assert service.refresh_warnings(session, ZHENGZHOU, first) == {
        "added": 0,
        "kept": 2,
        "resolved": 0,
    }
    # A run over both counties that raises only 410103's warning resolves
    # 410102's.
    covered = pl.DataFrame(
        {"year": [2025, 2025], "division_code": ["410102", "410103"]}
    )
    counts = service.refresh_warnings(
        session, ZHENGZHOU, _frame(_warning("410103")), covered=covered
    )
    assert counts == {"added": 0, "kept": 1, "resolved": 1}
    session.commit()
    assert (
        session.scalar(select(Warning.status).where(Warning.division_code == "410102"))
        == "resolved"
    )
    assert session.query(Warning).count() == 2
    assert _actions(session) == ["warning.open", "warning.open", "warning.resolve"]
    assert audit.verify(session).ok


def test_refresh_outside_scope_is_refused(session: Session) -> None:
    with pytest.raises(PermissionDenied, match="110101"):
        service.refresh_warnings(session, HENAN, _frame(_warning("110101")))
    with pytest.raises(PermissionDenied):
        service.refresh_warnings(session, SCHOOL_1, _frame(_warning("410102")))


def test_overdue_warnings_move_up_once_with_an_audit_record(session: Session) -> None:
    # Opened 2026-01-01 with a 90-day deadline (2026-04-01): overdue on
    # 2026-12-01. yellow → orange, county 410102 → city 4101, new deadline
    # 2026-12-01 + 90 days = 2027-03-01.
    late = _warning(
        "410102", raised_on=dt.date(2026, 1, 1), deadline=dt.date(2026, 4, 1)
    )
    service.refresh_warnings(session, ZHENGZHOU, _frame(late, _warning("410103")))
    assert service.escalate_overdue(session, ZHENGZHOU, TODAY) == 1
    session.commit()
    moved = session.scalars(
        select(Warning).where(Warning.division_code == "410102")
    ).one()
    assert (moved.level, moved.responsible, moved.escalated_to) == (
        "orange",
        "city",
        "4101",
    )
    assert moved.deadline == dt.date(2027, 3, 1)
    assert moved.escalations == 1
    # Not overdue any more: a second call on the same day does nothing.
    assert service.escalate_overdue(session, ZHENGZHOU, TODAY) == 0
    assert _actions(session)[-1] == "warning.escalate"
    assert audit.verify(session).ok


def test_open_warnings_follow_the_reader_scope(session: Session) -> None:
    school_warning = _warning(
        "410102",
        rule="school_below_floor",
        level="orange",
        school_code="2141000001",
        warning_id="school_below_floor/2025/410102/primary/x/2141000001",
    )
    rows = _frame(
        _warning("410102"), _warning("410103"), _warning("110101"), school_warning
    )
    service.refresh_warnings(session, MINISTRY, rows)
    session.commit()

    def seen(principal: Any) -> list[str]:
        return [
            w.key.split("/")[2] + ("*" if w.school_code else "")
            for w in service.open_warnings(session, principal)
        ]

    # Orange before yellow; then by deadline and the order they were stored.
    assert seen(MINISTRY) == ["410102*", "410102", "410103", "110101"]
    assert seen(HENAN) == ["410102*", "410102", "410103"]
    assert seen(ZHONGYUAN) == ["410102*", "410102"]
    assert seen(SCHOOL_1) == ["410102*"]
    assert seen(EVALUATOR) == ["410102*", "410102"]
    assert seen(PUBLIC) == []
    assert len(service.open_warnings(session, MINISTRY, limit=2)) == 2


def test_targets_are_stored_replaced_and_read_back(session: Session) -> None:
    schedule = pl.DataFrame(
        {
            "division_code": ["4101", "410102"],
            "level": ["city", "county"],
            "target_year": [2030, 2027],
            "note": ["city goal", None],
        }
    )
    assert service.save_targets(session, ZHENGZHOU, schedule, "plan.csv") == 2
    later = schedule.filter(pl.col("division_code") == "410102").with_columns(
        pl.lit(2028).alias("target_year")
    )
    service.save_targets(session, ZHENGZHOU, later, "plan-2.csv")
    session.commit()
    assert session.get(Target, "410102").target_year == 2028  # type: ignore[union-attr]
    assert service.load_targets(session, "4101").rows() == [
        ("4101", "city", 2030, "city goal"),
        ("410102", "county", 2028, None),
    ]
    assert _actions(session) == ["target.save"] * 3
    with pytest.raises(PermissionDenied):
        service.save_targets(session, ZHONGYUAN, schedule, "plan.csv")
