"""The audit trail: an append-only hash chain of every change to the store.

Each :class:`~junheng.store.models.AuditRecord` stores the SHA-256 hash of the
previous record's hash followed by its own fields in canonical JSON (sorted
keys, no spaces). Changing, deleting, inserting or reordering a record breaks
the chain at that record or the next one, and :func:`verify` names the first
record that no longer fits.

The chain carries no secret, so someone who can write the table and rehash every
later record can forge it. Keep the head hash that ``junheng audit verify``
prints somewhere else to detect that, and to detect records cut off the end.

The chain records the changes made through Junheng. A change written straight
into a data table (``school_records``, ``users`` and so on) adds no record, so
:func:`verify` does not detect it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Text, cast, func, inspect, select, text
from sqlalchemy.orm import Session

from junheng.store.models import AuditRecord, utcnow

GENESIS_HASH = "0" * 64
"""The ``prev_hash`` of the first record."""

_ADVISORY_LOCK = 0x6A756E68656E67
"""PostgreSQL advisory lock key that serialises appends across connections."""

_BATCH = 1000


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of :func:`verify`.

    ``checked`` counts the records read up to and including the first bad one,
    ``first_bad_seq`` is that record's ``seq`` (``None`` when the chain is
    intact) and ``reason`` states in English what is wrong with it. ``head_hash``
    is the hash of the last record when the chain is intact.
    """

    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str | None = None
    head_hash: str | None = None


def canonical_json(value: Any) -> str:
    """Return ``value`` as JSON with sorted keys and no spaces, for hashing."""
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )


def _timestamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def record_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """Return the SHA-256 hex digest of ``prev_hash`` followed by ``fields``."""
    payload = prev_hash + canonical_json(fields)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _fields(record: AuditRecord) -> dict[str, Any]:
    return {
        "seq": record.seq,
        "at": _timestamp(record.at),
        "actor": record.actor,
        "action": record.action,
        "entity": record.entity,
        "entity_id": record.entity_id,
        "before": record.before,
        "after": record.after,
    }


def _plain(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """Return ``value`` as it reads back from a JSON column (dates as text)."""
    if value is None:
        return None
    plain: dict[str, Any] = json.loads(canonical_json(value))
    return plain


def append(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | int,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    *,
    at: datetime | None = None,
) -> AuditRecord:
    """Add a record to the end of the chain, in the caller's transaction.

    ``action`` names the change (such as ``school_record.save``), ``entity`` and
    ``entity_id`` the thing changed, and ``before`` and ``after`` its state as
    JSON-ready mappings. On PostgreSQL an advisory lock held until the
    transaction ends keeps two writers from taking the same place in the chain.
    On SQLite the database's write lock does the same.
    """
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK}
        )
    last = session.execute(
        select(AuditRecord.seq, AuditRecord.hash)
        .order_by(AuditRecord.seq.desc())
        .limit(1)
    ).first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    record = AuditRecord(
        seq=seq,
        at=at or utcnow(),
        actor=actor,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        before=_plain(before),
        after=_plain(after),
        prev_hash=prev_hash,
        hash="",
    )
    record.hash = record_hash(prev_hash, _fields(record))
    session.add(record)
    session.flush()
    return record


def verify(
    session: Session,
    progress: Callable[[int, int], None] | None = None,
    *,
    expect_head: str | None = None,
    min_records: int | None = None,
) -> VerifyResult:
    """Check the whole chain, from the first record to the last.

    ``progress`` is called with the records checked so far and the total.
    Returns at the first record that is missing, out of place or changed.
    A chain that cuts records off its end stays consistent, so an intact
    chain is also compared with a head saved earlier: ``expect_head`` must be
    the hash of one of its records, and ``min_records`` at most its length.
    """
    table = AuditRecord.__tablename__
    if not inspect(session.connection()).has_table(table):
        return VerifyResult(
            False, 0, None, f"the audit table {table} is missing from the database"
        )
    total = session.scalar(select(func.count()).select_from(AuditRecord)) or 0
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    result = session.execute(
        select(AuditRecord)
        .order_by(AuditRecord.seq)
        .execution_options(yield_per=_BATCH)
    )
    try:
        for record in result.scalars():
            checked += 1
            problem = _check(record, expected_seq, prev_hash)
            if problem is not None:
                bad_seq, reason = problem
                return VerifyResult(False, checked, bad_seq, reason)
            prev_hash = record.hash
            expected_seq += 1
            if progress is not None and checked % _BATCH == 0:
                progress(checked, total)
    except ValueError:
        # The JSON column failed to parse a record's text (json.JSONDecodeError
        # is a ValueError); find which one from the raw text.
        unparsable_seq, reason = _unparsable(session, expected_seq)
        return VerifyResult(False, checked + 1, unparsable_seq, reason)
    finally:
        # A server-side cursor (PostgreSQL) must be closed when the loop stops
        # early.
        result.close()
    if progress is not None:
        progress(checked, total)
    head_hash = prev_hash if checked else None
    short = _shorter_than_saved(session, checked, expect_head, min_records)
    if short is not None:
        return VerifyResult(False, checked, None, short, head_hash=head_hash)
    return VerifyResult(True, checked, head_hash=head_hash)


def _shorter_than_saved(
    session: Session, checked: int, expect_head: str | None, min_records: int | None
) -> str | None:
    """Return why an intact chain of ``checked`` records does not reach the
    saved head, or ``None`` when it does."""
    if min_records is not None and checked < min_records:
        return (
            f"the chain has {checked} records, fewer than the {min_records} saved "
            "earlier: records were cut off its end"
        )
    if expect_head is None:
        return None
    seq = session.scalar(
        select(AuditRecord.seq).where(AuditRecord.hash == expect_head.strip().lower())
    )
    if seq is None:
        return (
            f"no record has the saved head hash {expect_head}: records were cut "
            "off the end of the chain, or the chain was rewritten"
        )
    if min_records is not None and seq != min_records:
        return (
            f"the saved head hash is record {seq}'s, not record {min_records}'s: "
            "the chain was rewritten, or the saved head and count do not belong "
            "together"
        )
    return None


def _check(
    record: AuditRecord, expected_seq: int, prev_hash: str
) -> tuple[int, str] | None:
    """Return the bad ``seq`` and the reason, or ``None`` if ``record`` fits."""
    if record.seq != expected_seq:
        before = f"record {expected_seq - 1}" if expected_seq > 1 else "the start"
        return expected_seq, (
            f"record {expected_seq} is missing: the record after {before} is "
            f"{record.seq}"
        )
    if record.prev_hash != prev_hash:
        return record.seq, (
            f"record {record.seq} does not follow record {record.seq - 1}: its "
            "prev_hash differs from that record's hash (a record was inserted, "
            "removed or moved before it)"
        )
    if record_hash(record.prev_hash, _fields(record)) != record.hash:
        return record.seq, (
            f"record {record.seq} was changed: its content no longer matches its hash"
        )
    return None


def _unparsable(session: Session, from_seq: int) -> tuple[int | None, str]:
    """Return the first record from ``from_seq`` whose JSON does not parse."""
    rows = session.execute(
        select(
            AuditRecord.seq,
            cast(AuditRecord.before, Text),
            cast(AuditRecord.after, Text),
        )
        .where(AuditRecord.seq >= from_seq)
        .order_by(AuditRecord.seq)
    )
    for seq, *texts in rows:
        for name, value in zip(("before", "after"), texts, strict=True):
            if value is None:
                continue
            try:
                json.loads(value)
            except ValueError as error:
                return seq, (
                    f"record {seq} was changed: its {name} field is not valid "
                    f"JSON ({error})"
                )
    return None, "a record holds JSON that cannot be read"
