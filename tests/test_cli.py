"""The command line, run in-process on real files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from factories import primary_school

from junheng.cli import main
from junheng.ingest.schema import canonical_frame

TAIWAN = (
    Path(__file__).parents[1]
    / "examples/data/tw-moe-primary-schools-113/tw_primary_schools_113.csv"
)


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def _schools_csv(path: Path, **changes: object) -> Path:
    canonical_frame([primary_school(1, **changes), primary_school(2)]).write_csv(path)
    return path


def test_demo_runs_small(runner: CliRunner) -> None:
    result = runner.invoke(main, ["demo", "--counties", "3"])
    assert result.exit_code == 0, result.output
    assert "合成数据" in result.output


def test_saved_demo_keeps_synthetic_notice(runner: CliRunner, tmp_path: Path) -> None:
    from junheng.demo import SYNTHETIC

    saved = runner.invoke(main, ["demo", "--counties", "2", "--save", "d.parquet"])
    assert saved.exit_code == 0, saved.output
    files = ["d.parquet", "d.county_items.parquet"]
    result = runner.invoke(
        main, ["evaluate", *files, "--format", "json", "-o", "out.json"]
    )
    assert result.exit_code == 0, result.output
    assert "合成数据" in result.output
    doc = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert doc["notes"][0] == SYNTHETIC


def test_real_data_has_no_synthetic_notice(runner: CliRunner, tmp_path: Path) -> None:
    source = _schools_csv(tmp_path / "schools.csv")
    result = runner.invoke(
        main, ["evaluate", str(source), "--format", "json", "-o", "out.json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert not any("合成数据" in note for note in doc["notes"])


def test_evaluate_json_to_file(runner: CliRunner, tmp_path: Path) -> None:
    source = _schools_csv(tmp_path / "schools.csv")
    result = runner.invoke(
        main, ["evaluate", str(source), "--format", "json", "-o", "out.json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert doc["counties"][0]["division_code"] == "410102"
    assert doc["counties"][0]["verdict"] == "incomplete"


def test_bad_input_writes_no_output(runner: CliRunner, tmp_path: Path) -> None:
    source = _schools_csv(tmp_path / "bad.csv", primary_students=-5)
    result = runner.invoke(
        main, ["evaluate", str(source), "--format", "html", "-o", "out.html"]
    )
    assert result.exit_code == 3
    assert not (tmp_path / "out.html").exists()
    assert (tmp_path / "junheng-errors.xlsx").exists()
    assert "-5" in result.output


def test_output_cannot_replace_input(runner: CliRunner, tmp_path: Path) -> None:
    source = _schools_csv(tmp_path / "schools.csv")
    before = source.read_bytes()
    result = runner.invoke(
        main, ["evaluate", str(source), "--format", "json", "-o", str(source)]
    )
    assert result.exit_code == 2
    assert source.read_bytes() == before


def test_output_suffix_must_match(runner: CliRunner, tmp_path: Path) -> None:
    source = _schools_csv(tmp_path / "schools.csv")
    result = runner.invoke(
        main, ["evaluate", str(source), "--format", "json", "-o", "out.xlsx"]
    )
    assert result.exit_code == 2
    assert "does not end in .json" in result.output


def test_table_rejects_output(runner: CliRunner, tmp_path: Path) -> None:
    source = _schools_csv(tmp_path / "schools.csv")
    result = runner.invoke(main, ["evaluate", str(source), "-o", "out.txt"])
    assert result.exit_code == 2


def test_errors_report_suffix_checked(runner: CliRunner, tmp_path: Path) -> None:
    source = _schools_csv(tmp_path / "schools.csv")
    result = runner.invoke(
        main, ["evaluate", str(source), "--errors-report", "errors.txt"]
    )
    assert result.exit_code == 2
    assert "must end in .xlsx or .json" in result.output


def test_filters_matching_nothing(runner: CliRunner, tmp_path: Path) -> None:
    source = _schools_csv(tmp_path / "schools.csv")
    result = runner.invoke(main, ["evaluate", str(source), "--year", "1999"])
    assert result.exit_code == 3
    assert "no school rows match" in result.output


def test_filter_message_names_given_options(runner: CliRunner, tmp_path: Path) -> None:
    source = _schools_csv(tmp_path / "schools.csv")
    result = runner.invoke(main, ["evaluate", str(source), "--county", "11"])
    assert result.exit_code == 3
    assert "no school rows match --county 11;" in result.output
    assert "None" not in result.output


def test_filter_message_in_chinese(runner: CliRunner, tmp_path: Path) -> None:
    source = _schools_csv(tmp_path / "schools.csv")
    args = ["evaluate", str(source), "--county", "11", "--year", "2024"]
    result = runner.invoke(main, args)
    assert result.exit_code == 3
    output = " ".join(result.output.split())  # undo the terminal's line wrapping
    assert "没有学校数据行符合 --year 2024 和 --county 11；输入中的学年为" in output
    assert "no school rows match --year 2024 and --county 11;" in output


def _taiwan_document(runner: CliRunner) -> dict[str, Any]:
    result = runner.invoke(
        main,
        [
            "evaluate",
            str(TAIWAN),
            "--profile",
            "tw-moe-primary",
            "--framework",
            "tw-moe-primary-example",
            "--format",
            "json",
            "--no-schools",
            "-o",
            "tw.json",
        ],
    )
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(Path("tw.json").read_text(encoding="utf-8"))
    return doc


def test_taiwan_example_evaluates(runner: CliRunner) -> None:
    doc = _taiwan_document(runner)
    assert doc["summary"]["counties"] == 367
    assert doc["summary"]["incomplete"] == 0


def test_frameworks_lists_builtin(runner: CliRunner) -> None:
    result = runner.invoke(main, ["frameworks"])
    assert result.exit_code == 0
    assert "cn-2017-quality" in result.output


def test_template_written(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["template", "-o", "t.xlsx"])
    assert result.exit_code == 0
    assert (tmp_path / "t.xlsx").stat().st_size > 0


def test_districts_in_number_order(runner: CliRunner) -> None:
    doc = _taiwan_document(runner)
    prefixes = [int(c["division_code"].split("-")[0]) for c in doc["counties"]]
    assert prefixes == sorted(prefixes)


def test_platform_commands_load_lazily() -> None:
    # A fresh interpreter, because this one has imported the platform already.
    code = (
        "import sys, junheng.cli; "
        "print('sqlalchemy' in sys.modules, 'junheng.cli.platform' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["False", "False"]


def test_lazy_command_runs(runner: CliRunner) -> None:
    result = runner.invoke(main, ["db", "--help"])
    assert result.exit_code == 0, result.output
    assert "database" in result.output


def test_validate_prints_chinese_by_default(runner: CliRunner, tmp_path: Path) -> None:
    source = _schools_csv(tmp_path / "bad.csv", primary_students=-5)
    result = runner.invoke(main, ["validate", str(source), "--errors-report", "e.json"])
    assert result.exit_code == 3
    assert "值“-5”是负数" in result.output
    assert "未导入任何数据" in result.output
    report = json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))
    assert report["lang"] == "zh"
    assert report["issues"][0]["message"] == "值“-5”是负数"


def test_validate_prints_english(runner: CliRunner, tmp_path: Path) -> None:
    source = _schools_csv(tmp_path / "bad.csv", primary_students=-5)
    result = runner.invoke(
        main, ["validate", str(source), "--lang", "en", "--errors-report", "e.json"]
    )
    assert result.exit_code == 3
    assert "value '-5' is negative" in result.output
    assert "Nothing was imported" in result.output
    assert "值“-5”" not in result.output
    report = json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))
    assert report["issues"][0]["message"] == "value '-5' is negative"


def test_evaluate_errors_follow_lang(runner: CliRunner, tmp_path: Path) -> None:
    source = _schools_csv(tmp_path / "bad.csv", primary_students=-5)
    result = runner.invoke(
        main, ["evaluate", str(source), "--lang", "en", "--errors-report", "e.json"]
    )
    assert result.exit_code == 3
    report = json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))
    assert report["lang"] == "en"
    assert report["issues"][0]["fix"] == "enter 0 or a positive number of students (人)"


def _items_csv(path: Path, *rows: str) -> Path:
    """Write county items, one ``year,division_code,item,value,`` row each."""
    header = "year,division_code,item,value,evidence\n"
    path.write_text(header + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


def _flat_output(result: Any) -> str:
    return " ".join(result.output.split())  # undo the terminal's line wrapping


def test_items_without_schools_warned(runner: CliRunner, tmp_path: Path) -> None:
    # The schools are all of 410102 in 2024, so the items of 410103 and those
    # of 410102 in 2023 have no school rows, and both county-years are named.
    schools = _schools_csv(tmp_path / "schools.csv")
    items = _items_csv(
        tmp_path / "items.csv",
        "2024,410102,S1,90,",
        "2024,410103,S1,90,",
        "2023,410102,S1,90,",
    )

    chinese = runner.invoke(main, ["evaluate", str(schools), str(items)])
    assert chinese.exit_code == 0, chinese.output
    assert "2 个县域学年没有学校数据" in _flat_output(chinese)
    assert "410102（2023）、410103（2024）" in _flat_output(chinese)

    english = runner.invoke(
        main, ["evaluate", str(schools), str(items), "--lang", "en"]
    )
    assert "2 county-years in the county items have no school rows" in _flat_output(
        english
    )
    assert "410102 (2023), 410103 (2024)" in _flat_output(english)

    single_items = _items_csv(tmp_path / "single.csv", "2024,410103,S1,90,")
    single = runner.invoke(
        main, ["evaluate", str(schools), str(single_items), "--lang", "en"]
    )
    assert "1 county-year in the county items has no school rows and was" in (
        _flat_output(single)
    )

    matched = runner.invoke(
        main,
        ["evaluate", str(schools), str(items), "--year", "2024", "--county", "410102"],
    )
    assert "没有学校数据" not in matched.output


def test_partly_synthetic_input_named(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from junheng import demo

    monkeypatch.setenv("COLUMNS", "400")  # the notice on one line
    _schools_csv(tmp_path / "real.csv")
    real = "real.csv"
    schools = demo.generate_schools(counties=1, schools_per_county=8, seed=3)
    demo.save_dataset(schools, demo.generate_county_items(schools, seed=3), "d.parquet")
    args = ["evaluate", real, "d.parquet", "--format", "json", "-o", "out.json"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    notice = (
        "合成数据：输入文件 d.parquet 由 junheng demo 随机生成，仅供演示和测试，"
        f"不反映任何真实学校或县区的情况；其余输入文件 {real} 不是合成数据。"
        "SYNTHETIC DATA: the input file d.parquet was generated at random by "
        "junheng demo for demonstration and testing and describes no real school "
        f"or county. The other input file ({real}) is not synthetic."
    )
    doc = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert doc["notes"][0] == notice
    assert f"{notice}\n" in result.stderr


def _school_without_students(path: Path) -> Path:
    """Write two schools of 410102 in 2024, the first without any students."""
    empty = {
        name: 0
        for name in (
            "primary_students",
            "primary_classes",
            "primary_max_class_size",
            "primary_teachers",
            "primary_teachers_above_required_degree",
            "primary_backbone_teachers",
            "primary_pe_art_teachers",
            "primary_teachers_intermediate_title",
        )
    }
    return _schools_csv(path, **empty)


def test_reports_keep_warnings(runner: CliRunner, tmp_path: Path) -> None:
    # Row 2 of the schools (the first school) has no students, and the items
    # of 410103 in 2023 have no school rows.
    schools = _school_without_students(tmp_path / "schools.csv")
    items = _items_csv(
        tmp_path / "items.csv", "2024,410102,S1,90,", "2023,410103,S1,90,"
    )
    files = [str(schools), str(items)]

    result = runner.invoke(
        main, ["evaluate", *files, "--format", "json", "-o", "out.json"]
    )
    assert result.exit_code == 0, result.output
    # The terminal still prints both warnings.
    assert "警告：" in result.output
    assert "1 个县域学年没有学校数据" in _flat_output(result)
    doc = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    empty, orphan = doc["warnings"]
    assert empty == {
        "file": "schools.csv",
        "sheet": None,
        "row": 2,
        "column": "primary_students",
        "value": "0",
        "message": "学校各学段都没有在校生；该校仍会导入，其生均指标为空",
        "fix": "如果该校本学年在办学，请核对在校生数",
        "severity": "warning",
        "rule": "no_students",
        "code": "no_students",
    }
    assert orphan == {
        "file": "schools.csv, items.csv",
        "sheet": None,
        "row": None,
        "column": None,
        "value": "410103（2023）",
        "message": "县级指标中有 1 个县域学年没有学校数据，未参与评估：410103（2023）",
        "fix": "请核对行政区划代码和学年。",
        "severity": "warning",
        "rule": "items_without_schools",
        "code": "items_without_schools",
    }


def test_reports_keep_warnings_english(runner: CliRunner, tmp_path: Path) -> None:
    schools = _school_without_students(tmp_path / "schools.csv")
    items = _items_csv(tmp_path / "items.csv", "2023,410103,S1,90,")
    files = [str(schools), str(items), "--lang", "en"]

    saved = runner.invoke(
        main, ["evaluate", *files, "--format", "xlsx", "-o", "r.xlsx"]
    )
    assert saved.exit_code == 0, saved.output
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx")["Import warnings"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "file",
        "sheet",
        "row",
        "column",
        "value",
        "message",
        "fix",
        "code",
    ]
    assert rows[1][:5] == ["schools.csv", None, 2, "primary_students", "0"]
    assert rows[1][7] == "no_students"
    assert rows[2] == [
        "schools.csv, items.csv",
        None,
        None,
        None,
        "410103 (2023)",
        "1 county-year in the county items has no school rows and was not "
        "evaluated: 410103 (2023)",
        "Check the division codes and years.",
        "items_without_schools",
    ]

    page = runner.invoke(main, ["evaluate", *files, "--format", "html", "-o", "r.html"])
    assert page.exit_code == 0, page.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert '<a href="#warnings">The import gave 2 warnings' in html
    section = html[html.index('<section id="warnings"') :]
    section = section[: section.index("</section>")]
    assert "<h2>Import warnings</h2>" in section
    assert '<td class="code">items_without_schools</td>' in section


def test_reports_without_warnings(runner: CliRunner, tmp_path: Path) -> None:
    schools = _schools_csv(tmp_path / "schools.csv")
    result = runner.invoke(
        main, ["evaluate", str(schools), "--format", "json", "-o", "out.json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert doc["warnings"] == []
