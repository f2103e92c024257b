"""Plans that read an uploaded file, with the real planners: a rotation plan
with its teacher roster and a pairing plan with school locations, through
``POST /api/v1/plans/run`` and the ``/plans/new`` form, on SQLite and
PostgreSQL. Schools, teachers and locations are made up (see plan_site.py).
"""

from __future__ import annotations

import io
import json
from typing import Any

import polars as pl
import pytest
from httpx2 import Response
from web.plan_site import (
    DEG_PER_KM,
    SCHOOL_D,
    approve_pairing_county,
    approve_rotation_county,
    locations_csv,
    roster_csv,
)
from web.site import SCHOOL_A, YEAR, Site, assert_error, csrf_token

from junheng.planning.pairing import PairingOptions, plan_pairing
from junheng.planning.roster import read_locations
from junheng.planning.synthetic import mark
from junheng.services.records import approved_frame
from junheng.standards.loader import load_framework

RUN = "/api/v1/plans/run"


def _fields(kind: str, params: dict[str, Any] | None = None) -> dict[str, str]:
    return {
        "kind": kind,
        "division_code": "410102",
        "year": str(YEAR),
        "params": json.dumps(params or {}),
    }


def _csv(name: str, text: str) -> tuple[str, bytes, str]:
    return (name, text.encode(), "text/csv")


def _run(
    site: Site,
    kind: str,
    params: dict[str, Any] | None = None,
    files: dict[str, tuple[str, bytes, str]] | None = None,
    lang: str = "zh",
) -> Response:
    """Post a run of ``kind`` for 中原区 in :data:`YEAR` as its county user."""
    return site.client().post(
        f"{RUN}?lang={lang}",
        data=_fields(kind, params),
        files=files,
        headers=site.token("zhongyuan"),
    )


def _without_time(result: dict[str, Any]) -> dict[str, Any]:
    summary = {k: v for k, v in result["summary"].items() if k != "solve_seconds"}
    return {**result, "summary": summary}


# ------------------------------------------------------------------ rotation


def test_api_rotation_reads_real_roster(site: Site, tmp_path: Any) -> None:
    approve_rotation_county(site)
    ran = _run(site, "rotation", files={"roster": _csv("名册.csv", roster_csv())})
    assert ran.status_code == 200, ran.text
    result = ran.json()
    assert result["feasible"] is True
    summary = result["summary"]
    assert summary["teachers"] == 60
    # 10 eligible teachers per school: ceil(0.10 × 20) = 2 rotate at least and
    # floor(0.15 × 20) = 3 at most, of whom ceil(0.20 × 2) = 1 is backbone.
    assert summary["eligible"] == 20
    assert summary["min_rotated"] == 2
    assert summary["max_rotated"] == 3
    assert 2 <= summary["rotated"] <= 3
    assert summary["backbone_rotated"] >= 1
    moves = {t["name"]: t for t in result["tables"]}["moves"]["rows"]
    assert len(moves) == summary["rotated"]
    # School A has 6 backbone teachers per 500 students (L2 1.2) and school D
    # 2 (L2 0.4), so a backbone teacher of A goes to D.
    assert any(
        m["backbone"] and (m["from_code"], m["to_code"]) == (SCHOOL_A, SCHOOL_D)
        for m in moves
    )

    # The platform gives the planner's own result on the same files.
    from junheng.planning.roster import read_roster
    from junheng.planning.rotation import plan_rotation

    path = tmp_path / "名册.csv"
    path.write_text(roster_csv(), encoding="utf-8")
    with site.database.sessions() as session:
        schools = approved_frame(session, YEAR, "410102")
    direct = plan_rotation(
        read_roster(path),
        schools,
        load_framework(),
        division_code="410102",
        year=YEAR,
    )
    assert _without_time(result) == _without_time(
        json.loads(json.dumps(direct.to_dict()))
    )


def test_api_rotation_needs_roster(site: Site) -> None:
    approve_rotation_county(site)
    missing = _run(site, "rotation")
    assert_error(missing, 422, "invalid_input")
    assert "教师名册" in missing.json()["error"]["message"]


def test_api_rotation_bad_roster_listed(site: Site) -> None:
    approve_rotation_county(site)
    lines = roster_csv().splitlines()
    # Row 3 of the file: the second teacher, with a year count that is no number.
    lines[2] = lines[2].replace(",8,", ",八,")
    files = {"roster": _csv("名册.csv", "\n".join(lines) + "\n")}
    ran = _run(site, "rotation", files=files)
    assert_error(ran, 422, "invalid_input")
    [issue] = ran.json()["error"]["detail"]
    assert issue["row"] == 3
    assert issue["column"] == "years_at_school"
    assert issue["value"] == "八"


# ------------------------------------------------------------------ pairing


def _table(result: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return {t["name"]: t for t in result["tables"]}[name]["rows"]


def test_api_pairing_uses_locations(site: Site, tmp_path: Any) -> None:
    approve_pairing_county(site)
    files = {"locations": _csv("位置.csv", locations_csv())}
    ran = _run(site, "pairing", files=files)
    assert ran.status_code == 200, ran.text
    result = ran.json()
    [pair] = _table(result, "pairs")
    assert (pair["strong_code"], pair["weak_code"]) == (SCHOOL_A, SCHOOL_D)
    assert pair["distance_km"] == pytest.approx(12.5, abs=1e-6)
    assert "相距 12.5 千米" in pair["reason_zh"]
    [community] = _table(result, "communities")
    assert community["school_code"] == SCHOOL_A
    assert community["partners"] == 1
    assert community["partner_codes"] == SCHOOL_D
    assert result["summary"]["total_distance_km"] == pytest.approx(12.5, abs=1e-3)
    assert result["summary"]["located_sections"] == 2
    assert result["parameters"]["located_schools"] == 2
    assert "locations" not in result["parameters"]["options"]

    # The same as the planner given the file as the command line gives it.
    path = tmp_path / "位置.csv"
    path.write_text(locations_csv(), encoding="utf-8")
    with site.database.sessions() as session:
        schools = approved_frame(session, YEAR, "410102")
    direct = plan_pairing(
        schools,
        load_framework(),
        division_code="410102",
        year=YEAR,
        options=PairingOptions(),
        locations=read_locations(path),
    )
    assert result == json.loads(json.dumps(direct.to_dict()))


def test_api_pairing_distance_bound(site: Site) -> None:
    approve_pairing_county(site)
    files = {"locations": _csv("位置.csv", locations_csv())}
    ran = _run(site, "pairing", {"max_distance_km": 10}, files)
    assert ran.status_code == 200, ran.text
    assert _table(ran.json(), "pairs") == []
    [unpaired] = _table(ran.json(), "unpaired")
    assert unpaired["school_code"] == SCHOOL_D
    assert unpaired["reason_en"] == "no strong school of the section in reach"


def test_api_pairing_without_locations(site: Site) -> None:
    approve_pairing_county(site)
    ran = _run(site, "pairing")
    assert ran.status_code == 200, ran.text
    [pair] = _table(ran.json(), "pairs")
    assert pair["distance_km"] is None
    assert "距离未知" in pair["reason_zh"]
    assert ran.json()["summary"]["located_sections"] == 0


def test_api_pairing_locations_as_json(site: Site) -> None:
    approve_pairing_county(site)
    places = [
        {"school_code": SCHOOL_A, "lat": 30.0, "lon": 110.0},
        {"school_code": SCHOOL_D, "lat": 30.0 + 12.5 * DEG_PER_KM, "lon": 110.0},
    ]
    ran = _run(site, "pairing", {"locations": places})
    assert ran.status_code == 200, ran.text
    [pair] = _table(ran.json(), "pairs")
    assert pair["distance_km"] == pytest.approx(12.5, abs=1e-6)


def test_api_pairing_bad_json_location_named(site: Site) -> None:
    approve_pairing_county(site)
    places = [{"school_code": SCHOOL_A, "lat": 95, "lon": 110}]
    ran = _run(site, "pairing", {"locations": places}, lang="en")
    assert_error(ran, 422, "invalid_input")
    message = ran.json()["error"]["message"]
    assert "'locations', item 0" in message
    assert "lat 95 is not a number from -90 to 90" in message


def test_api_locations_file_all_or_nothing(site: Site) -> None:
    approve_pairing_county(site)
    text = (
        f"school_code,lat,lon\n{SCHOOL_A},北纬30,110\n{SCHOOL_D},30.1,110\n"
        f"{SCHOOL_D},30.2,110\n"
    )
    ran = _run(site, "pairing", files={"locations": _csv("位置.csv", text)})
    assert_error(ran, 422, "invalid_input")
    assert "位置.csv" in ran.json()["error"]["message"]
    issues = ran.json()["error"]["detail"]
    cells = [(i["row"], i["column"], i["value"]) for i in issues]
    assert cells == [(2, "lat", "北纬30"), (4, "school_code", SCHOOL_D)]
    assert issues[1]["code"] == "duplicate_location"


def test_api_locations_only_for_pairing(site: Site) -> None:
    approve_pairing_county(site)
    files = {"locations": _csv("位置.csv", locations_csv())}
    ran = _run(site, "adjust", files=files)
    assert_error(ran, 422, "invalid_input")
    assert "结对" in ran.json()["error"]["message"]


def test_api_locations_one_way_only(site: Site) -> None:
    approve_pairing_county(site)
    files = {"locations": _csv("位置.csv", locations_csv())}
    ran = _run(site, "pairing", {"locations": []}, files)
    assert_error(ran, 422, "invalid_input")


def test_form_pairing_with_locations(site: Site) -> None:
    approve_pairing_county(site)
    client = site.client("zhongyuan")
    form = client.get("/plans/new?kind=pairing")
    assert 'name="locations"' in form.text
    assert 'type="file"' in form.text
    # The locations come as a file, so no text field offers them.
    assert 'name="p_locations"' not in form.text
    token = csrf_token(client, "/plans/new?kind=pairing")
    fields = {
        "csrf_token": token,
        "kind": "pairing",
        "division": "410102",
        "year": str(YEAR),
        "p_locations": "[]",
    }
    files = {"locations": _csv("位置.csv", locations_csv())}
    ran = client.post("/plans/new", data=fields, files=files)
    assert ran.status_code == 200, ran.text
    assert 'id="table-pairs"' in ran.text
    assert 'id="table-communities"' in ran.text
    assert '<td class="num">12.5</td>' in ran.text
    assert 'id="save-form"' in ran.text


def test_form_lists_location_issues(site: Site) -> None:
    approve_pairing_county(site)
    client = site.client("zhongyuan")
    token = csrf_token(client, "/plans/new?kind=pairing")
    fields = {
        "csrf_token": token,
        "kind": "pairing",
        "division": "410102",
        "year": str(YEAR),
    }
    text = f"school_code,lat,lon\n{SCHOOL_A},北纬30,110\n"
    files = {"locations": _csv("位置.csv", text)}
    ran = client.post("/plans/new?lang=en", data=fields, files=files)
    assert ran.status_code == 422
    assert 'id="plan-error"' in ran.text
    assert 'class="issues"' in ran.text
    assert "北纬30" in ran.text
    assert 'id="plan-result"' not in ran.text


# ------------------------------------------------------------------ synthetic


def _marked(text: str) -> bytes:
    """Return the CSV ``text`` as ``junheng demo --save-roster`` saves it, with
    the synthetic notice in its note column."""
    frame = pl.read_csv(io.StringIO(text), infer_schema=False)
    return mark(frame).write_csv().encode()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_api_demo_roster_labelled_synthetic(site: Site, lang: str) -> None:
    approve_rotation_county(site)
    files = {"roster": ("demo-roster.csv", _marked(roster_csv()), "text/csv")}
    ran = _run(site, "rotation", files=files, lang=lang)
    assert ran.status_code == 200, ran.text
    result = ran.json()
    assert result["synthetic"] is True
    assert result["messages_zh"][0] == (
        "合成数据：上传的文件 demo-roster.csv 由 junheng demo 随机生成，"
        "不对应任何真实教师或学校；本方案仅供演示和测试。"
    )
    assert result["messages_en"][0] == (
        "SYNTHETIC DATA: the uploaded file demo-roster.csv was generated at random "
        "by junheng demo and describes no real teacher or school; this plan is "
        "for demonstration and testing only."
    )

    # A saved scenario keeps the label in its result and its summary.
    saved = site.client().post(
        "/api/v1/plans",
        json={
            "name": "演示轮岗",
            "result": result,
            "signature": ran.headers["x-plan-signature"],
        },
        headers=site.token("zhongyuan"),
    )
    assert saved.status_code == 201, saved.text
    assert saved.json()["synthetic"] is True
    assert saved.json()["result"]["synthetic"] is True
    listed = site.client().get("/api/v1/plans", headers=site.token("zhongyuan"))
    assert [s["synthetic"] for s in listed.json()] == [True]

    county = site.client("zhongyuan")
    page = county.get(f"/plans/{saved.json()['id']}?lang={lang}")
    notice = "合成数据：本方案读取了" if lang == "zh" else "Synthetic data: this plan"
    assert 'id="plan-synthetic"' in page.text
    assert notice in page.text
    listing = county.get(f"/plans?lang={lang}")
    badge = "合成数据" if lang == "zh" else "synthetic"
    assert f'<span class="plan-synthetic">{badge}</span>' in listing.text


def test_api_real_roster_not_synthetic(site: Site) -> None:
    approve_rotation_county(site)
    ran = _run(site, "rotation", files={"roster": _csv("名册.csv", roster_csv())})
    assert ran.status_code == 200, ran.text
    assert ran.json()["synthetic"] is False
    assert not ran.json()["messages_zh"][0].startswith("合成数据")


def test_form_demo_locations_labelled(site: Site) -> None:
    approve_pairing_county(site)
    client = site.client("zhongyuan")
    fields = {
        "csrf_token": csrf_token(client, "/plans/new?kind=pairing"),
        "kind": "pairing",
        "division": "410102",
        "year": str(YEAR),
    }
    files = {"locations": ("demo-locations.csv", _marked(locations_csv()), "text/csv")}
    ran = client.post("/plans/new", data=fields, files=files)
    assert ran.status_code == 200, ran.text
    assert 'id="plan-synthetic"' in ran.text
    assert "上传的文件 demo-locations.csv 由 junheng demo 随机生成" in ran.text
    assert 'id="table-pairs"' in ran.text
