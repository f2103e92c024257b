"""Evaluations by other authors than the government, in the store.

Third-party evaluators (role ``evaluator``) record a value, a judgement and a
note per indicator or item of a county-year or school-year in their assigned
counties, and schools their self-evaluation of their own school-year. The
government's own evaluation is the core's and is not stored here; see
:func:`junheng.governance.rectification.compare` for the side-by-side view.
Every change is written with its audit record in the caller's transaction.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from junheng.errors import InputError, PermissionDenied
from junheng.governance import audit
from junheng.governance.rectification import PeerView, subjects
from junheng.services.access import Principal, Role, can_read, covers
from junheng.services.input_checks import reject_nul, require_finite
from junheng.standards.model import Framework
from junheng.store.models import PeerAssessment, utcnow

JUDGEMENTS: tuple[str, ...] = ("pass", "fail")


def may_assess(principal: Principal, division_code: str, school_code: str) -> bool:
    """Return whether ``principal`` may record an evaluation of a county-year
    (``school_code`` empty) or school-year: an evaluator in its assigned
    counties, a school for its own school."""
    if principal.role == Role.EVALUATOR:
        return any(covers(c, division_code) for c in principal.assigned_counties)
    if principal.role == Role.SCHOOL:
        return (
            bool(school_code)
            and school_code == principal.school_code
            and covers(principal.scope, division_code)
        )
    return False


def _require_assessor(
    principal: Principal, division_code: str, school_code: str
) -> None:
    if not may_assess(principal, division_code, school_code):
        target = school_code or division_code
        raise PermissionDenied(
            f"user {principal.username!r} ({principal.role}) may not record an "
            f"evaluation of {target}; third-party evaluators record those of their "
            "assigned counties and schools their own self-evaluation",
            zh=f"用户 {principal.username} 无权填报 {target} 的评估；第三方评估机构"
            "填报所负责县区的评估，学校填报本校自评",
        )


def _check_subject(framework: Framework, subject: str, school: bool) -> None:
    if subject in subjects(framework, school):
        return
    if school:
        forms_en = "indicator:SECTION:ID or compliant:SECTION"
        example = "indicator:primary:L1"
    else:
        forms_en = "cv:SECTION:ID or check:KEY"
        example = "cv:primary:L1"
    sections = ", ".join(framework.sections)
    raise InputError(
        f"subject {subject!r} is not one of framework {framework.id}: use "
        f"{forms_en}, with SECTION one of {sections} and ID or KEY from the "
        f"framework, for example {example}",
        zh=f"评估对象 {subject!r} 不在评估框架 {framework.id} 中：应为 {forms_en}，"
        f"SECTION 取 {sections}，ID 或 KEY 取自评估框架，例如 {example}",
    )


def record_assessment(
    session: Session,
    principal: Principal,
    *,
    year: int,
    division_code: str,
    school_code: str,
    subject: str,
    value: float | None,
    judgement: str | None,
    note: str | None,
    framework: Framework,
) -> PeerAssessment:
    """Record the principal's judgement of one subject (see
    :func:`junheng.governance.rectification.government_rows`), replacing the
    principal's earlier entry for it. A subject that ``framework`` does not
    have raises :class:`InputError`."""
    _require_assessor(principal, division_code, school_code)
    reject_nul(subject=subject, note=note)
    _check_subject(framework, subject, bool(school_code))
    require_finite("value", value)
    if judgement is not None and judgement not in JUDGEMENTS:
        raise InputError(
            f"judgement {judgement!r} is not valid; use pass or fail, or leave it "
            "empty and give a value",
            zh=f"结论 {judgement!r} 无效，请选择达标或未达标，或留空并填写数值",
        )
    if value is None and judgement is None:
        raise InputError(
            f"the evaluation of {subject} has neither a value nor a judgement; "
            "give at least one",
            zh=f"{subject} 的评估既无数值也无结论，请至少填写一项",
        )

    stored = session.scalar(
        select(PeerAssessment).where(
            PeerAssessment.author == principal.username,
            PeerAssessment.year == year,
            PeerAssessment.division_code == division_code,
            PeerAssessment.school_code == school_code,
            PeerAssessment.subject == subject,
        )
    )
    before = None
    if stored is None:
        stored = PeerAssessment(
            author=principal.username,
            author_role=str(principal.role),
            year=year,
            division_code=division_code,
            school_code=school_code,
            subject=subject,
        )
        session.add(stored)
    else:
        before = {"value": stored.value, "judgement": stored.judgement}
    now = utcnow()
    stored.value = value
    stored.judgement = judgement
    stored.note = (note or "").strip() or None
    stored.updated_at = now
    session.flush()
    audit.append(
        session,
        principal.username,
        "assessment.record",
        "peer_assessment",
        stored.id,
        before,
        {
            "year": year,
            "division_code": division_code,
            "school_code": school_code,
            "subject": subject,
            "value": value,
            "judgement": judgement,
        },
        at=now,
    )
    return stored


def assessments(
    session: Session,
    principal: Principal,
    year: int,
    division_code: str,
    school_code: str = "",
) -> list[PeerView]:
    """Return the other authors' entries of a county-year (``school_code``
    empty) or school-year, for the side-by-side view."""
    if not can_read(principal, division_code, school_code or None):
        raise PermissionDenied(
            f"user {principal.username!r} ({principal.role}) may not read the "
            f"evaluations of {school_code or division_code}",
            zh=f"用户 {principal.username} 无权查看 {school_code or division_code} "
            "的评估",
        )
    rows = session.scalars(
        select(PeerAssessment)
        .where(
            PeerAssessment.year == year,
            PeerAssessment.division_code == division_code,
            PeerAssessment.school_code == school_code,
        )
        .order_by(PeerAssessment.author_role, PeerAssessment.author)
    )
    return [
        PeerView(
            author=r.author,
            role=r.author_role,
            subject=r.subject,
            value=r.value,
            judgement=r.judgement,
            note=r.note,
        )
        for r in rows
    ]
