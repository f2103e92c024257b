"""Find the cells of an .xlsx workbook whose value python-calamine cannot return.

python-calamine 0.9.1 reads a cell containing an Excel error value (``#DIV/0!``,
``#N/A``, ``#VALUE!`` ...) and a formula saved without its result as an empty
string, the same as an empty cell. Excel saves each formula with its result, but
scripts such as openpyxl write formulas without one. This module reads the
sheet's XML directly to find both kinds of cell, so the import can report them.

Only formula cells and error cells are parsed. A sheet without either costs two
byte searches over its XML. :func:`scan_sheets` also returns the merged ranges and
the first and last rows with a value, which the fastexcel reader needs because it
returns neither, and the rows and columns hidden in Excel, which neither reader
returns.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from xml.etree import ElementTree

_RELATIONSHIP_ID = (
    "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
)
_STRICT_RELATIONSHIP_ID = "{http://purl.oclc.org/ooxml/officeDocument/relationships}id"

CellProblemKind = Literal["error", "formula"]


@dataclass(frozen=True)
class CellProblem:
    """A cell whose value calamine reads as empty although the cell is not.

    ``row`` and ``column`` are 0-based, as in calamine's rows. ``text`` is the
    error value (``#DIV/0!``) for ``kind == "error"`` and the formula with its
    leading ``=`` for ``kind == "formula"``, which is a formula without a saved
    result.
    """

    row: int
    column: int
    kind: CellProblemKind
    text: str


CellRange = tuple[tuple[int, int], tuple[int, int]]
"""A merged range as 0-based (row, column) of its first and last cell."""


@dataclass(frozen=True)
class SheetScan:
    """Facts of one sheet's XML that the readers do not return.

    ``first_row`` and ``last_row`` are the 0-based rows of the first and the last
    cell with a saved value (None for a sheet without one). calamine's range of
    cells, and so fastexcel's row 0, starts at ``first_row``. ``hidden_rows`` and
    ``hidden_columns`` are the 0-based rows and columns hidden in Excel, in order.
    """

    problems: list[CellProblem]
    merged: list[CellRange]
    first_row: int | None
    last_row: int | None
    hidden_rows: tuple[int, ...] = ()
    hidden_columns: tuple[int, ...] = ()


def find_cell_problems(
    path: Path, sheet_names: Collection[str]
) -> dict[str, list[CellProblem]]:
    """Return the error cells and formulas without a result of the named sheets.

    Sheets that are not found, and files that are not readable as an .xlsx zip
    archive, give no problems, because calamine has already read those files.
    """
    scans = scan_sheets(path, sheet_names)
    return {name: scan.problems for name, scan in scans.items() if scan.problems}


def scan_sheets(path: Path, sheet_names: Collection[str]) -> dict[str, SheetScan]:
    """Scan the XML of the named sheets, keyed by sheet name.

    Sheets that are not found are left out, and a file that is not readable as an
    .xlsx zip archive gives an empty result.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            paths = _sheet_paths(archive)
            scans: dict[str, SheetScan] = {}
            for name in sheet_names:
                member = paths.get(name)
                if member is None or member not in archive.namelist():
                    continue
                xml = archive.read(member)
                first_row, last_row = value_rows(xml)
                hidden_rows, hidden_columns = hidden_lines(xml)
                scans[name] = SheetScan(
                    scan_sheet_xml(xml),
                    merged_ranges(xml),
                    first_row,
                    last_row,
                    hidden_rows,
                    hidden_columns,
                )
            return scans
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError):
        # NOTE: a workbook whose parts cannot be read here is still imported as
        # calamine reads it, with error cells and formulas without results empty.
        return {}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Map each sheet name to its XML member, through the workbook relationships."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    relationships = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets: dict[str, str] = {}
    for relationship in relationships:
        target = relationship.get("Target", "")
        if target.startswith("/"):
            member = target.lstrip("/")
        else:
            member = posixpath.normpath(posixpath.join("xl", target))
        targets[relationship.get("Id", "")] = member
    paths: dict[str, str] = {}
    for element in workbook.iter():
        if _local(element.tag) != "sheet":
            continue
        rid = element.get(_RELATIONSHIP_ID) or element.get(_STRICT_RELATIONSHIP_ID)
        name = element.get("name")
        if rid in targets and name is not None:
            paths[name] = targets[rid]
    return paths


def _prefix(xml: bytes) -> bytes:
    """Return the namespace prefix of the sheet's elements, such as ``x:``."""
    prefix_match = re.search(rb"<(\w+:)?worksheet\b", xml[:4096])
    return (prefix_match.group(1) or b"") if prefix_match else b""


def merged_ranges(xml: bytes) -> list[CellRange]:
    """Return the merged ranges of a sheet's XML, in document order."""
    element = re.compile(
        b"<" + re.escape(_prefix(xml)) + rb"""mergeCell\s[^>]*?ref=["']([^"']+)"""
    )
    # <mergeCells> follows <sheetData> in the schema's element order, so the
    # search starts after the cells.
    after_cells = max(xml.rfind(b"sheetData>"), 0)
    ranges: list[CellRange] = []
    for match in element.finditer(xml, after_cells):
        first, _, last = match.group(1).decode("ascii", "replace").partition(":")
        start = _parse_reference(first)
        end = _parse_reference(last or first)
        if start is not None and end is not None:
            ranges.append((start, end))
    return ranges


def hidden_lines(xml: bytes) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Return the 0-based rows and columns that a sheet's XML marks hidden.

    A hidden row is a ``<row>`` element with ``hidden="1"`` and a hidden column
    a ``<col>`` element with ``hidden="1"``, which covers the columns from its
    ``min`` to its ``max`` attribute (1-based). A sheet without the attribute
    costs one byte search.
    """
    if b"hidden=" not in xml:
        return (), ()
    prefix = re.escape(_prefix(xml))
    hidden = re.compile(rb"""\bhidden=["'](?:1|true)["']""")
    number = re.compile(rb"""\b(r|min|max)=["'](\d+)["']""")
    rows: list[int] = []
    columns: set[int] = set()
    for match in re.finditer(b"<" + prefix + rb"(row|col)\s([^>]*)>", xml):
        attributes = match.group(2)
        if not hidden.search(attributes):
            continue
        values = {k.decode(): int(v) for k, v in number.findall(attributes)}
        if match.group(1) == b"row" and "r" in values:
            rows.append(values["r"] - 1)
        elif match.group(1) == b"col" and "min" in values:
            first = values["min"]
            columns.update(range(first - 1, values.get("max", first)))
    return tuple(sorted(rows)), tuple(sorted(columns))


def value_rows(xml: bytes) -> tuple[int | None, int | None]:
    """Return the 0-based rows of the first and the last cell with a saved value.

    A cell counts when it has a ``<v>`` element with text or an inline string,
    the cells that calamine puts in its range. Cells with only a style do not.
    Returns None for a row that cannot be located, such as a cell without an r
    attribute.
    """
    prefix = re.escape(_prefix(xml))
    # A self-closing <c .../> has no value, so the pattern requires a separate
    # closing tag and stops at the first one.
    cell = re.compile(
        b"<" + prefix + rb"c\s([^>]*?)(?<!/)>(.*?)</" + prefix + rb"c>", re.DOTALL
    )
    value = re.compile(b"<" + prefix + rb"(?:v>[^<]|is>)")
    reference = re.compile(rb"""\br=["']\$?[A-Za-z]{1,3}\$?(\d+)["']""")

    def row_of(match: re.Match[bytes]) -> int | None:
        found = reference.search(match.group(1))
        return None if found is None else int(found.group(1)) - 1

    first_row: int | None = None
    for match in cell.finditer(xml):
        if value.search(match.group(2)):
            first_row = row_of(match)
            break
    if first_row is None:
        return None, None
    # The last row is searched from the end, one <row> element at a time,
    # because rows of styled empty cells often follow the data.
    row_start = b"<" + _prefix(xml) + b"row"
    end = len(xml)
    while end > 0:
        start = xml.rfind(row_start, 0, end)
        if start < 0:
            break
        cells = [m for m in cell.finditer(xml, start, end) if value.search(m.group(2))]
        if cells:
            return first_row, row_of(cells[-1])
        end = start
    return first_row, None


def scan_sheet_xml(xml: bytes) -> list[CellProblem]:
    """Return the error cells and the formulas without a result in a sheet's XML."""
    prefix = _prefix(xml)
    formula = re.compile(b"<" + re.escape(prefix) + rb"f[\s>/]")
    has_error = b't="e"' in xml or b"t='e'" in xml
    if not has_error and formula.search(xml) is None:
        return []

    cell_start = b"<" + prefix + b"c"
    cell_end = b"</" + prefix + b"c>"
    error_type = re.compile(rb"""\st=["']e["']""")
    starts: set[int] = set()
    for match in formula.finditer(xml):
        starts.add(_cell_start(xml, cell_start, match.start()))
    if has_error:
        for match in error_type.finditer(xml):
            starts.add(_cell_start(xml, cell_start, match.start()))

    # A formula with a saved result needs no parsing, and most formulas have one.
    saved_value = re.compile(b"<" + re.escape(prefix) + rb"v>[^<]")
    problems: list[CellProblem] = []
    for start in sorted(starts):
        if start < 0:
            continue
        end = xml.find(cell_end, start)
        if end < 0:
            continue
        cell_xml = xml[start : end + len(cell_end)]
        if saved_value.search(cell_xml) and not error_type.search(cell_xml):
            continue
        try:
            problem = _cell_problem(cell_xml)
        except ElementTree.ParseError:
            continue
        if problem is not None:
            problems.append(problem)
    return problems


def _cell_start(xml: bytes, cell_start: bytes, position: int) -> int:
    """Return the offset of the ``<c`` tag that contains ``position``."""
    start = position
    while True:
        start = xml.rfind(cell_start, 0, start)
        if start < 0:
            return -1
        # Skip other tags that begin with <c, such as <col> and <cols>.
        if xml[start + len(cell_start) : start + len(cell_start) + 1] in (b" ", b">"):
            return start


def _cell_problem(cell_xml: bytes) -> CellProblem | None:
    """Return the problem of one ``<c>`` element, or None if its value is usable."""
    cell = ElementTree.fromstring(_with_namespaces(cell_xml))[0]
    reference = cell.get("r")
    if reference is None:
        # NOTE: cells without an r attribute (allowed by the standard, written by
        # few tools) are not located, so their problems go unreported.
        return None
    position = _parse_reference(reference)
    if position is None:
        return None
    children = {_local(child.tag): child for child in cell}
    value = children.get("v")
    value_text = "" if value is None or value.text is None else value.text
    cell_type = cell.get("t", "n")
    if cell_type == "e":
        return CellProblem(*position, "error", value_text or "#ERROR")
    formula = children.get("f")
    if formula is None:
        return None
    # A formula whose result is empty text (t="str") has an empty value on
    # purpose. Any other formula without a value was saved without its result.
    if value is None or (not value_text and cell_type != "str"):
        return CellProblem(*position, "formula", "=" + (formula.text or ""))
    return None


def _with_namespaces(cell_xml: bytes) -> bytes:
    """Wrap a cell's XML so that any namespace prefix in it is declared."""
    prefixes = set(re.findall(rb"(?:</?|\s)(\w+):[\w-]", cell_xml)) - {b"xml", b"xmlns"}
    declarations = b"".join(
        b" xmlns:" + prefix + b'="urn:junheng:' + prefix + b'"'
        for prefix in sorted(prefixes)
    )
    return b"<cells" + declarations + b">" + cell_xml + b"</cells>"


def _parse_reference(reference: str) -> tuple[int, int] | None:
    """Return the 0-based row and column of an A1 reference such as ``J3``."""
    match = re.fullmatch(r"\$?([A-Za-z]{1,3})\$?(\d+)", reference)
    if match is None:
        return None
    column = 0
    for letter in match.group(1).upper():
        column = column * 26 + ord(letter) - ord("A") + 1
    return int(match.group(2)) - 1, column - 1
