"""The result of a planner: headline figures, messages and named tables.

A result is plain data so that it can be saved as a scenario (JSON), written
as an Excel workbook, shown as a page and compared with another result of the
same kind.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import xlsxwriter

from junheng.planning.labels import summary_label

ColumnKind = Literal["text", "int", "float", "money", "bool"]

KINDS = ("adjust", "rotation", "pairing")
"""Planner kinds: least-cost adjustment, teacher rotation, school pairing."""


@dataclass(frozen=True)
class PlanColumn:
    """One column of a plan table."""

    key: str
    label_zh: str
    label_en: str
    kind: ColumnKind = "text"
    decimals: int = 0

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en


@dataclass
class PlanTable:
    """A named table of a plan, such as the list of moves or the before/after
    values of every indicator."""

    name: str
    title_zh: str
    title_en: str
    columns: list[PlanColumn]
    rows: list[dict[str, Any]] = field(default_factory=list)

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en


@dataclass
class PlanResult:
    """What one planner run produced.

    ``parameters`` are the inputs that determine the plan (unit costs, limits,
    rules), so that the same parameters on the same data give the same plan.
    ``summary`` contains headline figures such as the total cost, the solver and
    the optimality gap. ``messages_zh``/``messages_en`` explain the plan, and
    for an infeasible request name the constraint that cannot be met.
    ``synthetic`` is true when an input file was generated at random by
    ``junheng demo``, such as a saved demo roster; the messages then start
    with a notice that names the file.
    """

    kind: str
    division_code: str
    year: int
    framework_id: str
    feasible: bool
    parameters: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    messages_zh: list[str] = field(default_factory=list)
    messages_en: list[str] = field(default_factory=list)
    tables: list[PlanTable] = field(default_factory=list)
    synthetic: bool = False

    def messages(self, lang: str) -> list[str]:
        return self.messages_zh if lang == "zh" else self.messages_en

    def prepend_message(self, zh: str, en: str) -> None:
        """Put a message, such as a notice about the data, before the others."""
        self.messages_zh.insert(0, zh)
        self.messages_en.insert(0, en)

    def table(self, name: str) -> PlanTable:
        """Return the table called ``name``; KeyError when there is none."""
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready data."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlanResult:
        """Rebuild a result from :meth:`to_dict` output or a saved JSON plan."""
        tables = [
            PlanTable(
                name=t["name"],
                title_zh=t["title_zh"],
                title_en=t["title_en"],
                columns=[PlanColumn(**c) for c in t["columns"]],
                rows=list(t["rows"]),
            )
            for t in data.get("tables", [])
        ]
        # The generator key of a saved JSON file names the program, not a field.
        fields = {k: v for k, v in data.items() if k not in ("tables", "generator")}
        return cls(**fields, tables=tables)


SHEET_NAME_MAX = 31
"""Maximum length of an Excel sheet name, in characters."""


def _cut(text: str, limit: int) -> str:
    """Return ``text`` cut to ``limit`` characters, at a space if it has one."""
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    if " " in head:
        return head[: head.rindex(" ")].rstrip()
    return text[:limit]


def _sheet_name(title: str, used: set[str]) -> str:
    # Excel limits sheet names to 31 characters and forbids a few symbols. A
    # longer title, such as one in a saved scenario, loses whole words.
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()
    name = _cut(clean, SHEET_NAME_MAX) or "Sheet"
    base, n = name, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name = _cut(base, SHEET_NAME_MAX - len(suffix)) + suffix
        n += 1
    used.add(name.lower())
    return name


def write_xlsx(result: PlanResult, path: Path, lang: str = "zh") -> None:
    """Write ``result`` as a workbook: an overview sheet, then one sheet per
    table with its column labels in ``lang``."""
    zh = lang == "zh"
    with xlsxwriter.Workbook(str(path)) as book:
        bold = book.add_format({"bold": True})
        formats = {
            0: book.add_format({"num_format": "0"}),
            1: book.add_format({"num_format": "0.0"}),
            2: book.add_format({"num_format": "0.00"}),
            3: book.add_format({"num_format": "0.000"}),
            4: book.add_format({"num_format": "0.0000"}),
        }
        money = book.add_format({"num_format": "#,##0.00"})
        used: set[str] = set()
        sheet = book.add_worksheet(_sheet_name("概览" if zh else "Overview", used))
        yes, no = ("是", "否") if zh else ("yes", "no")
        head = [
            ("类型" if zh else "Kind", result.kind),
            ("区划代码" if zh else "Division code", result.division_code),
            ("学年" if zh else "Year", result.year),
            ("评估办法" if zh else "Framework", result.framework_id),
            ("可行" if zh else "Feasible", yes if result.feasible else no),
        ]
        summary = [
            (summary_label(key, lang), value) for key, value in result.summary.items()
        ]
        row = 0
        for label, value in [*head, *summary]:
            sheet.write(row, 0, label, bold)
            if isinstance(value, bool):
                value = yes if value else no
            elif isinstance(value, list | dict):
                value = str(value)
            sheet.write(row, 1, value)
            row += 1
        row += 1
        for message in result.messages(lang):
            sheet.write(row, 0, message)
            row += 1
        sheet.set_column(0, 0, 24)
        sheet.set_column(1, 1, 40)
        for table in result.tables:
            ws = book.add_worksheet(_sheet_name(table.title(lang), used))
            for c, column in enumerate(table.columns):
                ws.write(0, c, column.label(lang), bold)
                ws.set_column(c, c, max(10, min(40, 2 * len(column.label(lang)))))
            for r, data in enumerate(table.rows, start=1):
                for c, column in enumerate(table.columns):
                    value = data.get(column.key)
                    if value is None:
                        continue
                    if column.kind == "money":
                        ws.write_number(r, c, float(value), money)
                    elif column.kind in ("int", "float"):
                        ws.write_number(
                            r, c, float(value), formats[min(column.decimals, 4)]
                        )
                    elif column.kind == "bool":
                        ws.write(
                            r,
                            c,
                            ("是" if zh else "yes")
                            if value
                            else ("否" if zh else "no"),
                        )
                    else:
                        ws.write_string(r, c, str(value))
            if table.columns:
                ws.autofilter(0, 0, max(len(table.rows), 1), len(table.columns) - 1)
                ws.freeze_panes(1, 0)
