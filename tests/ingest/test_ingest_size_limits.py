"""Files over the size limits are rejected before a reader parses them.

A sheet with a cell at XFD1048576 makes calamine allocate its grid of
1,048,576 × 16,384 cells and stops the process, so these tests fail by
crashing if the check is missing.
"""

from __future__ import annotations

import random
import re
import struct
import zipfile
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import xlwt
from ingest.ingest_files import (
    HEADERS,
    import_errors,
    school,
    school_cells,
    with_sheet_xml,
    write_csv,
    write_xlsx,
)

from junheng.ingest import load_inputs, readers, size_limits
from junheng.ingest.size_limits import SizeLimits, check_workbook

SHEET_XML = "xl/worksheets/sheet1.xml"


def _workbook(path: Path, rows: int = 2) -> Path:
    return write_xlsx(
        path, {"学校数据": school_cells([school(n) for n in range(rows)])}
    )


def _declare_size(path: Path, member: str, size: int) -> None:
    """Overwrite the uncompressed size that both zip headers declare for ``member``."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    at = data.find(name)
    while at >= 0:
        if data[at - 30 : at - 26] == b"PK\x03\x04":
            struct.pack_into("<I", data, at - 30 + 22, size)
        elif data[at - 46 : at - 42] == b"PK\x01\x02":
            struct.pack_into("<I", data, at - 46 + 24, size)
        at = data.find(name, at + 1)
    path.write_bytes(bytes(data))


def test_far_cell_rejected(tmp_path: Path) -> None:
    far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    path = with_sheet_xml(_workbook(tmp_path / "far.xlsx"), far)
    (issue,) = import_errors([path])
    assert issue.code == "file.too_many_cells"
    assert issue.file == "changed-far.xlsx"
    # 1,048,576 rows times 16,384 columns (A to XFD).
    assert issue.message == (
        "the file spans 17,179,869,184 cells (rows × columns), over the limit "
        "of 20,000,000, so it was not read"
    )
    assert issue.in_language("zh").message == (
        "文件的数据区域有 17,179,869,184 个单元格（行数 × 列数），超过上限 "
        "20,000,000 个，未读取"
    )


def test_rows_without_references_counted(tmp_path: Path) -> None:
    # Rows and cells without an r attribute follow the last referenced ones:
    # 1,000 such rows after row 3, each of 4 cells after the widest column.
    row = b"<row><c><v>1</v></c><c><v>2</v></c><c><v>3</v></c><c><v>4</v></c></row>"
    path = with_sheet_xml(_workbook(tmp_path / "rows.xlsx"), row * 1000)
    limits = SizeLimits(max_cells=10_000)
    (issue,) = import_errors([path], limits=limits)
    assert issue.code == "file.too_many_cells"
    assert issue.fields["cells"] == f"{(3 + 1000) * (len(HEADERS) + 4):,}"


def test_workbook_within_limits_reads(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "schools.xlsx", rows=3)
    # Three data rows and the header, in len(HEADERS) columns.
    cells = 4 * len(HEADERS)
    result = load_inputs([path], limits=SizeLimits(max_cells=cells))
    assert result.schools.height == 3
    (issue,) = import_errors([path], limits=SizeLimits(max_cells=cells - 1))
    assert issue.fields["cells"] == f"{cells:,}"


def test_unzipped_size_rejected(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "schools.xlsx")
    with zipfile.ZipFile(path) as archive:
        total = sum(member.file_size for member in archive.infolist())
    limits = SizeLimits(max_unzipped_bytes=total - 1)
    (issue,) = import_errors([path], limits=limits)
    assert issue.code == "file.unzipped_too_large"
    assert issue.fix.startswith("delete the sheets and rows that are not needed")


def test_member_larger_than_declared(tmp_path: Path) -> None:
    # fastexcel reads a member past its declared size, so the declared size
    # cannot be trusted: the check inflates the data itself.
    rows = b"".join(
        b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(4, 2000)
    )
    path = with_sheet_xml(_workbook(tmp_path / "lying.xlsx"), rows)
    _declare_size(path, SHEET_XML, 1000)
    issue = check_workbook(path.name, path, SizeLimits())
    assert issue is not None
    assert issue.code == "file.damaged"
    assert issue.message == "the file is damaged or not a complete Excel workbook"


def test_prefixed_tags_counted(tmp_path: Path) -> None:
    # Two rows with a namespace prefix and without references: the first has
    # 3 cells, the second 1. Closing tags such as </x:row> do not count.
    xml = (
        b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/'
        b'2006/main"><x:sheetData><x:row><x:c><x:v>1</x:v></x:c><x:c/>'
        b"<x:c><x:v>2</x:v></x:c></x:row><x:row><x:c/></x:row>"
        b"</x:sheetData></x:worksheet>"
    )
    path = tmp_path / "prefixed.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(SHEET_XML, xml)
    issue = check_workbook(path.name, path, SizeLimits(max_cells=5))
    assert issue is not None
    assert issue.fields["cells"] == "6"
    assert check_workbook(path.name, path, SizeLimits(max_cells=6)) is None


def test_csv_cells_rejected(tmp_path: Path) -> None:
    cells = school_cells([school(n) for n in range(10)])
    path = write_csv(tmp_path / "schools.csv", cells)
    # The header and 10 rows, 11 lines, each counted as wide as the header.
    bound = 11 * len(HEADERS)
    (issue,) = import_errors([path], limits=SizeLimits(max_cells=bound - 1))
    assert issue.code == "file.too_many_cells.table"
    assert issue.fields["cells"] == f"{bound:,}"
    assert issue.fix == (
        "delete empty lines and the columns that are not needed, or split the "
        "data into several files"
    )
    result = load_inputs([path], limits=SizeLimits(max_cells=bound))
    assert result.schools.height == 10


def test_parquet_cells_rejected(tmp_path: Path) -> None:
    path = tmp_path / "schools.parquet"
    pl.DataFrame({"a": list(range(100)), "b": list(range(100))}).write_parquet(path)
    limits = SizeLimits(max_parquet_cells=199)
    (issue,) = import_errors([path], limits=limits)
    assert issue.code == "file.too_many_cells.table"
    assert issue.fields["cells"] == "200"


def test_parquet_rows_beyond_polars(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Polars reads at most 2**32 - 1 rows of a file, so a footer that declares
    # more gets Junheng's message. Here the bound is lowered to 99 rows.
    path = tmp_path / "schools.parquet"
    pl.DataFrame({"a": list(range(100))}).write_parquet(path)
    monkeypatch.setattr(readers, "PARQUET_MAX_ROWS", 99)
    (issue,) = import_errors([path])
    assert issue.code == "file.parquet_rows"
    assert issue.message == (
        "the Parquet file declares 100 rows, over the 99 rows that can be read, "
        "so it was not read"
    )
    assert "polars" not in issue.fix


def test_xls_grid_rejected(tmp_path: Path) -> None:
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("学校数据")
    for column, header in enumerate(HEADERS):
        sheet.write(0, column, header)
    # The last cell of a BIFF8 sheet: the grid is 65,536 rows × 256 columns.
    sheet.write(65535, 255, 1)
    path = tmp_path / "far.xls"
    workbook.save(str(path))
    (issue,) = import_errors([path], limits=SizeLimits(max_cells=1_000_000))
    assert issue.code == "file.too_many_cells"
    assert issue.fields["cells"] == f"{65536 * 256:,}"


def test_encrypted_member_rejected(tmp_path: Path) -> None:
    # Bit 0 of the flags marks a member as encrypted, which zipfile cannot
    # inflate without a password, so its size is unknown.
    path = _workbook(tmp_path / "locked.xlsx")
    data = bytearray(path.read_bytes())
    name = SHEET_XML.encode()
    at = data.find(name)
    while at >= 0:
        if data[at - 30 : at - 26] == b"PK\x03\x04":
            data[at - 30 + 6] |= 1
        elif data[at - 46 : at - 42] == b"PK\x01\x02":
            data[at - 46 + 8] |= 1
        at = data.find(name, at + 1)
    path.write_bytes(bytes(data))
    issue = check_workbook(path.name, path, SizeLimits())
    assert issue is not None
    assert issue.code == "file.damaged"


def _plain_largest(xml: bytes) -> tuple[int, int]:
    """Read the largest row and column of the ``r`` attributes one by one."""
    largest_row = largest_column = 0
    for match in re.finditer(rb"""[ \t\r\n]r=["']([A-Za-z]*)([0-9]*)""", xml):
        letters, digits = match.group(1), match.group(2)
        if len(letters) > 3 or len(digits) > 7:
            return size_limits._BEYOND, size_limits._BEYOND
        column = 0
        for letter in letters.upper():
            column = column * 26 + letter - ord("A") + 1
        largest_row = max(largest_row, int(digits or 0))
        largest_column = max(largest_column, column)
    return largest_row, largest_column


def test_largest_reference_agrees_with_plain_reading() -> None:
    # Random references: lower-case letters, leading zeros, row references,
    # too many letters or digits, either quote, prefixed tags.
    chooser = random.Random(20241205)
    for _ in range(2000):
        tags = []
        for _ in range(chooser.randint(1, 12)):
            letters = "".join(
                chooser.choice("ABCXYZabz")
                for _ in range(chooser.choice([0, 0, 1, 1, 2, 3, 4]))
            )
            digits = "".join(
                chooser.choice("0123456789")
                for _ in range(chooser.choice([0, 1, 2, 3, 5, 6, 7, 8]))
            )
            quote = chooser.choice("\"'")
            name = chooser.choice(["c", "row", "x:c"])
            tags.append(f"<{name} r={quote}{letters}{digits}{quote}>")
        xml = "".join(tags).encode()
        data = np.frombuffer(xml + b"\0" * size_limits._WINDOW, dtype=np.uint8)
        starts = size_limits._reference_starts(data, len(xml))
        found = size_limits._largest_reference(data, starts)
        assert found == _plain_largest(xml), xml


def test_leading_zeros_and_attribute_order(tmp_path: Path) -> None:
    # "A0000012" has more digits than "B999" but names row 12; r after s.
    xml = (
        b'<worksheet><sheetData><row r="3"><c r="A0000012"/>'
        b'<c s="1" r="B999"/></row></sheetData></worksheet>'
    )
    path = tmp_path / "zeros.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(SHEET_XML, xml)
    issue = check_workbook(path.name, path, SizeLimits(max_cells=999 * 2 - 1))
    assert issue is not None
    assert issue.fields["cells"] == f"{999 * 2:,}"


def test_chunks_give_the_bound_of_one_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rows of cells without references, cut into chunks of a few hundred
    # bytes: a row open at a chunk's end continues in the next chunk.
    rows = b"".join(
        b"<row>" + b"<c><v>1</v></c>" * width + b"</row>"
        for width in (3, 40, 7, 55, 2, 1, 30)
    )
    xml = b'<worksheet><sheetData><row r="2"><c r="C2"/></row>' + rows
    xml += b"</sheetData></worksheet>"
    path = tmp_path / "chunks.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(SHEET_XML, xml)
    # Row 2 and 7 rows after it; column C and the widest row's 55 cells.
    bound = (2 + 7) * (3 + 55)
    assert check_workbook(path.name, path, SizeLimits(max_cells=bound)) is None
    monkeypatch.setattr(size_limits, "_CHUNK", 256)
    size_limits._measure.cache_clear()
    issue = check_workbook(path.name, path, SizeLimits(max_cells=bound - 1))
    assert issue is not None
    assert issue.fields["cells"] == f"{bound:,}"
    assert check_workbook(path.name, path, SizeLimits(max_cells=bound)) is None


@pytest.mark.parametrize(
    "attribute",
    [b'r = "XFD1048576"', b'r ="XFD1048576"', b'r=\n"XFD1048576"', b"r=\t'XFD1048576'"],
)
def test_far_cell_with_spaced_equals(tmp_path: Path, attribute: bytes) -> None:
    # XML allows white space around "=", and python-calamine reads such a
    # reference; without the check it would build the whole grid.
    far = (
        b'<row r="1048576"><c '
        + attribute
        + b' t="inlineStr"><is><t>x</t></is></c></row>'
    )
    path = with_sheet_xml(_workbook(tmp_path / "spaced.xlsx"), far)
    (issue,) = import_errors([path])
    assert issue.code == "file.too_many_cells"
    # 1,048,576 rows times 16,384 columns (A to XFD).
    assert issue.fields["cells"] == "17,179,869,184"


def test_reference_after_quote_counted(tmp_path: Path) -> None:
    # No space between two attributes is not well-formed XML, but a lenient
    # parser may read it, so the reference counts.
    far = b'<row r="9"><c s="0"r="XFD9"><v>1</v></c></row>'
    path = with_sheet_xml(_workbook(tmp_path / "joined.xlsx"), far)
    issue = check_workbook(path.name, path, SizeLimits(max_cells=9 * 16384 - 1))
    assert issue is not None
    assert issue.fields["cells"] == f"{9 * 16384:,}"


def test_long_tag_reported_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With chunks of 256 bytes, 1,000 bytes without a ">" cannot be carried
    # whole into one chunk, so the workbook is reported as damaged rather
    # than a tag being cut between two chunks.
    far = b'<row r="5"><c' + b" " * 1000 + b'r="B5"><v>1</v></c></row>'
    path = with_sheet_xml(_workbook(tmp_path / "long.xlsx"), far)
    monkeypatch.setattr(size_limits, "_CHUNK", 256)
    size_limits._measure.cache_clear()
    issue = check_workbook(path.name, path, SizeLimits())
    assert issue is not None
    assert issue.code == "file.damaged"


def test_check_kept_for_unchanged_file(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "schools.xlsx")
    size_limits._measure.cache_clear()
    assert size_limits.fits(path)
    assert size_limits.fits(path)
    assert size_limits._measure.cache_info().hits == 1
    # A changed file is checked again.
    far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    with_sheet_xml(path, far).replace(path)
    assert not size_limits.fits(path)


def test_unparsable_sheet_reported_damaged(tmp_path: Path) -> None:
    # python-calamine reads no character reference in a row number.
    bad = b'<row r="&#49;048576"><c t="inlineStr"><is><t>x</t></is></c></row>'
    path = with_sheet_xml(_workbook(tmp_path / "entity.xlsx"), bad)
    (issue,) = import_errors([path])
    assert issue.code == "file.damaged"
    assert issue.sheet == "学校数据"
    assert issue.message == "the file is damaged or not a complete Excel workbook"
