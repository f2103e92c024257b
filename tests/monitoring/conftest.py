"""A SYNTHETIC multi-year dataset shared by the monitoring tests."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from junheng import demo
from junheng.evaluation.verdict import Evaluation, evaluate
from junheng.standards.loader import load_framework
from junheng.standards.model import Framework


@pytest.fixture(scope="session")
def framework() -> Framework:
    return load_framework("cn-2017-quality")


@pytest.fixture(scope="session")
def synthetic_schools() -> pl.DataFrame:
    """Six years of 8 SYNTHETIC counties (junheng.demo, not real data)."""
    return demo.generate_schools(counties=8, schools_per_county=40, years=6)


@pytest.fixture(scope="session")
def evaluation(synthetic_schools: pl.DataFrame, framework: Framework) -> Evaluation:
    return evaluate(synthetic_schools, framework)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four years (2024-2027) of 4 SYNTHETIC counties, saved as junheng demo
    saves them."""
    schools = demo.generate_schools(counties=4, schools_per_county=30, years=4)
    items = demo.generate_county_items(schools)
    path = tmp_path_factory.mktemp("monitor") / "synthetic.parquet"
    demo.save_dataset(schools, items, path)
    return path
