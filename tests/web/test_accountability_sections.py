"""The feedback and survey sections of ``/accountability``, its twins and the
API, on SQLite and PostgreSQL, with numbers worked out by hand.

The store (synthetic records over the real division codes of 郑州市) holds:

- 中原区 (410102): two feedback items received Monday 3 November 2025 and due
  Monday 17 November; one answered on the 17th and rated 4, one never
  answered. One open survey round of 4,000 people, whose design is
  ceil(4000 × 1.5‰) = 6 answers, with two parents' answers: all seven items
  "satisfied" (7 satisfied of 7 valid) and all seven "neutral" (0 of 7).
- 金水区 (410105): no feedback; one closed round of 4,000 people (design 6)
  with one parent's answer, all "satisfied" (7 of 7).
- every other county of 郑州市: nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest
from web.site import Site, make_app

from junheng.services import feedback, surveys

YEAR = 2025
CONTACT = "feedback-sender@example.org"
PHONE = "13912345678"
BEIJING = dt.timezone(dt.timedelta(hours=8))
PARENT_ITEMS = ("P1", "P2", "P3", "P4", "P5", "P6", "P7")


@pytest.fixture
def site(site: Site) -> Site:
    """Serve the shared site with ``survey_min_answers`` 1, so the rounds of one
    or two answers show their rates; a test below checks the default of 5."""
    app = make_app(site.database, survey_min_answers=1)
    return Site(site.database, app, site.principals)


def at(day: str, hour: int = 10) -> dt.datetime:
    """Return ``hour`` o'clock Beijing time on ``day``."""
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=BEIJING)


def parent_tokens(
    site: Site, user: str, county: str, count: int
) -> tuple[int, list[str]]:
    with site.database.sessions() as session:
        survey = surveys.open_round(
            session,
            site.principals[user],
            county,
            YEAR,
            4000,
            {"urban": 2, "town": 1, "rural": 1},
        )
        links = surveys.issue_links(session, site.principals[user], survey.id)
        session.commit()
        tokens = [link.token for link in links if link.group == "parents"]
        return survey.id, tokens[:count]


def answer(site: Site, token: str, value: str) -> None:
    with site.database.sessions() as session:
        surveys.submit_answers(
            session, token, dict.fromkeys(PARENT_ITEMS, value), dt.date(2025, 11, 20)
        )
        session.commit()


def close(site: Site, user: str, round_id: int) -> None:
    with site.database.sessions() as session:
        surveys.close_round(session, site.principals[user], round_id)
        session.commit()


def seed(site: Site) -> int:
    """Store the feedback and rounds below; return 中原区's round, left open."""
    with site.database.sessions() as session:
        items = [
            feedback.submit(
                session,
                feedback.ANONYMOUS,
                category="admission",
                division_code="410102",
                text="招生划片不公开。",
                contact=contact,
                now=at("2025-11-03"),
            )
            for contact in (CONTACT, PHONE)
        ]
        session.flush()
        feedback.answer(
            session,
            site.principals["zhongyuan"],
            items[0].id,
            "已公开。",
            at("2025-11-17", 20),
        )
        feedback.rate(session, items[0].tracking_code, 4)
        session.commit()
    zhongyuan_round, zhongyuan = parent_tokens(site, "zhongyuan", "410102", 2)
    answer(site, zhongyuan[0], "satisfied")
    answer(site, zhongyuan[1], "neutral")
    jinshui_round, jinshui = parent_tokens(site, "jinshui", "410105", 1)
    answer(site, jinshui[0], "satisfied")
    close(site, "jinshui", jinshui_round)
    return zhongyuan_round


def by_code(body: dict[str, Any], table: str) -> dict[str, dict[str, Any]]:
    return {row["code"]: row for row in body["tables"][table]["rows"]}


def test_city_sees_every_county(site: Site) -> None:
    zhongyuan_round = seed(site)
    client = site.client("zhengzhou")
    body = client.get("/accountability.json", params={"year": YEAR}).json()
    assert body["prefix"] == "4101"

    fb = by_code(body, "feedback")
    # 中原区: received 2 = on time 1 (answered 17 Nov ≤ due 17 Nov) + overdue 1
    # (unanswered, due 17 Nov 2025, counted in a later year); share 1 / 2 = 50 %;
    # one rating, 4.
    zhongyuan = fb["410102"]
    assert [
        zhongyuan[k]
        for k in (
            "received",
            "answered",
            "answered_on_time",
            "overdue",
            "open_not_due",
            "on_time_share",
            "rated",
            "mean_rating",
        )
    ] == [2, 1, 1, 1, 0, 50.0, 1, 4.0]
    # A county without feedback is a row of zeros, not a missing row.
    for county in ("410105", "410103"):
        assert fb[county]["received"] == 0
        assert fb[county]["answered"] == 0
        assert fb[county]["on_time_share"] is None
    assert body["tables"]["feedback"]["rows"][0]["code"] == "410102"

    sv = by_code(body, "surveys")
    # 中原区: design 6, 2 answers: 2 / 6 = 33.33 % → 33.3. Its round is open,
    # and an open round's page shows no rate, so the row has none either.
    assert (sv["410102"]["answered"], sv["410102"]["answered_share"]) == (2, 33.3)
    assert (sv["410102"]["satisfaction"], sv["410102"]["passed"]) == (None, None)
    assert (sv["410102"]["rounds_passed"], sv["410102"]["rounds_failed"]) == (0, 0)
    close(site, "zhongyuan", zhongyuan_round)
    body = client.get("/accountability.json", params={"year": YEAR}).json()
    sv = by_code(body, "surveys")
    # Closed: satisfaction (7 + 0) / (7 + 7) = 50 %, below 85 %.
    assert sv["410102"] | {"name": ""} == {
        "rank": 2,
        "code": "410102",
        "name": "",
        "rounds": 1,
        "rounds_open": 0,
        "rounds_closed": 1,
        "design_total": 6,
        "answered": 2,
        "answered_share": 33.3,
        "satisfaction": 50.0,
        "passed": False,
        "rounds_passed": 0,
        "rounds_failed": 1,
    }
    # 金水区: 1 / 6 = 16.67 % → 16.6 (rounded down); 7 / 7 = 100 % passes.
    jinshui = sv["410105"]
    assert (jinshui["rank"], jinshui["rounds_closed"], jinshui["answered_share"]) == (
        1,
        1,
        16.6,
    )
    assert (jinshui["satisfaction"], jinshui["passed"]) == (100.0, True)
    # 二七区 had no round: zeros and no rate.
    erqi = sv["410103"]
    assert (erqi["rounds"], erqi["answered"], erqi["design_total"]) == (0, 0, 0)
    assert (erqi["satisfaction"], erqi["passed"]) == (None, None)
    assert set(sv) == set(fb)
    assert len(sv) > 2

    charts = {c["id"]: c for c in body["charts"]}
    assert charts["feedback"]["series"] == [
        "answered_on_time",
        "overdue",
        "open_not_due",
    ]
    assert charts["surveys-rate"]["series"] == ["satisfaction"]

    api = client.get("/api/v1/accountability", params={"year": YEAR}).json()
    assert api["tables"] == body["tables"]

    page = client.get("/accountability", params={"year": YEAR}).text
    assert 'id="table-feedback"' in page
    assert 'id="table-surveys"' in page
    assert "未达标" in page
    assert "达标" in page

    raw = client.get(
        "/accountability.csv", params={"year": YEAR, "table": "surveys"}
    ).content
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0]["code"] == "410105"
    assert rows[0]["satisfaction"] == "100.0"


def test_province_pools_its_cities(site: Site) -> None:
    close(site, "zhongyuan", seed(site))
    body = site.client("henan").get("/accountability.json", params={"year": YEAR})
    sv = by_code(body.json(), "surveys")
    zhengzhou = sv["4101"]
    # Two rounds of design 6 each: 3 answers of 12 = 25 %. Pooled rate
    # (7 + 0 + 7) / (7 + 7 + 7) = 14 / 21 = 66.67 % → 66.6, below 85 %,
    # though 金水区's own round passes.
    assert (zhengzhou["rounds"], zhengzhou["design_total"]) == (2, 12)
    assert (zhengzhou["answered"], zhengzhou["answered_share"]) == (3, 25.0)
    assert (zhengzhou["satisfaction"], zhengzhou["passed"]) == (66.6, False)
    assert (zhengzhou["rounds_passed"], zhengzhou["rounds_failed"]) == (1, 1)
    # 济源市 (419001), a county directly under the province, has its own row.
    assert sv["419001"]["rounds"] == 0
    assert by_code(body.json(), "feedback")["419001"]["received"] == 0


def test_small_rounds_hide_satisfaction(site: Site) -> None:
    # With the default minimum of 5, each round's page hides its overall rate
    # (2 and 1 answers), so no row may pool them: not the counties', and not
    # the city's, from which a county's could be derived.
    seed(site)
    default = Site(site.database, make_app(site.database), site.principals)
    city = default.client("zhengzhou").get(
        "/accountability.json", params={"year": YEAR}
    )
    sv = by_code(city.json(), "surveys")
    for code, answered in (("410102", 2), ("410105", 1)):
        row = sv[code]
        assert row["answered"] == answered, code
        assert row["satisfaction"] is None, code
        assert row["passed"] is None, code
        assert (row["rounds_passed"], row["rounds_failed"]) == (0, 0), code
    province = default.client("henan").get(
        "/accountability.json", params={"year": YEAR}
    )
    zhengzhou = by_code(province.json(), "surveys")["4101"]
    assert zhengzhou["answered"] == 3
    assert zhengzhou["satisfaction"] is None


def test_evaluator_reads_assigned_rounds(site: Site) -> None:
    seed(site)
    client = site.client("evaluator")
    body = client.get("/accountability.json", params={"prefix": "4101", "year": YEAR})
    assert body.status_code == 200
    # Evaluators do not handle feedback; of the rounds they read only those of
    # their assigned county 金水区 (410105).
    assert body.json()["tables"]["feedback"]["rows"] == []
    sv = by_code(body.json(), "surveys")
    assert sv["410105"]["rounds"] == 1
    assert sv["410102"]["rounds"] == 0


def test_county_sees_itself_only(site: Site) -> None:
    seed(site)
    client = site.client("jinshui")
    body = client.get("/accountability.json", params={"year": YEAR}).json()
    assert list(by_code(body, "feedback")) == ["410105"]
    assert list(by_code(body, "surveys")) == ["410105"]
    other = client.get("/accountability.json", params={"prefix": "4101"})
    assert other.status_code == 403


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_contact_never_shown(site: Site, lang: str) -> None:
    seed(site)
    client = site.client("zhengzhou")
    query: dict[str, Any] = {"year": YEAR, "lang": lang}
    bodies = [
        client.get("/accountability", params=query).text,
        client.get("/accountability.json", params=query).text,
        client.get("/api/v1/accountability", params=query).text,
        *(
            client.get(
                "/accountability.csv", params={**query, "table": table}
            ).content.decode("utf-8-sig")
            for table in ("rectification", "feedback", "surveys")
        ),
    ]
    for body in bodies:
        assert CONTACT not in body
        assert PHONE not in body
        assert "contact" not in body
    columns = json.loads(bodies[1])["tables"]["feedback"]["columns"]
    assert not {c["key"] for c in columns} & {"contact", "text", "tracking_code"}
