"""The check that every value written through a session can be stored on
both supported databases.

PostgreSQL rejects a NUL character (U+0000) in a text column and NaN or
Infinity in a JSON column, while SQLite stores both (a NaN float as NULL).
:func:`check_flush` runs before each flush of any SQLAlchemy session and
raises :class:`~junheng.errors.InputError` for such a value. So on either store
the web app responds with 422, the command line exits with its input-error
code, and nothing is written. The message names the attribute, and a value
inside a JSON column by its path, such as ``answers.q3`` or ``data.students``.

Only the attributes that a flush writes are checked: new objects in full and
changed objects in the attributes that changed, so a row stored earlier on
SQLite with such a value can still be changed in its other columns.

PostgreSQL also rejects a NUL character in a query parameter, so a lookup such
as "is this name taken" fails before the flush. :func:`check_parameters` runs
before each statement sent to PostgreSQL and raises the same error, naming
the parameter's column (``name`` for the bound parameter ``name_1``). On
SQLite such a lookup finds nothing and the flush check rejects the write.

NOTE: statements that bypass the unit of work (``session.execute(update(...))``
or ``insert(...)``) are checked for NUL text on PostgreSQL only, and not for
non-finite numbers. The services use them only for values they compute
themselves, such as a status or a counter.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, event, inspect
from sqlalchemy.orm import ColumnProperty, Session, UOWTransaction

from junheng.services.input_checks import reject_nul, require_finite


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


def _written(instance: object, new: bool) -> Iterator[tuple[str, Any]]:
    """Yield ``(attribute, value)`` for each column value a flush writes."""
    state = inspect(instance)
    for prop in state.mapper.iterate_properties:
        if not isinstance(prop, ColumnProperty):
            continue
        if new:
            yield prop.key, state.dict.get(prop.key)
        else:
            for value in state.attrs[prop.key].history.added:
                yield prop.key, value


def check_flush(
    session: Session, context: UOWTransaction, instances: object | None
) -> None:
    """Check the values of the objects about to be inserted or updated."""
    for instance in session.new:
        for name, value in _written(instance, new=True):
            check_value(name, value)
    for instance in session.dirty:
        for name, value in _written(instance, new=False):
            check_value(name, value)


_NUMBERED = re.compile(r"_+[0-9]+$")


def check_parameters(
    connection: Connection,
    cursor: Any,
    statement: str,
    parameters: Any,
    context: Any,
    executemany: bool,
) -> None:
    """Raise :class:`InputError` for a NUL character in a parameter of a
    statement sent to PostgreSQL."""
    if connection.dialect.name != "postgresql":
        return
    rows = parameters if executemany else [parameters]
    for row in rows:
        if isinstance(row, Mapping):
            named: Sequence[tuple[str, Any]] = list(row.items())
        else:
            named = [(f"parameter {i + 1}", value) for i, value in enumerate(row)]
        for key, value in named:
            if isinstance(value, str):
                reject_nul(**{_NUMBERED.sub("", key): value})


event.listen(Session, "before_flush", check_flush)
event.listen(Engine, "before_cursor_execute", check_parameters)
