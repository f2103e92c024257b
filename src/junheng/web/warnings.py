"""Early warnings in the web app: the page of one's open warnings, and the
short list on the home page.

Both read :func:`junheng.services.warnings.open_warnings`, so a user sees
exactly the warnings of the divisions in scope.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from junheng.services import warnings as service
from junheng.services.access import Principal
from junheng.web.auth import CurrentPrincipal
from junheng.web.pages.render import language_of, render

router = APIRouter(include_in_schema=False)

HOME_LIMIT = 5
"""Warnings listed on the home page; the rest are on /warnings."""


def warning_rows(
    request: Request, principal: Principal, limit: int | None = None
) -> tuple[list[dict[str, Any]], int]:
    """Return the caller's open warnings as template rows (at most ``limit``)
    and how many there are in all."""
    lang = language_of(request)
    with request.app.state.sessions() as session:
        found = service.open_warnings(session, principal)
    rows = [
        {
            "level": w.level,
            "rule": w.rule,
            "division_code": w.division_code,
            "school_code": w.school_code or "",
            "responsible_code": w.responsible_code,
            "deadline": w.deadline.isoformat(),
            "escalations": w.escalations,
            "explanation": w.explanation_zh if lang == "zh" else w.explanation_en,
        }
        for w in found[:limit]
    ]
    return rows, len(found)


@router.get("/warnings")
def warnings_page(request: Request, principal: CurrentPrincipal) -> Response:
    """List every open warning the caller may see, most severe first."""
    rows, total = warning_rows(request, principal)
    return render(request, "warnings.html", {"warnings": rows, "total": total})
