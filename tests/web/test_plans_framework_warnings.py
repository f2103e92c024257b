"""Warnings of the framework file in the plans the platform runs.

The platform plans against the framework of ``JUNHENG_FRAMEWORK``, here the
override of :mod:`framework_override` that warns about the school rule. The
warning is the first message of the plan, in the API result and on the plan
form's result. Other accounts read a saved plan, so the warning names the file
without the server's folders.
"""

from __future__ import annotations

import html
import io
import zipfile
from pathlib import Path

import pytest
from framework_override import expected_warning, override_file
from web.plan_site import approve_short_school
from web.site import YEAR, Site, csrf_token, make_app


@pytest.fixture
def override(tmp_path: Path) -> Path:
    return override_file(tmp_path)


@pytest.fixture
def warned_site(site: Site, override: Path) -> Site:
    """Return ``site`` serving an app that plans against the override."""
    site.app = make_app(site.database, framework=str(override))
    approve_short_school(site)
    return site


def test_api_run_lists_warning_first(warned_site: Site, override: Path) -> None:
    fields = {
        "kind": "adjust",
        "division_code": "410102",
        "year": str(YEAR),
        "params": "{}",
    }
    ran = warned_site.client().post(
        "/api/v1/plans/run", data=fields, headers=warned_site.token("zhongyuan")
    )
    assert ran.status_code == 200, ran.text
    result = ran.json()
    assert result["framework_id"] == "cn-2017-quality-no-l7"
    name_only = Path(override.name)
    assert result["messages_zh"][0] == expected_warning(name_only, "zh")
    assert result["messages_en"][0] == expected_warning(name_only, "en")

    saved = warned_site.client().post(
        "/api/v1/plans",
        json={
            "name": "甲",
            "result": result,
            "signature": ran.headers["x-plan-signature"],
        },
        headers=warned_site.token("zhongyuan"),
    )
    assert saved.status_code == 201, saved.text
    scenario_id = saved.json()["id"]
    client = warned_site.client("zhongyuan")
    for suffix in ("", ".json", ".xlsx"):
        page = client.get(f"/plans/{scenario_id}{suffix}")
        assert page.status_code == 200, suffix
        assert override.name.encode() in _text_bytes(page.content, suffix), suffix
        folder = str(override.parent).encode()
        assert folder not in _text_bytes(page.content, suffix), suffix


def _text_bytes(content: bytes, suffix: str) -> bytes:
    """Return the text of a response: the shared strings of a workbook, else
    the body itself."""
    if suffix != ".xlsx":
        return content
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return book.read("xl/sharedStrings.xml")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_form_result_shows_warning(
    warned_site: Site, override: Path, lang: str
) -> None:
    client = warned_site.client("zhongyuan")
    client.cookies.set("junheng_lang", lang)
    fields = {
        "csrf_token": csrf_token(client, "/plans/new?kind=adjust"),
        "kind": "adjust",
        "division": "410102",
        "year": str(YEAR),
    }
    ran = client.post("/plans/new", data=fields)
    assert ran.status_code == 200, ran.text
    messages = ran.text.split('id="plan-messages"', 1)[1].split("</ul>", 1)[0]
    first = html.unescape(messages.split("<li>", 2)[1].split("</li>", 1)[0])
    assert first == expected_warning(Path(override.name), lang)
