"""Satisfaction survey rounds: open, issue one-time links, answer, count.

A county authority (or a higher authority whose scope covers the county) opens
a round for a county and year with the county's population, and the round
stores its sample design. Issuing links creates one random token per
respondent for each design cell (group, stratum, grade band). The token is
shown once, in the download of the issue, and only its SHA-256 hash is kept.

Answering needs no account: whoever holds a link may answer once. The answer
is stored with its design cell and the day only. A second answer through the
same link fails on the primary key of ``survey_link_uses``, so two submits that
race store exactly one answer. Answers are not written to the audit chain,
because an audit record's time and id would tie an answer to a moment; the
round's opening, link issues and closing are.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from junheng.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from junheng.governance import audit
from junheng.participation.design import design_sample
from junheng.participation.disclosure import suppression
from junheng.participation.questionnaire import (
    DEFAULT_SET,
    QuestionnaireSet,
    load_questionnaire_set,
)
from junheng.participation.rates import (
    AnswerSheet,
    RoundRates,
    Tally,
    floor_percent,
    tally_answers,
)
from junheng.services import reporting
from junheng.services.access import (
    ADMINISTRATIONS,
    Principal,
    Role,
    can_read,
    covers,
    require_read,
)
from junheng.services.feedback import child_divisions
from junheng.services.input_checks import reject_nul
from junheng.store.models import (
    CountyItemRecord,
    Division,
    SurveyAnswer,
    SurveyLink,
    SurveyLinkUse,
    SurveyRound,
    utcnow,
)

if TYPE_CHECKING:
    from junheng.standards.model import Framework

log = logging.getLogger(__name__)

TOKEN_BYTES = 16
"""Random bytes of a link token: 128 bits, written as 22 URL-safe characters."""
MAX_LINKS_PER_ISSUE = 20_000
"""Most links one issue creates; a county of 13 million people needs 19,500."""
ENTITY = "survey_round"


@dataclass(frozen=True)
class IssuedLink:
    """A link just issued, with its token in clear (shown only once)."""

    token: str
    group: str
    stratum: str
    band: str


@dataclass(frozen=True)
class LinkState:
    """What the answer page needs to know about a link."""

    link_id: int
    round: SurveyRound
    group: str
    stratum: str
    band: str
    used: bool


class LinkUnusable(Conflict):
    """A link that was answered already, or whose round is closed."""

    code = "link_used"


def hash_token(token: str) -> str:
    """Return the SHA-256 hex digest under which a link token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _require_manage(principal: Principal, division_code: str) -> None:
    if not reporting.may_edit_county(principal, division_code):
        raise PermissionDenied(
            f"user {principal.username!r} may not manage the surveys of "
            f"{division_code}; a county authority of that county (or a higher "
            "authority over it) must do it",
            zh=f"用户 {principal.username} 无权管理 {division_code} 的满意度调查，"
            "请由该县（或上级）教育行政部门操作",
        )


def _county(session: Session, division_code: str) -> Division:
    division = session.get(Division, division_code)
    if division is None or division.level != "county":
        raise NotFound(
            f"county {division_code!r} not found; give a 6-digit county division "
            "code from the division list",
            zh=f"找不到县级行政区划 {division_code}，请填写 6 位县级行政区划代码",
        )
    return division


def open_round(
    session: Session,
    principal: Principal,
    division_code: str,
    year: int,
    population: int,
    stratum_population: dict[str, int],
    questionnaire_set: str = DEFAULT_SET,
) -> SurveyRound:
    """Open a survey round of a county for ``year`` with its sample design.

    ``population`` is the resident population and ``stratum_population`` the
    population of each stratum of the questionnaire set (urban, town, rural).
    """
    _county(session, division_code)
    _require_manage(principal, division_code)
    qset = load_questionnaire_set(questionnaire_set)
    design = design_sample(qset, population, stratum_population)
    survey = SurveyRound(
        division_code=division_code,
        year=year,
        questionnaire_set=qset.id,
        status="open",
        design=design.to_dict(),
        created_by=principal.username,
        created_at=utcnow(),
    )
    session.add(survey)
    session.flush()
    after = {"division_code": division_code, "year": year, "design": survey.design}
    audit.append(
        session, principal.username, "survey.open", ENTITY, survey.id, None, after
    )
    log.info("survey round %s opened for %s %s", survey.id, division_code, year)
    return survey


def list_rounds(session: Session, principal: Principal) -> list[SurveyRound]:
    """Return the rounds in the caller's scope, newest first."""
    rounds = session.scalars(
        select(SurveyRound)
        .where(SurveyRound.division_code.startswith(principal.scope, autoescape=True))
        .order_by(SurveyRound.year.desc(), SurveyRound.id.desc())
    ).all()
    return [r for r in rounds if can_read(principal, r.division_code)]


def get_round(session: Session, principal: Principal, round_id: int) -> SurveyRound:
    """Return round ``round_id``; raise NotFound or PermissionDenied."""
    survey = session.get(SurveyRound, round_id)
    if survey is None:
        raise NotFound(
            f"no survey round with id {round_id}",
            zh=f"不存在编号为 {round_id} 的调查轮次",
        )
    require_read(principal, survey.division_code)
    return survey


def _require_open(survey: SurveyRound) -> None:
    if survey.status != "open":
        raise Conflict(
            f"survey round {survey.id} is closed; open a new round to collect more "
            "answers",
            zh=f"调查轮次 {survey.id} 已结束，如需继续收集请新开一轮",
        )


def issued_counts(session: Session, round_id: int) -> Counter[tuple[str, str, str]]:
    """Return the number of links issued per cell (group, stratum, band)."""
    rows = session.execute(
        select(SurveyLink.group, SurveyLink.stratum, SurveyLink.band, func.count())
        .where(SurveyLink.round_id == round_id)
        .group_by(SurveyLink.group, SurveyLink.stratum, SurveyLink.band)
    ).all()
    return Counter({(g, s, b): n for g, s, b, n in rows})


def answered_counts(session: Session, round_id: int) -> Counter[tuple[str, str, str]]:
    """Return the number of answers stored per cell (group, stratum, band)."""
    rows = session.execute(
        select(
            SurveyAnswer.group, SurveyAnswer.stratum, SurveyAnswer.band, func.count()
        )
        .where(SurveyAnswer.round_id == round_id)
        .group_by(SurveyAnswer.group, SurveyAnswer.stratum, SurveyAnswer.band)
    ).all()
    return Counter({(g, s, b): n for g, s, b, n in rows})


def issue_links(
    session: Session, principal: Principal, round_id: int, extra_percent: int = 0
) -> list[IssuedLink]:
    """Issue the links a round still needs, and return them with their tokens.

    Each cell gets ``ceil(target × (1 + extra_percent / 100))`` links in all,
    less those issued before; ``extra_percent`` covers people who will not
    answer. The tokens are returned only here.
    """
    survey = get_round(session, principal, round_id)
    _require_manage(principal, survey.division_code)
    _require_open(survey)
    if not 0 <= extra_percent <= 100:
        raise InvalidInput(
            f"extra links {extra_percent}% is out of range; give 0 to 100",
            zh=f"额外链接比例 {extra_percent}% 超出范围，请填写 0 到 100",
        )
    issued = issued_counts(session, round_id)
    batch = 1 + (
        session.scalar(
            select(func.max(SurveyLink.batch)).where(SurveyLink.round_id == round_id)
        )
        or 0
    )
    links: list[IssuedLink] = []
    for cell in survey.design["cells"]:
        key = (cell["group"], cell["stratum"], cell["band"])
        total_links = -(-cell["target"] * (100 + extra_percent) // 100)
        for _ in range(max(0, total_links - issued[key])):
            links.append(IssuedLink(secrets.token_urlsafe(TOKEN_BYTES), *key))
    if len(links) > MAX_LINKS_PER_ISSUE:
        raise InvalidInput(
            f"{len(links)} links at once is more than {MAX_LINKS_PER_ISSUE}; lower "
            "the extra percentage",
            zh=f"一次签发 {len(links)} 个链接，超过上限 {MAX_LINKS_PER_ISSUE}，"
            "请降低额外比例",
        )
    session.add_all(
        SurveyLink(
            round_id=round_id,
            group=link.group,
            stratum=link.stratum,
            band=link.band,
            token_hash=hash_token(link.token),
            batch=batch,
        )
        for link in links
    )
    after = {"batch": batch, "links": len(links), "extra_percent": extra_percent}
    audit.append(
        session, principal.username, "survey.issue", ENTITY, round_id, None, after
    )
    log.info(
        "survey round %s: issued %s links in batch %s", round_id, len(links), batch
    )
    return links


def close_round(session: Session, principal: Principal, round_id: int) -> SurveyRound:
    """Close a round; its links stop taking answers."""
    survey = get_round(session, principal, round_id)
    _require_manage(principal, survey.division_code)
    _require_open(survey)
    survey.status = "closed"
    survey.closed_at = utcnow()
    audit.append(
        session,
        principal.username,
        "survey.close",
        ENTITY,
        round_id,
        {"status": "open"},
        {"status": "closed"},
    )
    return survey


def find_link(session: Session, token: str) -> LinkState | None:
    """Return the link of ``token``, or ``None`` when no link has that token."""
    if not token or len(token) > 64:
        return None
    link = session.scalar(
        select(SurveyLink).where(SurveyLink.token_hash == hash_token(token))
    )
    if link is None:
        return None
    survey = session.get(SurveyRound, link.round_id)
    assert survey is not None  # the foreign key guarantees it
    used = session.get(SurveyLinkUse, link.id) is not None
    return LinkState(link.id, survey, link.group, link.stratum, link.band, used)


def check_answers(
    qset: QuestionnaireSet, group: str, form: Mapping[str, str]
) -> dict[str, str]:
    """Return the answers of ``form`` to the group's items, or raise InvalidInput.

    Every item needs one answer of its scale; other fields are ignored.
    """
    answers: dict[str, str] = {}
    missing: list[str] = []
    for item in qset.items_of(group):
        value = form.get(item.id)
        if value not in qset.scales[item.scale].answer_keys():
            missing.append(item.id)
            continue
        answers[item.id] = value
    if missing:
        raise InvalidInput(
            f"answer every question; missing or invalid: {', '.join(missing)}",
            zh=f"请回答每一道题，未作答或答案无效：{'、'.join(missing)}",
        )
    return answers


def submit_answers(
    session: Session, token: str, form: Mapping[str, str], today: date
) -> SurveyAnswer:
    """Store the answers given through link ``token``, once.

    Raises :class:`NotFound` for an unknown token, :class:`LinkUnusable` for an
    answered link or a closed round, and :class:`InvalidInput` for an
    incomplete form. The caller commits; on an error it must roll back.
    """
    state = find_link(session, token)
    if state is None:
        raise NotFound("this survey link is not valid", zh="该调查链接无效")
    if state.used:
        raise LinkUnusable("this link has been used already", zh="该链接已经作答过")
    if state.round.status != "open":
        raise LinkUnusable("this survey has ended", zh="本次调查已结束")
    qset = load_questionnaire_set(state.round.questionnaire_set)
    answers = check_answers(qset, state.group, form)
    session.add(SurveyLinkUse(link_id=state.link_id))
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise LinkUnusable(
            "this link has been used already", zh="该链接已经作答过"
        ) from None
    answer = SurveyAnswer(
        round_id=state.round.id,
        group=state.group,
        stratum=state.stratum,
        band=state.band,
        answered_on=today,
        answers=answers,
    )
    session.add(answer)
    session.flush()
    return answer


@dataclass(frozen=True)
class RoundResult:
    """A round's rates, sample achieved against the design, and verdict."""

    survey: SurveyRound
    qset: QuestionnaireSet
    rates: RoundRates
    cells: list[dict[str, Any]]

    @property
    def overall_percent(self) -> Any:
        """Return the overall rate rounded down to one decimal, or ``None``."""
        return floor_percent(self.rates.overall.rate)


def round_result(session: Session, principal: Principal, round_id: int) -> RoundResult:
    """Count a round's answers: rates, cells against the design, verdict."""
    survey = get_round(session, principal, round_id)
    qset = load_questionnaire_set(survey.questionnaire_set)
    sheets = [
        AnswerSheet(a.group, a.stratum, a.band, a.answers)
        for a in session.scalars(
            select(SurveyAnswer).where(SurveyAnswer.round_id == round_id)
        )
    ]
    rates = tally_answers(qset, sheets)
    issued = issued_counts(session, round_id)
    answered = Counter((s.group, s.stratum, s.band) for s in sheets)
    cells = [
        {
            **cell,
            "issued": issued[(cell["group"], cell["stratum"], cell["band"])],
            "answered": answered[(cell["group"], cell["stratum"], cell["band"])],
        }
        for cell in survey.design["cells"]
    ]
    return RoundResult(survey, qset, rates, cells)


MAX_REASON_LENGTH = 500
"""Longest override reason accepted, in characters."""


def _check_sample_complete(result: RoundResult, override_reason: str) -> None:
    """Raise Conflict unless the round is closed and every design cell has its
    target of answers, or ``override_reason`` explains why the partial sample
    is used.
    """
    survey = result.survey
    short = [c for c in result.cells if c["answered"] < c["target"]]
    if override_reason:
        if len(override_reason) > MAX_REASON_LENGTH:
            raise InvalidInput(
                f"the override reason has {len(override_reason)} characters, "
                f"more than {MAX_REASON_LENGTH}; shorten it",
                zh=f"理由共 {len(override_reason)} 字，超过 {MAX_REASON_LENGTH} 字，"
                "请缩短",
            )
        return
    if survey.status == "open":
        raise Conflict(
            f"survey round {survey.id} is still open; close it before writing its "
            "rate, or give a reason to write it from the answers so far",
            zh=f"调查轮次 {survey.id} 尚未结束，请先结束本轮再写入；"
            "如确需提前写入，请填写理由",
        )
    if short:
        answered = sum(c["answered"] for c in result.cells)
        target = sum(c["target"] for c in result.cells)
        raise Conflict(
            f"survey round {survey.id} has {answered} answers against a design of "
            f"{target}, and {len(short)} cells are short of their target; give a "
            "reason to write the rate from this partial sample",
            zh=f"调查轮次 {survey.id} 回收 {answered} 份，设计样本 {target} 份，"
            f"{len(short)} 个单元未达到设计数；如确需写入，请填写理由",
        )


def _check_disclosed(result: RoundResult, min_answers: int) -> None:
    """Raise InvalidInput when the round page hides the overall rate."""
    survey = result.survey
    hidden = suppression(
        result.qset,
        result.rates,
        min_answers,
        open_round=survey.status == "open",
    )
    if not hidden.overall:
        return
    if hidden.open_round:
        raise InvalidInput(
            f"survey round {survey.id} is open, and an open round shows no rate, "
            "because comparing the rate before and after one answer would "
            "reveal that answer; close the round, then write its rate",
            zh=f"调查轮次 {survey.id} 进行中，进行中的轮次不显示满意率"
            "（前后对比可推算出单份答卷）；请先结束本轮，再写入",
        )
    small = [
        f"{group.key} ({result.rates.respondents[group.key]})"
        for group in result.qset.groups
        if 0 < result.rates.respondents[group.key] < min_answers
    ]
    small_zh = [
        f"{group.zh} {result.rates.respondents[group.key]} 人"
        for group in result.qset.groups
        if 0 < result.rates.respondents[group.key] < min_answers
    ]
    raise InvalidInput(
        f"survey round {survey.id}: its page hides the overall rate, because the "
        f"groups with fewer than {min_answers} respondents "
        f"(JUNHENG_SURVEY_MIN_ANSWERS) — {', '.join(small)} — could be derived "
        f"from it, or answered all alike; the county item would reveal their "
        "answers. The round is closed and takes no more answers, so its rate "
        "cannot be written: open a new round and collect answers until the "
        f"groups under {min_answers} respondents pool at least {min_answers}",
        zh=f"调查轮次 {survey.id} 的页面不显示总体满意率：答卷不足 {min_answers} "
        f"人的群体（{'、'.join(small_zh)}）可由总体数推算出来，或其回答全部相同，"
        "写入县级指标会泄露他们的回答。本轮已结束，不再回收答卷，无法写入；"
        f"请新开一轮调查，使不足 {min_answers} 人的群体合计至少 {min_answers} 人",
    )


def write_county_item(
    session: Session,
    principal: Principal,
    round_id: int,
    override_reason: str = "",
    framework: Framework | None = None,
    *,
    min_answers: int,
) -> CountyItemRecord:
    """Save the round's overall rate as the county's satisfaction item (draft).

    The round must be closed with every design cell at its target, unless the
    caller, who must manage the county's surveys, gives ``override_reason``;
    the override and its reason are audited as ``survey.override``. Even with a
    reason, the write is refused (:class:`InvalidInput`) while the round page
    hides the overall rate, with ``min_answers`` as on that page (see
    :mod:`junheng.participation.disclosure`), so the item never tells what the
    page hides. The value
    is the overall rate rounded down to one decimal, written into a new draft
    version of the county items of the round's year, which then goes through
    review like any other change. The items are checked against ``framework``,
    the default framework when ``None``.
    """
    reject_nul(override_reason=override_reason)
    result = round_result(session, principal, round_id)
    survey = result.survey
    _require_manage(principal, survey.division_code)
    percent = result.overall_percent
    if percent is None:
        raise Conflict(
            f"survey round {round_id} has no valid answers yet; nothing to write",
            zh=f"调查轮次 {round_id} 还没有有效回答，无法写入",
        )
    override_reason = override_reason.strip()
    _check_sample_complete(result, override_reason)
    _check_disclosed(result, min_answers)
    if override_reason:
        after = {
            "status": survey.status,
            "answered": sum(c["answered"] for c in result.cells),
            "target": sum(c["target"] for c in result.cells),
            "reason": override_reason,
        }
        audit.append(
            session,
            principal.username,
            "survey.override",
            ENTITY,
            round_id,
            None,
            after,
        )
        log.info("survey round %s written from a partial sample", round_id)
    versions = reporting.county_versions(
        session, principal, survey.division_code, survey.year
    )
    current = next((v for v in versions if v.is_current), None)
    data: dict[str, Any] = dict(current.data) if current is not None else {}
    answers = sum(result.rates.respondents.values())
    data[result.qset.county_item] = {
        "value": str(percent),
        "evidence": f"满意度调查第 {round_id} 轮，{answers} 份答卷 / "
        f"survey round {round_id}, {answers} answers",
    }
    return reporting.save_county_items(
        session,
        principal,
        survey.division_code,
        survey.year,
        data,
        current.version if current is not None else None,
        comment=f"survey round {round_id}",
        framework=framework,
    )


SURVEY_ACCOUNTABILITY_KEYS: tuple[str, ...] = (
    "division_code",
    "division_name",
    "rounds",
    "rounds_open",
    "rounds_closed",
    "design_total",
    "answered",
    "answered_share",
    "satisfaction",
    "passed",
    "rounds_passed",
    "rounds_failed",
)
"""Keys of each row of :func:`survey_accountability`."""


@dataclass
class _ChildSurveys:
    code: str
    name: str
    rounds: list[SurveyRound]


def survey_accountability(
    session: Session,
    principal: Principal,
    division_prefix: str,
    year: int | None,
    min_answers: int,
) -> list[dict[str, Any]]:
    """Count the survey rounds of each child division of ``division_prefix``.

    ``year`` picks the rounds of one survey year (every year when ``None``).
    Each row has the keys of :data:`SURVEY_ACCOUNTABILITY_KEYS`: the rounds in
    all, open and closed; ``design_total``, the sum of the designs' cell
    targets; ``answered``, the answers stored; ``answered_share``, answered
    divided by the design in percent; ``satisfaction``, the rate that pools
    the satisfied and valid answers of all the child's rounds (for a county
    with one round, that round's rate); ``passed``, whether that pooled rate
    reaches the threshold of the questionnaire set (85%; the highest, should
    sets differ); and the rounds that passed and failed on their own rates.
    A round whose overall rate its own page hides (see
    :mod:`junheng.participation.disclosure`, with ``min_answers``) counts in
    ``answered`` only, so no row reveals what that page hides.
    Percentages are rounded down to one decimal, as for the county item, and
    are ``None`` without a design or a valid answer. A child without a round
    has a row of zeros. Children are those of
    :func:`junheng.services.feedback.child_divisions`; rows are ranked by
    satisfaction (highest first, none last), then answered share, then code.
    """
    if principal.role not in (*ADMINISTRATIONS, Role.EVALUATOR) or (
        principal.role in ADMINISTRATIONS
        and not covers(principal.scope, division_prefix)
    ):
        raise PermissionDenied(
            f"user {principal.username!r} may not read the survey numbers of "
            f"{division_prefix or 'the whole country'}",
            zh=f"用户 {principal.username} 无权查看 {division_prefix or '全国'} "
            "的满意度调查情况",
        )
    children = [
        _ChildSurveys(code, name, [])
        for code, name in child_divisions(session, division_prefix)
    ]
    query = select(SurveyRound).where(
        SurveyRound.division_code.startswith(division_prefix, autoescape=True)
    )
    if year is not None:
        query = query.where(SurveyRound.year == year)
    for survey in session.scalars(query.order_by(SurveyRound.id)):
        if not can_read(principal, survey.division_code):
            continue
        child = next(
            (c for c in children if survey.division_code.startswith(c.code)), None
        )
        if child is not None:
            child.rounds.append(survey)
    rows = [_survey_row(session, child, min_answers) for child in children]
    rows.sort(
        key=lambda r: (
            r["satisfaction"] is None,
            -(r["satisfaction"] or 0),
            r["answered_share"] is None,
            -(r["answered_share"] or 0),
            r["division_code"],
        )
    )
    return rows


def _survey_row(
    session: Session, child: _ChildSurveys, min_answers: int
) -> dict[str, Any]:
    pooled = Tally()
    design_total = answered = passed = failed = 0
    thresholds: list[float] = []
    for survey in child.rounds:
        qset = load_questionnaire_set(survey.questionnaire_set)
        thresholds.append(qset.threshold)
        sheets = [
            AnswerSheet(a.group, a.stratum, a.band, a.answers)
            for a in session.scalars(
                select(SurveyAnswer).where(SurveyAnswer.round_id == survey.id)
            )
        ]
        rates = tally_answers(qset, sheets)
        design_total += sum(int(c["target"]) for c in survey.design["cells"])
        answered += len(sheets)
        if suppression(
            qset, rates, min_answers, open_round=survey.status == "open"
        ).overall:
            continue
        pooled.satisfied += rates.overall.satisfied
        pooled.valid += rates.overall.valid
        pooled.excluded += rates.overall.excluded
        if rates.passed is True:
            passed += 1
        elif rates.passed is False:
            failed += 1
    rate = pooled.rate
    verdict = None if rate is None else rate >= Fraction(Decimal(str(max(thresholds))))
    share = Fraction(100 * answered, design_total) if design_total else None
    return {
        "division_code": child.code,
        "division_name": child.name,
        "rounds": len(child.rounds),
        "rounds_open": sum(1 for s in child.rounds if s.status == "open"),
        "rounds_closed": sum(1 for s in child.rounds if s.status != "open"),
        "design_total": design_total,
        "answered": answered,
        "answered_share": _float(floor_percent(share)),
        "satisfaction": _float(floor_percent(rate)),
        "passed": verdict,
        "rounds_passed": passed,
        "rounds_failed": failed,
    }


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)
