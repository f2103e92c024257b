"""The FastAPI application factory.

:func:`create_app` wires the store, the middleware (security headers, session
cookie, request size limit), the one error path, the pages, the ``/api/v1``
routes and, when :mod:`junheng.web.dashboards` is installed, its router. That
module may also define ``NAV_LINKS``, a sequence of ``(href, 中文, English)``
tuples that the page header and the home page link to.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.middleware.sessions import SessionMiddleware

from junheng import __version__
from junheng.standards.loader import load_framework
from junheng.standards.model import Framework
from junheng.store.db import database_url, make_engine, session_factory
from junheng.web.csrf import verify_csrf
from junheng.web.errors import install_error_handlers
from junheng.web.middleware import BodySizeLimit, HeadAsGet, SecurityHeaders
from junheng.web.settings import WebSettings
from junheng.web.throttle import LoginThrottle

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
SESSION_COOKIE = "junheng_session"
OPENAPI_URL = "/api/v1/openapi.json"
DASHBOARD_MODULE = "junheng.web.dashboards"


def create_app(
    settings: WebSettings | None = None, engine: Engine | None = None
) -> FastAPI:
    """Build the platform application.

    ``settings`` defaults to :class:`WebSettings` read from the environment, and
    ``engine`` to one made from ``settings.database_url``. The database must
    already be at the current schema (``junheng db upgrade``).
    """
    settings = settings or WebSettings()
    framework = platform_framework(settings.framework)
    if engine is None:
        engine = make_engine(database_url(settings.database_url))
    app = FastAPI(
        title="Junheng API",
        version=__version__,
        description="Data reporting, approval and evaluation of quality-balanced "
        "compulsory education. Authenticate with `Authorization: Bearer TOKEN`; "
        "tokens are created on the page /account/tokens.",
        openapi_url=OPENAPI_URL,
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(verify_csrf)],
    )
    app.state.settings = settings
    app.state.framework = framework
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.nav_links = []
    app.state.login_throttle = LoginThrottle()

    # Starlette runs the middleware added last first: headers wrap everything.
    app.add_middleware(BodySizeLimit, limit=settings.max_upload_bytes)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.signing_key(),
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HeadAsGet)
    install_error_handlers(app)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _include_routers(app)
    return app


def platform_framework(ref: str) -> Framework:
    """Load the framework ``ref`` that the platform evaluates against.

    A framework that cannot be loaded fails here, not on the first result
    page, and the warnings of its file are logged. The county items form,
    upload and API accept the county items of this framework.
    """
    framework = load_framework(ref)
    for warning in framework.warnings:
        log.warning("framework %s: %s", framework.id, warning.en)
    return framework


def _include_routers(app: FastAPI) -> None:
    from junheng.web.api import router as api_router
    from junheng.web.feedback import router as feedback_router
    from junheng.web.monitor import router as monitor_router
    from junheng.web.monitor_progress import router as progress_router
    from junheng.web.pages.account import router as account_router
    from junheng.web.pages.answer import router as answer_router
    from junheng.web.pages.county import router as county_router
    from junheng.web.pages.deadlines import router as deadlines_router
    from junheng.web.pages.plans import router as plans_router
    from junheng.web.pages.reporting import router as reporting_router
    from junheng.web.pages.surveys import router as surveys_router
    from junheng.web.pages.users import api_router as users_api_router
    from junheng.web.pages.users import router as users_router
    from junheng.web.warnings import router as warnings_router

    # The dashboards ship in their own module; an error inside it must surface,
    # so only a missing module is skipped. Their router comes first: Starlette
    # tries routes in order, and the dashboard pages are the ones most asked for.
    dashboards = None
    if importlib.util.find_spec(DASHBOARD_MODULE) is not None:
        dashboards = importlib.import_module(DASHBOARD_MODULE)
        app.include_router(dashboards.router)
        app.state.nav_links = list(getattr(dashboards, "NAV_LINKS", ()))
    app.include_router(account_router)
    app.include_router(users_router)
    app.include_router(users_api_router)
    app.include_router(reporting_router)
    app.include_router(county_router)
    app.include_router(deadlines_router)
    app.include_router(warnings_router)
    app.include_router(surveys_router)
    app.include_router(answer_router)
    app.include_router(feedback_router)
    app.include_router(monitor_router)
    app.include_router(progress_router)
    app.include_router(plans_router)
    app.include_router(api_router)
    if dashboards is not None:
        _include_rectification(app)


def _include_rectification(app: FastAPI) -> None:
    # Rectification reads evaluations through the dashboards' results cache,
    # so it is installed with them.
    from junheng.web.accountability import router as accountability_router
    from junheng.web.rectification import NAV_LINKS, api_router, router

    app.include_router(router)
    app.include_router(api_router)
    app.include_router(accountability_router)
    app.state.nav_links += NAV_LINKS
