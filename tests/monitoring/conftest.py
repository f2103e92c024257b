"""A SYNTHETIC multi-year dataset shared by the monitoring tests."""

from __future__ import annotations

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
