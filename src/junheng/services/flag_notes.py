"""County explanations of data-quality and falsification flags.

A flag of :mod:`junheng.monitoring.quality` never changes the data. A county
that has checked one may mark it ``explained`` with a note, and the city,
province and ministry then read the note beside the flag. Only a county user
of the flag's county may write the note, or for a flag of a whole province
(Benford's test) a province user of that province. Every write is appended to
the audit chain in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from junheng.errors import InputError, PermissionDenied
from junheng.governance import audit
from junheng.services.access import Principal, Role, can_read, covers
from junheng.store.models import FlagNote

EXPLAINED = "explained"
EXPLAINERS = {6: Role.COUNTY, 2: Role.PROVINCE}
"""Role that explains the flags of a division, by the length of its code."""
NOTE_MAX_CHARS = 2000
"""The maximum length of a note, in characters."""


def flag_key(
    check: str, year: int, division_code: str, school_code: str | None, field: str
) -> str:
    """Return the identifier of a flag: check, year, county, school and field."""
    return f"{check}|{year}|{division_code}|{school_code or ''}|{field}"


def _state(note: FlagNote) -> dict[str, object]:
    return {
        "flag_key": note.flag_key,
        "status": note.status,
        "note": note.note,
        "updated_by": note.updated_by,
    }


def explain(
    session: Session,
    principal: Principal,
    *,
    check: str,
    year: int,
    division_code: str,
    school_code: str | None,
    field: str,
    note: str,
) -> FlagNote:
    """Mark one flag ``explained`` with ``note``, replacing an earlier note.

    Raises :class:`PermissionDenied` unless ``principal`` is a user of the
    flag's division at its level (a county, or a province for a 2-digit
    ``division_code``), and :class:`InputError` for an empty or too long note.
    """
    writer = EXPLAINERS.get(len(division_code))
    if principal.role != writer or not covers(principal.scope, division_code):
        raise PermissionDenied(
            f"user {principal.username!r} may not explain flags of {division_code}; "
            "only a county user of that county (a province user for a "
            "province's flag) may",
            zh=f"用户 {principal.username} 无权说明 {division_code} 的数据疑点，"
            "只有该县的县级用户（全省性疑点为该省的省级用户）可以说明",
        )
    text = note.strip()
    if not text:
        raise InputError(
            "the note is empty; write what the county checked and found",
            zh="说明为空，请写明县里核查的情况和结论",
        )
    if len(text) > NOTE_MAX_CHARS:
        raise InputError(
            f"the note has {len(text)} characters; shorten it to at most "
            f"{NOTE_MAX_CHARS}",
            zh=f"说明有 {len(text)} 个字符，请缩短到 {NOTE_MAX_CHARS} 个以内",
        )
    key = flag_key(check, year, division_code, school_code, field)
    found = session.scalars(select(FlagNote).where(FlagNote.flag_key == key)).first()
    before = _state(found) if found is not None else None
    now = dt.datetime.now(dt.UTC)
    if found is None:
        found = FlagNote(
            flag_key=key,
            check=check,
            year=year,
            division_code=division_code,
            school_code=school_code,
            field=field,
            status=EXPLAINED,
            note=text,
            updated_by=principal.username,
            updated_at=now,
        )
        session.add(found)
    else:
        found.status = EXPLAINED
        found.note = text
        found.updated_by = principal.username
        found.updated_at = now
    session.flush()
    audit.append(
        session,
        principal.username,
        "flag_note.explain",
        "flag_note",
        found.id,
        before,
        _state(found),
    )
    return found


def notes_within(
    session: Session, principal: Principal, prefix: str
) -> dict[str, FlagNote]:
    """Return, by flag key, the notes of flags inside the region ``prefix`` that
    ``principal`` may read."""
    query = select(FlagNote).where(FlagNote.division_code.startswith(prefix))
    return {
        n.flag_key: n
        for n in session.scalars(query)
        if can_read(principal, n.division_code)
    }
