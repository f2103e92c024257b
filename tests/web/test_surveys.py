"""Survey pages, the answer page and the survey API over a real database."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from factories import DEPUTY_ANSWERS
from openpyxl import load_workbook
from sqlalchemy import select, text
from web.site import Site, assert_error, make_app, post_form

from junheng.services import reporting, surveys
from junheng.store.models import SurveyAnswer

YEAR = 2025
PUBLIC_ITEMS = ("P1", "P2", "P3", "P4", "P5", "P6", "P7")
STUDENT_ITEMS = ("U1", "U2", "U3", "U4", "U5", "U6")


def open_round(site: Site, population: int = 4000) -> int:
    with site.database.sessions() as session:
        survey = surveys.open_round(
            session,
            site.principals["zhongyuan"],
            "410102",
            YEAR,
            population,
            {"urban": 2, "town": 1, "rural": 1},
        )
        session.commit()
        return survey.id


def issue(site: Site, round_id: int) -> list[surveys.IssuedLink]:
    with site.database.sessions() as session:
        links = surveys.issue_links(session, site.principals["zhongyuan"], round_id)
        session.commit()
        return links


def answers(value: str, items: tuple[str, ...] = PUBLIC_ITEMS) -> dict[str, str]:
    return dict.fromkeys(items, value)


def parent_token(site: Site) -> str:
    links = issue(site, open_round(site))
    return next(link.token for link in links if link.group == "parents")


def test_open_round_through_form(site: Site) -> None:
    client = site.client("zhongyuan")
    response = post_form(
        client,
        "/surveys",
        {
            "county": "410102",
            "year": YEAR,
            "population": 523417,
            "urban": 300000,
            "town": 150000,
            "rural": 73417,
        },
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert page.status_code == 200
    # ceil(523417 × 1.5‰) = 786, as worked out in the design tests.
    assert "786" in page.text
    assert "本轮调查进行中" in page.text


def test_open_round_bad_strata(site: Site) -> None:
    client = site.client("zhongyuan")
    response = post_form(
        client,
        "/surveys",
        {
            "county": "410102",
            "year": YEAR,
            "population": 1000,
            "urban": 0,
            "town": 0,
            "rural": 0,
        },
    )
    assert response.status_code == 422
    assert "add up to 0" in response.text or "抽样设计输入有误" in response.text


def test_issue_download_has_links(site: Site) -> None:
    round_id = open_round(site)
    client = site.client("zhongyuan")
    response = post_form(client, f"/surveys/{round_id}/links", {"extra_percent": 0})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert set(archive.namelist()) == {"links.xlsx", "qr-sheets.html"}
    sheet = load_workbook(io.BytesIO(archive.read("links.xlsx"))).active
    assert sheet is not None
    urls = [row[4] for row in sheet.iter_rows(min_row=4, values_only=True)]
    # 4000 × 1.5‰ = 6 links: parents 3, deputies, CPPCC members, residents 1.
    assert len(urls) == 6
    assert all(str(url).startswith("http://testserver/s/") for url in urls)
    html = archive.read("qr-sheets.html").decode()
    assert html.count("<svg") == 6
    # The link works on the answer page.
    page = site.client().get(str(urls[0]).removeprefix("http://testserver"))
    assert page.status_code == 200


def test_answer_once_without_cookie(site: Site) -> None:
    token = parent_token(site)
    client = site.client()
    page = client.get(f"/s/{token}")
    assert page.status_code == 200
    assert "set-cookie" not in page.headers
    assert 'name="csrf_token"' not in page.text
    done = client.post(f"/s/{token}", data=answers("satisfied"), follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"] == "/s/thanks"
    assert "set-cookie" not in done.headers
    again = client.post(f"/s/{token}", data=answers("dissatisfied"))
    assert again.status_code == 409
    assert "已经作答过" in again.text
    assert client.get(f"/s/{token}").status_code == 409
    with site.database.sessions() as session:
        stored = session.scalars(select(SurveyAnswer)).all()
    assert len(stored) == 1
    assert stored[0].answers == answers("satisfied")


def test_random_token_leaks_nothing(site: Site) -> None:
    token = parent_token(site)
    client = site.client()
    guess = "A" * 22
    near = token[:-1] + ("B" if token[-1] != "B" else "C")
    first = client.get(f"/s/{guess}")
    second = client.get(f"/s/{near}")
    assert first.status_code == 404
    assert second.status_code == 404
    # The pages differ only in the token echoed in the language links.
    assert first.text.replace(guess, "TOKEN") == second.text.replace(near, "TOKEN")
    posted = client.post("/s/" + "A" * 22, data=answers("satisfied"))
    assert posted.status_code == 404


def test_incomplete_answer_shows_form(site: Site) -> None:
    token = parent_token(site)
    form = answers("satisfied")
    del form["P3"]
    form["P4"] = "<script>alert(1)</script>"
    response = site.client().post(f"/s/{token}", data=form)
    assert response.status_code == 422
    assert 'href="#q-P3"' in response.text
    assert 'href="#q-P4"' in response.text
    assert "<script>alert(1)</script>" not in response.text
    with site.database.sessions() as session:
        assert session.scalars(select(SurveyAnswer)).all() == []


def test_answer_row_carries_nothing_from_request(site: Site) -> None:
    token = parent_token(site)
    marker = "MARKER-7f3a"
    response = site.client().post(
        f"/s/{token}",
        data={**answers("satisfied"), "name": f"张三{marker}", "phone": "13800000000"},
        headers={
            "user-agent": f"phone-browser {marker}",
            "x-forwarded-for": "203.0.113.9",
            "cookie": f"tracking={marker}",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    with site.database.engine.connect() as connection:
        dump = " ".join(
            str(row)
            for table in ("survey_answers", "survey_link_uses")
            for row in connection.execute(text(f"SELECT * FROM {table}"))
        )
    for fragment in (marker, "203.0.113.9", "testclient", "13800000000", "张三"):
        assert fragment not in dump
    with site.database.sessions() as session:
        stored = session.scalars(select(SurveyAnswer)).one()
    assert set(stored.answers) == set(PUBLIC_ITEMS)


def test_large_form_rejected(site: Site) -> None:
    token = parent_token(site)
    response = site.client().post(
        f"/s/{token}",
        content=b"P1=" + b"x" * 20_000,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413


def test_guessing_is_rate_limited(site: Site) -> None:
    client = site.client()
    statuses = [client.get(f"/s/guess{n:04d}").status_code for n in range(31)]
    assert statuses[:30] == [404] * 30
    assert statuses[30] == 429


def close(site: Site, round_id: int) -> None:
    with site.database.sessions() as session:
        surveys.close_round(session, site.principals["zhongyuan"], round_id)
        session.commit()


def answer_round(site: Site) -> int:
    round_id = open_round(site)
    links = issue(site, round_id)
    parents = [link.token for link in links if link.group == "parents"]
    mixed = answers("satisfied")
    mixed.update(P1="dissatisfied", P2="dont_know")
    client = site.client()
    for token, form in zip(
        parents, (answers("very_satisfied"), mixed, answers("neutral")), strict=True
    ):
        response = client.post(f"/s/{token}", data=form, follow_redirects=False)
        assert response.status_code == 303
    return round_id


def with_min_answers(site: Site, min_answers: int) -> Site:
    """Return ``site`` served with another ``survey_min_answers``."""
    app = make_app(site.database, survey_min_answers=min_answers)
    return Site(site.database, app, site.principals)


def test_round_page_and_twins(site: Site) -> None:
    round_id = answer_round(site)
    close(site, round_id)
    # The 3 parents reach a minimum of 3, so their rates are shown.
    client = with_min_answers(site, 3).client("zhongyuan")
    page = client.get(f"/surveys/{round_id}")
    assert page.status_code == 200
    # Parents: 7 + 5 + 0 satisfied of 7 + 6 + 7 valid = 12 / 20 = 60.0%.
    assert "60.0%" in page.text
    assert 'id="survey-lowest"' in page.text
    view = client.get(f"/surveys/{round_id}.json").json()
    parents = next(
        r for r in view["tables"]["groups"]["rows"] if r["group"] == "parents"
    )
    assert parents["satisfied"] == 12
    assert parents["valid"] == 20
    assert parents["rate"] == 60.0
    assert view["overall"]["passed"] is False
    # P3–P7: 1 + 1 of 3 valid = 66.6…% rounded down to 66.6; P1: 1 of 3 = 33.3;
    # P2: 1 of 2 = 50.0. The lowest three: P1, P2, then P3 (ties by id).
    assert view["overall"]["lowest_items"] == ["P1", "P2", "P3"]
    csv = client.get(f"/surveys/{round_id}.csv?table=cells")
    assert csv.status_code == 200
    assert csv.content.startswith("\ufeff".encode())
    assert "group,stratum,band,label,target,issued,answered" in csv.text
    assert client.get(f"/surveys/{round_id}.csv?table=nope").status_code == 404


def test_round_scope(site: Site) -> None:
    round_id = open_round(site)
    assert site.client("jinshui").get(f"/surveys/{round_id}").status_code == 403
    assert site.client("zhengzhou").get(f"/surveys/{round_id}").status_code == 200
    listing = site.client("jinshui").get("/surveys")
    assert f'href="/surveys/{round_id}"' not in listing.text
    denied = post_form(site.client("jinshui"), f"/surveys/{round_id}/links", {})
    assert denied.status_code == 403


def test_write_county_item_from_page(site: Site) -> None:
    round_id = answer_round(site)
    client = with_min_answers(site, 3).client("zhongyuan")
    refused = post_form(client, f"/surveys/{round_id}/county-item", {})
    assert refused.status_code == 409
    assert "尚未结束" in refused.text
    reason = {"override_reason": "其他组链接未送达"}
    # An open round shows no rate, so a reason does not let it be written.
    still_open = post_form(client, f"/surveys/{round_id}/county-item", reason)
    assert still_open.status_code == 422
    assert "请先结束本轮" in still_open.text
    close(site, round_id)
    # Closed with 3 of 6 answers: short of the design, so a reason is needed;
    # with a minimum of 3 the 3 parents' overall rate shows and may be written.
    response = post_form(client, f"/surveys/{round_id}/county-item", reason)
    assert response.status_code == 303
    assert response.headers["location"] == f"/surveys/{round_id}?written=1"
    record = client.get(f"/api/v1/county-items/410102/{YEAR}/records").json()
    assert record[-1]["status"] == "draft"


def test_close_stops_answers(site: Site) -> None:
    round_id = open_round(site)
    token = next(link.token for link in issue(site, round_id))
    response = post_form(site.client("zhongyuan"), f"/surveys/{round_id}/close", {})
    assert response.status_code == 303
    posted = site.client().post(f"/s/{token}", data=answers("satisfied"))
    assert posted.status_code == 410


def test_api_round_lifecycle(site: Site) -> None:
    headers = site.token("zhongyuan")
    client = site.client()
    body: dict[str, Any] = {
        "division_code": "410102",
        "year": YEAR,
        "population": 4000,
        "stratum_population": {"urban": 2, "town": 1, "rural": 1},
    }
    created = client.post("/api/v1/surveys", json=body, headers=headers)
    assert created.status_code == 201
    round_id = created.json()["id"]
    assert created.json()["design"]["total"] == 6

    links = client.post(
        f"/api/v1/surveys/{round_id}/links", json={"extra_percent": 0}, headers=headers
    )
    assert links.status_code == 200
    urls = [link["url"] for link in links.json()]
    assert len(urls) == 6

    path = urls[0].removeprefix("http://testserver")
    assert (
        client.post(path, data=answers("satisfied"), follow_redirects=False).status_code
        == 303
    )
    results = client.get(f"/api/v1/surveys/{round_id}/results?lang=en", headers=headers)
    assert results.status_code == 200
    # One answer is below the default minimum of 5: the overall would be
    # that person's answers.
    assert results.json()["overall"]["rate"] is None
    assert results.json()["overall"]["suppressed"] is True
    assert results.json()["min_answers"] == 5

    other = client.get(f"/api/v1/surveys/{round_id}", headers=site.token("jinshui"))
    assert_error(other, 403, "permission_denied")
    missing = client.get("/api/v1/surveys/999999", headers=headers)
    assert_error(missing, 404, "not_found")
    bad = dict(body, stratum_population={"urban": 1})
    assert_error(client.post("/api/v1/surveys", json=bad, headers=headers), 422)


def test_answer_page_english(site: Site) -> None:
    token = parent_token(site)
    page = site.client().get(f"/s/{token}?lang=en")
    assert "How satisfied are you" in page.text
    assert "not the" in page.text


def test_small_groups_suppressed(site: Site) -> None:
    round_id = answer_round(site)
    close(site, round_id)
    client = site.client("zhongyuan")
    view = client.get(f"/surveys/{round_id}.json").json()
    assert view["min_answers"] == 5
    # 3 parents answered, fewer than the default minimum of 5.
    parents = next(
        r for r in view["tables"]["groups"]["rows"] if r["group"] == "parents"
    )
    assert parents["respondents"] == 3
    assert parents["suppressed"] is True
    assert parents["rate"] is None
    assert parents["satisfied"] is None
    # Only parents were asked P1–P7, so every question is suppressed too.
    for row in view["tables"]["items"]["rows"]:
        if row["questionnaire"] == "public":
            assert row["rate"] is None, row
    # The 3 parents are everyone who answered, so the overall figures would
    # be theirs (12 / 20 = 60.0%) and are hidden too.
    overall = view["overall"]
    assert overall["suppressed"] is True
    assert overall["rate"] is None
    assert overall["satisfied"] is None
    assert overall["valid"] is None
    assert overall["passed"] is None
    page = client.get(f"/surveys/{round_id}").text
    assert "60.0%" not in page
    assert "不显示总体满意率和结论" in page
    csv = client.get(f"/surveys/{round_id}.csv?table=groups").text
    assert "parents,学生家长,3,3,,,\n" in csv
    api = client.get(
        f"/api/v1/surveys/{round_id}/results", headers=site.token("zhongyuan")
    ).json()
    groups = api["tables"]["groups"]["rows"]
    assert next(r for r in groups if r["group"] == "parents")["rate"] is None


def test_answer_link_not_cached(site: Site) -> None:
    round_id = open_round(site)
    token = next(link.token for link in issue(site, round_id))
    client = site.client()
    page = client.get(f"/s/{token}")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    done = client.post(f"/s/{token}", data=answers("satisfied"), follow_redirects=False)
    assert done.headers["cache-control"] == "no-store"
    used = client.get(f"/s/{token}")
    assert used.status_code == 409
    assert used.headers["cache-control"] == "no-store"
    unknown = client.get("/s/not-a-token")
    assert unknown.headers["cache-control"] == "no-store"
    assert "no-store" not in client.get("/feedback").headers.get("cache-control", "")


def test_write_county_item_checks_platform_framework(
    site: Site, tmp_path: Path
) -> None:
    # A platform framework without the satisfaction item S1 rejects the write.
    path = tmp_path / "no-s1.yaml"
    path.write_text(
        "id: cn-2017-quality-no-s1\nextends: cn-2017-quality\nremove: [S1]\n",
        encoding="utf-8",
    )
    round_id = answer_round(site)
    close(site, round_id)
    # A minimum of 3 shows the 3 parents' overall rate, so only S1 is wrong.
    site.app = make_app(site.database, framework=str(path), survey_min_answers=3)
    response = site.client().post(
        f"/api/v1/surveys/{round_id}/county-item",
        params={"override_reason": "其他组链接未送达"},
        headers=site.token("zhongyuan"),
    )
    assert_error(response, 422, "invalid_input")
    [issue] = response.json()["error"]["detail"]
    assert issue["rule"] == "unknown_item"
    assert issue["value"] == "S1"


def answer_links(
    site: Site, links: list[surveys.IssuedLink], group: str, values: list[str]
) -> None:
    tokens = [link.token for link in links if link.group == group]
    client = site.client()
    for token, value in zip(tokens, values, strict=False):
        response = client.post(
            f"/s/{token}", data=answers(value), follow_redirects=False
        )
        assert response.status_code == 303


def test_one_deputy_not_derivable(site: Site) -> None:
    # 20,000 residents: ceil(30) = 30 links, 15 of them parents' and 3
    # deputies'. 10 parents answer (7 all satisfied, 3 all dissatisfied) and
    # one deputy answers all very dissatisfied.
    round_id = open_round(site, population=20000)
    links = issue(site, round_id)
    answer_links(site, links, "parents", ["satisfied"] * 7 + ["dissatisfied"] * 3)
    answer_links(site, links, "deputies", ["very_dissatisfied"])
    close(site, round_id)
    client = site.client("zhongyuan")
    view = client.get(f"/surveys/{round_id}.json").json()
    groups = {r["group"]: r for r in view["tables"]["groups"]["rows"]}
    # Overall: 7 × 7 = 49 satisfied of 11 × 7 = 77 valid. With the parents'
    # 49 / 70 shown, 77 − 70 would leave the deputy's 0 of 7, so the parents
    # are hidden as well.
    assert view["overall"]["satisfied"] == 49
    assert view["overall"]["valid"] == 77
    assert view["overall"]["rate"] == 63.6
    for key in ("parents", "deputies"):
        assert groups[key]["suppressed"] is True, key
        assert groups[key]["satisfied"] is None, key
        assert groups[key]["valid"] is None, key
        assert groups[key]["rate"] is None, key
    assert groups["parents"]["respondents"] == 10
    assert groups["deputies"]["respondents"] == 1
    shown = [r for r in groups.values() if r["satisfied"] is not None]
    assert sum(r["valid"] for r in shown) == 0
    # The public items pool 11 people and stay visible.
    items = {r["item"]: r for r in view["tables"]["items"]["rows"]}
    assert (items["P1"]["satisfied"], items["P1"]["valid"]) == (7, 11)
    csv = client.get(f"/surveys/{round_id}.csv?table=groups").text
    assert "parents,学生家长,15,10,,,\n" in csv
    assert "deputies,人大代表,3,1,,,\n" in csv
    api = client.get(
        f"/api/v1/surveys/{round_id}/results", headers=site.token("zhongyuan")
    ).json()
    assert api["tables"]["groups"] == view["tables"]["groups"]
    page = client.get(f"/surveys/{round_id}").text
    assert "63.6%（49/77）" in page
    assert "70" not in page.split('id="table-groups"')[1].split("</table>")[0]


FIGURES = ("satisfied", "valid", "rate")


def shown_figures(view: dict[str, Any]) -> list[Any]:
    """Return every satisfied count, valid count and rate that ``view`` shows."""
    rows = [view["overall"], *view["tables"]["groups"]["rows"]]
    rows += view["tables"]["items"]["rows"]
    return [row[key] for row in rows for key in FIGURES if row[key] is not None]


def test_one_answer_not_derivable_from_two_views(site: Site) -> None:
    # 6000 urban residents; 5 parents answer all very
    # satisfied, then the only deputy answers as below.
    headers = site.token("zhongyuan")
    client = site.client()
    body = {
        "division_code": "410102",
        "year": YEAR,
        "population": 6000,
        "stratum_population": {"urban": 6000, "town": 0, "rural": 0},
    }
    round_id = client.post("/api/v1/surveys", json=body, headers=headers).json()["id"]
    links = client.post(
        f"/api/v1/surveys/{round_id}/links", json={"extra_percent": 0}, headers=headers
    ).json()
    by_group: dict[str, list[str]] = {}
    for link in links:
        path = link["url"].removeprefix("http://testserver")
        by_group.setdefault(link["group"], []).append(path)
    assert len(by_group["parents"]) == 5
    assert len(by_group["deputies"]) == 1
    for path in by_group["parents"]:
        done = client.post(path, data=answers("very_satisfied"), follow_redirects=False)
        assert done.status_code == 303
    results = f"/api/v1/surveys/{round_id}/results"
    before = client.get(results, headers=headers).json()
    deputy = DEPUTY_ANSWERS
    done = client.post(by_group["deputies"][0], data=deputy, follow_redirects=False)
    assert done.status_code == 303
    after = client.get(results, headers=headers).json()
    # While the round is open, neither view shows any satisfied count, valid
    # count, rate or verdict, so their difference tells nothing; only the
    # counts of respondents (5, then 6) show.
    for view in (before, after):
        assert shown_figures(view) == []
        assert view["overall"]["open_round"] is True
        assert view["overall"]["passed"] is None
    groups = {r["group"]: r for r in after["tables"]["groups"]["rows"]}
    assert (groups["parents"]["respondents"], groups["deputies"]["respondents"]) == (
        5,
        1,
    )
    owner = site.client("zhongyuan")
    for twin in (f"/surveys/{round_id}.json", f"/api/v1/surveys/{round_id}/results"):
        view = owner.get(twin).json() if twin.endswith("json") else after
        assert shown_figures(view) == []
    csv = owner.get(f"/surveys/{round_id}.csv?table=items").text
    # Every item row ends in three empty cells (satisfied, valid, rate).
    assert all(line.endswith(",,,") for line in csv.splitlines()[1:] if line)
    page = owner.get(f"/surveys/{round_id}").text
    assert "本轮调查进行中" in page
    # The S1 write of an open round is refused even with a reason (422).
    write = f"/api/v1/surveys/{round_id}/county-item"
    refused = client.post(write, params={"override_reason": "test"}, headers=headers)
    assert_error(refused, 422, "invalid_input")
    # Messages are in Chinese by default.
    assert "请先结束本轮" in refused.json()["error"]["message"]

    # Closed: P4 would be 6 satisfied of 6 valid, telling that the deputy was
    # satisfied, so the public items are hidden instead. The parents (5, at
    # the minimum) show 35 of 35 (5 people × 7 items). Overall − parents is
    # the deputy alone (1 < 5), so the overall is hidden too.
    close(site, round_id)
    closed = client.get(results, headers=headers).json()
    groups = {r["group"]: r for r in closed["tables"]["groups"]["rows"]}
    assert (groups["parents"]["satisfied"], groups["parents"]["valid"]) == (35, 35)
    assert groups["deputies"]["suppressed"] is True
    public = [r for r in closed["tables"]["items"]["rows"] if r["item"] in deputy]
    assert all(r["suppressed"] and r["valid"] is None for r in public)
    assert closed["overall"]["suppressed"] is True
    assert closed["overall"]["open_round"] is False
    # Apart from the 0 of 0 of groups and items nobody answered, the parents'
    # row is all that shows.
    assert [f for f in shown_figures(closed) if f] == [35, 35, 100.0]
    # The write follows the page: refused, naming the minimum and the group.
    refused = client.post(write, params={"override_reason": "test"}, headers=headers)
    assert_error(refused, 422, "invalid_input")
    message = refused.json()["error"]["message"]
    assert "答卷不足 5 人" in message
    assert "人大代表 1 人" in message
    with site.database.sessions() as session:
        assert reporting_versions(session, site) == 0


def reporting_versions(session: Any, site: Site) -> int:
    """Return how many county-item versions 中原区 has for YEAR."""
    return len(
        reporting.county_versions(session, site.principals["zhongyuan"], "410102", YEAR)
    )
