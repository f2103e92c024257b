"""Check county-level items: one value per division, year and item key.

The value column contains a number or a yes/no answer. The framework's checks say
which of the two each key needs and whether a number is a percentage, so a value
of the wrong kind is an import error rather than an item the evaluation reports
as not filled in.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

from junheng.ingest.issues import Issue, row_ranges
from junheng.ingest.messages import LANGUAGES, NUMBER_FIXES, Language, both
from junheng.ingest.readers import ROW_COLUMN, is_numeric_dtype, number_cell_column
from junheng.ingest.schema import COUNTY_ITEM_FIELDS, NUMERIC_KINDS
from junheng.ingest.validate import (
    COUNTY_ITEM_COLUMNS,
    FALSE_WORDS,
    TRUE_WORDS,
    TableContext,
    Wording,
    _check_cells,
    _prepare,
    _row_issues,
    _typed,
    full_width_issues,
    half_width,
)

if TYPE_CHECKING:
    from junheng.standards.model import Framework

_NUMBER_CELL = "__number_cell__"
"""Internal column: whether the value cell was a number cell of Excel or Parquet."""


@dataclass(frozen=True)
class ItemKind:
    """The value that a framework's checks read under one county-item key.

    ``number`` is set when a check compares the value with a threshold and
    ``yes_no`` when a check tests it as true or false. ``percent`` is set when a
    numeric check's unit contains a percent sign, so the value is a percentage
    from 0 to 100, and ``may_exceed_100`` when a check allows a percentage
    above 100 (see :attr:`~junheng.standards.model.Check.may_exceed_100`).
    ``label`` names the item (with its id when the key differs), and ``unit``
    is the unit text of the numeric check.
    """

    number: bool
    yes_no: bool
    percent: bool
    label: str
    unit: str = ""
    may_exceed_100: bool = False


def item_kinds(framework: Framework) -> dict[str, ItemKind]:
    """Return the kind of value each county-item key of ``framework`` needs.

    A key read by several checks needs what any of them needs.
    """
    kinds: dict[str, ItemKind] = {}
    for item in [i for p in framework.parts for i in p.items] + framework.veto_items:
        for check in item.checks:
            if check.key is None:
                continue
            yes_no = check.op in ("true", "false")
            units = () if check.unit is None else (check.unit.zh, check.unit.en)
            percent = not yes_no and any("%" in u or "％" in u for u in units)
            unit = "" if yes_no or check.unit is None else check.unit.zh
            label = item.name.zh
            if check.key != item.id:
                label = f"{item.id} {label}"
            if check.label is not None:
                label += f"（{check.label.zh}）"
            kind = ItemKind(
                not yes_no, yes_no, percent, label, unit, check.may_exceed_100
            )
            known = kinds.get(check.key)
            if known is not None:
                kind = ItemKind(
                    known.number or kind.number,
                    known.yes_no or kind.yes_no,
                    known.percent or kind.percent,
                    known.label,
                    known.unit or kind.unit,
                    known.may_exceed_100 or kind.may_exceed_100,
                )
            kinds[check.key] = kind
    return kinds


def _bool_expr(text: pl.Expr) -> pl.Expr:
    lowered = text.str.to_lowercase()
    return (
        pl.when(lowered.is_in(TRUE_WORDS))
        .then(pl.lit(True))
        .when(lowered.is_in(FALSE_WORDS))
        .then(pl.lit(False))
    )


def _item_number_expr(text: pl.Expr) -> pl.Expr:
    """Parse a number, with an optional trailing percent sign (kept as 0–100)."""
    bare = text.str.strip_chars_end("%％").str.strip_chars()
    value = bare.cast(pl.Float64, strict=False)
    return pl.when(value.is_finite()).then(value)


def _number_cells(frame: pl.DataFrame, name: str) -> pl.Expr:
    """Return whether each cell of column ``name`` was a number cell.

    A numeric column consists of number cells. A text column of an Excel sheet
    may carry a marker column from the reader (see
    :func:`~junheng.ingest.readers.number_cell_column`). CSV cells are all text.
    """
    if is_numeric_dtype(frame.schema[name]):
        return pl.col(name).is_not_null()
    marker = number_cell_column(name)
    if marker in frame.columns:
        return pl.col(marker).fill_null(False)
    return pl.lit(False)


def validate_county_items(
    frame: pl.DataFrame,
    ctx: TableContext,
    known_keys: Iterable[str] | None,
    framework_id: str = "",
    kinds: Mapping[str, ItemKind] | None = None,
) -> tuple[pl.DataFrame, list[Issue]]:
    """Check a county-items table with canonical column names.

    ``known_keys`` are the keys the framework reads
    (:meth:`~junheng.standards.model.Framework.county_keys`); ``None`` skips the
    key check. ``kinds`` (from :func:`item_kinds`) gives the value each key
    needs; ``None`` skips the checks of the value's kind and range. Returns a
    frame with :data:`~junheng.ingest.validate.COUNTY_ITEM_COLUMNS` plus
    :data:`~junheng.ingest.readers.ROW_COLUMN`, and the issues.
    """
    present = [spec for spec in COUNTY_ITEM_FIELDS if spec.name in frame.columns]
    if "value" in frame.columns:
        frame = frame.with_columns(_number_cells(frame, "value").alias(_NUMBER_CELL))
    numeric = [spec.name for spec in present if spec.kind in NUMERIC_KINDS]
    widened, issues = full_width_issues(ctx, frame, [*numeric, "value"])
    work = _prepare(frame, present, widened)
    if known_keys is not None and "item" in work.columns:
        work = work.with_columns(_key_in_case(pl.col("item"), known_keys))
    issues += _check_cells(ctx, work, present)
    if "value" in work.columns:
        value = half_width(pl.col("value")) if "value" in widened else pl.col("value")
        work = work.with_columns(
            _item_number_expr(value).alias("value_num"),
            _bool_expr(value).alias("value_bool"),
        )
        issues += _row_issues(
            ctx,
            work,
            pl.col("value").is_not_null()
            & pl.col("value_num").is_null()
            & pl.col("value_bool").is_null(),
            "value",
            "item_value",
            lambda r: {},
        )
        if kinds is not None and "item" in work.columns:
            issues += _check_value_kinds(ctx, work, kinds)
    if known_keys is not None and "item" in work.columns:
        keys = sorted(set(known_keys))
        issues += _foreign_items(ctx, work, keys, framework_id) or _check_item_keys(
            ctx, work, keys, framework_id
        )
    typed = work.select(
        ROW_COLUMN,
        *(_typed(spec, work) for spec in present if spec.name != "value"),
    )
    if "value" in work.columns:
        typed = typed.with_columns(
            work["value_num"], work["value_bool"], work["value"].alias("value_text")
        )
    return complete_item_columns(typed), issues


def _check_value_kinds(
    ctx: TableContext, frame: pl.DataFrame, kinds: Mapping[str, ItemKind]
) -> list[Issue]:
    """Report values of the wrong kind for their key, and percentages out of range.

    ``frame`` needs the parsed ``value_num`` and ``value_bool`` columns. Keys that
    ``kinds`` does not list are left to the key check.
    """
    item = pl.col("item")
    number, yes_no = pl.col("value_num"), pl.col("value_bool")
    number_only = [k for k, v in kinds.items() if v.number and not v.yes_no]
    yes_no_only = [k for k, v in kinds.items() if v.yes_no and not v.number]
    percent = [k for k, v in kinds.items() if v.percent]
    above_100 = [k for k, v in kinds.items() if v.may_exceed_100]

    def kind_of(row: dict[str, Any]) -> ItemKind:
        return kinds[row["item"]]

    def fields(row: dict[str, Any]) -> dict[str, Any]:
        kind = kind_of(row)
        return {
            "item": row["item"],
            "label": kind.label,
            "number_fix": _number_fix(kind),
        }

    issues = _row_issues(
        ctx,
        frame,
        item.is_in(number_only) & number.is_null() & yes_no.is_not_null(),
        "value",
        "item_value.needs_number",
        fields,
    )
    issues += _row_issues(
        ctx,
        frame,
        item.is_in(yes_no_only) & yes_no.is_null() & number.is_not_null(),
        "value",
        "item_value.needs_yes_no",
        fields,
    )
    issues += _row_issues(
        ctx,
        frame,
        item.is_in(percent) & (number < 0),
        "value",
        "item_value.negative_percentage",
        fields,
    )
    # A retention or enrolment rate exceeds 100 when students move in, so
    # there a value above 100 is reported but does not stop the import. A
    # share of a whole, such as the rate of certified teachers, cannot.
    issues += _row_issues(
        ctx,
        frame,
        item.is_in(percent) & item.is_in(above_100) & (number > 100),
        "value",
        "item_value_high",
        fields,
        severity="warning",
    )
    issues += _row_issues(
        ctx,
        frame,
        item.is_in(percent) & ~item.is_in(above_100) & (number > 100),
        "value",
        "item_value.above_100",
        fields,
    )
    # Excel stores a cell formatted as a percentage, such as 95%, as 0.95. A
    # number cell of at most 1 could be that or a real value such as 1%, so it is
    # reported rather than guessed. Typed text such as "0.95" or "1%" is kept.
    issues += _row_issues(
        ctx,
        frame,
        item.is_in(percent) & pl.col(_NUMBER_CELL) & (number > 0) & (number <= 1),
        "value",
        "item_value.percent_cell",
        fields,
    )
    return issues


def _number_fix(kind: ItemKind) -> dict[Language, str]:
    """Return the fix of a value that should be a number of ``kind``, in both
    languages."""
    if kind.percent:
        return NUMBER_FIXES["percentage"]
    if kind.unit:
        return {
            lang: NUMBER_FIXES["unit"][lang].format(unit=kind.unit)
            for lang in LANGUAGES
        }
    return NUMBER_FIXES["plain"]


def _key_in_case(item: pl.Expr, keys: Iterable[str]) -> pl.Expr:
    """Return ``item`` with each key written in another case (``s1``) as the
    framework writes it (``S1``). Keys differ in more than case, which the
    framework loader enforces, so the match is unique."""
    by_folded = {key.lower(): key for key in keys}
    return (
        item.str.to_lowercase()
        .replace_strict(by_folded, default=item, return_dtype=pl.String)
        .alias("item")
    )


def _foreign_items(
    ctx: TableContext, frame: pl.DataFrame, keys: list[str], framework_id: str
) -> list[Issue]:
    """Report in one issue the rows whose keys all belong to another framework.

    A county items file filled in for another framework (a 2017 file read
    against the 2012 standard, say) would otherwise get one error per row.
    Returns no issue when some unknown key belongs to no installed framework,
    so each row is reported by :func:`_check_item_keys`.
    """
    item = pl.col("item")
    unknown = frame.filter(item.is_not_null() & ~item.is_in(keys))
    if unknown.is_empty() or not framework_id:
        return []
    foreign = set(unknown["item"].to_list())
    other = _framework_holding(foreign, framework_id)
    if other is None:
        return []
    rows = row_ranges(sorted(unknown[ROW_COLUMN].to_list()))
    found = ", ".join(sorted(foreign))
    fields = {
        "rows": both("、".join(rows), ", ".join(rows)),
        "count": unknown.height,
        "keys": found,
        "other": other,
        "framework": framework_id,
    }
    # The value is the keys found, so that a client reads them as it reads
    # the key of an unknown item.
    return [ctx.issue(None, "item", found, "unknown_item.framework", fields)]


def _framework_holding(keys: set[str], framework_id: str) -> str | None:
    """Return the id of an installed framework other than ``framework_id``
    whose county items include every one of ``keys``.

    The default framework comes first, then frameworks that extend none, so a
    2017 file is named as such and not after a provincial override of it.
    """
    # Imported here because the standards loader imports this package's schema.
    from junheng.errors import FrameworkError
    from junheng.standards.loader import (
        DEFAULT_FRAMEWORK,
        list_frameworks,
        load_framework,
    )

    found: list[tuple[bool, int, str]] = []
    for info in list_frameworks():
        if info.id == framework_id:
            continue
        try:
            framework = load_framework(info.id)
        except FrameworkError:
            continue  # `junheng frameworks` lists the files that cannot be used
        if keys <= framework.county_keys():
            rank = (info.id != DEFAULT_FRAMEWORK, len(framework.based_on), info.id)
            found.append(rank)
    return min(found)[2] if found else None


def _check_item_keys(
    ctx: TableContext, frame: pl.DataFrame, keys: list[str], framework_id: str
) -> list[Issue]:
    source = both(
        f"评估框架 {framework_id} 的" if framework_id else "",
        f" of framework {framework_id}" if framework_id else "",
    )
    listed = ", ".join(keys)

    def describe(row: dict[str, Any]) -> Wording:
        fields: dict[str, Any] = {"framework": source, "keys": listed}
        by_folded = {key.lower(): key for key in keys}
        close = difflib.get_close_matches(
            row["item"].lower(), list(by_folded), n=1, cutoff=0.6
        )
        if close:
            return "unknown_item.close", fields | {"suggestion": by_folded[close[0]]}
        return fields

    item = pl.col("item")
    return _row_issues(
        ctx,
        frame,
        item.is_not_null() & ~item.is_in(keys),
        "item",
        "unknown_item",
        describe,
    )


def complete_item_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """Add absent county-item columns as nulls and order them canonically."""
    columns = [
        pl.col(name).cast(dtype)
        if name in frame.columns
        else pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in COUNTY_ITEM_COLUMNS.items()
    ]
    internal = [c for c in frame.columns if c.startswith("__")]
    return frame.select(*columns, *internal)


def empty_county_items() -> pl.DataFrame:
    """Return an empty county-items frame with the canonical columns."""
    return pl.DataFrame(schema=COUNTY_ITEM_COLUMNS)
