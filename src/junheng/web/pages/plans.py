"""Plan pages: run a planner, save the result as a scenario, open, compare,
rename and delete scenarios.

``/plans`` lists the scenarios in the caller's scope, ``/plans/new?kind=``
runs a planner on approved data, ``/plans/{id}`` shows a saved scenario with
its JSON (``.json``), CSV (``.csv?table=NAME``) and Excel (``.xlsx``) twins,
and ``/plans/compare?a=&b=`` compares two scenarios. Every rule about who
may do what lives in :mod:`junheng.services.plans`.
"""

from __future__ import annotations

import json
import logging
import math
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from junheng.errors import (
    Conflict,
    InputError,
    InvalidInput,
    JunhengError,
    NotFound,
    PermissionDenied,
)
from junheng.planning.result import KINDS, PlanResult
from junheng.services import plans
from junheng.services.access import Principal
from junheng.services.plans import ParameterField, PlannerUnavailable
from junheng.services.records import latest_approved_year
from junheng.web.auth import CurrentPrincipal, DbSession
from junheng.web.dashboards import CSV_TYPE, JSON_TYPE, table_csv
from junheng.web.i18n import Language
from junheng.web.pages.render import language_of, render
from junheng.web.pages.reporting import issue_rows
from junheng.web.params import FIRST_YEAR, LAST_YEAR, MAX_ROW_ID, RowId
from junheng.web.plan_views import (
    XLSX_TYPE,
    catalogue_label,
    cell_text,
    figure_text,
    form_fields,
    kind_name,
    run_uploaded,
    scenario_twin,
    sign_result,
    table_of,
    verified_result,
    xlsx_bytes,
)

router = APIRouter(include_in_schema=False)
log = logging.getLogger("junheng.web")

SEE_OTHER = 303
PARAM_PREFIX = "p_"
"""Form fields named ``p_NAME`` carry the planner parameter ``NAME``."""

ScenarioId = Annotated[int, Query(ge=1, le=MAX_ROW_ID)]


def _helpers(lang: Language) -> dict[str, Any]:
    return {
        "kinds": KINDS,
        "kind_name": lambda kind: kind_name(kind, lang),
        "summary_label": lambda key: catalogue_label("summary", key, lang),
        "param_label": lambda key: catalogue_label("param", key, lang),
        "cell": lambda value, column: cell_text(value, column, lang),
        "figure": lambda value: figure_text(value, lang),
    }


def _fields(kind: str) -> tuple[list[ParameterField], PlannerUnavailable | None]:
    try:
        return plans.parameter_fields(kind), None
    except PlannerUnavailable as error:
        return [], error


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise NotFound(
            f"unknown plan kind {kind!r}; use one of: {', '.join(KINDS)}",
            zh=f"未知的规划类型 {kind}，可用：{'、'.join(KINDS)}",
        )


def _form_context(
    request: Request,
    session: Session,
    principal: Principal,
    kind: str,
    values: dict[str, Any],
) -> dict[str, Any]:
    fields, unavailable = _fields(kind)
    fields = form_fields(kind, fields)
    # A city, province or ministry user picks the region of a pairing plan
    # and may pair across its counties; a county user plans its county.
    regional = kind in plans.REGION_KINDS and principal.role in plans.REGION_ROLES
    default = principal.scope if regional or len(principal.scope) == 6 else ""
    return {
        **_helpers(language_of(request)),
        "kind": kind,
        "fields": fields,
        "unavailable": unavailable,
        "regional": regional,
        "regions": plans.region_choices(session, principal) if regional else [],
        "values": {
            "division": default,
            "year": date.today().year - 1,
            **values,
        },
        "param_prefix": PARAM_PREFIX,
        "first_year": FIRST_YEAR,
        "last_year": LAST_YEAR,
    }


@router.get("/plans")
def plans_home(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    kind: Annotated[str | None, Query()] = None,
    year: Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR)] = None,
) -> Response:
    """List the scenarios the caller may read, filtered by kind and year."""
    kind = kind or None
    if kind is not None:
        _check_kind(kind)
    found = plans.list_scenarios(session, principal, kind=kind, year=year)
    rows = [{"scenario": s, "stale": plans.is_stale(session, s)} for s in found]
    return render(
        request,
        "plans/list.html",
        {
            **_helpers(language_of(request)),
            "rows": rows,
            "kind": kind or "",
            "year": year,
            "may_plan": plans.may_plan(principal),
        },
    )


@router.get("/plans/new")
def new_plan(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    kind: Annotated[str, Query()] = "adjust",
    division: Annotated[str | None, Query(pattern=r"^[0-9]{2}([0-9]{2}){0,2}$")] = None,
    year: Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR)] = None,
) -> Response:
    """Show the form of a planner kind with its parameters and their defaults.

    The year defaults to the latest one with approved data in the division,
    or in the caller's scope when no division is given.
    """
    _check_kind(kind)
    plans.require_plan(principal, division or principal.scope)
    values: dict[str, Any] = {}
    if division:
        values["division"] = division
    year = year or latest_approved_year(session, division or principal.scope)
    if year:
        values["year"] = year
    context = _form_context(request, session, principal, kind, values)
    return render(request, "plans/new.html", context)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def form_params(fields: list[ParameterField], form: FormData) -> dict[str, Any]:
    """Return the planner parameters filled in on a form, typed by their field.

    An empty field is left out, so the planner uses its default.
    """
    params: dict[str, Any] = {}
    for field in fields:
        raw = _text(form, PARAM_PREFIX + field.name)
        if raw == "":
            continue
        if field.kind == "bool":
            params[field.name] = raw in ("true", "on", "1")
        elif field.kind == "int":
            params[field.name] = _form_int(field.name, raw)
        elif field.kind == "float":
            params[field.name] = _form_float(field.name, raw)
        else:
            params[field.name] = raw
    return params


FORM_INT_MAX = 10_000_000
"""Largest whole number a planner parameter takes on the form; the counts and
limits of the planners stay far below it."""


def _form_int(name: str, raw: str) -> int:
    """Return ``raw`` as a whole number written in digits, up to FORM_INT_MAX."""
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or abs(value) > FORM_INT_MAX:
        raise InvalidInput(
            f"parameter {name}: {raw!r} is not a whole number from "
            f"-{FORM_INT_MAX:,} to {FORM_INT_MAX:,} written in digits (no decimal "
            "point or exponent); correct it or leave the field empty to use the "
            "default",
            zh=f"参数 {name} 的值 {raw} 不是 -{FORM_INT_MAX:,} 到 {FORM_INT_MAX:,} "
            "之间、用数字写出的整数（不带小数点或指数），请更正或留空以使用默认值",
        )
    return value


def _form_float(name: str, raw: str) -> float:
    """Return ``raw`` as a finite number."""
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InvalidInput(
            f"parameter {name}: {raw!r} is not a finite number; correct it or "
            "leave the field empty to use the default",
            zh=f"参数 {name} 的值 {raw} 不是有效的有限数值，请更正或留空以使用默认值",
        )
    return value


def _year(raw: str) -> int:
    if not raw.isdigit() or not FIRST_YEAR <= int(raw) <= LAST_YEAR:
        raise InvalidInput(
            f"year {raw!r} is not a school year from {FIRST_YEAR} to {LAST_YEAR}",
            zh=f"学年 {raw} 无效，应为 {FIRST_YEAR} 至 {LAST_YEAR} 之间的年份",
        )
    return int(raw)


def _result_context(
    request: Request, principal: Principal, result: PlanResult
) -> dict[str, Any]:
    data = result.to_dict()
    return {
        "result": data,
        "messages": result.messages(language_of(request)),
        "signature": sign_result(request, principal, data),
        "result_json": json.dumps(data, ensure_ascii=False, separators=(",", ":")),
    }


@router.post("/plans/new")
async def run_plan_form(
    request: Request, principal: CurrentPrincipal, session: DbSession
) -> Response:
    """Run the planner with the form's values and show the result to save."""
    form = await request.form()
    # The planner and the store block, so they run in the thread pool.
    return await run_in_threadpool(_run_plan_form, request, principal, session, form)


def _run_plan_form(
    request: Request, principal: Principal, session: Session, form: FormData
) -> Response:
    kind = _text(form, "kind")
    _check_kind(kind)

    # The form is shown again with what was entered, above the result.
    division = _text(form, "division")
    values: dict[str, Any] = {"division": division, "year": _text(form, "year")}
    values.update(
        {key: value for key, value in form.items() if key.startswith(PARAM_PREFIX)}
    )
    context = _form_context(request, session, principal, kind, values)

    try:
        params = form_params(context["fields"], form)
        year = _year(values["year"])
        result = run_uploaded(
            session,
            principal,
            kind,
            division,
            year,
            params,
            roster=form.get("roster"),
            locations=form.get("locations"),
            framework=request.app.state.settings.framework,
            max_schools=request.app.state.settings.pairing_max_schools,
        )
    except (InputError, NotFound, PermissionDenied, PlannerUnavailable) as error:
        log.info(
            "plan run rejected: user %s, %s plan of %r: %s",
            principal.username,
            kind,
            division,
            error.code,
        )
        context["error"] = error
        context["issues"] = issue_rows(error, language_of(request))
        return render(request, "plans/new.html", context, status_code=int(error.status))

    context.update(_result_context(request, principal, result))
    return render(request, "plans/new.html", context)


@router.post("/plans")
async def save_plan_form(
    request: Request, principal: CurrentPrincipal, session: DbSession
) -> Response:
    """Save a computed result (sent back with its signature) as a scenario."""
    form = await request.form()
    return await run_in_threadpool(_save_plan_form, request, principal, session, form)


def _save_plan_form(
    request: Request, principal: Principal, session: Session, form: FormData
) -> Response:
    try:
        data = json.loads(_text(form, "result") or "null")
    except json.JSONDecodeError:
        data = None
    result = verified_result(request, principal, data, _text(form, "signature"))
    try:
        scenario = plans.save_scenario(
            session, principal, result, _text(form, "name"), _text(form, "note")
        )
        session.commit()
    except (InputError, Conflict) as error:
        session.rollback()
        log.info(
            "plan save rejected: user %s, %s plan of %s: %s",
            principal.username,
            result.kind,
            result.division_code,
            error.code,
        )
        values = {"division": result.division_code, "year": result.year}
        context = _form_context(request, session, principal, result.kind, values)
        context.update(_result_context(request, principal, result))
        context["save_error"] = error
        context["name"] = _text(form, "name")
        context["note"] = _text(form, "note")
        return render(request, "plans/new.html", context, status_code=int(error.status))
    return RedirectResponse(f"/plans/{scenario.id}", status_code=SEE_OTHER)


@router.get("/plans/compare")
def compare_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    a: ScenarioId,
    b: ScenarioId,
) -> Response:
    """Compare two scenarios of the same kind and county."""
    compared = plans.compare_scenarios(session, principal, a, b)
    return render(
        request,
        "plans/compare.html",
        {**_helpers(language_of(request)), "compared": compared},
    )


def _split(name: str) -> tuple[int, str]:
    stem, dot, suffix = name.partition(".")
    if (
        not stem.isdigit()
        or not 1 <= int(stem) <= MAX_ROW_ID
        or (dot and suffix not in ("json", "csv", "xlsx"))
    ):
        raise NotFound(
            f"no plan page {name!r}; scenario pages are /plans/ID with .json, .csv "
            "or .xlsx twins",
            zh=f"没有规划页面 {name}；方案页面为 /plans/编号，另有 .json、.csv、.xlsx",
        )
    return int(stem), suffix


def _download(body: bytes, media_type: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/plans/{name}")
def scenario_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    name: str,
    table: str | None = None,
) -> Response:
    """Show a saved scenario, or its JSON, CSV or Excel twin."""
    scenario_id, suffix = _split(name)
    scenario = plans.get_scenario(session, principal, scenario_id)
    lang = language_of(request)
    twin = scenario_twin(session, scenario)
    stem = f"plan-{scenario.id}-{scenario.kind}-{scenario.division_code}"
    if suffix == "json":
        body = json.dumps(twin, ensure_ascii=False, separators=(",", ":"))
        return Response(body.encode(), media_type=JSON_TYPE)
    if suffix == "csv":
        chosen = table_of(twin["result"], table)
        return _download(table_csv(chosen), CSV_TYPE, f"{stem}-{chosen['name']}.csv")
    if suffix == "xlsx":
        return _download(
            xlsx_bytes(twin["result"], lang), XLSX_TYPE, f"{stem}-{lang}.xlsx"
        )
    return _scenario_page(request, session, principal, scenario.id, twin)


def _scenario_page(
    request: Request,
    session: Session,
    principal: Principal,
    scenario_id: int,
    twin: dict[str, Any],
    error: JunhengError | None = None,
) -> Response:
    lang = language_of(request)
    meta = twin["scenario"]
    result = PlanResult.from_dict(twin["result"])
    others = [
        s
        for s in plans.list_scenarios(
            session, principal, kind=meta["kind"], division_code=meta["division_code"]
        )
        if s.id != scenario_id
    ]
    return render(
        request,
        "plans/view.html",
        {
            **_helpers(lang),
            "meta": meta,
            "result": twin["result"],
            "charts": twin["charts"],
            "messages": result.messages(lang),
            "others": others,
            "may_change": plans.may_plan(principal, meta["division_code"]),
            "error": error,
        },
        status_code=int(error.status) if error else 200,
    )


@router.post("/plans/{scenario_id}/rename")
async def rename_plan(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    scenario_id: RowId,
) -> Response:
    """Rename a scenario; a name taken in its kind and county is shown as an error."""
    form = await request.form()
    return await run_in_threadpool(
        _rename_plan_form, request, principal, session, scenario_id, form
    )


def _rename_plan_form(
    request: Request,
    principal: Principal,
    session: Session,
    scenario_id: int,
    form: FormData,
) -> Response:
    try:
        plans.rename_scenario(session, principal, scenario_id, _text(form, "name"))
        session.commit()
    except (InputError, Conflict) as error:
        session.rollback()
        log.info(
            "plan rename rejected: user %s, scenario %s: %s",
            principal.username,
            scenario_id,
            error.code,
        )
        scenario = plans.get_scenario(session, principal, scenario_id)
        twin = scenario_twin(session, scenario)
        return _scenario_page(request, session, principal, scenario_id, twin, error)
    return RedirectResponse(f"/plans/{scenario_id}", status_code=SEE_OTHER)


@router.post("/plans/{scenario_id}/delete")
def delete_plan(
    principal: CurrentPrincipal, session: DbSession, scenario_id: RowId
) -> Response:
    """Delete a scenario and go back to the list."""
    plans.delete_scenario(session, principal, scenario_id)
    session.commit()
    return RedirectResponse("/plans", status_code=SEE_OTHER)
