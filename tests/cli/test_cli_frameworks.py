"""Framework and profile files on the command line: errors, warnings, brackets."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli.cli_files import schools_csv
from click.testing import CliRunner

from junheng.cli import main

BOOKS = """id: with-books
extends: cn-2017-quality
name: {zh: 加图书, en: With books}
resource_indicators:
  - id: L8
    name: {zh: 生均图书, en: Books per student}
    unit: {zh: 册, en: books per student}
    formula: books / students
    threshold: {primary: 25, junior: 35}
"""


def test_yaml_error_keeps_brackets(runner: CliRunner, tmp_path: Path) -> None:
    # "[primary, junior" was read as a Rich markup tag and dropped.
    schools_csv(tmp_path / "in.csv")
    (tmp_path / "b.yaml").write_text(
        "id: p\nextends: cn-2017-quality\nsections: [primary, junior\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, ["evaluate", "in.csv", "-f", "b.yaml"])
    assert result.exit_code == 2
    assert result.output == (
        "错误 / error: b.yaml：第 4 行第 1 列的 YAML 语法有误，请按下文英文说明改正"
        " / b.yaml: invalid YAML: while parsing a flow sequence\n"
        '  in "b.yaml", line 3, column 11:\n'
        "    sections: [primary, junior\n"
        "              ^\n"
        "expected ',' or ']', but got '<stream end>'\n"
        '  in "b.yaml", line 4, column 1:\n'
        "    \n"
        "    ^\n"
    )
    assert not (tmp_path / "junheng-errors.xlsx").exists()


def test_profile_error_keeps_brackets(runner: CliRunner, tmp_path: Path) -> None:
    schools_csv(tmp_path / "in.csv")
    (tmp_path / "p.yaml").write_text("id: x\ncolumns: [a, b\n", encoding="utf-8")
    result = runner.invoke(main, ["evaluate", "in.csv", "-p", "p.yaml"])
    assert result.exit_code == 2
    assert "    columns: [a, b\n             ^\n" in result.output
    assert "expected ',' or ']'" in result.output


def test_bracketed_path_printed_as_given(runner: CliRunner, tmp_path: Path) -> None:
    schools_csv(tmp_path / "in.csv")
    args = ["evaluate", "in.csv", "--format", "json", "-o", "[red]x[/red].json"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.output.endswith("已写入 / written: [red]x[/red].json\n")


def test_path_reusing_builtin_id_refused(runner: CliRunner, tmp_path: Path) -> None:
    schools_csv(tmp_path / "in.csv")
    fake = tmp_path / "b10.yaml"
    fake.write_text(
        "id: cn-2017-quality\nextends: cn-2017-quality\nresource_indicators:\n"
        "  - {id: L6, threshold: {primary: 2500, junior: 3000}}\n",
        encoding="utf-8",
    )
    args = ["evaluate", "in.csv", "-f", "b10.yaml", "--format", "json", "-o", "r.json"]
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert "b10.yaml: id 'cn-2017-quality' is already the id of the framework in " in (
        result.output
    )
    assert "Give the file its own id, for example 'id: cn-2017-quality-b10'." in (
        result.output
    )
    assert not (tmp_path / "r.json").exists()


def test_override_warning_printed(runner: CliRunner, tmp_path: Path) -> None:
    schools_csv(tmp_path / "in.csv")
    (tmp_path / "books.yaml").write_text(BOOKS, encoding="utf-8")
    args = ["evaluate", "in.csv", "-f", "books.yaml", "--format", "json"]
    result = runner.invoke(main, [*args, "-o", "r.json", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "warning: books.yaml: this override changes the resource indicators from "
        "7 to 8 but does not set school_rule.min_met, so it keeps 6 from "
        "'cn-2017-quality' and the school rule is now 'at least 6 of 8'. Set "
        "school_rule: {min_met: N} in the file, N being the indicators every "
        "school must meet.\n"
    )
    chinese = runner.invoke(main, [*args, "-o", "r.json"])
    assert chinese.output.startswith(
        "警告：books.yaml：本文件把资源配置指标由 7 项改为 8 项，但没有设置 "
        "school_rule.min_met，沿用“cn-2017-quality”的 6，学校规则因此变为"
        "“8 项中至少 6 项达标”。"
    )


def test_frameworks_lists_warning(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "books.yaml").write_text(BOOKS, encoding="utf-8")
    monkeypatch.setenv("JUNHENG_FRAMEWORKS", str(folder))
    result = runner.invoke(main, ["frameworks", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert (
        f"warning: {folder / 'books.yaml'}: this override changes the resource "
        "indicators from 7 to 8"
    ) in result.output
    assert "with-books" in result.output


def test_frameworks_table_keeps_brackets(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "p.yaml").write_text(
        "id: p-1\nextends: cn-2017-quality\nname: {zh: '省[试行]', en: '[draft]'}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("JUNHENG_FRAMEWORKS", str(folder))
    result = runner.invoke(main, ["frameworks"])
    assert result.exit_code == 0, result.output
    assert "省[试行]" in result.output
    assert "[draft]" in result.output


def test_unknown_parent_named(runner: CliRunner, tmp_path: Path) -> None:
    schools_csv(tmp_path / "in.csv")
    (tmp_path / "b3.yaml").write_text(
        "id: prov-parent\nextends: cn-2017-qualty\n", encoding="utf-8"
    )
    result = runner.invoke(main, ["validate", "in.csv", "-f", "b3.yaml"])
    assert result.exit_code == 2
    assert (
        "b3.yaml: key 'extends': framework 'cn-2017-qualty' not found; did you "
        "mean 'cn-2017-quality'?"
    ) in result.output
    assert "b3.yaml：键 extends：找不到评估框架“cn-2017-qualty”；是否应为" in (
        result.output
    )
