"""Messages for request parameters that FastAPI rejected, in the page language.

FastAPI reports each invalid parameter as a pydantic error item with a ``type``
(such as ``int_parsing``), a ``loc`` (such as ``["query", "year"]``) and values
in ``ctx`` (such as ``{"ge": 1990}``). The items stay in the response detail for
programs; people read the sentence built here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from junheng.pydantic_texts import describe_problem
from junheng.web.i18n import Language

MAX_LISTED = 5
"""Parameters named in the message; the detail lists every one."""

_PLACES: dict[str, tuple[str, str]] = {
    "query": ("查询参数", "query parameter"),
    "path": ("路径参数", "path parameter"),
    "body": ("请求体字段", "body field"),
    "header": ("请求头", "header"),
    "cookie": ("Cookie", "cookie"),
}


def describe_item(item: dict[str, Any], lang: Language) -> str:
    """Return one error item as ``<place> <field> <problem>`` in ``lang``."""
    loc = [str(part) for part in item.get("loc", ())]
    index = 0 if lang == "zh" else 1
    place = ""
    if loc and loc[0] in _PLACES:
        place = _PLACES[loc[0]][index]
        loc = loc[1:]
    field = ".".join(loc)
    problem = describe_problem(item, lang)
    name = f"{place} {field}".strip()
    return f"{name}：{problem}" if lang == "zh" else f"{name} {problem}"


def describe_items(items: Sequence[dict[str, Any]], lang: Language) -> str:
    """Return the problems of ``items`` as one sentence part, at most MAX_LISTED."""
    parts = [describe_item(item, lang) for item in items[:MAX_LISTED]]
    more = len(items) - MAX_LISTED
    if more > 0:
        parts.append(f"另有 {more} 处" if lang == "zh" else f"{more} more")
    return ("；" if lang == "zh" else "; ").join(parts)
