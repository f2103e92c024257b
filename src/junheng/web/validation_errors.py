"""Messages for request parameters that FastAPI rejected, in the page language.

FastAPI reports each invalid parameter as a pydantic error item with a ``type``
(such as ``int_parsing``), a ``loc`` (such as ``["query", "year"]``) and values
in ``ctx`` (such as ``{"ge": 1990}``). The items stay in the response detail for
programs; people read the sentence built here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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

_TEXTS: dict[str, tuple[str, str]] = {
    # pydantic error type: (中文, English)
    "missing": ("缺少必填值", "is required"),
    "int_parsing": ("应为整数", "must be a whole number"),
    "int_type": ("应为整数", "must be a whole number"),
    "int_from_float": ("应为整数", "must be a whole number"),
    "float_parsing": ("应为数字", "must be a number"),
    "float_type": ("应为数字", "must be a number"),
    "bool_parsing": ("应为 true 或 false", "must be true or false"),
    "bool_type": ("应为 true 或 false", "must be true or false"),
    "string_type": ("应为文本", "must be text"),
    "greater_than_equal": ("应不小于 {ge}", "must be at least {ge}"),
    "greater_than": ("应大于 {gt}", "must be greater than {gt}"),
    "less_than_equal": ("应不大于 {le}", "must be at most {le}"),
    "less_than": ("应小于 {lt}", "must be less than {lt}"),
    "string_pattern_mismatch": (
        "格式不符合要求（{pattern}）",
        "does not match the format {pattern}",
    ),
    "string_too_long": (
        "最多 {max_length} 个字符",
        "must have at most {max_length} characters",
    ),
    "string_too_short": (
        "至少 {min_length} 个字符",
        "must have at least {min_length} characters",
    ),
    "literal_error": ("应为 {expected} 之一", "must be one of {expected}"),
    "enum": ("应为 {expected} 之一", "must be one of {expected}"),
    "json_invalid": ("不是有效的 JSON", "is not valid JSON"),
    "dict_type": ("应为 JSON 对象", "must be a JSON object"),
    "model_attributes_type": ("应为 JSON 对象", "must be a JSON object"),
    "list_type": ("应为 JSON 数组", "must be a JSON array"),
    "date_parsing": ("应为日期 YYYY-MM-DD", "must be a date YYYY-MM-DD"),
    "date_from_datetime_parsing": (
        "应为日期 YYYY-MM-DD",
        "must be a date YYYY-MM-DD",
    ),
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
    texts = _TEXTS.get(str(item.get("type", "")))
    if texts is None:
        problem = "无效" if lang == "zh" else str(item.get("msg", "is invalid"))
    else:
        try:
            problem = texts[index].format(**(item.get("ctx") or {}))
        except (KeyError, IndexError):
            problem = texts[index]
    name = f"{place} {field}".strip()
    return f"{name}：{problem}" if lang == "zh" else f"{name} {problem}"


def describe_items(items: Sequence[dict[str, Any]], lang: Language) -> str:
    """Return the problems of ``items`` as one sentence part, at most MAX_LISTED."""
    parts = [describe_item(item, lang) for item in items[:MAX_LISTED]]
    more = len(items) - MAX_LISTED
    if more > 0:
        parts.append(f"另有 {more} 处" if lang == "zh" else f"{more} more")
    return ("；" if lang == "zh" else "; ").join(parts)
