"""Cost settings of the adjustment plan: defaults, files and bad values."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from junheng.errors import InputError
from junheng.planning.costs import DEFAULTS_FILE, AdjustCosts, CostError, load_costs


def test_defaults_file_matches_dataclass() -> None:
    data = yaml.safe_load(DEFAULTS_FILE.read_text(encoding="utf-8"))
    assert AdjustCosts.from_mapping(data) == AdjustCosts()


def test_file_overrides_some_keys(tmp_path: Path) -> None:
    path = tmp_path / "costs.yaml"
    path.write_text("hire_yuan: 80000\nmax_hires_per_school: 3\n", encoding="utf-8")
    costs = load_costs(path)
    assert costs.hire_yuan == 80_000.0
    assert costs.max_hires_per_school == 3
    assert costs.transfer_yuan == AdjustCosts().transfer_yuan


def test_empty_file_gives_defaults(tmp_path: Path) -> None:
    path = tmp_path / "costs.yaml"
    path.write_text("", encoding="utf-8")
    assert load_costs(path) == AdjustCosts()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"hire_cost": 1}, "unknown cost setting 'hire_cost'"),
        ({"hire_yuan": -5}, "invalid cost setting hire_yuan: -5"),
        ({"hire_yuan": "cheap"}, "invalid cost setting hire_yuan: 'cheap'"),
        ({"hire_yuan": None}, "invalid cost setting hire_yuan: None"),
        ({"hire_yuan": True}, "invalid cost setting hire_yuan: True"),
        ({"max_hires_per_school": 1.5}, "max_hires_per_school: 1.5; expected a whole"),
        ({"max_iterations": 0}, "max_iterations: 0; expected greater than 0"),
        ({"transfer_yuan": float("inf")}, "transfer_yuan: inf"),
    ],
)
def test_bad_value_named(data: dict[str, object], expected: str) -> None:
    with pytest.raises(InputError) as caught:
        AdjustCosts.from_mapping(data)
    assert expected in str(caught.value)
    key = next(iter(data))
    assert key in caught.value.message_zh


def test_null_limit_means_none() -> None:
    assert (
        AdjustCosts.from_mapping({"max_hires_per_school": None}).max_hires_per_school
        is None
    )


def test_bad_yaml_names_file(tmp_path: Path) -> None:
    path = tmp_path / "costs.yaml"
    path.write_text("hire_yuan: [1, 2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"costs\.yaml.*not valid YAML"):
        load_costs(path)


def test_list_file_rejected(tmp_path: Path) -> None:
    path = tmp_path / "costs.yaml"
    path.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(InputError, match="must be a mapping"):
        load_costs(path)


def test_bad_key_names_file(tmp_path: Path) -> None:
    path = tmp_path / "costs.yaml"
    path.write_text("sports_area_yuan_per_m2: -1\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_costs(path)
    assert str(path) in str(caught.value)
    assert "sports_area_yuan_per_m2: -1" in str(caught.value)


def test_missing_file_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read cost file"):
        load_costs(tmp_path / "absent.yaml")


def test_every_bad_setting_listed(tmp_path: Path) -> None:
    path = tmp_path / "costs.yaml"
    path.write_text(
        "hire_yuan: lots\nhire_cost: 3\nmax_hires_per_school: 1.5\n"
        "max_iterations: 0\ntransfer_yuan: 8000\n",
        encoding="utf-8",
    )
    with pytest.raises(CostError) as caught:
        load_costs(path)
    error = caught.value
    assert [p.key for p in error.problems] == [
        "hire_yuan",
        "hire_cost",
        "max_hires_per_school",
        "max_iterations",
    ]
    assert error.message_en.startswith(f"{path}: 4 invalid cost settings:")
    # Each names its key, its value and the fix.
    assert "hire_yuan: 'lots'; expected a number; write e.g. hire_yuan: 100000" in (
        error.message_en
    )
    assert "did you mean hire_yuan?" in error.message_en
    assert "max_hires_per_school: null for no limit" in error.message_en
    assert "max_iterations: 50 (the default)" in error.message_en
    assert "4 个费用参数无效" in error.message_zh
    assert "是否应为 hire_yuan" in error.message_zh


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        # The list is never closed: the parser stops at the end, line 2.
        ("hire_yuan: [1, 2\n", 2, 1),
        # A tab indents the second line.
        ("hire_yuan: 1\n\tmax_iterations: 3\n", 2, 1),
        # A second colon on line 2: "transfer_yuan" is 13 characters, then
        # ": 800" ends at column 18 and the colon is column 19.
        ("hire_yuan: 1\ntransfer_yuan: 800: 0\n", 2, 19),
    ],
)
def test_malformed_yaml_gives_line_and_column(
    tmp_path: Path, text: str, line: int, column: int
) -> None:
    path = tmp_path / "costs.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_costs(path)
    error = caught.value
    assert f"at line {line}, column {column} (" in error.message_en
    assert f"第 {line} 行第 {column} 列" in error.message_zh
    assert "close every bracket and quote" in error.message_en
    assert "Traceback" not in error.message_en
