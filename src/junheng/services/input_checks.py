"""Checks of user input that every supported store must be able to save.

SQLite accepts a NUL character (U+0000) in text and a NaN or infinite float
(it stores NaN as NULL). PostgreSQL rejects a NUL character in text, and NaN
or Infinity in a JSON value such as the state an audit record keeps.
:mod:`junheng.store.guard` runs these checks on every parameter of every
statement sent to either store, so both stores reject the same input with the
same error whichever service writes it.

A service calls them itself only in three cases. It uses the value before the
flush (a rectification target), one message names several fields (an
evaluation by others), or the service names the field better than the column
name does (a target's note by its division).
"""

from __future__ import annotations

import math

from junheng.errors import InputError


def reject_nul(**fields: str | None) -> None:
    """Raise :class:`InputError` naming each field whose text contains a NUL
    character (U+0000)."""
    bad = [name for name, value in fields.items() if value and "\x00" in value]
    if bad:
        names = ", ".join(bad)
        raise InputError(
            f"{names} contains a NUL character (U+0000), which cannot be stored; "
            "remove it and send the text again",
            zh=f"{names} 含有 NUL 字符（U+0000），无法保存；请删除该字符后重新提交",
        )


def require_finite(name: str, value: float | None) -> None:
    """Raise :class:`InputError` when ``value`` is NaN or infinite."""
    if value is not None and not math.isfinite(value):
        raise InputError(
            f"{name} {value} is not a finite number; write a number such as 0.5",
            zh=f"{name} 的值 {value} 不是有限数值，请填写数字，例如 0.5",
        )
