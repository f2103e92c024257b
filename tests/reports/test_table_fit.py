"""FittedTable: column widths that never cut a value."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from rich.text import Text

from junheng.reports.table_fit import FitColumn, FittedTable


def _export(renderable: object, width: int) -> str:
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def _table() -> FittedTable:
    table = FittedTable(
        [
            FitColumn("行政区划代码"),
            FitColumn("县（区）名称", folds=True),
            FitColumn("学生数", justify="right"),
        ]
    )
    table.add_row("410102", "中原区", "1,234,567")
    return table


def test_fit_natural_widths() -> None:
    # 12, 12 and 9 cells of content plus 3 × 3 + 1 of padding and borders.
    assert _table().widths(80) == [12, 12, 9]


def test_fit_folds_headers_first() -> None:
    # 36 cells leave 26 for content, 7 fewer than wanted. The code header folds
    # from 12 to 6 cells (the code's own width), and then the name column gives
    # up the last cell.
    assert _table().widths(36) == [6, 11, 9]


def test_fit_none_when_values_overflow() -> None:
    # The code, the narrowest name column and the count need 6 + 8 + 9 = 23
    # cells, and 30 cells leave 20.
    assert _table().widths(30) is None
    assert _table().table(30) is None


def test_fit_keeps_latin_words() -> None:
    table = FittedTable(
        [FitColumn("Non-compliant schools", justify="right"), FitColumn("County")]
    )
    table.add_row("12", "中原区")
    # "Non-compliant" (13 cells) stays whole while the header folds at the
    # space, and the county name keeps its 6 cells: 13 + 6 + 2 × 3 + 1 = 26.
    assert table.widths(26) == [13, 6]
    # With one cell less, the header breaks inside the word.
    assert table.widths(25) == [12, 6]


def test_fit_records_fallback() -> None:
    output = _export(_table().render(30), 30)
    assert output.splitlines() == [
        "行政区划代码 410102",
        "县（区）名称 中原区",
        "学生数 1,234,567",
    ]


def test_fit_rejects_short_row() -> None:
    table = FittedTable([FitColumn("a"), FitColumn("b")])
    with pytest.raises(ValueError, match="a row needs 2 cells, one per column, got 1"):
        table.add_row(Text("1"))
