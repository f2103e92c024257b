"""Chinese and English wording of pydantic's validation error types.

pydantic reports each invalid value with a ``type`` (such as ``int_parsing``)
and the values of the rule in ``ctx`` (such as ``{"ge": 1990}``), but words
``msg`` in English only. The web app's request errors and the framework
loader word the problem with these texts instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PROBLEM_TEXTS: dict[str, tuple[str, str]] = {
    # pydantic error type: (中文, English)
    "missing": ("缺少必填值", "is required"),
    "extra_forbidden": ("不是允许的键", "is not an allowed key"),
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
"""The problem of each error type as (Chinese, English), with ``ctx`` fields
in braces; a type missing here keeps pydantic's English ``msg``."""


def describe_problem(
    item: Mapping[str, Any],
    lang: str,
    texts: Mapping[str, tuple[str, str]] = PROBLEM_TEXTS,
) -> str:
    """Return the problem of one pydantic error item in ``lang``, such as
    "must be at least 1990", from ``texts`` by its type."""
    index = 0 if lang == "zh" else 1
    found = texts.get(str(item.get("type", "")))
    if found is None:
        return "无效" if lang == "zh" else str(item.get("msg", "is invalid"))
    try:
        return found[index].format(**(item.get("ctx") or {}))
    except (KeyError, IndexError):
        return found[index]
