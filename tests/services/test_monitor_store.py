"""``junheng monitor run --store``: warnings and targets land in the platform once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from store.dbfixtures import Database

from junheng import demo
from junheng.cli import main
from junheng.store.models import Target, Warning


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three years of 3 SYNTHETIC counties (junheng.demo)."""
    schools = demo.generate_schools(counties=3, schools_per_county=25, years=3)
    path = tmp_path_factory.mktemp("store-run") / "synthetic.parquet"
    demo.save_dataset(schools, demo.generate_county_items(schools), path)
    return path


def test_a_second_run_stores_nothing_new(
    database: Database, dataset: Path, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text("division_code,target_year,note\n41,2030,province goal\n", "utf-8")
    out = tmp_path / "m.json"
    args = ["monitor", "run", str(dataset), "-o", str(out), "--store", database.url]
    args += ["--schedule", str(plan), "--today", "2026-12-01"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    raised = len(json.loads(out.read_text("utf-8"))["warnings"])
    assert raised > 0
    stored = json.loads(out.read_text("utf-8"))["notes"]["stored"]
    assert stored == {"added": raised, "kept": 0, "resolved": 0, "targets": 1}
    second = CliRunner().invoke(main, args)
    assert second.exit_code == 0, second.output
    stored = json.loads(out.read_text("utf-8"))["notes"]["stored"]
    assert stored == {"added": 0, "kept": raised, "resolved": 0, "targets": 1}
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Warning)) == raised
        target = session.get(Target, "41")
        assert target is not None and target.target_year == 2030
        assert target.source == "plan.csv"
