"""The plan walk-through of the demo platform (``junheng serve --demo``) with
the real planners and their defaults, on SQLite and PostgreSQL.

The demo data are SYNTHETIC (see junheng.web.demo_site). 金水区 (410105) has a
least-cost plan under the default limits; 中原区 (410102), the demo county
user's own, has none and is the example of the explanation. The schools of
金水区 pair with the synthetic locations file that the demo writes.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import polars as pl
from fastapi.testclient import TestClient
from store.dbfixtures import Database
from web.site import csrf_token, login, make_app

from junheng.planning.costs import AdjustCosts
from junheng.planning.roster import read_locations
from junheng.services.records import approved_frame
from junheng.web.demo_site import DEMO_PASSWORD, build_demo, write_demo_locations

YEAR = 2024
TIGHT_SCHOOL = "2141002149"
"""合成小学0004 of 中原区, the school that needs the most floor area to reach
the floor of its L4 threshold."""


def _run(client: TestClient, county: str) -> str:
    token = csrf_token(client, "/plans/new?kind=adjust")
    fields = {
        "csrf_token": token,
        "kind": "adjust",
        "division": county,
        "year": str(YEAR),
    }
    ran = client.post("/plans/new?lang=en", data=fields)
    assert ran.status_code == 200, ran.text
    return html.unescape(ran.text)


def test_demo_plans_walk_through(database: Database, tmp_path: Path) -> None:
    with database.sessions() as session:
        build_demo(session)
        session.commit()
    app = make_app(database)

    jinshui = TestClient(app)
    login(jinshui, "demo-county-410105", DEMO_PASSWORD)
    page = _run(jinshui, "410105")
    assert 'id="plan-feasible"' in page
    assert "The evaluation core confirms that the adjusted county passes" in page
    assert 'id="table-actions"' in page

    zhongyuan = TestClient(app)
    login(zhongyuan, "demo-county", DEMO_PASSWORD)
    page = _run(zhongyuan, "410102")
    assert "No plan meets part 1 (resource allocation) under the limits" in page
    # The binding limit, worked out from the approved row of the school: its
    # floor area per student with the default 2,000 m² built on top, against
    # the floor 0.85 × 4.5 = 3.825 m² of the primary threshold.
    with database.sessions() as session:
        school = approved_frame(session, YEAR, "410102").filter(
            pl.col("school_code") == TIGHT_SCHOOL
        )
    cap = AdjustCosts().max_floor_area_m2_per_school
    assert cap == 2000
    best = (school["teaching_aux_area_m2"][0] + cap) / school["primary_students"][0]
    expected = (
        f"({TIGHT_SCHOOL}, primary): L4 can reach at most {best:.4g} within the "
        f"limits, below 85% of the threshold (3.825); limits: "
        "max_floor_area_m2_per_school=2000.0"
    )
    assert expected in page
    assert re.search(r'id="table-actions"', page) is None

    # Pairing with the demo's locations file: every pair has a distance.
    path = write_demo_locations(tmp_path)
    located = read_locations(path)
    with database.sessions() as session:
        schools = approved_frame(session, YEAR, "410105")
    assert set(schools["school_code"]) <= set(located["school_code"])
    token = csrf_token(jinshui, "/plans/new?kind=pairing")
    fields = {
        "csrf_token": token,
        "kind": "pairing",
        "division": "410105",
        "year": str(YEAR),
    }
    files = {"locations": (path.name, path.read_bytes(), "text/csv")}
    ran = jinshui.post("/plans/new?lang=en", data=fields, files=files)
    assert ran.status_code == 200, ran.text
    assert 'id="table-pairs"' in ran.text
    assert 'id="plan-synthetic"' in ran.text
    assert "SYNTHETIC DATA: the uploaded file demo-locations.csv" in ran.text
    assert "km apart" in ran.text
    assert "distance unknown" not in ran.text
