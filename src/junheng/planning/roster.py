"""Read a teacher roster (教师名册) for the rotation plan, all or nothing.

A roster has one row per teacher. Its columns are an anonymised teacher id,
the school and section the teacher works in, the subject, the backbone flag
and the years at the current school. Optional columns say whether the degree
is above the one the section requires and give the home location. Headers
may be Chinese or English. Every problem is reported with file, sheet, row,
column, value and fix, as for the school data (see :mod:`junheng.ingest`).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from junheng.errors import InputError
from junheng.ingest.issues import Issue, errors_in, summarize_issues
from junheng.ingest.readers import ROW_COLUMN, ReadOptions, read_file
from junheng.ingest.schema import Field, header_aliases
from junheng.ingest.validate import (
    FALSE_WORDS,
    TABLE_COLUMN,
    TRUE_WORDS,
    TableContext,
    find_duplicates,
    map_headers,
    validate_table,
)

SECTION_WORDS: dict[str, str] = {
    "小学": "primary",
    "初中": "junior",
    "primary": "primary",
    "junior": "junior",
}
"""Accepted section values and the canonical section each one names."""

_YES_NO = TRUE_WORDS + FALSE_WORDS
_BOOL_FIELDS = ("backbone", "above_required_degree")

MAX_YEARS_AT_SCHOOL = 60
"""Largest accepted number of years at one school (a typing-error guard)."""

NOTE_FIELD = Field(
    "note", "说明", "Note", "text", help_zh="任意说明，不参与规划，可省略此列"
)
"""Optional free-text column of rosters and locations files, read and left out.
:func:`junheng.planning.synthetic.mark` puts the synthetic-data notice in it."""

ROSTER_FIELDS: tuple[Field, ...] = (
    Field(
        "teacher_id",
        "教师编号",
        "Teacher id",
        "text",
        required=True,
        help_zh="匿名化的教师编号，不填姓名或身份证号",
    ),
    Field("school_code", "学校标识码", "School identifier code", "code", required=True),
    Field(
        "section",
        "学段",
        "Section",
        "enum",
        required=True,
        choices=tuple(SECTION_WORDS),
    ),
    Field("subject", "任教学科", "Subject", "text", required=True),
    Field(
        "backbone",
        "县级以上骨干教师",
        "Backbone teacher",
        "enum",
        required=True,
        choices=_YES_NO,
    ),
    Field(
        "years_at_school",
        "本校任教年限",
        "Years at the current school",
        "count",
        "年",
        "years",
        required=True,
        maximum=MAX_YEARS_AT_SCHOOL,
    ),
    Field(
        "above_required_degree",
        "高于规定学历",
        "Above the required degree",
        "enum",
        choices=_YES_NO,
        help_zh="小学专科及以上、初中本科及以上填“是”",
    ),
    Field(
        "home_lat",
        "住址纬度",
        "Home latitude",
        "amount",
        "度",
        "degrees",
        maximum=90,
        minimum=-90,
    ),
    Field(
        "home_lon",
        "住址经度",
        "Home longitude",
        "amount",
        "度",
        "degrees",
        maximum=180,
        minimum=-180,
    ),
    NOTE_FIELD,
)
"""Columns of a teacher roster. Latitude and longitude are WGS84 degrees north
and east, so negative values are rejected."""

ROSTER_SCHEMA: dict[str, type[pl.DataType]] = {
    "teacher_id": pl.String,
    "school_code": pl.String,
    "section": pl.String,
    "subject": pl.String,
    "backbone": pl.Boolean,
    "years_at_school": pl.Int64,
    "above_required_degree": pl.Boolean,
    "home_lat": pl.Float64,
    "home_lon": pl.Float64,
}
"""Columns and dtypes of the frame :func:`read_roster` returns."""


def read_roster(path: Path, *, encoding: str | None = None) -> pl.DataFrame:
    """Read and check a roster file (.xlsx, .csv or .parquet), all or nothing.

    ``encoding`` is the encoding of a CSV file, detected when ``None`` as for
    the school data (see :func:`junheng.ingest.readers.decode_csv`).

    Returns a frame with the columns of :data:`ROSTER_SCHEMA`: ``section`` is
    ``primary`` or ``junior``, the flags are booleans, and optional columns
    that the file lacks are null. Raises :class:`~junheng.errors.InputError`
    carrying every issue when any cell or row is invalid.
    """
    tables, issues = read_file(path, _read_options(ROSTER_FIELDS, encoding))
    frames: list[pl.DataFrame] = []
    for table in tables:
        frame, ctx, header_issues = map_headers(table, ROSTER_FIELDS)
        issues += header_issues
        frame = _normalise_words(frame)
        typed, cell_issues = validate_table(frame, ctx, ROSTER_FIELDS)
        issues += cell_issues
        issues += _check_location_pairs(ctx, typed)
        if "teacher_id" not in typed.columns:
            continue
        frames.append(
            typed.with_columns(
                pl.lit(ctx.sheet, dtype=pl.String).alias("__sheet__"),
                pl.lit(ctx.header("teacher_id")).alias("__header__"),
            )
        )
    if frames:
        issues += _check_duplicate_ids(path.name, frames)
    errors = errors_in(issues)
    if errors:
        raise InputError(
            f"{summarize_issues(issues)} in the roster {path.name}; nothing was read",
            list(issues),
            zh=f"教师名册 {path.name} 有错误，未读取任何数据："
            f"{summarize_issues(issues, 'zh')}",
        )
    return _finish(pl.concat(frames, how="diagonal_relaxed"))


def _read_options(fields: tuple[Field, ...], encoding: str | None) -> ReadOptions:
    """Return how to read a file of ``fields``.

    Their headers count as known, so that a CSV file with Chinese headers is
    not taken for one decoded with the wrong encoding, whose test counts the
    known headers.
    """
    return ReadOptions(
        encoding=encoding,
        any_sheet_is_schools=True,
        source_columns=frozenset(header_aliases(fields)),
    )


def roster_frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    """Build a roster frame from row mappings; absent columns are null."""
    return pl.DataFrame(rows, schema=ROSTER_SCHEMA)


def _normalise_words(frame: pl.DataFrame) -> pl.DataFrame:
    """Trim and lower-case the yes/no and section cells before they are checked."""
    texts = [
        pl.col(name).cast(pl.String).str.strip_chars().str.to_lowercase().alias(name)
        for name in (*_BOOL_FIELDS, "section")
        if name in frame.columns
    ]
    return frame.with_columns(texts)


def _check_location_pairs(ctx: TableContext, frame: pl.DataFrame) -> list[Issue]:
    """Report a row with a home latitude but no longitude, or the reverse."""
    if "home_lat" not in frame.columns and "home_lon" not in frame.columns:
        return []
    issues: list[Issue] = []
    for present, missing in (("home_lat", "home_lon"), ("home_lon", "home_lat")):
        if present not in frame.columns:
            continue
        has_other = (
            pl.col(missing).is_not_null() if missing in frame.columns else pl.lit(False)
        )
        bad = frame.filter(pl.col(present).is_not_null() & ~has_other)
        for row in bad.iter_rows(named=True):
            issues.append(
                ctx.issue(
                    row[ROW_COLUMN],
                    present,
                    row[present],
                    "required.home_pair",
                    {
                        "present": ctx.header(present),
                        "missing": {
                            "zh": "纬度" if missing == "home_lat" else "经度",
                            "en": missing.replace("home_", ""),
                        },
                    },
                )
            )
    return issues


def _check_duplicate_ids(file: str, frames: list[pl.DataFrame]) -> list[Issue]:
    """Report every row whose teacher id appeared on an earlier row."""
    rows = pl.concat(
        [f.select("teacher_id", ROW_COLUMN, "__sheet__", "__header__") for f in frames]
    ).with_row_index("__order__")
    first = (
        rows.filter(pl.col("teacher_id").is_not_null())
        .group_by("teacher_id")
        .agg(pl.col(ROW_COLUMN).first().alias("first_row"), pl.col("__order__").min())
    )
    repeated = rows.join(first, on="teacher_id").filter(
        pl.col("__order__") != pl.col("__order___right")
    )
    return [
        Issue.coded(
            file,
            row["__sheet__"],
            row[ROW_COLUMN],
            row["__header__"],
            row["teacher_id"],
            "duplicate_teacher",
            value=row["teacher_id"],
            first_row=row["first_row"],
        )
        for row in repeated.sort("__order__").iter_rows(named=True)
    ]


def _finish(frame: pl.DataFrame) -> pl.DataFrame:
    """Convert checked text to the roster dtypes and add absent columns."""
    yes = pl.lit(list(TRUE_WORDS))
    columns: list[pl.Expr] = []
    for name, dtype in ROSTER_SCHEMA.items():
        if name not in frame.columns:
            columns.append(pl.lit(None, dtype=dtype).alias(name))
        elif name in _BOOL_FIELDS:
            value = pl.col(name)
            columns.append(
                pl.when(value.is_null())
                .then(None)
                .otherwise(value.is_in(yes))
                .alias(name)
            )
        elif name == "section":
            columns.append(pl.col(name).replace_strict(SECTION_WORDS).alias(name))
        else:
            columns.append(pl.col(name).cast(dtype).alias(name))
    return frame.select(columns)


LOCATION_FIELDS: tuple[Field, ...] = (
    Field("school_code", "学校标识码", "School identifier code", "code", required=True),
    Field(
        "lat",
        "纬度",
        "Latitude",
        "amount",
        "度",
        "degrees",
        required=True,
        maximum=90,
        minimum=-90,
    ),
    Field(
        "lon",
        "经度",
        "Longitude",
        "amount",
        "度",
        "degrees",
        required=True,
        maximum=180,
        minimum=-180,
    ),
    NOTE_FIELD,
)
"""Columns of a school locations file (WGS84 degrees north and east)."""


def read_locations(path: Path, *, encoding: str | None = None) -> pl.DataFrame:
    """Read and check a school locations file: ``school_code``, ``lat``, ``lon``.

    ``encoding`` is the encoding of a CSV file, detected when ``None``. A school
    listed twice, in one sheet or two, is an error. Raises
    :class:`~junheng.errors.InputError` carrying every issue.
    """
    tables, issues = read_file(path, _read_options(LOCATION_FIELDS, encoding))
    frames = []
    contexts = []
    for index, table in enumerate(tables):
        frame, ctx, header_issues = map_headers(table, LOCATION_FIELDS)
        typed, cell_issues = validate_table(frame, ctx, LOCATION_FIELDS)
        issues += header_issues + cell_issues
        frames.append(typed.with_columns(pl.lit(index).alias(TABLE_COLUMN)))
        contexts.append(ctx)
    if frames:
        located = pl.concat(
            [f.select("school_code", ROW_COLUMN, TABLE_COLUMN) for f in frames]
        )
        issues += find_duplicates(
            located,
            ["school_code"],
            contexts,
            "school_code",
            "duplicate_location",
            lambda _: {},
        )
    errors = errors_in(issues)
    if errors:
        raise InputError(
            f"{summarize_issues(issues)} in the locations file {path.name}; "
            "nothing was read",
            list(issues),
            zh=f"学校位置文件 {path.name} 有错误，未读取任何数据："
            f"{summarize_issues(issues, 'zh')}",
        )
    return pl.concat(frames).select(
        pl.col("school_code"),
        pl.col("lat").cast(pl.Float64),
        pl.col("lon").cast(pl.Float64),
    )
