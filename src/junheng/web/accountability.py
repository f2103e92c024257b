"""The accountability page ``/accountability`` and its JSON and CSV twins.

The page is a list of sections, each built by a provider in
:data:`SECTION_PROVIDERS`: rectification tasks, public feedback and
satisfaction surveys, one row per child division. A provider takes
``(request, session, principal, prefix, year)`` and returns a
:class:`Section`: one table (columns with ``key``, ``zh`` and ``en``, and rows
keyed by column) and its charts in the form ``static/dash/dash.js`` draws.

``/accountability.json`` returns every section's table and chart, and
``/accountability.csv?table=ID`` one section's table, following the
dashboards' twin rules (UTF-8 with a byte order mark, text that a spreadsheet
would run as a formula prefixed with an apostrophe).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from junheng.errors import NotFound
from junheng.participation.feedback import beijing_date
from junheng.services import feedback as feedback_service
from junheng.services import rectification as service
from junheng.services import surveys as surveys_service
from junheng.services.access import ADMINISTRATIONS, Principal, Role
from junheng.store.models import utcnow
from junheng.web.auth import CurrentPrincipal, DbSession
from junheng.web.dashboards import CSV_TYPE, JSON_TYPE, table_csv
from junheng.web.errors import ERROR_RESPONSES
from junheng.web.i18n import translate
from junheng.web.pages.render import render
from junheng.web.params import FIRST_YEAR, LAST_YEAR
from junheng.web.rectification import sync_if_stale

router = APIRouter()


@dataclass
class Section:
    """One section of the accountability page."""

    id: str
    title: dict[str, str]
    table: dict[str, Any]
    charts: list[dict[str, Any]] = field(default_factory=list)


SectionProvider = Callable[[Request, Session, Principal, str, int | None], Section]


def _column(key: str, lang_key: str) -> dict[str, Any]:
    return {
        "key": key,
        "zh": translate(lang_key, "zh"),
        "en": translate(lang_key, "en"),
    }


def _chart(section: str, series: list[str], title_key: str) -> dict[str, Any]:
    return {
        "id": section,
        "kind": "bars",
        "table": section,
        "filter": {},
        "x": "code",
        "series": series,
        "limit": None,
        "title": _title(title_key),
    }


def _title(key: str) -> dict[str, str]:
    return {"zh": translate(key, "zh"), "en": translate(key, "en")}


def rectification_section(
    request: Request,
    session: Session,
    principal: Principal,
    prefix: str,
    year: int | None,
) -> Section:
    """Return the rectification section: task counts per child division."""
    sync_if_stale(request)
    rows = service.accountability(session, principal, prefix, year)
    table = {
        "columns": [
            _column("rank", "account.rank"),
            _column("code", "account.code"),
            _column("name", "account.name"),
            _column("total", "account.total"),
            _column("open", "account.open"),
            _column("done", "account.done"),
            _column("overdue", "account.overdue"),
            _column("closed_by_data", "account.closed_by_data"),
            _column("share_closed_by_data", "account.share"),
        ],
        "rows": [
            {
                "rank": rank,
                "code": r.code,
                "name": r.name,
                "total": r.total,
                "open": r.open,
                "done": r.done,
                "overdue": r.overdue,
                "closed_by_data": r.closed_by_data,
                "share_closed_by_data": None
                if r.share_closed_by_data is None
                else round(r.share_closed_by_data * 100, 1),
            }
            for rank, r in enumerate(rows, start=1)
        ],
    }
    return Section(
        id="rectification",
        title=_title("account.rectification"),
        table=table,
        charts=[_chart("rectification", ["open", "done", "overdue"], "account.chart")],
    )


def _ranked(rows: list[dict[str, Any]], keys: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "rank": rank,
            "code": row["division_code"],
            "name": row["division_name"],
            **{key: row[key] for key in keys},
        }
        for rank, row in enumerate(rows, start=1)
    ]


FEEDBACK_COLUMNS = [
    "received",
    "answered",
    "answered_on_time",
    "overdue",
    "open_not_due",
    "on_time_share",
    "rated",
    "mean_rating",
]
"""Columns of the feedback section after rank, code and name. Only counts:
no field of a feedback item's sender reaches the section."""


def feedback_section(
    request: Request,
    session: Session,
    principal: Principal,
    prefix: str,
    year: int | None,
) -> Section:
    """Return the feedback section: feedback received and answered per child
    division in ``year`` (the current year in Beijing when not given).

    Evaluators do not handle feedback, so their section has no rows.
    """
    if principal.role in ADMINISTRATIONS:
        # NOTE: feedback is counted per calendar year, so without ``year`` this
        # section shows the current year while the others count every year.
        when = year or beijing_date(utcnow()).year
        found = feedback_service.feedback_accountability(
            session, principal, prefix, when
        )
    else:
        found = []
    table = {
        "columns": [
            _column("rank", "account.rank"),
            _column("code", "account.code"),
            _column("name", "account.name"),
            *(_column(key, f"account.feedback.{key}") for key in FEEDBACK_COLUMNS),
        ],
        "rows": _ranked(found, FEEDBACK_COLUMNS),
    }
    return Section(
        id="feedback",
        title=_title("account.feedback"),
        table=table,
        charts=[
            _chart(
                "feedback",
                ["answered_on_time", "overdue", "open_not_due"],
                "account.feedback.chart",
            )
        ],
    )


SURVEY_COLUMNS = list(surveys_service.SURVEY_ACCOUNTABILITY_KEYS[2:])
"""Columns of the survey section after rank, code and name."""


def survey_section(
    request: Request,
    session: Session,
    principal: Principal,
    prefix: str,
    year: int | None,
) -> Section:
    """Return the survey section: rounds, answers against the design and the
    satisfaction rate per child division. ``passed`` stays a boolean (``None``
    without a valid answer); the page shows it as 达标 or 未达标."""
    found = surveys_service.survey_accountability(
        session,
        principal,
        prefix,
        year,
        request.app.state.settings.survey_min_answers,
    )
    rows = _ranked(found, SURVEY_COLUMNS)
    table = {
        "columns": [
            _column("rank", "account.rank"),
            _column("code", "account.code"),
            _column("name", "account.name"),
            *(_column(key, f"account.survey.{key}") for key in SURVEY_COLUMNS),
        ],
        "rows": rows,
    }
    return Section(
        id="surveys",
        title=_title("account.survey"),
        table=table,
        charts=[
            _chart("surveys", ["design_total", "answered"], "account.survey.chart"),
            _chart("surveys", ["satisfaction"], "account.survey.rate_chart")
            | {"id": "surveys-rate"},
        ],
    )


SECTION_PROVIDERS: list[SectionProvider] = [
    rectification_section,
    feedback_section,
    survey_section,
]
"""Providers of the page's sections, in page order."""


def _default_prefix(principal: Principal) -> str:
    if principal.role == Role.EVALUATOR:
        return ""
    return principal.scope


def _sections(
    request: Request,
    session: Session,
    principal: Principal,
    prefix: str,
    year: int | None,
) -> list[Section]:
    return [
        provide(request, session, principal, prefix, year)
        for provide in SECTION_PROVIDERS
    ]


def _twin(chosen: Chosen) -> dict[str, Any]:
    return {
        "prefix": chosen.prefix,
        "year": chosen.year,
        "tables": {s.id: s.table for s in chosen.sections},
        "charts": [c for s in chosen.sections for c in s.charts],
        "map": None,
    }


PrefixQuery = Annotated[str | None, Query(pattern=r"^([0-9]{2}|[0-9]{4}|[0-9]{6})?$")]
YearQuery = Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR)]


@dataclass
class Chosen:
    """The region and year of a request, and its sections."""

    prefix: str
    year: int | None
    sections: list[Section]


def chosen_sections(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    prefix: PrefixQuery = None,
    year: YearQuery = None,
) -> Chosen:
    """Build the sections of the requested region (the caller's scope by
    default) and year."""
    region = _default_prefix(principal) if prefix is None else prefix
    return Chosen(region, year, _sections(request, session, principal, region, year))


ChosenQuery = Annotated[Chosen, Depends(chosen_sections)]


@router.get("/accountability", include_in_schema=False)
def accountability_page(request: Request, chosen: ChosenQuery) -> Response:
    """Show the accountability sections of a region inside the caller's scope."""
    query = f"prefix={chosen.prefix}" + (f"&year={chosen.year}" if chosen.year else "")
    chart_index = 0
    charted = []
    for section in chosen.sections:
        numbered = []
        for chart in section.charts:
            numbered.append((chart_index, chart))
            chart_index += 1
        charted.append((section, numbered))
    return render(
        request,
        "accountability.html",
        {
            "sections": charted,
            "prefix": chosen.prefix,
            "year": chosen.year,
            "query": query,
        },
    )


@router.get("/accountability.json", include_in_schema=False)
def accountability_json(chosen: ChosenQuery) -> Response:
    """Return every section's table and charts as JSON."""
    body = json.dumps(_twin(chosen), ensure_ascii=False, separators=(",", ":"))
    return Response(body.encode(), media_type=JSON_TYPE)


@router.get("/accountability.csv", include_in_schema=False)
def accountability_csv(chosen: ChosenQuery, table: str = "rectification") -> Response:
    """Return one section's table as CSV."""
    sections = {s.id: s for s in chosen.sections}
    if table not in sections:
        known = ", ".join(sections)
        raise NotFound(
            f"the accountability page has no table {table!r}; use one of: {known}",
            zh=f"问责页面没有名为 {table} 的表格，可用：{known}",
        )
    filename = f"accountability-{table}-{chosen.prefix or 'nation'}.csv"
    return Response(
        table_csv(sections[table].table),
        media_type=CSV_TYPE,
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/api/v1/accountability", tags=["rectification"], responses=ERROR_RESPONSES)
def api_accountability(chosen: ChosenQuery) -> dict[str, Any]:
    """Return the accountability tables of a region: the same as
    ``/accountability.json``."""
    return _twin(chosen)
