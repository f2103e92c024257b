"""Check the size of a workbook or CSV file before a reader parses it.

A few kilobytes of zip archive can unpack into gigabytes of sheet XML.
python-calamine and fastexcel allocate a dense grid from the first to the last
cell of a sheet, so a cell at A1 and one at XFD1048576 ask for 17 billion
cells. Both stop the process. The readers therefore check an .xlsx or .xlsm
workbook first. The uncompressed size of its zip members is measured while
they are inflated in chunks, because a member may declare a smaller size than
it contains and fastexcel 0.21 reads past the declared size. In the same pass
the grid of each XML part is bounded from the cell and row references. One
thread inflates while another counts the chunk before.
"""

from __future__ import annotations

import copy
import functools
import zipfile
import zlib
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from junheng.ingest.issues import Issue
from junheng.ingest.messages import both

_CHUNK = 16 * 1024 * 1024
_SPACE = np.zeros(256, dtype=bool)
_SPACE[list(b" \t\n\r")] = True
# A tag name ends at white space, ">" or "/".
_ENDS_NAME = _SPACE.copy()
_ENDS_NAME[list(b">/")] = True
_QUOTE = np.zeros(256, dtype=bool)
_QUOTE[list(b"\"'")] = True
# An attribute name follows white space, or a quote for a parser that does
# not insist on the space.
_BEFORE_NAME = _SPACE | _QUOTE
_THREADS = 2
# A reference has at most 3 letters (XFD) and 7 digits (1048576); a longer one
# is counted as beyond every grid.
_WINDOW = 12
_BEYOND = 1 << 40


def _counts_table() -> tuple[np.ndarray, np.ndarray]:
    """Return the counts of leading letters and of the digits after them for
    every 16-bit code of :func:`_largest_reference`."""
    codes = np.arange(1 << 16)
    letters = np.zeros(codes.size, dtype=np.int64)
    for place in range(4):
        letters += (codes >> place & 1) & (letters == place)
    digits = np.zeros(codes.size, dtype=np.int64)
    for place in range(_WINDOW):
        inside = letters + place < _WINDOW
        digits += (codes >> (4 + letters + place) & 1) & (digits == place) & inside
    return letters, digits


_LETTER_COUNT, _DIGIT_COUNT = _counts_table()


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


@dataclass(frozen=True)
class _Part:
    """The share of one chunk of an XML part in the bound of its grid.

    ``leading_cells`` are the cells without an ``r`` attribute before the
    chunk's first row tag, which belong to the row still open from the chunk
    before. ``widest`` is the largest number of such cells in one row that
    starts in the chunk, and ``open_row_cells`` is that number for the
    chunk's last row.
    """

    max_row: int
    max_column: int
    rows_without_reference: int
    leading_cells: int
    widest: int
    open_row_cells: int
    has_rows: bool


@dataclass
class _Grid:
    """The references and tags seen so far in one XML part."""

    max_row: int = 0
    max_column: int = 0
    rows_without_reference: int = 0
    max_cells_without_reference: int = 0
    open_row_cells: int = 0

    def add(self, part: _Part) -> None:
        """Add the next chunk's ``part``, in the order of the chunks."""
        self.max_row = max(self.max_row, part.max_row)
        self.max_column = max(self.max_column, part.max_column)
        self.rows_without_reference += part.rows_without_reference
        carried = self.open_row_cells + part.leading_cells
        if part.has_rows:
            widest = max(carried, part.widest)
            self.open_row_cells = part.open_row_cells
        else:
            widest = carried
            self.open_row_cells = carried
        self.max_cells_without_reference = max(self.max_cells_without_reference, widest)

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
    deflated ones Excel writes), is reported as damaged. Its size is unknown,
    and a zip tool that wrote it would have declared the size it wrote. So is
    a member with more than 16 MiB between two ``>``, which no sheet of a
    spreadsheet program has. The result is kept for the file's size and
    modification time, so a workbook read twice is checked once.
    """
    try:
        stat = path.stat()
    except OSError:
        return None  # the reader reports a file it cannot open
    found = _measure(str(path.resolve()), stat.st_size, stat.st_mtime_ns, limits)
    if found is None:
        return None
    code, fields = found
    return Issue.of_file(file, code, **fields)


def fits(path: Path, limits: SizeLimits | None = None) -> bool:
    """Return whether the workbook ``path`` is within ``limits`` (by default
    the command line's), so that python-calamine may read its sheets."""
    return check_workbook(path.name, path, limits or SizeLimits()) is None


_Found = tuple[str, dict[str, Any]] | None


@functools.lru_cache(maxsize=16)
def _measure(path: str, size: int, mtime_ns: int, limits: SizeLimits) -> _Found:
    """Return the code and fields of the issue of the workbook ``path``, or
    None; ``size`` and ``mtime_ns`` key the cache."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError):
        # The workbook reader reports an unreadable archive in its own words.
        return None
    # zlib and numpy release the GIL in their inner loops, so one thread
    # inflates while another counts the chunk before.
    with archive, ThreadPoolExecutor(max_workers=_THREADS) as pool:
        try:
            return _check_members(archive, limits, pool)
        except (
            zipfile.BadZipFile,
            zlib.error,
            NotImplementedError,
            RuntimeError,
            _TagTooLong,
        ):
            return _DAMAGED


def _check_members(
    archive: zipfile.ZipFile, limits: SizeLimits, pool: ThreadPoolExecutor
) -> _Found:
    members = archive.infolist()
    declared = sum(member.file_size for member in members)
    if declared > limits.max_unzipped_bytes:
        return _too_big(declared, limits)
    total = 0
    cells = 0
    for member in members:
        grid = _Grid()
        size = 0
        budget = limits.max_unzipped_bytes - total
        pending: deque[Future[_Part]] = deque()
        try:
            for chunk in _inflate(archive, member, budget + 1):
                size += len(chunk)
                pending.append(pool.submit(_scan, chunk))
                while len(pending) >= _THREADS:
                    grid.add(pending.popleft().result())
                    if cells + grid.cells() > limits.max_cells:
                        return _too_many(cells + grid.cells(), limits.max_cells)
            while pending:
                grid.add(pending.popleft().result())
        finally:
            for future in pending:
                future.cancel()
        total += size
        if total > limits.max_unzipped_bytes:
            return _too_big(total, limits)
        if size > member.file_size:
            return _DAMAGED
        cells += grid.cells()
        if cells > limits.max_cells:
            return _too_many(cells, limits.max_cells)
    return None


_DAMAGED: _Found = ("file.damaged", {"kind": both("Excel 工作簿", "Excel workbook")})


def too_many_cells(file: str, cells: int, limit: int, *, table: bool = False) -> Issue:
    """Return the issue of a file of more than ``limit`` cells; ``table`` for
    a CSV or Parquet file, whose fix differs from a workbook's."""
    code = "file.too_many_cells.table" if table else "file.too_many_cells"
    return Issue.of_file(file, code, **_cell_fields(cells, limit))


def _too_many(cells: int, limit: int) -> _Found:
    return "file.too_many_cells", _cell_fields(cells, limit)


def _cell_fields(cells: int, limit: int) -> dict[str, Any]:
    shown = f"{cells:,}" if cells < _BEYOND else "> 10^12"
    return {"cells": shown, "limit": f"{limit:,}"}


def _too_big(size: int, limits: SizeLimits) -> _Found:
    return "file.unzipped_too_large", {
        "size": f"{size / 1024 / 1024:,.0f}",
        "limit": f"{limits.max_unzipped_bytes / 1024 / 1024:,.0f}",
    }


class _TagTooLong(Exception):
    """More than :data:`_CHUNK` bytes of a member without a ``>``."""


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
                # A tag this long would be cut between two chunks, so that a
                # reference in it could go uncounted.
                raise _TagTooLong
    if rest:
        yield rest


def _scan(chunk: bytes) -> _Part:
    """Return the references and the row and cell tags of ``chunk``."""
    data = np.frombuffer(chunk + b"\0" * _WINDOW, dtype=np.uint8)
    size = len(chunk)
    references = _reference_starts(data, size)
    max_row = max_column = 0
    if references.size:
        max_row, max_column = _largest_reference(data, references)
    names = _tag_names(data, size)
    first = data[names]
    cell_tags = names[(first == ord("c")) & _ENDS_NAME[data[names + 1]]]
    candidates = names[first == ord("r")]
    row_tags = candidates[_name_is(data, candidates, b"row")]
    ends = _Ends(data, size)
    rows_without = row_tags[~_has_reference(data, row_tags, 3, ends, references)]
    cells_without = cell_tags[~_has_reference(data, cell_tags, 1, ends, references)]
    # Each cell without a reference belongs to the last row tag before it, or
    # to the row still open from the chunk before (index -1).
    owner = np.searchsorted(row_tags, cells_without, side="right") - 1
    per_row = np.bincount(owner[owner >= 0], minlength=row_tags.size)
    return _Part(
        max_row=max_row,
        max_column=max_column,
        rows_without_reference=rows_without.size,
        leading_cells=int(np.count_nonzero(owner < 0)),
        widest=int(per_row.max(initial=0)),
        open_row_cells=int(per_row[-1]) if row_tags.size else 0,
        has_rows=bool(row_tags.size),
    )


def _reference_starts(data: np.ndarray, size: int) -> np.ndarray:
    """Return the offsets of the values of ``r`` attributes, in order.

    XML allows white space on either side of the ``=``, which python-calamine
    accepts too. Such attributes are rare, so they are looked for only in a
    chunk that has white space next to an ``=``. A name after a quote counts
    as well as one after white space, which can only add references.
    """
    equals = np.flatnonzero(data[:size] == ord("="))
    equals = equals[equals >= 2]
    before = data[equals - 1]
    after = data[equals + 1]
    found: np.ndarray = (
        (before == ord("r")) & _BEFORE_NAME[data[equals - 2]] & _QUOTE[after]
    )
    starts: np.ndarray = equals[found] + 2
    spaced = _SPACE[before] | _SPACE[after]
    if spaced.any():
        starts = np.union1d(starts, _spaced_reference_starts(data, equals[spaced]))
    return starts


def _spaced_reference_starts(data: np.ndarray, equals: np.ndarray) -> np.ndarray:
    """Return the value offsets of the ``r`` attributes whose ``=`` is one of
    ``equals`` and has white space on one side or both."""
    offsets = np.arange(data.size, dtype=np.int64)
    visible = ~_SPACE[data]
    # The last visible byte at or before each offset, and the next at or after.
    last = np.maximum.accumulate(np.where(visible, offsets, -1))
    following = np.minimum.accumulate(np.where(visible, offsets, data.size)[::-1])
    name_end = last[equals - 1]
    quote = following[::-1][equals + 1]
    found = (name_end >= 1) & (quote < data.size)
    name_end, quote = name_end[found], quote[found]
    found = (
        (data[name_end] == ord("r"))
        & _BEFORE_NAME[data[name_end - 1]]
        & _QUOTE[data[quote]]
    )
    starts: np.ndarray = quote[found] + 1
    return starts


def _largest_reference(data: np.ndarray, starts: np.ndarray) -> tuple[int, int]:
    """Return the largest 1-based row and column that the references name.

    A reference such as ``AB12`` names a row and a column, a row reference
    (digits only) column 0. One with more than 3 letters or 7 digits counts
    as :data:`_BEYOND`, which no limit admits.
    """
    windows = _windows(data, starts)
    # Bits 0-3: the first 4 bytes are letters; bits 4-15: the 12 bytes are
    # digits. The table turns the 16 bits into the counts of leading letters
    # and of the digits after them.
    upper = windows[:, :4] & 0xDF
    flags = np.concatenate(
        [(upper >= ord("A")) & (upper <= ord("Z")), _is_digit(windows)], axis=1
    )
    code = np.packbits(flags, axis=1, bitorder="little").view("<u2").ravel()
    letter_count = _LETTER_COUNT[code]
    digit_count = _DIGIT_COUNT[code]
    max_letters = int(letter_count.max())
    max_digits = int(digit_count.max())
    if max_letters > 3 or max_digits > 7:
        return _BEYOND, _BEYOND
    # More letters name a later column (A is 1, so AA follows Z); among as
    # many letters, the last in alphabetical order is the largest.
    max_column = 0
    if max_letters:
        widest = upper[letter_count == max_letters, :max_letters]
        max_column = _number(widest, 26, ord("A") - 1)
    # Likewise more digits name a later row, unless a number starts with 0.
    first_digit = np.choose(np.minimum(letter_count, 3), windows[:, :4].T)
    if max_digits == 0:
        return 0, max_column
    if ((first_digit == ord("0")) & (digit_count > 0)).any():
        return _rows_one_by_one(windows, letter_count, digit_count), max_column
    longest = np.flatnonzero(digit_count == max_digits)
    digits = _windows(data, starts[longest] + letter_count[longest])[:, :8].copy()
    digits[:, max_digits:] = 0
    last = int(np.argmax(digits.view(">u8").ravel()))
    return _number(digits[last : last + 1, :max_digits], 10, ord("0")), max_column


def _windows(data: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Return the _WINDOW bytes from each of ``starts``, one row each.

    ``data`` ends in _WINDOW zero bytes, so every row lies inside it.
    """
    rows = np.lib.stride_tricks.as_strided(
        data, shape=(data.size - _WINDOW + 1, _WINDOW), strides=(1, 1)
    )
    windows: np.ndarray = rows[starts]
    return windows


def _is_digit(values: np.ndarray) -> np.ndarray:
    is_digit: np.ndarray = (values >= ord("0")) & (values <= ord("9"))
    return is_digit


def _number(places: np.ndarray, base: int, zero: int) -> int:
    """Return the largest number that a row of ``places`` spells in ``base``,
    each place a byte that is ``zero`` more than its digit."""
    values = places.astype(np.int64) - zero
    powers = base ** np.arange(places.shape[1] - 1, -1, -1)
    return int((values @ powers).max())


def _rows_one_by_one(
    windows: np.ndarray, letter_count: np.ndarray, digit_count: np.ndarray
) -> int:
    """Return the largest row of the references, each read as a number."""
    largest = 0
    for letters in np.unique(letter_count).tolist():
        chosen = letter_count == letters
        group = windows[chosen, letters : letters + 7].astype(np.int64) - ord("0")
        count = digit_count[chosen]
        places = np.where(np.arange(7) < count[:, None], group, 0)
        # Read as 7 places, a number of fewer digits is 10 times too large
        # for each place it lacks.
        rows = (places @ (10 ** np.arange(6, -1, -1))) // 10 ** (7 - count)
        largest = max(largest, int(rows.max()))
    return largest


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
    is_name: np.ndarray = found & _ENDS_NAME[data[names + len(name)]]
    return is_name


class _Ends:
    """The offsets of the ``>`` of a chunk, found when first needed."""

    def __init__(self, data: np.ndarray, size: int) -> None:
        self._data = data
        self._size = size
        self._ends: np.ndarray | None = None

    def get(self) -> np.ndarray:
        if self._ends is None:
            self._ends = np.flatnonzero(self._data[: self._size] == ord(">"))
        return self._ends


def _has_reference(
    data: np.ndarray,
    tags: np.ndarray,
    length: int,
    ends: _Ends,
    references: np.ndarray,
) -> np.ndarray:
    """Return whether each tag name at ``tags``, ``length`` bytes long, has an
    ``r`` attribute.

    Excel, openpyxl and xlsxwriter write ``r`` first, right after the name.
    A tag without it there is looked up among the references before the
    tag's ``>``.
    """
    if not tags.size:
        return np.zeros(0, dtype=bool)
    at = tags + length
    found: np.ndarray = (
        _SPACE[data[at]]
        & (data[at + 1] == ord("r"))
        & (data[at + 2] == ord("="))
        & ((data[at + 3] == ord('"')) | (data[at + 3] == ord("'")))
    )
    rest = np.flatnonzero(~found)
    if rest.size:
        others = tags[rest]
        end_offsets = ends.get()
        end = end_offsets[
            np.minimum(np.searchsorted(end_offsets, others), end_offsets.size - 1)
        ]
        first = np.searchsorted(references, others)
        inside = np.append(references, np.iinfo(np.int64).max)[first]
        found[rest] = inside < end
    return found
