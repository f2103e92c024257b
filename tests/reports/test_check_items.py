"""County item records built from the county checks frame."""

from __future__ import annotations

import polars as pl

from junheng.evaluation.document import check_items
from junheng.evaluation.verdict import CheckTable


def _checks() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "year": [2024, 2024, 2025],
            "division_code": ["110101", "110101", "110101"],
            "part_id": ["gov", "gov", "veto"],
            "item_id": ["G1", "G2", "V1"],
            "check_index": [0, 0, 0],
            "key": ["G1", "G2", "V1"],
            "op": [">=", "true", "false"],
            "threshold": [85.0, None, None],
            "value_num": [90.5, None, None],
            "value_bool": [None, False, None],
            "value_text": [None, None, None],
            "passed": [True, False, None],
            "evidence": ["doc 1", None, None],
        },
        schema_overrides={"value_text": pl.String, "threshold": pl.Float64},
    )


def test_check_items_per_county_year() -> None:
    items = check_items(CheckTable(_checks()))
    assert sorted(items) == [(2024, "110101"), (2025, "110101")]
    assert items[(2024, "110101")] == [
        {
            "item": "G1",
            "part": "gov",
            "key": "G1",
            "op": ">=",
            "threshold": 85.0,
            "value": 90.5,
            "passed": True,
            "evidence": "doc 1",
        },
        {
            "item": "G2",
            "part": "gov",
            "key": "G2",
            "op": "true",
            "threshold": None,
            "value": False,
            "passed": False,
            "evidence": None,
        },
    ]
    assert items[(2025, "110101")][0]["value"] is None
    assert items[(2025, "110101")][0]["passed"] is None


def test_check_table_rows_by_key() -> None:
    table = CheckTable(_checks())
    rows = table.rows((2024, "110101"))
    assert [row["item_id"] for row in rows] == ["G1", "G2"]
    assert rows[0]["value_num"] == 90.5
    assert rows[1]["value_text"] is None
    assert table.rows((2024, "999999")) == []
