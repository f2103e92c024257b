"""Monitoring pages and their twins: who may open them, and what they show.

Expected values are worked out by hand from the synthetic store described in
``monitordata``, or computed by the monitoring functions on the same approved
frames that the pages read.
"""

from __future__ import annotations

import csv
import io
import re

import polars as pl
import pytest
from dash.conftest import Site
from dash.dashdata import ERQI, FORMULA_NAME, ZHONGYUAN
from monitor_web.monitordata import (
    EVALUATOR,
    JUMP_EQUIPMENT,
    JUMP_SCHOOL,
    evaluate_approved,
)
from openpyxl import load_workbook
from web.site import assert_error

from junheng.evaluation.verdict import Evaluation
from junheng.monitoring import forecast, quality, sampling, trends
from junheng.monitoring.pipeline import unit_values

KINDS = ("trends", "forecasts", "flags", "samples")
# (user, division code of the trend, forecast and flag pages, county sampled)
ALLOWED = (
    ("moe", "all", ZHONGYUAN),
    ("henan", "41", ZHONGYUAN),
    ("zhengzhou", "4101", ZHONGYUAN),
    ("zhongyuan", ZHONGYUAN, ZHONGYUAN),
    (EVALUATOR, ERQI, ERQI),
)
REFUSED = (
    ("school1", ZHONGYUAN),
    ("citizen", "all"),
    ("citizen", ZHONGYUAN),
    ("zhongyuan", ERQI),
    ("zhongyuan", "4101"),
    (EVALUATOR, "4101"),
    (EVALUATOR, ZHONGYUAN),
    ("beijing", "41"),
)


def _path(kind: str, code: str) -> str:
    return f"/monitor/{kind}/{code}"


def _params(kind: str) -> dict[str, int]:
    return {"seed": 7, "year": 2024} if kind == "samples" else {}


@pytest.mark.parametrize("kind", KINDS)
def test_page_and_twins_for_readers(shared_site: Site, kind: str) -> None:
    for user, code, county in ALLOWED:
        target = county if kind == "samples" else code
        for suffix in ("", ".json", ".csv", ".xlsx"):
            path = _path(kind, target) + suffix
            response = shared_site.get(path, user, **_params(kind))
            assert response.status_code == 200, (user, path, response.text[:300])
        page = shared_site.get(_path(kind, target), user, **_params(kind))
        assert 'href="/monitor"' in page.text


@pytest.mark.parametrize("kind", KINDS)
def test_page_refused_for_others(shared_site: Site, kind: str) -> None:
    for user, code in REFUSED:
        for suffix in ("", ".json", ".csv"):
            path = _path(kind, code) + suffix
            response = shared_site.get(path, user, **_params(kind))
            assert response.status_code == 403, (user, path)
        api = shared_site.get(f"/api/v1/monitor/{kind}/{code}", user, **_params(kind))
        assert_error(api, 403, "permission_denied")


def test_anonymous_sent_to_login(shared_site: Site) -> None:
    page = shared_site.client.get("/monitor/trends/all", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login")
    api = shared_site.client.get("/api/v1/monitor/trends/all")
    assert api.status_code == 401


def test_header_link_only_for_monitoring_roles(shared_site: Site) -> None:
    home = "/account/tokens"
    assert 'href="/monitor"' in shared_site.get(home, "zhengzhou").text
    assert 'href="/monitor"' in shared_site.get(home, EVALUATOR).text
    assert 'href="/monitor"' not in shared_site.get(home, "school1").text
    assert 'href="/monitor"' not in shared_site.get(home, "citizen").text


def test_unknown_code_not_found(shared_site: Site) -> None:
    assert shared_site.get("/monitor/trends/41x", "moe").status_code == 404
    assert shared_site.get("/monitor/trends/4102", "moe").status_code == 404
    assert_error(shared_site.get("/api/v1/monitor/trends/123", "moe"), 404)
    table = shared_site.get("/monitor/trends/4101.csv", "moe", table="nope")
    assert table.status_code == 404


def test_english_labels(shared_site: Site) -> None:
    page = shared_site.get("/monitor/trends/4101", "moe", lang="en")
    assert "Counties passing by year" in page.text
    assert "历年达标县数" not in page.text


# ------------------------------------------------------------------ numbers


@pytest.fixture(scope="module")
def evaluated(shared_site: Site) -> tuple[Evaluation, pl.DataFrame]:
    """Evaluate the approved frames of every year at once, as the CLI does."""
    return evaluate_approved(shared_site.database)


def _json(site: Site, path: str, user: str = "moe", **params: object) -> dict:
    response = site.get(path, user, **params)
    assert response.status_code == 200, response.text[:300]
    return response.json()  # type: ignore[no-any-return]


def test_county_cv_by_hand(shared_site: Site) -> None:
    view = _json(shared_site, f"/monitor/trends/{ZHONGYUAN}.json")
    rows = view["tables"]["cv"]["rows"]
    first = next(r for r in rows if r["year"] == 2022 and r["section"] == "primary")
    # Sports ground 4000 + 750·n m² for schools n = 1…5 of 500 students each:
    # 9.5, 11, 12.5, 14, 15.5 m² per student, mean 12.5, squared deviations
    # 9 + 2.25 + 0 + 2.25 + 9 = 22.5, SD sqrt(22.5 / 5) = 2.12132,
    # CV 2.12132 / 12.5 = 0.169706.
    assert first["cv_L5"] == 0.1697
    assert first["cv_limit"] == 0.5


def test_county_trends_equal_monitoring(
    shared_site: Site, evaluated: tuple[Evaluation, pl.DataFrame]
) -> None:
    ev, _ = evaluated
    expected = trends.county_trends(ev).filter(pl.col("division_code") == ZHONGYUAN)
    view = _json(shared_site, f"/monitor/trends/{ZHONGYUAN}.json")
    shown = {(r["section"], r["year"]): r for r in view["tables"]["cv"]["rows"]}
    assert len(shown) == expected.select("section", "year").unique().height
    for row in expected.iter_rows(named=True):
        cell = shown[(row["section"], row["year"])][f"cv_{row['indicator']}"]
        assert cell == round(row["cv"], 4), row
    verdicts = {r["year"]: r["verdict"] for r in view["tables"]["verdicts"]["rows"]}
    assert verdicts == dict(expected.select("year", "verdict").unique().iter_rows())


def test_region_trends_equal_monitoring(
    shared_site: Site, evaluated: tuple[Evaluation, pl.DataFrame]
) -> None:
    ev, _ = evaluated
    expected = trends.region_trends(ev).filter(
        (pl.col("level") == "city") & (pl.col("region_code") == "4101")
    )
    view = _json(shared_site, "/monitor/trends/4101.json")
    shown = {(r["section"], r["year"]): r for r in view["tables"]["cv"]["rows"]}
    for row in expected.iter_rows(named=True):
        cell = shown[(row["section"], row["year"])][f"cv_{row['indicator']}"]
        assert cell == round(row["cv_median"], 4), row
    passing = {r["year"]: r["pass"] for r in view["tables"]["verdicts"]["rows"]}
    # 中原区 passes every year; 二七区 has no county items, so it is incomplete.
    assert passing == {2022: 1, 2023: 1, 2024: 1}
    counts = {r["year"]: r["incomplete"] for r in view["tables"]["verdicts"]["rows"]}
    assert counts == {2022: 1, 2023: 1, 2024: 1}


def test_forecasts_equal_monitoring(
    shared_site: Site, evaluated: tuple[Evaluation, pl.DataFrame]
) -> None:
    ev, _ = evaluated
    series = forecast.requirement_series(trends.county_trends(ev), ev.framework)
    expected = forecast.forecast_series(
        series.filter(pl.col("metric") == "cv"),
        forecast.SERIES_KEYS,
        target_year=2035,
        level=0.8,
        calibration=forecast.load_calibration("cn-nbs-province"),
    ).filter(pl.col("division_code").str.starts_with("4101"))
    view = _json(shared_site, "/monitor/forecasts/4101.json", lang="en")
    names = {i.name.en: i.id for i in ev.framework.resource_indicators}
    shown = {
        (r["division_code"], r["section"], names[r["indicator"]]): r
        for r in view["tables"]["series"]["rows"]
    }
    assert len(shown) == expected.height
    for row in expected.iter_rows(named=True):
        cell = shown[(row["division_code"], row["section"], row["indicator"])]
        assert cell["n_points"] == 3
        assert cell["interval"] == "calibrated:cn-nbs-province"
        assert cell["expected_year"] == row["expected_year"]
        for key in ("forecast", "lower", "upper"):
            assert cell[key] == round(row[key], 4), (key, row)
        assert cell["p_meet_2035"] == round(100 * row["p_meet_2035"], 1)
    ranked = [r["division_code"] for r in view["tables"]["counties"]["rows"]]
    assert sorted(ranked) == ["410102", "410103"]
    assert [r["rank"] for r in view["tables"]["counties"]["rows"]] == [1, 2]
    band = view["tables"]["band"]["rows"]
    assert [r["year"] for r in band] == list(range(2022, 2036))
    assert all(r["observed"] is None for r in band if r["year"] > 2024)
    assert all(r["lower"] <= r["upper"] for r in band if r["year"] > 2024)


def test_flags_equal_monitoring(
    shared_site: Site, evaluated: tuple[Evaluation, pl.DataFrame]
) -> None:
    ev, schools = evaluated
    indicators = [i.id for i in ev.framework.resource_indicators]
    expected = quality.check_schools(schools, unit_values(ev), indicators)
    view = _json(shared_site, "/monitor/flags/41.json")
    rows = view["tables"]["flags"]["rows"]
    inside = expected.filter(pl.col("division_code").str.starts_with("41"))
    assert len(rows) == inside.height
    keys = {(r["check"], r["year"], r["school_code"], r["field"]) for r in rows}
    assert keys == {
        (r["check"], r["year"], r["school_code"], r["field"])
        for r in inside.iter_rows(named=True)
    }
    jump = [
        r for r in rows if r["check"] == "year_jump" and r["school_code"] == JUMP_SCHOOL
    ]
    assert len(jump) == 1
    assert jump[0]["year"] == 2024
    assert jump[0]["field"] == "equipment_value_yuan"
    assert jump[0]["value"] == JUMP_EQUIPMENT


def test_flag_links_to_record_page(shared_site: Site) -> None:
    page = shared_site.get(f"/monitor/flags/{ZHONGYUAN}", "zhongyuan")
    assert f'href="/reporting/{JUMP_SCHOOL}/2024"' in page.text


# ------------------------------------------------------------------ samples


def test_sample_size_by_hand(shared_site: Site) -> None:
    view = _json(shared_site, f"/monitor/samples/{ZHONGYUAN}.json", seed=7, year=2024)
    # N = 24 schools in 2024, 95% and ±10%: n0 = 1.959964² · 0.25 / 0.01
    # = 96.04; n = ceil(96.04 / (1 + 95.04 / 24)) = ceil(19.36) = 20, above
    # the 10% floor ceil(2.4) = 3.
    assert view["design"]["population"] == 24
    assert view["design"]["size"] == 20
    assert view["seed"] == 7
    assert len(view["tables"]["sample"]["rows"]) == 20
    assert len(view["tables"]["frame"]["rows"]) == 24


def test_sample_equals_sampling_functions(
    shared_site: Site, evaluated: tuple[Evaluation, pl.DataFrame]
) -> None:
    ev, schools = evaluated
    units = unit_values(ev, 2024).filter(pl.col("division_code") == ZHONGYUAN)
    stats = ev.engine.query(
        "SELECT * FROM county_stats "
        f"WHERE year = 2024 AND division_code = '{ZHONGYUAN}'"
    )
    indicators = [i.id for i in ev.framework.resource_indicators]
    flags = quality.check_schools(schools, unit_values(ev), indicators).filter(
        (pl.col("year") == 2024) & (pl.col("division_code") == ZHONGYUAN)
    )
    frame = sampling.sampling_frame(units, stats, ev.framework, flags)
    for seed in (7, 8):
        drawn, _ = sampling.inspection_sample(frame, seed=seed)
        expected = sorted(drawn.filter("drawn")["school_code"].to_list())
        view = _json(
            shared_site, f"/monitor/samples/{ZHONGYUAN}.json", seed=seed, year=2024
        )
        shown = sorted(r["school_code"] for r in view["tables"]["sample"]["rows"])
        assert shown == expected, seed


def test_sample_redirects_to_a_seed(shared_site: Site) -> None:
    response = shared_site.client.get(
        f"/monitor/samples/{ZHONGYUAN}",
        headers={"authorization": f"Bearer {shared_site.tokens['zhongyuan']}"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    location = response.headers["location"]
    assert "seed=" in location
    headers = {"authorization": f"Bearer {shared_site.tokens['zhongyuan']}"}
    first = shared_site.client.get(location, headers=headers)
    again = shared_site.client.get(location, headers=headers)
    seed = location.split("seed=")[1].split("&")[0]
    assert f"<strong>{seed}</strong>" in first.text
    # The form token carries its signing time, so it may differ between the two
    # responses; everything else on the page must be the same.
    assert _without_form_tokens(first.text) == _without_form_tokens(again.text)


def _without_form_tokens(page: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', page)


def test_sample_excel_download(shared_site: Site) -> None:
    response = shared_site.get(
        f"/monitor/samples/{ZHONGYUAN}.xlsx", "zhongyuan", seed=7, year=2024, lang="zh"
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["design", "sample", "strata", "frame"]
    assert book["sample"].max_row == 21  # header and 20 schools
    design = {row[0].value: row[1].value for row in book["design"].iter_rows()}
    assert design["随机种子"] == 7


def test_region_sample_lists_counties(shared_site: Site) -> None:
    page = shared_site.get("/monitor/samples/4101", "zhengzhou")
    assert page.status_code == 200
    assert f'href="/monitor/samples/{ZHONGYUAN}"' in page.text
    assert f'href="/monitor/samples/{ERQI}"' in page.text
    assert shared_site.get("/monitor/samples/4101.json", "zhengzhou").status_code == 404


def test_csv_guards_formula_names(shared_site: Site) -> None:
    response = shared_site.get(
        f"/monitor/samples/{ERQI}.csv", EVALUATOR, seed=1, year=2024, table="sample"
    )
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    names = [r["school_name"] for r in rows]
    # Three schools are a census; the formula name is shown as text.
    assert len(rows) == 3
    assert "'" + FORMULA_NAME in names
    assert FORMULA_NAME not in names


# ------------------------------------------------------------------ API and cache


def test_api_equals_twin(shared_site: Site) -> None:
    for kind in ("trends", "forecasts", "flags"):
        api = _json(shared_site, f"/api/v1/monitor/{kind}/4101")
        twin = _json(shared_site, f"/monitor/{kind}/4101.json")
        assert api == twin, kind
    api = _json(shared_site, f"/api/v1/monitor/samples/{ZHONGYUAN}", seed=3)
    twin = _json(shared_site, f"/monitor/samples/{ZHONGYUAN}.json", seed=3, year=2024)
    assert api == twin


def test_api_in_openapi(shared_site: Site) -> None:
    paths = shared_site.client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/monitor/trends/{code}",
        "/api/v1/monitor/forecasts/{code}",
        "/api/v1/monitor/flags/{code}",
        "/api/v1/monitor/flags/{code}/notes",
        "/api/v1/monitor/samples/{county}",
    ):
        assert path in paths, path


def test_second_request_cached(shared_site: Site) -> None:
    state = shared_site.client.app.state  # type: ignore[attr-defined]
    for kind in ("trends", "forecasts", "flags"):
        _json(shared_site, f"/monitor/{kind}/41.json")
    evaluations = state.results_cache.builds
    tables = state.monitor_cache.builds
    for kind in ("trends", "forecasts", "flags"):
        _json(shared_site, f"/monitor/{kind}/41.json")
    assert state.results_cache.builds == evaluations
    assert state.monitor_cache.builds == tables
