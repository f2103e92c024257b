"""Survey pages of the education authorities: rounds, progress and results.

``/surveys`` lists the rounds in the caller's scope and opens new ones.
``/surveys/{id}`` shows a round's design, progress per cell and results with a
chart. Its actions issue links (a ZIP download with the Excel list and the QR
sheets), close the round, and write the rate into the county items.
``/surveys/{id}.json`` and ``/surveys/{id}.csv?table=NAME`` are the page's
twins with exactly the numbers shown.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse, Response

from junheng.errors import InputError, NotFound
from junheng.participation.questionnaire import load_questionnaire_set
from junheng.services import reporting, survey_sheets, surveys
from junheng.web.auth import CurrentPrincipal, DbSession
from junheng.web.dashboards import CSV_TYPE, table_csv
from junheng.web.pages.render import language_of, render
from junheng.web.params import FIRST_YEAR, LAST_YEAR, MAX_ROW_ID, RowId
from junheng.web.state import PlatformFramework
from junheng.web.survey_view import round_view

router = APIRouter(include_in_schema=False)

SEE_OTHER = 303
ZIP_TYPE = "application/zip"
JSON_TYPE = "application/json"
MAX_POPULATION = 50_000_000
"""Largest resident population accepted; the largest county has about 3 million."""
RoundName = Annotated[str, PathParam(pattern=r"^[0-9]{1,10}(\.json|\.csv)?$")]
Population = Annotated[int, Form(ge=0, le=MAX_POPULATION)]


@router.get("/surveys")
def survey_list(
    request: Request, principal: CurrentPrincipal, session: DbSession
) -> Response:
    """List the survey rounds in the caller's scope, with the form to open one."""
    return _list_page(request, principal, session)


def _list_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    error: InputError | None = None,
) -> Response:
    qset = load_questionnaire_set()
    return render(
        request,
        "surveys/list.html",
        {
            "rounds": surveys.list_rounds(session, principal),
            "qset": qset,
            "own_county": principal.scope if len(principal.scope) == 6 else "",
            "this_year": date.today().year,
            "may_open": principal.role in ("county", "city", "province", "ministry"),
            "error": error,
        },
        status_code=int(error.status) if error is not None else 200,
    )


@router.post("/surveys")
def open_survey(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    county: Annotated[str, Form(pattern=r"^[0-9]{6}$")],
    year: Annotated[int, Form(ge=FIRST_YEAR, le=LAST_YEAR)],
    population: Population,
    urban: Population,
    town: Population,
    rural: Population,
) -> Response:
    """Open a survey round for a county and year; show the round."""
    try:
        survey = surveys.open_round(
            session,
            principal,
            county,
            year,
            population,
            {"urban": urban, "town": town, "rural": rural},
        )
    except InputError as error:
        session.rollback()
        return _list_page(request, principal, session, error)
    session.commit()
    return RedirectResponse(f"/surveys/{survey.id}", status_code=SEE_OTHER)


def _round_id(name: str) -> tuple[int, str]:
    stem, _, suffix = name.partition(".")
    number = int(stem)
    if not 1 <= number <= MAX_ROW_ID:
        raise NotFound(
            f"no survey round with id {number}", zh=f"不存在调查轮次 {number}"
        )
    return number, suffix


@router.get("/surveys/{name}")
def survey_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    name: RoundName,
    table: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """Show a round; ``.json`` and ``.csv`` give the same numbers as data."""
    round_id, suffix = _round_id(name)
    result = surveys.round_result(session, principal, round_id)
    lang = language_of(request)
    view = round_view(result, lang, request.app.state.settings.survey_min_answers)
    if suffix == "json":
        body = json.dumps(view, ensure_ascii=False).encode()
        return Response(body, media_type=JSON_TYPE)
    if suffix == "csv":
        chosen = table or "groups"
        if chosen not in view["tables"]:
            known = ", ".join(view["tables"])
            raise NotFound(
                f"this page has no table {chosen!r}; use one of: {known}",
                zh=f"本页没有名为 {chosen} 的表格，可用：{known}",
            )
        filename = f"survey-{round_id}-{chosen}.csv"
        return Response(
            table_csv(view["tables"][chosen]),
            media_type=CSV_TYPE,
            headers={"content-disposition": f'attachment; filename="{filename}"'},
        )
    survey = result.survey
    manage = reporting.may_edit_county(principal, survey.division_code)
    lowest = [result.qset.item(i) for i in view["overall"]["lowest_items"]]
    return render(
        request,
        "surveys/round.html",
        {
            "view": view,
            "survey": survey,
            "qset": result.qset,
            "manage": manage,
            "lowest": lowest,
            "written": request.query_params.get("written"),
            "json_href": f"/surveys/{round_id}.json",
        },
    )


@router.post("/surveys/{round_id}/links")
def issue_survey_links(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    round_id: RowId,
    extra_percent: Annotated[int, Form(ge=0, le=100)] = 0,
) -> Response:
    """Issue the links the round still needs; download them once, as a ZIP."""
    survey = surveys.get_round(session, principal, round_id)
    links = surveys.issue_links(session, principal, round_id, extra_percent)
    qset = load_questionnaire_set(survey.questionnaire_set)
    title = f"{survey.division_code} {survey.year} 满意度调查 第 {round_id} 轮"
    archive = survey_sheets.issue_archive(qset, links, str(request.base_url), title)
    session.commit()
    filename = f"survey-{round_id}-links.zip"
    return Response(
        archive,
        media_type=ZIP_TYPE,
        headers={
            "content-disposition": f'attachment; filename="{filename}"',
            "cache-control": "no-store",
        },
    )


@router.post("/surveys/{round_id}/close")
def close_survey(
    principal: CurrentPrincipal, session: DbSession, round_id: RowId
) -> Response:
    """Close a round; its links stop taking answers."""
    surveys.close_round(session, principal, round_id)
    session.commit()
    return RedirectResponse(f"/surveys/{round_id}", status_code=SEE_OTHER)


@router.post("/surveys/{round_id}/county-item")
def write_survey_item(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    round_id: RowId,
    framework: PlatformFramework,
    override_reason: Annotated[str, Form()] = "",
) -> Response:
    """Write the round's overall rate into the county items as a draft."""
    record = surveys.write_county_item(
        session,
        principal,
        round_id,
        override_reason,
        framework,
        min_answers=request.app.state.settings.survey_min_answers,
    )
    session.commit()
    return RedirectResponse(
        f"/surveys/{round_id}?written={record.version}", status_code=SEE_OTHER
    )
