"""`junheng profiles`: the installed profiles and the unusable files."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from junheng.cli import main


def test_profiles_lists_builtin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JUNHENG_PROFILES", raising=False)
    result = CliRunner().invoke(main, ["profiles"])
    assert result.exit_code == 0, result.output
    assert "tw-moe-primary" in result.output
    assert "unusable" not in result.output


def test_broken_profile_is_listed_as_unusable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: broken\ndefaults: [oops\n", encoding="utf-8")
    monkeypatch.setenv("JUNHENG_PROFILES", str(tmp_path))
    # Rich wraps long lines at the terminal width; keep each message whole.
    monkeypatch.setenv("COLUMNS", "400")
    result = CliRunner().invoke(main, ["profiles"])
    assert result.exit_code == 2
    assert "tw-moe-primary" in result.output
    assert "无法使用 / unusable:" in result.output
    assert "invalid YAML" in result.output


def test_profile_id_used_twice_is_unusable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A local file that takes the built-in id must not replace it silently.
    from junheng.ingest.profiles import BUILTIN_DIR

    builtin = (BUILTIN_DIR / "tw-moe-primary.yaml").read_text(encoding="utf-8")
    shadow = tmp_path / "shadow.yaml"
    shadow.write_text(builtin.replace("id: tw-moe-primary", "id: TW-MOE-primary"))
    monkeypatch.setenv("JUNHENG_PROFILES", str(tmp_path))
    # Rich wraps long lines at the terminal width; keep each message whole.
    monkeypatch.setenv("COLUMNS", "400")
    result = CliRunner().invoke(main, ["profiles"])
    assert result.exit_code == 2
    assert "is used by more than one file" in result.output
    assert str(shadow) in result.output
    taiwan = (
        Path(__file__).parents[2]
        / "examples/data/tw-moe-primary-schools-113/tw_primary_schools_113.csv"
    )
    evaluated = CliRunner().invoke(
        main, ["validate", str(taiwan), "--profile", "tw-moe-primary"]
    )
    assert evaluated.exit_code != 0
    assert "is used by more than one file" in evaluated.output
