"""`junheng demo` writes school years up to the last one that has ended."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from junheng.cli import main
from junheng.demo import latest_complete_school_year


@pytest.mark.parametrize(
    ("today", "year"),
    [
        (dt.date(2026, 12, 5), 2025),
        (dt.date(2026, 9, 1), 2025),  # school year 2025 ended on 31 August
        (dt.date(2026, 8, 31), 2024),
        (dt.date(2027, 1, 1), 2025),
        (dt.date(2027, 8, 31), 2025),
    ],
)
def test_latest_complete_school_year(today: dt.date, year: int) -> None:
    assert latest_complete_school_year(today) == year


def _years(runner: CliRunner, tmp_path: Path, *args: str) -> list[int]:
    out = tmp_path / "demo.json"
    command = ["demo", "--counties", "2", "--schools-per-county", "5"]
    result = runner.invoke(main, [*command, *args, "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    return sorted({county["year"] for county in doc["counties"]})


def test_demo_years_end_at_last_complete_year(
    runner: CliRunner, tmp_path: Path
) -> None:
    last = latest_complete_school_year()
    assert _years(runner, tmp_path, "--years", "5") == list(range(last - 4, last + 1))
    assert last < dt.date.today().year  # never a school year that is still running


def test_demo_last_year_option(runner: CliRunner, tmp_path: Path) -> None:
    assert _years(runner, tmp_path, "--years", "3", "--last-year", "2020") == [
        2018,
        2019,
        2020,
    ]


def test_demo_numbers_do_not_depend_on_years(runner: CliRunner, tmp_path: Path) -> None:
    # The seed fixes the numbers; the years only label them.
    numbers = []
    for last in ("2020", "2030"):
        out = tmp_path / f"{last}.json"
        args = ["demo", "--counties", "2", "--last-year", last, "--format", "json"]
        result = runner.invoke(main, [*args, "-o", str(out)])
        assert result.exit_code == 0, result.output
        counties = json.loads(out.read_text(encoding="utf-8"))["counties"]
        numbers.append([(c["division_code"], c["verdict"]) for c in counties])
    assert numbers[0] == numbers[1]
