"""Dashboard pages, their JSON and CSV twins, scopes and the JSON API."""

from __future__ import annotations

import csv
import io
from typing import Any

import polars as pl
import pytest
from dash.conftest import Site
from dash.dashdata import ERQI, FORMULA_NAME, HTML_NAME, ZHONGYUAN
from dash.pagetables import read_tables

from junheng.evaluation.verdict import evaluate
from junheng.services import records
from junheng.standards.loader import load_framework

PAGES = [
    ("/dash/2024/nation", "moe"),
    ("/dash/2024/province/41", "henan"),
    ("/dash/2024/city/4101", "zhengzhou"),
    (f"/dash/2024/county/{ZHONGYUAN}", "zhongyuan"),
    ("/dash/2024/school/2141000001", "school1"),
]


def _twin(site: Site, path: str, user: str, lang: str = "zh") -> dict[str, Any]:
    response = site.get(f"{path}.json", user, lang=lang)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    twin: dict[str, Any] = response.json()
    return twin


@pytest.mark.parametrize(("path", "user"), PAGES)
def test_page_numbers_equal_twin(shared_site: Site, path: str, user: str) -> None:
    page = shared_site.get(path, user)
    assert page.status_code == 200, page.text
    twin = _twin(shared_site, path, user)
    shown = read_tables(page.text).tables
    # An empty table shows a "no data" line instead of a table.
    assert set(shown) == {n for n, t in twin["tables"].items() if t["rows"]}
    for name, table in twin["tables"].items():
        if not table["rows"]:
            continue
        assert len(shown[name]) == len(table["rows"]), name
        for row, cells in zip(table["rows"], shown[name], strict=True):
            for column in table["columns"]:
                value = row[column["key"]]
                text = cells[column["key"]]
                if value is None:
                    assert text == "—"
                elif isinstance(value, bool):
                    assert text == ("是" if value else "否")
                elif column["kind"] == "num" or column["kind"] == "pct":
                    assert float(text) == value, (name, column["key"])
                elif column["kind"] == "int":
                    assert int(text) == value, (name, column["key"])


@pytest.mark.parametrize(("path", "user"), PAGES)
def test_csv_twin_equals_json_twin(shared_site: Site, path: str, user: str) -> None:
    twin = _twin(shared_site, path, user)
    for name, table in twin["tables"].items():
        response = shared_site.get(f"{path}.csv", user, table=name)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert len(rows) == len(table["rows"])
        for row, written in zip(table["rows"], rows, strict=True):
            for column in table["columns"]:
                value = row[column["key"]]
                cell = written[column["key"]]
                if value is None:
                    assert cell == ""
                elif isinstance(value, bool):
                    assert cell == str(value).lower()
                elif isinstance(value, int | float):
                    assert float(cell) == value


def test_county_twin_equals_evaluation_core(shared_site: Site) -> None:
    with shared_site.database.sessions() as session:
        schools = records.approved_frame(session, 2024)
        items = records.approved_county_items(session, 2024)
    ev = evaluate(schools, load_framework("cn-2017-quality"), items)
    twin = _twin(shared_site, f"/dash/2024/county/{ZHONGYUAN}", "zhongyuan")
    verdict = ev.verdicts.filter(pl.col("division_code") == ZHONGYUAN)
    assert twin["verdict"] == verdict["verdict"][0] == "pass"
    section = ev.sections.filter(
        (pl.col("division_code") == ZHONGYUAN) & (pl.col("section") == "primary")
    ).row(0, named=True)
    for row in twin["tables"]["indicators"]["rows"]:
        expected = section[f"cv_{row['indicator']}"]
        assert row["cv"] == round(expected, 4)
    # Hand check: L5 is 8, 10 and 8 m² per student over 500 students each, so
    # mean 26/3, S = sqrt(((8-26/3)² * 2 + (10-26/3)²) / 3) = 0.9428, CV 0.1088.
    l5 = next(r for r in twin["tables"]["indicators"]["rows"] if r["indicator"] == "L5")
    assert l5["cv"] == 0.1088


def test_region_twin_equals_rollups(shared_site: Site) -> None:
    twin = _twin(shared_site, "/dash/2024/city/4101", "zhengzhou")
    counties = {r["code"]: r for r in twin["tables"]["children"]["rows"]}
    assert counties[ZHONGYUAN]["verdict"] == "pass"
    assert counties[ERQI]["verdict"] == "incomplete"
    summary = twin["tables"]["summary"]["rows"][0]
    assert (summary["counties"], summary["pass"], summary["incomplete"]) == (2, 1, 1)
    assert summary["pass_share"] == 50.0


def test_failing_school_values_highlighted(shared_site: Site) -> None:
    # 二七区's schools have no county items but meet every threshold, so no
    # value is marked; the weak school of 中原区 is not yet approved.
    page = shared_site.get(f"/dash/2024/county/{ERQI}", "erqi")
    reader = read_tables(page.text)
    assert reader.failing["schools"] == []
    twin = _twin(shared_site, f"/dash/2024/county/{ERQI}", "erqi")
    assert twin["verdict"] == "incomplete"


def test_names_are_escaped(shared_site: Site) -> None:
    page = shared_site.get(f"/dash/2024/county/{ERQI}", "erqi")
    assert '<script>alert("x")</script>' not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;二七&amp;小学" in page.text
    twin = _twin(shared_site, f"/dash/2024/county/{ERQI}", "erqi")
    names = [r["school_name"] for r in twin["tables"]["schools"]["rows"]]
    assert HTML_NAME in names
    response = shared_site.get(f"/dash/2024/county/{ERQI}.csv", "erqi", table="schools")
    text = response.content.decode("utf-8-sig")
    assert "'" + FORMULA_NAME.replace('"', '""') in text


def test_trend_shown_with_two_years(shared_site: Site) -> None:
    twin = _twin(shared_site, f"/dash/2024/county/{ZHONGYUAN}", "zhongyuan")
    years = {r["year"] for r in twin["tables"]["trend"]["rows"]}
    assert years == {2023, 2024}
    assert any(c["kind"] == "lines" for c in twin["charts"])


def test_charts_name_limit_and_table(shared_site: Site) -> None:
    twin = _twin(shared_site, f"/dash/2024/county/{ZHONGYUAN}", "zhongyuan")
    chart = next(c for c in twin["charts"] if c["id"] == "cv-primary")
    assert chart["limit"] == 0.5
    assert chart["table"] in twin["tables"]


def test_map_lists_areas(shared_site: Site) -> None:
    twin = _twin(shared_site, "/dash/2024/city/4101", "zhengzhou")
    assert twin["map"]["geo"] == "/static/geo/counties/41.json"
    assert {a["code"] for a in twin["map"]["areas"]} == {ZHONGYUAN, ERQI}
    assert twin["map"]["missing"] == []
    geo = shared_site.get(twin["map"]["geo"])
    assert geo.status_code == 200


def test_city_page_links_its_province(shared_site: Site) -> None:
    page = shared_site.get("/dash/2024/city/4101", "zhengzhou").text
    assert '<a href="/dash/2024/province/41">河南省</a>' in page
    county = shared_site.get(f"/dash/2024/county/{ZHONGYUAN}", "zhongyuan").text
    assert '<a href="/dash/2024/city/4101">郑州市</a>' in county


def test_school_page_has_no_map(shared_site: Site) -> None:
    page = shared_site.get("/dash/2024/school/2141000001", "school1")
    assert "学校没有位置数据" in page.text


def test_english_page(shared_site: Site) -> None:
    page = shared_site.get(f"/dash/2024/county/{ZHONGYUAN}", "zhongyuan", lang="en")
    assert "Indicator CVs" in page.text
    assert ">pass<" in page.text


@pytest.mark.parametrize(
    ("path", "user"),
    [
        (f"/dash/2024/county/{ERQI}", "zhongyuan"),
        (f"/dash/2024/county/{ZHONGYUAN}", "school1"),
        ("/dash/2024/nation", "zhengzhou"),
        ("/dash/2024/province/41", "beijing"),
        ("/dash/2024/school/2141000002", "school1"),
        ("/dash/2024/city/4101.json", "zhongyuan"),
    ],
)
def test_outside_scope_forbidden(shared_site: Site, path: str, user: str) -> None:
    assert shared_site.get(path, user).status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/dash/2024/county/419999",
        "/dash/1999/county/410102",
        "/dash/2024/county/41",
        "/dash/2024/district/410102",
        "/dash/2024/school/2141099999",
    ],
)
def test_unknown_pages_not_found(shared_site: Site, path: str) -> None:
    assert shared_site.get(path, "moe").status_code == 404


def test_unknown_csv_table_not_found(shared_site: Site) -> None:
    response = shared_site.get("/dash/2024/city/4101.csv", "moe", table="nothing")
    assert response.status_code == 404
    assert "children" in response.text


def test_reports_download(shared_site: Site) -> None:
    base = f"/dash/2024/county/{ZHONGYUAN}"
    workbook = shared_site.get(f"{base}/report.xlsx", "zhongyuan")
    assert workbook.status_code == 200
    assert workbook.content[:2] == b"PK"
    html = shared_site.get(f"{base}/report.html", "zhongyuan", lang="en")
    assert html.status_code == 200
    assert "中原区" in html.text
    assert shared_site.get(f"{base}/report.pdf", "zhongyuan").status_code == 404
    assert shared_site.get(f"{base}/report.xlsx", "erqi").status_code == 403


def test_api_evaluation_and_rollups(shared_site: Site) -> None:
    county = shared_site.get(f"/api/v1/evaluations/2024/{ZHONGYUAN}", "zhongyuan")
    assert county.status_code == 200
    assert county.json()["verdict"] == "pass"
    rollups = shared_site.get("/api/v1/rollups/2024/41", "henan").json()
    levels = {(r["level"], r["region_code"]) for r in rollups["verdicts"]}
    assert levels == {("province", "41"), ("city", "4101")}


def test_api_errors_use_error_shape(shared_site: Site) -> None:
    denied = shared_site.get(f"/api/v1/evaluations/2024/{ERQI}", "zhongyuan")
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "permission_denied"
    missing = shared_site.get("/api/v1/rollups/2024/99", "moe")
    assert missing.status_code == 404
    assert set(missing.json()["error"]) == {"status", "code", "message", "detail"}


def test_twin_errors_use_error_shape(shared_site: Site) -> None:
    denied = shared_site.get(f"/dash/2024/county/{ERQI}.json", "zhongyuan")
    assert denied.status_code == 403
    assert denied.headers["content-type"].startswith("application/json")
    assert denied.json()["error"]["code"] == "permission_denied"
    # 中原区 is not published, so an anonymous visitor gets 404.
    hidden = shared_site.get(f"/dash/2024/county/{ZHONGYUAN}.json", lang="en")
    assert hidden.status_code == 404
    assert hidden.headers["content-type"].startswith("application/json")
    assert hidden.json()["error"]["code"] == "not_found"
    # The page itself stays HTML.
    page = shared_site.get(f"/dash/2024/county/{ZHONGYUAN}")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")


def test_public_sees_published_counties_only(shared_site: Site) -> None:
    # 中原区 still has school 4 in review, so it is not published; 二七区 is.
    nation = _twin(shared_site, "/dash/2024/nation", "citizen")
    assert nation["audience"] == "public"
    assert nation["tables"]["summary"]["rows"][0]["counties"] == 1
    assert shared_site.get(f"/dash/2024/county/{ZHONGYUAN}").status_code == 404
    assert shared_site.get(f"/dash/2024/county/{ERQI}").status_code == 200


def test_dash_home_redirects_to_scope(shared_site: Site) -> None:
    response = shared_site.client.get(
        "/dash",
        headers={"authorization": f"Bearer {shared_site.tokens['zhengzhou']}"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/dash/2024/city/4101"
