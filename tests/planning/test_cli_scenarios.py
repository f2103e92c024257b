"""`junheng plan scenarios`: list, show, compare and delete saved scenarios
on SQLite and PostgreSQL. Every result here is synthetic (plan_results.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook
from plan_results import adjust_result, move
from services.people import ERQI, ZHONGYUAN
from sqlalchemy import select
from store.dbfixtures import Database

from junheng.cli import main
from junheng.services import accounts, plans
from junheng.services.access import SYSTEM, Role
from junheng.store.divisions import load_divisions
from junheng.store.models import AuditRecord, PlanScenario

# Hires cost 120,000 yuan each (plan_results.move): 2 hires = 240,000 and
# 3 hires = 360,000 yuan, so B − A is 120,000.
FIRST = [move("4101020001", "中原一小", 1), move("4101020002", "中原二小", 1)]
SECOND = [move("4101020001", "中原一小", 2), move("4101020003", "中原三小", 1)]


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JUNHENG_DATABASE_URL", raising=False)
    return CliRunner()


@pytest.fixture
def saved(database: Database) -> Database:
    with database.sessions.begin() as session:
        load_divisions(session, SYSTEM, 2024, within=("41",))
        plans.save_scenario(session, ZHONGYUAN, adjust_result(FIRST), "两名教师")
        plans.save_scenario(session, ZHONGYUAN, adjust_result(SECOND), "三名教师")
        plans.save_scenario(
            session, ERQI, adjust_result(FIRST, division_code="410103"), "两名教师"
        )
        accounts.create_user(
            session, SYSTEM, "erqi-bureau", "long-enough-pass-1", Role.COUNTY, "410103"
        )
    return database


def _run(runner: CliRunner, db: Database, *args: str) -> Result:
    return runner.invoke(main, ["plan", "scenarios", *args, "--url", db.url])


def _id(db: Database, name: str, county: str) -> int:
    with db.sessions() as session:
        return session.scalars(
            select(PlanScenario.id).where(
                PlanScenario.name == name, PlanScenario.division_code == county
            )
        ).one()


def test_list_all_and_scoped(runner: CliRunner, saved: Database) -> None:
    result = _run(runner, saved, "list", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert sorted((r["division_code"], r["name"]) for r in rows) == [
        ("410102", "三名教师"),
        ("410102", "两名教师"),
        ("410103", "两名教师"),
    ]
    scoped = _run(runner, saved, "list", "--json", "--county", "410103")
    assert [r["division_code"] for r in json.loads(scoped.stdout)] == ["410103"]
    # The county account sees its own county only.
    own = _run(runner, saved, "list", "--json", "--user", "erqi-bureau")
    assert [r["division_code"] for r in json.loads(own.stdout)] == ["410103"]


def test_list_table_in_english(
    runner: CliRunner, saved: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    result = _run(runner, saved, "list", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "3 scenarios" in result.output
    assert "saved by" in result.output


def test_show_by_name_needs_county_when_shared(
    runner: CliRunner, saved: Database
) -> None:
    result = _run(runner, saved, "show", "两名教师", "--lang", "en")
    assert result.exit_code == 3
    assert "2 plan scenarios are named '两名教师'" in result.output
    assert "--county" in result.output
    shown = _run(runner, saved, "show", "两名教师", "-c", "410103", "--format", "json")
    assert shown.exit_code == 0, shown.output
    doc = json.loads(shown.stdout)
    assert doc["scenario"]["division_code"] == "410103"
    assert doc["result"]["summary"]["total_cost"] == 240_000


def test_show_unknown_name_suggests(runner: CliRunner, saved: Database) -> None:
    result = _run(runner, saved, "show", "三名老师", "--lang", "en")
    assert result.exit_code == 5
    assert "no plan scenario named '三名老师'" in result.output
    assert "did you mean 三名教师" in result.output
    chinese = _run(runner, saved, "show", "三名老师")
    assert "没有可查看的名为“三名老师”的规划方案" in chinese.output


def test_show_out_of_scope_is_denied(runner: CliRunner, saved: Database) -> None:
    other = _id(saved, "三名教师", "410102")
    result = _run(runner, saved, "show", str(other), "--user", "erqi-bureau")
    assert result.exit_code == 4
    assert "410102" in result.output


def test_show_table_and_xlsx(
    runner: CliRunner, saved: Database, tmp_path: Path
) -> None:
    table = _run(runner, saved, "show", "三名教师", "--lang", "en")
    assert table.exit_code == 0, table.output
    assert "Hire 3 teachers in all." in table.output
    assert "Moves: 2 rows" in table.output
    written = _run(
        runner, saved, "show", "三名教师", "--format", "xlsx", "-o", "s.xlsx"
    )
    assert written.exit_code == 0, written.output
    assert load_workbook(tmp_path / "s.xlsx").sheetnames == [
        "概览",
        "调整清单",
        "差异系数",
    ]


def test_show_default_name_checked(
    runner: CliRunner, saved: Database, tmp_path: Path
) -> None:
    number = _id(saved, "三名教师", "410102")
    default = tmp_path / f"junheng-scenario-{number}.xlsx"
    default.mkdir()
    refused = _run(runner, saved, "show", str(number), "--format", "xlsx")
    assert refused.exit_code == 2, refused.output
    assert f"cannot write {default.name}: it is a folder, not a file" in refused.output
    default.rmdir()
    written = _run(runner, saved, "show", str(number), "--format", "xlsx")
    assert written.exit_code == 0, written.output
    assert load_workbook(default).sheetnames[0] == "概览"


def test_compare_by_names(runner: CliRunner, saved: Database) -> None:
    result = _run(
        runner, saved, "compare", "两名教师", "三名教师", "-c", "410102", "--json"
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    total = next(i for i in doc["summary"] if i["key"] == "total_cost")
    assert (total["a"], total["b"], total["difference"]) == (240_000, 360_000, 120_000)
    text = _run(
        runner, saved, "compare", "两名教师", "三名教师", "-c", "410102", "--lang", "en"
    )
    assert text.exit_code == 0, text.output
    # 中原一小 1 → 2 hires changed, 中原二小 removed, 中原三小 added.
    assert "Moves: 3 rows differ, 0 are the same" in text.output


def test_compare_across_counties_refused(runner: CliRunner, saved: Database) -> None:
    a, b = _id(saved, "两名教师", "410102"), _id(saved, "两名教师", "410103")
    result = _run(runner, saved, "compare", str(a), str(b), "--lang", "en")
    assert result.exit_code == 3
    assert "differ in kind or county" in result.output


def test_delete_audited_and_scoped(runner: CliRunner, saved: Database) -> None:
    other = _id(saved, "三名教师", "410102")
    denied = _run(runner, saved, "delete", str(other), "--yes", "--user", "erqi-bureau")
    assert denied.exit_code == 4
    result = _run(
        runner,
        saved,
        "delete",
        "两名教师",
        "--yes",
        "--user",
        "erqi-bureau",
        "--lang",
        "en",
    )
    assert result.exit_code == 0, result.output
    assert "deleted scenario" in result.output
    with saved.sessions() as session:
        names = session.scalars(select(PlanScenario.division_code)).all()
        assert sorted(names) == ["410102", "410102"]
        actor = session.scalars(
            select(AuditRecord.actor).where(AuditRecord.action == "plan.delete")
        ).one()
        assert actor == "erqi-bureau"


def test_unknown_user_named(runner: CliRunner, saved: Database) -> None:
    result = _run(runner, saved, "list", "--user", "nobody", "--lang", "en")
    assert result.exit_code == 5
    assert "no active user 'nobody'" in result.output
