"""Pages, API and twins of rectification, evaluations by others and
accountability, on SQLite and PostgreSQL, with data approved up the chain."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from governance.rectdata import COUNTY, WEAK
from governance.rectsite import RectSite, csrf, post, rect_site
from sqlalchemy import select, update
from web.site import assert_error

from junheng.store.models import PeerAssessment, RectificationTask, TaskNote
from junheng.web import accountability
from junheng.web.accountability import Section

__all__ = ["rect_site"]

DASH = f"/dash/2024/county/{COUNTY}"


def _open_all(site: RectSite, user: str = "zhongyuan") -> tuple[TestClient, Any]:
    client = site.client(user)
    response = post(
        client,
        "/rectification/open",
        {"year": 2024, "division_code": COUNTY},
        "/rectification",
    )
    _age_tasks(site)
    return client, response


def _age_tasks(site: RectSite) -> None:
    """Move every task back in time: opened on 1 March 2025 and due on
    31 December 2025, so its deadline has passed. A new task's deadline
    cannot be in the past, and the pages sync against the real date."""
    with site.database.sessions() as session:
        session.execute(
            update(RectificationTask).values(
                created_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
                deadline=dt.date(2025, 12, 31),
            )
        )
        session.commit()


def _task_ids(site: RectSite) -> dict[str, int]:
    with site.database.sessions() as session:
        return {t.key: t.id for t in session.scalars(select(RectificationTask))}


def test_dashboard_button_for_authority(rect_site: RectSite) -> None:
    page = rect_site.client("zhongyuan").get(DASH)
    assert 'id="open-tasks"' in page.text
    assert "为本县评估发现的全部问题开立整改任务" in page.text


def test_dashboard_button_hidden(rect_site: RectSite) -> None:
    for user in ("eval", "erqi"):
        page = rect_site.client(user).get(DASH)
        assert 'id="open-tasks"' not in page.text, user


def test_open_from_dashboard_is_idempotent(rect_site: RectSite) -> None:
    client, response = _open_all(rect_site)
    assert response.status_code == 303
    assert "opened=6-0" in response.headers["location"]
    listing = client.get(response.headers["location"])
    # Opening syncs nothing before the list is viewed; the list view closes
    # the five tasks that 2025 meets and, after 2025-12-31, flags S1 overdue.
    assert listing.text.count('class="task-closed_by_data"') == 5
    assert listing.text.count('class="task-overdue"') == 1
    again = post(
        client,
        "/rectification/open",
        {"year": 2024, "division_code": COUNTY},
        DASH,
    )
    assert "opened=0-6" in again.headers["location"]
    assert len(_task_ids(rect_site)) == 6


def test_open_denied_to_other_county(rect_site: RectSite) -> None:
    _, response = _open_all(rect_site, "erqi")
    assert response.status_code == 403


def test_task_page_and_note(rect_site: RectSite) -> None:
    _open_all(rect_site)
    task_id = _task_ids(rect_site)["2024/410102/item///S1/S1"]
    client = rect_site.client("zhongyuan")

    page = client.get(f"/rectification/{task_id}?lang=en")
    assert page.status_code == 200
    assert 'data-status="overdue"' in page.text
    response = post(
        client,
        f"/rectification/{task_id}/notes",
        {"text": "已开展家长满意度调查", "status": "in_progress"},
        f"/rectification/{task_id}",
    )
    assert response.status_code == 303
    page = client.get(f"/rectification/{task_id}")
    assert "已开展家长满意度调查" in page.text
    # The deadline 2025-12-31 has passed unmet, so the next sync flags the
    # task overdue again until the deadline moves.
    assert 'data-status="overdue"' in page.text

    moved = post(
        client,
        f"/rectification/{task_id}/update",
        {"deadline": "2030-12-31"},
        f"/rectification/{task_id}",
    )
    assert moved.status_code == 303
    post(
        client,
        f"/rectification/{task_id}/notes",
        {"text": "延期至 2030 年", "status": "in_progress"},
        f"/rectification/{task_id}",
    )
    page = client.get(f"/rectification/{task_id}")
    assert 'data-status="in_progress"' in page.text
    assert "2030-12-31" in page.text


def test_task_scoping_in_web(rect_site: RectSite) -> None:
    _open_all(rect_site)
    ids = _task_ids(rect_site)
    cv = ids["2024/410102/cv/primary//L6/"]
    weak = ids[f"2024/410102/school/primary/{WEAK}/L1, L2/"]
    erqi = rect_site.client("erqi")
    assert erqi.get(f"/rectification/{cv}").status_code == 404
    assert 'id="tasks"' not in erqi.get("/rectification").text
    denied = post(
        erqi, f"/rectification/{cv}/notes", {"text": "越权"}, "/rectification"
    )
    assert denied.status_code == 404
    school = rect_site.client("weak")
    assert school.get(f"/rectification/{weak}").status_code == 200
    assert school.get(f"/rectification/{cv}").status_code == 404
    big = rect_site.client("big")
    assert big.get(f"/rectification/{weak}").status_code == 404


def test_api_tasks(rect_site: RectSite) -> None:
    client = rect_site.client("zhongyuan")
    token = csrf(client, "/rectification")
    headers = {"x-csrf-token": token}
    past = client.post(
        "/api/v1/rectification/tasks",
        json={"year": 2024, "division_code": COUNTY, "deadline": "2020-01-01"},
        headers=headers,
    )
    assert_error(past, 422)
    assert "早于任务开立日期" in past.text
    deadline = dt.date.today() + dt.timedelta(days=30)
    response = client.post(
        "/api/v1/rectification/tasks",
        json={"year": 2024, "division_code": COUNTY, "deadline": deadline.isoformat()},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    assert response.json() == {"added": 6, "kept": 0}
    tasks = client.get("/api/v1/rectification/tasks", params={"kind": "veto"}).json()
    assert [t["subject"] for t in tasks] == ["V1"]
    assert tasks[0]["status"] == "closed_by_data"
    assert tasks[0]["closed_year"] == 2025
    note = client.post(
        f"/api/v1/rectification/tasks/{tasks[0]['id']}/notes",
        json={"text": "复查确认"},
        headers=headers,
    )
    assert note.status_code == 201
    detail = client.get(f"/api/v1/rectification/tasks/{tasks[0]['id']}").json()
    assert [n["text"] for n in detail["notes"]] == ["复查确认"]
    erqi = rect_site.client("erqi")
    missing = erqi.get(f"/api/v1/rectification/tasks/{tasks[0]['id']}")
    assert missing.status_code == 404
    assert set(missing.json()) == {"error"}


def test_side_by_side_marks_disagreement(rect_site: RectSite) -> None:
    evaluator = rect_site.client("eval")
    token = csrf(evaluator, f"/evaluations/2024/{COUNTY}")
    stored = evaluator.put(
        f"/api/v1/evaluations-by-others/2024/{COUNTY}",
        json={"subject": "cv:primary:L6", "judgement": "pass", "note": "现场核查"},
        headers={"x-csrf-token": token},
    )
    assert stored.status_code == 200, stored.text
    form = post(
        evaluator,
        f"/evaluations/2024/{COUNTY}",
        {"subject": "check:G1", "judgement": "pass"},
        f"/evaluations/2024/{COUNTY}",
    )
    assert form.status_code == 303
    view = rect_site.client("zhongyuan").get(
        f"/api/v1/evaluations-by-others/2024/{COUNTY}"
    )
    rows = {r["subject"]: r for r in view.json()["rows"]}
    assert rows["cv:primary:L6"]["government"]["judgement"] == "fail"
    assert rows["cv:primary:L6"]["third_party"][0]["judgement"] == "pass"
    assert rows["cv:primary:L6"]["disagree"] is True
    assert rows["check:G1"]["disagree"] is False
    assert view.json()["disagreements"] == 1
    page = rect_site.client("zhongyuan").get(f"/evaluations/2024/{COUNTY}")
    assert page.text.count('class="disagree"') == 1
    assert 'id="assessment-form"' not in page.text


def test_self_evaluation_side_by_side(rect_site: RectSite) -> None:
    school = rect_site.client("weak")
    response = post(
        school,
        f"/evaluations/2024/{WEAK}",
        {"subject": "indicator:primary:L1", "value": "4.5"},
        f"/evaluations/2024/{WEAK}",
    )
    assert response.status_code == 303
    view = school.get(f"/api/v1/evaluations-by-others/2024/{WEAK}").json()
    rows = {r["subject"]: r for r in view["rows"]}
    # The government computed L1 = 2.4 (fail); the school's 4.5 >= 4.2 passes.
    assert rows["indicator:primary:L1"]["self"][0]["judgement"] == "pass"
    assert rows["indicator:primary:L1"]["disagree"] is True
    denied = post(
        rect_site.client("big"),
        f"/evaluations/2024/{WEAK}",
        {"subject": "indicator:primary:L1", "judgement": "pass"},
        "/rectification",
    )
    assert denied.status_code == 403


def test_accountability_twins(rect_site: RectSite) -> None:
    _open_all(rect_site)
    client = rect_site.client("zhengzhou")
    page = client.get("/accountability")
    assert page.status_code == 200
    assert 'id="table-rectification"' in page.text
    body = client.get("/accountability.json").json()
    rows = body["tables"]["rectification"]["rows"]
    assert [(r["code"], r["total"], r["done"], r["overdue"]) for r in rows] == [
        (COUNTY, 6, 5, 1)
    ]
    assert rows[0]["share_closed_by_data"] == 83.3  # 5 / 6 = 83.33 %
    assert body["charts"][0]["table"] == "rectification"
    raw = client.get("/accountability.csv").content
    assert raw.startswith("\ufeff".encode())
    parsed = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert parsed[0]["code"] == COUNTY
    assert parsed[0]["overdue"] == "1"
    api = client.get("/api/v1/accountability").json()
    assert api["tables"] == body["tables"]


def test_accountability_extra_section(
    rect_site: RectSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    def formula_section(*_: object) -> Section:
        table = {
            "columns": [{"key": "name", "zh": "名称", "en": "Name"}],
            "rows": [{"name": "=1+1"}],
        }
        return Section("formula", {"zh": "公式", "en": "Formula"}, table)

    providers = [*accountability.SECTION_PROVIDERS, formula_section]
    monkeypatch.setattr(accountability, "SECTION_PROVIDERS", providers)
    client = rect_site.client("zhengzhou")
    assert 'id="section-formula"' in client.get("/accountability").text
    raw = client.get("/accountability.csv", params={"table": "formula"}).content
    assert raw.decode("utf-8-sig").splitlines() == ["name", "'=1+1"]
    missing = client.get("/accountability.csv", params={"table": "nope"})
    assert missing.status_code == 404


def test_accountability_denied(rect_site: RectSite) -> None:
    response = rect_site.client("erqi").get("/accountability.json?prefix=4101")
    assert response.status_code == 403
    school = rect_site.client("weak").get("/accountability.json")
    assert school.status_code == 403


def test_nul_and_non_finite_rejected(rect_site: RectSite) -> None:
    # PostgreSQL cannot store U+0000 in text or NaN and infinities in the
    # JSON of an audit record, so both stores reject them before writing.
    client, _ = _open_all(rect_site)
    task_id = _task_ids(rect_site)["2024/410102/item///S1/S1"]
    path = f"/rectification/{task_id}"
    note = post(client, f"{path}/notes", {"text": "已开展\x00调查"}, path)
    assert note.status_code == 422
    assert "NUL" in note.text
    for raw in ("nan", "inf", "-inf"):
        moved = post(client, f"{path}/update", {"target": raw}, path)
        assert moved.status_code == 422, raw
        assert "finite" in moved.text or "有限数值" in moved.text

    evaluator = rect_site.client("eval")
    token = csrf(evaluator, f"/evaluations/2024/{COUNTY}")
    api = f"/api/v1/evaluations-by-others/2024/{COUNTY}"
    headers = {"x-csrf-token": token, "content-type": "application/json"}
    # Python's JSON parser, which FastAPI uses, reads NaN and Infinity.
    for raw in ("NaN", "Infinity"):
        body = f'{{"subject": "check:S1", "value": {raw}}}'
        assert_error(evaluator.put(api, content=body, headers=headers), 422)
    nul = {"subject": "check:S1", "judgement": "pass", "note": "抽样\x00核查"}
    assert_error(evaluator.put(api, json=nul, headers=headers), 422)

    with rect_site.database.sessions() as session:
        task = session.get(RectificationTask, task_id)
        assert task is not None
        notes = session.scalars(select(TaskNote).where(TaskNote.task_id == task_id))
        peers = session.scalars(select(PeerAssessment))
        # S1 (satisfaction) must reach 85 % (rectdata), the target unchanged.
        assert task.target == 85
        assert list(notes) == []
        assert list(peers) == []


def test_school_requests_closure(rect_site: RectSite) -> None:
    _open_all(rect_site)
    weak = _task_ids(rect_site)[f"2024/410102/school/primary/{WEAK}/L1, L2/"]
    school = rect_site.client("weak")
    # The token comes from a page that does not sync, so the 2025 data have
    # not closed the task yet.
    headers = {"x-csrf-token": csrf(school, "/account/password")}
    api = f"/api/v1/rectification/tasks/{weak}/notes"
    done = school.post(api, json={"text": "", "status": "done"}, headers=headers)
    assert_error(done, 403, "permission_denied")
    empty = school.post(
        api, json={"text": "", "status": "closure_requested"}, headers=headers
    )
    assert_error(empty, 422)
    asked = school.post(
        api,
        json={"text": "已补足教师，聘用合同存档", "status": "closure_requested"},
        headers=headers,
    )
    assert asked.status_code == 201, asked.text
    with rect_site.database.sessions() as session:
        task = session.get(RectificationTask, weak)
        assert task is not None
        assert task.status == "closure_requested"
    page = school.get(f"/rectification/{weak}")
    assert 'id="school-help"' in page.text
    assert "已申请验收" in page.text


def test_bogus_subject_rejected(rect_site: RectSite) -> None:
    evaluator = rect_site.client("eval")
    token = csrf(evaluator, f"/evaluations/2024/{COUNTY}")
    stored = evaluator.put(
        f"/api/v1/evaluations-by-others/2024/{COUNTY}",
        json={"subject": "bogus:thing", "judgement": "fail"},
        headers={"x-csrf-token": token},
    )
    assert_error(stored, 422)
    assert "bogus:thing" in stored.text
    with rect_site.database.sessions() as session:
        assert session.scalars(select(PeerAssessment)).all() == []


def test_county_cannot_close_own_shortfall(rect_site: RectSite) -> None:
    # A county closing its own task: a loose target, impossible ones, and
    # done with an empty note. S1 (satisfaction) must reach 85 % (rectdata)
    # and stays unmet, unlike the CV tasks that later data close.
    client, _ = _open_all(rect_site)
    task_id = _task_ids(rect_site)["2024/410102/item///S1/S1"]
    path = f"/rectification/{task_id}"
    # 80 is looser than >= 85: 403 for the owning county.
    loose = post(client, f"{path}/update", {"target": "80"}, path)
    assert loose.status_code == 403
    # A percentage lies from 0 to 100, so -5 and 150 are rejected: 422.
    for raw in ("-5", "150"):
        impossible = post(client, f"{path}/update", {"target": raw}, path)
        assert impossible.status_code == 422, raw
    empty = post(client, f"{path}/notes", {"text": "", "status": "done"}, path)
    assert empty.status_code == 422
    with rect_site.database.sessions() as session:
        task = session.get(RectificationTask, task_id)
        assert task is not None
        assert task.target == 85
        assert task.status == "overdue"
    # The city above the county may loosen the target.
    city = rect_site.client("zhengzhou")
    allowed = post(city, f"{path}/update", {"target": "80"}, path)
    assert allowed.status_code == 303
