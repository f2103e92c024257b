"""Reporting and approval pages: entry, upload, the chain, history, scope."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from fastapi.testclient import TestClient
from web.site import (
    EMPTY_SECTION,
    SCHOOL_A,
    SCHOOL_B,
    SCHOOL_J,
    YEAR,
    Site,
    csrf_token,
    post_form,
    school_row,
)

from junheng.web.forms import editable_fields


def form_values(row: dict[str, Any]) -> dict[str, str]:
    """Return the form fields of a school row, as a browser would send them."""
    names = {f.name for f in editable_fields()}
    return {k: "" if v is None else str(v) for k, v in row.items() if k in names}


def csv_bytes(*rows: dict[str, Any]) -> bytes:
    """Return rows as a UTF-8 CSV file with canonical headers."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def record_id(response: Any) -> int:
    """Return the record id a workflow POST redirected to."""
    match = re.fullmatch(r"/records/(\d+)", response.headers["location"])
    assert match, response.headers.get("location")
    return int(match.group(1))


def act(client: TestClient, path: str, **data: Any) -> Any:
    """POST a workflow form and check that it redirected."""
    response = post_form(client, path, data)
    assert response.status_code == 303, response.text
    return response


def status_of(client: TestClient, rid: int) -> str:
    page = client.get(f"/records/{rid}")
    assert page.status_code == 200
    match = re.search(r'id="record-status">([^<]+)<', page.text)
    assert match
    return match.group(1)


def test_school_user_lands_on_own_school(site: Site) -> None:
    site.save()
    client = site.client("school_a")
    response = client.get("/reporting", follow_redirects=False)
    assert response.headers["location"] == f"/reporting/{SCHOOL_A}"
    page = client.get(f"/reporting/{SCHOOL_A}")
    assert page.status_code == 200
    assert "测试小学 1" in page.text
    assert "草稿" in page.text


def test_county_user_lists_schools_in_scope(site: Site) -> None:
    site.save(SCHOOL_A)
    site.save(SCHOOL_B)
    page = site.client("zhongyuan").get("/reporting")
    assert SCHOOL_A in page.text
    assert SCHOOL_B not in page.text


def test_first_report_of_new_school(site: Site) -> None:
    client = site.client("school_a")
    page = client.get(f"/reporting/{SCHOOL_A}/{YEAR}")
    assert page.status_code == 200
    assert 'id="record-form"' in page.text
    response = post_form(
        client, f"/reporting/{SCHOOL_A}/{YEAR}", form_values(school_row())
    )
    assert response.status_code == 303, response.text
    saved = client.get(response.headers["location"])
    assert "已保存为第 1 版" in saved.text


def test_form_save_makes_new_version(site: Site) -> None:
    site.save()
    client = site.client("school_a")
    values = form_values(school_row(books=16_000)) | {"base_version": "1"}
    response = post_form(client, f"/reporting/{SCHOOL_A}/{YEAR}", values)
    assert response.status_code == 303
    assert response.headers["location"].endswith("saved=2")
    page = client.get(f"/reporting/{SCHOOL_A}/{YEAR}")
    assert 'value="16000"' in page.text


def test_form_invalid_shows_every_issue(site: Site) -> None:
    site.save()
    client = site.client("school_a")
    values = form_values(school_row()) | {
        "base_version": "1",
        "primary_students": "abc",
        "primary_backbone_teachers": "99",
    }
    response = post_form(client, f"/reporting/{SCHOOL_A}/{YEAR}", values)
    assert response.status_code == 422
    assert 'class="issues"' in response.text
    assert "<code>abc</code>" in response.text
    assert "<code>99</code>" in response.text
    # The typed values stay in the form so the user can fix them.
    assert 'value="abc"' in response.text
    versions = client.get(f"/reporting/{SCHOOL_A}/{YEAR}/versions")
    assert versions.text.count('name="b"') == 1


def test_stale_edit_shows_conflict(site: Site) -> None:
    site.save()
    site.save(books=17_000)
    client = site.client("school_a")
    values = form_values(school_row(books=18_000)) | {"base_version": "1"}
    response = post_form(client, f"/reporting/{SCHOOL_A}/{YEAR}", values)
    assert response.status_code == 409
    assert "当前为第 2 版" in response.text
    assert "请刷新后重新修改并保存" in response.text


def test_upload_valid_file_imports_drafts(site: Site) -> None:
    client = site.client("school_a")
    response = post_form(
        client,
        "/reporting/upload",
        {},
        files={"file": ("学校数据.csv", csv_bytes(school_row()), "text/csv")},
    )
    assert response.status_code == 200, response.text
    assert "已导入 1 条记录" in response.text


def test_upload_invalid_file_imports_nothing(site: Site) -> None:
    client = site.client("zhongyuan")
    good = school_row(SCHOOL_A)
    bad = school_row("2141000009", primary_classes="-3")
    response = post_form(
        client,
        "/reporting/upload",
        {},
        files={"file": ("schools.csv", csv_bytes(good, bad), "text/csv")},
    )
    assert response.status_code == 422
    assert "未导入任何数据" in response.text
    assert "<td>3</td>" in response.text  # the CSV row of the bad school
    assert "<code>-3</code>" in response.text
    assert client.get(f"/api/v1/schools/{SCHOOL_A}/records?year={YEAR}").json() == []


def test_upload_outside_scope_rejected_whole(site: Site) -> None:
    client = site.client("school_a")
    rows = csv_bytes(school_row(SCHOOL_A), school_row(SCHOOL_B))
    response = post_form(
        client,
        "/reporting/upload",
        {},
        files={"file": ("schools.csv", rows, "text/csv")},
    )
    assert response.status_code == 422
    assert SCHOOL_B in response.text


def test_upload_wrong_file_type(site: Site) -> None:
    response = post_form(
        site.client("school_a"),
        "/reporting/upload",
        {},
        files={"file": ("notes.txt", b"hello", "text/plain")},
    )
    assert response.status_code == 422
    assert "notes.txt" in response.text


def test_approval_chain_with_return_and_correction(site: Site) -> None:
    record = site.save()
    school = site.client("school_a")
    county = site.client("zhongyuan")
    city = site.client("zhengzhou")
    province = site.client("henan")

    rid = record_id(act(school, f"/records/{record.id}/submit", base_version=1))
    assert "待县级审核" in status_of(school, rid)
    assert f"/records/{rid}" in county.get("/reviews").text

    # The county returns it with a comment, which the school form shows.
    act(
        county,
        f"/records/{rid}/review",
        decision="return",
        comment="请核对图书册数",
        base_version=1,
    )
    assert status_of(school, rid) == "已退回"
    assert "请核对图书册数" in school.get(f"/reporting/{SCHOOL_A}/{YEAR}").text

    values = form_values(school_row(books=15_500)) | {"base_version": "1"}
    saved = post_form(school, f"/reporting/{SCHOOL_A}/{YEAR}", values)
    assert saved.status_code == 303
    rid = record_id(act(school, f"/records/{rid + 1}/submit", base_version=2))

    for reviewer, expected in (
        (county, "县级已审核"),
        (city, "市级已审核"),
        (province, "已审定（锁定）"),
    ):
        act(reviewer, f"/records/{rid}/review", decision="approve", base_version=2)
        assert status_of(school, rid) == expected

    # Approved data are locked: no form, and a save is a conflict.
    form = school.get(f"/reporting/{SCHOOL_A}/{YEAR}")
    assert 'id="record-form"' not in form.text
    locked = post_form(school, f"/reporting/{SCHOOL_A}/{YEAR}", values)
    assert locked.status_code == 409

    # A correction: the province reopens, the school fixes and resubmits.
    new_id = record_id(act(province, f"/records/{rid}/reopen", reason="更正教师数"))
    assert status_of(school, new_id) == "已退回"
    values = form_values(school_row(books=15_600)) | {"base_version": "3"}
    assert post_form(school, f"/reporting/{SCHOOL_A}/{YEAR}", values).status_code == 303
    final = record_id(act(school, f"/records/{new_id + 1}/submit", base_version=4))
    for reviewer in (county, city, province):
        act(reviewer, f"/records/{final}/review", decision="approve", base_version=4)
    assert status_of(school, final) == "已审定（锁定）"

    history = school.get(f"/reporting/{SCHOOL_A}/{YEAR}/versions")
    assert history.text.count('name="b"') == 4
    compare = school.get(f"/reporting/{SCHOOL_A}/{YEAR}/compare?a=1&b=4")
    assert "图书册数" in compare.text
    assert "15000" in compare.text
    assert "15600" in compare.text


def test_chain_without_city_level(site: Site) -> None:
    record = site.save(SCHOOL_J)
    school = site.client("school_j")
    rid = record_id(act(school, f"/records/{record.id}/submit", base_version=1))
    act(
        site.client("jiyuan"),
        f"/records/{rid}/review",
        decision="approve",
        base_version=1,
    )
    province = site.client("henan")
    assert f"/records/{rid}" in province.get("/reviews").text
    assert f"/records/{rid}" not in site.client("zhengzhou").get("/reviews").text
    act(province, f"/records/{rid}/review", decision="approve", base_version=1)
    assert status_of(school, rid) == "已审定（锁定）"


def test_school_user_cannot_approve(site: Site) -> None:
    record = site.advance(site.save())
    response = post_form(
        site.client("school_a"),
        f"/records/{record.id}/review",
        {"decision": "approve", "base_version": "1"},
    )
    assert response.status_code == 403


def test_city_cannot_approve_before_county(site: Site) -> None:
    record = site.advance(site.save())
    response = post_form(
        site.client("zhengzhou"),
        f"/records/{record.id}/review",
        {"decision": "approve", "base_version": "1"},
    )
    assert response.status_code in (403, 409)
    assert status_of(site.client("zhongyuan"), record.id) == "已提交，待县级审核"


def test_return_needs_comment(site: Site) -> None:
    record = site.advance(site.save())
    response = post_form(
        site.client("zhongyuan"),
        f"/records/{record.id}/review",
        {"decision": "return", "base_version": "1"},
    )
    assert response.status_code == 422


def test_county_cannot_read_other_county_school(site: Site) -> None:
    record = site.save(SCHOOL_B)
    client = site.client("zhongyuan")
    assert client.get(f"/reporting/{SCHOOL_B}").status_code == 403
    assert client.get(f"/reporting/{SCHOOL_B}/{YEAR}").status_code == 403
    assert client.get(f"/records/{record.id}").status_code == 403
    assert client.get(f"/reporting/{SCHOOL_B}/{YEAR}/versions").status_code == 403


def test_public_user_cannot_read_school_data(site: Site) -> None:
    record = site.save()
    client = site.client("citizen")
    assert client.get(f"/reporting/{SCHOOL_A}").status_code == 403
    assert client.get(f"/records/{record.id}").status_code == 403
    assert SCHOOL_A not in client.get("/reporting").text


def test_evaluator_reads_assigned_county_only(site: Site) -> None:
    site.save(SCHOOL_A)
    site.save(SCHOOL_B)
    client = site.client("evaluator")
    assert client.get(f"/reporting/{SCHOOL_B}").status_code == 200
    assert client.get(f"/reporting/{SCHOOL_A}").status_code == 403


def test_unknown_record_and_school_not_found(site: Site) -> None:
    client = site.client("moe")
    assert client.get("/records/999").status_code == 404
    assert client.get("/reporting/2141099999").status_code == 404


def test_compare_unknown_version_not_found(site: Site) -> None:
    site.save()
    response = site.client("school_a").get(
        f"/reporting/{SCHOOL_A}/{YEAR}/compare?a=1&b=7"
    )
    assert response.status_code == 404
    assert "第 7 版" in response.text


def test_reviews_page_empty_for_school(site: Site) -> None:
    page = site.client("school_a").get("/reviews")
    assert page.status_code == 200
    assert "没有待审核的数据" in page.text


def test_completeness_per_county(site: Site) -> None:
    site.advance(site.save(SCHOOL_A), "zhongyuan")
    site.save(SCHOOL_B)
    page = site.client("zhengzhou").get(f"/completeness?year={YEAR}")
    assert page.status_code == 200
    rows = {
        code: cells
        for code, cells in re.findall(
            r"<code>(4101\d\d)</code></td>(.*?)</tr>", page.text, re.S
        )
    }
    numbers = re.findall(r'class="num">(\d*)<', rows["410102"])
    assert numbers[:4] == ["1", "1", "0", "0"]
    numbers = re.findall(r'class="num">(\d*)<', rows["410105"])
    assert numbers[:3] == ["1", "0", "0"]


def test_completeness_outside_scope_forbidden(site: Site) -> None:
    response = site.client("zhongyuan").get(
        f"/completeness?year={YEAR}&division=410105"
    )
    assert response.status_code == 403


def test_record_page_language_switch(site: Site) -> None:
    record = site.save()
    client = site.client("school_a")
    english = client.get(f"/records/{record.id}?lang=en")
    assert "Workflow" in english.text
    assert 'lang="en"' in english.text
    # The choice sticks through the cookie.
    assert "Workflow" in client.get(f"/records/{record.id}").text
    assert csrf_token(client)


def test_school_user_cannot_reopen(site: Site) -> None:
    record = site.advance(site.save(), "zhongyuan", "zhengzhou", "henan")
    response = post_form(
        site.client("school_a"), f"/records/{record.id}/reopen", {"reason": "x"}
    )
    assert response.status_code == 403


def test_other_county_cannot_submit(site: Site) -> None:
    record = site.save()
    response = post_form(
        site.client("jinshui"), f"/records/{record.id}/submit", {"base_version": "1"}
    )
    assert response.status_code == 403


def test_stale_submit_is_conflict(site: Site) -> None:
    site.save()
    record = site.save(books=16_000)
    response = post_form(
        site.client("school_a"), f"/records/{record.id}/submit", {"base_version": "1"}
    )
    assert response.status_code == 409


def test_completeness_defaults_to_latest_year(site: Site) -> None:
    site.save()
    page = site.client("henan").get("/completeness")
    assert page.status_code == 200
    assert f"{YEAR} 学年" in page.text


def _upload_negative_classes(client: TestClient, path: str) -> Any:
    bad = school_row(SCHOOL_A, primary_classes="-3")
    return post_form(
        client,
        path,
        {},
        files={"file": ("schools.csv", csv_bytes(bad), "text/csv")},
    )


def test_upload_issues_in_chinese(site: Site) -> None:
    response = _upload_negative_classes(site.client("school_a"), "/reporting/upload")
    assert response.status_code == 422
    assert "值“-3”是负数" in response.text
    assert "请填写 0 或以个计的正数" in response.text
    assert "is negative" not in response.text


def test_upload_issues_in_english(site: Site) -> None:
    response = _upload_negative_classes(
        site.client("school_a"), "/reporting/upload?lang=en"
    )
    assert response.status_code == 422
    assert "value &#39;-3&#39; is negative" in response.text
    assert "值“-3”" not in response.text


def test_upload_shows_warnings(site: Site) -> None:
    empty = school_row(**EMPTY_SECTION)
    response = post_form(
        site.client("school_a"),
        "/reporting/upload",
        {},
        files={"file": ("学校数据.csv", csv_bytes(empty), "text/csv")},
    )
    assert response.status_code == 200, response.text
    assert "已导入 1 条记录" in response.text
    assert 'id="upload-warnings"' in response.text
    assert "数据已导入，但有 1 条警告" in response.text
    assert "学校各学段都没有在校生" in response.text


def test_plausibility_issue_in_page_language(site: Site) -> None:
    site.save()
    client = site.client("school_a")
    # 3 classes of at most 20 students hold at most 60 of the 100 students.
    values = form_values(school_row()) | {
        "base_version": "1",
        "primary_students": "100",
        "primary_classes": "3",
        "primary_max_class_size": "20",
    }
    path = f"/reporting/{SCHOOL_A}/{YEAR}"
    chinese = post_form(client, path, values)
    assert chinese.status_code == 422
    assert "最多容纳 60 人，少于 100 名学生" in chinese.text
    assert "fewer than" not in chinese.text
    english = post_form(client, f"{path}?lang=en", values)
    assert english.status_code == 422
    assert "hold at most 60, fewer than the 100 students" in english.text
    assert "最多容纳" not in english.text
