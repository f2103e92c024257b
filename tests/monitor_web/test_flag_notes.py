"""County notes on data-quality flags: who may write and read them, and the
audit record of each."""

from __future__ import annotations

from dash.conftest import Site
from dash.dashdata import ERQI, PASSWORD, ZHONGYUAN
from monitor_web.monitordata import EVALUATOR, JUMP_SCHOOL
from sqlalchemy import select
from web.site import assert_error, csrf_token

from junheng.services import flag_notes
from junheng.store.models import AuditRecord, FlagNote, Target

NOTE = "新建实验室采购设备，已核对发票和入库单"
SECOND_NOTE = "补充：设备已入账，数据无误"


def _jump_key(site: Site) -> str:
    rows = site.get(f"/monitor/flags/{ZHONGYUAN}.json", "zhongyuan").json()
    flags = rows["tables"]["flags"]["rows"]
    jump = [
        r
        for r in flags
        if r["check"] == "year_jump" and r["school_code"] == JUMP_SCHOOL
    ]
    assert len(jump) == 1
    return str(jump[0]["flag_key"])


def _audit(site: Site) -> list[AuditRecord]:
    with site.database.sessions() as session:
        query = select(AuditRecord).where(AuditRecord.action == "flag_note.explain")
        return list(session.scalars(query.order_by(AuditRecord.seq)))


def _post_note(site: Site, user: str, code: str, key: str, note: str):  # type: ignore[no-untyped-def]
    return site.client.post(
        f"/api/v1/monitor/flags/{code}/notes",
        json={"flag_key": key, "note": note},
        headers={"authorization": f"Bearer {site.tokens[user]}"},
    )


def test_flag_notes_audited_and_scoped(site: Site) -> None:
    key = _jump_key(site)
    client = site.client
    login = client.post(
        "/login",
        data={
            "username": "zhongyuan",
            "password": PASSWORD,
            "csrf_token": csrf_token(client, "/login"),
            "next": "/",
        },
        follow_redirects=False,
    )
    assert login.status_code == 303
    page = f"/monitor/flags/{ZHONGYUAN}"
    form = client.post(
        f"{page}/explain",
        data={"flag_key": key, "note": NOTE, "csrf_token": csrf_token(client, page)},
        follow_redirects=False,
    )
    assert form.status_code == 303
    assert form.headers["location"] == page
    without_token = client.post(
        f"{page}/explain", data={"flag_key": key, "note": NOTE}, follow_redirects=False
    )
    assert without_token.status_code == 403

    records = _audit(site)
    assert len(records) == 1
    assert records[0].actor == "zhongyuan"
    assert records[0].before is None
    assert records[0].after["note"] == NOTE
    assert records[0].after["status"] == "explained"

    # The levels above see the note; only the county gets the form.
    province = site.get("/monitor/flags/41.json", "henan").json()
    noted = [r for r in province["tables"]["flags"]["rows"] if r["flag_key"] == key]
    assert noted[0]["status"] == "explained"
    assert noted[0]["note"] == NOTE
    assert noted[0]["noted_by"] == "zhongyuan"
    city_page = site.get("/monitor/flags/4101", "zhengzhou").text
    assert NOTE in city_page
    assert "/explain" not in city_page

    assert_error(_post_note(site, "zhengzhou", "4101", key, "市级说明"), 403)
    # A province explains only its own province-wide flags, not a county's.
    assert_error(_post_note(site, "henan", "41", key, "省级说明"), 403)
    assert "/explain" not in site.get("/monitor/flags/41", "henan").text
    assert_error(_post_note(site, "erqi", ZHONGYUAN, key, "外县说明"), 403)
    assert_error(_post_note(site, "zhongyuan", ZHONGYUAN, key + "x", NOTE), 404)
    assert_error(_post_note(site, "zhongyuan", ZHONGYUAN, key, "   "), 422)
    assert len(_audit(site)) == 1

    replaced = _post_note(site, "zhongyuan", ZHONGYUAN, key, SECOND_NOTE)
    assert replaced.status_code == 200
    assert replaced.json()["note"] == SECOND_NOTE
    records = _audit(site)
    assert len(records) == 2
    assert records[1].before is not None
    assert records[1].before["note"] == NOTE
    assert records[1].after["note"] == SECOND_NOTE

    with site.database.sessions() as session:
        seen = flag_notes.notes_within(session, site.people["henan"], "41")
        unseen = flag_notes.notes_within(session, site.people[EVALUATOR], "")
        other = flag_notes.notes_within(session, site.people["erqi"], ERQI)
    assert list(seen) == [key]
    assert unseen == {}
    assert other == {}


def test_nul_in_notes_rejected(site: Site) -> None:
    # PostgreSQL cannot store U+0000 in text, so both stores reject it
    # before writing.
    key = _jump_key(site)
    rejected = _post_note(site, "zhongyuan", ZHONGYUAN, key, "已核对\x00发票")
    assert_error(rejected, 422)
    assert "NUL" in rejected.json()["error"]["message"]
    target = site.client.put(
        "/api/v1/monitor/targets",
        json={"division_code": ZHONGYUAN, "target_year": 2030, "note": "计划\x00"},
        headers={"authorization": f"Bearer {site.tokens['zhongyuan']}"},
    )
    assert_error(target, 422)
    assert f"note ({ZHONGYUAN})" in target.json()["error"]["message"]
    with site.database.sessions() as session:
        assert list(session.scalars(select(FlagNote))) == []
        assert list(session.scalars(select(Target))) == []
