"""The data form after a conflicting save: the user's values, theirs, a choice."""

from __future__ import annotations

import re
from typing import Any

from web.site import SCHOOL_A, YEAR, Site, post_form, school_row

from junheng.web.forms import editable_fields


def _form(row: dict[str, Any]) -> dict[str, str]:
    names = {f.name for f in editable_fields()}
    return {k: "" if v is None else str(v) for k, v in row.items() if k in names}


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, f"no hidden {name}"
    return match.group(1)


def _conflict(site: Site) -> tuple[Any, Any]:
    """Version 2 renames the school; the county then saves books on version 1."""
    site.save()
    site.save(school_name="甲改的名称")
    client = site.client("zhongyuan")
    values = _form(school_row(books=18_000)) | {"base_version": "1"}
    return client, post_form(client, f"/reporting/{SCHOOL_A}/{YEAR}", values)


def test_conflict_keeps_user_values(site: Site) -> None:
    _, response = _conflict(site)
    assert response.status_code == 409
    assert 'value="18000"' in response.text
    # The base stays the user's, so saving again conflicts again.
    assert _hidden(response.text, "base_version") == "1"


def test_conflict_lists_their_changes(site: Site) -> None:
    _, response = _conflict(site)
    table = response.text.split('id="conflict"', 1)[1].split("</section>", 1)[0]
    assert "学校名称" in table
    assert "甲改的名称" in table  # their value
    assert "测试小学 1" in table  # the value the county typed
    assert "图书册数" not in table  # the county's own change is not theirs


def test_resave_without_choice_conflicts(site: Site) -> None:
    client, first = _conflict(site)
    values = _form(school_row(books=18_000)) | {
        "base_version": _hidden(first.text, "base_version")
    }
    again = post_form(client, f"/reporting/{SCHOOL_A}/{YEAR}", values)
    assert again.status_code == 409
    assert "当前为第 2 版" in again.text


def test_overwrite_needs_the_box(site: Site) -> None:
    client, first = _conflict(site)
    assert 'name="overwrite_version" value="2"' in first.text
    values = _form(school_row(books=18_000)) | {
        "base_version": "1",
        "overwrite_version": "2",
    }
    saved = post_form(client, f"/reporting/{SCHOOL_A}/{YEAR}", values)
    assert saved.status_code == 303
    assert saved.headers["location"].endswith("?saved=3")
