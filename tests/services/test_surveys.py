"""Survey rounds in the store: links, one answer per link, scope, results."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from services.people import ERQI, PUBLIC, ZHENGZHOU, ZHONGYUAN
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session
from store.dbfixtures import Database

from junheng.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from junheng.participation.questionnaire import load_questionnaire_set
from junheng.services import surveys
from junheng.store.models import AuditRecord, SurveyAnswer, SurveyLink, SurveyLinkUse

YEAR = 2025
TODAY = date(2025, 11, 3)
STRATA = {"urban": 2, "town": 1, "rural": 1}
PUBLIC_ITEMS = ("P1", "P2", "P3", "P4", "P5", "P6", "P7")


def open_small_round(store: Session) -> int:
    # 4000 × 0.0015 = 6: parents 3, then 3 over six groups: 1 each for
    # deputies, cppcc and residents.
    survey = surveys.open_round(store, ZHONGYUAN, "410102", YEAR, 4000, STRATA)
    store.commit()
    return survey.id


def parent_tokens(store: Session, round_id: int) -> list[str]:
    links = surveys.issue_links(store, ZHONGYUAN, round_id)
    store.commit()
    return [link.token for link in links if link.group == "parents"]


def all_answers(value: str) -> dict[str, str]:
    return dict.fromkeys(PUBLIC_ITEMS, value)


def test_issue_follows_design(store: Session) -> None:
    round_id = open_small_round(store)
    links = surveys.issue_links(store, ZHONGYUAN, round_id)
    store.commit()
    assert len(links) == 6
    assert sum(1 for link in links if link.group == "parents") == 3
    # A second issue without extra finds every cell covered.
    assert surveys.issue_links(store, ZHONGYUAN, round_id) == []
    # Parents' 3 over strata 2 : 1 : 1 have quotas 1.5, 0.75, 0.75, so one
    # per stratum. With 50% extra each one-person cell gets ceil(1 × 1.5) = 2
    # links in all, so 1 more: 3 cells of parents and 3 other groups.
    more = surveys.issue_links(store, ZHONGYUAN, round_id, extra_percent=50)
    assert sum(1 for link in more if link.group == "parents") == 3
    assert len(more) == 6


def test_only_hashes_stored(store: Session) -> None:
    round_id = open_small_round(store)
    tokens = parent_tokens(store, round_id)
    stored = set(store.scalars(select(SurveyLink.token_hash)))
    for token in tokens:
        assert len(token) == 22
        assert token not in stored
        assert surveys.hash_token(token) in stored


def test_link_answers_once(store: Session) -> None:
    round_id = open_small_round(store)
    token = parent_tokens(store, round_id)[0]
    surveys.submit_answers(store, token, all_answers("satisfied"), TODAY)
    store.commit()
    with pytest.raises(surveys.LinkUnusable):
        surveys.submit_answers(store, token, all_answers("dissatisfied"), TODAY)
    store.rollback()
    assert store.scalar(select(func.count()).select_from(SurveyAnswer)) == 1


def test_random_token_rejected(store: Session) -> None:
    round_id = open_small_round(store)
    parent_tokens(store, round_id)
    with pytest.raises(NotFound) as caught:
        surveys.submit_answers(store, "A" * 22, all_answers("satisfied"), TODAY)
    # The message is the same for every unknown token: nothing leaks.
    assert str(caught.value) == "this survey link is not valid"
    assert surveys.find_link(store, "x" * 500) is None


def test_incomplete_form_stores_nothing(store: Session) -> None:
    round_id = open_small_round(store)
    token = parent_tokens(store, round_id)[0]
    answers = all_answers("satisfied")
    del answers["P3"]
    answers["P4"] = "<script>alert(1)</script>"
    with pytest.raises(InvalidInput) as caught:
        surveys.submit_answers(store, token, answers, TODAY)
    assert "P3" in str(caught.value)
    assert "P4" in str(caught.value)
    store.rollback()
    assert store.scalar(select(func.count()).select_from(SurveyLinkUse)) == 0


def test_concurrent_submits_store_one(database: Database, store: Session) -> None:
    round_id = open_small_round(store)
    token = parent_tokens(store, round_id)[0]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def answer() -> None:
        with database.sessions() as session:
            barrier.wait()
            try:
                surveys.submit_answers(session, token, all_answers("satisfied"), TODAY)
                session.commit()
                outcomes.append("stored")
            except surveys.LinkUnusable:
                session.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=answer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "stored"]
    store.expire_all()
    assert store.scalar(select(func.count()).select_from(SurveyAnswer)) == 1
    assert store.scalar(select(func.count()).select_from(SurveyLinkUse)) == 1


def test_closed_round_takes_no_answers(store: Session) -> None:
    round_id = open_small_round(store)
    token = parent_tokens(store, round_id)[0]
    surveys.close_round(store, ZHONGYUAN, round_id)
    store.commit()
    with pytest.raises(surveys.LinkUnusable):
        surveys.submit_answers(store, token, all_answers("satisfied"), TODAY)
    with pytest.raises(Conflict):
        surveys.issue_links(store, ZHONGYUAN, round_id)


def test_answer_table_has_no_identifying_column(store: Session) -> None:
    columns = {
        c["name"] for c in inspect(store.get_bind()).get_columns("survey_answers")
    }
    assert columns == {
        "id",
        "round_id",
        "group",
        "stratum",
        "band",
        "answered_on",
        "answers",
    }
    uses = {
        c["name"] for c in inspect(store.get_bind()).get_columns("survey_link_uses")
    }
    assert uses == {"link_id"}
    day = inspect(store.get_bind()).get_columns("survey_answers")
    answered_on = next(c for c in day if c["name"] == "answered_on")
    assert "DATE" in str(answered_on["type"]).upper()
    assert "TIME" not in str(answered_on["type"]).upper()


def test_scope_of_rounds(store: Session) -> None:
    round_id = open_small_round(store)
    with pytest.raises(PermissionDenied):
        surveys.open_round(store, ERQI, "410102", YEAR, 4000, STRATA)
    with pytest.raises(PermissionDenied):
        surveys.get_round(store, ERQI, round_id)
    with pytest.raises(PermissionDenied):
        surveys.get_round(store, PUBLIC, round_id)
    with pytest.raises(PermissionDenied):
        surveys.issue_links(store, PUBLIC, round_id)
    assert surveys.list_rounds(store, ERQI) == []
    assert [r.id for r in surveys.list_rounds(store, ZHENGZHOU)] == [round_id]
    # The city covers the county, so it may manage the round too.
    assert surveys.get_round(store, ZHENGZHOU, round_id).division_code == "410102"


def test_open_round_unknown_county(store: Session) -> None:
    with pytest.raises(NotFound):
        surveys.open_round(store, ZHONGYUAN, "410199", YEAR, 4000, STRATA)


def test_results_and_county_item(store: Session) -> None:
    round_id = open_small_round(store)
    tokens = parent_tokens(store, round_id)
    mixed = all_answers("satisfied")
    mixed.update(P1="dissatisfied", P2="dont_know")
    for token, answers in zip(
        tokens,
        (all_answers("very_satisfied"), mixed, all_answers("neutral")),
        strict=True,
    ):
        surveys.submit_answers(store, token, answers, TODAY)
    store.commit()
    result = surveys.round_result(store, ZHONGYUAN, round_id)
    # Parents: 7 + 5 + 0 satisfied of 7 + 6 + 7 valid = 12 / 20 = 60%.
    assert result.rates.groups["parents"].satisfied == 12
    assert result.rates.groups["parents"].valid == 20
    assert result.overall_percent == Decimal("60.0")
    assert result.rates.passed is False
    parents = [c for c in result.cells if c["group"] == "parents"]
    assert sum(c["answered"] for c in parents) == 3
    assert sum(c["target"] for c in parents) == 3
    reason = "人大代表等组链接未送达，先按家长答卷上报"
    # An open round shows no rate, so even a reason does not let it be written.
    with pytest.raises(InvalidInput, match="is open"):
        surveys.write_county_item(store, ZHONGYUAN, round_id, reason, min_answers=3)
    surveys.close_round(store, ZHONGYUAN, round_id)
    # With a minimum of 3 the 3 parents' figures show, and so does the overall.
    record = surveys.write_county_item(
        store, ZHONGYUAN, round_id, reason, min_answers=3
    )
    store.commit()
    assert record.status == "draft"
    audited = store.scalars(
        select(AuditRecord).where(AuditRecord.action == "survey.override")
    ).one()
    assert audited.after["reason"] == reason
    # 3 parents answered of the design's 6 links.
    assert audited.after["answered"] == 3
    assert audited.after["target"] == 6
    assert record.data[load_questionnaire_set().county_item]["value"] in ("60.0", 60.0)


def test_county_item_needs_answers(store: Session) -> None:
    round_id = open_small_round(store)
    with pytest.raises(Conflict):
        surveys.write_county_item(store, ZHONGYUAN, round_id, min_answers=5)


def test_county_item_needs_closed_round(store: Session) -> None:
    round_id = open_small_round(store)
    token = parent_tokens(store, round_id)[0]
    surveys.submit_answers(store, token, all_answers("satisfied"), TODAY)
    store.commit()
    with pytest.raises(Conflict, match="still open"):
        surveys.write_county_item(store, ZHONGYUAN, round_id, min_answers=5)


def test_county_item_needs_full_sample(store: Session) -> None:
    round_id = open_small_round(store)
    token = parent_tokens(store, round_id)[0]
    surveys.submit_answers(store, token, all_answers("satisfied"), TODAY)
    surveys.close_round(store, ZHONGYUAN, round_id)
    store.commit()
    # 1 answer of the design's 6, and 5 cells short.
    with pytest.raises(Conflict, match="1 answers against a design of 6"):
        surveys.write_county_item(store, ZHONGYUAN, round_id, min_answers=5)
    with pytest.raises(Conflict, match="5 cells are short"):
        surveys.write_county_item(store, ZHONGYUAN, round_id, "   ", min_answers=5)
    with pytest.raises(InvalidInput):
        surveys.write_county_item(store, ZHONGYUAN, round_id, "理" * 501, min_answers=5)
    # With a reason, the sample passes, but 1 parent is below the minimum of
    # 5, so the page hides the overall rate and the write is refused.
    with pytest.raises(InvalidInput, match=r"parents \(1\)"):
        surveys.write_county_item(store, ZHONGYUAN, round_id, "试点", min_answers=5)
