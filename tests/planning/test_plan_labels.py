"""Every summary and parameter key of a real plan result has a zh and en label
in the web catalogue, and the plan workbook's overview uses them. The plans
come from the real planners on synthetic files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from factories import primary_school
from planning.test_cli_people import _files

from junheng.cli import main
from junheng.ingest.schema import canonical_frame
from junheng.planning.labels import summary_label
from junheng.planning.result import PlanResult, write_xlsx
from junheng.services import plans
from junheng.web.i18n import MESSAGES


def _plan(args: list[str]) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["plan", *args, "--format", "json"])
    assert result.exit_code in (0, 4), result.output
    return dict(json.loads(result.stdout))


def _real_plans(tmp_path: Path) -> list[dict[str, Any]]:
    adjust_source = tmp_path / "adjust.csv"
    rows = [primary_school(1, primary_backbone_teachers=4), primary_school(2)]
    canonical_frame(rows).write_csv(adjust_source)
    schools, roster, locations, county = _files(tmp_path)
    return [
        _plan(["adjust", str(adjust_source), "--county", "410102"]),
        _plan(["rotate", str(roster), str(schools), "--county", county]),
        _plan(
            ["pair", str(schools), "--division", county, "--locations", str(locations)]
        ),
    ]


def _missing(group: str, keys: list[str]) -> list[str]:
    return [key for key in keys if f"plans.{group}.{key}" not in MESSAGES]


def test_summary_keys_labelled(tmp_path: Path) -> None:
    for plan in _real_plans(tmp_path):
        assert _missing("summary", list(plan["summary"])) == [], plan["kind"]


@pytest.mark.parametrize("kind", sorted(plans.PLANNERS))
def test_parameter_keys_labelled(kind: str) -> None:
    names = [field.name for field in plans.parameter_fields(kind)]
    assert _missing("param", names) == []


def test_labels_differ_by_language() -> None:
    labels = [
        key for key in MESSAGES if key.startswith(("plans.summary.", "plans.param."))
    ]
    for key in labels:
        zh, en = MESSAGES[key]
        assert zh != en, key


@pytest.mark.parametrize(
    ("lang", "total", "yes"),
    [("zh", "总费用（元）", "是"), ("en", "Total cost (yuan)", "yes")],
)
def test_workbook_overview_uses_labels(
    tmp_path: Path, lang: str, total: str, yes: str
) -> None:
    adjust = PlanResult.from_dict(_real_plans(tmp_path)[0])
    path = tmp_path / "plan.xlsx"
    write_xlsx(adjust, path, lang)
    book = openpyxl.load_workbook(path, read_only=True)
    sheet = book.worksheets[0]
    rows = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0]}
    book.close()
    assert total in rows
    assert "total_cost" not in rows
    assert rows[summary_label("core_confirms_pass", lang)] == yes
