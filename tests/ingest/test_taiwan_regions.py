"""The Taiwan profile's region levels, checked against the CSV itself."""

from __future__ import annotations

import csv
from pathlib import Path

from junheng.ingest import load_inputs

DATA = (
    Path(__file__).parents[2]
    / "examples/data/tw-moe-primary-schools-113/tw_primary_schools_113.csv"
)


def test_cities_grouped_by_name() -> None:
    with DATA.open(encoding="utf-8") as handle:
        names = {row["縣市名稱"] for row in csv.DictReader(handle)}
    schools = load_inputs([DATA], profile="tw-moe-primary").schools
    assert len(names) == 22
    assert set(schools["city_code"].unique().to_list()) == names
