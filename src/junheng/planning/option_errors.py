"""Errors about an invalid value of a planning option, in Chinese and English."""

from __future__ import annotations

from typing import Any

from junheng.errors import InputError

EXPECTED_ZH = {
    "a whole number, 0 or more": "0 或更大的整数",
    "a whole number, 1 or more": "1 或更大的整数",
    "true or false": "true 或 false",
    "a distance in km above 0, or null for none": "大于 0 的公里数，不限则填 null",
    "a number, 0 or more": "0 或更大的数",
    "a number, 1 or more": "1 或更大的数",
    "a share between 0 and 1, such as '0.10'": "0 到 1 之间的比例，例如 '0.10'",
    "a list of subject names, or one text such as '体育, 音乐'": (
        "学科名称列表，或一段文字，例如 '体育, 音乐'"
    ),
}
"""The Chinese of each expected-value phrase used by the option checks."""


def bad_option_value(
    what: tuple[str, str], key: str, value: Any, expected: str
) -> InputError:
    """Return the error for ``value`` of option ``key``, expected ``expected``.

    ``what`` names the options in English and Chinese, e.g.
    ``("pairing option", "结对选项")``; ``expected`` is a key of
    :data:`EXPECTED_ZH`.
    """
    what_en, what_zh = what
    return InputError(
        f"invalid value {value!r} of {what_en} {key!r}; expected {expected}",
        zh=f"{what_zh} {key!r} 的值 {value!r} 无效；应为{EXPECTED_ZH[expected]}",
    )


def raise_all(errors: list[InputError]) -> None:
    """Raise the errors of several options at once, if there are any.

    One error is raised as it is. Several become one error whose message lists
    each, so that a user fixes every bad value in one round.
    """
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InputError(
            f"{len(errors)} invalid options: "
            + "; ".join(e.message_en for e in errors),
            zh=f"{len(errors)} 个选项无效：" + "；".join(e.message_zh for e in errors),
        )
