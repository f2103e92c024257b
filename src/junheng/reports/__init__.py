"""Reports of an evaluation: JSON, Excel, HTML and a terminal summary.

Every report is rendered from the document of
:func:`junheng.evaluation.document.build_document` and computes nothing itself.
The writers are imported on first use, so importing this package stays cheap
(the HTML writer loads matplotlib).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from junheng.reports.common import Document, resolve_lang

ReportFormat = Literal["json", "xlsx", "html"]
FORMATS: tuple[ReportFormat, ...] = ("json", "xlsx", "html")


def write_report(
    doc: Document,
    fmt: ReportFormat,
    path: str | Path,
    lang: str | None = None,
) -> Path:
    """Write ``doc`` to ``path`` in format ``fmt`` and return the path.

    ``lang`` (``zh`` or ``en``) sets the labels of Excel and HTML reports and
    defaults to the document's language. JSON is the document as it is.
    Raises ``ValueError`` for an unknown format or language.
    """
    resolve_lang(doc, lang)
    if fmt == "json":
        from junheng.reports.json_report import write_json

        return write_json(doc, path)
    if fmt == "xlsx":
        from junheng.reports.excel import write_workbook

        return write_workbook(doc, path, lang)
    if fmt == "html":
        from junheng.reports.html import write_html

        return write_html(doc, path, lang)
    raise ValueError(
        f"unknown report format {fmt!r}, expected one of {', '.join(FORMATS)}"
    )


__all__ = ["FORMATS", "ReportFormat", "write_report"]
