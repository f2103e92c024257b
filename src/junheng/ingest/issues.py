"""Problems found while importing input files, and the error reports listing them.

An :class:`Issue` locates one problem the way the user sees the file. It names
the file, the sheet (``None`` for CSV and Parquet), the 1-based row number
(the header row is row 1) and the column header as written in the file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from junheng.ingest.messages import Language, render, rule_of

Severity = Literal["error", "warning"]

PRINT_LIMIT = 50
"""Issues shown by :func:`format_issues` before it summarises the rest."""

RULES: frozenset[str] = frozenset(
    {
        "file",
        "hidden_sheet",
        "hidden_cells",
        "cell_error",
        "formula_no_value",
        "header",
        "merged_cells",
        "profile_column",
        "required",
        "full_width",
        "number",
        "whole_number",
        "negative",
        "too_large",
        "out_of_range",
        "year_range",
        "choice",
        "text_too_long",
        "text_invisible",
        "region_name",
        "division_code_format",
        "division_code_unknown",
        "school_code_format",
        "school_code_province",
        "above_total",
        "teachers_without_students",
        "section_not_in_type",
        "senior_students_type",
        "no_students",
        "combined_one_section",
        "duplicate_school",
        "duplicate_teacher",
        "duplicate_location",
        "item_value",
        "item_value_high",
        "unknown_item",
        "duplicate_item",
        "schedule",
    }
)
"""Ids of the import checks, as found in :attr:`Issue.rule`."""

PLATFORM_RULES: frozenset[str] = frozenset(
    {
        "year_window",
        "no_classes",
        "class_count",
        "class_size",
        "implausible",
        "store_mismatch",
        "store_division",
        "store_scope",
        "store_locked",
    }
)
"""Ids of the checks that the platform store adds to the import's (see
:mod:`junheng.services.validation`). An import profile cannot turn them into
warnings."""

CROSS_COLUMN_RULES: frozenset[str] = frozenset(
    {
        "above_total",
        "teachers_without_students",
        "section_not_in_type",
        "senior_students_type",
        "no_students",
        "combined_one_section",
    }
)
"""Rules that compare several columns of a row. A header error leaves a column
unmapped, so these checks are not reported next to one."""

CELL_RULES: frozenset[str] = frozenset({"cell_error", "formula_no_value"})
"""Rules of Excel cells whose value cannot be read (an error value, or a formula
saved without its result)."""

REPORT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("severity", "级别", "severity"),
    ("file", "文件", "file"),
    ("sheet", "工作表", "sheet"),
    ("row", "行", "row"),
    ("column", "列", "column"),
    ("value", "值", "value"),
    ("message", "问题", "message"),
    ("fix", "修改方法", "fix"),
    ("rule", "规则", "rule"),
    ("code", "问题代码", "code"),
)
"""Columns of the error report: issue attribute, Chinese and English title."""

REPORT_SHEETS: dict[Language, str] = {"zh": "错误报告", "en": "error report"}
LOCATION_WORDS: dict[Language, tuple[str, str, str, str]] = {
    "zh": ("工作表 {}", "第 {} 行", "列 {}", "，"),
    "en": ("sheet {}", "row {}", "column {}", ", "),
}
"""Templates of the sheet, row and column of a location, and their separator."""

SEVERITY_LABELS: dict[Language, dict[str, str]] = {
    "zh": {"error": "错误", "warning": "警告"},
    "en": {"error": "error", "warning": "warning"},
}


@dataclass(frozen=True)
class Issue:
    """One problem in an input file.

    ``row`` is ``None`` for a problem with the whole file or sheet, ``column`` is
    ``None`` for a problem with a whole row or file, and ``value`` is the cell text
    (``None`` for an empty cell). ``message`` states what failed and ``fix`` what
    to change, in English. ``rule`` is the id of the check that found the problem,
    which an import profile can use to downgrade that check to a warning.

    ``code`` names the wording in :data:`junheng.ingest.messages.MESSAGES` and
    ``fields`` fills it, so :meth:`in_language` can render the message and the fix
    in Chinese or English. An issue built without a code keeps its own text in
    every language.
    """

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    message: str
    fix: str
    severity: Severity = "error"
    rule: str = ""
    code: str = ""
    fields: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def coded(
        cls,
        file: str,
        sheet: str | None,
        row: int | None,
        column: str | None,
        value: str | None,
        code: str,
        /,
        severity: Severity = "error",
        **fields: Any,
    ) -> Issue:
        """Build an issue worded by ``code``, with the rule id the code names.

        The location arguments are positional, so ``fields`` may use their names
        (``value``, ``column``).
        """
        message, fix = render(code, "en", fields)
        return cls(
            file,
            sheet,
            row,
            column,
            value,
            message,
            fix,
            severity,
            rule_of(code),
            code,
            fields,
        )

    @classmethod
    def of_file(
        cls, file: str, code: str, sheet: str | None = None, /, **fields: Any
    ) -> Issue:
        """Build an error about the whole ``file``, or one ``sheet`` of it,
        worded by ``code``."""
        return cls.coded(file, sheet, None, None, None, code, **fields)

    def in_language(self, lang: Language) -> Issue:
        """Return this issue with its message and fix in ``lang``."""
        if not self.code:
            return self
        message, fix = render(self.code, lang, self.fields)
        return replace(self, message=message, fix=fix)

    @property
    def location(self) -> str:
        """Return where the problem is, e.g. ``a.xlsx, sheet 学校数据, row 7``."""
        return self.location_in("en")

    def location_in(self, lang: Language) -> str:
        """Return where the problem is, in ``lang``."""
        sheet, row, column, separator = LOCATION_WORDS[lang]
        parts = [self.file]
        if self.sheet is not None:
            parts.append(sheet.format(self.sheet))
        if self.row is not None:
            parts.append(row.format(self.row))
        if self.column is not None:
            parts.append(column.format(self.column))
        return separator.join(parts)

    def as_dict(self, lang: Language = "en") -> dict[str, Any]:
        """Return the issue as a JSON-ready mapping, worded in ``lang``.

        ``fields`` are left out: they only fill the wording.
        """
        record = asdict(self.in_language(lang))
        del record["fields"]
        return record

    def __str__(self) -> str:
        """Return ``location: message; fix``, without the severity.

        Callers print warnings under their own heading, and :func:`format_issues`
        marks them.
        """
        return f"{self.location}: {self.message}; {self.fix}"


def in_language(issues: Sequence[Issue], lang: Language) -> list[Issue]:
    """Return ``issues`` with their messages and fixes in ``lang``."""
    return [issue.in_language(lang) for issue in issues]


def errors_in(issues: Sequence[Issue]) -> list[Issue]:
    """Return the issues of severity ``error``."""
    return [issue for issue in issues if issue.severity == "error"]


GROUPED_CODES: frozenset[str] = frozenset({"profile_column.map_value", "number.source"})
"""Codes of the import-profile issues that :func:`format_issues` prints once per
column and wording, with the rows, because one source value often repeats on
many rows."""


def format_issues(
    issues: Sequence[Issue],
    limit: int = PRINT_LIMIT,
    report: Path | None = None,
    lang: Language = "en",
) -> str:
    """Render issues as text in ``lang``, one line each, at most ``limit`` lines.

    Issues of :data:`GROUPED_CODES` worded the same in the same column share
    one line that lists their rows and counts them. Warnings start with
    ``warning:`` (``警告：``). The line after the last one shown counts the
    issues left out, so a long list still fits on a screen. It names ``report``
    if given, the error report that the caller writes, which lists every issue.
    """
    groups = _group_repeats(issues, lang)
    shown = groups[:limit]
    lines = [
        _issue_line(group[0], lang) if len(group) == 1 else _group_line(group, lang)
        for group in shown
    ]
    hidden = len(issues) - sum(len(group) for group in shown)
    if hidden > 0:
        if lang == "zh":
            where = f"，全部 {len(issues)} 条见 {report}" if report else ""
            lines.append(f"……另有 {hidden} 条，共 {len(issues)} 条{where}")
        elif report is not None:
            lines.append(f"... and {hidden} more; {report} lists all {len(issues)}")
        else:
            lines.append(f"... and {hidden} more, {len(issues)} in all")
    return "\n".join(lines)


def _group_repeats(issues: Sequence[Issue], lang: Language) -> list[list[Issue]]:
    """Split ``issues`` into groups in the order of their first issue."""
    groups: dict[object, list[Issue]] = {}
    for index, issue in enumerate(issues):
        key: object = index
        if issue.code in GROUPED_CODES and issue.row is not None:
            worded = issue.in_language(lang)
            key = (
                issue.severity,
                issue.file,
                issue.sheet,
                issue.column,
                issue.code,
                worded.message,
                worded.fix,
            )
        groups.setdefault(key, []).append(issue)
    return list(groups.values())


def _group_line(group: Sequence[Issue], lang: Language) -> str:
    """Render issues that differ only in their row as one line."""
    first = group[0].in_language(lang)
    rows = row_ranges(sorted({issue.row for issue in group if issue.row}))
    sheet_word, _, column_word, separator = LOCATION_WORDS[lang]
    parts = [first.file]
    if first.sheet is not None:
        parts.append(sheet_word.format(first.sheet))
    if lang == "zh":
        parts.append(f"第 {'、'.join(rows)} 行（共 {len(group)} 处）")
    else:
        parts.append(f"rows {', '.join(rows)} ({len(group)} cells)")
    if first.column is not None:
        parts.append(column_word.format(first.column))
    return _issue_line(group[0], lang, separator.join(parts))


def _issue_line(issue: Issue, lang: Language, location: str | None = None) -> str:
    """Render ``issue`` as one line, at ``location`` if given, else its own."""
    worded = issue.in_language(lang)
    where = worded.location_in(lang) if location is None else location
    if lang == "zh":
        text = f"{where}：{worded.message}；{worded.fix}"
        return f"警告：{text}" if issue.severity == "warning" else text
    text = f"{where}: {worded.message}; {worded.fix}"
    return f"warning: {text}" if issue.severity == "warning" else text


def row_ranges(rows: Sequence[int]) -> list[str]:
    """Return sorted ``rows`` as runs, such as ``["3-5", "9"]``."""
    runs: list[list[int]] = []
    for row in rows:
        if runs and row == runs[-1][-1] + 1:
            runs[-1].append(row)
        else:
            runs.append([row])
    return [str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}" for run in runs]


def summarize_issues(issues: Sequence[Issue], lang: Language = "en") -> str:
    """Return a one-line count of errors and warnings, e.g. ``3 errors, 1 warning``."""
    errors = len(errors_in(issues))
    warnings = len(issues) - errors
    if lang == "zh":
        return f"{errors} 个错误，{warnings} 个警告"
    return f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def write_issue_report(
    issues: Sequence[Issue], path: Path, lang: Language = "en"
) -> Path:
    """Write every issue to ``path`` in ``lang``, as JSON or Excel by its suffix.

    Raises :class:`ValueError` for a suffix other than ``.json`` or ``.xlsx``.
    """
    suffix = path.suffix.lower()
    if suffix == ".json":
        write_json_report(issues, path, lang)
    elif suffix == ".xlsx":
        write_xlsx_report(issues, path, lang)
    else:
        raise ValueError(
            f"unsupported error report type {path.suffix!r} for {path}; use a file "
            f"name ending in .json or .xlsx"
        )
    return path


def write_json_report(
    issues: Sequence[Issue], path: Path, lang: Language = "en"
) -> None:
    """Write issues as a JSON object with a count summary and an ``issues`` list.

    Messages and fixes are in ``lang``; ``lang`` is also a key of the object.
    """
    errors = len(errors_in(issues))
    document = {
        "lang": lang,
        "errors": errors,
        "warnings": len(issues) - errors,
        "issues": [issue.as_dict(lang) for issue in issues],
    }
    path.write_text(
        json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def write_xlsx_report(
    issues: Sequence[Issue], path: Path, lang: Language = "en"
) -> None:
    """Write issues to one Excel sheet in ``lang``, one row each, with a filter."""
    # Imported here because only a failed import writes a report, and xlsxwriter
    # takes about 15 ms to import (python -X importtime).
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    titles = [zh if lang == "zh" else en for _, zh, en in REPORT_COLUMNS]
    try:
        sheet = workbook.add_worksheet(REPORT_SHEETS[lang])
        header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7"})
        error_format = workbook.add_format({"font_color": "#9C0006"})
        sheet.write_row(0, 0, titles, header)
        for index, issue in enumerate(issues, start=1):
            values = issue.as_dict(lang)
            values["severity"] = SEVERITY_LABELS[lang][issue.severity]
            cell_format = error_format if issue.severity == "error" else None
            for col, (key, _, _) in enumerate(REPORT_COLUMNS):
                value = values[key]
                # Write the cell text as a string so codes keep their leading
                # zeros and the value reads as it did in the input file.
                if value is None:
                    sheet.write_blank(index, col, None, cell_format)
                elif isinstance(value, int):
                    sheet.write_number(index, col, value, cell_format)
                else:
                    sheet.write_string(index, col, str(value), cell_format)
        widths = (10, 28, 14, 8, 24, 20, 60, 60, 26, 30)
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(issues), 1), len(REPORT_COLUMNS) - 1)
    finally:
        workbook.close()
