"""The platform's own checks word their issues in Chinese and in English.

Each issue carries a message code, so a page or an API error in either
language shows the same facts: the field, the value, the bound and the fix.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from factories import canonical_csv
from services.people import ERQI, ZHONGYUAN, school
from services.test_import_messages import _issues as import_issues
from sqlalchemy.orm import Session

from junheng.errors import Conflict, InvalidInput
from junheng.ingest.issues import PLATFORM_RULES, Issue
from junheng.ingest.messages import MESSAGES, rule_of
from junheng.services import reporting
from junheng.services.validation import RowPlace, plausibility_issues

TODAY = date(2025, 3, 1)


def _worded(issue: Issue) -> tuple[str, str]:
    zh, en = issue.in_language("zh"), issue.in_language("en")
    return f"{zh.message}；{zh.fix}", f"{en.message}; {en.fix}"


def _one(row: dict[str, object]) -> Issue:
    [issue] = plausibility_issues(row, RowPlace("f.csv"), TODAY)
    return issue


def test_platform_codes_have_both_languages() -> None:
    codes = [code for code in MESSAGES if rule_of(code) in PLATFORM_RULES]
    assert len(codes) == 15
    for code in codes:
        assert set(MESSAGES[code]) == {"zh", "en"}, code


def test_year_outside_window_both_languages() -> None:
    # The window in 2025 is 2000 to 2026 (first year 2000, one year ahead).
    issue = _one(school(1, year=1999))
    assert issue.code == "year_window"
    zh, en = _worded(issue)
    assert zh == (
        "学年 1999 不在可填报的年份范围内（2000 至 2026）；"
        "请填写学年的起始年份，2000 至 2026"
    )
    assert en == (
        "school year 1999 is outside the years accepted for reporting "
        "(2000 to 2026); enter the start year of the school year, from 2000 to 2026"
    )


def test_class_checks_both_languages() -> None:
    # 3 classes of at most 20 students hold at most 3 × 20 = 60 < 100 students.
    capacity = _one(
        school(1, primary_students=100, primary_classes=3, primary_max_class_size=20)
    )
    zh, en = _worded(capacity)
    assert zh == (
        "3 个班、每班至多 20 人，最多容纳 60 人，少于 100 名学生；"
        "请更正小学在校生数、小学班级数或小学最大班额"
    )
    assert en.startswith(
        "3 classes of at most 20 students hold at most 60, fewer than the 100 "
        "students; correct primary_students, primary_classes or "
        "primary_max_class_size"
    )
    none = _one(school(1, primary_students=100, primary_classes=0))
    zh, en = _worded(none)
    assert zh == "小学班级数为 0，但小学在校生数为 100；请填写这些学生所在的班级数"
    assert en.startswith("primary_classes is 0 but primary_students is 100")


def test_implausible_count_both_languages() -> None:
    issue = _one(school(1, books=20_000_000))
    zh, en = _worded(issue)
    assert "20,000,000 超过 10,000,000" in zh
    assert "请检查是否输错数字或单位" in zh
    assert en.startswith("books 20,000,000 is above 10,000,000")


def test_store_scope_both_languages(store: Session, tmp_path: Path) -> None:
    # School 2141000003 is filed under 二七区 (410103), outside 中原区's scope.
    rows = [school(3, division_code="410103")]
    [issue] = import_issues(store, canonical_csv(tmp_path / "s.csv", rows))
    zh, en = _worded(issue)
    assert zh == (
        "行政区划 410103 的学校 2141000003 不在用户 zhongyuan 的管辖范围内；"
        "请删除这一行，或以该地区的用户身份导入"
    )
    assert en == (
        "school 2141000003 of division 410103 is outside the scope of user "
        "'zhongyuan'; remove the row, or import it as a user of that region"
    )


def test_store_lock_both_languages(store: Session, tmp_path: Path) -> None:
    first = reporting.save_school_year(
        store, ZHONGYUAN, "2141000001", 2024, school(1), None
    )
    reporting.submit(store, ZHONGYUAN, first.id, 1)
    store.commit()
    source = canonical_csv(tmp_path / "s.csv", [school(1, books=1)])
    [issue] = import_issues(store, source)
    zh, en = _worded(issue)
    assert zh == (
        "学校 2141000001 的 2024 学年数据正在审核中（已提交，待县级审核）；"
        "请审核人退回后再修改"
    )
    assert en == (
        "the data of school 2141000001 for 2024 is under review (submitted); "
        "ask the reviewer to return it before changing it"
    )
    # Saving through the form raises the same words as a conflict.
    with pytest.raises(Conflict) as caught:
        reporting.save_school_year(
            store, ZHONGYUAN, "2141000001", 2024, school(1, books=2), 1
        )
    assert caught.value.message("zh") == zh
    assert caught.value.message("en") == en


def test_store_mismatch_both_languages(store: Session) -> None:
    with pytest.raises(InvalidInput) as caught:
        reporting.save_school_year(
            store,
            ERQI,
            "2141000009",
            2024,
            school(9, division_code="410103", year=2023),
            None,
        )
    [issue] = caught.value.issues  # type: ignore[attr-defined]
    zh, en = _worded(issue)
    assert zh == "学年 2023 与本记录的 2024 不一致；只保存学年 2024 的数据"
    assert (
        en
        == "year 2023 differs from the record's 2024; save the data of year 2024 only"
    )
