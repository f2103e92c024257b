"""Monitoring pages under ``/monitor`` and their API under ``/api/v1/monitor``.

Pages, for a division ``{code}`` (``all`` for the nation, or 2, 4 or 6 digits):

``/monitor/trends/{code}``
    each indicator's CV per section over the years with its limit, and the
    verdicts (a county) or counties passing (a region) per year;
``/monitor/forecasts/{code}``
    the counties in view ranked by the year they are expected to meet every CV
    limit, each CV series' forecast, and the history and forecast band of one
    county (``?county=&indicator=``);
``/monitor/flags/{code}``
    data-quality and falsification flags with the county's notes; a county
    user marks a flag explained with ``POST /monitor/flags/{code}/explain``;
``/monitor/samples/{county}``
    the field-verification sample of a county-year (``?year=&seed=``).

Adding ``.json``, ``.csv?table=NAME`` or ``.xlsx`` to a page path returns its
twins, with the dashboards' rules. Authorities (county, city, province,
ministry) may read the divisions of their scope, and evaluators their assigned
counties. School and public users get 403, because flags and risk samples are
leads to check, not published results.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

import polars as pl
import xlsxwriter
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from junheng.errors import NotFound, PermissionDenied
from junheng.monitoring import sampling
from junheng.services import access, flag_notes
from junheng.services.access import Principal, Role
from junheng.web.auth import CurrentPrincipal
from junheng.web.csrf import csrf_token
from junheng.web.dash_support import StoreSource, cell_text
from junheng.web.dashboards import (
    CSV_TYPE,
    JSON_TYPE,
    generation_reader,
    results_cache,
    table_csv,
    table_name,
)
from junheng.web.errors import ERROR_RESPONSES
from junheng.web.i18n import Language, framework_warnings, translate
from junheng.web.monitor_data import LEVEL, TARGET_YEAR, MonitorCache, MonitorData
from junheng.web.monitor_views import (
    county_names,
    county_trend_view,
    flag_view,
    forecast_view,
    region_trend_view,
    sample_view,
)
from junheng.web.pages.render import language_of, render, templates
from junheng.web.state import app_object

router = APIRouter()

MONITOR_ROLES = (Role.COUNTY, Role.CITY, Role.PROVINCE, Role.MINISTRY, Role.EVALUATOR)
"""Roles that see the monitoring pages."""
KINDS = ("trends", "forecasts", "progress", "flags", "samples")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FLAG_PAGE_ROWS = 500
"""Flags listed on the page; the twins contain all of them."""

Suffix = Literal["", ".json", ".csv", ".xlsx"]


def monitor_cache(request: Request) -> MonitorCache:
    """Return the app's cache of monitoring tables, creating it on first use."""
    return app_object(request, "monitor_cache", MonitorCache)


def _denied(principal: Principal, target: str) -> PermissionDenied:
    return PermissionDenied(
        f"user {principal.username!r} may not see the monitoring of "
        f"{target or 'the whole country'}; monitoring is open to county, city, "
        "province and ministry users for their region and to evaluators for "
        "their assigned counties",
        zh=f"用户 {principal.username} 无权查看 {target or '全国'} 的监测；"
        "监测页面仅向县、市、省和教育部用户（本辖区）及第三方评估人员（所分配的县）开放",
    )


def check_monitor(principal: Principal, prefix: str) -> None:
    """Raise :class:`PermissionDenied` unless ``principal`` may see the
    monitoring of the region ``prefix`` (``""`` is the nation)."""
    if principal.role not in MONITOR_ROLES:
        raise _denied(principal, prefix)
    if not access.can_read(principal, prefix):
        raise _denied(principal, prefix)


def visible_counties(principal: Principal) -> pl.Expr:
    """Return the filter of the county codes ``principal`` may see."""
    if principal.role == Role.EVALUATOR:
        return pl.col("division_code").is_in(list(principal.assigned_counties))
    return pl.col("division_code").str.starts_with(principal.scope)


def _not_found(kind: str, code: str) -> NotFound:
    return NotFound(
        f"no approved monitoring data for {code or 'the nation'} ({kind}); check "
        "the code (all, or 2, 4 or 6 digits) and that its data are approved",
        zh=f"{code or '全国'} 没有已审定的监测数据，请检查代码（all 或 2、4、6 位）"
        "以及数据是否已审定",
    )


def _split(name: str, kind: str) -> tuple[str, Suffix]:
    """Return the division prefix and suffix of a path name such as ``4101.csv``."""
    suffix: Suffix = ""
    for known in (".json", ".csv", ".xlsx"):
        if name.endswith(known):
            name, suffix = name[: -len(known)], known
            break
    if name == "all":
        return "", suffix
    if not (name.isascii() and name.isdigit()) or len(name) not in (2, 4, 6):
        raise _not_found(kind, name)
    return name, suffix


@contextmanager
def _caller(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


def load_data(request: Request, session: Session) -> MonitorData:
    """Return the monitoring tables of every approved year, from the caches."""
    cache = results_cache(request)
    generation = generation_reader(request).generation().data
    source = StoreSource(session, cache, generation)
    years = source.years("internal")
    if not years:
        raise NotFound(
            "no approved data yet; monitoring starts once a province approves data",
            zh="尚无已审定的数据；省级审核通过数据后即可监测",
        )
    results = [
        cache.result(source, y, audience="internal", generation=generation)
        for y in years
    ]
    return MonitorData(monitor_cache(request), results, generation)


def page_path(kind: str, prefix: str) -> str:
    """Return the path of a monitoring page."""
    return f"/monitor/{kind}/{prefix or 'all'}"


# ------------------------------------------------------------------ views


def trend_view(data: MonitorData, prefix: str, lang: str) -> dict[str, Any]:
    """Return the trend view of ``prefix``, built once per data generation."""

    def build() -> dict[str, Any] | None:
        if len(prefix) == 6:
            return county_trend_view(data, prefix, lang)
        return region_trend_view(data, prefix, lang)

    view = data.memo(("trend_view", prefix, lang), build)
    if view is None:
        raise _not_found("trends", prefix)
    return view


def forecasts_view(
    data: MonitorData,
    principal: Principal,
    prefix: str,
    lang: str,
    county: str | None,
    indicator: str | None,
) -> dict[str, Any]:
    """Return the forecast view of the counties of ``prefix`` that the caller
    may read."""
    visible_key = (principal.role == Role.EVALUATOR, principal.assigned_counties)
    key = ("forecast_view", prefix, lang, county, indicator, visible_key)
    view = data.memo(
        key,
        lambda: forecast_view(
            data, prefix, visible_counties(principal), lang, county, indicator
        ),
    )
    if view is None:
        raise _not_found("forecasts", prefix)
    return view


def flags_view(
    data: MonitorData,
    session: Session,
    principal: Principal,
    prefix: str,
    lang: str,
    year: int | None,
) -> dict[str, Any]:
    """Return the flags of the schools of ``prefix`` that the caller may read,
    with the current county notes."""

    def build() -> pl.DataFrame:
        flags = data.flags()
        if prefix:
            flags = flags.filter(
                pl.col("division_code").str.starts_with(prefix)
                & visible_counties(principal)
            )
        return flags

    visible_key = (principal.role == Role.EVALUATOR, principal.assigned_counties)
    flags = data.memo(("flags_in", prefix, visible_key), build)
    if year is not None:
        flags = flags.filter(pl.col("year") == year)
    notes = flag_notes.notes_within(session, principal, prefix)
    view = flag_view(flags, notes, prefix, lang)
    view["years"] = data.years
    view["year"] = year
    return view


def samples_view(
    data: MonitorData,
    county: str,
    year: int,
    seed: int,
    confidence: float,
    margin: float,
) -> dict[str, Any]:
    """Return the sample view of ``county`` in ``year`` drawn with ``seed``."""
    if year not in data.years:
        raise _not_found("samples", f"{county} {year}")
    drawn = data.sample(county, year, seed, confidence, margin)
    if drawn is None:
        raise _not_found("samples", f"{county} {year}")
    view = sample_view(drawn[0], drawn[1], county, year)
    view["name"] = county_names(data).get(county) or county
    view["years"] = data.years
    return view


# ------------------------------------------------------------------ twins


def json_bytes(view: dict[str, Any]) -> bytes:
    """Return ``view`` as compact UTF-8 JSON."""
    return json.dumps(view, ensure_ascii=False, separators=(",", ":")).encode()


def xlsx_bytes(view: dict[str, Any], lang: Language) -> bytes:
    """Return every table of ``view`` as a sheet of an Excel workbook, with
    the column headings in ``lang``."""
    out = io.BytesIO()
    with xlsxwriter.Workbook(out, {"in_memory": True}) as book:
        bold = book.add_format({"bold": True})
        design = view.get("design")
        if design:
            sheet = book.add_worksheet("design")
            for row, (key, value) in enumerate(design.items()):
                sheet.write(row, 0, translate(f"monitor.design.{key}", lang), bold)
                sheet.write(row, 1, value)
        for name, table in view["tables"].items():
            sheet = book.add_worksheet(name[:31])
            for col, column in enumerate(table["columns"]):
                sheet.write(0, col, column[lang], bold)
            for row, values in enumerate(table["rows"], start=1):
                for col, column in enumerate(table["columns"]):
                    value = values.get(column["key"])
                    if isinstance(value, str):
                        # Text is written as text, never as a formula.
                        sheet.write_string(row, col, value)
                    elif value is not None:
                        sheet.write(row, col, value)
    return out.getvalue()


def _csv(view: dict[str, Any], table: str | None) -> bytes:
    return table_csv(view["tables"][table_name(view, table)])


def _attachment(body: bytes, media_type: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


def with_framework(request: Request, view: dict[str, Any]) -> dict[str, Any]:
    """Return ``view`` with the platform's framework id and the warnings of its
    file in the request's language, for a page and its JSON twins."""
    framework = request.app.state.framework
    return {
        **view,
        "framework": framework.id,
        "framework_warnings": framework_warnings(framework, language_of(request)),
    }


def respond(
    request: Request,
    view: dict[str, Any],
    suffix: Suffix,
    table: str | None,
    context: dict[str, Any],
) -> Response:
    """Return the page of ``view``, or its JSON, CSV or Excel twin."""
    lang = language_of(request)
    view = with_framework(request, view)
    stem = f"monitor-{view['kind']}-{view['code'] or 'all'}"
    if "year" in view and view.get("year") is not None:
        stem += f"-{view['year']}"
    if suffix == ".json":
        return Response(json_bytes(view), media_type=JSON_TYPE)
    if suffix == ".csv":
        return _attachment(_csv(view, table), CSV_TYPE, f"{stem}.csv")
    if suffix == ".xlsx":
        return _attachment(xlsx_bytes(view, lang), XLSX_TYPE, f"{stem}-{lang}.xlsx")
    return _html(request, view, context)


def _html(request: Request, view: dict[str, Any], context: dict[str, Any]) -> Response:
    lang = language_of(request)
    path = context["path"]
    query = context.get("query", {})
    twin_query = urlencode({**query, "lang": lang})
    tables_html = Markup(
        templates.env.get_template("monitor/tables.html").render(
            {
                "view": view,
                "lang": lang,
                "path": path,
                "twin_query": twin_query,
                "row_links": context.get("row_links", {}),
                "hidden_rows": context.get("hidden_rows", {}),
                "explain": context.get("explain"),
                "explain_digits": context.get("explain_digits"),
                "csrf_token": csrf_token(request),
                "d": lambda key: translate(f"dash.{key}", lang),
                "t": lambda key, **values: translate(key, lang, **values),
                "cell": lambda value, column: cell_text(value, column, lang),
            }
        )
    )
    kind_title = translate(f"monitor.{view['kind']}", lang)
    name = view.get("name") or view["code"] or translate("dash.nation", lang)
    values = {
        "page_title": f"{name} · {kind_title} · {translate('monitor.title', lang)}",
        "view": view,
        "name": name,
        "kind_title": kind_title,
        "tabs": [
            (k, page_path(k, view["code"]), translate(f"monitor.{k}", lang))
            for k in KINDS
        ],
        "json_href": f"{path}.json?{twin_query}",
        "xlsx_href": f"{path}.xlsx?{twin_query}",
        "tables_html": tables_html,
        **context,
    }
    return render(request, "monitor/page.html", values)


def _record_links(
    table: dict[str, Any],
    principal: Principal,
    year: int | None = None,
    county: str | None = None,
) -> list[str | None]:
    """Return the school-year record page of each row the caller may open.

    ``year`` and ``county`` stand in for rows without those columns.
    """
    links: list[str | None] = []
    for row in table["rows"]:
        school = row.get("school_code")
        row_year = row.get("year", year)
        division = row.get("division_code") or county or ""
        if school and row_year and access.can_read(principal, division):
            links.append(f"/reporting/{school}/{row_year}")
        else:
            links.append(None)
    return links


# ------------------------------------------------------------------ pages


@router.get("/monitor", include_in_schema=False)
def monitor_home(principal: CurrentPrincipal) -> RedirectResponse:
    """Send the caller to the trends of their own region."""
    check_monitor(principal, principal.scope)
    prefix = principal.scope
    if principal.role == Role.EVALUATOR:
        if not principal.assigned_counties:
            raise _denied(principal, "")
        prefix = principal.assigned_counties[0]
    return RedirectResponse(page_path("trends", prefix), status_code=303)


@router.get("/monitor/trends/{name}", include_in_schema=False)
def trends_page(
    name: str,
    request: Request,
    principal: CurrentPrincipal,
    table: str | None = None,
) -> Response:
    """Return the trend page of a division, or its twins."""
    prefix, suffix = _split(name, "trends")
    check_monitor(principal, prefix)
    with _caller(request) as session:
        view = trend_view(load_data(request, session), prefix, language_of(request))
    context = {"path": page_path("trends", prefix)}
    return respond(request, view, suffix, table, context)


@router.get("/monitor/forecasts/{name}", include_in_schema=False)
def forecasts_page(
    name: str,
    request: Request,
    principal: CurrentPrincipal,
    county: Annotated[str | None, Query(pattern=r"^[0-9]{6}$")] = None,
    indicator: Annotated[str | None, Query(max_length=40)] = None,
    table: str | None = None,
) -> Response:
    """Return the forecast page of a division, or its twins."""
    prefix, suffix = _split(name, "forecasts")
    check_monitor(principal, prefix)
    lang = language_of(request)
    with _caller(request) as session:
        data = load_data(request, session)
        view = forecasts_view(data, principal, prefix, lang, county, indicator)
    band = view["band"] or {}
    context = {
        "path": page_path("forecasts", prefix),
        "query": {k: v for k, v in band.items() if v},
        "note": translate(
            "monitor.forecast_note", lang, level=round(LEVEL * 100), target=TARGET_YEAR
        ),
        "band_counties": [
            (r["division_code"], r["name"]) for r in view["tables"]["counties"]["rows"]
        ],
        "band_indicators": [
            (i.id, i.name.get(lang)) for i in data.framework.resource_indicators
        ],
    }
    return respond(request, view, suffix, table, context)


@router.get("/monitor/flags/{name}", include_in_schema=False)
def flags_page(
    name: str,
    request: Request,
    principal: CurrentPrincipal,
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    table: str | None = None,
) -> Response:
    """Return the flags of the schools of a division, or their twins."""
    prefix, suffix = _split(name, "flags")
    check_monitor(principal, prefix)
    lang = language_of(request)
    with _caller(request) as session:
        data = load_data(request, session)
        view = flags_view(data, session, principal, prefix, lang, year)
    rows = view["tables"]["flags"]["rows"]
    context: dict[str, Any] = {
        "path": page_path("flags", prefix),
        "query": {"year": year} if year is not None else {},
        "row_links": {"flags": _record_links(view["tables"]["flags"], principal)},
        "explain": principal.role in flag_notes.EXPLAINERS.values(),
        "explain_digits": next(
            (n for n, r in flag_notes.EXPLAINERS.items() if r == principal.role), None
        ),
        "flag_total": len(rows),
        "flag_shown": min(len(rows), FLAG_PAGE_ROWS),
        "hidden_rows": {"flags": FLAG_PAGE_ROWS},
    }
    return respond(request, view, suffix, table, context)


@router.post("/monitor/flags/{name}/explain", include_in_schema=False)
def explain_flag(
    name: str,
    request: Request,
    principal: CurrentPrincipal,
    flag_key: Annotated[str, Form(max_length=300)],
    note: Annotated[str, Form(max_length=4000)],
) -> RedirectResponse:
    """Mark a flag of the page explained with the county's note."""
    prefix, _ = _split(name, "flags")
    check_monitor(principal, prefix)
    with _caller(request) as session:
        _explain(request, session, principal, prefix, flag_key, note)
        session.commit()
    return RedirectResponse(page_path("flags", prefix), status_code=303)


def _explain(
    request: Request,
    session: Session,
    principal: Principal,
    prefix: str,
    key: str,
    note: str,
) -> None:
    """Store the note of the flag ``key``, which must be a flag of ``prefix``."""
    data = load_data(request, session)
    view = flags_view(data, session, principal, prefix, "zh", None)
    found = next(
        (r for r in view["tables"]["flags"]["rows"] if r["flag_key"] == key), None
    )
    if found is None:
        raise NotFound(
            f"no flag {key!r} in {prefix or 'the nation'}; reload the flag page",
            zh=f"{prefix or '全国'} 没有疑点 {key}，请重新打开疑点页面",
        )
    flag_notes.explain(
        session,
        principal,
        check=found["check"],
        year=found["year"],
        division_code=found["division_code"] or "",
        school_code=found["school_code"],
        field=found["field"] or "",
        note=note,
    )


@router.get("/monitor/samples/{name}", include_in_schema=False)
def samples_page(
    name: str,
    request: Request,
    principal: CurrentPrincipal,
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    seed: Annotated[int | None, Query(ge=0, lt=2**32)] = None,
    confidence: Annotated[float, Query(ge=0.5, le=0.999)] = 0.95,
    margin: Annotated[float, Query(ge=0.01, le=0.5)] = 0.10,
    table: str | None = None,
) -> Response:
    """Return the sample of a county, or its twins; without a seed, redirect
    to a new random one so that the address reproduces the sample."""
    prefix, suffix = _split(name, "samples")
    check_monitor(principal, prefix)
    lang = language_of(request)
    with _caller(request) as session:
        data = load_data(request, session)

    if len(prefix) != 6:
        if suffix:
            # A region has no sample of its own, so its page has no twins.
            raise _not_found("samples", name)
        return _county_choice(request, data, principal, prefix, lang)
    if year is None:
        year = data.years[-1]
    if seed is None:
        query = {
            "year": year,
            "seed": sampling.new_seed(),
            "confidence": confidence,
            "margin": margin,
            "lang": lang,
        }
        target = f"{page_path('samples', prefix)}{suffix}?{urlencode(query)}"
        return RedirectResponse(target, status_code=303)

    view = samples_view(data, prefix, year, seed, confidence, margin)
    query = {"year": year, "seed": seed, "confidence": confidence, "margin": margin}
    context = {
        "path": page_path("samples", prefix),
        "query": query,
        "row_links": {
            name: _record_links(view["tables"][name], principal, year, prefix)
            for name in ("sample", "frame")
        },
        "new_seed_href": f"{page_path('samples', prefix)}?"
        + urlencode({"year": year, "confidence": confidence, "margin": margin}),
    }
    return respond(request, view, suffix, table, context)


def _county_choice(
    request: Request,
    data: MonitorData,
    principal: Principal,
    prefix: str,
    lang: str,
) -> Response:
    """Return the list of counties of a region to draw a sample in."""
    names = county_names(data)
    codes = [
        c
        for c in sorted(names)
        if c.startswith(prefix) and access.can_read(principal, c)
    ]
    view = {
        "kind": "samples",
        "level": "region",
        "code": prefix,
        "tables": {},
        "charts": [],
    }
    context = {
        "path": page_path("samples", prefix),
        "counties": [(c, names[c], page_path("samples", c)) for c in codes],
    }
    return _html(request, view, context)


# ------------------------------------------------------------------ API


class FlagNoteBody(BaseModel):
    """A county's explanation of one flag."""

    flag_key: str = Field(max_length=300, description="the flag's `flag_key`")
    note: str = Field(max_length=4000, description="what the county checked")


def _api_prefix(code: str, kind: str) -> str:
    prefix, suffix = _split(code, kind)
    if suffix:
        raise _not_found(kind, code)
    return prefix


@router.get(
    "/api/v1/monitor/trends/{code}", responses=ERROR_RESPONSES, tags=["monitoring"]
)
def api_trends(code: str, request: Request, principal: CurrentPrincipal) -> Response:
    """Return the trends of a county (6 digits), city (4), province (2) or the
    nation (``all``): the JSON twin of its page."""
    prefix = _api_prefix(code, "trends")
    check_monitor(principal, prefix)
    with _caller(request) as session:
        view = trend_view(load_data(request, session), prefix, language_of(request))
    return Response(json_bytes(with_framework(request, view)), media_type=JSON_TYPE)


@router.get(
    "/api/v1/monitor/forecasts/{code}", responses=ERROR_RESPONSES, tags=["monitoring"]
)
def api_forecasts(
    code: str,
    request: Request,
    principal: CurrentPrincipal,
    county: Annotated[str | None, Query(pattern=r"^[0-9]{6}$")] = None,
    indicator: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """Return the ranked CV forecasts of the counties of a division."""
    prefix = _api_prefix(code, "forecasts")
    check_monitor(principal, prefix)
    lang = language_of(request)
    with _caller(request) as session:
        data = load_data(request, session)
        view = forecasts_view(data, principal, prefix, lang, county, indicator)
    return Response(json_bytes(with_framework(request, view)), media_type=JSON_TYPE)


@router.get(
    "/api/v1/monitor/flags/{code}", responses=ERROR_RESPONSES, tags=["monitoring"]
)
def api_flags(
    code: str,
    request: Request,
    principal: CurrentPrincipal,
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
) -> Response:
    """Return the data-quality flags of the schools of a division with the
    county notes."""
    prefix = _api_prefix(code, "flags")
    check_monitor(principal, prefix)
    lang = language_of(request)
    with _caller(request) as session:
        data = load_data(request, session)
        view = flags_view(data, session, principal, prefix, lang, year)
    return Response(json_bytes(with_framework(request, view)), media_type=JSON_TYPE)


@router.post(
    "/api/v1/monitor/flags/{code}/notes",
    responses=ERROR_RESPONSES,
    tags=["monitoring"],
)
def api_explain_flag(
    code: str, body: FlagNoteBody, request: Request, principal: CurrentPrincipal
) -> Response:
    """Mark a flag of the division explained with the county's note
    (county users of the flag's county only)."""
    prefix = _api_prefix(code, "flags")
    check_monitor(principal, prefix)
    with _caller(request) as session:
        _explain(request, session, principal, prefix, body.flag_key, body.note)
        session.commit()
        notes = flag_notes.notes_within(session, principal, prefix)
        note = notes[body.flag_key]
        payload = {
            "flag_key": note.flag_key,
            "status": note.status,
            "note": note.note,
            "noted_by": note.updated_by,
        }
    return Response(json_bytes(payload), media_type=JSON_TYPE)


@router.get(
    "/api/v1/monitor/samples/{county}", responses=ERROR_RESPONSES, tags=["monitoring"]
)
def api_sample(
    county: str,
    request: Request,
    principal: CurrentPrincipal,
    seed: Annotated[int, Query(ge=0, lt=2**32)],
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    confidence: Annotated[float, Query(ge=0.5, le=0.999)] = 0.95,
    margin: Annotated[float, Query(ge=0.01, le=0.5)] = 0.10,
) -> Response:
    """Return the field-verification sample of a county (6 digits) drawn with
    ``seed``; the same parameters always return the same schools."""
    prefix = _api_prefix(county, "samples")
    check_monitor(principal, prefix)
    if len(prefix) != 6:
        raise _not_found("samples", county)
    with _caller(request) as session:
        data = load_data(request, session)
    view = samples_view(data, prefix, year or data.years[-1], seed, confidence, margin)
    return Response(json_bytes(with_framework(request, view)), media_type=JSON_TYPE)


__all__ = ["router"]
