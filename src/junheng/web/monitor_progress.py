"""Progress against the schedule of reaching the standard, and its editing.

``/monitor/progress/{code}`` shows, for a division (``all``, or 2, 4 or 6
digits), each child division (the provinces of the nation, the cities of a
province, the counties of a city, a county itself) with its target year (its
own or inherited, and from which division), its state of progress, the year the
forecasts expect and the probability of meeting the requirements in the target
year, in 2027 and in 2035, and the number of counties in each state. The states
are those of :func:`junheng.monitoring.schedule.county_progress`, plus
``unscheduled`` for a county that no level has given a year.

Education authorities edit the target years of the divisions in their scope
on the same page, one row by the form or a whole schedule file (CSV or XLSX,
read by :func:`junheng.monitoring.schedule.read_schedule`, all or nothing).
The same views and changes are at ``/api/v1/monitor/progress/{code}`` and
``/api/v1/monitor/targets``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from junheng.errors import InputError, PermissionDenied
from junheng.monitoring import forecast, schedule
from junheng.services import warnings as targets_service
from junheng.services.access import ADMINISTRATIONS, Principal, covers
from junheng.services.result_views import NATION_NAME, Column
from junheng.store.divisions import has_city_level
from junheng.store.models import Division
from junheng.web.auth import CurrentPrincipal
from junheng.web.dashboards import JSON_TYPE
from junheng.web.errors import ERROR_RESPONSES, issue_dict
from junheng.web.i18n import translate
from junheng.web.monitor import (
    _api_prefix,
    _caller,
    _not_found,
    _split,
    check_monitor,
    json_bytes,
    load_data,
    page_path,
    respond,
    visible_counties,
    with_framework,
)
from junheng.web.monitor_data import MonitorData
from junheng.web.monitor_views import COUNTY, _table, county_names, level_of
from junheng.web.pages.render import language_of
from junheng.web.uploads import saved_upload

log = logging.getLogger(__name__)

router = APIRouter()

STATES = (*schedule.STATES, "unscheduled")
"""States of progress shown, worst first; ``unscheduled`` has no target year."""
STATE_NAMES = {
    "will_miss": ("将错过目标年份", "will miss"),
    "no_forecast": ("数据不足，无法预测", "too little data to forecast"),
    "at_risk": ("有风险", "at risk"),
    "on_schedule": ("按计划推进", "on schedule"),
    "met": ("已达标", "met"),
    "unscheduled": ("未定目标年份", "no target year"),
}
EARLY, LATE = forecast.MILESTONES
P_TARGET = "p_meet_target"
P_EARLY = f"p_meet_{EARLY}"
P_LATE = f"p_meet_{LATE}"
PCT_DIGITS = 1


def _state_name(state: str | None, lang: str) -> str | None:
    if state is None:
        return None
    zh, en = STATE_NAMES[state]
    return en if lang == "en" else zh


def division_names(session: Session) -> dict[str, str]:
    """Return the name of every division of the store, by code."""
    return {
        code: name
        for code, name in session.execute(select(Division.code, Division.name))
    }


def child_code(county: str, prefix: str) -> str:
    """Return the child division of ``prefix`` that contains ``county``.

    A county directly under its province (no city level) is its own child on
    the province's page.
    """
    if len(prefix) == 0:
        return county[:2]
    if len(prefix) == 2:
        return county[:4] if has_city_level(county) else county
    return county


def region_target(plan: pl.DataFrame, code: str) -> tuple[int | None, str | None]:
    """Return the target year of ``code`` and the division that set it: its
    own row, else the nearest level above it."""
    years = dict(zip(plan["division_code"], plan["target_year"], strict=True))
    for digits in (6, 4, 2):
        key = code[:digits]
        if len(key) == digits and key in years:
            return years[key], key
    return None, None


def county_rows(
    data: MonitorData, plan: pl.DataFrame, prefix: str, visible: pl.Expr
) -> pl.DataFrame:
    """Return one row per county of ``prefix`` evaluated in the last approved
    year: target year, who set it, verdict, state, expected year and the
    probabilities of meeting the requirements (the lowest among its series)."""
    year = data.years[-1]
    verdicts = data.evaluation().verdicts.filter(
        (pl.col("year") == year) & pl.col("division_code").str.starts_with(prefix)
    )
    verdicts = verdicts.filter(visible)
    codes = verdicts["division_code"]
    targets = schedule.county_targets(plan, codes)
    milestones = tuple(sorted(set(forecast.MILESTONES) | set(targets["target_year"])))
    found = data.requirement_forecasts(milestones).filter(
        pl.col("division_code").is_in(codes.to_list())
    )
    all_counties = (
        pl.DataFrame({"division_code": codes})
        .join(targets, on="division_code", how="left")
        .with_columns(pl.col("target_year").cast(pl.Int64))
    )
    progress = schedule.county_progress(
        all_counties,
        verdicts,
        found,
        year=year,
        probability=schedule.target_probability(found, targets),
    )
    probability = (
        found.filter(pl.col("status") == "ok")
        .group_by("division_code")
        .agg(pl.col(P_EARLY).min(), pl.col(P_LATE).min())
    )
    return (
        progress.join(probability, on="division_code", how="left")
        .with_columns(
            pl.when(pl.col("target_year").is_null() & (pl.col("status") != "met"))
            .then(pl.lit("unscheduled"))
            .otherwise(pl.col("status"))
            .alias("status")
        )
        .drop("_never", "_short")
        .sort("division_code")
    )


def _worst(states: Sequence[str]) -> str | None:
    return next((s for s in STATES if s in states), None)


def _children(
    counties: pl.DataFrame, plan: pl.DataFrame, prefix: str, names: dict[str, str]
) -> list[dict[str, Any]]:
    rows = []
    grouped = counties.with_columns(
        pl.col("division_code")
        .map_elements(lambda c: child_code(c, prefix), return_dtype=pl.String)
        .alias("child")
    )
    for (code,), inside in grouped.group_by(["child"], maintain_order=True):
        states = inside["status"].to_list()
        if len(str(code)) == 6:
            own = inside.row(0, named=True)
            target, by = own["target_year"], own["scheduled_by"]
        else:
            target, by = region_target(plan, str(code))
        scheduled = [s for s in states if s != "unscheduled"]
        never = inside.filter(pl.col("expected_year").is_null()).height > 0
        rows.append(
            {
                "division_code": code,
                "name": names.get(str(code)) or str(code),
                "target_year": target,
                "scheduled_by": by,
                "scheduled_level": None,
                "status": _worst(scheduled) or _worst(states),
                "counties": inside.height,
                **{f"counties_{s}": states.count(s) for s in STATES},
                "expected_year": None if never else inside["expected_year"].max(),
                P_TARGET: inside[P_TARGET].min(),
                P_EARLY: inside[P_EARLY].min(),
                P_LATE: inside[P_LATE].min(),
            }
        )
    return sorted(rows, key=lambda r: str(r["division_code"]))


LEVEL_NAMES = {
    "province": ("省", "province"),
    "city": ("市", "city"),
    "county": ("县", "county"),
}


def _probability_columns() -> list[Column]:
    return [
        Column(P_TARGET, "目标年份达到概率 %", "P(target year) %", "pct", PCT_DIGITS),
        Column(P_EARLY, f"{EARLY}年达到概率 %", f"P({EARLY}) %", "pct", PCT_DIGITS),
        Column(P_LATE, f"{LATE}年达到概率 %", f"P({LATE}) %", "pct", PCT_DIGITS),
    ]


STATUS_COLUMNS = [
    Column("status", "状态代码", "State code", "code"),
    Column("status_name", "进度状态", "State"),
]
TARGET_COLUMNS = [
    Column("target_year", "目标年份", "Target year", "int"),
    Column("scheduled_by", "目标设定单位", "Set by", "code"),
]
COUNT_COLUMNS = [
    Column(f"counties_{s}", STATE_NAMES[s][0], STATE_NAMES[s][1], "int") for s in STATES
]
EXPECTED = Column("expected_year", "预计达到年份", "Expected year", "int")
PERCENT = (P_TARGET, P_EARLY, P_LATE)


def _state_table(counties: pl.DataFrame, lang: str) -> dict[str, Any]:
    states = counties["status"].to_list()
    rows = [
        {"state": s, "state_name": _state_name(s, lang), "counties": states.count(s)}
        for s in STATES
    ]
    columns = [
        Column("state", "状态代码", "State code", "code"),
        Column("state_name", "进度状态", "State"),
        Column("counties", "县数", "Counties", "int"),
    ]
    return _table("states", ("各进度状态的县数", "Counties per state"), columns, rows)


def _division_table(children: list[dict[str, Any]]) -> dict[str, Any]:
    columns = [
        Column("division_code", "代码", "Code", "code"),
        Column("name", "名称", "Name"),
        *TARGET_COLUMNS,
        Column("scheduled_level", "设定层级", "Set at level"),
        *STATUS_COLUMNS,
        Column("counties", "县数", "Counties", "int"),
        *COUNT_COLUMNS,
        EXPECTED,
        *_probability_columns(),
    ]
    title = ("各下级行政区划进度", "Progress per division")
    return _table("divisions", title, columns, children, percent=PERCENT)


def _county_table(counties: pl.DataFrame) -> dict[str, Any]:
    columns = [
        COUNTY,
        Column("name", "县名称", "County"),
        Column("verdict", "最近结论", "Last verdict", "verdict"),
        *TARGET_COLUMNS,
        *STATUS_COLUMNS,
        EXPECTED,
        *_probability_columns(),
    ]
    rows = counties.iter_rows(named=True)
    title = ("各县进度", "Progress per county")
    return _table("counties", title, columns, rows, percent=PERCENT)


def _schedule_table(
    plan: pl.DataFrame, prefix: str, names: dict[str, str], lang: str
) -> dict[str, Any]:
    """Return the recorded years of ``prefix``, the divisions above it and
    those inside it."""
    index = 1 if lang == "en" else 0
    rows = [
        {
            **row,
            "name": names.get(row["division_code"]),
            "level_name": LEVEL_NAMES[row["level"]][index],
        }
        for row in plan.iter_rows(named=True)
        if row["division_code"].startswith(prefix)
        or prefix.startswith(row["division_code"])
    ]
    columns = [
        Column("division_code", "代码", "Code", "code"),
        Column("name", "名称", "Name"),
        Column("level", "层级代码", "Level code", "code"),
        Column("level_name", "层级", "Level"),
        Column("target_year", "目标年份", "Target year", "int"),
        Column("note", "备注", "Note"),
    ]
    title = ("已记录的目标年份", "Recorded target years")
    return _table("schedule", title, columns, rows)


def _bar_chart(
    chart_id: str, x: str, series: list[str], title: tuple[str, str]
) -> dict[str, Any]:
    return {
        "id": chart_id,
        "kind": "bars",
        "table": chart_id,
        "filter": {},
        "x": x,
        "series": series,
        "limit": None,
        "title": {"zh": title[0], "en": title[1]},
    }


def progress_view(
    data: MonitorData,
    plan: pl.DataFrame,
    prefix: str,
    visible: pl.Expr,
    names: dict[str, str],
    lang: str,
) -> dict[str, Any] | None:
    """Return the progress page of ``prefix``, or ``None`` without an
    evaluated county in it.

    ``plan`` is the stored schedule
    (:func:`junheng.services.warnings.load_targets`), ``visible`` keeps the
    counties the caller may read and ``names`` names the divisions.
    """
    counties = county_rows(data, plan, prefix, visible)
    if counties.is_empty():
        return None
    names = {**county_names(data), **names}
    counties = counties.with_columns(
        pl.col("division_code").replace_strict(names, default=None).alias("name"),
        pl.col("status")
        .map_elements(lambda s: _state_name(s, lang), return_dtype=pl.String)
        .alias("status_name"),
    )
    index = 1 if lang == "en" else 0
    children = _children(counties, plan, prefix, names)
    for row in children:
        row["status_name"] = _state_name(row["status"], lang)
        level = schedule.LEVELS.get(len(row["scheduled_by"] or ""))
        if level is not None:
            row["scheduled_level"] = LEVEL_NAMES[level][index]

    tables = {
        "states": _state_table(counties, lang),
        "divisions": _division_table(children),
    }
    if len(prefix) < 4:
        tables["counties"] = _county_table(counties)
    tables["schedule"] = _schedule_table(plan, prefix, names, lang)

    title = ("各进度状态的县数", "Counties per state")
    charts = [_bar_chart("states", "state_name", ["counties"], title)]
    if len(prefix) < 6:
        series = [f"counties_{s}" for s in STATES]
        title = ("各下级行政区划的县数（按状态）", "Counties per division and state")
        charts.append(_bar_chart("divisions", "name", series, title))

    name = NATION_NAME["en" if lang == "en" else "zh"]
    if prefix:
        name = names.get(prefix) or prefix
    return {
        "kind": "progress",
        "level": level_of(prefix),
        "code": prefix,
        "name": name,
        "year": None,
        "evaluated_year": data.years[-1],
        "years": data.years,
        "tables": tables,
        "charts": charts,
    }


# ------------------------------------------------------------------ routes


def may_edit(principal: Principal, prefix: str) -> bool:
    """Return whether ``principal`` may record target years on the page of
    ``prefix``: an education authority whose scope covers some of it."""
    return principal.role in ADMINISTRATIONS and (
        covers(principal.scope, prefix) or covers(prefix, principal.scope)
    )


def _editable_codes(
    principal: Principal, view: dict[str, Any], names: dict[str, str]
) -> list[tuple[str, str]]:
    """Return the divisions of the page whose target ``principal`` may set:
    the page's own division and the divisions and counties it lists."""
    codes = {view["code"]} if view["code"] else set()
    for table in ("divisions", "counties"):
        if table in view["tables"]:
            codes |= {r["division_code"] for r in view["tables"][table]["rows"]}
    return [
        (code, names.get(code) or code)
        for code in sorted(codes)
        if covers(principal.scope, code)
    ]


def _view(
    request: Request, session: Session, principal: Principal, prefix: str
) -> tuple[dict[str, Any], dict[str, str]]:
    data = load_data(request, session)
    plan = targets_service.load_targets(session)
    names = division_names(session)
    view = progress_view(
        data, plan, prefix, visible_counties(principal), names, language_of(request)
    )
    if view is None:
        raise _not_found("progress", prefix)
    return view, names


def _page(
    request: Request,
    principal: Principal,
    prefix: str,
    suffix: Any,
    table: str | None,
    error: InputError | PermissionDenied | None = None,
    saved: int | None = None,
) -> Response:
    lang = language_of(request)
    with _caller(request) as session:
        view, names = _view(request, session, principal, prefix)
    issues = []
    if isinstance(error, InputError) and error.issues:
        issues = [issue_dict(i, lang) for i in error.issues]
    context: dict[str, Any] = {
        "path": page_path("progress", prefix),
        "note": translate("monitor.progress_note", lang, year=view["evaluated_year"]),
        "edit": may_edit(principal, prefix),
        "edit_codes": _editable_codes(principal, view, names),
        "edit_error": None if error is None else error.message(lang),
        "edit_issues": issues,
        "saved": saved,
    }
    status = 200 if error is None else int(error.status)
    response = respond(request, view, suffix, table, context)
    response.status_code = status
    return response


@router.get("/monitor/progress/{name}", include_in_schema=False)
def progress_page(
    name: str,
    request: Request,
    principal: CurrentPrincipal,
    table: str | None = None,
    saved: Annotated[int | None, Query(ge=0, le=100_000)] = None,
) -> Response:
    """Return the progress page of a division, or its twins."""
    prefix, suffix = _split(name, "progress")
    check_monitor(principal, prefix)
    return _page(request, principal, prefix, suffix, table, saved=saved)


def _after_save(prefix: str, count: int) -> RedirectResponse:
    return RedirectResponse(
        f"{page_path('progress', prefix)}?saved={count}", status_code=303
    )


@router.post("/monitor/progress/{name}/targets", include_in_schema=False)
def set_target_form(
    name: str,
    request: Request,
    principal: CurrentPrincipal,
    division_code: Annotated[str, Form(max_length=12)],
    target_year: Annotated[str, Form(max_length=10)] = "",
    note: Annotated[str, Form(max_length=schedule.NOTE_LIMIT)] = "",
    remove: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Record (or with ``remove`` delete) one division's target year."""
    prefix, _ = _split(name, "progress")
    check_monitor(principal, prefix)
    try:
        with _caller(request) as session:
            if remove:
                targets_service.remove_target(session, principal, division_code)
            else:
                year = _form_year(target_year)
                targets_service.set_target(
                    session, principal, division_code, year, note, source="web"
                )
            session.commit()
    except (InputError, PermissionDenied) as error:
        log.info(
            "target of %s not saved for user %s: %s",
            division_code,
            principal.username,
            error,
        )
        return _page(request, principal, prefix, "", None, error=error)
    return _after_save(prefix, 1)


def _form_year(text: str) -> int:
    cleaned = text.strip()
    if not cleaned.isdigit():
        raise InputError(
            f"target year {text!r} is not a whole year; write a year such as 2030",
            zh=f"目标年份 {text!r} 不是整年，请填写年份，例如 2030",
        )
    return int(cleaned)


def _store_upload(request: Request, principal: Principal, file: UploadFile) -> int:
    with saved_upload(file) as path, _caller(request) as session:
        plan = schedule.read_schedule(
            path, known=targets_service.known_division(session)
        )
        count = targets_service.save_targets(session, principal, plan, path.name)
        session.commit()
    return count


@router.post("/monitor/progress/{name}/upload", include_in_schema=False)
def upload_schedule(
    name: str, request: Request, principal: CurrentPrincipal, file: UploadFile
) -> Response:
    """Record every row of an uploaded schedule file, or none of them."""
    prefix, _ = _split(name, "progress")
    check_monitor(principal, prefix)
    try:
        count = _store_upload(request, principal, file)
    except (InputError, PermissionDenied) as error:
        log.info(
            "schedule file %s of %s not saved for user %s: %s",
            file.filename,
            prefix or "nation",
            principal.username,
            error,
        )
        return _page(request, principal, prefix, "", None, error=error)
    return _after_save(prefix, count)


# ------------------------------------------------------------------ API


class TargetBody(BaseModel):
    """One division's target year of reaching the standard."""

    division_code: str = Field(
        pattern=r"^([0-9]{2}|[0-9]{4}|[0-9]{6})$", description="2, 4 or 6 digits"
    )
    target_year: int = Field(ge=schedule.YEARS[0], le=schedule.YEARS[1])
    note: str | None = Field(default=None, max_length=schedule.NOTE_LIMIT)


@router.get(
    "/api/v1/monitor/progress/{code}", responses=ERROR_RESPONSES, tags=["monitoring"]
)
def api_progress(code: str, request: Request, principal: CurrentPrincipal) -> Response:
    """Return the progress against the schedule of a division: the JSON twin
    of its page."""
    prefix = _api_prefix(code, "progress")
    check_monitor(principal, prefix)
    with _caller(request) as session:
        view, _ = _view(request, session, principal, prefix)
    return Response(json_bytes(with_framework(request, view)), media_type=JSON_TYPE)


@router.put("/api/v1/monitor/targets", responses=ERROR_RESPONSES, tags=["monitoring"])
def api_set_target(
    body: TargetBody, request: Request, principal: CurrentPrincipal
) -> Response:
    """Record one division's target year (education authorities, inside
    their scope); an audit record keeps the earlier one."""
    with _caller(request) as session:
        targets_service.set_target(
            session,
            principal,
            body.division_code,
            body.target_year,
            body.note,
            source="api",
        )
        session.commit()
    return Response(json_bytes({"stored": 1}), media_type=JSON_TYPE)


@router.delete(
    "/api/v1/monitor/targets/{code}", responses=ERROR_RESPONSES, tags=["monitoring"]
)
def api_remove_target(
    code: str, request: Request, principal: CurrentPrincipal
) -> Response:
    """Delete a division's own target year, so that it inherits again."""
    with _caller(request) as session:
        targets_service.remove_target(session, principal, code)
        session.commit()
    return Response(json_bytes({"removed": 1}), media_type=JSON_TYPE)


@router.post(
    "/api/v1/monitor/targets/upload", responses=ERROR_RESPONSES, tags=["monitoring"]
)
def api_upload_schedule(
    request: Request, principal: CurrentPrincipal, file: UploadFile
) -> Response:
    """Record every row of a schedule file (CSV or XLSX with the columns
    ``division_code``, ``target_year`` and ``note``), or none of them: the
    error lists each bad row, column and value."""
    count = _store_upload(request, principal, file)
    return Response(json_bytes({"stored": count}), media_type=JSON_TYPE)


__all__ = ["router"]
