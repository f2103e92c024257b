"""Warnings of the framework file on the result pages and their JSON twins.

The platform evaluates against the framework of ``JUNHENG_FRAMEWORK``, here
the override of :mod:`framework_override` that warns about the school rule.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browserfixtures import BROWSER_TEST, log_in
from dash.conftest import Site
from dash.dashdata import PASSWORD, ZHONGYUAN, seed
from fastapi.testclient import TestClient
from framework_override import expected_warning, override_file
from store.dbfixtures import Database
from web.live import live_server

from junheng.errors import FrameworkError
from junheng.services import accounts
from junheng.web.app import create_app
from junheng.web.settings import WebSettings

COUNTY_PAGE = f"/dash/2024/county/{ZHONGYUAN}"


def _site(database: Database, framework: str) -> Iterator[Site]:
    with database.sessions() as session:
        people = seed(session)
    with database.sessions() as session:
        tokens = {
            name: accounts.create_api_token(session, people.by_name[name], "tests")
            for name in ("zhongyuan", "henan")
        }
        session.commit()
    settings = WebSettings(mode="dev", database_url=database.url, framework=framework)
    with TestClient(create_app(settings, database.engine)) as client:
        yield Site(database, people, client, tokens)


@pytest.fixture
def override(tmp_path: Path) -> Path:
    return override_file(tmp_path)


@pytest.fixture
def warned_site(database: Database, override: Path) -> Iterator[Site]:
    """Yield the app evaluating against the override that warns."""
    yield from _site(database, str(override))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_json_twin_lists_warning(warned_site: Site, override: Path, lang: str) -> None:
    response = warned_site.get(f"{COUNTY_PAGE}.json", "zhongyuan", lang=lang)
    assert response.status_code == 200, response.text
    twin: dict[str, Any] = response.json()
    assert twin["framework"] == "cn-2017-quality-no-l7"
    assert twin["framework_warnings"] == [expected_warning(Path(override.name), lang)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_api_lists_warning(warned_site: Site, override: Path, lang: str) -> None:
    expected = [expected_warning(Path(override.name), lang)]
    evaluation = warned_site.get(
        f"/api/v1/evaluations/2024/{ZHONGYUAN}", "zhongyuan", lang=lang
    )
    rollups = warned_site.get("/api/v1/rollups/2024/41", "henan", lang=lang)
    assert evaluation.status_code == 200, evaluation.text
    assert rollups.status_code == 200, rollups.text
    assert evaluation.json()["framework_warnings"] == expected
    assert rollups.json()["framework"] == "cn-2017-quality-no-l7"
    assert rollups.json()["framework_warnings"] == expected


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_shows_warning(warned_site: Site, override: Path, lang: str) -> None:
    response = warned_site.get(COUNTY_PAGE, "zhongyuan", lang=lang)
    assert response.status_code == 200, response.text
    assert 'id="framework-warnings"' in response.text
    # Jinja writes the single quotes of the English text as &#39;.
    text = expected_warning(Path(override.name), lang).replace("'", "&#39;")
    assert text in response.text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_monitor_page_and_twin_warn(
    warned_site: Site, override: Path, lang: str
) -> None:
    path = f"/monitor/trends/{ZHONGYUAN}"
    twin = warned_site.get(f"{path}.json", "zhongyuan", lang=lang)
    page = warned_site.get(path, "zhongyuan", lang=lang)
    assert twin.status_code == 200, twin.text
    assert page.status_code == 200, page.text
    assert twin.json()["framework"] == "cn-2017-quality-no-l7"
    assert twin.json()["framework_warnings"] == [
        expected_warning(Path(override.name), lang)
    ]
    assert 'id="framework-warnings"' in page.text
    assert (
        expected_warning(Path(override.name), lang).replace("'", "&#39;") in page.text
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_side_by_side_page_warns(warned_site: Site, override: Path, lang: str) -> None:
    page = warned_site.get(f"/evaluations/2024/{ZHONGYUAN}", "zhongyuan", lang=lang)
    assert page.status_code == 200, page.text
    assert 'id="framework-warnings"' in page.text
    assert (
        expected_warning(Path(override.name), lang).replace("'", "&#39;") in page.text
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_public_reports_name_file_only(
    warned_site: Site, override: Path, lang: str
) -> None:
    # 二七区 is published, so an anonymous visitor may read the province.
    for fmt in ("html", "xlsx"):
        response = warned_site.get(f"/dash/2024/province/41/report.{fmt}", lang=lang)
        assert response.status_code == 200, response.text
        content = response.content
        if fmt == "xlsx":
            # The report writer may store strings inline in the sheets.
            with zipfile.ZipFile(io.BytesIO(content)) as book:
                content = b"".join(book.read(name) for name in book.namelist())
        assert f"cn-2017-quality; {override.name}".encode() in content, fmt
        assert str(override.parent).encode() not in content, fmt


def test_default_framework_has_no_warning(database: Database) -> None:
    for site in _site(database, "cn-2017-quality"):
        twin = site.get(f"{COUNTY_PAGE}.json", "zhongyuan").json()
        page = site.get(COUNTY_PAGE, "zhongyuan").text
        assert twin["framework"] == "cn-2017-quality"
        assert twin["framework_warnings"] == []
        assert 'id="framework-warnings"' not in page
        monitor = site.get(f"/monitor/trends/{ZHONGYUAN}.json", "zhongyuan").json()
        assert monitor["framework_warnings"] == []


def test_unusable_framework_stops_the_app(database: Database) -> None:
    settings = WebSettings(mode="dev", database_url=database.url, framework="nope")
    with pytest.raises(FrameworkError, match="nope"):
        create_app(settings, database.engine)


@BROWSER_TEST[0]
@BROWSER_TEST[1]
@pytest.mark.parametrize(("lang", "heading"), [("zh", "警告"), ("en", "warnings")])
def test_browser_shows_warning(
    browser: Any, database: Database, override: Path, lang: str, heading: str
) -> None:
    with database.sessions() as session:
        seed(session)
    settings = WebSettings(
        mode="dev", database_url=database.url, framework=str(override)
    )
    with live_server(create_app(settings, database.engine)) as base:
        page = browser.new_page()
        log_in(page, base, "zhongyuan", PASSWORD)
        page.goto(f"{base}{COUNTY_PAGE}?lang={lang}")
        notice = page.locator("#framework-warnings")
        assert notice.is_visible()
        assert heading in notice.locator("p").inner_text()
        items = notice.locator("li").all_inner_texts()
        assert items == [expected_warning(Path(override.name), lang)]
