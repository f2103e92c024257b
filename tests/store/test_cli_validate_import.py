"""`junheng validate` and `junheng import` agree on the plausibility checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from factories import primary_school
from sqlalchemy import func, select
from store.dbfixtures import Database

from junheng.cli import main
from junheng.ingest.schema import canonical_frame
from junheng.services import accounts
from junheng.services.access import SYSTEM, Role
from junheng.store.divisions import load_divisions
from junheng.store.models import SchoolRecord


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "400")
    monkeypatch.delenv("JUNHENG_DATABASE_URL", raising=False)
    return CliRunner()


def _crowded_class(tmp_path: Path) -> Path:
    # 400 students in 1 class of at most 42: room for 42, not 400.
    source = tmp_path / "plaus.csv"
    crowded = primary_school(
        1, primary_students=400, primary_classes=1, primary_max_class_size=42
    )
    canonical_frame([crowded, primary_school(2)]).write_csv(source)
    return source


def test_validate_rejects_what_import_rejects(
    runner: CliRunner, database: Database, tmp_path: Path
) -> None:
    with database.sessions.begin() as session:
        load_divisions(session, SYSTEM, 2024, within=("41",))
        accounts.create_user(
            session, SYSTEM, "zy", "a long enough password", Role.COUNTY, "410102"
        )
    source = _crowded_class(tmp_path)
    validated = runner.invoke(main, ["validate", source.name])
    imported = runner.invoke(
        main, ["import", source.name, "--user", "zy", "--url", database.url]
    )
    assert validated.exit_code == 3, validated.output
    assert imported.exit_code == 3, imported.output
    issue = (
        "plaus.csv，第 2 行，列 primary_max_class_size：1 个班、每班至多 42 人，"
        "最多容纳 42 人，少于 400 名学生；请更正小学在校生数、小学班级数或小学最大班额"
    )
    assert validated.output.splitlines()[1] == issue
    assert imported.output.splitlines()[1] == issue
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(SchoolRecord)) == 0


def test_validate_plausibility_report(runner: CliRunner, tmp_path: Path) -> None:
    _crowded_class(tmp_path)
    args = ["validate", "plaus.csv", "--errors-report", "e.json"]
    result = runner.invoke(main, args)
    assert result.exit_code == 3, result.output
    assert result.output.startswith("plaus.csv 中有 1 个错误，0 个警告；未导入任何数据")
    assert "plaus.csv，第 2 行，列 primary_max_class_size：" in result.output
    report = (tmp_path / "e.json").read_text(encoding="utf-8")
    assert '"code": "class_size.capacity"' in report


def test_validate_no_plausibility(runner: CliRunner, tmp_path: Path) -> None:
    _crowded_class(tmp_path)
    result = runner.invoke(main, ["validate", "plaus.csv", "--no-plausibility"])
    assert result.exit_code == 0, result.output
    assert result.output.endswith("校验通过：2 条学校记录，0 条县级指标\n")


def test_validate_help_names_difference(runner: CliRunner) -> None:
    result = runner.invoke(main, ["validate", "--help"])
    assert "--no-plausibility" in result.output
    text = " ".join(result.output.split())
    assert "`junheng evaluate` does not apply them" in text
    assert "the user's scope, the division table, records under review" in text
