"""The app factory: the dashboard hook and the static files."""

from __future__ import annotations

import sys
import types
from importlib.machinery import ModuleSpec

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from web.site import Site, make_app

from junheng.web.app import DASHBOARD_MODULE


def test_dashboard_router_and_links_included(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = types.ModuleType(DASHBOARD_MODULE)
    module.__spec__ = ModuleSpec(DASHBOARD_MODULE, None)
    router = APIRouter()

    @router.get("/dash-probe")
    def probe() -> dict[str, str]:
        return {"ok": "yes"}

    module.router = router  # type: ignore[attr-defined]
    module.NAV_LINKS = [("/dash-probe", "看板", "Dashboards")]  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, DASHBOARD_MODULE, module)
    client = TestClient(make_app(site.database))
    assert client.get("/dash-probe").json() == {"ok": "yes"}
    home = client.get("/")
    assert 'href="/dash-probe"' in home.text
    assert "看板" in home.text
    assert "Dashboards" in client.get("/?lang=en").text


def test_static_files_served(site: Site) -> None:
    client = site.client()
    style = client.get("/static/style.css")
    assert style.status_code == 200
    assert style.headers["content-type"].startswith("text/css")
    assert client.get("/static/favicon.svg").status_code == 200
    assert client.get("/static/missing.css").status_code == 404
