"""Plan pages: list, run, save, view with twins, compare, rename and delete,
in Chinese and English. Runs use the real least-cost planner; saved scenarios
are synthetic (see plan_results.py)."""

from __future__ import annotations

import io
import json
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from plan_results import adjust_result
from web.plan_site import (
    SECOND,
    approve_school_a,
    approve_short_school,
    save,
    save_other_county,
)
from web.site import Site, csrf_token, post_form

from junheng.services.records import bump_data_generation


def test_header_links_plans_for_authorities(site: Site) -> None:
    assert 'href="/plans"' in site.client("zhongyuan").get("/").text
    assert 'href="/plans"' in site.client("henan").get("/?lang=en").text
    for username in ("school_a", "citizen", "evaluator"):
        assert 'href="/plans"' not in site.client(username).get("/").text


def test_list_in_both_languages(site: Site) -> None:
    scenario_id = save(site, "新聘两名教师")
    save_other_county(site)
    client = site.client("zhongyuan")
    page = client.get("/plans")
    assert page.status_code == 200
    assert "规划方案" in page.text
    assert f'href="/plans/{scenario_id}">新聘两名教师</a>' in page.text
    assert "金水方案" not in page.text
    english = client.get("/plans?lang=en")
    assert "Plans" in english.text
    assert "least-cost adjustment" in english.text
    city = site.client("zhengzhou").get("/plans?kind=adjust&year=2024").text
    assert "新聘两名教师" in city
    assert "金水方案" in city
    assert (
        "没有可查看的规划方案" in site.client("zhengzhou").get("/plans?year=2020").text
    )


def test_school_and_public_get_403(site: Site) -> None:
    scenario_id = save(site, "方案")
    for username in ("school_a", "citizen"):
        client = site.client(username)
        assert client.get("/plans").status_code == 403
        assert client.get(f"/plans/{scenario_id}").status_code == 403
        assert client.get(f"/plans/{scenario_id}.json").status_code == 403
        assert client.get("/plans/new").status_code == 403


def test_scenario_page_zh_and_en(site: Site) -> None:
    scenario_id = save(site, "新聘两名教师")
    client = site.client("zhongyuan")
    page = client.get(f"/plans/{scenario_id}").text
    assert '<h1 id="plan-name">新聘两名教师</h1>' in page
    assert "最低成本调整方案" in page
    assert "共新聘 2 名教师。" in page
    assert "调整清单" in page
    # Money with two decimals and a thousands separator: 120000 -> 120,000.00.
    assert "120,000.00" in page
    # Total cost 2 x 120000 = 240000, shown under its catalogue label.
    assert "总费用（元）" in page
    assert "240,000" in page
    assert 'src="/static/plans/plans.js"' in page
    assert 'data-chart="0"' in page
    assert "数据已更新" not in page
    english = client.get(f"/plans/{scenario_id}?lang=en").text
    assert "Hire 2 teachers in all." in english
    assert "Moves" in english
    assert "CV before" in english


def test_stale_scenario_marked(site: Site) -> None:
    scenario_id = save(site, "旧方案")
    with site.database.sessions() as session:
        bump_data_generation(session)
        session.commit()
    client = site.client("zhongyuan")
    assert "数据已更新，方案可能过时" in client.get(f"/plans/{scenario_id}").text
    assert "数据已更新" in client.get("/plans").text
    twin = client.get(f"/plans/{scenario_id}.json").json()
    assert twin["scenario"]["stale"] is True


def test_json_twin(site: Site) -> None:
    scenario_id = save(site, "方案")
    response = site.client("zhongyuan").get(f"/plans/{scenario_id}.json")
    assert response.headers["content-type"].startswith("application/json")
    twin = response.json()
    assert twin["scenario"]["name"] == "方案"
    assert twin["result"] == json.loads(json.dumps(adjust_result(_first()).to_dict()))
    charts = twin["charts"]
    # Moves: the money column over the school name; CVs: before and after.
    assert [c["table"] for c in charts] == ["moves", "indicators"]
    assert charts[0]["x"] == "school_name"
    assert charts[0]["series"] == ["cost"]
    assert charts[1]["series"] == ["before", "after"]


def _first() -> list[dict[str, object]]:
    from web.plan_site import FIRST

    return FIRST


def test_csv_twin_guard_and_bom(site: Site) -> None:
    scenario_id = save(site, "方案")
    client = site.client("zhongyuan")
    response = client.get(f"/plans/{scenario_id}.csv?table=moves")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    body = response.content
    assert body.startswith("\ufeff".encode())
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[0] == "school_code,school_name,hires,cost"
    assert lines[1] == "4101020001,中原一小,1,120000.0"
    # A school name that a spreadsheet would run as a formula gets a quote.
    assert lines[2] == "4101020002,'=HYPERLINK(1),1,120000.0"
    first = client.get(f"/plans/{scenario_id}.csv").content.decode("utf-8-sig")
    assert first.splitlines()[0] == lines[0]
    missing = client.get(f"/plans/{scenario_id}.csv?table=nothing")
    assert missing.status_code == 404
    assert "moves, indicators" in missing.text


def test_excel_twin(site: Site) -> None:
    scenario_id = save(site, "方案")
    response = site.client("zhongyuan").get(f"/plans/{scenario_id}.xlsx?lang=en")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Overview", "Moves", "CVs"]
    assert [c.value for c in book["Moves"][1]] == [
        "School code",
        "School name",
        "Hires",
        "Cost (yuan)",
    ]
    assert [c.value for c in book["Moves"][2]] == ["4101020001", "中原一小", 1, 120000]


def test_unknown_pages_are_404(site: Site) -> None:
    client = site.client("zhongyuan")
    assert client.get("/plans/999").status_code == 404
    assert client.get("/plans/1.pdf").status_code == 404
    assert client.get("/plans/abc").status_code == 404
    assert client.get("/plans/new?kind=nonsense").status_code == 404


def test_other_county_cannot_open_or_compare(site: Site) -> None:
    own = save(site, "中原方案")
    other = save_other_county(site)
    client = site.client("zhongyuan")
    assert client.get(f"/plans/{other}").status_code == 403
    assert client.get(f"/plans/{other}.csv").status_code == 403
    assert client.get(f"/plans/compare?a={own}&b={other}").status_code == 403
    evaluator = site.client("evaluator")
    assert evaluator.get(f"/plans/{other}").status_code == 200
    assert evaluator.get(f"/plans/{own}").status_code == 403


def test_compare_page(site: Site) -> None:
    a = save(site, "甲")
    b = save(site, "乙", adjust_result(SECOND, cv_after=0.45))
    client = site.client("zhongyuan")
    view = client.get(f"/plans/{a}").text
    assert f'<option value="{b}">乙 (2024)</option>' in view
    page = client.get(f"/plans/compare?a={a}&b={b}")
    assert page.status_code == 200
    text = page.text
    # Total cost: A 240000, B 2 x 120000 = 240000, so the difference is 0.
    assert "240,000" in text
    # 中原一小: 1 -> 2 hires, shown as "1 → 2 (+1)".
    assert "1 → 2 (+1)" in text
    assert "仅 A 有" in text
    english = client.get(f"/plans/compare?a={a}&b={b}&lang=en").text
    assert "only in A" in english
    assert "Difference (B − A)" in english


def test_rename_and_delete(site: Site) -> None:
    a = save(site, "甲")
    save(site, "乙")
    client = site.client("zhongyuan")
    path = f"/plans/{a}"
    duplicate = post_form(client, f"{path}/rename", {"name": "乙"})
    assert duplicate.status_code == 409
    assert "已有名为“乙”的同类方案" in duplicate.text
    renamed = post_form(client, f"{path}/rename", {"name": "丙"})
    assert renamed.status_code == 303
    assert '<h1 id="plan-name">丙</h1>' in client.get(path).text
    assert post_form(site.client("evaluator"), f"{path}/delete", {}).status_code == 403
    deleted = post_form(client, f"{path}/delete", {})
    assert deleted.status_code == 303
    assert deleted.headers["location"] == "/plans"
    assert client.get(path).status_code == 404


def test_forms_need_csrf(site: Site) -> None:
    a = save(site, "甲")
    client = site.client("zhongyuan")
    response = client.post(f"/plans/{a}/delete", follow_redirects=False)
    assert response.status_code == 403
    assert client.get(f"/plans/{a}").status_code == 200


def test_new_form_without_planner(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    from junheng.services import plans

    absent = plans.Planner("junheng.planning.not_installed", "plan", "Options", "o")
    monkeypatch.setitem(plans.PLANNERS, "pairing", absent)
    page = site.client("zhongyuan").get("/plans/new?kind=pairing")
    assert page.status_code == 200
    assert 'id="plan-unavailable"' in page.text
    assert "junheng.planning.not_installed" in page.text


def test_run_and_save_through_forms(site: Site) -> None:
    approve_short_school(site)
    client = site.client("zhongyuan")
    form = client.get("/plans/new?kind=adjust")
    assert 'name="p_hire_yuan"' in form.text
    assert 'placeholder="100,000"' in form.text
    assert 'value="410102"' in form.text
    token = csrf_token(client, "/plans/new?kind=adjust")
    fields = {
        "csrf_token": token,
        "kind": "adjust",
        "division": "410102",
        "year": "2024",
        "p_hire_yuan": "90000",
        "p_max_hires_per_school": "",
    }
    ran = client.post("/plans/new", data=fields)
    assert ran.status_code == 200, ran.text
    assert "270,000.00" in ran.text  # 3 hires × 90,000 yuan
    assert 'id="save-form"' in ran.text
    result = re.search(r'name="result" value="([^"]+)"', ran.text)
    signature = re.search(r'name="signature" value="([^"]+)"', ran.text)
    assert result is not None
    assert signature is not None
    import html

    saved_fields = {
        "csrf_token": token,
        "result": html.unescape(result.group(1)),
        "signature": signature.group(1),
        "name": "每校新聘一人",
        "note": "合成数据测试",
    }
    saved = client.post("/plans", data=saved_fields, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    page = client.get(saved.headers["location"]).text
    assert "每校新聘一人" in page
    assert "合成数据测试" in page
    again = client.post("/plans", data=saved_fields, follow_redirects=False)
    assert again.status_code == 409
    assert 'id="save-error"' in again.text
    tampered = dict(saved_fields, result=saved_fields["result"].replace("90000", "1"))
    forged = client.post("/plans", data=tampered, follow_redirects=False)
    assert forged.status_code == 422
    assert "规划结果与其签名不符" in forged.text


def test_run_form_errors_shown(site: Site) -> None:
    client = site.client("zhongyuan")
    token = csrf_token(client, "/plans/new?kind=adjust")
    base = {"csrf_token": token, "kind": "adjust", "division": "410102"}
    no_data = client.post("/plans/new", data={**base, "year": "2024"})
    assert no_data.status_code == 404
    assert "没有已审定的学校数据" in no_data.text
    bad_number = client.post(
        "/plans/new", data={**base, "year": "2024", "p_max_hires_per_school": "many"}
    )
    assert bad_number.status_code == 422
    assert (
        "参数 max_hires_per_school 的值 many 不是 -10,000,000 到 10,000,000 之间"
        in (bad_number.text)
    )
    # 1e9 is a number, but not a whole number in digits within the range.
    huge = client.post(
        "/plans/new", data={**base, "year": "2024", "p_max_iterations": "1e9"}
    )
    assert huge.status_code == 422
    assert "参数 max_iterations 的值 1e9 不是 -10,000,000 到 10,000,000 之间" in (
        huge.text
    )
    assert "不带小数点或指数" in huge.text
    too_many = client.post(
        "/plans/new?lang=en",
        data={**base, "year": "2024", "p_max_iterations": "10000001"},
    )
    assert too_many.status_code == 422
    assert "is not a whole number from -10,000,000 to 10,000,000" in too_many.text
    bad_year = client.post("/plans/new?lang=en", data={**base, "year": "19"})
    assert bad_year.status_code == 422
    assert "is not a school year" in bad_year.text
    other = client.post(
        "/plans/new", data={**base, "division": "410105", "year": "2024"}
    )
    assert other.status_code == 403


def test_new_plan_defaults_to_approved_year(site: Site) -> None:
    approve_school_a(site)
    own = site.client("zhongyuan")
    assert 'name="year" value="2024"' in own.get("/plans/new?kind=adjust").text
    chosen = own.get("/plans/new?kind=adjust&year=2023").text
    assert 'name="year" value="2023"' in chosen
    # 金水区 has no approved data, so its form falls back to last year.
    fallback = date.today().year - 1
    other = site.client("jinshui").get("/plans/new?kind=adjust").text
    assert f'name="year" value="{fallback}"' in other
