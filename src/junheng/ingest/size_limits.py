"""Check the size of a workbook or CSV file before a reader parses it.

A few kilobytes of zip archive can unpack into gigabytes of sheet XML.
python-calamine and fastexcel allocate a dense grid from the first to the last
cell of a sheet, so a cell at A1 and one at XFD1048576 ask for 17 billion
cells. Both stop the process. The readers therefore check an .xlsx or .xlsm
workbook first: the uncompressed size of its zip members, measured while
inflating them in chunks (a member may declare a smaller size than it holds,
and fastexcel 0.21 reads past the declared size), and the grid of each XML
part, bounded from the cell and row references in the same pass.
"""

from __future__ import annotations

import copy
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from junheng.ingest.issues import Issue
from junheng.ingest.messages import both

_CHUNK = 16 * 1024 * 1024
_WHITESPACE = np.frombuffer(b" \t\n\r", dtype=np.uint8)
# A reference has at most 3 letters (XFD) and 7 digits (1048576); a longer one
# is counted as beyond every grid.
_WINDOW = 12
_BEYOND = 1 << 40


@dataclass(frozen=True)
class SizeLimits:
    """The largest input the readers parse.

    ``max_cells`` bounds the cells of the grids of a workbook's sheets (summed
    over the sheets) and the lines times fields of a CSV file.
    ``max_unzipped_bytes`` bounds the uncompressed size of an .xlsx or .xlsm
    workbook's zip members. ``max_parquet_cells`` bounds the rows times columns
    of a Parquet file, and None leaves them unchecked. The defaults let the
    command line read the 200,000-row national benchmark workbook (7.8 million
    cells, 245 MB of sheet XML) and the 2-million-row national Parquet file.
    The web platform sets smaller limits.
    """

    max_cells: int = 20_000_000
    max_unzipped_bytes: int = 1024 * 1024 * 1024
    max_parquet_cells: int | None = None


@dataclass
class _Grid:
    """The references and tags seen so far in one XML part."""

    max_row: int = 0
    max_column: int = 0
    rows_without_reference: int = 0
    max_cells_without_reference: int = 0
    open_row_cells: int = 0

    def cells(self) -> int:
        """Return an upper bound of the cells of the grid calamine would build.

        Rows and cells without an ``r`` attribute follow the one before, so
        each adds at most one to the last row or column that a reference names.
        """
        rows = self.max_row + self.rows_without_reference
        columns = self.max_column + self.max_cells_without_reference
        return rows * columns


def check_workbook(file: str, path: Path, limits: SizeLimits) -> Issue | None:
    """Return the issue of a zip workbook over ``limits``, or None.

    A member that contains more than it declares, or that cannot be inflated
    (corrupt, encrypted, or compressed with a method other than the stored and
    deflated ones Excel writes), is reported as damaged: its size is unknown,
    and a zip tool that wrote it would have declared the size it wrote.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError):
        # The workbook reader reports an unreadable archive in its own words.
        return None
    with archive:
        try:
            return _check_members(file, archive, limits)
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError):
            return _damaged(file)


def _check_members(
    file: str, archive: zipfile.ZipFile, limits: SizeLimits
) -> Issue | None:
    members = archive.infolist()
    declared = sum(member.file_size for member in members)
    if declared > limits.max_unzipped_bytes:
        return _too_big(file, declared, limits)
    total = 0
    cells = 0
    for member in members:
        grid = _Grid()
        size = 0
        budget = limits.max_unzipped_bytes - total
        for chunk in _inflate(archive, member, budget + 1):
            size += len(chunk)
            _count(chunk, grid)
            if cells + grid.cells() > limits.max_cells:
                return too_many_cells(file, cells + grid.cells(), limits.max_cells)
        total += size
        if total > limits.max_unzipped_bytes:
            return _too_big(file, total, limits)
        if size > member.file_size:
            return _damaged(file)
        cells += grid.cells()
        if cells > limits.max_cells:
            return too_many_cells(file, cells, limits.max_cells)
    return None


def _damaged(file: str) -> Issue:
    kind = both("Excel 工作簿", "Excel workbook")
    return Issue.coded(file, None, None, None, None, "file.damaged", kind=kind)


def too_many_cells(file: str, cells: int, limit: int) -> Issue:
    """Return the issue of a file of more than ``limit`` cells."""
    return Issue.coded(
        file,
        None,
        None,
        None,
        None,
        "file.too_many_cells",
        cells=f"{cells:,}" if cells < _BEYOND else "> 10^12",
        limit=f"{limit:,}",
    )


def _too_big(file: str, size: int, limits: SizeLimits) -> Issue:
    return Issue.coded(
        file,
        None,
        None,
        None,
        None,
        "file.unzipped_too_large",
        size=f"{size / 1024 / 1024:,.0f}",
        limit=f"{limits.max_unzipped_bytes / 1024 / 1024:,.0f}",
    )


def _inflate(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: int
) -> Iterator[bytes]:
    """Yield the member's bytes in chunks ending at a ``>``, at most ``budget``.

    zipfile stops at the declared size, so the copy declares ``budget``
    instead, to read what the compressed data really contains.
    """
    measured = copy.copy(member)
    measured.file_size = budget
    rest = b""
    with archive.open(measured) as stream:
        while block := stream.read(_CHUNK):
            data = rest + block
            cut = data.rfind(b">") + 1
            yield data[:cut]
            rest = data[cut:]
            if len(rest) > _CHUNK:
                # Text without tags contains no cells, so only its length counts.
                yield rest
                rest = b""
    if rest:
        yield rest


def _count(chunk: bytes, grid: _Grid) -> None:
    """Add the references and the row and cell tags of ``chunk`` to ``grid``."""
    data = np.frombuffer(chunk + b"\0" * _WINDOW, dtype=np.uint8)
    size = len(chunk)
    references = _reference_starts(data, size)
    if references.size:
        rows, columns = _parse_references(data, references)
        grid.max_row = max(grid.max_row, int(rows.max()))
        grid.max_column = max(grid.max_column, int(columns.max()))
    ends = np.flatnonzero(data[:size] == ord(">"))
    names = _tag_names(data, size)
    row_tags = names[_name_is(data, names, b"row")]
    cell_tags = names[_name_is(data, names, b"c")]
    rows_without = row_tags[~_has_reference(row_tags, ends, references)]
    cells_without = cell_tags[~_has_reference(cell_tags, ends, references)]
    grid.rows_without_reference += rows_without.size
    # Each cell without a reference belongs to the last row tag before it, or
    # to the row still open from the chunk before (index -1).
    owner = np.searchsorted(row_tags, cells_without, side="right") - 1
    carried = grid.open_row_cells + int(np.count_nonzero(owner < 0))
    per_row = np.bincount(owner[owner >= 0], minlength=row_tags.size)
    widest = max(carried, int(per_row.max(initial=0)))
    grid.max_cells_without_reference = max(grid.max_cells_without_reference, widest)
    grid.open_row_cells = int(per_row[-1]) if row_tags.size else carried


def _is_space(values: np.ndarray) -> np.ndarray:
    return np.isin(values, _WHITESPACE)


def _reference_starts(data: np.ndarray, size: int) -> np.ndarray:
    """Return the offsets of the values of `` r="`` and `` r='`` attributes."""
    equals = np.flatnonzero(data[:size] == ord("="))
    equals = equals[equals >= 2]
    quote = data[equals + 1]
    found = (
        (data[equals - 1] == ord("r"))
        & _is_space(data[equals - 2])
        & ((quote == ord('"')) | (quote == ord("'")))
    )
    starts: np.ndarray = equals[found] + 2
    return starts


def _parse_references(
    data: np.ndarray, starts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return the 1-based row and column of each reference such as ``AB12``.

    A row reference (digits only) has column 0. One with more than 3 letters
    or 7 digits gets :data:`_BEYOND`, which no limit admits.
    """
    letters = np.zeros(starts.size, dtype=np.int64)
    columns = np.zeros(starts.size, dtype=np.int64)
    for k in range(4):
        upper = data[starts + k] & 0xDF
        is_letter = (upper >= ord("A")) & (upper <= ord("Z")) & (letters == k)
        columns = np.where(is_letter, columns * 26 + upper - 64, columns)
        letters += is_letter
    rows = np.zeros(starts.size, dtype=np.int64)
    digits = np.zeros(starts.size, dtype=np.int64)
    for k in range(8):
        byte = data[starts + letters + k]
        is_digit = (byte >= ord("0")) & (byte <= ord("9")) & (digits == k)
        rows = np.where(is_digit, rows * 10 + byte - ord("0"), rows)
        digits += is_digit
    beyond = (letters > 3) | (digits > 7)
    return np.where(beyond, _BEYOND, rows), np.where(beyond, _BEYOND, columns)


def _tag_names(data: np.ndarray, size: int) -> np.ndarray:
    """Return the offsets of the tag names in ``data``, in order.

    A name follows ``<``, or a namespace prefix such as ``x:`` of at most 8
    characters after ``<``. Counting a colon of another kind as a prefix only
    adds candidates, which the name check then drops.
    """
    starts = np.flatnonzero(data[:size] == ord("<"))
    colons = np.flatnonzero(data[:size] == ord(":"))
    if starts.size and colons.size:
        before = starts[np.maximum(np.searchsorted(starts, colons) - 1, 0)]
        near = (colons > before) & (colons - before <= 9)
        # A closing tag such as </x:row> is no start tag.
        near &= data[before + 1] != ord("/")
        if near.any():
            return np.sort(np.concatenate([starts + 1, colons[near] + 1]))
    return starts + 1


def _name_is(data: np.ndarray, names: np.ndarray, name: bytes) -> np.ndarray:
    """Return which tag names are ``name``, followed by a space, ``>`` or ``/``."""
    found = np.ones(names.size, dtype=bool)
    for offset, byte in enumerate(name):
        found &= data[names + offset] == byte
    after = data[names + len(name)]
    found &= _is_space(after) | (after == ord(">")) | (after == ord("/"))
    return found


def _has_reference(
    tags: np.ndarray, ends: np.ndarray, references: np.ndarray
) -> np.ndarray:
    """Return whether each tag starting at ``tags`` has an ``r`` attribute."""
    if not tags.size:
        return np.zeros(0, dtype=bool)
    end = ends[np.minimum(np.searchsorted(ends, tags), ends.size - 1)]
    first = np.searchsorted(references, tags)
    inside = np.append(references, np.iinfo(np.int64).max)[first]
    return inside < end
