"""Progress against the schedule on the monitoring pages, and recording it.

The store is the synthetic one of ``monitordata``: 中原区 (410102) passes in
2024, 二七区 (410103) is incomplete (no county items), both in 郑州市 (4101).
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import polars as pl
import pytest
from dash.conftest import Site
from dash.dashdata import ERQI, PASSWORD, ZHONGYUAN
from monitor_web.monitordata import EVALUATOR, evaluate_approved
from monitor_web.test_pages import ALLOWED, REFUSED
from openpyxl import load_workbook
from sqlalchemy import select
from web.site import assert_error, csrf_token, login

from junheng.monitoring import forecast, schedule, trends
from junheng.store.models import AuditRecord, Target


def _json(site: Site, path: str, user: str = "moe", **params: Any) -> dict[str, Any]:
    response = site.get(path, user, **params)
    assert response.status_code == 200, response.text[:300]
    return response.json()  # type: ignore[no-any-return]


def _put(site: Site, user: str, code: str, year: int, note: str | None = None) -> Any:
    return site.client.put(
        "/api/v1/monitor/targets",
        json={"division_code": code, "target_year": year, "note": note},
        headers={"authorization": f"Bearer {site.tokens[user]}"},
    )


def _upload(site: Site, user: str, name: str, body: bytes) -> Any:
    return site.client.post(
        "/api/v1/monitor/targets/upload",
        files={"file": (name, body, "text/csv")},
        headers={"authorization": f"Bearer {site.tokens[user]}"},
    )


def _targets(site: Site) -> dict[str, int]:
    with site.database.sessions() as session:
        return {t.division_code: t.target_year for t in session.scalars(select(Target))}


def _audit(site: Site) -> list[AuditRecord]:
    with site.database.sessions() as session:
        query = select(AuditRecord).where(AuditRecord.entity == "target")
        return list(session.scalars(query.order_by(AuditRecord.seq)))


def _by_code(view: dict[str, Any], table: str) -> dict[str, dict[str, Any]]:
    return {r["division_code"]: r for r in view["tables"][table]["rows"]}


def _states(view: dict[str, Any]) -> dict[str, int]:
    return {r["state"]: r["counties"] for r in view["tables"]["states"]["rows"]}


# ------------------------------------------------------------------ reading


def test_page_and_twins_for_readers(shared_site: Site) -> None:
    for user, code, _ in ALLOWED:
        for suffix in ("", ".json", ".csv", ".xlsx"):
            path = f"/monitor/progress/{code}{suffix}"
            response = shared_site.get(path, user)
            assert response.status_code == 200, (user, path, response.text[:300])
        page = shared_site.get(f"/monitor/progress/{code}", user)
        assert 'href="/monitor/progress/' in page.text


def test_page_refused_for_others(shared_site: Site) -> None:
    for user, code in REFUSED:
        for suffix in ("", ".json", ".csv"):
            path = f"/monitor/progress/{code}{suffix}"
            assert shared_site.get(path, user).status_code == 403, (user, path)
        api = shared_site.get(f"/api/v1/monitor/progress/{code}", user)
        assert_error(api, 403, "permission_denied")


def test_navigation_links_the_progress_page(shared_site: Site) -> None:
    page = shared_site.get("/monitor/trends/4101", "zhengzhou")
    assert 'href="/monitor/progress/4101"' in page.text
    english = shared_site.get("/monitor/progress/4101", "zhengzhou", lang="en")
    assert "Schedule progress" in english.text
    assert "Counties per state" in english.text


def test_without_schedule_counties_are_met_or_unscheduled(shared_site: Site) -> None:
    view = _json(shared_site, "/monitor/progress/4101.json")
    # 中原区 passes in 2024 (met whatever the schedule); 二七区 has no year.
    assert _states(view) == {
        "will_miss": 0,
        "no_forecast": 0,
        "at_risk": 0,
        "on_schedule": 0,
        "met": 1,
        "unscheduled": 1,
    }
    rows = _by_code(view, "divisions")
    assert rows[ZHONGYUAN]["status"] == "met"
    assert rows[ERQI]["status"] == "unscheduled"
    assert rows[ERQI]["target_year"] is None
    nation = _json(shared_site, "/monitor/progress/all.json")
    # The nation's child is the province; the worst state with a year wins,
    # and 河南 has no scheduled county that is not met: met.
    assert _by_code(nation, "divisions")["41"]["status"] == "met"
    assert _by_code(nation, "divisions")["41"]["counties"] == 2
    assert set(_by_code(nation, "counties")) == {ZHONGYUAN, ERQI}


def test_evaluator_sees_assigned_county_only(shared_site: Site) -> None:
    view = _json(shared_site, f"/monitor/progress/{ERQI}.json", EVALUATOR)
    assert set(_by_code(view, "divisions")) == {ERQI}
    assert "counties" not in view["tables"]


def test_api_equals_twin(shared_site: Site) -> None:
    api = _json(shared_site, "/api/v1/monitor/progress/41")
    twin = _json(shared_site, "/monitor/progress/41.json")
    assert api == twin
    paths = shared_site.client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/monitor/progress/{code}",
        "/api/v1/monitor/targets",
        "/api/v1/monitor/targets/upload",
        "/api/v1/monitor/targets/{code}",
    ):
        assert path in paths, path


def test_csv_and_excel_equal_the_json(shared_site: Site) -> None:
    view = _json(shared_site, "/monitor/progress/41.json", lang="en")
    for name in ("states", "divisions", "counties"):
        table = view["tables"][name]
        response = shared_site.get("/monitor/progress/41.csv", "moe", table=name)
        text = response.content.decode("utf-8").removeprefix("\ufeff")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert len(rows) == len(table["rows"]), name
        for shown, written in zip(table["rows"], rows, strict=True):
            for key, value in shown.items():
                assert written[key] == ("" if value is None else str(value)), key
    book = load_workbook(
        io.BytesIO(
            shared_site.get("/monitor/progress/41.xlsx", "moe", lang="en").content
        )
    )
    for name in ("states", "divisions", "counties", "schedule"):
        table = view["tables"][name]
        sheet = list(book[name].iter_rows(values_only=True))
        assert list(sheet[0]) == [c["en"] for c in table["columns"]]
        for shown, written in zip(table["rows"], sheet[1:], strict=True):
            keys = [c["key"] for c in table["columns"]]
            assert list(written) == [shown[k] for k in keys]


def test_page_shows_the_twin_numbers(shared_site: Site) -> None:
    view = _json(shared_site, "/monitor/progress/4101.json", lang="zh")
    page = shared_site.get("/monitor/progress/4101", "moe", lang="zh").text
    cells = re.findall(r'<td data-key="(\w+)"[^>]*>([^<]*)</td>', page)
    shown = [(k, v) for k, v in cells if k in ("state_name", "counties")]
    for row in view["tables"]["states"]["rows"]:
        assert ("state_name", row["state_name"]) in shown
    counts = [v for k, v in shown if k == "counties"][: len(_states(view))]
    assert counts == [str(r["counties"]) for r in view["tables"]["states"]["rows"]]
    assert 'id="chart-states"' in page


# ------------------------------------------------------------------ recording


def _expected(site: Site, plan: pl.DataFrame) -> pl.DataFrame:
    """Compute the progress of the counties with the monitoring functions on
    one evaluation of every approved year, as ``junheng monitor run`` does."""
    ev, _ = evaluate_approved(site.database)
    fw = ev.framework
    targets = schedule.county_targets(plan, ev.verdicts["division_code"])
    series = forecast.requirement_series(trends.county_trends(ev), fw)
    found = forecast.forecast_series(
        series.filter(pl.col("metric").is_in(["cv", "share_compliant"])),
        forecast.SERIES_KEYS,
        target_year=2035,
        level=0.8,
        milestones=sorted({2027, 2035, *targets["target_year"].to_list()}),
        calibration=forecast.load_calibration("cn-nbs-province"),
    )
    return schedule.county_progress(
        targets,
        ev.verdicts,
        found,
        year=2024,
        probability=schedule.target_probability(found, targets),
    )


def test_recorded_targets_change_the_states(site: Site) -> None:
    # The city's year passes to both counties; 2023 is before the last
    # evaluated year 2024, so 二七区 will miss it (中原区 passed: met).
    assert _put(site, "zhengzhou", "4101", 2023, "市级规划").status_code == 200
    view = _json(site, "/monitor/progress/4101.json")
    rows = _by_code(view, "divisions")
    assert (rows[ERQI]["target_year"], rows[ERQI]["scheduled_by"]) == (2023, "4101")
    assert rows[ERQI]["status"] == "will_miss"
    assert _states(view)["will_miss"] == 1
    # 2024, the evaluated year itself, has not passed: the state comes from
    # the forecasts, and equals that of the monitoring functions.
    assert _put(site, "erqi", ERQI, 2024).status_code == 200
    plan = pl.DataFrame(
        {"division_code": ["4101", ERQI], "target_year": [2023, 2024]},
        schema={"division_code": pl.String, "target_year": pl.Int64},
    )
    expected = (
        _expected(site, plan).filter(pl.col("division_code") == ERQI).row(0, named=True)
    )
    shown = _by_code(_json(site, "/monitor/progress/4101.json"), "divisions")[ERQI]
    assert shown["scheduled_by"] == ERQI
    assert shown["status"] == expected["status"]
    assert shown["expected_year"] == expected["expected_year"]
    p = expected["p_meet_target"]
    assert shown["p_meet_target"] == (None if p is None else round(100 * p, 1))
    actions = [(r.action, r.entity_id, r.actor) for r in _audit(site)]
    assert actions == [
        ("target.save", "4101", "zhengzhou"),
        ("target.save", ERQI, "erqi"),
    ]
    # Removing the county's own year lets it inherit the city's again.
    remove = site.client.delete(
        f"/api/v1/monitor/targets/{ERQI}",
        headers={"authorization": f"Bearer {site.tokens['erqi']}"},
    )
    assert remove.status_code == 200
    assert _targets(site) == {"4101": 2023}
    assert _audit(site)[-1].action == "target.remove"


@pytest.mark.parametrize(
    ("user", "code"),
    [
        ("zhongyuan", "4101"),  # a county sets its own row only
        ("zhongyuan", ERQI),
        ("zhongyuan", "41"),
        ("zhengzhou", "41"),  # a city cannot set its province's goal
        ("beijing", ZHONGYUAN),
        ("school1", ZHONGYUAN),
        ("citizen", ZHONGYUAN),
        (EVALUATOR, ERQI),
    ],
)
def test_changes_outside_scope_are_refused(site: Site, user: str, code: str) -> None:
    assert_error(_put(site, user, code, 2030), 403, "permission_denied")
    body = f"division_code,target_year\n{code},2030\n".encode()
    assert_error(_upload(site, user, "plan.csv", body), 403, "permission_denied")
    assert _targets(site) == {}
    assert _audit(site) == []


def test_upload_with_a_bad_row_stores_nothing(site: Site) -> None:
    body = (
        "division_code,target_year,note\n"
        f"{ZHONGYUAN},2027,\n"
        "419999,2030,no such county\n"
        f"{ERQI},2030年,\n"
    ).encode()
    response = _upload(site, "zhengzhou", "plan.csv", body)
    assert_error(response, 422, "invalid_input")
    issues = [
        (i["row"], i["column"], i["value"]) for i in response.json()["error"]["detail"]
    ]
    assert issues == [(3, "division_code", "419999"), (4, "target_year", "2030年")]
    assert _targets(site) == {}
    assert _audit(site) == []
    good = f"division_code,target_year\n{ZHONGYUAN},2027\n{ERQI},2030\n".encode()
    assert _upload(site, "zhengzhou", "plan.csv", good).json() == {"stored": 2}
    assert _targets(site) == {ZHONGYUAN: 2027, ERQI: 2030}
    assert [r.entity_id for r in _audit(site)] == [ZHONGYUAN, ERQI]


def test_page_form_and_upload_with_csrf(site: Site) -> None:
    client = site.client
    login(client, "zhengzhou", PASSWORD)
    page = "/monitor/progress/4101"
    token = csrf_token(client, page)
    no_token = client.post(
        f"{page}/targets", data={"division_code": ERQI, "target_year": "2030"}
    )
    assert no_token.status_code == 403
    saved = client.post(
        f"{page}/targets",
        data={"division_code": ERQI, "target_year": "2030", "csrf_token": token},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert _targets(site) == {ERQI: 2030}
    bad = client.post(
        f"{page}/upload",
        data={"csrf_token": token},
        files={"file": ("plan.csv", b"division_code,target_year\n4101,soon\n")},
    )
    assert bad.status_code == 422
    # The page names the row, the column and the value, in Chinese by default.
    assert "目标年份 soon 不是整年" in bad.text
    assert "<code>soon</code>" in bad.text
    assert _targets(site) == {ERQI: 2030}
    client.get("/logout")


def test_readers_without_rights_get_no_form(site: Site) -> None:
    assert 'id="schedule-form"' in site.get("/monitor/progress/4101", "zhengzhou").text
    page = site.get(f"/monitor/progress/{ERQI}", EVALUATOR).text
    assert 'id="schedule-form"' not in page


@pytest.mark.parametrize(
    ("name", "body", "found"),
    [
        (
            "plan.csv",
            b"division_code,target_year\n4101,inf\n41,-inf\n410102,1e400\n",
            [
                (2, "target_year", "inf"),
                (3, "target_year", "-inf"),
                (4, "target_year", "1e400"),
            ],
        ),
        ("plan.csv", b"", [(None, None, None)]),
        ("plan.xlsx", b"not a workbook", [(None, None, None)]),
    ],
)
def test_odd_files_get_the_error_shape(
    site: Site, name: str, body: bytes, found: list[tuple[Any, ...]]
) -> None:
    response = _upload(site, "zhengzhou", name, body)
    assert_error(response, 422, "invalid_input")
    detail = response.json()["error"]["detail"]
    assert [(i["row"], i["column"], i["value"]) for i in detail] == found
    assert all(i["fix"] for i in detail)
    assert _targets(site) == {}


def test_page_upload_of_a_broken_workbook_lists_the_problem(site: Site) -> None:
    client = site.client
    login(client, "zhengzhou", PASSWORD)
    page = "/monitor/progress/4101"
    token = csrf_token(client, page)
    for lang, text in (
        ("zh", "不是可读取的 Excel 文件"),
        ("en", "not a readable Excel"),
    ):
        bad = client.post(
            f"{page}/upload?lang={lang}",
            data={"csrf_token": token},
            files={"file": ("plan.xlsx", b"PK not a workbook")},
        )
        assert bad.status_code == 422
        assert text in bad.text
    client.get("/logout")


def test_upload_keeps_the_note_limit(site: Site) -> None:
    # The form and PUT take 2000 characters; the file reader does too.
    long = "x" * 100_000
    body = f"division_code,target_year,note\n4101,2030,{long}\n".encode()
    response = _upload(site, "zhengzhou", "plan.csv", body)
    assert_error(response, 422, "invalid_input")
    (issue,) = response.json()["error"]["detail"]
    assert (issue["row"], issue["column"]) == (2, "note")
    assert "100000" in issue["message"]
    assert _targets(site) == {}
    assert _put(site, "zhengzhou", "4101", 2030, "y" * 2001).status_code == 422


def test_levels_are_named_in_the_page_language(site: Site) -> None:
    assert _put(site, "zhengzhou", "4101", 2030).status_code == 200
    assert _put(site, "erqi", ERQI, 2030).status_code == 200
    for lang, names in (("zh", ["市", "县"]), ("en", ["city", "county"])):
        view = _json(site, "/monitor/progress/4101.json", "zhengzhou", lang=lang)
        rows = view["tables"]["schedule"]["rows"]
        assert [r["level_name"] for r in rows] == names
        assert [r["level"] for r in rows] == ["city", "county"]


@pytest.mark.parametrize("user", ["school1", "citizen", EVALUATOR])
def test_refusal_names_the_division(site: Site, user: str) -> None:
    response = site.client.put(
        "/api/v1/monitor/targets",
        json={"division_code": ERQI, "target_year": 2030},
        headers={"authorization": f"Bearer {site.tokens[user]}"},
    )
    assert_error(response, 403, "permission_denied")
    message = response.json()["error"]["message"]
    assert f"{ERQI} 的达标计划" in message or f"of {ERQI}" in message
    assert "—" not in message
