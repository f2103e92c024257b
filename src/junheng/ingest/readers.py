"""Read Excel, CSV and Parquet files into tables of raw cells.

Readers keep text cells exactly as the user entered them (only surrounding spaces
are trimmed and empty cells become null), so codes keep their leading zeros and
validation can quote the original value. Numeric columns of typed sources stay
numeric, so validation checks the numbers without a round trip through text:
integer and float columns of a Parquet file, and Excel columns whose cells are all
numbers or empty. Every other column is text. :func:`cell_text` renders a numeric
cell as the text the user sees, so a whole number such as ``4101020001.0`` (Excel
stores every number as a float) reads ``"4101020001"``.

Each table carries the 1-based row number the user sees in Excel or a text
editor, with the header in its own row (row 1 unless blank rows precede it).
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import itertools
import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import NoneType
from typing import Any, Literal

import fastexcel
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import python_calamine

from junheng.ingest.issues import Issue
from junheng.ingest.messages import Language, both
from junheng.ingest.schema import (
    COUNTY_ITEM_FIELDS,
    REGION_FIELDS,
    SCHOOL_FIELDS,
    header_aliases,
    normalize_header,
)
from junheng.ingest.size_limits import SizeLimits, check_workbook, too_many_cells
from junheng.ingest.xls_cells import xls_formulas_without_result
from junheng.ingest.xlsx_cells import CellProblem, SheetScan, scan_sheets

TableKind = Literal["schools", "county_items"]

ROW_COLUMN = "__row__"
"""Name of the Int64 column containing each data row's 1-based row number."""

_NUMBER_CELL_PREFIX = "__number_cell__"

SCHOOL_SHEET_NAMES = frozenset({"学校数据", "schools"})
COUNTY_SHEET_NAMES = frozenset({"县级指标", "county_items"})
INSTRUCTION_SHEET_NAMES = frozenset({"填报说明", "instructions"})

EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls"})
# Workbooks stored as a zip archive of XML parts, which xlsx_cells can scan.
ZIP_EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm"})
SUFFIXES = EXCEL_SUFFIXES | {".csv", ".parquet"}

# The header row is looked for among this many non-blank rows at the top of a
# sheet. The rows above it contain titles, the reporting unit or notes.
MAX_HEADER_SEARCH_ROWS = 5

# A sheet whose header row has at least this many school columns is read as
# school data even when its name is not a template name.
MIN_SCHOOL_HEADERS = 3

# Floats at or above this magnitude are printed as floats, because integers this
# large are not exactly representable.
_MAX_EXACT_INTEGER = 1e15

_SCHOOL_ALIASES = header_aliases(SCHOOL_FIELDS + REGION_FIELDS)
_COUNTY_ALIASES = header_aliases(COUNTY_ITEM_FIELDS)


@dataclass(frozen=True)
class RawTable:
    """One sheet or file of raw cells.

    ``frame`` has one column per header, named by the header text, plus
    :data:`ROW_COLUMN`. Each column is String, or numeric (integer or Float64) for
    the numeric columns of a typed source (see :func:`is_numeric_dtype`). Blank
    rows are already dropped. A county-items sheet may also have Boolean marker
    columns (see :func:`number_cell_column`).
    """

    file: str
    sheet: str | None
    kind: TableKind
    header_row: int
    headers: list[str]
    frame: pl.DataFrame
    nested: Mapping[str, str] = field(default_factory=dict)
    """Headers of Parquet columns of a nested type (list, array, struct, map),
    or of a type without a text form (see ``unsupported``), with the type's
    name. Their column in ``frame`` is all null, because a cell holding several
    values is no field's value; reading such a column as a field is an error."""
    unsupported: frozenset[str] = frozenset()
    """The headers of ``nested`` whose type is not nested but cannot be read as
    numbers or text, such as a duration or a decimal of more than 38 digits."""


@dataclass(frozen=True)
class ReadOptions:
    """How to read files.

    ``encoding`` forces a CSV encoding. With ``any_sheet_is_schools`` (set when an
    import profile is used), an Excel sheet whose headers are not recognised still
    counts as school data, and ``sheet`` limits that to the sheet of that name.
    ``source_columns`` are the source headers an import profile reads; they
    count as known headers when the readers check a header row. ``limits``
    bound the size of a file the readers parse.
    """

    encoding: str | None = None
    any_sheet_is_schools: bool = False
    sheet: str | None = None
    source_columns: frozenset[str] = frozenset()
    limits: SizeLimits = field(default_factory=SizeLimits)


def read_file(
    path: Path, options: ReadOptions | None = None, name: str | None = None
) -> tuple[list[RawTable], list[Issue]]:
    """Read one input file into raw tables, returning any problems found.

    A file that cannot be read yields no tables and at least one error.
    ``name`` is the file's name in the tables and issues, by default its base
    name (see :func:`junheng.ingest.file_labels`).
    """
    options = options or ReadOptions()
    name = name or path.name
    suffix = path.suffix.lower()
    if path.is_dir():
        return [], [Issue.of_file(name, "file.directory", path=str(path))]
    if suffix not in SUFFIXES:
        return [], [Issue.of_file(name, "file.unsupported_type", suffix=path.suffix)]
    if not path.is_file():
        return [], [Issue.of_file(name, "file.not_found", path=str(path))]
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    content = sniff_content(head)
    mismatch = _content_mismatch(name, suffix, content)
    if mismatch is not None:
        return [], [mismatch]
    if suffix in EXCEL_SUFFIXES:
        if content == "zip":
            too_large = check_workbook(name, path, options.limits)
            if too_large is not None:
                return [], [too_large]
        return _read_excel(path, name, options, content)
    if suffix == ".csv":
        return _read_csv(path, name, options)
    return _read_parquet(path, name, options.limits)


# ---------------------------------------------------------------------------
# File contents

Content = Literal[
    "empty",
    "zip",
    "ole2",
    "parquet",
    "mhtml",
    "xml_spreadsheet",
    "html",
    "text",
    "binary",
]
"""Kind of a file by its first bytes (see :func:`sniff_content`)."""

_SNIFF_BYTES = 4096
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PARQUET_MAGIC = b"PAR1"
# Bytes below 0x20 other than tab, line feed, form feed and carriage return:
# text in UTF-8, GB18030 or Big5 has none of them.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\x0c\r")
_CONTROL_SHARE = 100
"""A file whose first bytes have more than one control byte in this many is
binary. Binary formats have far more; a text file with a stray control
character pasted into a cell has fewer, and gets an error naming the cell."""
_CONTROL_CHARACTERS = re.compile("[" + re.escape(_CONTROL_BYTES.decode()) + "]")
# The start of an HTML page, such as the "Excel" files that statistics systems
# export: a table saved as HTML under an .xls name.
_HTML_START = re.compile(r"<(?:!doctype\s+html|html|table)\b", re.IGNORECASE)
_HTML_SNIFF_CHARS = 1024
# A web page archive (MHTML, "single file web page"): mail-style headers, one of
# them declaring a multipart/related body, before the first blank line.
# Each header may continue on lines that start with a space or tab.
_MHTML_HEADERS = re.compile(
    r"(?:[\w-]+:[^\n]*\n(?:[ \t][^\n]*\n)*)*?content-type:\s*multipart/related",
    re.IGNORECASE,
)
# An Excel 2003 XML Spreadsheet: an XML document whose processing instruction or
# namespace names the Excel sheet format.
_XML_SPREADSHEET = re.compile(
    r'progid\s*=\s*"excel\.sheet"|urn:schemas-microsoft-com:office:spreadsheet',
    re.IGNORECASE,
)


def sniff_content(head: bytes) -> Content:
    """Return the kind of a file by its first bytes, whatever its suffix.

    .xlsx workbooks are zip archives, .xls workbooks (and password-protected
    .xlsx workbooks) are OLE2 compound files, and Parquet files begin with
    ``PAR1``. Anything else is text if it has a Unicode byte order mark, looks
    like UTF-16 without one, or has few control bytes (see
    :data:`_CONTROL_SHARE`); otherwise it is binary.
    Text is a web page archive (MHTML) if its mail-style headers declare a
    multipart/related body, an Excel 2003 XML Spreadsheet if it is XML naming
    that format, and HTML if an HTML page or table starts near its beginning.
    """
    if not head:
        return "empty"
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    if head.startswith(_OLE2_MAGIC):
        return "ole2"
    if head.startswith(_PARQUET_MAGIC):
        return "parquet"
    for bom, encoding in (*_UNICODE_BOMS, (codecs.BOM_UTF8, "utf-8")):
        if head.startswith(bom):
            return _text_or_html(head[len(bom) :], encoding)
    utf16 = _utf16_without_bom(head)
    if utf16 is not None:
        return _text_or_html(head, utf16)
    controls = sum(byte in _CONTROL_BYTES for byte in head)
    if controls * _CONTROL_SHARE > len(head):
        return "binary"
    return _text_or_html(head, "utf-8")


def _text_or_html(head: bytes, encoding: str) -> Content:
    """Return what kind of text ``head`` begins: a web page or plain text."""
    start = head.decode(encoding, errors="ignore").lstrip()[:_HTML_SNIFF_CHARS]
    if _MHTML_HEADERS.match(start.replace("\r\n", "\n")):
        return "mhtml"
    if start.startswith("<?xml") and _XML_SPREADSHEET.search(start):
        return "xml_spreadsheet"
    if start.startswith("<") and _HTML_START.search(start):
        return "html"
    return "text"


# The content each suffix expects, and the issue code for each other content.
_EXPECTED: dict[str, Content] = {
    ".xlsx": "zip",
    ".xlsm": "zip",
    ".xls": "ole2",
    ".parquet": "parquet",
}
_RENAME_CODES: dict[Content, str] = {
    "zip": "file.is_xlsx",
    "ole2": "file.is_xls",
    "parquet": "file.is_parquet",
    "text": "file.is_text",
    "html": "file.is_html",
    "mhtml": "file.is_mhtml",
    "xml_spreadsheet": "file.is_xml_spreadsheet",
}


def _content_mismatch(file: str, suffix: str, content: Content) -> Issue | None:
    """Return the issue of a file whose first bytes do not fit its suffix.

    A CSV file may be empty (reported as an empty file) and contains text. An Excel
    or Parquet file of 0 bytes is reported as such. Workbooks stored in the
    other Excel format are left to the workbook reader, which reads both.
    """
    if suffix == ".csv":
        if content in ("empty", "text"):
            return None
        if content == "binary":
            return Issue.of_file(file, "file.not_text")
        return Issue.of_file(file, _RENAME_CODES[content], suffix=suffix)
    if content == "empty":
        return Issue.of_file(file, "file.zero_bytes")
    expected = _EXPECTED[suffix]
    if content == expected:
        return None
    if suffix in EXCEL_SUFFIXES and content in ("zip", "ole2"):
        return None
    if content == "binary":
        kind = "file.not_parquet" if suffix == ".parquet" else "file.not_workbook"
        return Issue.of_file(file, kind, suffix=suffix)
    return Issue.of_file(file, _RENAME_CODES[content], suffix=suffix)


def number_cell_column(header: str) -> str:
    """Return the name of the marker column of the text column ``header``.

    In a county-items sheet, a text column that mixes text cells and number cells
    has a Boolean marker column, true where the cell was a number. It
    distinguishes a percentage typed as text from one stored by a cell formatted
    as a percentage.
    """
    return f"{_NUMBER_CELL_PREFIX}{header}"


def classify_headers(headers: Sequence[str]) -> TableKind | None:
    """Return the kind of table a header row belongs to, or ``None``.

    County items are recognised by their item and value columns; school data by
    at least :data:`MIN_SCHOOL_HEADERS` known school columns.
    """
    normalized = [normalize_header(h) for h in headers]
    county = {_COUNTY_ALIASES.get(h) for h in normalized}
    if {"item", "value"} <= county:
        return "county_items"
    school = {_SCHOOL_ALIASES[h] for h in normalized if h in _SCHOOL_ALIASES}
    if len(school) >= MIN_SCHOOL_HEADERS:
        return "schools"
    return None


# ---------------------------------------------------------------------------
# Cell text


def float_text(expr: pl.Expr) -> pl.Expr:
    """Render a Float64 expression as text, whole numbers without ``.0``."""
    whole = (expr == expr.round(0)) & (expr.abs() < _MAX_EXACT_INTEGER)
    return (
        pl.when(whole)
        .then(expr.cast(pl.Int64, strict=False).cast(pl.String))
        .otherwise(expr.cast(pl.String))
    )


def is_numeric_dtype(dtype: pl.DataType) -> bool:
    """Return whether a reader keeps a column of ``dtype`` numeric."""
    return dtype.is_integer() or dtype.is_float()


def cell_text(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Render an expression of ``dtype`` as cell text, the way readers show cells.

    Floats are rendered by :func:`float_text`, booleans as ``TRUE`` and ``FALSE``
    (as Excel shows them), and other types by Polars' cast to String.
    """
    if dtype == pl.String:
        return expr
    if dtype.is_float():
        return float_text(expr)
    if dtype == pl.Boolean:
        return expr.replace_strict(
            {True: "TRUE", False: "FALSE"}, return_dtype=pl.String
        )
    if dtype == pl.Binary:
        return _binary_text(expr)
    return expr.cast(pl.String, strict=False)


def _binary_text(expr: pl.Expr) -> pl.Expr:
    """Render binary cells as their text where that is printable UTF-8, such as
    text a Parquet writer stored without its UTF-8 mark, else as 0x and hex."""
    text = expr.cast(pl.String, strict=False)
    printable = text.is_not_null() & ~text.str.contains(r"[\x00-\x08\x0b-\x1f\x7f]")
    return (
        pl.when(expr.is_null())
        .then(None)
        .when(printable)
        .then(text)
        .otherwise(pl.lit("0x") + expr.bin.encode("hex"))
    )


def text_table(table: RawTable) -> RawTable:
    """Return ``table`` with its numeric columns rendered as cell text.

    Import profiles build the canonical columns from text, so a profile reads a
    Parquet or Excel number exactly as it reads the same number in a CSV file.
    """
    schema = table.frame.schema
    numeric = [h for h in table.headers if schema[h] != pl.String]
    if not numeric:
        return table
    frame = table.frame.with_columns(
        cell_text(pl.col(h), schema[h]).alias(h) for h in numeric
    )
    return replace(table, frame=frame)


def _cell_text(value: object) -> str:
    """Render one cell value of an unusual type (bool, date, time) as text."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value == round(value) and abs(value) < _MAX_EXACT_INTEGER:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _sheet_columns(rows: Sequence[Sequence[object]]) -> list[list[object]]:
    """Transpose calamine rows into columns, with None for each empty cell.

    calamine returns ``""`` for an empty cell. NumPy transposes the rows and finds
    the empty cells in C, where zip() and a Python loop would take longer.
    """
    # Imported here because only Excel needs NumPy, which takes about 0.1 s to
    # import. NumPy is installed as a dependency of matplotlib.
    import numpy as np

    cells = np.array(rows, dtype=object)
    cells[cells == ""] = None
    columns: list[list[object]] = cells.T.tolist()
    return columns


def _cells_to_series(name: str, cells: Sequence[object]) -> pl.Series:
    """Convert one column of calamine cell values to a Float64 or String series.

    ``cells`` has None for each empty cell. A column of numbers and empty cells
    becomes Float64. Any other column becomes String: text columns and columns of
    text and numbers convert in bulk, and a column holding booleans or dates is
    converted cell by cell.
    """
    types = set(map(type, cells))
    if types <= {str, NoneType}:
        return pl.Series(name, cells, dtype=pl.String)
    if types <= {float, int, NoneType}:
        # Strict construction would turn a boolean into 1.0 or 0.0, but the
        # type check has ruled booleans out.
        return pl.Series(name, cells, dtype=pl.Float64)
    if not types <= {str, float, int, NoneType}:
        rendered = [None if v is None else _cell_text(v) for v in cells]
        return pl.Series(name, rendered, dtype=pl.String)
    # Text cells and number cells are split by type, because a text cell such as
    # "012" must keep its exact text.
    text = pl.Series([v if type(v) is str else None for v in cells], dtype=pl.String)
    number_cells = [None if type(v) is str else v for v in cells]
    frame = pl.DataFrame({"t": text, "x": pl.Series(number_cells, dtype=pl.Float64)})
    return frame.select(
        pl.coalesce(pl.col("t"), float_text(pl.col("x"))).alias(name)
    ).to_series()


WHITESPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""The characters that Polars' ``str.strip_chars()`` removes when given none.

They are the Unicode White_Space characters, which Rust's
``char::is_whitespace`` tests. The import tests check this list against Polars.
"""


def _clean_text(expr: pl.Expr) -> pl.Expr:
    return expr.str.strip_chars().replace("", None)


def _columns_to_clean(frame: pl.DataFrame, headers: Sequence[str]) -> list[str]:
    """Return the String columns in which :func:`_clean_text` can change a cell.

    A column without empty cells and without whitespace anywhere is already
    clean. Testing that builds no new strings, and on the 2-million-row
    synthetic national file it took about half the time of cleaning.
    """
    if not headers:
        return []
    whitespace = list(WHITESPACE)
    flags = frame.select(
        (pl.col(h).str.contains_any(whitespace) | (pl.col(h).str.len_bytes() == 0))
        .any()
        .alias(h)
        for h in headers
    ).row(0)
    return [h for h, flag in zip(headers, flags, strict=True) if flag]


def _build_table(
    file: str,
    sheet: str | None,
    kind: TableKind,
    header_row: int,
    header_cells: Sequence[str],
    columns: Sequence[pl.Series],
    first_row: int,
    markers: Sequence[pl.Series | None] | None = None,
) -> tuple[RawTable, list[Issue]]:
    """Name the columns by their headers, trim text cells and drop blank rows.

    ``columns`` are String or numeric, and their first cells are in row
    ``first_row``. A column without a header is dropped if it is empty and
    reported otherwise, and a repeated header is reported (the first column of
    that name is kept). ``markers`` gives, per column, the number-cell marker to
    keep as :func:`number_cell_column` (None for none).
    """
    issues: list[Issue] = []
    headers: list[str] = []
    kept: list[pl.Series] = []
    if markers is None:
        markers = [None] * len(columns)
    for index, (raw_header, column, marker) in enumerate(
        zip(header_cells, columns, markers, strict=True)
    ):
        header = raw_header.strip()
        if not header:
            if _has_values(column):
                issues.append(
                    Issue.coded(
                        file,
                        sheet,
                        header_row,
                        f"#{index + 1}",
                        None,
                        "header.no_header",
                        number=index + 1,
                    )
                )
            continue
        if header in headers:
            issues.append(
                Issue.coded(
                    file,
                    sheet,
                    header_row,
                    header,
                    header,
                    "header.repeated",
                    header=header,
                )
            )
            continue
        headers.append(header)
        kept.append(column.rename(header))
        if marker is not None:
            kept.append(marker.rename(number_cell_column(header)))
    like = columns[0] if columns else pl.Series([], dtype=pl.String)
    frame = pl.DataFrame([*kept, _row_numbers(first_row, like)])
    text_headers = [h for h in headers if frame.schema[h] == pl.String]
    frame = frame.with_columns(
        _clean_text(pl.col(h)) for h in _columns_to_clean(frame, text_headers)
    )
    if not headers:
        frame = frame.clear()
    elif all(frame[h].null_count() > 0 for h in headers):
        # Only then can a row be blank: a column without nulls fills every row.
        filled = frame.select(
            pl.any_horizontal(pl.col(h).is_not_null() for h in headers)
        ).to_series()
        # Filtering copies every column, so it is skipped when no row is blank.
        if not filled.all():
            frame = frame.filter(filled)
    return RawTable(file, sheet, kind, header_row, headers, frame), issues


def _row_numbers(first_row: int, like: pl.Series) -> pl.Series:
    """Return :data:`ROW_COLUMN` from ``first_row`` on, in the chunks of ``like``.

    A Parquet file gives a chunk per row group. If the row numbers were one
    chunk, the next select would copy every column into one chunk, which took
    about 0.4 s on the 2-million-row synthetic national file.
    """
    lengths = [chunk.len() for chunk in like.get_chunks()] or [0]
    end = first_row + lengths[0]
    numbers = pl.int_range(first_row, end, eager=True).alias(ROW_COLUMN)
    for length in lengths[1:]:
        # append() keeps each part as a chunk of its own.
        numbers.append(pl.int_range(end, end + length, eager=True))
        end += length
    return numbers


def _has_values(column: pl.Series) -> bool:
    """Return whether a String or numeric column has a non-blank cell."""
    if column.dtype != pl.String:
        return column.is_not_null().any()
    return bool(column.str.strip_chars().str.len_bytes().fill_null(0).sum() > 0)


# ---------------------------------------------------------------------------
# Excel


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


@dataclass
class _Sheet:
    """One worksheet as read, before it becomes a :class:`RawTable`.

    calamine gives ``rows`` of cell values from Excel row 1. fastexcel gives
    ``fast`` instead (with ``rows`` empty), and its header row comes from the
    sheet XML once the scan has finished.
    """

    name: str
    kind: TableKind | None
    rows: Sequence[Sequence[object]]
    header_index: int | None
    merged: list[tuple[tuple[int, int], tuple[int, int]]]
    hidden: bool = False
    very_hidden: bool = False
    """Hidden so that Excel's Unhide command does not list the sheet."""
    fast: _FastColumns | None = None
    title: _Title | None = None
    """The title rows skipped above the header."""


@dataclass(frozen=True)
class _Title:
    """Rows above the header row that were skipped: titles, units, notes.

    ``rows`` are their 1-based row numbers (or CSV lines) and ``texts`` their
    non-blank cells, one list per row.
    """

    rows: tuple[int, ...]
    texts: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class _FastColumns:
    """The header texts and String or Float64 columns that fastexcel read."""

    header_cells: list[str]
    columns: list[pl.Series]
    height: int


def _sheet_kind(
    name: str, header_cells: Sequence[str] | None, options: ReadOptions
) -> TableKind | None:
    """Return what a sheet contains by its name, else by its header row."""
    stripped = name.strip()
    kind: TableKind | None = None
    if stripped in SCHOOL_SHEET_NAMES:
        kind = "schools"
    elif stripped in COUNTY_SHEET_NAMES:
        kind = "county_items"
    elif header_cells is not None:
        kind = classify_headers(header_cells)
        if kind is None and options.any_sheet_is_schools:
            kind = "schools"
    if options.sheet is not None and kind == "schools" and stripped != options.sheet:
        kind = None
    return kind


class _SheetUnreadable(Exception):
    """A sheet that python-calamine cannot parse, such as one whose XML is
    not what Excel writes."""

    def __init__(self, sheet: str) -> None:
        super().__init__(sheet)
        self.sheet = sheet


class _TooManyCells(Exception):
    """A sheet whose grid of cells is over :attr:`SizeLimits.max_cells`."""

    def __init__(self, cells: int) -> None:
        super().__init__(cells)
        self.cells = cells


def _load_sheet(
    workbook: python_calamine.CalamineWorkbook, name: str, options: ReadOptions
) -> _Sheet:
    try:
        sheet = workbook.get_sheet_by_name(name)
    except python_calamine.CalamineError as error:
        raise _SheetUnreadable(name) from error
    # An .xls sheet is not checked before calamine reads it, but its grid has
    # at most 65,536 rows of 256 columns. The rows are converted only if the
    # grid fits the limit.
    cells = sheet.height * sheet.width
    if cells > options.limits.max_cells:
        raise _TooManyCells(cells)
    # Without skipping the empty area, row 0 of the list is Excel row 1.
    rows: Sequence[Sequence[object]] = sheet.to_python(skip_empty_area=False)
    filled = (
        i for i, row in enumerate(rows) if any(_cell_text(v).strip() for v in row)
    )
    first = [
        (index, [_cell_text(v) for v in rows[index]])
        for index in itertools.islice(filled, MAX_HEADER_SEARCH_ROWS)
    ]
    header_index = first[0][0] if first else None
    header_cells = first[0][1] if first else None
    title = None
    found = _header_below_title(first, options)
    if found is not None:
        header_index, header_cells = first[found]
        title = _title([(i + 1, cells) for i, cells in first[:found]])
    kind = _sheet_kind(name, header_cells, options)
    merged = sheet.merged_cell_ranges or []
    return _Sheet(name, kind, rows, header_index, merged, title=title)


def _header_below_title(
    first: Sequence[tuple[int, Sequence[str]]], options: ReadOptions
) -> int | None:
    """Return the position in ``first`` of a header row below title rows, or None.

    ``first`` contains the first non-blank rows (at most
    :data:`MAX_HEADER_SEARCH_ROWS`) with their row numbers. The header row is
    the first row that is one of school data or county items, or one with the
    profile's source columns. Rows above it contain a title, the reporting unit
    or a note such as 单位：人. None when the first row is that header row, or
    when no row is.
    """
    for position, (_, cells) in enumerate(first):
        if _is_header_row(cells, options):
            return position or None
    return None


def _is_header_row(cells: Sequence[str], options: ReadOptions) -> bool:
    headers = [cell.strip() for cell in cells if cell.strip()]
    if classify_headers(headers) is not None:
        return True
    return bool(options.source_columns) and _headers_known(
        headers, options.source_columns
    )


def _title(rows: Sequence[tuple[int, Sequence[str]]]) -> _Title:
    """Return the skipped rows above a header row, given with their numbers."""
    return _Title(
        rows=tuple(number for number, _ in rows),
        texts=tuple(
            tuple(cell.strip() for cell in cells if cell.strip()) for _, cells in rows
        ),
    )


def _title_issue(file: str, sheet: str | None, title: _Title, header_row: int) -> Issue:
    """Warn of the rows skipped above the header row, naming them."""
    row = title.rows[0]
    if len(title.rows) == 1 and len(title.texts[0]) == 1:
        text = title.texts[0][0]
        return Issue.coded(
            file,
            sheet,
            row,
            None,
            text,
            "header.title_row",
            severity="warning",
            row=row,
            header_row=header_row,
            text=text,
        )
    text = " / ".join(" ".join(cells) for cells in title.texts)
    return Issue.coded(
        file,
        sheet,
        row,
        None,
        text,
        "header.title_rows",
        severity="warning",
        rows=both(
            "第 " + "、".join(str(r) for r in title.rows) + " 行",
            ("rows " if len(title.rows) > 1 else "row ")
            + ", ".join(str(r) for r in title.rows),
        ),
        header_row=header_row,
        text=text,
    )


_FASTEXCEL_DUPLICATE = re.compile(r"^(.*)_\d+$")


def _load_fast_sheet(
    reader: fastexcel.ExcelReader, name: str, options: ReadOptions
) -> _Sheet | None:
    """Read a school sheet with fastexcel, or return None if calamine must read it.

    fastexcel returns whole Arrow columns, which saves the conversion of every
    cell to a Python object. Its columns match calamine's reader only where each
    column holds text cells or number cells (and empty cells), under distinct
    non-blank headers. Any other sheet returns None: a column that mixes cell
    types (fastexcel would turn TRUE into 1.0 and 7 into "7"), a column of
    booleans, dates or times, and a header row with a blank or repeated header
    (fastexcel renames those). A county-items sheet returns None because its
    number-cell markers need the type of each cell.
    """
    # NOTE: calamine reads every sheet that returns None here, and every .xls
    # workbook, with 1.6 times the CPU time (200,000 rows, docs/benchmarks.md).
    # So a file with text in a number column takes longer to report.
    try:
        # Strict coercion raises on a column of mixed cell types.
        sheet = reader.load_sheet(
            name, header_row=0, schema_sample_rows=None, dtype_coercion="strict"
        )
        frame = pl.DataFrame(sheet.to_arrow())
    except fastexcel.FastExcelError:
        return None
    header_cells = list(frame.columns)
    stripped = [h.strip() for h in header_cells]
    names = set(stripped)
    if not header_cells or len(names) < len(header_cells) or "" in names:
        return None
    for header in stripped:
        match = _FASTEXCEL_DUPLICATE.match(header)
        if header.startswith("__UNNAMED__") or (match and match.group(1) in names):
            return None
    if _sheet_kind(name, header_cells, options) == "county_items":
        return None
    columns: list[pl.Series] = []
    for series in frame.get_columns():
        dtype = series.dtype
        if dtype == pl.Null:
            # calamine's reader makes a column without values String.
            columns.append(series.cast(pl.String))
        elif dtype.is_integer() or dtype.is_float():
            columns.append(series.cast(pl.Float64))
        elif dtype == pl.String:
            columns.append(series)
        else:
            return None
    kind = _sheet_kind(name, header_cells, options)
    fast = _FastColumns(header_cells, columns, sheet.total_height)
    return _Sheet(name, kind, [], None, [], fast=fast)


def _settle_fast_sheet(sheet: _Sheet, scan: SheetScan | None) -> bool:
    """Place a fastexcel sheet's header row, or return False if calamine must read it.

    The header row is the first row with a value, where calamine's range and so
    fastexcel's row 0 start, checked against the height fastexcel read. Error
    cells, formulas without a result and merged cells at or below the header
    need calamine's rows, to be reported and put in place.
    """
    assert sheet.fast is not None
    if scan is None or scan.first_row is None or scan.last_row is None:
        return False
    header = scan.first_row
    if scan.last_row - header != sheet.fast.height:
        return False
    if any(p.row >= header for p in scan.problems):
        return False
    if any(last[0] >= header for _, last in scan.merged):
        return False
    # fastexcel leaves out empty columns on the left, so a hidden column's header
    # is found in calamine's rows, which start at column A.
    if scan.hidden_columns:
        return False
    sheet.header_index = header
    return True


def _read_excel(
    path: Path, file: str, options: ReadOptions, content: Content = "zip"
) -> tuple[list[RawTable], list[Issue]]:
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except (python_calamine.CalamineError, OSError, ValueError) as exc:
        return [], [_workbook_issue(file, path.suffix.lower(), content, exc)]
    damaged = both("Excel 工作簿", "Excel workbook")
    try:
        return _read_workbook(path, file, options, workbook)
    except _TooManyCells as error:
        return [], [too_many_cells(file, error.cells, options.limits.max_cells)]
    except _SheetUnreadable as error:
        return [], [Issue.of_file(file, "file.damaged", error.sheet, kind=damaged)]
    except python_calamine.CalamineError:
        return [], [Issue.of_file(file, "file.damaged", kind=damaged)]


def _read_workbook(
    path: Path,
    file: str,
    options: ReadOptions,
    workbook: python_calamine.CalamineWorkbook,
) -> tuple[list[RawTable], list[Issue]]:
    sheets: list[_Sheet] = []
    with workbook, ThreadPoolExecutor(max_workers=1) as executor:
        wanted: list[tuple[str, bool]] = []
        very_hidden: set[str] = set()
        skipped: list[Issue] = []
        for meta in workbook.sheets_metadata:
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            if meta.name.strip() in INSTRUCTION_SHEET_NAMES:
                continue
            named = meta.name.strip() in SCHOOL_SHEET_NAMES | COUNTY_SHEET_NAMES
            hidden = meta.visible != python_calamine.SheetVisibleEnum.Visible
            very = meta.visible == python_calamine.SheetVisibleEnum.VeryHidden
            if very:
                very_hidden.add(meta.name)
            # Hidden sheets, such as dropdown lists, are not data unless named so.
            if hidden and not named:
                skipped.extend(
                    _skipped_hidden_sheet(file, workbook, meta.name, options, very)
                )
                continue
            wanted.append((meta.name, hidden))
        # calamine reads .xls (BIFF) workbooks, because fastexcel's row
        # numbers need the scan of the sheet XML, which only .xlsx files have.
        scanned: Future[dict[str, SheetScan]] | None = None
        fast_reader: fastexcel.ExcelReader | None = None
        if path.suffix.lower() in ZIP_EXCEL_SUFFIXES:
            # fastexcel and calamine release the GIL while they parse a sheet,
            # so the scan of the sheet XML runs on another core meanwhile.
            names = [name for name, _ in wanted]
            scanned = executor.submit(scan_sheets, path, names)
            fast_reader = _open_fast_reader(path)
        for name, hidden in wanted:
            sheet = None
            if fast_reader is not None and name.strip() not in COUNTY_SHEET_NAMES:
                sheet = _load_fast_sheet(fast_reader, name, options)
            if sheet is None:
                sheet = _load_sheet(workbook, name, options)
            sheet.hidden = hidden
            sheets.append(sheet)
        scans = {} if scanned is None else scanned.result()
        for index, sheet in enumerate(sheets):
            if sheet.fast is not None and not _settle_fast_sheet(
                sheet, scans.get(sheet.name)
            ):
                sheets[index] = _load_sheet(workbook, sheet.name, options)
                sheets[index].hidden = sheet.hidden
        found = {name: scan.problems for name, scan in scans.items()}
        if path.suffix.lower() == ".xls":
            names = [name for name, _ in wanted]
            found = _xls_error_cells(path, workbook, names)
            for name, formulas in xls_formulas_without_result(path, names).items():
                found[name] = found.get(name, []) + formulas
    if options.sheet is None:
        _fall_back_to_only_sheet(sheets)
    for sheet in sheets:
        sheet.very_hidden = sheet.name in very_hidden
    issues = [_hidden_sheet_issue(file, s) for s in sheets if s.hidden and s.kind]
    issues += skipped
    for sheet in sheets:
        if sheet.kind is not None and sheet.title is not None:
            assert sheet.header_index is not None
            issues.append(
                _title_issue(file, sheet.name, sheet.title, sheet.header_index + 1)
            )
    issues += _unreadable_cell_issues(file, sheets, found)
    issues += _hidden_line_issues(file, sheets, scans)
    tables, table_issues = _sheets_to_tables(file, sheets, options)
    return tables, issues + table_issues


def _workbook_issue(file: str, suffix: str, content: Content, exc: Exception) -> Issue:
    """Word the failure to open a workbook by what the file holds.

    A zip archive that does not open as an .xlsx workbook is damaged or cut
    short. An OLE2 file named .xlsx is an .xls workbook or an encrypted
    (password-protected) .xlsx workbook, and a zip archive named .xls is an
    .xlsx workbook.
    """
    if content == "ole2" and suffix != ".xls":
        return Issue.of_file(file, "file.is_xls", suffix=suffix)
    if content == "zip" and suffix == ".xls":
        return Issue.of_file(file, "file.is_xlsx", suffix=suffix)
    if content in ("zip", "ole2"):
        return Issue.of_file(
            file, "file.damaged", kind=both("Excel 工作簿", "Excel workbook")
        )
    return Issue.of_file(file, "file.workbook", error=str(exc))


EXCEL_ERROR_VALUES: dict[str, str] = {
    "Div0": "#DIV/0!",
    "NA": "#N/A",
    "Name": "#NAME?",
    "Null": "#NULL!",
    "Num": "#NUM!",
    "Ref": "#REF!",
    "Value": "#VALUE!",
    "GettingData": "#GETTING_DATA",
}
"""calamine's names of the Excel error values, and the values as Excel shows them."""

_CELL_ERROR_DETAIL = re.compile(r"'Error\((\w+)\)'")


def _xls_error_cells(
    path: Path, workbook: python_calamine.CalamineWorkbook, names: Sequence[str]
) -> dict[str, list[CellProblem]]:
    """Return the cells of an .xls workbook that contain an Excel error value.

    python-calamine reads an error cell as an empty string. fastexcel
    (0.21) reads the sheet as text and reports each error cell that it cannot
    convert, such as ``Expected string but got 'Error(Div0)'``, at a position
    relative to calamine's range of cells, which starts at ``sheet.start``.
    """
    try:
        reader = fastexcel.read_excel(path)
    except fastexcel.FastExcelError:
        return {}
    found: dict[str, list[CellProblem]] = {}
    for name in names:
        start = workbook.get_sheet_by_name(name).start
        if start is None:
            continue
        try:
            sheet = reader.load_sheet(name, header_row=None, dtypes="string")
            _, errors = sheet.to_arrow_with_errors()
        except fastexcel.FastExcelError:
            continue
        if errors is None:
            continue
        problems: list[CellProblem] = []
        for error in errors.errors:
            match = _CELL_ERROR_DETAIL.search(error.detail)
            if match is None:
                continue
            kind = match.group(1)
            text = EXCEL_ERROR_VALUES.get(kind, f"#{kind.upper()}")
            row, column = error.position
            problems.append(
                CellProblem(row + start[0], column + start[1], "error", text)
            )
        found[name] = problems
    return found


class _EmptyColumnFilter(logging.Filter):
    """Drop fastexcel's warning about a column without values, which is valid."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Could not determine dtype" not in record.getMessage()


logging.getLogger("fastexcel.types.dtype").addFilter(_EmptyColumnFilter())


def _open_fast_reader(path: Path) -> fastexcel.ExcelReader | None:
    """Open a workbook with fastexcel, or return None to read it with calamine."""
    try:
        return fastexcel.read_excel(path)
    except fastexcel.FastExcelError:
        return None


def _skipped_hidden_sheet(
    file: str,
    workbook: python_calamine.CalamineWorkbook,
    name: str,
    options: ReadOptions,
    very_hidden: bool,
) -> list[Issue]:
    """Warn of a hidden sheet that is skipped although its headers are data's.

    Its header row is found as for any sheet, so a title row above it counts.
    A very hidden sheet gets the fix for such sheets, which Excel's Unhide
    command does not list.
    """
    sheet = _load_sheet(
        workbook, name, ReadOptions(source_columns=options.source_columns)
    )
    if sheet.header_index is None:
        return []
    headers = [_cell_text(v).strip() for v in sheet.rows[sheet.header_index]]
    kind = classify_headers(headers)
    sources = options.source_columns
    if kind is None and sources and _headers_known([h for h in headers if h], sources):
        kind = "schools"
    if kind is None:
        return []
    what = (
        both("学校数据", "school data")
        if kind == "schools"
        else both("县级指标", "county items")
    )
    return [
        Issue.coded(
            file,
            name,
            None,
            None,
            None,
            "hidden_sheet.skipped_very" if very_hidden else "hidden_sheet.skipped",
            severity="warning",
            sheet=name,
            what=what,
        )
    ]


def _hidden_sheet_issue(file: str, sheet: _Sheet) -> Issue:
    code = "hidden_sheet.very" if sheet.very_hidden else "hidden_sheet"
    return Issue.coded(file, sheet.name, None, None, None, code, severity="warning")


def _unreadable_cell_issues(
    file: str, sheets: list[_Sheet], problems: dict[str, list[CellProblem]]
) -> list[Issue]:
    """Report error cells and formulas without results, and put their text in place.

    calamine reads both as empty cells (see :mod:`junheng.ingest.xlsx_cells`). The
    error value or the formula replaces the empty value, so that the value checks
    do not also report the cell as empty. Cells above the header row are not
    data and are left alone.
    """
    read = [
        s
        for s in sheets
        if s.kind is not None and s.header_index is not None and s.fast is None
    ]
    issues: list[Issue] = []
    for sheet in read:
        found = problems.get(sheet.name, [])
        assert sheet.header_index is not None
        below = [p for p in found if p.row >= sheet.header_index]
        if not below:
            continue
        header = [_cell_text(v).strip() for v in sheet.rows[sheet.header_index]]
        for problem in below:
            column = ""
            if problem.column < len(header):
                column = header[problem.column]
            issues.append(
                _cell_problem_issue(
                    file,
                    sheet.name,
                    problem,
                    column or _column_letter(problem.column),
                )
            )
        data = [p for p in below if p.row > sheet.header_index]
        sheet.rows = _with_cell_texts(sheet.rows, data)
    return issues


def _hidden_line_issues(
    file: str, sheets: list[_Sheet], scans: Mapping[str, SheetScan]
) -> list[Issue]:
    """Warn once per data sheet of its hidden rows and columns, which are imported.

    Rows count from below the header row to the last row with a value, and
    columns up to the last one of calamine's rows. So the empty rows and columns
    that a sheet hides after its data are not named.
    """
    issues: list[Issue] = []
    for sheet in sheets:
        scan = scans.get(sheet.name)
        if sheet.kind is None or sheet.header_index is None or scan is None:
            continue
        last_row = -1 if scan.last_row is None else scan.last_row
        rows = [r for r in scan.hidden_rows if sheet.header_index < r <= last_row]
        header: list[str] = []
        if sheet.fast is None and sheet.header_index < len(sheet.rows):
            header = [_cell_text(v).strip() for v in sheet.rows[sheet.header_index]]
        columns = [c for c in scan.hidden_columns if c < len(header)]
        if not rows and not columns:
            continue
        row_text = ", ".join(_line_runs(rows))
        column_text = [(_column_letter(c), header[c]) for c in columns]
        zh_columns = "、".join(f"{x}（{h}）" if h else x for x, h in column_text)
        en_columns = ", ".join(f"{x} ({h})" if h else x for x, h in column_text)
        code = "hidden_cells"
        if not columns:
            code = "hidden_cells.rows"
        elif not rows:
            code = "hidden_cells.columns"
        issues.append(
            Issue.coded(
                file,
                sheet.name,
                None,
                None,
                None,
                code,
                severity="warning",
                rows=both(
                    f"第 {row_text.replace(', ', '、')} 行",
                    ("rows " if len(rows) > 1 else "row ") + row_text,
                ),
                columns=both(
                    zh_columns + ("列" if zh_columns.endswith("）") else " 列"),
                    ("columns " if len(columns) > 1 else "column ") + en_columns,
                ),
            )
        )
    return issues


def _line_runs(lines: Sequence[int]) -> list[str]:
    """Return 0-based row numbers as 1-based runs, such as ``["5–7", "12"]``."""
    runs: list[list[int]] = []
    for line in lines:
        if runs and line == runs[-1][-1] + 1:
            runs[-1].append(line)
        else:
            runs.append([line])
    return [
        f"{run[0] + 1}–{run[-1] + 1}" if len(run) > 1 else str(run[0] + 1)
        for run in runs
    ]


def _cell_problem_issue(
    file: str, sheet: str, problem: CellProblem, column: str
) -> Issue:
    code = "cell_error" if problem.kind == "error" else "formula_no_value"
    return Issue.coded(
        file, sheet, problem.row + 1, column, problem.text, code, text=problem.text
    )


def _with_cell_texts(
    rows: Sequence[Sequence[object]], problems: Sequence[CellProblem]
) -> list[list[object]]:
    """Return ``rows`` with each problem cell set to its text, widened to fit."""
    patched = [list(row) for row in rows]
    height = max([len(patched)] + [p.row + 1 for p in problems])
    width = max([len(patched[0]) if patched else 0] + [p.column + 1 for p in problems])
    for row in patched:
        row.extend([""] * (width - len(row)))
    patched.extend([[""] * width for _ in range(height - len(patched))])
    for problem in problems:
        patched[problem.row][problem.column] = problem.text
    return patched


def _fall_back_to_only_sheet(sheets: list[_Sheet]) -> None:
    """Read a workbook's only non-empty sheet as school data if nothing matched.

    The header check then reports each unknown header with a suggestion, which
    helps more than a message that no sheet was recognised.
    """
    if any(sheet.kind is not None for sheet in sheets):
        return
    filled = [sheet for sheet in sheets if sheet.header_index is not None]
    if len(filled) == 1:
        filled[0].kind = "schools"


def _sheets_to_tables(
    file: str, sheets: list[_Sheet], options: ReadOptions
) -> tuple[list[RawTable], list[Issue]]:
    tables: list[RawTable] = []
    issues: list[Issue] = []
    empty: list[Issue] = []
    for sheet in sheets:
        if sheet.kind is None:
            continue
        if sheet.header_index is None:
            empty.append(Issue.of_file(file, "file.empty_sheet", sheet.name))
            continue
        issues.extend(_merged_issues(file, sheet))
        table, header_issues = _excel_table(file, sheet)
        issues.extend(header_issues)
        if table.frame.height == 0:
            empty.append(
                Issue.coded(
                    file,
                    sheet.name,
                    table.header_row,
                    None,
                    None,
                    "file.sheet_without_rows",
                )
            )
            continue
        tables.append(table)
    if not tables:
        issues.extend(empty)
        if not empty:
            issues.append(_no_sheet_issue(file, sheets, options))
    return tables, issues


def _no_sheet_issue(file: str, sheets: list[_Sheet], options: ReadOptions) -> Issue:
    names = ", ".join(s.name for s in sheets) or both("无", "none")
    if options.sheet is not None:
        return Issue.of_file(
            file, "file.profile_sheet", wanted=options.sheet, sheets=names
        )
    return Issue.of_file(file, "file.no_sheet", sheets=names)


def _merged_issues(file: str, sheet: _Sheet) -> list[Issue]:
    assert sheet.header_index is not None
    if not sheet.merged:
        return []
    header = sheet.rows[sheet.header_index]
    issues: list[Issue] = []
    for (row0, col0), (row1, col1) in sheet.merged:
        if row1 < sheet.header_index:
            continue
        first = f"{_column_letter(col0)}{row0 + 1}"
        last = f"{_column_letter(col1)}{row1 + 1}"
        column = _cell_text(header[col0]).strip() if col0 < len(header) else ""
        value = None
        if row0 < len(sheet.rows) and col0 < len(sheet.rows[row0]):
            value = _cell_text(sheet.rows[row0][col0]).strip() or None
        issues.append(
            Issue.coded(
                file,
                sheet.name,
                row0 + 1,
                column or _column_letter(col0),
                value,
                "merged_cells",
                first=first,
                last=last,
            )
        )
    return issues


def _excel_table(file: str, sheet: _Sheet) -> tuple[RawTable, list[Issue]]:
    assert sheet.header_index is not None and sheet.kind is not None
    if sheet.fast is not None:
        return _build_table(
            file,
            sheet.name,
            sheet.kind,
            sheet.header_index + 1,
            sheet.fast.header_cells,
            sheet.fast.columns,
            sheet.header_index + 2,
        )
    header_cells = [_cell_text(v) for v in sheet.rows[sheet.header_index]]
    data = sheet.rows[sheet.header_index + 1 :]
    width = len(header_cells)
    markers: list[pl.Series | None] | None = None
    if data:
        cell_columns = _sheet_columns(data)
        columns = [
            _cells_to_series(str(i), cells) for i, cells in enumerate(cell_columns)
        ]
        if sheet.kind == "county_items":
            markers = [
                _number_cell_marker(cells, column)
                for cells, column in zip(cell_columns, columns, strict=True)
            ]
    else:
        columns = [pl.Series(str(i), [], dtype=pl.String) for i in range(width)]
    return _build_table(
        file,
        sheet.name,
        sheet.kind,
        sheet.header_index + 1,
        header_cells,
        columns,
        sheet.header_index + 2,
        markers,
    )


def _number_cell_marker(cells: Sequence[object], column: pl.Series) -> pl.Series | None:
    """Return where a text column had number cells, or None if it had none."""
    if column.dtype != pl.String:
        return None
    marker = [type(v) in (int, float) for v in cells]
    return pl.Series(marker, dtype=pl.Boolean) if any(marker) else None


# ---------------------------------------------------------------------------
# CSV


def text_encoding(name: str) -> str:
    """Return the Python codec name of the text encoding ``name``.

    Raises :class:`LookupError` for an empty name, an unknown codec, a codec
    that does not decode bytes to text (such as base64 and rot13) and Python's
    ``undefined`` codec, which fails on every input. The command line's
    ``--encoding`` and a profile's ``source_encoding`` are checked with it.
    """
    if not name.strip():
        raise LookupError("the encoding name is empty")
    codec = codecs.lookup(name).name
    try:
        # Empty bytes skip the codec, so one byte is decoded. It may be
        # incomplete in the encoding, such as UTF-16.
        b"a".decode(name)
    except UnicodeDecodeError:
        pass
    except UnicodeError as exc:  # ``undefined`` raises it for any bytes
        raise LookupError(f"{name!r} decodes no text") from exc
    return codec


def decode_csv(data: bytes, encoding: str | None) -> tuple[str, str]:
    """Decode CSV bytes, returning the text and the encoding used.

    Without ``encoding``, a UTF-16 or UTF-32 byte order mark selects that
    encoding (Excel's "Unicode text" export is UTF-16 with one). Otherwise UTF-8
    (with or without a byte order mark) is tried, then GB18030, a superset of GBK
    and GB2312. Raises :class:`UnicodeDecodeError` when no candidate fits, the
    error of the candidate that decoded the most bytes, with offsets into
    ``data``. Raises :class:`LookupError` for an unknown encoding.
    """
    if encoding is not None:
        text_encoding(encoding)
        text = data.decode(encoding)
        return text.removeprefix("\ufeff"), encoding
    for bom, name in _UNICODE_BOMS:
        if data.startswith(bom):
            return data.decode(name), name
    body = data.removeprefix(codecs.BOM_UTF8)
    skipped = len(data) - len(body)
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = UnicodeDecodeError(
            "utf-8", data, exc.start + skipped, exc.end + skipped, exc.reason
        )
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as gb_error:
        raise max((utf8_error, gb_error), key=lambda e: e.start) from None


# UTF-32 comes first because its little-endian mark begins with UTF-16's.
_UNICODE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


_UTF16_NUL_SHARE = 10


def _utf16_without_bom(data: bytes) -> str | None:
    """Return the likely UTF-16 variant of ``data``, or None if it is not UTF-16.

    Text in UTF-8 or GB18030 has no NUL bytes, but UTF-16 has one in each ASCII
    character, after it in little-endian order and before it in big-endian
    order. Only data without a byte order mark, with a NUL byte in its first
    4096 bytes and whose first 4096 bytes read as printable UTF-16 text counts.
    At least one byte in :data:`_UTF16_NUL_SHARE` must be NUL, as the digits,
    separators and line breaks of a CSV file give, so that a stray NUL in UTF-8
    text does not count.
    """
    sample = data[:4096]
    nuls = sample.count(0)
    if not nuls or nuls * _UTF16_NUL_SHARE < len(sample):
        return None
    if data.startswith(tuple(b for b, _ in _UNICODE_BOMS)):
        return None
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    encoding = "utf-16-le" if odd >= even else "utf-16-be"
    # Binary data, such as a Parquet file, has NUL bytes too, but read as UTF-16
    # it gives unpaired surrogates or control characters.
    text = sample[: len(sample) // 2 * 2].decode(encoding, errors="replace")
    printable = sum(c.isprintable() or c in "\t\n\r" for c in text)
    return encoding if printable >= 0.95 * len(text) else None


def _sniff_separator(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    counts = {sep: first_line.count(sep) for sep in (",", "\t", ";")}
    return max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","


def decode_csv_file(
    file: str, data: bytes, options: ReadOptions
) -> tuple[str, str] | Issue:
    """Decode the bytes ``data`` of the CSV file ``file`` as :func:`decode_csv` does.

    Returns the text and the encoding used, or a ``file`` error whose fix names
    the ``--encoding`` to give. It is returned for an unknown
    ``options.encoding``, an invalid byte, or UTF-16 text without a byte order
    mark.
    """
    utf16 = None if options.encoding is not None else _utf16_without_bom(data)
    if utf16 is not None:
        return Issue.of_file(file, "file.utf16_without_bom", encoding=utf16)
    try:
        return decode_csv(data, options.encoding)
    except LookupError:
        return Issue.of_file(file, "file.unknown_encoding", encoding=options.encoding)
    except UnicodeDecodeError as exc:
        return _decode_issue(file, data, exc, options)


def _read_csv(
    path: Path, file: str, options: ReadOptions
) -> tuple[list[RawTable], list[Issue]]:
    data = path.read_bytes()
    decoded = decode_csv_file(file, data, options)
    if isinstance(decoded, Issue):
        return [], [decoded]
    text, used = decoded
    if not text.strip():
        return [], [Issue.of_file(file, "file.empty")]
    separator = _sniff_separator(text)
    title = _csv_title(text, separator, options)
    notes: list[Issue] = []
    offset = 0
    if title is not None:
        title_rows, offset = title
        notes.append(_title_issue(file, None, title_rows, offset + 1))
        text = text.split("\n", offset)[-1]
        separator = _sniff_separator(text)
    encoding_issue = _encoding_issue(file, data, text, used, options)
    if encoding_issue is None and options.encoding is None:
        encoding_issue = _text_encoding_issue(file, data, text, used)
    if encoding_issue is not None and encoding_issue.code in ENCODING_FITS:
        # The headers read right in another encoding, so every issue about the
        # garbled text would mislead.
        return [], [encoding_issue]
    if encoding_issue is not None:
        notes.insert(0, encoding_issue)
    width = len(next(csv.reader([text.split("\n", 1)[0]], delimiter=separator)))
    # Every record may hold at most as many fields as the first one (checked
    # below), and a record takes at least one line.
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    cells = lines * width
    if cells > options.limits.max_cells:
        return [], [too_many_cells(file, cells, options.limits.max_cells, table=True)]
    record_issues = _csv_record_issues(file, text, separator, offset)
    if record_issues:
        return [], record_issues
    if _CONTROL_CHARACTERS.search(text):
        return [], _control_character_issues(file, text, separator, offset)
    try:
        raw = pl.read_csv(
            text.encode("utf-8"),
            has_header=False,
            infer_schema=False,
            separator=separator,
            empty_string_is_null=False,
        )
    except pl.exceptions.PolarsError as exc:
        # The csv module accepted the file, so this is a case it parses
        # differently from Polars. Polars' first line names the failing field.
        first_line = str(exc).strip().split("\n", 1)[0]
        return [], [Issue.of_file(file, "file.invalid_csv", error=first_line[:200])]
    tables, issues = _csv_table(file, raw, offset)
    return tables, notes + issues


def _csv_title(
    text: str, separator: str, options: ReadOptions
) -> tuple[_Title, int] | None:
    """Find title rows above the header row of CSV ``text`` (see
    :func:`_header_below_title`).

    Returns the title rows and the number of lines before the header row, or None.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    found: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for record in reader:
            line, start = start, reader.line_num + 1
            if any(cell.strip() for cell in record):
                found.append((line, record))
                if len(found) == MAX_HEADER_SEARCH_ROWS:
                    break
    except csv.Error:
        # A broken record below the title rows is reported once they are skipped.
        pass
    position = _header_below_title(found, options)
    if position is None:
        return None
    return _title(found[:position]), found[position][0] - 1


def _decode_issue(
    file: str, data: bytes, exc: UnicodeDecodeError, options: ReadOptions
) -> Issue:
    """Report the line of the first byte that ``exc.encoding`` cannot decode.

    A file that mixes UTF-8 lines with lines in another encoding gets
    ``file.mixed_encodings`` instead, since no ``--encoding`` reads it.
    """
    encoding = options.encoding
    mixed = _mixed_encoding_issue(file, data, encoding or "utf-8")
    if mixed is not None:
        return mixed
    # The bytes before the error decode, so their line breaks can be counted in
    # any encoding, including UTF-16, where the byte 0x0A is not always a newline.
    before = data[: exc.start].decode(exc.encoding, errors="replace")
    line = before.count("\n") + 1
    tried = encoding or "UTF-8 or GB18030"
    invalid = " ".join(f"0x{byte:02X}" for byte in data[exc.start : exc.end])
    # A byte order mark names the file's encoding, which detection reads.
    bom = next((name for mark, name in _UNICODE_BOMS if data.startswith(mark)), None)
    fits = bom or _fitting_encoding(data, encoding or "gb18030", options.source_columns)
    return Issue.coded(
        file,
        None,
        line,
        None,
        None,
        "file.decode" if fits is None else "file.decode_as",
        fits=fits,
        tried=tried,
        line=line,
        # Python names the codec of cp1252 and the like "charmap".
        encoding=encoding if encoding and exc.encoding == "charmap" else exc.encoding,
        bytes=invalid,
        offset=exc.start,
    )


@dataclass(frozen=True)
class _Misread:
    """The first cell of a CSV file that one encoding does not read right."""

    encoding: str
    line: int
    column: str


def _mixed_encoding_issue(file: str, data: bytes, given: str) -> Issue | None:
    """Report a CSV file whose lines are partly UTF-8 and partly another encoding.

    A line with bytes other than ASCII that decodes as UTF-8 is UTF-8 text:
    GBK or Big5 text is almost never valid UTF-8. When such a line and lines
    that UTF-8 cannot decode but a fallback encoding can are both in the file,
    each single encoding fails on or misreads one of them. The issue names the
    first misread cell under ``given``, UTF-8 and the encoding that decodes the
    other lines.

    NOTE: only a file whose ``given`` encoding fails is checked, so a mixed file
    that GB18030 decodes whole into wrong characters is read without an error
    when --encoding gb18030 is given.
    """
    lines = data.removeprefix(codecs.BOM_UTF8).split(b"\n")
    utf8_line: int | None = None
    other_lines: list[int] = []
    for index, line in enumerate(lines):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            other_lines.append(index)
            continue
        if utf8_line is None:
            utf8_line = index
    if utf8_line is None or not other_lines:
        return None
    other = _other_lines_encoding([lines[i] for i in other_lines])
    if other is None:
        # A stray invalid byte in a UTF-8 file, not text in another encoding.
        return None
    names = dict.fromkeys(codecs.lookup(name).name for name in (given, "utf-8", other))
    header = lines[0].decode("utf-8", errors="replace")
    misreads = [_first_misread(lines, header, name) for name in names]
    first = misreads[0]
    return Issue.coded(
        file,
        None,
        first.line,
        first.column,
        None,
        "file.mixed_encodings",
        places=both(
            "；".join(
                f"按 {m.encoding} 读，第一处读错的是第 {m.line} 行的“{m.column}”列"
                for m in misreads
            ),
            "; ".join(
                f"as {m.encoding}, the first cell read wrong is line {m.line}, "
                f"column {m.column!r}"
                for m in misreads
            ),
        ),
    )


def _other_lines_encoding(lines: list[bytes]) -> str | None:
    """Return the first fallback encoding other than UTF-8 that decodes ``lines``."""
    for name in FALLBACK_ENCODINGS[1:]:
        try:
            for line in lines:
                line.decode(name)
        except UnicodeDecodeError:
            continue
        return name
    return None


def _first_misread(lines: list[bytes], header: str, encoding: str) -> _Misread:
    """Find the first cell of ``lines`` that ``encoding`` fails on or misreads.

    UTF-8 fails on the lines in the other encoding. Any other encoding fails on
    a line that it cannot decode, or misreads a line that is valid UTF-8 with
    bytes other than ASCII.
    """
    is_utf8 = codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")
    for index, line in enumerate(lines):
        try:
            line.decode(encoding)
            start = None
        except UnicodeDecodeError as exc:
            start = exc.start
        if start is None and not is_utf8 and not line.isascii():
            try:
                line.decode("utf-8")
                start = next(i for i, byte in enumerate(line) if byte >= 0x80)
            except UnicodeDecodeError:
                pass
        if start is not None:
            column = _column_at(line, start, header)
            return _Misread(codecs.lookup(encoding).name, index + 1, column)
    raise AssertionError("the file mixes encodings, so a line fails in each")


def _column_at(line: bytes, start: int, header: str) -> str:
    """Return the header of the CSV field of ``line`` that contains byte ``start``."""
    separator = _sniff_separator(header)
    before = line[:start].decode("utf-8", errors="replace")
    record = next(csv.reader([before], delimiter=separator), [""])
    headers = next(csv.reader([header.rstrip("\r")], delimiter=separator), [])
    position = max(len(record) - 1, 0)
    if position < len(headers) and headers[position].strip():
        return headers[position].strip()
    return str(position + 1)


FALLBACK_ENCODINGS = ("utf-8-sig", "gb18030", "big5", "cp950", "shift_jis")
"""Encodings tried, in order, for a file that the given encoding cannot decode.

GB18030 covers GBK and GB2312, the encodings of simplified Chinese files, and
comes before Big5 (traditional Chinese), so a GBK file is named as GB18030.
cp950, Windows' Big5, adds characters that Big5 lacks. Shift-JIS is Japanese."""


def _fitting_encoding(
    data: bytes, given: str, source_columns: frozenset[str] = frozenset()
) -> str | None:
    """Return the fallback encoding other than ``given`` that suits ``data`` best.

    Of the encodings that decode the whole file, the first one whose header row
    has the most known headers is chosen: GB18030 decodes almost any bytes, so
    a Big5 file decodes as both.
    """
    best: tuple[int, str] | None = None
    for name, text in _other_decodings(data, given):
        header = _header_cells(text.removeprefix("\ufeff"))
        score = _known_header_count(header, source_columns)
        if best is None or score > best[0]:
            best = (score, name.removesuffix("-sig"))
    return None if best is None else best[1]


def _other_decodings(data: bytes, used: str) -> Iterator[tuple[str, str]]:
    """Yield each encoding of :data:`FALLBACK_ENCODINGS` other than ``used``
    that decodes ``data``, with the decoded text."""
    for name in FALLBACK_ENCODINGS:
        if codecs.lookup(name).name == codecs.lookup(used).name:
            continue
        try:
            yield name, data.decode(name)
        except UnicodeDecodeError:
            continue


def _header_cells(text: str) -> list[str]:
    """Return the non-blank cells of the first line of CSV ``text``."""
    first_line = text.split("\n", 1)[0]
    reader = csv.reader([first_line], delimiter=_sniff_separator(first_line))
    return [cell.strip() for cell in next(reader, []) if cell.strip()]


def _known_header_count(headers: Sequence[str], source_columns: frozenset[str]) -> int:
    """Count the headers that the template or an import profile defines."""
    return sum(
        normalize_header(h) in _SCHOOL_ALIASES
        or normalize_header(h) in _COUNTY_ALIASES
        or h in source_columns
        for h in headers
    )


def _headers_known(headers: Sequence[str], source_columns: frozenset[str]) -> bool:
    """Return whether at least half of a header row is known.

    With an import profile, that is half of the profile's source columns, since
    a source file may have many columns that the profile does not read.
    """
    if source_columns:
        found = len(source_columns & set(headers))
        return 2 * found >= len(source_columns)
    return bool(headers) and 2 * _known_header_count(headers, frozenset()) >= len(
        headers
    )


def _encoding_issue(
    file: str,
    data: bytes,
    text: str,
    used: str,
    options: ReadOptions,
) -> Issue | None:
    """Report a CSV file that decoded, but whose headers look decoded wrongly.

    Almost no known header (under a fifth) in a header row that has text other
    than ASCII suggests the wrong encoding: a Big5 or Shift-JIS file decodes as
    GB18030 without error, into other characters. Each encoding of
    :data:`FALLBACK_ENCODINGS` is tried on the header line; one under which at
    least half of the headers are known is named. Otherwise the issue lists the
    encodings to try.
    """
    headers = _header_cells(text)
    known = options.source_columns
    expected = len(known) if known else len(headers)
    found = len(known & set(headers)) if known else _known_header_count(headers, known)
    if not expected or 5 * found >= expected:
        return None
    if not known:
        layout = profile_layout_issue(file, None, headers)
        if layout is not None:
            return layout
    if all(h.isascii() for h in headers):
        return None
    line = data.removeprefix(codecs.BOM_UTF8).split(b"\n", 1)[0]
    for name, decoded in _other_decodings(line, used):
        if _headers_known(_header_cells(decoded), known):
            fits = name.removesuffix("-sig")
            return Issue.coded(
                file,
                None,
                1,
                None,
                None,
                "file.encoding_fits",
                used=used,
                fits=fits,
                found=found,
                count=expected,
            )
    if expected < 2:
        # One unknown header is too little to guess from. A UTF-8 file read as
        # UTF-16 is such a case: it turns into one line of CJK characters, and
        # the other encodings above name UTF-8.
        return None
    return Issue.coded(
        file,
        None,
        1,
        None,
        None,
        "file.encoding_guess",
        used=used,
        found=found,
        count=expected,
    )


ENCODING_FITS = (
    "file.encoding_fits",
    "file.text_encoding_fits",
    "file.profile_layout",
)
"""Codes of the errors that name the encoding a CSV file decodes right in, or
the import profile whose layout it has."""


def profile_layout_issue(
    file: str, sheet: str | None, headers: Sequence[str], row: int = 1
) -> Issue | None:
    """Report the header row ``row`` in the layout of an installed import profile.

    It is when at least half of the profile's source columns are among
    ``headers``. Of several such profiles, the one with the largest share of
    its source columns present is named. Returns None for no match.
    """
    # Imported here because the profiles module imports this one.
    from junheng.ingest.profiles import list_profiles

    present = set(headers)
    best: tuple[float, int, int, Any] | None = None
    for profile in list_profiles():
        columns = profile.source_columns()
        found = len(columns & present)
        if not columns or 2 * found < len(columns):
            continue
        share = found / len(columns)
        if best is None or share > best[0]:
            best = (share, found, len(columns), profile)
    if best is None:
        return None
    _, found, count, profile = best
    return Issue.coded(
        file,
        sheet,
        row,
        None,
        None,
        "file.profile_layout",
        profile=profile.id,
        name=both(profile.name_zh or profile.id, profile.name_en or profile.id),
        found=found,
        count=count,
    )


TEXT_SAMPLE = 20_000
"""Characters other than ASCII that :func:`_text_encoding_issue` scores."""

# The first bytes of the most common characters: GB2312 level 1 (3,755
# characters, B0A1–D7F9), Big5 level 1 (5,401 characters, A440–C67E), and in
# Shift-JIS the rows of lead bytes 82 and 83 (full-width digits and Latin
# letters, hiragana, katakana and Greek letters) and JIS level 1 (2,965 kanji,
# 889F–9872).
_COMMON_LEAD_BYTES = {
    "gb2312": ((0xB0, 0xD7),),
    "big5": ((0xA4, 0xC6),),
    "shift_jis": ((0x82, 0x83), (0x88, 0x98)),
}


@dataclass(frozen=True)
class _TextEncoding:
    """A family of encodings whose text GB18030 decodes without error."""

    names: tuple[str, ...]
    """The encodings to try, the standard one first, then Windows' superset."""
    charset: str
    """The key of :data:`_COMMON_LEAD_BYTES` that scores its text."""
    language: dict[Language, str]


_TEXT_ENCODINGS = (
    _TextEncoding(("big5", "cp950"), "big5", both("繁体中文", "traditional Chinese")),
    _TextEncoding(("shift_jis", "cp932"), "shift_jis", both("日文", "Japanese")),
)


def _common_share(text: str, charset: str) -> tuple[int, float]:
    """Return the characters other than ASCII in ``text`` (at most
    :data:`TEXT_SAMPLE`) and the share of them that are common characters of
    ``charset``."""
    ranges = _COMMON_LEAD_BYTES[charset]
    sample = [c for c in text if not c.isascii()][:TEXT_SAMPLE]
    common = 0
    for char in sample:
        try:
            encoded = char.encode(charset)
        except UnicodeEncodeError:
            continue
        common += len(encoded) == 2 and any(
            low <= encoded[0] <= high for low, high in ranges
        )
    return len(sample), common / len(sample) if sample else 0.0


def _text_encoding_issue(file: str, data: bytes, text: str, used: str) -> Issue | None:
    """Report a file detected as GB18030 whose text reads right as Big5 or
    Shift-JIS.

    Big5 and Shift-JIS bytes decode as GB18030 without error, into rare
    characters, kana and symbols. With ASCII headers, :func:`_encoding_issue`
    cannot tell, so the text is scored here: in its own encoding almost every
    character (at least 90%) is a common one, and in GB18030 at most 60% are.
    A simplified Chinese file scores the other way round: about 98% as GB18030
    and 48% as Big5 on the subject names of a roster, and as Shift-JIS its
    bytes mostly become half-width katakana, which do not count. Fewer than 6
    characters are too few to judge.
    """
    if used != "gb18030" or not all(h.isascii() for h in _header_cells(text)):
        return None
    for family in _TEXT_ENCODINGS:
        for name in family.names:
            try:
                other = data.decode(name)
            except UnicodeDecodeError:
                continue
            count, fits_share = _common_share(other, family.charset)
            if count < 6 or fits_share < 0.9:
                break
            _, gb_share = _common_share(text, "gb2312")
            if gb_share > 0.6:
                return None
            return Issue.coded(
                file,
                None,
                None,
                None,
                None,
                "file.text_encoding_fits",
                used=used,
                fits=name,
                gb_share=round(100 * gb_share),
                fits_share=round(100 * fits_share),
                language=family.language,
            )
    return None


def _csv_record_issues(
    file: str, text: str, separator: str, offset: int = 0
) -> list[Issue]:
    """Check the quoting and the field count of every record.

    The csv module tracks line numbers, so each issue names the row where the
    record starts, after the ``offset`` lines skipped before ``text``. Blank
    rows are skipped, as the readers skip them.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    issues: list[Issue] = []
    width: int | None = None
    # Fields after the last header cell with text have no column, so a row may
    # leave them out, as when only the header line ends with a separator.
    needed = 0
    start = 1 + offset
    try:
        for record in reader:
            line, start = start, reader.line_num + 1 + offset
            if not any(cell.strip() for cell in record):
                continue
            if width is None:
                width = len(record)
                needed = max(i + 1 for i, f in enumerate(record) if f.strip())
            elif len(record) > width or len(record) < needed:
                issues.append(
                    _field_count_issue(file, line, len(record), width, separator)
                )
    except csv.Error as exc:
        issues.append(_quote_issue(file, start, exc))
    return issues


def _control_character_issues(
    file: str, text: str, separator: str, offset: int = 0
) -> list[Issue]:
    """Return an error for each cell of CSV ``text`` with a control character,
    naming the row, the column's header and the character's code point."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    issues: list[Issue] = []
    headers: list[str] = []
    start = 1 + offset
    for record in reader:
        line, start = start, reader.line_num + 1 + offset
        if not headers:
            headers = [cell.strip() for cell in record]
        for position, cell in enumerate(record):
            found = _CONTROL_CHARACTERS.search(cell)
            if found is None:
                continue
            header = headers[position] if position < len(headers) else ""
            character = found.group()
            issues.append(
                Issue.coded(
                    file,
                    None,
                    line,
                    header or f"#{position + 1}",
                    cell,
                    "file.control_character",
                    character=f"U+{ord(character):04X}",
                )
            )
    return issues


def _field_count_issue(
    file: str, line: int, fields: int, width: int, separator: str
) -> Issue:
    code = "file.extra_fields" if fields > width else "file.missing_fields"
    return Issue.coded(
        file,
        None,
        line,
        None,
        None,
        code,
        fields=fields,
        width=width,
        separator=separator,
    )


def _quote_issue(file: str, line: int, exc: csv.Error) -> Issue:
    if "unexpected end of data" in str(exc):
        return Issue.coded(file, None, line, None, None, "file.unclosed_quote")
    return Issue.coded(
        file, None, line, None, None, "file.invalid_quote", error=str(exc)
    )


def _csv_table(
    file: str, raw: pl.DataFrame, offset: int = 0
) -> tuple[list[RawTable], list[Issue]]:
    """Build the table of a CSV file whose header row follows ``offset`` lines."""
    header_cells = ["" if v is None else str(v) for v in raw.row(0)]
    body = raw.slice(1)
    kind = classify_headers(header_cells) or "schools"
    columns = [body.to_series(i) for i in range(body.width)]
    header_row = offset + 1
    table, issues = _build_table(
        file, None, kind, header_row, header_cells, columns, header_row + 1
    )
    if table.frame.height == 0:
        issues.append(
            Issue.coded(file, None, header_row, None, None, "file.without_rows")
        )
        return [], issues
    return [table], issues


# ---------------------------------------------------------------------------
# Parquet


def _parquet_column(series: pl.Series) -> pl.Series:
    """Keep an integer or float column numeric and render any other as text."""
    dtype = series.dtype
    if dtype.is_integer() or dtype == pl.Float64:
        return series
    if dtype.is_float():
        # Parsing the shortest text of a Float32 gives the decimal that was
        # written, such as 0.1, where a cast gives 0.10000000149011612.
        return series.cast(pl.String).cast(pl.Float64)
    return series.to_frame().select(cell_text(pl.col(series.name), dtype)).to_series()


def _parquet_type(path: Path, name: str, dtype: pl.DataType) -> str:
    """Return the type of column ``name`` as the Parquet file stores it.

    Polars converts some types as it reads them (a duration[s] column becomes a
    duration in milliseconds), so the file's Arrow schema names the type.
    """
    try:
        return str(pq.read_schema(path).field(name).type)
    except (OSError, KeyError, ValueError):
        return str(dtype)


def _parquet_size(path: Path) -> tuple[int, int]:
    """Return the rows and the columns that a Parquet file's footer declares.

    A column chunk compresses repeated values to almost nothing, so the
    footer, not the file size, shows how much memory reading the file takes.
    A file without a readable footer counts as empty and is reported by the
    reader.
    """
    try:
        metadata = pq.read_metadata(path)
    except (pa.ArrowException, OSError):
        return 0, 0
    return int(metadata.num_rows), int(metadata.num_columns)


PARQUET_MAX_ROWS = 2**32 - 1
"""Maximum number of rows that Polars reads from one file, in its build
without 64-bit row indices."""


def _read_parquet(
    path: Path, file: str, limits: SizeLimits
) -> tuple[list[RawTable], list[Issue]]:
    try:
        rows, width = _parquet_size(path)
        cells = rows * width
        if limits.max_parquet_cells is not None and cells > limits.max_parquet_cells:
            limit = limits.max_parquet_cells
            return [], [too_many_cells(file, cells, limit, table=True)]
        if rows > PARQUET_MAX_ROWS:
            fields = {"rows": f"{rows:,}", "limit": f"{PARQUET_MAX_ROWS:,}"}
            return [], [Issue.of_file(file, "file.parquet_rows", **fields)]
        schema = pl.read_parquet_schema(path)
        # Polars reads decimals of at most 38 digits; a wider decimal column
        # would stop the whole file from being read.
        wide = {
            name
            for name, dtype in schema.items()
            if isinstance(dtype, pl.Decimal) and (dtype.precision or 0) > 38
        }
        raw = pl.read_parquet(path, columns=[n for n in schema if n not in wide])
    except (pl.exceptions.PolarsError, OSError) as exc:
        with path.open("rb") as handle:
            handle.seek(max(path.stat().st_size - 4, 0))
            complete = handle.read() == _PARQUET_MAGIC
        if not complete:
            # A Parquet file ends with its footer and PAR1; a file cut short
            # has neither.
            return [], [Issue.of_file(file, "file.damaged", kind="Parquet")]
        return [], [Issue.of_file(file, "file.parquet", error=str(exc))]
    header_cells = list(schema)
    kind = classify_headers(header_cells) or "schools"
    nested: dict[str, str] = {}
    unsupported: set[str] = set()
    columns: list[pl.Series] = []
    for name, dtype in schema.items():
        series = None if name in wide else raw.get_column(name)
        if series is not None and not dtype.is_nested():
            try:
                columns.append(_parquet_column(series))
                continue
            except pl.exceptions.PolarsError:
                # A type without a text form, such as a duration.
                pass
        if dtype.is_nested():
            nested[name.strip()] = str(dtype)
        else:
            nested[name.strip()] = _parquet_type(path, name, dtype)
            unsupported.add(name.strip())
        columns.append(pl.Series(name, [None] * raw.height, dtype=pl.String))
    # Parquet has no visible rows, so number them as a CSV export would.
    table, issues = _build_table(file, None, kind, 1, header_cells, columns, 2)
    if table.frame.height == 0:
        issues.append(Issue.of_file(file, "file.parquet_without_rows"))
        return [], issues
    return [replace(table, nested=nested, unsupported=frozenset(unsupported))], issues
