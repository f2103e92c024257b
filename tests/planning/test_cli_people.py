"""``junheng plan rotate`` and ``junheng plan pair`` on synthetic files."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from junheng import demo
from junheng.cli import main
from junheng.planning.roster import ROSTER_SCHEMA, read_locations, read_roster
from junheng.planning.synthetic import (
    SYNTHETIC_ROSTER,
    generate_locations,
    generate_roster,
    mark,
)


def _files(tmp_path: Path) -> tuple[Path, Path, Path, str]:
    schools = demo.generate_schools(counties=2, schools_per_county=12, seed=5)
    county = schools["division_code"][0]
    locations = generate_locations(schools, seed=5)
    roster = generate_roster(
        schools.filter(schools["division_code"] == county), seed=5, locations=locations
    )
    paths = (
        tmp_path / "schools.parquet",
        tmp_path / "roster.csv",
        tmp_path / "loc.csv",
    )
    schools.write_parquet(paths[0])
    roster.write_csv(paths[1])
    locations.write_csv(paths[2])
    return *paths, county


def test_rotate_writes_json_and_xlsx(tmp_path: Path) -> None:
    schools, roster, locations, county = _files(tmp_path)
    runner = CliRunner()
    args = ["plan", "rotate", str(roster), str(schools), "--county", county]
    result = runner.invoke(
        main, [*args, "--locations", str(locations), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert plan["kind"] == "rotation"
    assert plan["feasible"] is True
    target = tmp_path / "plan.xlsx"
    result = runner.invoke(main, [*args, "--format", "xlsx", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "交流名单" in load_workbook(target).sheetnames


def test_pair_prints_a_table(tmp_path: Path) -> None:
    schools, _, locations, county = _files(tmp_path)
    result = CliRunner().invoke(
        main,
        [
            "plan",
            "pair",
            str(schools),
            "--division",
            county[:2],
            "--cross-county",
            "--capacity",
            "3",
            "--locations",
            str(locations),
            "--lang",
            "en",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "education communities" in result.stdout


def test_rotate_reports_roster_errors(tmp_path: Path) -> None:
    schools, _, _, county = _files(tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text("teacher_id,school_code\nT1,x\n", encoding="utf-8")
    report = tmp_path / "errors.json"
    result = CliRunner().invoke(
        main,
        [
            "plan",
            "rotate",
            str(bad),
            str(schools),
            "--county",
            county,
            "--errors-report",
            str(report),
        ],
    )
    assert result.exit_code == 3
    issues = json.loads(report.read_text(encoding="utf-8"))["issues"]
    assert any(i["column"] == "school_code" and i["value"] == "x" for i in issues)


def test_demo_saves_a_synthetic_roster(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    result = CliRunner().invoke(
        main,
        [
            "demo",
            "--counties",
            "1",
            "--save-roster",
            str(roster),
            "--format",
            "json",
            "-o",
            str(tmp_path / "demo.json"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "SYNTHETIC" in result.output
    assert roster.read_text(encoding="utf-8").startswith("teacher_id,")
    assert (tmp_path / "roster-locations.csv").exists()


def _saved_as_demo(tmp_path: Path) -> tuple[Path, Path, str]:
    """Save the schools of ``_files`` as `junheng demo --save` saves them, and
    the roster as `junheng demo --save-roster` marks it."""
    schools, roster, _, county = _files(tmp_path)
    frame = pl.read_parquet(schools)
    saved = tmp_path / "demo.parquet"
    demo.save_dataset(frame, demo.generate_county_items(frame, seed=5), saved)
    mark(pl.read_csv(roster)).write_csv(roster)
    return saved, roster, county


def _overview(path: Path) -> list[object]:
    """Return the first cells of the overview sheet of a plan workbook."""
    sheet = load_workbook(path).worksheets[0]
    return [row[0] for row in sheet.iter_rows(values_only=True)]


def test_pair_of_demo_data_is_labelled(tmp_path: Path) -> None:
    saved, _, county = _saved_as_demo(tmp_path)
    runner = CliRunner(env={"COLUMNS": "400"})  # the notice on one line
    args = ["plan", "pair", str(saved), "-d", county]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert f"{demo.SYNTHETIC_ZH}\n" in result.stdout
    target = tmp_path / "pair.xlsx"
    result = runner.invoke(main, [*args, "--format", "xlsx", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert f"{demo.SYNTHETIC}\n" in result.stderr
    assert demo.SYNTHETIC_ZH in _overview(target)
    result = runner.invoke(main, [*args, "--format", "json", "--lang", "en"])
    plan = json.loads(result.stdout)
    assert plan["messages_zh"][0] == demo.SYNTHETIC_ZH
    assert plan["messages_en"][0] == demo.SYNTHETIC_EN


def test_rotate_of_demo_data_is_labelled(tmp_path: Path) -> None:
    saved, roster, county = _saved_as_demo(tmp_path)
    target = tmp_path / "rotate.xlsx"
    args = ["plan", "rotate", str(roster), str(saved), "--county", county]
    result = CliRunner(env={"COLUMNS": "400"}).invoke(
        main, [*args, "--format", "xlsx", "--lang", "en", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert f"{demo.SYNTHETIC}\n" in result.stderr
    assert demo.SYNTHETIC_EN in _overview(target)


def test_unmarked_data_plan_not_labelled(tmp_path: Path) -> None:
    schools, _, _, county = _files(tmp_path)
    result = CliRunner().invoke(
        main, ["plan", "pair", str(schools), "-d", county, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert "合成数据" not in result.output
    plan = json.loads(result.stdout)
    assert not any("SYNTHETIC" in m for m in plan["messages_en"])


@pytest.fixture(scope="module")
def demo_roster(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A roster and locations saved by `junheng demo --save-roster`, and the
    demo's school data saved again without the synthetic marker."""
    folder = tmp_path_factory.mktemp("demo-roster")
    saved, roster = folder / "d.parquet", folder / "roster.csv"
    result = CliRunner().invoke(
        main,
        [
            *("demo", "--counties", "1", "--schools-per-county", "15"),
            *("--save", str(saved), "--save-roster", str(roster)),
            *("--format", "json", "-o", str(folder / "demo.json")),
        ],
    )
    assert result.exit_code == 0, result.output
    plain = folder / "plain.parquet"
    pl.read_parquet(saved).write_parquet(plain)
    return plain, roster, folder / "roster-locations.csv"


def test_demo_roster_carries_the_notice(demo_roster: tuple[Path, Path, Path]) -> None:
    plain, roster, locations = demo_roster
    for path in (roster, locations):
        notes = pl.read_csv(path)["note"]
        assert notes[0] == SYNTHETIC_ROSTER
        assert notes.null_count() == len(notes) - 1
        assert demo.is_synthetic(path)
    assert not demo.is_synthetic(plain)
    # The readers accept the note column and leave it out.
    assert read_roster(roster).columns == list(ROSTER_SCHEMA)
    assert read_locations(locations).columns == ["school_code", "lat", "lon"]


def _partial_notice(synthetic: list[Path], real: Path) -> tuple[str, str]:
    names = ", ".join(str(p) for p in synthetic)
    return (
        f"合成数据：输入文件 {'、'.join(str(p) for p in synthetic)} 由 junheng demo "
        "随机生成，仅供演示和测试，不反映任何真实学校或县区的情况；其余输入文件 "
        f"{real} 不是合成数据。",
        f"SYNTHETIC DATA: the input files {names} were generated at random by "
        "junheng demo for demonstration and testing and describe no real school "
        f"or county. The other input file ({real}) is not synthetic.",
    )


def test_rotate_labels_a_demo_roster(demo_roster: tuple[Path, Path, Path]) -> None:
    plain, roster, locations = demo_roster
    county = pl.read_parquet(plain)["division_code"][0]
    args = ["plan", "rotate", str(roster), str(plain), "--county", county]
    runner = CliRunner(env={"COLUMNS": "1000"})  # the notice on one line
    zh, en = _partial_notice([roster, locations], plain)
    result = runner.invoke(
        main, [*args, "--locations", str(locations), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert plan["messages_zh"][0] == zh
    assert plan["messages_en"][0] == en
    assert f"{zh}{en}\n" in result.stderr
    # Without --locations only the roster is named.
    zh, _ = _partial_notice([roster], plain)
    table = runner.invoke(main, args)
    assert table.exit_code == 0, table.output
    assert f"{zh}\n" in table.stdout


def test_pair_labels_demo_locations(demo_roster: tuple[Path, Path, Path]) -> None:
    plain, _, locations = demo_roster
    county = pl.read_parquet(plain)["division_code"][0]
    args = ["plan", "pair", str(plain), "-d", county, "--locations", str(locations)]
    result = CliRunner().invoke(main, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["messages_en"][0] == (
        f"SYNTHETIC DATA: the input file {locations} was generated at random by "
        "junheng demo for demonstration and testing and describes no real school "
        f"or county. The other input file ({plain}) is not synthetic."
    )


def test_gbk_copy_of_demo_roster_still_labelled(
    demo_roster: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    plain, roster, _ = demo_roster
    gbk = tmp_path / "roster-gbk.csv"
    gbk.write_bytes(roster.read_text("utf-8").encode("gbk"))
    assert demo.is_synthetic(gbk)
    county = pl.read_parquet(plain)["division_code"][0]
    result = CliRunner().invoke(
        main,
        [
            *("plan", "rotate", str(gbk), str(plain), "--county", county),
            *("--encoding", "gbk", "--format", "json"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["messages_en"][0].startswith(
        f"SYNTHETIC DATA: the input file {gbk} was generated"
    )


def test_other_note_does_not_mark_a_roster(
    demo_roster: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    plain, roster, _ = demo_roster
    # A roster of one's own may use the 说明 column for anything.
    frame = (
        pl.read_csv(roster)
        .with_columns(pl.lit("2025 年秋季名册").alias("note"))
        .rename({"note": "说明"})
    )
    own = tmp_path / "own.csv"
    frame.write_csv(own)
    assert not demo.is_synthetic(own)
    county = pl.read_parquet(plain)["division_code"][0]
    result = CliRunner().invoke(
        main,
        [
            "plan",
            "rotate",
            str(own),
            str(plain),
            "--county",
            county,
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "合成数据" not in result.output


def test_demo_roster_saved_as_xlsx_keeps_the_notice(tmp_path: Path) -> None:
    saved, roster = tmp_path / "d.parquet", tmp_path / "roster.xlsx"
    result = CliRunner().invoke(
        main,
        [
            *("demo", "--counties", "1", "--schools-per-county", "15"),
            *("--save", str(saved), "--save-roster", str(roster)),
            *("--format", "json", "-o", str(tmp_path / "demo.json")),
        ],
    )
    assert result.exit_code == 0, result.output

    locations = tmp_path / "roster-locations.xlsx"
    for path in (roster, locations):
        notes = pl.read_excel(path)["note"]
        assert notes[0] == SYNTHETIC_ROSTER
        assert notes.null_count() == len(notes) - 1
        assert demo.is_synthetic(path)
        properties = load_workbook(path).properties
        assert properties.description == SYNTHETIC_ROSTER
    assert read_roster(roster).columns == list(ROSTER_SCHEMA)
    assert read_roster(roster).height == pl.read_excel(roster).height
    assert read_locations(locations).columns == ["school_code", "lat", "lon"]

    # Plans name the roster and locations workbooks as synthetic inputs.
    plain = tmp_path / "plain.parquet"
    pl.read_parquet(saved).write_parquet(plain)
    county = pl.read_parquet(plain)["division_code"][0]
    rotated = CliRunner(env={"COLUMNS": "1000"}).invoke(
        main,
        [
            *("plan", "rotate", str(roster), str(plain), "--county", county),
            *("--locations", str(locations), "--format", "json"),
        ],
    )
    assert rotated.exit_code == 0, rotated.output
    zh, en = _partial_notice([roster, locations], plain)
    plan = json.loads(rotated.stdout)
    assert plan["messages_zh"][0] == zh
    assert plan["messages_en"][0] == en


def test_demo_roster_csv_resaved_as_xlsx_labelled(
    demo_roster: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    # As Excel saves a CSV file opened in it: the data and the note column,
    # without the workbook properties.
    _, roster, _ = demo_roster
    copy = tmp_path / "roster.xlsx"
    pl.read_csv(roster).write_excel(copy)
    assert demo.is_synthetic(copy)
    plain_copy = tmp_path / "own.xlsx"
    pl.read_csv(roster).drop("note").write_excel(plain_copy)
    assert not demo.is_synthetic(plain_copy)
