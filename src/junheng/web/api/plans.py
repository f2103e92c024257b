"""Plans: run a planner on approved data, save, list, read, compare and
delete scenarios (rules in :mod:`junheng.services.plans`)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from junheng.errors import InvalidInput
from junheng.planning.result import KINDS
from junheng.services import plans
from junheng.store.models import PlanScenario
from junheng.web.auth import CurrentPrincipal, DbSession
from junheng.web.errors import ErrorBody
from junheng.web.params import FIRST_YEAR, LAST_YEAR, MAX_ROW_ID, RowId
from junheng.web.plan_views import (
    SIGNATURE_HEADER,
    run_uploaded,
    scenario_meta,
    sign_result,
    verified_result,
)

router = APIRouter(tags=["plans"])

KIND_PATTERN = "^(" + "|".join(KINDS) + ")$"


class ScenarioSummary(BaseModel):
    """A saved plan scenario without its result."""

    id: int
    name: str
    kind: str = Field(description="adjust, rotation or pairing.")
    division_code: str = Field(
        description="6-digit county division code; a pairing plan may also "
        "cover a city (4 digits) or a province (2 digits)."
    )
    year: int
    framework_id: str
    parameters: dict[str, Any]
    data_generation: int = Field(
        description="Data generation of the approved data the plan read."
    )
    stale: bool = Field(
        description="True when approved data have changed since the plan was "
        "computed, so the plan may be out of date."
    )
    synthetic: bool = Field(
        description="True when the plan read an uploaded file that junheng demo "
        "generated at random, such as a demo teacher roster."
    )
    created_by: str
    created_at: datetime
    note: str | None


class ScenarioOut(ScenarioSummary):
    """A saved plan scenario with its result."""

    result: dict[str, Any] = Field(
        description="The PlanResult: kind, division_code, year, framework_id, "
        "feasible, parameters, summary, messages_zh, messages_en and tables."
    )


class SaveScenarioIn(BaseModel):
    """A result of ``POST /api/v1/plans/run`` to keep as a named scenario."""

    name: str = Field(min_length=1, max_length=plans.NAME_MAX)
    note: str | None = Field(None, max_length=plans.NOTE_MAX)
    result: dict[str, Any] = Field(description="The PlanResult JSON, unchanged.")
    signature: str = Field(
        description=f"The {SIGNATURE_HEADER} header of the run that computed it."
    )


class RenameIn(BaseModel):
    """A new name for a scenario."""

    name: str = Field(min_length=1, max_length=plans.NAME_MAX)


def _summary(session: Session, scenario: PlanScenario) -> dict[str, Any]:
    return scenario_meta(scenario, plans.is_stale(session, scenario))


@router.get("/plans", response_model=list[ScenarioSummary])
def list_plans(
    principal: CurrentPrincipal,
    session: DbSession,
    kind: Annotated[str | None, Query(pattern=KIND_PATTERN)] = None,
    year: Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR)] = None,
    division: Annotated[
        str | None, Query(pattern=r"^[0-9]{2,6}$", description="Division code prefix.")
    ] = None,
) -> list[dict[str, Any]]:
    """List the scenarios the caller may read, newest first."""
    found = plans.list_scenarios(
        session, principal, kind=kind, year=year, division_code=division
    )
    return [_summary(session, s) for s in found]


@router.post(
    "/plans/run",
    responses={
        200: {
            "description": "The PlanResult JSON; the "
            f"{SIGNATURE_HEADER} header is needed to save it.",
        },
        501: {"model": ErrorBody, "description": "Planner not installed"},
    },
)
def run_plan(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    kind: Annotated[str, Form(pattern=KIND_PATTERN)],
    division_code: Annotated[
        str,
        Form(
            pattern=r"^[0-9]{2}([0-9]{2}){0,2}$",
            description="County (6 digits); for kind pairing also a city (4) or "
            "province (2), for city, province and ministry users.",
        ),
    ],
    year: Annotated[int, Form(ge=FIRST_YEAR, le=LAST_YEAR)],
    params: Annotated[
        str,
        Form(
            description="Planner parameters as a JSON object; {} for defaults. "
            'A pairing plan takes {"cross_county": true} to pair across the '
            "counties of a city or province."
        ),
    ] = "{}",
    roster: Annotated[
        UploadFile | None, Form(description="Teacher roster, for kind rotation.")
    ] = None,
    locations: Annotated[
        UploadFile | None,
        Form(
            description="School locations (school_code, lat, lon in WGS84 "
            "degrees) as Excel or CSV, for kind pairing."
        ),
    ] = None,
) -> Response:
    """Run a planner on the approved data of one county and year.

    A pairing plan may also cover a city or a province and pair across its
    counties. A county user gets 403 ``permission_denied`` for either.

    Nothing is stored. Send the result and its signature to ``POST /plans``
    to keep it as a scenario.
    """
    result = run_uploaded(
        session,
        principal,
        kind,
        division_code,
        year,
        _params(params),
        roster=roster,
        locations=locations,
        framework=request.app.state.settings.framework,
        max_schools=request.app.state.settings.pairing_max_schools,
    )
    data = result.to_dict()
    return JSONResponse(
        data, headers={SIGNATURE_HEADER: sign_result(request, principal, data)}
    )


def _params(text: str) -> dict[str, Any]:
    try:
        values = json.loads(text)
    except json.JSONDecodeError as error:
        values = error
    if not isinstance(values, dict):
        raise InvalidInput(
            f"params must be a JSON object such as {{}}, not {text[:80]!r}",
            zh=f"params 应为 JSON 对象（例如 {{}}），而不是 {text[:80]}",
        )
    return values


@router.post("/plans", response_model=ScenarioOut, status_code=201)
def save_plan(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    body: SaveScenarioIn,
) -> dict[str, Any]:
    """Save a computed result as a named scenario (unique per kind and county)."""
    result = verified_result(request, principal, body.result, body.signature)
    scenario = plans.save_scenario(session, principal, result, body.name, body.note)
    session.commit()
    return {**_summary(session, scenario), "result": scenario.result}


@router.get("/plans/compare")
def compare_plans(
    principal: CurrentPrincipal,
    session: DbSession,
    a: Annotated[int, Query(ge=1, le=MAX_ROW_ID, description="Id of scenario A.")],
    b: Annotated[int, Query(ge=1, le=MAX_ROW_ID, description="Id of scenario B.")],
) -> dict[str, Any]:
    """Compare two scenarios of the same kind and county: headline figures
    side by side (``difference`` is B − A), then per table the rows that
    differ, matched by the table's leading text columns."""
    return plans.compare_scenarios(session, principal, a, b)


@router.get("/plans/{scenario_id}", response_model=ScenarioOut)
def read_plan(
    principal: CurrentPrincipal, session: DbSession, scenario_id: RowId
) -> dict[str, Any]:
    """Read one scenario with its result."""
    scenario = plans.get_scenario(session, principal, scenario_id)
    return {**_summary(session, scenario), "result": scenario.result}


@router.patch("/plans/{scenario_id}", response_model=ScenarioSummary)
def rename_plan(
    principal: CurrentPrincipal,
    session: DbSession,
    scenario_id: RowId,
    body: RenameIn,
) -> dict[str, Any]:
    """Rename a scenario."""
    scenario = plans.rename_scenario(session, principal, scenario_id, body.name)
    session.commit()
    return _summary(session, scenario)


@router.delete("/plans/{scenario_id}", status_code=204)
def delete_plan(
    principal: CurrentPrincipal, session: DbSession, scenario_id: RowId
) -> Response:
    """Delete a scenario; stored data are not touched."""
    plans.delete_scenario(session, principal, scenario_id)
    session.commit()
    return Response(status_code=204)
