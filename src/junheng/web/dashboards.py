"""Drill-down dashboards of evaluation results: nation → province → city → county
→ school, each page with a JSON and a CSV twin.

Pages live under ``/dash/{year}/``: ``nation``, ``province/{code}``,
``city/{code}``, ``county/{code}`` and ``school/{code}``. Adding ``.json`` to a
page path returns every table and chart of the page, and ``.csv?table=NAME`` one
table, with the values the page shows. ``…/{code}/report.xlsx`` and
``report.html`` download the evaluation core's reports of the division in view.
The JSON API adds ``/api/v1/evaluations/{year}/{division_code}`` and
``/api/v1/rollups/{year}/{prefix}``.

Every page reads the cached evaluation of :mod:`junheng.services.results`. A
caller sees only the divisions inside their scope, and anonymous or public
callers see only published results (that module states the rule).
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from junheng.errors import NotFound, PermissionDenied
from junheng.services import access
from junheng.services.access import Principal, Role
from junheng.services.result_views import (
    CODE_LENGTH,
    LEVELS,
    NATION_NAME,
    Level,
    county_trend,
    county_view,
    jsonable,
    region_trend,
    region_view,
    school_trend,
    school_view,
)
from junheng.services.results import Audience, ResultsCache, YearResult
from junheng.store.divisions import retired_changes
from junheng.store.models import Division
from junheng.web.api.regions import division_out
from junheng.web.auth import optional_principal
from junheng.web.csrf import csrf_token
from junheng.web.dash_support import (
    CONTENT_MARK,
    DASH_TEXT,
    TOKEN_MARK,
    GenerationReader,
    Generations,
    PageFrame,
    PageFrames,
    StoreSource,
    chart_specs,
    dash_text,
    generation_query,
    link_key,
    map_spec,
    page_context,
    page_path,
    tables_context,
)
from junheng.web.errors import ERROR_RESPONSES
from junheng.web.i18n import Language, framework_warnings, translator
from junheng.web.pages.render import (
    language_of,
    remember_language,
    render,
    templates,
)
from junheng.web.state import app_object

router = APIRouter()

NAV_LINKS = [("/dash", "评估结果", "Results")]
"""Links the page header shows (read by the app factory)."""

Suffix = Literal["", ".json", ".csv"]
JSON_TYPE = "application/json"
CSV_TYPE = "text/csv; charset=utf-8"
LEVEL_BY_LENGTH: dict[int, Level] = {2: "province", 4: "city", 6: "county"}
"""The level of a division code by its number of digits."""


def results_cache(request: Request) -> ResultsCache:
    """Return the app's results cache, creating it on first use.

    The cache evaluates against the framework of the ``framework`` setting.
    """
    framework = request.app.state.settings.framework
    return app_object(
        request, "results_cache", lambda: ResultsCache(framework=framework)
    )


def generation_reader(request: Request) -> GenerationReader[Generations]:
    """Return the app's reader of the generations, creating it on first use."""
    engine = request.app.state.engine
    return app_object(
        request,
        "generation_reader",
        lambda: GenerationReader(generation_query(engine)),
    )


def audience_of(principal: Principal | None) -> Audience:
    """Return ``public`` for anonymous and public callers, else ``internal``."""
    if principal is None or principal.role == Role.PUBLIC:
        return "public"
    return "internal"


def _denied(principal: Principal | None, target: str) -> PermissionDenied:
    name = principal.username if principal else "anonymous"
    return PermissionDenied(
        f"user {name!r} may not read the results of {target or 'the whole country'}; "
        "open a division inside your scope",
        zh=f"用户 {name} 无权查看 {target or '全国'} 的评估结果，"
        "请打开本人范围内的地区",
    )


def check_read(
    principal: Principal | None,
    division_code: str,
    school_code: str | None = None,
) -> None:
    """Raise :class:`PermissionDenied` unless the caller may read the results.

    The public reads every published result; :func:`audience_of` makes sure
    that public callers are only ever given published data.
    """
    if principal is None or principal.role == Role.PUBLIC:
        return
    if not access.can_read(principal, division_code, school_code):
        raise _denied(principal, school_code or division_code)


@dataclass
class PageRequest:
    """Everything a dashboard route resolved from its path and caller."""

    year: int
    level: Level
    code: str
    suffix: Suffix
    audience: Audience
    result: YearResult
    source: StoreSource
    cache: ResultsCache
    generation: int
    divisions: int
    """The divisions generation: the retired notice is cached per its value."""


def _split_suffix(name: str) -> tuple[str, Suffix]:
    for suffix in (".json", ".csv"):
        if name.endswith(suffix):
            return name[: -len(suffix)], suffix
    return name, ""


def _not_found(level: str, code: str, year: int) -> NotFound:
    return NotFound(
        f"no approved results for {level} {code!r} in {year}; check the code "
        "(2 digits for a province, 4 for a city, 6 for a county, 10 for a school) "
        "and the year",
        zh=f"{year} 年没有 {code} 的已审定评估结果，请检查代码（省 2 位、市 4 位、"
        "县 6 位、学校 10 位）和年度",
    )


def _resolve(
    request: Request,
    session: Session,
    principal: Principal | None,
    year: int,
    level: Level,
    name: str,
) -> PageRequest:
    code, suffix = _split_suffix(name)
    if len(code) != CODE_LENGTH[level] or (code and not code.isdigit()):
        raise _not_found(level, code, year)
    if level != "school":
        check_read(principal, code)
    return _load(request, session, principal, year, level, code, suffix)


def _load(
    request: Request,
    session: Session,
    principal: Principal | None,
    year: int,
    level: Level,
    code: str,
    suffix: Suffix = "",
) -> PageRequest:
    cache = results_cache(request)
    generation, divisions = generation_reader(request).generation()
    source = StoreSource(session, cache, generation, divisions)
    audience = audience_of(principal)
    if year not in source.years(audience):
        raise _not_found(level, code, year)
    result = cache.result(source, year, audience=audience, generation=generation)
    return PageRequest(
        year,
        level,
        code,
        suffix,
        audience,
        result,
        source,
        cache,
        generation,
        divisions,
    )


def _years_results(page: PageRequest) -> list[YearResult]:
    return [
        page.cache.result(
            page.source, year, audience=page.audience, generation=page.generation
        )
        for year in page.source.years(page.audience)
    ]


def _division_view(
    result: YearResult, level: Level, code: str, lang: str
) -> dict[str, Any] | None:
    """Return the tables of one page, or ``None`` without results for it."""

    def build() -> dict[str, Any] | None:
        if level == "county":
            view = county_view(result, code, lang)
        elif level == "school":
            view = school_view(result, code)
        else:
            view = region_view(result, level, code)
        return None if view is None else jsonable(view)

    return result.memo(("view", level, code, lang), build)


def build_view(page: PageRequest, lang: str) -> dict[str, Any]:
    """Return the JSON-ready view of a page: tables, trend, charts and map.

    ``framework_warnings`` lists the warnings of the framework file in
    ``lang``. A page of a retired division code, and the page of a school in a
    retired county, also gets ``retired``: the division as ``GET
    /api/v1/divisions/{code}`` returns it, with its successor and changes.
    """
    result = page.result
    view = _division_view(result, page.level, page.code, lang)
    if view is None:
        raise _not_found(page.level, page.code, page.year)
    trend = _trend(page, lang)
    tables = dict(view["tables"])
    if trend is not None:
        tables["trend"] = trend
    full = {**view, "tables": tables, "audience": page.audience}
    if page.level == "nation":
        full["name"] = NATION_NAME["en" if lang == "en" else "zh"]
    full["framework_warnings"] = framework_warnings(result.framework, lang)
    full["charts"] = chart_specs(full, result.framework)
    full["map"] = map_spec(full)
    retired = _retired(page)
    if retired is not None:
        full["retired"] = division_out(retired, lang).model_dump()
    return full


def _retired(page: PageRequest) -> Division | None:
    """Return the division of the page, or the county of a school page, when it
    is retired with a successor."""
    if page.level == "nation":
        return None
    code = page.code
    if page.level == "school":
        # The school's view does not depend on the language.
        view = _division_view(page.result, "school", page.code, "zh")
        if view is None:
            return None
        code = view["division_code"]
    return page.source.retired(code)


def successor_href(
    page: PageRequest, lang: str, principal: Principal | None
) -> str | None:
    """Return the page of the successor of a retired division, if it has one.

    That is the successor's page in the year in view when it has results
    then, else in the latest year that has them. ``None`` when the successor
    has no results the caller may read.
    """
    retired = _retired(page)
    if retired is None or retired.successor_code is None:
        return None
    code = retired.successor_code
    level = LEVEL_BY_LENGTH.get(len(code))
    if level is None:
        return None
    try:
        check_read(principal, code)
    except PermissionDenied:
        return None
    years = [page.year, *sorted(page.source.years(page.audience), reverse=True)]
    for year in years:
        result = page.cache.result(
            page.source, year, audience=page.audience, generation=page.generation
        )
        if _division_view(result, level, code, lang) is not None:
            return page_path(year, level, code)
    return None


def _trend(page: PageRequest, lang: str) -> dict[str, Any] | None:
    years = page.source.years(page.audience)
    if len(years) < 2:
        return None
    key = ("trend", page.level, page.code, tuple(years), lang)

    def build() -> dict[str, Any]:
        results = _years_results(page)
        if page.level == "county":
            return county_trend(results, page.code).as_dict()
        if page.level == "school":
            return school_trend(results, page.code).as_dict()
        return region_trend(results, page.level, page.code).as_dict()

    return page.result.memo(key, build)


def _json_bytes(page: PageRequest, lang: str) -> bytes:
    def build() -> bytes:
        view = build_view(page, lang)
        return json.dumps(view, ensure_ascii=False, separators=(",", ":")).encode()

    key = ("json", page.level, page.code, lang, page.divisions)
    return page.result.memo(key, build)


CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""Text that a spreadsheet would run as a formula starts with one of these."""


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(CSV_FORMULA_START):
        # A leading apostrophe keeps a spreadsheet from running the text.
        return "'" + value
    return value


def table_csv(table: dict[str, Any]) -> bytes:
    """Return one view table as CSV: column keys, then flag columns, then rows."""
    keys = [c["key"] for c in table["columns"]]
    keys += [c["flag"] for c in table["columns"] if c.get("flag")]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(keys)
    for row in table["rows"]:
        writer.writerow([_csv_cell(row.get(k)) for k in keys])
    # The byte order mark lets spreadsheet programs read the file as UTF-8.
    return ("\ufeff" + out.getvalue()).encode()


def table_name(view: dict[str, Any], table: str | None) -> str:
    """Return ``table``, or the first table of ``view`` when it is ``None``.

    Raises :class:`NotFound` naming the tables of the page for an unknown one.
    """
    name = table or next(iter(view["tables"]))
    if name not in view["tables"]:
        known = ", ".join(view["tables"])
        raise NotFound(
            f"this page has no table {name!r}; use one of: {known}",
            zh=f"本页没有名为 {name} 的表格，可用：{known}",
        )
    return name


def _csv_bytes(page: PageRequest, lang: str, table: str | None) -> bytes:
    view = build_view(page, lang)
    name = table_name(view, table)
    return page.result.memo(
        ("csv", page.level, page.code, lang, name),
        lambda: table_csv(view["tables"][name]),
    )


def _respond(
    request: Request, page: PageRequest, principal: Principal | None, table: str | None
) -> Response:
    lang = language_of(request)
    if page.suffix == ".json":
        return Response(_json_bytes(page, lang), media_type=JSON_TYPE)
    if page.suffix == ".csv":
        filename = f"{page.level}-{page.code or 'nation'}-{page.year}.csv"
        return Response(
            _csv_bytes(page, lang, table),
            media_type=CSV_TYPE,
            headers={"content-disposition": f'attachment; filename="{filename}"'},
        )
    # The link to a successor depends on whether the caller may read it.
    successor = successor_href(page, lang, principal)
    key = (
        "content_html",
        page.level,
        page.code,
        lang,
        link_key(principal),
        page.divisions,
        successor,
    )
    title, content = page.result.memo(
        key, lambda: _content_html(page, lang, principal, successor)
    )
    from junheng.web.rectification import county_actions

    actions = county_actions(principal, page.level, page.code, page.year)
    return _page(request, principal, lang, title, content, actions)


def _page(
    request: Request,
    principal: Principal | None,
    lang: Language,
    title: str,
    content: bytes,
    actions: dict[str, Any] | None,
) -> Response:
    """Return the page ``render`` would give for ``dash/view.html``.

    The frame around the main part is rendered once per caller, URL, title
    and rectification form, with marks where the main part and the CSRF
    token go. Each request fills in the cached main part and its token.
    """
    token = csrf_token(request)
    scope = request.scope
    caller = None if principal is None else (principal.role, principal.username)
    form = None if actions is None else (actions["year"], actions["code"])
    where = (scope.get("root_path", ""), scope["path"], scope["query_string"])
    frame_key = (lang, where, caller, title, form)
    frames = app_object(request, "page_frames", PageFrames)
    frame = frames.get(frame_key)
    if frame is None:
        context = {
            "page_title": title,
            "content_html": CONTENT_MARK,
            "rectify": actions,
            "csrf_token": TOKEN_MARK,
        }
        frame = PageFrame(bytes(render(request, "dash/view.html", context).body))
        frames.put(frame_key, frame)
    response = HTMLResponse(frame.fill(content, token))
    remember_language(request, response, lang)
    return response


def _content_html(
    page: PageRequest,
    lang: str,
    principal: Principal | None,
    successor: str | None = None,
) -> tuple[str, bytes]:
    """Return the title and the rendered main part of a page (UTF-8).

    Everything but the page header is the same for every caller who gets the
    same :func:`link_key`, so it is rendered once per cache entry and only the
    header (caller name, language links) is rendered per request.
    """
    view = build_view(page, lang)
    tables_html = Markup(
        templates.env.get_template("dash/tables.html").render(
            tables_context(view, lang, principal)
        )
    )
    years = page.source.years(page.audience)
    context = page_context(view, lang, years, tables_html)
    retired = _retired(page)
    context.update(
        t=translator("en" if lang == "en" else "zh"),
        division=retired,
        division_changes=retired_changes(retired),
        successor_href=successor,
    )
    content = templates.env.get_template("dash/content.html").render(context)
    title = f"{view['name']} · {view['year']} · {dash_text('title', lang)}"
    return title, content.encode("utf-8")


# ------------------------------------------------------------------ routes


@contextmanager
def _caller(request: Request) -> Iterator[tuple[Session, Principal | None]]:
    """Yield a store session and the caller of ``request``.

    The routes open these themselves instead of declaring them as
    dependencies, because FastAPI runs each sync dependency in the thread pool
    and those hops were a large part of a cached page's time under load.
    """
    principal = optional_principal(request)
    with request.app.state.sessions() as session:
        yield session, principal


@router.get("/dash", include_in_schema=False)
def dash_home(request: Request) -> RedirectResponse:
    """Send the caller to the latest year at the level of their scope."""
    with _caller(request) as (session, principal):
        source = StoreSource(session, results_cache(request))
        years = source.years(audience_of(principal))
    if not years:
        raise NotFound(
            "no approved results yet; results appear once a province approves data",
            zh="尚无已审定的评估结果；省级审核通过数据后即可查看",
        )
    return RedirectResponse(_home_path(years[-1], principal), status_code=303)


def _home_path(year: int, principal: Principal | None) -> str:
    if principal is None or principal.role in (Role.PUBLIC, Role.MINISTRY):
        return f"/dash/{year}/nation"
    if principal.role == Role.SCHOOL and principal.school_code:
        return f"/dash/{year}/school/{principal.school_code}"
    if principal.role == Role.EVALUATOR and principal.assigned_counties:
        return f"/dash/{year}/county/{principal.assigned_counties[0]}"
    level = LEVEL_BY_LENGTH.get(len(principal.scope))
    if level is None:
        return f"/dash/{year}/nation"
    return f"/dash/{year}/{level}/{principal.scope}"


@router.get("/dash/{year}", include_in_schema=False)
def dash_year(year: int, request: Request) -> RedirectResponse:
    """Send the caller to ``year`` at the level of their scope."""
    principal = optional_principal(request)
    return RedirectResponse(_home_path(year, principal), status_code=303)


@router.get("/dash/{year}/{name}", include_in_schema=False)
def nation_page(
    year: int,
    name: str,
    request: Request,
    table: str | None = None,
) -> Response:
    """Return the national page, or its JSON or CSV twin."""
    if _split_suffix(name)[0] != "nation":
        raise _not_found("page", name, year)
    with _caller(request) as (session, principal):
        suffix = name[len("nation") :]
        page = _resolve(request, session, principal, year, "nation", suffix)
        return _respond(request, page, principal, table)


@router.get("/dash/{year}/{level}/{name}", include_in_schema=False)
def division_page(
    year: int,
    level: str,
    name: str,
    request: Request,
    table: str | None = None,
) -> Response:
    """Return a province, city, county or school page, or its JSON or CSV twin."""
    if level not in LEVELS or level == "nation":
        raise _not_found(level, name, year)
    with _caller(request) as (session, principal):
        page = _resolve(request, session, principal, year, level, name)
        if page.level == "school":
            _check_school(page, principal)
        return _respond(request, page, principal, table)


def _check_school(page: PageRequest, principal: Principal | None) -> None:
    view = build_view(page, "zh")
    check_read(principal, view["division_code"], page.code)


REPORT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}


@router.get("/dash/{year}/{level}/{code}/report.{fmt}", include_in_schema=False)
def report_download(
    year: int,
    level: str,
    code: str,
    fmt: str,
    request: Request,
) -> Response:
    """Download the Excel or HTML report of the division in view."""
    if fmt not in REPORT_TYPES or level not in ("province", "city", "county"):
        raise _not_found(level, code, year)
    with _caller(request) as (session, principal):
        page = _resolve(request, session, principal, year, level, code)  # type: ignore[arg-type]
        build_view(page, "zh")  # raises NotFound for a division without results
    lang = language_of(request)
    body = page.result.memo(
        ("report", code, fmt, lang), lambda: _report_bytes(page.result, code, fmt, lang)
    )
    filename = f"junheng-{code}-{year}-{lang}.{fmt}"
    return Response(
        body,
        media_type=REPORT_TYPES[fmt],
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


def _report_bytes(result: YearResult, prefix: str, fmt: str, lang: str) -> bytes:
    from junheng.reports import write_report

    doc = result.document(prefix, lang)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"report.{fmt}"
        with result.lock:
            write_report(doc, fmt, path, lang)  # type: ignore[arg-type]
        return path.read_bytes()


# ------------------------------------------------------------------ API


@router.get(
    "/api/v1/evaluations/{year}/{division_code}",
    responses=ERROR_RESPONSES,
    tags=["results"],
)
def api_evaluation(
    year: int,
    division_code: str,
    request: Request,
) -> Response:
    """Return the evaluation of a county (6 digits), city (4), province (2) or
    the nation (``all``): the tables of its dashboard page."""
    level: Level = "nation"
    code = ""
    if division_code != "all":
        if len(division_code) not in LEVEL_BY_LENGTH or not division_code.isdigit():
            raise _not_found("division", division_code, year)
        level = LEVEL_BY_LENGTH[len(division_code)]
        code = division_code
    with _caller(request) as (session, principal):
        page = _resolve(request, session, principal, year, level, code + ".json")
        body = _json_bytes(page, language_of(request))
    return Response(body, media_type=JSON_TYPE)


@router.get(
    "/api/v1/rollups/{year}/{prefix}", responses=ERROR_RESPONSES, tags=["results"]
)
def api_rollups(
    year: int,
    prefix: str,
    request: Request,
) -> Response:
    """Return the verdict and indicator roll-ups of every region inside
    ``prefix`` (``all`` for the whole country), with the warnings of the
    framework file in the request's language."""
    code = "" if prefix == "all" else prefix
    if code and (not code.isdigit() or len(code) not in (2, 4)):
        raise _not_found("region", prefix, year)
    with _caller(request) as (session, principal):
        check_read(principal, code)
        page = _load(request, session, principal, year, "nation", code)
        lang = language_of(request)
        body = page.result.memo(
            ("rollups", code, lang), lambda: _rollup_bytes(page, code, lang)
        )
    return Response(body, media_type=JSON_TYPE)


def _rollup_bytes(page: PageRequest, prefix: str, lang: str) -> bytes:
    import polars as pl

    from junheng.services.result_views import round_value

    rollups = page.result.evaluation.rollups
    inside = pl.col("region_code").str.starts_with(prefix) | (
        pl.lit(prefix == "") & (pl.col("level") == "nation")
    )
    verdicts = rollups.verdicts.filter(inside)
    indicators = rollups.indicators.filter(inside)
    if verdicts.is_empty():
        raise _not_found("region", prefix or "all", page.year)

    def records(frame: pl.DataFrame) -> list[dict[str, Any]]:
        return [
            {k: round_value(v, None) for k, v in row.items()}
            for row in frame.iter_rows(named=True)
        ]

    body = {
        "year": page.year,
        "prefix": prefix,
        "audience": page.audience,
        "framework": page.result.framework.id,
        "framework_warnings": framework_warnings(page.result.framework, lang),
        "verdicts": records(verdicts),
        "indicators": records(indicators),
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


__all__ = ["DASH_TEXT", "NAV_LINKS", "router"]
