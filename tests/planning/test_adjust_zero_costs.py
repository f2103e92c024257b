"""``junheng plan adjust`` when the unit costs put no price on the plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from factories import primary_school

from junheng.cli import main
from junheng.ingest.schema import canonical_frame


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_zero_cost_plan_is_worded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    # School 1 has 4 backbone teachers per 500 students (L2 0.8 < 1.0); at
    # the default costs one transfer of 10,000 yuan fixes it, here for free.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    source = tmp_path / "schools.csv"
    rows = [primary_school(1, primary_backbone_teachers=4), primary_school(2)]
    canonical_frame(rows).write_csv(source)
    costs = tmp_path / "costs.yaml"
    costs.write_text("hire_yuan: 0\ntransfer_yuan: 0\n", encoding="utf-8")
    args = ["plan", "adjust", str(source), "-c", "410102", "--costs", str(costs)]
    result = CliRunner().invoke(main, [*args, "--lang", lang])
    assert result.exit_code == 0, result.output
    if lang == "en":
        assert (
            "The least-cost plan costs 0 yuan: the given unit costs put no price "
            "on any of its changes." in result.output
        )
        assert "optimality gap 0.00% (lower bound 0 yuan)." in result.output
    else:
        assert (
            "最低成本方案总费用 0 元：按所给单价，方案中的调整都不产生费用。"
            in result.output
        )
        assert "（下界 0 元）" in result.output
    assert "-0" not in result.output
    document = CliRunner().invoke(main, [*args, "--format", "json"])
    assert document.exit_code == 0, document.output
    summary = json.loads(document.stdout)["summary"]
    assert summary["total_cost"] == 0
    assert summary["lower_bound"] == 0
