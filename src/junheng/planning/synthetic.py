"""Seeded generator of a SYNTHETIC teacher roster and school locations.

The demo, the tests and the rotation benchmark use it. Every teacher, subject,
flag and coordinate is drawn at random; nothing describes a real teacher or
school.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import polars as pl
import python_calamine
import xlsxwriter

from junheng.ingest import size_limits
from junheng.ingest.readers import decode_csv
from junheng.ingest.schema import normalize_header
from junheng.planning.roster import NOTE_FIELD, ROSTER_SCHEMA

SYNTHETIC_ROSTER = (
    "合成数据：教师名册与学校位置由 junheng.planning.synthetic 随机生成，"
    "不对应任何真实教师或学校。"
    "SYNTHETIC DATA: the teacher roster and school locations are generated at "
    "random by junheng.planning.synthetic and describe no real teacher or school."
)
"""Notice to show wherever a generated roster is printed or saved."""

_HEAD_BYTES = 1 << 16
"""Maximum bytes that :func:`is_marked_csv` reads of each of the first two lines
of a CSV file. A file with a longer header or first row is not found marked."""


def mark(frame: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` with a ``note`` column that starts with the notice.

    The first cell is :data:`SYNTHETIC_ROSTER` and the others are empty. The
    roster and locations readers accept the column (说明) and leave it out. A
    CSV file keeps no metadata, so this column marks a saved roster or
    locations file as synthetic, as the 说明 sheet marks a workbook saved by
    :func:`junheng.demo.save_dataset`.
    """
    notes = [SYNTHETIC_ROSTER] + [None] * (frame.height - 1)
    return frame.with_columns(
        pl.Series(NOTE_FIELD.name, notes[: frame.height], dtype=pl.String)
    )


def is_marked_csv(path: Path) -> bool:
    """Return whether the CSV file ``path`` was saved with :func:`mark`.

    It is when the first data row has :data:`SYNTHETIC_ROSTER` in the note
    column (``note`` or 说明), in UTF-8 or GB18030 and with comma separators.
    A file that cannot be read or decoded is not marked.
    """
    try:
        with path.open("rb") as file:
            head = file.readline(_HEAD_BYTES) + file.readline(_HEAD_BYTES)
        text, _ = decode_csv(head, None)
    except (OSError, UnicodeDecodeError):
        return False
    return _marked_rows(list(csv.reader(io.StringIO(text))))


def is_marked_xlsx(path: Path) -> bool:
    """Return whether the workbook ``path`` contains a roster or locations file
    saved with :func:`mark`.

    It is when the first data row of its first sheet has
    :data:`SYNTHETIC_ROSTER` in the note column, as in a workbook that
    :func:`write_marked_xlsx` wrote or that Excel saved from a marked CSV
    file. A workbook over the import's size limits or that cannot be read is
    not marked.
    """
    if not size_limits.fits(path):
        return False  # python-calamine would build its grids in memory
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        if not book.sheet_names:
            return False
        sheet = book.get_sheet_by_index(0)
        rows = sheet.to_python(nrows=2)
    except (OSError, ValueError, python_calamine.CalamineError):
        return False
    return _marked_rows([[str(cell) for cell in row] for row in rows])


def _marked_rows(rows: list[list[str]]) -> bool:
    """Return whether the second of ``rows`` has the notice in the note column."""
    if len(rows) < 2:
        return False
    header, first = rows[0], rows[1]
    names = {NOTE_FIELD.name, NOTE_FIELD.zh}
    return any(
        normalize_header(name) in names and cell == SYNTHETIC_ROSTER
        for name, cell in zip(header, first, strict=False)
    )


def write_marked_xlsx(frame: pl.DataFrame, path: Path, sheet: str) -> None:
    """Write the marked ``frame`` (see :func:`mark`) as a workbook of one sheet.

    The note column keeps the notice in the first data row, as in a CSV file,
    so the roster and locations readers read the workbook as they read the
    CSV file, and the workbook properties carry the notice too.
    """
    workbook = xlsxwriter.Workbook(
        str(path), {"strings_to_urls": False, "strings_to_formulas": False}
    )
    try:
        workbook.set_properties(
            {"title": "合成数据 SYNTHETIC DATA", "comments": SYNTHETIC_ROSTER}
        )
        worksheet = workbook.add_worksheet(sheet)
        worksheet.write_row(0, 0, frame.columns)
        for index, row in enumerate(frame.iter_rows(), start=1):
            worksheet.write_row(index, 0, row)
        worksheet.freeze_panes(1, 0)
    finally:
        workbook.close()


PE_ART_SUBJECTS = ("体育", "音乐", "美术")
OTHER_SUBJECTS = ("语文", "数学", "英语", "科学", "道德与法治", "信息技术")
_OTHER_WEIGHTS = np.array([0.32, 0.30, 0.16, 0.10, 0.07, 0.05])

_KM_PER_DEGREE = 111.0


def generate_locations(schools: pl.DataFrame, *, seed: int) -> pl.DataFrame:
    """Draw a SYNTHETIC location (``school_code``, ``lat``, ``lon``) per school.

    Each county gets a centre in eastern China and its schools lie within
    about 25 km of it.
    """
    rng = np.random.default_rng([seed, 1])
    codes = schools.select("division_code", "school_code").unique(
        "school_code", keep="first", maintain_order=True
    )
    counties = sorted(codes["division_code"].unique().to_list())
    centres = {
        code: (rng.uniform(23.0, 40.0), rng.uniform(105.0, 120.0)) for code in counties
    }
    lat, lon = [], []
    for county in codes["division_code"].to_list():
        c_lat, c_lon = centres[county]
        lat.append(c_lat + rng.uniform(-0.22, 0.22))
        lon.append(c_lon + rng.uniform(-0.25, 0.25))
    return codes.select("school_code").with_columns(
        pl.Series("lat", lat, dtype=pl.Float64), pl.Series("lon", lon, dtype=pl.Float64)
    )


def generate_roster(
    schools: pl.DataFrame,
    *,
    seed: int,
    locations: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Draw a SYNTHETIC roster that matches the teacher counts of ``schools``.

    Each school section gets as many teachers as ``<section>_teachers``, of
    whom ``<section>_pe_art_teachers`` teach PE, music or art and
    ``<section>_backbone_teachers`` and ``<section>_teachers_above_required_degree``
    carry those flags. Years at the school are geometric with mean 5. With
    ``locations``, each teacher lives within a few km of the school (normal,
    4 km per axis); without, homes are left empty.
    """
    rng = np.random.default_rng([seed, 2])
    places = {}
    if locations is not None:
        places = {
            r["school_code"]: (r["lat"], r["lon"])
            for r in locations.iter_rows(named=True)
        }
    rows: list[dict[str, object]] = []
    number = 0
    for school in schools.sort("school_code").iter_rows(named=True):
        for section in ("primary", "junior"):
            total = int(school.get(f"{section}_teachers") or 0)
            if total == 0 or not school.get(f"{section}_students"):
                continue
            pe_art = min(total, int(school.get(f"{section}_pe_art_teachers") or 0))
            backbone = _flags(rng, total, school.get(f"{section}_backbone_teachers"))
            degree = _flags(
                rng, total, school.get(f"{section}_teachers_above_required_degree")
            )
            others = rng.choice(
                len(OTHER_SUBJECTS), size=total - pe_art, p=_OTHER_WEIGHTS
            )
            subjects = [PE_ART_SUBJECTS[i % 3] for i in range(pe_art)] + [
                OTHER_SUBJECTS[i] for i in others
            ]
            years = rng.geometric(0.2, size=total) - 1
            place = places.get(school["school_code"])
            for i in range(total):
                number += 1
                home_lat = home_lon = None
                if place is not None:
                    home_lat = place[0] + rng.normal(0, 4 / _KM_PER_DEGREE)
                    home_lon = place[1] + rng.normal(0, 4 / _KM_PER_DEGREE)
                rows.append(
                    {
                        "teacher_id": f"T{number:06d}",
                        "school_code": school["school_code"],
                        "section": section,
                        "subject": subjects[i],
                        "backbone": bool(backbone[i]),
                        "years_at_school": int(years[i]),
                        "above_required_degree": bool(degree[i]),
                        "home_lat": home_lat,
                        "home_lon": home_lon,
                    }
                )
    return pl.DataFrame(rows, schema=ROSTER_SCHEMA)


def _flags(rng: np.random.Generator, total: int, count: object) -> np.ndarray:
    flagged = min(total, int(count or 0))  # type: ignore[call-overload]
    marks = np.zeros(total, dtype=bool)
    marks[rng.choice(total, size=flagged, replace=False)] = True
    return marks
