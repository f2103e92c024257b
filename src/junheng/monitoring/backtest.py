"""Back-test of the forecast intervals on held-out final years.

For each series the last ``holdout`` years are hidden, the line is fitted on the
``window`` years before them and each hidden year is checked against the
prediction interval of its horizon (1 = the first hidden year). Coverage is the
share of hidden values inside their interval; a well-calibrated 80% interval
covers about 80% of them.

Each check is made twice: with the plain OLS interval (method ``ols``) and with
the interval calibrated on the same data (method ``calibrated``). The
calibration (:func:`junheng.monitoring.forecast.calibrate`) scores rolling
windows of every series whose scored years all come before that series'
hidden years, so the hidden values never enter it and the check stays
out-of-sample.

:func:`read_nbs_province` reads the province tables of the National Bureau of
Statistics shipped in ``examples/data/cn-nbs-province`` into the long form the
back-test takes.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import product
from pathlib import Path

import polars as pl

from junheng.errors import InputError
from junheng.ingest.issues import Issue, format_issues
from junheng.ingest.readers import ReadOptions, decode_csv_file
from junheng.monitoring.forecast import Calibration, calibrate, forecast_series

NBS_SERIES = {
    "province_primary_2000_2019.csv": {
        "primary_schools": "普通小学学校数(所)",
        "primary_students_10k": "普通小学在校学生数(万人)",
        "primary_teachers_10k": "普通小学专任教师数(万人)",
    },
    "province_junior_2000_2019.csv": {
        "junior_schools": "初中学校数(所)",
        "junior_students_10k": "初中在校学生数(万人)",
        "junior_teachers_10k": "初中专任教师数(万人)",
    },
    "province_student_teacher_ratio_2000_2019.csv": {
        "primary_students_per_teacher": "小学生师比(教师人数=1)",
        "junior_students_per_teacher": "初中生师比(教师人数=1)",
    },
}
"""Series read from each NBS file: our name and the published column."""


def read_nbs_province(folder: Path, encoding: str | None = None) -> pl.DataFrame:
    """Return the NBS province series as ``region_code, region_name, series,
    year, value`` (empty cells left out), plus teachers per 100 students.

    ``encoding`` is the encoding of the CSV files, detected when ``None`` as for
    the school data. Raises :class:`~junheng.errors.InputError` for a file that
    cannot be decoded.
    """
    frames = []
    for name, columns in NBS_SERIES.items():
        path = folder / name
        if not path.exists():
            raise FileNotFoundError(
                f"{path} is missing; the back-test reads {', '.join(NBS_SERIES)} "
                "from the folder given"
            )
        table = pl.read_csv(_decoded(path, encoding), infer_schema_length=None)
        for series, column in columns.items():
            frames.append(
                table.select(
                    pl.col("省份编码").cast(pl.String).alias("region_code"),
                    pl.col("省份").alias("region_name"),
                    pl.lit(series).alias("series"),
                    pl.col("年份").cast(pl.Int64).alias("year"),
                    pl.col(column).cast(pl.Float64).alias("value"),
                )
            )
    long = pl.concat(frames).filter(pl.col("value").is_not_null())
    wide = long.pivot(on="series", index=["region_code", "region_name", "year"])
    derived = [
        wide.select(
            "region_code",
            "region_name",
            pl.lit(f"{s}_teachers_per_100_students").alias("series"),
            "year",
            (pl.col(f"{s}_teachers_10k") * 100 / pl.col(f"{s}_students_10k")).alias(
                "value"
            ),
        ).filter(pl.col("value").is_not_null())
        for s in ("primary", "junior")
    ]
    return pl.concat([long, *derived]).sort("region_code", "series", "year")


def _decoded(path: Path, encoding: str | None) -> bytes:
    """Return the text of the CSV file ``path`` as UTF-8 bytes."""
    decoded = decode_csv_file(
        path.name, path.read_bytes(), ReadOptions(encoding=encoding)
    )
    if isinstance(decoded, Issue):
        raise InputError(
            format_issues([decoded], lang="en"),
            [decoded],
            zh=format_issues([decoded], lang="zh"),
        )
    return decoded[0].encode("utf-8")


def backtest(
    series: pl.DataFrame,
    keys: Sequence[str],
    *,
    windows: Sequence[int] = (5, 8),
    holdout: int = 3,
    levels: Sequence[float] = (0.8, 0.95),
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return every held-out check and the coverage per window, level, horizon
    and method (``ols`` or ``calibrated``).

    ``series`` has the ``keys`` columns, ``year`` and ``value``. A series enters
    a window only when it has ``window + holdout`` years.
    """
    keys = list(keys)
    checks = []
    ranked = series.sort(*keys, "year").with_columns(
        pl.col("year").rank("ordinal", descending=True).over(keys).alias("_back")
    )
    past = ranked.filter(pl.col("_back") > holdout).drop("_back")
    methods: dict[str, Calibration | None] = {
        "ols": None,
        "calibrated": calibrate(past, keys, id="backtest", source="training years"),
    }
    for window, (method, calibration) in product(windows, methods.items()):
        long_enough = ranked.filter(pl.len().over(keys) >= window + holdout)
        train = long_enough.filter(
            (pl.col("_back") > holdout) & (pl.col("_back") <= holdout + window)
        )
        tests = long_enough.filter(pl.col("_back") <= holdout)
        for level in levels:
            for horizon in range(1, holdout + 1):
                actual = tests.filter(pl.col("_back") == holdout + 1 - horizon)
                for year in actual["year"].unique().sort():
                    hidden = actual.filter(pl.col("year") == year)
                    fitted = forecast_series(
                        train.join(hidden.select(keys), on=keys, how="semi"),
                        keys,
                        target_year=int(year),
                        level=level,
                        milestones=(),
                        calibration=calibration,
                    )
                    checks.append(
                        fitted.join(hidden.select(*keys, "value"), on=keys).select(
                            *keys,
                            pl.lit(window).alias("window"),
                            pl.lit(method).alias("method"),
                            pl.lit(level).alias("level"),
                            pl.lit(horizon).alias("horizon"),
                            pl.col("forecast_year").alias("year"),
                            pl.col("value").alias("actual"),
                            "forecast",
                            "lower",
                            "upper",
                            pl.col("value")
                            .is_between(pl.col("lower"), pl.col("upper"))
                            .alias("covered"),
                        )
                    )
    detail = pl.concat(checks)
    summary = (
        detail.group_by("window", "method", "level", "horizon")
        .agg(
            pl.len().alias("checks"),
            pl.col("covered").mean().alias("coverage"),
            ((pl.col("forecast") - pl.col("actual")).abs() / pl.col("actual").abs())
            .median()
            .alias("median_abs_pct_error"),
        )
        .sort("window", "method", "level", "horizon")
    )
    return detail, summary
