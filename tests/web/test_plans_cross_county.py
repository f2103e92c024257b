"""School pairing of a city or province across its counties on the platform:
``POST /api/v1/plans/run`` and the ``/plans/new`` form on SQLite and
PostgreSQL, who may run it, and the same result as `junheng plan pair
--cross-county` on the same data. Schools and locations are made up.

The data: in 中原区 (410102) school A meets every threshold and school D has
15 teachers above the required degree for 500 pupils (L1 15 × 100 / 500 =
3.0 < 4.2); in 金水区 (410105) school B is weak in the same way. Only 中原区
has a strong school, so 金水区's B can be paired only across counties. A is
at 30° N 110° E, D 12.5 km north of it and B 5 km south.

Pair costs (see junheng.planning.pairing): on the one indicator the weak
school is below, A's ratio is 5.0 / 4.2 and the weak school's 3.0 / 4.2, so
the benefit is 2 / 4.2 = 0.476190…; the distance weight is 0.02 per km:

- A–D: −2 / 4.2 + 0.02 × 12.5 = −0.476190 + 0.25 = −0.226190;
- A–B: −2 / 4.2 + 0.02 × 5 = −0.476190 + 0.10 = −0.376190;
- both (A takes 2 partners by default): −4 / 4.2 + 0.35 = −0.602381.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from httpx2 import Response
from store.dbfixtures import Database
from web.plan_site import (
    CROSS_COUNTY_PAIRS,
    JINSHUI,
    SCHOOL_D,
    ZHONGYUAN,
    approve_two_counties,
    three_locations_csv,
)
from web.site import (
    SCHOOL_A,
    SCHOOL_B,
    YEAR,
    Site,
    assert_error,
    csrf_token,
    login,
    make_app,
    school_row,
)

from junheng.cli import main
from junheng.web.demo_site import DEMO_PASSWORD, build_demo, write_demo_locations

RUN = "/api/v1/plans/run"
COST_AD = -2 / 4.2 + 0.02 * 12.5
COST_AB = -2 / 4.2 + 0.02 * 5
BOTH = -4 / 4.2 + 0.35


def _files() -> dict[str, tuple[str, bytes, str]]:
    return {"locations": ("位置.csv", three_locations_csv().encode(), "text/csv")}


def _run(
    site: Site,
    username: str,
    division: str,
    cross: bool = True,
    lang: str = "zh",
) -> Response:
    params = {"cross_county": True} if cross else {}
    return site.client().post(
        f"{RUN}?lang={lang}",
        data={
            "kind": "pairing",
            "division_code": division,
            "year": str(YEAR),
            "params": json.dumps(params),
        },
        files=_files(),
        headers=site.token(username),
    )


def _rows(result: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return {t["name"]: t for t in result["tables"]}[name]["rows"]


def _pairs(result: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (
            p["strong_code"],
            p["strong_division"],
            p["weak_code"],
            p["weak_division"],
            round(p["distance_km"], 6),
        )
        for p in _rows(result, "pairs")
    ]


# ------------------------------------------------------------------ API


@pytest.mark.parametrize(
    ("username", "division"), [("zhengzhou", "4101"), ("henan", "41"), ("moe", "41")]
)
def test_api_pairs_across_counties(site: Site, username: str, division: str) -> None:
    approve_two_counties(site)
    ran = _run(site, username, division)
    assert ran.status_code == 200, ran.text
    result = ran.json()
    assert result["division_code"] == division
    assert result["parameters"]["options"]["cross_county"] is True
    assert _pairs(result) == CROSS_COUNTY_PAIRS
    assert _rows(result, "unpaired") == []
    [community] = _rows(result, "communities")
    assert community["partner_codes"] == f"{SCHOOL_B}, {SCHOOL_D}"
    summary = result["summary"]
    assert summary["total_pair_cost"] == pytest.approx(BOTH, abs=1e-6)
    assert summary["total_distance_km"] == pytest.approx(17.5, abs=1e-3)

    # The result saves as a scenario of the city or province.
    saved = site.client().post(
        "/api/v1/plans",
        json={
            "name": "跨县结对",
            "result": result,
            "signature": ran.headers["X-Plan-Signature"],
        },
        headers=site.token(username),
    )
    assert saved.status_code == 201, saved.text
    assert saved.json()["division_code"] == division


def test_api_city_pairs_within_counties(site: Site) -> None:
    approve_two_counties(site)
    ran = _run(site, "zhengzhou", "4101", cross=False)
    assert ran.status_code == 200, ran.text
    result = ran.json()
    assert _pairs(result) == [(SCHOOL_A, ZHONGYUAN, SCHOOL_D, ZHONGYUAN, 12.5)]
    [unpaired] = _rows(result, "unpaired")
    assert (unpaired["school_code"], unpaired["division_code"]) == (SCHOOL_B, JINSHUI)
    assert unpaired["reason_en"] == "no strong school of the section in reach"
    assert result["summary"]["total_pair_cost"] == pytest.approx(COST_AD, abs=1e-6)


@pytest.mark.parametrize(
    ("username", "division", "cross"),
    [
        ("zhongyuan", "4101", True),  # a county user naming its city
        ("zhongyuan", "4101", False),
        ("zhongyuan", ZHONGYUAN, True),  # its own county, across counties
        ("zhongyuan", "41", True),
    ],
)
def test_county_user_rejected_across_counties(
    site: Site, username: str, division: str, cross: bool
) -> None:
    approve_two_counties(site)
    for lang, words in (
        ("en", "may not plan across counties"),
        ("zh", "无权编制跨县规划"),
    ):
        ran = _run(site, username, division, cross, lang)
        assert_error(ran, 403, "permission_denied")
        message = ran.json()["error"]["message"]
        assert words in message
        assert division in message


@pytest.mark.parametrize("division", ["4102", "41", "42", "420106"])
def test_city_user_outside_city_rejected(site: Site, division: str) -> None:
    approve_two_counties(site)
    ran = _run(site, "zhengzhou", division, lang="en")
    assert_error(ran, 403, "permission_denied")
    assert f"plans of {division}" in ran.json()["error"]["message"]
    ran = _run(site, "zhengzhou", division, lang="zh")
    assert f"{division} 的规划方案" in ran.json()["error"]["message"]


def test_other_kinds_stay_per_county(site: Site) -> None:
    approve_two_counties(site)
    ran = site.client().post(
        f"{RUN}?lang=en",
        data={"kind": "adjust", "division_code": "4101", "year": str(YEAR)},
        headers=site.token("zhengzhou"),
    )
    assert_error(ran, 422, "invalid_input")
    assert "is not a county code" in ran.json()["error"]["message"]


# ------------------------------------------------------------------ form


def test_form_offers_region_and_switch_to_city_users(site: Site) -> None:
    approve_two_counties(site)
    city = site.client("zhengzhou").get("/plans/new?kind=pairing")
    assert city.status_code == 200
    assert 'name="division" value="4101"' in city.text
    assert '<option value="4101">郑州市</option>' in city.text
    assert 'id="cross-county"' in city.text
    assert "100 个县、5,200 所学校约需 30 秒" in city.text
    county = site.client("zhongyuan").get("/plans/new?kind=pairing")
    assert 'name="division" value="410102"' in county.text
    assert "cross_county" not in county.text
    assert 'id="plan-regions"' not in county.text


def _form_run(
    site: Site, username: str, division: str, cross: bool, lang: str = "zh"
) -> Response:
    client = site.client(username)
    fields = {
        "csrf_token": csrf_token(client, "/plans/new?kind=pairing"),
        "kind": "pairing",
        "division": division,
        "year": str(YEAR),
        **({"p_cross_county": "true"} if cross else {}),
    }
    return client.post(f"/plans/new?lang={lang}", data=fields, files=_files())


def test_form_runs_across_counties(site: Site) -> None:
    approve_two_counties(site)
    ran = _form_run(site, "zhengzhou", "4101", cross=True)
    assert ran.status_code == 200, ran.text
    rows = ran.text.split('id="table-pairs"')[1].split("</table>")[0]
    # Each pair names the counties of both schools and the distance.
    assert rows.count("<tr>") == 3  # header and two pairs
    assert f"<td>{JINSHUI}</td>" in rows
    assert f"<td>{ZHONGYUAN}</td>" in rows
    assert '<td class="num">5.0</td>' in rows
    assert '<td class="num">12.5</td>' in rows
    assert 'id="save-form"' in ran.text
    assert (
        '<th scope="row">地市或省（行政区划代码）</th><td id="plan-division">4101</td>'
        in (ran.text)
    )
    # The switch stays on when the form is shown again with the result.
    assert 'id="cross-county" checked' in ran.text


def test_form_rejects_county_user(site: Site) -> None:
    approve_two_counties(site)
    ran = _form_run(site, "zhongyuan", ZHONGYUAN, cross=True, lang="en")
    assert ran.status_code == 403
    assert 'id="plan-error"' in ran.text
    assert "may not plan across counties" in ran.text
    ran = _form_run(site, "zhengzhou", "4102", cross=True)
    assert ran.status_code == 403
    assert "无权编制或修改 4102 的规划方案" in ran.text


# ------------------------------------------------------------------ CLI


def test_platform_result_equals_command_line(site: Site, tmp_path: Path) -> None:
    approve_two_counties(site)
    ran = _run(site, "zhengzhou", "4101")
    assert ran.status_code == 200, ran.text
    web = ran.json()

    rows = [
        school_row(SCHOOL_A),
        school_row(SCHOOL_D, primary_teachers_above_required_degree=15),
        school_row(SCHOOL_B, primary_teachers_above_required_degree=15),
    ]
    schools = tmp_path / "schools.csv"
    pl.DataFrame(rows).write_csv(schools)
    places = tmp_path / "places.csv"
    places.write_text(three_locations_csv(), encoding="utf-8")
    output = tmp_path / "pairs.json"
    args = ["plan", "pair", str(schools), "--division", "4101", "--cross-county"]
    args += ["--locations", str(places), "--format", "json", "-o", str(output)]
    cli = CliRunner().invoke(main, args)
    assert cli.exit_code == 0, cli.output
    command_line = json.loads(output.read_text(encoding="utf-8"))

    assert _pairs(web) == _pairs(command_line) == CROSS_COUNTY_PAIRS
    assert (
        web["summary"]["total_pair_cost"] == command_line["summary"]["total_pair_cost"]
    )
    assert web["summary"]["total_pair_cost"] == pytest.approx(BOTH, abs=1e-6)
    assert web["tables"] == command_line["tables"]
    assert web["summary"] == command_line["summary"]


# ------------------------------------------------------------------ demo


def test_demo_city_pairs_zhongyuan(database: Database, tmp_path: Path) -> None:
    # The walk-through of docs/planning.md on the SYNTHETIC demo data: 中原区
    # has no strong school section, so only pairing across 郑州市 pairs it.
    with database.sessions() as session:
        build_demo(session)
        session.commit()
    client = TestClient(make_app(database))
    login(client, "demo-city", DEMO_PASSWORD)
    locations = write_demo_locations(tmp_path).read_bytes()
    weak_of_zhongyuan = []
    for cross in (False, True):
        fields = {
            "csrf_token": csrf_token(client, "/plans/new?kind=pairing"),
            "kind": "pairing",
            "division": "4101",
            "year": str(YEAR),
            **({"p_cross_county": "true"} if cross else {}),
        }
        files = {"locations": ("demo-locations.csv", locations, "text/csv")}
        ran = client.post("/plans/new", data=fields, files=files)
        assert ran.status_code == 200, ran.text
        rows = ran.text.split('id="table-pairs"')[1].split("</table>")[0]
        weak_of_zhongyuan.append(rows.count(f"<td>{ZHONGYUAN}</td>"))
    assert weak_of_zhongyuan[0] == 0
    assert weak_of_zhongyuan[1] > 0


# ------------------------------------------------------------------ size limit


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_api_city_over_limit_rejected(site: Site, lang: str) -> None:
    # 郑州市 has three approved schools (A, D, B), one more than the limit.
    approve_two_counties(site)
    site.app = make_app(site.database, pairing_max_schools=2)
    response = _run(site, "zhengzhou", "4101", lang=lang)
    assert_error(response, 422, "invalid_input")
    message = response.json()["error"]["message"]
    command = "junheng plan pair SCHOOL_FILES --division 4101 --cross-county"
    expected = (
        f"4101 在 {YEAR} 年有 3 所学校的已审定数据，超过网页结对方案的上限 2 所"
        if lang == "zh"
        else f"division 4101 has approved data of 3 schools for {YEAR}, more than "
        "the 2 that a pairing plan on the web may cover"
    )
    assert message.startswith(expected)
    assert message.endswith(command)


def test_api_city_at_limit_runs(site: Site) -> None:
    approve_two_counties(site)
    site.app = make_app(site.database, pairing_max_schools=3)
    response = _run(site, "zhengzhou", "4101")
    assert response.status_code == 200, response.text
    assert _pairs(response.json())


def test_form_over_limit_names_command(site: Site) -> None:
    approve_two_counties(site)
    site.app = make_app(site.database, pairing_max_schools=2)
    client = site.client("henan")
    fields = {
        "csrf_token": csrf_token(client, "/plans/new?kind=pairing"),
        "kind": "pairing",
        "division": "41",
        "year": str(YEAR),
    }
    ran = client.post("/plans/new?lang=en", data=fields)
    assert ran.status_code == 422, ran.text
    assert 'id="plan-error"' in ran.text
    assert "junheng plan pair SCHOOL_FILES --division 41" in ran.text
