"""Uploaded files: saved under their own name in a private temporary folder.

The importer names the file in every issue, so the upload keeps its base name
(cleaned of path parts and unusual characters) instead of a random one.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import UploadFile

from junheng.errors import InvalidInput

ACCEPTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv", ".parquet")
_UNSAFE = re.compile(r"[^\w.\-（）() ]+")
_MAX_NAME = 120
_CHUNK = 1024 * 1024


def clean_name(filename: str | None) -> str:
    """Return a safe base name for an uploaded file, keeping its suffix."""
    base = Path((filename or "").replace("\\", "/")).name
    base = _UNSAFE.sub("_", base).strip(" .") or "upload"
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        return base[:_MAX_NAME]
    return f"{stem[: _MAX_NAME - len(suffix) - 1]}.{suffix}"


@contextmanager
def saved_upload(upload: UploadFile) -> Iterator[Path]:
    """Save ``upload`` to a temporary file and yield its path; delete it afterwards.

    The copy blocks, so call it from a plain ``def`` route or another function
    that Starlette runs in its thread pool. Raises :class:`InvalidInput` when
    the file type is not one the importer reads.
    """
    name = clean_name(upload.filename)
    if not name.lower().endswith(ACCEPTED_SUFFIXES):
        raise InvalidInput(
            f"the uploaded file {name!r} is not a spreadsheet the importer reads; "
            f"upload one of {', '.join(ACCEPTED_SUFFIXES)} (the template is "
            "written by `junheng template`)",
            zh=f"上传的文件 {name} 不是可导入的表格，请上传 "
            f"{'、'.join(ACCEPTED_SUFFIXES)} 文件（模板可用 junheng template 生成）",
        )
    folder = Path(tempfile.mkdtemp(prefix="junheng-upload-"))
    try:
        path = folder / name
        upload.file.seek(0)
        with path.open("wb") as target:
            shutil.copyfileobj(upload.file, target, _CHUNK)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)
