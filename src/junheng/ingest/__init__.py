"""Import school data and county items: read, map, validate, all or nothing.

:func:`load_inputs` reads Excel, CSV and Parquet files in the canonical layout
(see :mod:`junheng.ingest.schema` and ``docs/import.md``) or in another layout
through an import profile, checks every cell and row, and returns typed Polars
frames. If any error is found anywhere, it raises
:class:`~junheng.errors.InputError` carrying every issue and returns nothing.
"""

from __future__ import annotations

import importlib
import operator
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, overload

import polars as pl

from junheng.errors import InputError
from junheng.ingest.county_items import (
    empty_county_items,
    item_kinds,
    validate_county_items,
)
from junheng.ingest.issues import (
    CELL_RULES,
    CROSS_COLUMN_RULES,
    Issue,
    errors_in,
    format_issues,
    in_language,
    summarize_issues,
    write_issue_report,
)
from junheng.ingest.readers import (
    ROW_COLUMN,
    RawTable,
    ReadOptions,
    profile_layout_issue,
    read_file,
    text_table,
)
from junheng.ingest.schema import ALL_SCHOOL_FIELDS, COUNTY_ITEM_FIELDS
from junheng.ingest.size_limits import SizeLimits
from junheng.ingest.validate import (
    TABLE_COLUMN,
    CodeScheme,
    TableContext,
    check_duplicate_items,
    check_duplicate_schools,
    empty_schools,
    map_headers,
    validate_schools,
)

if TYPE_CHECKING:
    from junheng.ingest.profiles import (
        Profile,
        apply_profile,
        list_profiles,
        load_profile,
        scan_profiles,
    )
    from junheng.ingest.template import write_template
    from junheng.standards.model import Framework

__all__ = [
    "ImportResult",
    "Issue",
    "Profile",
    "apply_profile",
    "file_labels",
    "format_issues",
    "import_failure",
    "in_language",
    "list_profiles",
    "load_inputs",
    "load_profile",
    "scan_profiles",
    "sort_issues",
    "summarize_issues",
    "write_issue_report",
    "write_template",
]

# Imported on first use, because reading files in the canonical layout needs
# neither module, and both take about 13 ms to import (python -X importtime).
_LAZY_ATTRIBUTES = {
    "Profile": "junheng.ingest.profiles",
    "apply_profile": "junheng.ingest.profiles",
    "list_profiles": "junheng.ingest.profiles",
    "load_profile": "junheng.ingest.profiles",
    "scan_profiles": "junheng.ingest.profiles",
    "write_template": "junheng.ingest.template",
}


def __getattr__(name: str) -> Any:
    module = _LAZY_ATTRIBUTES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


Place = tuple[str, str | None, int | None]
"""The file name, sheet (None for CSV and Parquet) and 1-based row of a table row."""


class SchoolPlaces(Sequence[Place]):
    """The :data:`Place` of each row of :attr:`ImportResult.schools`.

    A place is built only when it is read, because most callers read none and a
    tuple for each row of a large import costs time and memory.
    """

    def __init__(
        self, contexts: Sequence[TableContext], tables: pl.Series, rows: pl.Series
    ) -> None:
        self._contexts = contexts
        self._tables = tables
        self._rows = rows

    def __len__(self) -> int:
        return self._tables.len()

    @overload
    def __getitem__(self, index: int) -> Place: ...

    @overload
    def __getitem__(self, index: slice) -> list[Place]: ...

    def __getitem__(self, index: int | slice) -> Place | list[Place]:
        if isinstance(index, slice):
            return list(self._places(range(len(self))[index]))
        index = operator.index(index)  # any integer type, such as numpy's
        if not -len(self) <= index < len(self):
            raise IndexError(f"school row {index} out of range")
        return self._place(self._tables[index], self._rows[index])

    def __iter__(self) -> Iterator[Place]:
        return self._places(range(len(self)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"SchoolPlaces({len(self)} rows)"

    def headers(self) -> Iterator[Mapping[str, str]]:
        """Yield, per row, the header in the file of each canonical field.

        The headers are those that :meth:`TableContext.header` names in issues.
        """
        for table in self._tables.to_list():
            yield self._contexts[table].columns

    def _places(self, indexes: range) -> Iterator[Place]:
        positions = pl.Series(indexes, dtype=pl.Int64)
        tables = self._tables.gather(positions).to_list()
        rows = self._rows.gather(positions).to_list()
        for table, row in zip(tables, rows, strict=True):
            yield self._place(table, row)

    def _place(self, table: int, row: int | None) -> Place:
        context = self._contexts[table]
        return context.file, context.sheet, row


@dataclass
class ImportResult:
    """Validated input data.

    ``schools`` has the columns of :data:`~junheng.ingest.schema.ALL_SCHOOL_FIELDS`
    and ``county_items`` those of
    :data:`~junheng.ingest.validate.COUNTY_ITEM_COLUMNS`; either may have no rows.
    ``files`` lists the paths read and ``warnings`` the issues that did not stop
    the import, such as schools without students. ``school_places`` gives, per
    row of ``schools``, the file name, sheet and row it was read from, and the
    file's headers (:meth:`SchoolPlaces.headers`).
    """

    schools: pl.DataFrame
    county_items: pl.DataFrame
    files: list[str]
    warnings: list[Issue] = field(default_factory=list)
    school_places: SchoolPlaces = field(
        default_factory=lambda: SchoolPlaces([], pl.Series([]), pl.Series([]))
    )


@dataclass
class _Collected:
    schools: list[pl.DataFrame] = field(default_factory=list)
    school_contexts: list[TableContext] = field(default_factory=list)
    items: list[pl.DataFrame] = field(default_factory=list)
    item_contexts: list[TableContext] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def load_inputs(
    paths: Sequence[Path],
    *,
    profile: str | None = None,
    framework: Framework | None = None,
    encoding: str | None = None,
    limits: SizeLimits | None = None,
) -> ImportResult:
    """Read, check and combine input files, all or nothing.

    Parameters
    ----------
    paths:
        Excel (``.xlsx``, ``.xlsm``, ``.xls``), CSV or Parquet files. A file may
        hold school rows, county items or both; all are concatenated. A file
        given twice is an error.
    profile:
        Id or path of an import profile mapping another layout onto the canonical
        one (see :mod:`junheng.ingest.profiles`). County-item files are always read
        in the canonical layout.
    framework:
        The framework whose county item keys are accepted; the default framework
        is loaded when county items are present and this is ``None``.
    encoding:
        Text encoding of CSV files. By default UTF-8 (with or without a byte order
        mark) and then GB18030 are tried, unless the profile names an encoding.
    limits:
        The largest file the readers parse; the command line's defaults when
        ``None``.

    Raises
    ------
    InputError
        If any file has an error. ``issues`` contains every error and warning found.
    ProfileError
        If the profile is not found or is malformed.
    """
    loaded = None
    if profile is not None:
        from junheng.ingest.profiles import load_profile

        loaded = load_profile(profile)
    options = ReadOptions(
        # An empty --encoding is rejected, not taken for "detect".
        encoding=encoding
        if encoding is not None
        else (loaded.source_encoding if loaded else None),
        any_sheet_is_schools=loaded is not None,
        sheet=loaded.sheet if loaded else None,
        source_columns=loaded.source_columns() if loaded else frozenset(),
        limits=limits or SizeLimits(),
    )
    code_scheme: CodeScheme = loaded.code_scheme if loaded else "cn"
    collected = _Collected()
    files = [Path(path) for path in paths]
    names = file_labels(files)
    seen: set[Path] = set()
    for path, name in zip(files, names, strict=True):
        if path.resolve() in seen:
            collected.issues.append(_repeated_file_issue(path, name))
            continue
        seen.add(path.resolve())
        tables, read_issues = read_file(path, options, name)
        collected.issues.extend(read_issues)
        # The reader reports a column without a header, which maps no field.
        unmapped = {
            i.sheet for i in read_issues if i.rule == "header" and i.severity == "error"
        }
        for table in tables:
            if table.kind == "county_items":
                framework = _add_items(table, collected, framework, code_scheme)
            else:
                _add_schools(table, collected, loaded, table.sheet in unmapped)
    schools = _combine(collected.schools, empty_schools())
    items = _combine(collected.items, empty_county_items())
    collected.issues += check_duplicate_schools(schools, collected.school_contexts)
    collected.issues += check_duplicate_items(items, collected.item_contexts)
    issues = sort_issues(_drop_shadowed(collected.issues), names)
    errors = errors_in(issues)
    if errors:
        raise import_failure(issues, names)
    places = SchoolPlaces(
        collected.school_contexts, schools[TABLE_COLUMN], schools[ROW_COLUMN]
    )
    return ImportResult(
        schools=schools.drop(ROW_COLUMN, TABLE_COLUMN),
        county_items=items.drop(ROW_COLUMN, TABLE_COLUMN),
        files=[str(path) for path in paths],
        warnings=issues,
        school_places=places,
    )


def import_failure(issues: list[Issue], names: Sequence[str]) -> InputError:
    """Return the error of an import of the files ``names`` that found ``issues``.

    The message stays one line. Callers print the issues themselves
    (format_issues) and write the full report (write_issue_report).
    """
    return InputError(
        f"{summarize_issues(issues)} in {', '.join(names)}; nothing was imported",
        list(issues),
        zh=f"{'、'.join(names)} 中有 {summarize_issues(issues, 'zh')}；未导入任何数据",
    )


def _add_schools(
    table: RawTable,
    collected: _Collected,
    profile: Profile | None,
    header_error: bool = False,
) -> None:
    """Map, check and collect a school table. ``header_error`` tells that the
    reader found a header error in it."""
    if profile is not None:
        from junheng.ingest.profiles import apply_profile

        frame, ctx, issues = apply_profile(profile, text_table(table))
    else:
        frame, ctx, issues = map_headers(table, ALL_SCHOOL_FIELDS)
        if any(i.rule == "header" and i.severity == "error" for i in issues):
            layout = profile_layout_issue(
                table.file, table.sheet, table.headers, table.header_row
            )
            if layout is not None:
                # One error naming --profile says more than one per header.
                collected.issues.append(layout)
                return
    typed, cell_issues = validate_schools(frame, ctx)
    # A value that a profile's map does not list is reported with the value;
    # the field it leaves empty needs no second message.
    unmapped = {
        (i.row, i.fields["target"])
        for i in issues
        if i.code == "profile_column.map_value"
    }
    if unmapped:
        cell_issues = [
            i
            for i in cell_issues
            if i.rule != "required" or (i.row, i.column) not in unmapped
        ]
    if header_error or any(
        i.rule == "header" and i.severity == "error" for i in issues
    ):
        # Checks across columns read columns that a wrong header left unmapped,
        # so they would add a follow-on error to every row; fix the header first.
        cell_issues = [i for i in cell_issues if i.rule not in CROSS_COLUMN_RULES]
    index = len(collected.school_contexts)
    collected.schools.append(typed.with_columns(pl.lit(index).alias(TABLE_COLUMN)))
    collected.school_contexts.append(ctx)
    collected.issues += issues + cell_issues


def _add_items(
    table: RawTable,
    collected: _Collected,
    framework: Framework | None,
    code_scheme: CodeScheme,
) -> Framework:
    if framework is None:
        # Imported here because the standards loader imports this package's schema.
        from junheng.standards.loader import load_framework

        framework = load_framework()
    frame, ctx, issues = map_headers(table, COUNTY_ITEM_FIELDS)
    ctx = replace(ctx, code_scheme=code_scheme)
    typed, cell_issues = validate_county_items(
        frame, ctx, framework.county_keys(), framework.id, item_kinds(framework)
    )
    index = len(collected.item_contexts)
    collected.items.append(typed.with_columns(pl.lit(index).alias(TABLE_COLUMN)))
    collected.item_contexts.append(ctx)
    collected.issues += issues + cell_issues
    return framework


def _repeated_file_issue(path: Path, name: str) -> Issue:
    return Issue.coded(name, None, None, None, None, "file.repeated", path=str(path))


def file_labels(paths: Sequence[Path]) -> list[str]:
    """Return the name of each of ``paths`` in messages and reports.

    That is the base name, unless another of ``paths`` has the same base name:
    then it is the shortest end of the path, relative to the current folder
    where possible, that tells the files apart, such as ``a/学校数据.csv`` and
    ``b/学校数据.csv``. Paths are written with ``/``.
    """
    parts = [_relative(path).parts for path in paths]
    labels = [path.name for path in paths]
    for index, own in enumerate(parts):
        others = {
            other
            for other in parts
            if other != own and other[-1:] == own[-1:] and own[-1:]
        }
        length = 1
        while length < len(own) and any(
            other[-length:] == own[-length:] for other in others
        ):
            length += 1
        labels[index] = "/".join(own[-length:])
    return labels


def _relative(path: Path) -> PurePath:
    """Return ``path`` relative to the current folder, or absolute when it is
    on another drive."""
    absolute = os.path.abspath(path)
    try:
        return PurePath(os.path.relpath(absolute))
    except ValueError:
        return PurePath(absolute)


def _drop_shadowed(issues: list[Issue]) -> list[Issue]:
    """Drop issues about a cell that the reader already reported as unreadable.

    The reader puts an Excel error value or a formula in place of the empty value
    that calamine returns, so the value checks see text where a number may be
    expected. That cell needs one message, the reader's.
    """
    unreadable = {
        (i.file, i.sheet, i.row, i.column) for i in issues if i.rule in CELL_RULES
    }
    if not unreadable:
        return issues
    return [
        i
        for i in issues
        if i.rule in CELL_RULES or (i.file, i.sheet, i.row, i.column) not in unreadable
    ]


def _combine(frames: list[pl.DataFrame], empty: pl.DataFrame) -> pl.DataFrame:
    if not frames:
        return empty.with_columns(
            pl.lit(None, dtype=pl.Int64).alias(ROW_COLUMN),
            pl.lit(None, dtype=pl.Int64).alias(TABLE_COLUMN),
        )
    return pl.concat(
        [f.with_columns(pl.col(TABLE_COLUMN).cast(pl.Int64)) for f in frames],
        how="vertical",
    )


def sort_issues(issues: list[Issue], files: list[str]) -> list[Issue]:
    """Order issues by file (in the order of ``files``, the names issues
    carry), sheet (in order of appearance) and row."""
    file_rank = {name: i for i, name in reversed(list(enumerate(files)))}
    sheet_rank: dict[tuple[str, str | None], int] = {}
    for issue in issues:
        sheet_rank.setdefault((issue.file, issue.sheet), len(sheet_rank))
    return sorted(
        issues,
        key=lambda i: (
            file_rank.get(i.file, len(files)),
            sheet_rank[(i.file, i.sheet)],
            i.row or 0,
        ),
    )
