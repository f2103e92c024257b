"""The check that every value sent to the store can be stored on both
supported databases.

PostgreSQL rejects a NUL character (U+0000) in text, also in a query
parameter, and NaN or Infinity in a JSON column, while SQLite stores both (a
NaN float as NULL). :func:`check_parameters` runs before each statement sent
to SQLite or PostgreSQL and raises :class:`~junheng.errors.InputError` for
such a value in any of its parameters. So on either store the web app
responds with 422, the command line exits with its input-error code, and
nothing is written.

The check covers every way a value reaches the database: an ORM flush, an
ORM bulk statement (``session.execute(insert(Model), rows)``), a Core
``insert``, ``update`` or ``select`` with values bound in the statement or
passed with it, and SQL given to ``exec_driver_sql``. It first scans the
parameters as the driver receives them, in a loop cheap enough for bulk
loads (see ``benchmarks/bench_store_guard.py``). Only a statement with a
suspect value is checked exactly, on the parameters before the column types
converted them. The message names a JSON value by its path inside the
column, such as ``answers.q3`` or ``data.students``, and a plain value by its
column (``name`` for the bound parameter ``name_1``).

An ORM flush sends only the columns that it writes: new objects in full and
changed objects in the columns that changed. So a row stored earlier on
SQLite with such a value can still be changed in its other columns.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, event

from junheng.services.input_checks import reject_nul, require_finite

CHECKED_DIALECTS = frozenset({"sqlite", "postgresql"})
"""The databases that the store supports and this check covers."""

_PLAIN_TYPES = frozenset({type(None), int, bool, bytes, date, datetime, time})
"""Parameter types that never hold text or a float, skipped without a look."""

_CHECKED = "_junheng_parameters_checked"
"""Mark on an execution context whose parameters were checked exactly."""

_MISSING = object()

_JSON_STARTS = ("{", "[", '"', "N", "I", "-")
"""First characters of serialized JSON that may contain a NUL character or
NaN or Infinity: an object, an array, a string or a bare NaN or Infinity."""

_NUMBERED = re.compile(r"(?:_m[0-9]+|_+[0-9]+)+$")
"""The suffix that SQLAlchemy adds to a column's name to name a bound parameter."""


def _walk(name: str, value: Any) -> Iterator[tuple[str, Any]]:
    """Yield ``(path, value)`` for ``value`` and every key and item inside it."""
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{name}.{key}"
            yield path, key
            yield from _walk(path, item)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _walk(f"{name}[{index}]", item)
    else:
        yield name, value


def check_value(name: str, value: Any) -> None:
    """Raise :class:`InputError` when ``value``, or a key or item inside it,
    is text with a NUL character or a NaN or infinite number."""
    for path, part in _walk(name, value):
        if isinstance(part, str):
            reject_nul(**{path: part})
        elif isinstance(part, float | Decimal):
            require_finite(path, float(part))


def _check_row(row: Mapping[str, Any] | Iterable[Any]) -> None:
    """Check the parameters of one row exactly, by bound name or by position."""
    if isinstance(row, Mapping):
        named: Iterable[tuple[str, Any]] = row.items()
    else:
        named = ((f"parameter {i + 1}", value) for i, value in enumerate(row))
    for key, value in named:
        check_value(_NUMBERED.sub("", key), value)


def _as_is(text: str) -> str:
    return text


def _suspect_json(text: str) -> bool:
    """Return whether serialized JSON may hold a NUL character or NaN or
    Infinity, which Python's serializer writes as bare tokens."""
    # A one-character search runs several times faster than a longer one, and
    # keys in snake_case and escaped Chinese text rarely contain N or I.
    return (
        ("N" in text and "NaN" in text)
        or ("I" in text and "Infinity" in text)
        or "\\u0000" in text
    )


def _suspect_object(value: Any) -> bool:
    """Return whether a parameter that is not text, a float or a plain value
    may hold a NUL character or a NaN or infinite number."""
    if isinstance(value, Decimal):
        return not value.is_finite()
    # psycopg 3 sends a JSON value in its Json or Jsonb wrapper, whose public
    # ``obj`` and ``dumps`` are the value and the serializer. The text made
    # here is handed back as ``obj`` with a serializer that returns it as is,
    # so the value is serialized once, not twice.
    wrapped = getattr(value, "obj", _MISSING)
    if wrapped is _MISSING:
        return True
    dumps = getattr(value, "dumps", None) or json.dumps
    try:
        text = dumps(wrapped)
    except (TypeError, ValueError):
        return True
    if isinstance(text, bytes):
        text = text.decode()
    value.obj = text
    value.dumps = _as_is
    return _suspect_json(text)


def _suspect_rows(rows: Iterable[Any]) -> bool:
    """Return whether a value of ``rows``, as the driver receives them, may be
    text with a NUL character or a NaN or infinite number.

    A JSON value arrives serialized on SQLite, where NaN and Infinity become
    bare tokens and a NUL character becomes ``\\u0000``, so text that starts
    like such JSON and contains one of these is suspect too. A
    suspect statement is checked exactly, and a false suspect, such as a note
    that mentions NaN, passes that check.
    """
    for row in rows:
        values: Iterable[Any]
        if type(row) is tuple:
            values = row
        elif isinstance(row, Mapping):
            values = row.values()
        else:
            values = row
        for value in values:
            # Exact type tests come first and call no function, because a bulk
            # load sends millions of plain values.
            kind = type(value)
            if kind is str:
                if "\x00" in value:
                    return True
                if value[:1] in _JSON_STARTS and _suspect_json(value):
                    return True
            elif kind is float:
                if not math.isfinite(value):
                    return True
            elif kind not in _PLAIN_TYPES and _suspect_object(value):
                return True
    return False


def check_parameters(
    connection: Connection,
    cursor: Any,
    statement: str,
    parameters: Any,
    context: Any,
    executemany: bool,
) -> None:
    """Raise :class:`InputError` for a NUL character or a NaN or infinite
    number in a parameter of a statement sent to SQLite or PostgreSQL."""
    if connection.dialect.name not in CHECKED_DIALECTS:
        return
    # A batch of a bulk insert comes as one row of many values, with
    # ``executemany`` true; an executemany proper comes as a list of rows.
    many = executemany and isinstance(parameters, list)
    rows = parameters if many else [parameters]
    if not _suspect_rows(rows):
        return
    if context is None or context.compiled is None:
        # SQL sent with exec_driver_sql has only the driver's parameters.
        exact = rows
    else:
        # The values before the column types converted them, with their names.
        # A bulk insert sent in batches calls this for each batch with the
        # same context, whose compiled_parameters hold every row.
        if getattr(context, _CHECKED, False):
            return
        setattr(context, _CHECKED, True)
        exact = context.compiled_parameters
    for row in exact:
        if row:
            _check_row(row)


event.listen(Engine, "before_cursor_execute", check_parameters)
