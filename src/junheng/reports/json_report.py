"""The evaluation document written as UTF-8 JSON."""

from __future__ import annotations

import json
import logging
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

from junheng.reports.common import Document, number

log = logging.getLogger(__name__)

COMPACT_ABOVE_SCHOOLS = 5_000
"""Documents with more school rows than this are written without indentation."""

COMPACT_ABOVE_COUNTIES = 200
"""Documents with more county-years than this are written without indentation.

Python's json module encodes indented output in pure Python, tens of times
slower than the compact C encoder, which matters for national documents.
Compact documents are encoded by orjson, which took under 2 s for a national
document of 480 MB where the compact encoder of json took about 10 s.
"""


def _encode_extra(value: Any) -> Any:
    # Called by json only for types it cannot encode itself.
    if isinstance(value, Decimal):
        return number(value)
    raise TypeError(f"cannot write a {type(value).__name__} value to JSON: {value!r}")


def _without_nan(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _without_nan(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_without_nan(v) for v in value]
    return value


def _compact(doc: Document) -> bool:
    return (
        len(doc.get("schools", [])) > COMPACT_ABOVE_SCHOOLS
        or len(doc.get("counties", [])) > COMPACT_ABOVE_COUNTIES
    )


def _dump_indented(doc: Document) -> str:
    options: dict[str, Any] = {
        "ensure_ascii": False,
        "allow_nan": False,
        "default": _encode_extra,
        "indent": 2,
    }
    try:
        return json.dumps(doc, **options)
    except ValueError:
        # The document builder already replaces NaN with None. This slower pass
        # catches any value that escaped it.
        log.warning("document contains NaN or infinite numbers, written as null")
        return json.dumps(_without_nan(dict(doc)), **options)


def _dump_compact(doc: Document) -> bytes:
    # orjson writes NaN and infinite numbers as null, as _without_nan does, and
    # keys that are not strings as json does. Its text equals that of json's
    # compact encoder except for numbers below 1e-4, which it writes without
    # an exponent (0.00001 for 1e-05) or with fewer exponent digits (1.5e-7
    # for 1.5e-07): the same values once read.
    return orjson.dumps(doc, default=_encode_extra, option=orjson.OPT_NON_STR_KEYS)


def dump_json(doc: Document) -> str:
    """Return ``doc`` as JSON text (see :func:`write_json` for the layout)."""
    if _compact(doc):
        return _dump_compact(doc).decode("utf-8")
    return _dump_indented(doc)


def write_json(doc: Document, path: str | Path) -> Path:
    """Write ``doc`` to ``path`` as UTF-8 JSON and return the path.

    Non-ASCII text is written as is. Documents with up to 5,000 school rows and
    200 county-years are indented by 2 spaces, larger ones are compact. NaN and
    infinite numbers are written as ``null``, never as the non-standard ``NaN``
    literal.
    """
    target = Path(path)
    if _compact(doc):
        target.write_bytes(_dump_compact(doc) + b"\n")
    else:
        target.write_text(_dump_indented(doc) + "\n", encoding="utf-8")
    log.info("wrote JSON report %s", target)
    return target
