"""The real least-cost planner (``junheng.planning.adjust.plan_adjustment``)
through ``run_plan``, ``POST /api/v1/plans/run`` and the ``/plans/new`` form,
on SQLite and PostgreSQL.

The county is 中原区 (410102) with one approved primary school (synthetic
test data): 500 students and 15 teachers above the required degree, every
other indicator met. Its L1 is 15 × 100 / 500 = 3.0 per 100 students, below
85% of the threshold 4.2 (0.85 × 4.2 = 3.57), so the school rule fails. The
cheapest fix is hiring h teachers with (15 + h) × 100 / 500 ≥ 3.57, that is
15 + h ≥ 17.85, so h = 3; with a hire at 90,000 yuan the plan costs
3 × 90,000 = 270,000 yuan.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from web.plan_site import approve_short_school
from web.site import SCHOOL_A, YEAR, Site, assert_error, csrf_token

from junheng.planning.adjust import plan_adjustment
from junheng.planning.costs import AdjustCosts
from junheng.services import plans
from junheng.services.records import approved_county_items, approved_frame
from junheng.standards.loader import load_framework
from junheng.web.plan_views import SIGNATURE_HEADER

HIRES = 3
HIRE_YUAN = 90_000
TOTAL = 270_000.0  # 3 hires × 90,000 yuan


def direct_plan(site: Site, costs: AdjustCosts) -> dict[str, Any]:
    """Return the planner's own result on the approved data, outside the app."""
    with site.database.sessions() as session:
        result = plan_adjustment(
            approved_frame(session, YEAR, "410102"),
            load_framework(),
            division_code="410102",
            year=YEAR,
            costs=costs,
            county_items=approved_county_items(session, YEAR, "410102"),
        )
    return result.to_dict()


def numbers(result: dict[str, Any]) -> dict[str, Any]:
    """Return the parts of a result that a rerun must reproduce (the solve
    time differs from run to run)."""
    summary = {k: v for k, v in result["summary"].items() if k != "solve_seconds"}
    return {
        "feasible": result["feasible"],
        "parameters": result["parameters"],
        "summary": summary,
        "tables": result["tables"],
    }


def test_run_plan_real(site: Site) -> None:
    approve_short_school(site)
    with site.database.sessions() as session:
        result = plans.run_plan(
            session,
            site.principals["zhongyuan"],
            "adjust",
            "410102",
            YEAR,
            {"hire_yuan": HIRE_YUAN},
        )
    assert result.feasible
    data = result.to_dict()
    assert data["summary"]["total_cost"] == TOTAL
    assert data["summary"]["cost_hire"] == TOTAL
    assert data["summary"]["core_confirms_pass"] is True
    [action] = data["tables"][0]["rows"]
    assert (action["school_code"], action["quantity"]) == (SCHOOL_A, HIRES)
    assert numbers(data) == numbers(direct_plan(site, AdjustCosts(hire_yuan=90000.0)))


def test_api_run_and_save_real(site: Site) -> None:
    approve_short_school(site)
    client = site.client()
    headers = site.token("zhongyuan")
    fields = {
        "kind": "adjust",
        "division_code": "410102",
        "year": str(YEAR),
        "params": json.dumps({"hire_yuan": HIRE_YUAN, "max_hires_per_school": 5}),
    }
    ran = client.post("/api/v1/plans/run", data=fields, headers=headers)
    assert ran.status_code == 200, ran.text
    result = ran.json()
    assert result["summary"]["total_cost"] == TOTAL
    assert result["parameters"]["max_hires_per_school"] == 5
    body = {
        "name": "新聘三人",
        "result": result,
        "signature": ran.headers[SIGNATURE_HEADER],
    }
    saved = client.post("/api/v1/plans", json=body, headers=headers)
    assert saved.status_code == 201, saved.text
    with site.database.sessions() as session:
        scenario = plans.get_scenario(
            session, site.principals["zhongyuan"], saved.json()["id"]
        )
        stored = scenario.result
    expected = direct_plan(site, AdjustCosts(hire_yuan=90000.0, max_hires_per_school=5))
    assert numbers(stored) == numbers(expected)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"hire_yuan": -1}, "hire_yuan"),
        ({"max_hires_per_school": 1.5}, "max_hires_per_school"),
        ({"transfer_yuan": "many"}, "transfer_yuan"),
        ({"time_limit_seconds": 0}, "time_limit_seconds"),
    ],
)
def test_api_bad_cost_named(site: Site, params: dict[str, Any], field: str) -> None:
    approve_short_school(site)
    client = site.client()
    fields = {
        "kind": "adjust",
        "division_code": "410102",
        "year": str(YEAR),
        "params": json.dumps(params),
    }
    response = client.post(
        "/api/v1/plans/run", data=fields, headers=site.token("zhongyuan")
    )
    assert_error(response, 422)
    assert field in response.json()["error"]["message"]


def test_form_costs_reach_planner_typed(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    approve_short_school(site)
    seen: list[dict[str, Any]] = []
    real = AdjustCosts.from_mapping.__func__  # type: ignore[attr-defined]

    def recording(cls: type[AdjustCosts], data: dict[str, Any]) -> AdjustCosts:
        seen.append(dict(data))
        costs: AdjustCosts = real(cls, data)
        return costs

    # The real conversion still runs; the wrapper only records its input.
    monkeypatch.setattr(AdjustCosts, "from_mapping", classmethod(recording))
    client = site.client("zhongyuan")
    form = client.get("/plans/new?kind=adjust")
    assert 'name="p_hire_yuan"' in form.text
    assert 'name="p_max_hires_per_school"' in form.text
    token = csrf_token(client, "/plans/new?kind=adjust")
    fields = {
        "csrf_token": token,
        "kind": "adjust",
        "division": "410102",
        "year": str(YEAR),
        "p_hire_yuan": "90000",
        "p_max_hires_per_school": "4",
        "p_max_floor_area_m2_per_school": "",
    }
    ran = client.post("/plans/new", data=fields)
    assert ran.status_code == 200, ran.text
    [given] = seen
    assert given["hire_yuan"] == 90000.0
    assert isinstance(given["hire_yuan"], float)
    assert given["max_hires_per_school"] == 4
    assert type(given["max_hires_per_school"]) is int
    # An empty field keeps the default instead of sending a value.
    assert set(given) == {"hire_yuan", "max_hires_per_school"}
    assert "270,000.00" in ran.text
    result = re.search(r'name="result" value="([^"]+)"', ran.text)
    signature = re.search(r'name="signature" value="([^"]+)"', ran.text)
    assert result is not None
    assert signature is not None
    saved = client.post(
        "/plans",
        data={
            "csrf_token": token,
            "result": html.unescape(result.group(1)),
            "signature": signature.group(1),
            "name": "表单方案",
            "note": "",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    scenario_id = int(saved.headers["location"].rstrip("/").rsplit("/", 1)[-1])
    with site.database.sessions() as session:
        stored = plans.get_scenario(
            session, site.principals["zhongyuan"], scenario_id
        ).result
    expected = direct_plan(site, AdjustCosts(hire_yuan=90000.0, max_hires_per_school=4))
    assert numbers(stored) == numbers(expected)
    assert stored["summary"]["total_cost"] == TOTAL


def test_form_bad_cost_named(site: Site) -> None:
    approve_short_school(site)
    client = site.client("zhongyuan")
    token = csrf_token(client, "/plans/new?kind=adjust")
    base = {"csrf_token": token, "kind": "adjust", "division": "410102"}
    negative = client.post(
        "/plans/new", data={**base, "year": str(YEAR), "p_hire_yuan": "-5"}
    )
    assert negative.status_code == 422
    assert "hire_yuan" in negative.text
    fraction = client.post(
        "/plans/new?lang=en",
        data={**base, "year": str(YEAR), "p_max_hires_per_school": "1.5"},
    )
    assert fraction.status_code == 422
    assert "max_hires_per_school" in fraction.text


def test_infeasible_scenario_has_empty_actions(site: Site) -> None:
    # With no hire allowed and no other school to send a teacher, nothing
    # raises L1 from 3.0 to the floor 3.57, so no plan exists.
    approve_short_school(site)
    client = site.client("zhongyuan")
    headers = site.token("zhongyuan")
    fields = {
        "kind": "adjust",
        "division_code": "410102",
        "year": str(YEAR),
        "params": json.dumps({"max_hires_per_school": 0}),
    }
    ran = client.post("/api/v1/plans/run", data=fields, headers=headers)
    assert ran.status_code == 200, ran.text
    result = ran.json()
    assert result["feasible"] is False
    assert "actions" not in [t["name"] for t in result["tables"]]
    body = {
        "name": "不新聘",
        "result": result,
        "signature": ran.headers[SIGNATURE_HEADER],
    }
    saved = client.post("/api/v1/plans", json=body, headers=headers)
    assert saved.status_code == 201, saved.text
    scenario_id = saved.json()["id"]

    csv = client.get(f"/plans/{scenario_id}.csv?table=actions")
    assert csv.status_code == 200, csv.text
    assert csv.text == (
        "\ufeffschool_code,school_name,section,action_zh,action_en,quantity,"
        "unit_zh,unit_en,counterpart,cost\n"
    )
    page = client.get(f"/plans/{scenario_id}")
    assert f'href="/plans/{scenario_id}.csv?table=actions&amp;lang=zh"' in page.text
    assert 'id="table-actions-title"' in page.text
    twin = client.get(f"/plans/{scenario_id}.json").json()
    assert twin["result"]["tables"][0]["name"] == "actions"
    assert twin["result"]["tables"][0]["rows"] == []
    workbook = client.get(f"/plans/{scenario_id}.xlsx")
    assert workbook.status_code == 200
