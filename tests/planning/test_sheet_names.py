"""Sheet names of the plan workbooks: whole titles that Excel does not cut."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from junheng import demo
from junheng.cli import main
from junheng.planning.result import PlanResult, PlanTable, write_xlsx
from junheng.planning.synthetic import generate_locations, generate_roster

OVERVIEW = {"zh": "概览", "en": "Overview"}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("plans")
    schools = demo.generate_schools(counties=2, schools_per_county=12, seed=5)
    county = schools["division_code"][0]
    locations = generate_locations(schools, seed=5)
    roster = generate_roster(
        schools.filter(schools["division_code"] == county), seed=5, locations=locations
    )
    paths = {
        "schools": folder / "schools.parquet",
        "roster": folder / "roster.csv",
        "locations": folder / "loc.csv",
    }
    schools.write_parquet(paths["schools"])
    roster.write_csv(paths["roster"])
    locations.write_csv(paths["locations"])
    return {**{k: str(v) for k, v in paths.items()}, "county": county}


def _commands(f: dict[str, str]) -> dict[str, list[str]]:
    return {
        "adjust": ["adjust", f["schools"], "--county", f["county"]],
        "adjust every county": ["adjust", f["schools"], "-j", "1"],
        "pair": [
            "pair",
            f["schools"],
            "--division",
            f["county"][:2],
            "--cross-county",
            "--capacity",
            "3",
            "--locations",
            f["locations"],
        ],
        "rotate": [
            "rotate",
            f["roster"],
            f["schools"],
            "--county",
            f["county"],
            "--locations",
            f["locations"],
        ],
    }


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("command", ["adjust", "adjust every county", "pair", "rotate"])
def test_sheet_names_are_whole_titles(
    files: dict[str, str], tmp_path: Path, command: str, lang: str
) -> None:
    args = ["plan", *_commands(files)[command], "--lang", lang]
    as_json = CliRunner().invoke(main, [*args, "--format", "json"])
    assert as_json.exit_code in (0, 4), as_json.output
    titles = [t[f"title_{lang}"] for t in json.loads(as_json.stdout)["tables"]]
    path = tmp_path / "plan.xlsx"
    errors = ["--errors-report", str(tmp_path / "errors.json")]
    written = CliRunner().invoke(
        main, [*args, *errors, "--format", "xlsx", "-o", str(path)]
    )
    assert written.exit_code == as_json.exit_code, written.output
    names = load_workbook(path).sheetnames
    assert len(titles) >= 3
    # Each sheet is named by its whole title, so no word is cut.
    assert names == [OVERVIEW[lang], *titles]
    assert all(len(name) <= 31 for name in names)


def test_long_title_loses_whole_words(tmp_path: Path) -> None:
    # A title over 31 characters, such as one in a saved scenario, is cut at a
    # space.
    title = "School indicators before and after"
    result = PlanResult("adjust", "410102", 2024, "cn-2017-quality", True)
    result.tables = [
        PlanTable("schools", "学校指标调整前后", title, []),
        PlanTable("again", "学校指标调整前后", title, []),
    ]
    path = tmp_path / "plan.xlsx"
    write_xlsx(result, path, lang="en")
    assert load_workbook(path).sheetnames == [
        "Overview",
        "School indicators before and",
        "School indicators before (2)",
    ]
