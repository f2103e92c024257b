"""Satisfaction survey rounds: open, issue links, close, results."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from junheng.services import surveys
from junheng.services.survey_sheets import answer_url
from junheng.store.models import CountyItemRecord, SurveyRound
from junheng.web.api.schemas import CountyRecordOut
from junheng.web.auth import CurrentPrincipal, DbSession
from junheng.web.params import FIRST_YEAR, LAST_YEAR, RowId
from junheng.web.state import PlatformFramework
from junheng.web.survey_view import round_view

router = APIRouter(tags=["surveys"])

MAX_POPULATION = 50_000_000


class SurveyRoundOut(BaseModel):
    """A survey round with its sample design."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    division_code: str
    year: int
    questionnaire_set: str
    status: str
    design: dict[str, Any]
    created_by: str
    created_at: datetime
    closed_at: datetime | None


class OpenRoundIn(BaseModel):
    """The county, year and population of a new round."""

    model_config = ConfigDict(extra="forbid")

    division_code: str = Field(pattern=r"^[0-9]{6}$", description="County code.")
    year: int = Field(ge=FIRST_YEAR, le=LAST_YEAR)
    population: int = Field(ge=1, le=MAX_POPULATION, description="Residents.")
    stratum_population: dict[str, Annotated[int, Field(ge=0, le=MAX_POPULATION)]] = (
        Field(description="Population per stratum: urban, town, rural.")
    )


class IssueIn(BaseModel):
    """How many links to issue beyond the design, in percent."""

    model_config = ConfigDict(extra="forbid")

    extra_percent: int = Field(default=0, ge=0, le=100)


class LinkOut(BaseModel):
    """An issued link; the URL is returned only once."""

    url: str
    group: str
    stratum: str
    band: str


@router.get("/surveys", response_model=list[SurveyRoundOut])
def list_survey_rounds(
    principal: CurrentPrincipal, session: DbSession
) -> list[SurveyRound]:
    """List the survey rounds in the caller's scope, newest first."""
    return surveys.list_rounds(session, principal)


@router.post("/surveys", response_model=SurveyRoundOut, status_code=201)
def open_survey_round(
    principal: CurrentPrincipal, session: DbSession, body: OpenRoundIn
) -> SurveyRound:
    """Open a survey round for a county and year, with its sample design."""
    survey = surveys.open_round(
        session,
        principal,
        body.division_code,
        body.year,
        body.population,
        body.stratum_population,
    )
    session.commit()
    return survey


@router.get("/surveys/{round_id}", response_model=SurveyRoundOut)
def read_survey_round(
    principal: CurrentPrincipal, session: DbSession, round_id: RowId
) -> SurveyRound:
    """Read one survey round."""
    return surveys.get_round(session, principal, round_id)


@router.get("/surveys/{round_id}/results")
def read_survey_results(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    round_id: RowId,
    lang: Annotated[Literal["zh", "en"], Query()] = "zh",
) -> dict[str, Any]:
    """Return the round's rates per group, item and overall, and the sample
    achieved per design cell (the numbers of the round page)."""
    result = surveys.round_result(session, principal, round_id)
    return round_view(result, lang, request.app.state.settings.survey_min_answers)


@router.post("/surveys/{round_id}/links", response_model=list[LinkOut])
def issue_survey_round_links(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    round_id: RowId,
    body: IssueIn,
) -> list[LinkOut]:
    """Issue the links the round still needs; their URLs are shown only here."""
    links = surveys.issue_links(session, principal, round_id, body.extra_percent)
    session.commit()
    base = str(request.base_url)
    return [
        LinkOut(
            url=answer_url(base, link.token),
            group=link.group,
            stratum=link.stratum,
            band=link.band,
        )
        for link in links
    ]


@router.post("/surveys/{round_id}/close", response_model=SurveyRoundOut)
def close_survey_round(
    principal: CurrentPrincipal, session: DbSession, round_id: RowId
) -> SurveyRound:
    """Close a round; its links stop taking answers."""
    survey = surveys.close_round(session, principal, round_id)
    session.commit()
    return survey


@router.post("/surveys/{round_id}/county-item", response_model=CountyRecordOut)
def write_survey_county_item(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    round_id: RowId,
    framework: PlatformFramework,
    override_reason: Annotated[str, Query(max_length=surveys.MAX_REASON_LENGTH)] = "",
) -> CountyItemRecord:
    """Write the round's overall rate into the county items as a new draft; a
    closed round short of its design needs ``override_reason``, and a round
    whose page hides the overall rate (an open one, too) is refused.
    """
    record = surveys.write_county_item(
        session,
        principal,
        round_id,
        override_reason,
        framework,
        min_answers=request.app.state.settings.survey_min_answers,
    )
    session.commit()
    return record
