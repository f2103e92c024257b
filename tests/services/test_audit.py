"""Audit chain: an intact chain verifies; each kind of tampering is found."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from junheng.governance import audit
from junheng.store.models import AuditRecord, utcnow


def _chain(session: Session, length: int = 5) -> None:
    for number in range(1, length + 1):
        audit.append(
            session,
            "tester",
            "test.change",
            "thing",
            number,
            {"value": number - 1},
            {"value": number, "name": f"第{number}项"},
        )
    session.commit()


def test_empty_chain_is_intact(store: Session) -> None:
    # The store fixture loads divisions, which appends one record.
    store.execute(delete(AuditRecord))
    store.commit()
    result = audit.verify(store)
    assert result.ok
    assert result.checked == 0


def test_intact_chain_verifies(store: Session) -> None:
    _chain(store)
    result = audit.verify(store)
    assert result.ok
    assert result.checked == 6
    assert result.first_bad_seq is None
    last = store.scalar(select(AuditRecord).order_by(AuditRecord.seq.desc()))
    assert last is not None
    assert result.head_hash == last.hash


def test_records_link_by_hash(store: Session) -> None:
    _chain(store, 2)
    first, second, third = store.scalars(
        select(AuditRecord).order_by(AuditRecord.seq)
    ).all()
    assert first.prev_hash == audit.GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert len(third.hash) == 64


def _edit(session: Session) -> None:
    session.execute(
        update(AuditRecord).where(AuditRecord.seq == 3).values(actor="someone else")
    )


def _edit_json(session: Session) -> None:
    record = session.get(AuditRecord, 3)
    assert record is not None
    record.after = {"value": 999, "name": "第2项"}


def _delete(session: Session) -> None:
    session.execute(delete(AuditRecord).where(AuditRecord.seq == 3))


def _make_room_at_3(session: Session) -> None:
    """Move records 3 to 6 up by one place, leaving seq 3 free."""
    for seq in (6, 5, 4, 3):
        session.execute(
            update(AuditRecord).where(AuditRecord.seq == seq).values(seq=seq + 1)
        )


def _forged(prev_hash: str) -> AuditRecord:
    return AuditRecord(
        seq=3,
        at=utcnow(),
        actor="intruder",
        action="test.change",
        entity="thing",
        entity_id="99",
        before=None,
        after={"value": 99},
        prev_hash=prev_hash,
        hash="e" * 64,
    )


def _insert_forged(session: Session) -> None:
    """Put a forged record with made-up hashes at 3."""
    _make_room_at_3(session)
    session.add(_forged("f" * 64))


def _reorder(session: Session) -> None:
    """Swap the places of records 3 and 4."""
    session.execute(update(AuditRecord).where(AuditRecord.seq == 3).values(seq=-3))
    session.execute(update(AuditRecord).where(AuditRecord.seq == 4).values(seq=3))
    session.execute(update(AuditRecord).where(AuditRecord.seq == -3).values(seq=4))


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (_edit, "record 3 was changed"),
        (_edit_json, "record 3 was changed"),
        (_delete, "record 3 is missing"),
        (_insert_forged, "record 3 does not follow record 2"),
        (_reorder, "record 3 does not follow record 2"),
    ],
    ids=["edit", "edit-json", "delete", "insert", "reorder"],
)
def test_tampering_names_first_bad_record(
    store: Session, tamper: Callable[[Session], None], reason: str
) -> None:
    _chain(store)
    tamper(store)
    store.commit()
    result = audit.verify(store)
    assert not result.ok
    assert result.first_bad_seq == 3
    assert result.reason is not None
    assert result.reason.startswith(reason)
    assert result.checked == 3


def test_rehashed_insert_breaks_next_record(store: Session) -> None:
    """A forged record with a correct hash still breaks the record after it."""
    _chain(store)
    _make_room_at_3(store)
    previous = store.get(AuditRecord, 2)
    assert previous is not None
    forged = _forged(previous.hash)
    forged.hash = audit.record_hash(previous.hash, audit._fields(forged))
    store.add(forged)
    store.commit()
    result = audit.verify(store)
    assert result.first_bad_seq == 4
    assert result.reason is not None
    assert result.reason.startswith("record 4 does not follow record 3")


def test_first_record_deleted(store: Session) -> None:
    _chain(store, 2)
    store.execute(delete(AuditRecord).where(AuditRecord.seq == 1))
    store.commit()
    result = audit.verify(store)
    assert result.first_bad_seq == 1
    assert result.reason == "record 1 is missing: the record after the start is 2"


def test_truncation_found_with_saved_head(store: Session) -> None:
    _chain(store)
    saved = audit.verify(store)
    assert saved.head_hash is not None
    assert saved.checked == 6
    # The chain grows after the head was saved: still fine.
    _chain(store, 2)
    grown = audit.verify(store, expect_head=saved.head_hash, min_records=6)
    assert grown.ok
    assert grown.checked == 8
    # Cutting records 6 to 8 off the end leaves a consistent chain of 5.
    store.execute(delete(AuditRecord).where(AuditRecord.seq >= 6))
    store.commit()
    assert audit.verify(store).ok
    by_head = audit.verify(store, expect_head=saved.head_hash)
    assert not by_head.ok
    assert by_head.first_bad_seq is None
    assert f"no record has the saved head hash {saved.head_hash}" in (
        by_head.reason or ""
    )
    by_count = audit.verify(store, min_records=6)
    assert not by_count.ok
    assert "the chain has 5 records, fewer than the 6 saved earlier" in (
        by_count.reason or ""
    )


def test_saved_head_and_count_must_match(store: Session) -> None:
    _chain(store)
    head = audit.verify(store).head_hash
    assert head is not None
    # The head is record 6's hash; a count of 5 saved with it is inconsistent.
    result = audit.verify(store, expect_head=head.upper(), min_records=5)
    assert not result.ok
    assert "the saved head hash is record 6's, not record 5's" in (result.reason or "")
