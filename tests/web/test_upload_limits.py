"""Uploads over the size limits, and imports that leave the server responsive."""

from __future__ import annotations

import csv
import http.client
import io
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pytest
from ingest.ingest_files import with_sheet_xml
from web.live import live_server
from web.site import Site, assert_error, school_row

IMPORT_ROWS = 3000
"""Rows of the import that runs while other requests are sent. Importing them
takes seconds, far longer than 3 requests for the login page."""


def _csv(rows: int) -> bytes:
    """Return a valid CSV file of ``rows`` new schools of 中原区 (410102)."""
    codes = (f"21411{n:05d}" for n in range(rows))
    lines = [school_row(code, school_name=f"测试小学 {code}") for code in codes]
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(lines[0]))
    writer.writeheader()
    writer.writerows(lines)
    return text.getvalue().encode()


def _far_cell_workbook(path: Path) -> bytes:
    """Return a small workbook whose sheet spans A1 to XFD1048576."""
    workbook = openpyxl.Workbook()
    workbook.active.append(list(school_row()))
    workbook.save(path)
    far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return with_sheet_xml(path, far).read_bytes()


def test_far_cell_workbook_gets_422(site: Site, tmp_path: Path) -> None:
    client = site.client()
    body = _far_cell_workbook(tmp_path / "far.xlsx")
    for query, message in (
        ("", "文件的数据区域有 17,179,869,184 个单元格"),
        ("?lang=en", "the file spans 17,179,869,184 cells"),
    ):
        response = client.post(
            f"/api/v1/imports{query}",
            files={"file": ("far.xlsx", body)},
            headers=site.token("school_a"),
        )
        assert_error(response, 422, "invalid_input")
        (issue,) = response.json()["error"]["detail"]
        assert issue["code"] == "file.too_many_cells"
        assert issue["file"] == "far.xlsx"
        assert issue["message"].startswith(message)


def test_cell_limit_setting_applies(site: Site) -> None:
    site.app.state.settings = site.app.state.settings.model_copy(
        update={"max_import_cells": 1000}
    )
    response = site.client().post(
        "/api/v1/imports?lang=en",
        files={"file": ("schools.csv", _csv(100))},
        headers=site.token("zhongyuan"),
    )
    assert_error(response, 422, "invalid_input")
    (issue,) = response.json()["error"]["detail"]
    assert issue["code"] == "file.too_many_cells.table"
    assert issue["message"].endswith("over the limit of 1,000, so it was not read")


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_pages_answer_during_import(site: Site) -> None:
    headers = site.token("zhongyuan")
    body = _csv(IMPORT_ROWS)
    boundary = "junheng-test-boundary"
    sent = threading.Event()
    finished = threading.Event()
    outcome: dict[str, int] = {}

    def parts() -> Iterator[bytes]:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            'filename="schools.csv"\r\nContent-Type: text/csv\r\n\r\n'
        ).encode()
        yield body
        yield f"\r\n--{boundary}--\r\n".encode()
        # The generator resumes once the last part has been written.
        sent.set()

    with live_server(site.app) as base:
        address = urlsplit(base)

        def upload() -> None:
            connection = http.client.HTTPConnection(
                address.hostname or "", address.port, timeout=600
            )
            try:
                connection.request(
                    "POST",
                    "/api/v1/imports",
                    body=parts(),
                    headers={
                        **headers,
                        "Content-Type": f"multipart/form-data; boundary={boundary}",
                    },
                    encode_chunked=True,
                )
                outcome["status"] = connection.getresponse().status
            finally:
                connection.close()
                finished.set()

        worker = threading.Thread(target=upload)
        worker.start()
        assert sent.wait(timeout=120)
        answered_during_import = 0
        for _ in range(3):
            with urllib.request.urlopen(f"{base}/login", timeout=600) as page:
                assert page.status == 200
            if not finished.is_set():
                answered_during_import += 1
        worker.join(timeout=600)
    assert outcome["status"] == 201
    # With the import on the event loop, every page request would wait for it.
    assert answered_during_import == 3
