"""The plan API under /api/v1: run, save, list, read, rename, compare and
delete, with the platform's JSON error shape. Runs use the real planners;
saved scenarios are synthetic (see plan_results.py). Rotation and pairing
runs with their uploads are in test_plans_uploads.py."""

from __future__ import annotations

import json

import pytest
from plan_results import adjust_result
from web.plan_site import (
    SECOND,
    approve_short_school,
    save,
    save_other_county,
)
from web.site import Site, assert_error

from junheng.web.plan_views import SIGNATURE_HEADER


def test_openapi_lists_plan_routes(site: Site) -> None:
    paths = site.client().get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/plans"]) == {"get", "post"}
    assert "post" in paths["/api/v1/plans/run"]
    assert "get" in paths["/api/v1/plans/compare"]
    assert set(paths["/api/v1/plans/{scenario_id}"]) == {"get", "patch", "delete"}
    error = paths["/api/v1/plans/{scenario_id}"]["get"]["responses"]["403"]
    assert error["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
    assert not any(p.startswith("/plans") for p in paths)


def test_list_and_read_scoped(site: Site) -> None:
    own = save(site, "中原方案")
    other = save_other_county(site)
    county = site.client()
    headers = site.token("zhongyuan")
    listed = county.get("/api/v1/plans", headers=headers).json()
    assert [s["id"] for s in listed] == [own]
    assert listed[0]["stale"] is False
    assert "result" not in listed[0]
    city = site.token("zhengzhou")
    assert {s["id"] for s in county.get("/api/v1/plans", headers=city).json()} == {
        own,
        other,
    }
    body = county.get(f"/api/v1/plans/{own}", headers=headers).json()
    assert body["name"] == "中原方案"
    assert body["result"]["summary"]["total_cost"] == 240000.0
    assert_error(
        county.get(f"/api/v1/plans/{other}", headers=headers), 403, "permission_denied"
    )
    assert_error(county.get("/api/v1/plans/999", headers=headers), 404, "not_found")
    assert_error(county.get("/api/v1/plans?kind=x", headers=headers), 422)


def test_school_public_and_anonymous(site: Site) -> None:
    own = save(site, "中原方案")
    client = site.client()
    for username in ("school_a", "citizen"):
        headers = site.token(username)
        assert_error(client.get("/api/v1/plans", headers=headers), 403)
        assert_error(client.get(f"/api/v1/plans/{own}", headers=headers), 403)
    assert_error(client.get("/api/v1/plans"), 401, "not_authenticated")


def test_compare_and_its_errors(site: Site) -> None:
    a = save(site, "甲")
    b = save(site, "乙", adjust_result(SECOND))
    other = save_other_county(site)
    client = site.client()
    headers = site.token("zhongyuan")
    body = client.get(f"/api/v1/plans/compare?a={a}&b={b}", headers=headers).json()
    headline = {item["key"]: item for item in body["summary"]}
    # A: 2 hires x 120000 = 240000; B: 2 hires at one school = 240000.
    assert headline["total_cost"]["difference"] == 0.0
    assert body["tables"][0]["name"] == "moves"
    city = site.token("zhengzhou")
    mixed = client.get(f"/api/v1/plans/compare?a={a}&b={other}", headers=city)
    assert_error(mixed, 422, "invalid_input")
    denied = client.get(f"/api/v1/plans/compare?a={a}&b={other}", headers=headers)
    assert_error(denied, 403, "permission_denied")
    assert_error(client.get("/api/v1/plans/compare?a=1", headers=headers), 422)


def test_rename_and_delete_audited(site: Site) -> None:
    a = save(site, "甲")
    save(site, "乙")
    client = site.client()
    headers = site.token("zhongyuan")
    duplicate = client.patch(f"/api/v1/plans/{a}", json={"name": "乙"}, headers=headers)
    assert_error(duplicate, 409, "conflict")
    renamed = client.patch(f"/api/v1/plans/{a}", json={"name": "丙"}, headers=headers)
    assert renamed.json()["name"] == "丙"
    evaluator = site.token("evaluator")
    assert_error(client.delete(f"/api/v1/plans/{a}", headers=evaluator), 403)
    assert client.delete(f"/api/v1/plans/{a}", headers=headers).status_code == 204
    assert_error(client.get(f"/api/v1/plans/{a}", headers=headers), 404)
    from sqlalchemy import select

    from junheng.store.models import AuditRecord

    with site.database.sessions() as session:
        actions = session.scalars(
            select(AuditRecord.action)
            .where(AuditRecord.entity == "plan_scenario")
            .order_by(AuditRecord.seq)
        ).all()
    assert actions == ["plan.save", "plan.save", "plan.rename", "plan.delete"]


def test_run_then_save(site: Site) -> None:
    approve_short_school(site)
    client = site.client()
    headers = site.token("zhongyuan")
    fields = {
        "kind": "adjust",
        "division_code": "410102",
        "year": "2024",
        "params": json.dumps({"hire_yuan": 90000}),
    }
    ran = client.post("/api/v1/plans/run", data=fields, headers=headers)
    assert ran.status_code == 200, ran.text
    result = ran.json()
    assert result["kind"] == "adjust"
    # The real planner: 3 hires at 90,000 yuan (see test_plans_real_planner).
    assert result["summary"]["total_cost"] == 270000.0
    signature = ran.headers[SIGNATURE_HEADER]
    body = {"name": "API 方案", "result": result, "signature": signature}
    saved = client.post("/api/v1/plans", json=body, headers=headers)
    assert saved.status_code == 201, saved.text
    assert saved.json()["result"] == result
    assert_error(client.post("/api/v1/plans", json=body, headers=headers), 409)
    forged = dict(body, name="改过", result={**result, "feasible": False})
    assert_error(client.post("/api/v1/plans", json=forged, headers=headers), 422)
    # Another user cannot save a result signed for this one.
    city = site.token("zhengzhou")
    stolen = dict(body, name="市里")
    assert_error(client.post("/api/v1/plans", json=stolen, headers=city), 422)


def test_run_errors(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    client = site.client()
    headers = site.token("zhongyuan")
    base = {"kind": "adjust", "division_code": "410102", "year": "2024"}
    run = "/api/v1/plans/run"
    assert_error(client.post(run, data=base, headers=headers), 404, "not_found")
    bad_params = client.post(run, data={**base, "params": "[1]"}, headers=headers)
    assert_error(bad_params, 422, "invalid_input")
    unknown = client.post(run, data={**base, "params": '{"speed": 1}'}, headers=headers)
    assert_error(unknown, 422, "invalid_input")
    assert "speed" in unknown.json()["error"]["message"]
    assert_error(client.post(run, data={**base, "kind": "x"}, headers=headers), 422)
    other = client.post(run, data={**base, "division_code": "410105"}, headers=headers)
    assert_error(other, 403, "permission_denied")
    from junheng.services import plans

    absent = plans.Planner("junheng.planning.not_installed", "plan", "Options", "o")
    monkeypatch.setitem(plans.PLANNERS, "pairing", absent)
    missing = client.post(run, data={**base, "kind": "pairing"}, headers=headers)
    assert_error(missing, 501, "planner_unavailable")


def test_cookie_session_needs_csrf(site: Site) -> None:
    a = save(site, "甲")
    client = site.client("zhongyuan")
    assert_error(client.delete(f"/api/v1/plans/{a}"), 403, "csrf_failed")
