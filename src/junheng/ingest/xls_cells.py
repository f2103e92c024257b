"""Formulas of Excel 97–2003 (.xls) workbooks that have no saved result.

python-calamine reads such a formula as an empty cell. The workbook is an OLE2
compound file (read with olefile) whose ``Workbook`` stream contains BIFF8
records: a BOUNDSHEET record per sheet in the workbook globals, then each
sheet's records, among them one FORMULA record per formula cell. The layout
of these records is that of Microsoft's [MS-XLS] specification, sections
2.4.28 (BoundSheet8) and 2.4.127 (Formula).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

import olefile

from junheng.ingest.xlsx_cells import CellProblem

FORMULA_TEXT = "=…"
"""The text that stands for an .xls formula, whose text is not decoded."""

_BOUNDSHEET = 0x0085
_FORMULA = 0x0006
_EOF = 0x000A
_EMPTY_RESULT = 3
"""Type byte of a formula result that is an empty string, when the last two
of the result's eight bytes are 0xFFFF."""


def xls_formulas_without_result(
    path: Path, names: list[str]
) -> dict[str, list[CellProblem]]:
    """Return, for each sheet of ``names``, the formula cells whose saved result
    is empty, 0-based as in calamine's rows.

    xlwt writes every formula so, without calculating it. A file that cannot be
    read as a BIFF8 workbook gives no cells.
    """
    # NOTE: Excel also saves a formula whose result is "" (such as
    # =IF(A2="","",A2)) with an empty result, so such a cell is reported too;
    # it reads as empty either way.
    try:
        with olefile.OleFileIO(str(path)) as ole:
            data = ole.openstream("Workbook").read()
    except (OSError, ValueError):
        return {}
    offsets = _sheet_offsets(data)
    found: dict[str, list[CellProblem]] = {}
    for name in names:
        offset = offsets.get(name)
        if offset is not None:
            found[name] = list(_empty_formulas(data, offset))
    return found


def _records(data: bytes, offset: int) -> Iterator[tuple[int, bytes]]:
    """Yield the type and body of each record from ``offset`` to its EOF record."""
    while offset + 4 <= len(data):
        kind, size = struct.unpack_from("<HH", data, offset)
        yield kind, data[offset + 4 : offset + 4 + size]
        offset += 4 + size
        if kind == _EOF:
            return


def _sheet_offsets(data: bytes) -> dict[str, int]:
    """Return the stream offset of each sheet named in the workbook globals."""
    offsets: dict[str, int] = {}
    for kind, body in _records(data, 0):
        if kind != _BOUNDSHEET or len(body) < 8:
            continue
        (offset,) = struct.unpack_from("<I", body, 0)
        length, wide = body[6], body[7] & 1
        raw = body[8 : 8 + length * (2 if wide else 1)]
        name = raw.decode("utf-16-le" if wide else "latin-1", errors="replace")
        offsets[name] = offset
    return offsets


def _empty_formulas(data: bytes, offset: int) -> Iterator[CellProblem]:
    for kind, body in _records(data, offset):
        if kind != _FORMULA or len(body) < 14:
            continue
        row, column = struct.unpack_from("<HH", body, 0)
        result = body[6:14]
        if result[6:8] == b"\xff\xff" and result[0] == _EMPTY_RESULT:
            yield CellProblem(row, column, "formula", FORMULA_TEXT)
