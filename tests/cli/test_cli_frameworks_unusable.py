"""`junheng frameworks`: unusable files are named in Chinese and English."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from junheng.cli import main


def test_yaml_syntax_error_in_both_languages(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "frameworks"
    folder.mkdir()
    broken = folder / "broken.yaml"
    broken.write_text(
        "id: prov-b\nextends: cn-2017-quality\nschool_rule: {min_met: 6\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("JUNHENG_FRAMEWORKS", str(folder))
    result = runner.invoke(main, ["frameworks"])
    assert result.exit_code == 2, result.output
    line = next(x for x in result.output.splitlines() if "unusable" in x)
    assert line.startswith(
        f"无法使用 / unusable: {broken}：第 4 行第 1 列的 YAML 语法有误"
    )
    assert f" / {broken}: invalid YAML" in line


def test_id_used_twice_in_both_languages(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "frameworks"
    folder.mkdir()
    text = "id: prov-a\nextends: cn-2017-quality\nname: {zh: 某省, en: A province}\n"
    for name in ("a.yaml", "b.yaml"):
        (folder / name).write_text(text, encoding="utf-8")
    monkeypatch.setenv("JUNHENG_FRAMEWORKS", str(folder))
    monkeypatch.setenv("COLUMNS", "2000")  # the line names four long paths
    result = runner.invoke(main, ["frameworks"])
    assert result.exit_code == 2, result.output
    files = f"{folder / 'a.yaml'}, {folder / 'b.yaml'}"
    assert (
        f"无法使用 / unusable: 框架 id 'prov-a' 被多个文件使用（{files}）；请给每个"
        "文件各取一个 id（只有大小写不同的 id 视为相同） / framework id 'prov-a' is "
        f"used by more than one file ({files}); give each file its own id"
    ) in result.output
    refused = runner.invoke(main, ["evaluate", "x.csv", "-f", "prov-a"])
    assert refused.exit_code == 2
    assert "框架 id 'prov-a' 被多个文件使用" in refused.output
