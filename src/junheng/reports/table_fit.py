"""rich tables whose numbers, codes and verdicts are never cut.

When a table is wider than the console, rich 15 shrinks the columns that may wrap
down to any width and then cuts every column evenly: numbers become ``17…`` and
some columns drop to zero width. :class:`FittedTable` sets every column width
itself instead. A value column keeps the width of its widest cell, and only its
header folds, between words or CJK characters where it can. A text column
(names, evidence) folds onto more lines. When even
that does not fit, :meth:`FittedTable.table` returns ``None``, so the caller can
try a smaller layout or print the rows as lines with :meth:`FittedTable.records`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rich import box
from rich.cells import cell_len
from rich.console import Group, JustifyMethod
from rich.table import Table
from rich.text import Text

HEADER_MIN_WIDTH = 4
"""Narrowest header of a value column: two CJK characters."""

TEXT_MIN_WIDTH = 8
"""Narrowest text column by default: four CJK characters."""

TABLE_BOX = box.HEAVY_HEAD


@dataclass(frozen=True)
class FitColumn:
    """A column of a :class:`FittedTable`.

    ``folds`` marks text that may fold onto several lines. Every other column is
    a value column that is never cut or wrapped.
    """

    header: str
    justify: JustifyMethod = "left"
    folds: bool = False
    min_width: int = TEXT_MIN_WIDTH


def _text_width(cell: Text) -> int:
    return max((cell_len(line) for line in cell.plain.splitlines()), default=0)


def _longest_word(label: str) -> int:
    """Return the width of the longest run of ``label`` that should not break.

    Text may break at spaces and between two wide (CJK) characters, so only
    runs of narrow characters such as ``Students`` count.
    """
    longest = run = 0
    for char in label:
        if char.isspace() or cell_len(char) > 1:
            run = 0
        else:
            run += 1
            longest = max(longest, run)
    return longest


def _shrink(
    widths: list[int], shrinkable: list[int], limits: list[int], excess: int
) -> int:
    """Narrow the ``shrinkable`` columns, widest slack first, down to ``limits``.

    Changes ``widths`` in place and returns the excess width that is left.
    """
    while excess > 0:
        slack = {i: widths[i] - limits[i] for i in shrinkable}
        widest = max(slack, key=lambda i: slack[i], default=None)
        if widest is None or slack[widest] <= 0:
            break
        widths[widest] -= 1
        excess -= 1
    return excess


@dataclass
class FittedTable:
    """Rows of a table that is laid out for one console width at render time."""

    columns: Sequence[FitColumn]
    title: Text | str | None = None
    rows: list[list[Text]] = field(default_factory=list)

    def add_row(self, *cells: Text | str) -> None:
        """Append a row. Plain strings are never read as rich markup."""
        if len(cells) != len(self.columns):
            raise ValueError(
                f"a row needs {len(self.columns)} cells, one per column, "
                f"got {len(cells)}"
            )
        self.rows.append([c if isinstance(c, Text) else Text(c) for c in cells])

    def widths(self, width: int) -> list[int] | None:
        """Return the content width of each column in a table ``width`` cells wide.

        Returns ``None`` when the value columns and the narrowest text columns do
        not fit.
        """
        # Each column has one cell of padding on either side and one border
        # after it, and the table has one more border on the left.
        budget = width - 3 * len(self.columns) - 1
        natural: list[int] = []
        word_floors: list[int] = []
        floors: list[int] = []
        for index, column in enumerate(self.columns):
            values = max((_text_width(r[index]) for r in self.rows), default=0)
            header = cell_len(column.header)
            natural.append(max(values, header, 1))
            if column.folds:
                narrowest = max(column.min_width, _longest_word(column.header))
                floors.append(min(natural[-1], narrowest))
                word_floors.append(floors[-1])
            else:
                floors.append(max(values, min(header, HEADER_MIN_WIDTH), 1))
                word_floors.append(max(floors[-1], _longest_word(column.header)))
        if sum(floors) > budget:
            return None
        widths = list(natural)
        excess = sum(widths) - budget
        value_columns = [i for i, c in enumerate(self.columns) if not c.folds]
        text_columns = [i for i, c in enumerate(self.columns) if c.folds]
        # Fold the headers of value columns first, since they take one row, and
        # then the text columns, whose folds repeat on every row. Headers break
        # inside a word only when nothing else is left.
        for shrinkable, limits in (
            (value_columns, word_floors),
            (text_columns, floors),
            (value_columns, floors),
        ):
            excess = _shrink(widths, shrinkable, limits, excess)
        return widths

    def table(self, width: int) -> Table | None:
        """Return the rows as a rich table at most ``width`` cells wide.

        Returns ``None`` when they do not fit (see :meth:`widths`).
        """
        widths = self.widths(width)
        if widths is None:
            return None
        table = Table(title=self.title, title_justify="left", box=TABLE_BOX)
        for column, column_width in zip(self.columns, widths, strict=True):
            # A header may fold in every column. rich passes the column's
            # no_wrap to its cells, and the header Text overrides it.
            header = Text(column.header, no_wrap=False, overflow="fold")
            if column.folds:
                table.add_column(
                    header, justify=column.justify, width=column_width, overflow="fold"
                )
            else:
                table.add_column(
                    header, justify=column.justify, width=column_width, no_wrap=True
                )
        for row in self.rows:
            table.add_row(*row)
        return table

    def records(self) -> Group:
        """Return each row as ``header value`` lines, which fit any width."""
        lines: list[Text | str] = []
        if self.title is not None:
            lines.append(self.title)
        for row in self.rows:
            if lines:
                lines.append("")
            for column, cell in zip(self.columns, row, strict=True):
                if cell.plain:
                    lines.append(Text.assemble((f"{column.header} ", "bold"), cell))
        return Group(*lines)

    def render(self, width: int) -> Table | Group:
        """Return the table at most ``width`` cells wide, or the rows as lines."""
        table = self.table(width)
        return table if table is not None else self.records()
