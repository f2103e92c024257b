"""Run the data-quality checks of ``junheng.monitoring.quality`` on real files.

Usage::

    python examples/monitoring/check_real_data.py DATA_DIR

``DATA_DIR`` holds the folders ``tw-moe-primary-schools-113``,
``it-miur-schools-south-2022-23``, ``us-nyc-doe-class-size-2010-11`` and
``in-udise-state-2021-2024`` with the files their SOURCE.md notes describe.
Each dataset is mapped onto the columns the checks read (year, division_code,
school_code and the figures); nothing is changed. Prints the flags per check
and the first messages of each.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from junheng.ingest import load_inputs
from junheng.monitoring import quality


def show(name: str, flags: pl.DataFrame, examples: int = 3) -> None:
    print(f"\n## {name}: {flags.height} flags")
    for row in quality.summarise_flags(flags).iter_rows(named=True):
        print(f"- {row['check']}: {row['flags']} flags, {row['schools']} schools")
        sample = flags.filter(pl.col("check") == row["check"]).head(examples)
        for line in sample.iter_rows(named=True):
            print(f"    {line['year']} {line['school_code']}: {line['message_en']}")


def taiwan(folder: Path) -> pl.DataFrame:
    csv = folder / "tw_primary_schools_113.csv"
    schools = load_inputs([csv], profile="tw-moe-primary").schools
    per_class = schools.with_columns(
        (pl.col("primary_students") / pl.col("primary_classes")).alias("class_size"),
        (pl.col("primary_teachers") * 100 / pl.col("primary_students")).alias(
            "teachers_per_100"
        ),
        pl.col("location").fill_null("非偏遠"),
    )
    # Copies compare the 12 grade-by-sex pupil counts, 6 class counts and the
    # teacher and staff counts of the published file, not three totals that
    # small schools share by chance.
    raw = pl.read_csv(csv, infer_schema_length=None)
    figures = [
        c for c in raw.columns if c.endswith(("學生數", "班級數", "教師", "職員"))
    ]
    raw = raw.select(
        (pl.col("學年度") + 1911).alias("year"),
        pl.col("鄉鎮市區").alias("division_code"),
        pl.col("學校代碼").cast(pl.String).str.zfill(6).alias("school_code"),
        *figures,
    )
    return pl.concat(
        [
            quality.inconsistent_values(schools),
            quality.peer_outliers(per_class, "class_size", ["location", "city_code"]),
            quality.peer_outliers(
                per_class, "teachers_per_100", ["location", "city_code"]
            ),
            quality.copied_rows(raw, figures, min_nonzero=6),
            quality.digit_preference(
                schools, "primary_students", ["year", "city_code"]
            ),
            quality.benford(schools, "primary_students", ["year"]),
        ]
    )


def italy(folder: Path) -> pl.DataFrame:
    grades = pl.read_csv(folder / "students_classes_by_grade_2022_23.csv")
    registry = pl.read_csv(
        folder / "school_registry_2022_23.csv", infer_schema_length=None
    )
    grades = grades.filter(pl.col("Order").is_in(["Primary", "Middle"])).with_columns(
        (pl.col("Male_students") + pl.col("Female_students")).alias("students")
    )
    schools = (
        grades.group_by("School_code", "Order")
        .agg(pl.col("students").sum(), pl.col("Classes").sum().alias("classes"))
        .join(
            registry.select("School_code", "Province_description", "Cadastral_code"),
            on="School_code",
        )
        .select(
            pl.lit(2022).alias("year"),
            pl.col("Cadastral_code").alias("division_code"),
            pl.col("School_code").alias("school_code"),
            pl.col("Order").alias("section"),
            pl.col("Province_description").alias("province"),
            pl.col("students").alias("primary_students"),
            pl.col("classes").alias("primary_classes"),
            (pl.col("students") / pl.col("classes")).alias("class_size"),
        )
    )
    wide = grades.pivot(
        on="Grade", index="School_code", values="students", aggregate_function="sum"
    ).fill_null(0)
    grade_cols = [c for c in wide.columns if c != "School_code"]
    copies = wide.join(
        schools.select(
            pl.col("school_code").alias("School_code"), "year", "division_code"
        ),
        on="School_code",
    ).rename({"School_code": "school_code"})
    return pl.concat(
        [
            quality.inconsistent_values(schools),
            quality.peer_outliers(schools, "class_size", ["section", "province"]),
            quality.copied_rows(copies, grade_cols),
            quality.digit_preference(schools, "primary_students", ["year", "province"]),
            quality.benford(schools, "primary_students", ["year"]),
        ]
    )


def new_york(folder: Path) -> pl.DataFrame:
    rows = pl.read_csv(
        folder / "nyc_class_size_2010_11_k8.csv", infer_schema_length=None
    )
    rows = rows.rename({c: c.strip() for c in rows.columns}).with_columns(
        pl.lit(2010).alias("year"),
        pl.col("CSD").cast(pl.String).alias("division_code"),
        (pl.col("CSD").cast(pl.String).str.zfill(2) + pl.col("SCHOOL CODE")).alias(
            "school_code"
        ),
    )
    graded = rows.filter(pl.col("GRADE").is_not_null())
    implied = pl.col("NUMBER OF STUDENTS / SEATS FILLED") / pl.col("NUMBER OF SECTIONS")
    average = pl.col("AVERAGE CLASS SIZE")
    low, high = pl.col("SIZE OF SMALLEST CLASS"), pl.col("SIZE OF LARGEST CLASS")
    inconsistent = graded.filter(
        ((implied - average).abs() > 0.5) | (average < low) | (average > high)
    ).select(
        pl.lit("inconsistent").alias("check"),
        "year",
        "division_code",
        "school_code",
        pl.lit("AVERAGE CLASS SIZE").alias("field"),
        average.alias("value"),
        pl.format(
            "grade {} {}: average class {} but {} students / {} sections = {}; "
            "smallest {}, largest {}",
            "GRADE",
            "PROGRAM TYPE",
            average,
            "NUMBER OF STUDENTS / SEATS FILLED",
            "NUMBER OF SECTIONS",
            implied.round(1),
            low,
            high,
        ).alias("message_en"),
    )
    ptr = rows.filter(pl.col("GRADE").is_null()).with_columns(
        pl.col("SCHOOLWIDE PUPIL-TEACHER RATIO").cast(pl.Float64).alias("ptr")
    )
    counts = graded.rename({"NUMBER OF STUDENTS / SEATS FILLED": "students"})
    return pl.concat(
        [
            quality._flags(inconsistent),
            quality.peer_outliers(ptr, "ptr", ["BOROUGH"]),
            quality.digit_preference(counts, "students", ["year", "BOROUGH"]),
        ]
    )


def india(folder: Path) -> pl.DataFrame:
    table = pl.read_csv(folder / "udise_state_schools_enrolment_teachers_2021_2024.csv")
    states = table.filter(pl.col("state_ut_std") != "India").with_columns(
        pl.col("year").str.slice(0, 4).cast(pl.Int64),
        pl.col("state_ut_std").alias("school_code"),
        pl.col("state_ut_std").alias("division_code"),
        pl.col("enrolments").cast(pl.Float64).alias("students"),
    )
    nation = table.filter(pl.col("state_ut_std") == "India")
    sums = states.group_by("year").agg(
        pl.col("schools", "enrolments", "teachers").sum()
    )
    mismatch = sums.join(
        nation.with_columns(pl.col("year").str.slice(0, 4).cast(pl.Int64)),
        on="year",
        suffix="_india",
    ).filter(
        (pl.col("schools") != pl.col("schools_india"))
        | (pl.col("teachers") != pl.col("teachers_india"))
        | (pl.col("enrolments") != pl.col("enrolments_india"))
    )
    print(
        f"\nIndia: years whose states do not add up to the India row: {mismatch.height}"
    )
    zero = states.filter(pl.col("schools_zero_enrolment") > pl.col("schools"))
    print(f"India: states with more zero-enrolment schools than schools: {zero.height}")
    return pl.concat(
        [
            quality.year_jumps(
                states, ["schools", "teachers"], rise=0.2, fall=0.2, ratio=2
            ),
            quality.benford(states, "enrolments", ["year"], min_count=30),
        ]
    )


def main() -> None:
    base = Path(sys.argv[1])
    show("tw-moe-primary-schools-113", taiwan(base / "tw-moe-primary-schools-113"))
    show("it-miur-schools-south-2022-23", italy(base / "it-miur-schools-south-2022-23"))
    show(
        "us-nyc-doe-class-size-2010-11",
        new_york(base / "us-nyc-doe-class-size-2010-11"),
    )
    show("in-udise-state-2021-2024", india(base / "in-udise-state-2021-2024"))


if __name__ == "__main__":
    main()
