"""Unit costs, limits and solver settings of the least-cost adjustment plan.

The defaults are those of ``planning/data/adjust-costs.yaml``. They are
illustrative: a county sets its own prices and limits before it uses a plan.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from junheng.errors import InputError
from junheng.yaml_files import read_yaml_text

DEFAULTS_FILE = Path(__file__).parent / "data" / "adjust-costs.yaml"
"""The data file that documents the default costs and limits."""


@dataclass(frozen=True)
class AdjustCosts:
    """Unit costs in yuan, per-school limits and solver settings.

    A limit of ``None`` means no limit. ``max_transfers_out_per_school`` of 0
    forbids transfers.
    """

    hire_yuan: float = 100_000.0
    transfer_yuan: float = 10_000.0
    floor_area_yuan_per_m2: float = 3_000.0
    sports_area_yuan_per_m2: float = 300.0
    equipment_yuan_per_yuan: float = 1.0
    multimedia_classroom_yuan: float = 50_000.0
    max_hires_per_school: int | None = None
    max_transfers_out_per_school: int | None = 2
    max_floor_area_m2_per_school: float | None = 2_000.0
    max_sports_area_m2_per_school: float | None = 5_000.0
    time_limit_seconds: float = 300.0
    mip_rel_gap: float = 1e-4
    max_iterations: int = 50

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> AdjustCosts:
        """Build costs from ``data``; keys left out keep their defaults.

        Every bad setting is reported at once: one :class:`InputError` lists
        each unknown key, value that is not a number, negative number,
        whole-number setting given a fraction and missing value where no
        limit is allowed, naming the key, the value and the fix.
        ``problems`` of the error holds them one by one.
        """
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        problems: list[CostProblem] = []
        for key, value in data.items():
            if key not in known:
                problems.append(_unknown(str(key), value, list(known)))
                continue
            checked = _checked(key, value, str(known[key].type))
            if isinstance(checked, CostProblem):
                problems.append(checked)
            else:
                values[key] = checked
        if problems:
            raise CostError(problems)
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """Return the settings as JSON-ready data."""
        return asdict(self)


@dataclass(frozen=True)
class CostProblem:
    """One bad cost setting: its key, its value and what to do, in zh and en."""

    key: str
    value: Any
    message_en: str
    message_zh: str


class CostError(InputError):
    """Cost settings with one or more bad values; ``problems`` lists them all."""

    def __init__(self, problems: list[CostProblem], where: str = "") -> None:
        self.problems = problems
        self.where = where
        prefix_en = f"{where}: " if where else ""
        prefix_zh = f"{where}：" if where else ""
        count = len(problems)
        head_en = f"{prefix_en}{count} invalid cost setting{'s' if count > 1 else ''}"
        head_zh = f"{prefix_zh}{count} 个费用参数无效"
        super().__init__(
            "\n  ".join([f"{head_en}:", *(p.message_en for p in problems)]),
            zh="\n  ".join([f"{head_zh}：", *(p.message_zh for p in problems)]),
        )


def _unknown(key: str, value: Any, known: list[str]) -> CostProblem:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.5)
    hint_en = f"did you mean {close[0]}? " if close else ""
    hint_zh = f"是否应为 {close[0]}？" if close else ""
    return CostProblem(
        key,
        value,
        f"unknown cost setting {key!r} (value {value!r}); {hint_en}correct or "
        f"remove it; known settings: {', '.join(known)}",
        f"未知的费用参数 {key!r}（值 {value!r}）；{hint_zh}请更正或删除；"
        f"可用参数：{', '.join(known)}",
    )


def _checked(key: str, value: Any, annotation: str) -> Any:
    optional = "None" in annotation
    whole = annotation.startswith("int")
    if value is None:
        if optional:
            return None
        return _invalid(key, value, "a number")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _invalid(key, value, "a number")
    if not math.isfinite(value) or value < 0:
        return _invalid(key, value, "a finite number of at least 0")
    if whole and value != int(value):
        return _invalid(key, value, "a whole number")
    if key in ("time_limit_seconds", "max_iterations") and value == 0:
        return _invalid(key, value, "greater than 0")
    return int(value) if whole else float(value)


def _invalid(key: str, value: Any, expected: str) -> CostProblem:
    default = getattr(AdjustCosts(), key)
    if default is None:
        fix_en = f"write {key}: null for no limit, or a limit"
        fix_zh = f"请写 {key}: null 表示不限，或填写限额"
    else:
        fix_en = f"write e.g. {key}: {default:g} (the default)"
        fix_zh = f"例如写 {key}: {default:g}（默认值）"
    return CostProblem(
        key,
        value,
        f"invalid cost setting {key}: {value!r}; expected {expected}; {fix_en}",
        f"费用参数 {key} 的值 {value!r} 无效，应为{_EXPECTED_ZH[expected]}；{fix_zh}",
    )


_EXPECTED_ZH = {
    "a number": "数值",
    "a finite number of at least 0": "不小于 0 的有限数值",
    "a whole number": "整数",
    "greater than 0": "大于 0 的数值",
}


def load_costs(path: Path) -> AdjustCosts:
    """Read costs from a YAML file; raises :class:`InputError` naming the file."""
    text = read_yaml_text(path, InputError, "cost file", "费用文件")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise _yaml_error(path, error) from None
    if data is None:
        return AdjustCosts()
    if not isinstance(data, dict):
        raise InputError(
            f"cost file {str(path)!r} must be a mapping of setting: value",
            zh=f"费用文件 {str(path)!r} 应为“参数: 值”的映射",
        )
    try:
        return AdjustCosts.from_mapping(data)
    except CostError as error:
        raise CostError(error.problems, str(path)) from None


def _yaml_error(path: Path, error: yaml.YAMLError) -> InputError:
    """Word a YAML parser error with its line and column (counted from 1)."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    where_en = where_zh = ""
    if mark is not None:
        where_en = f" at line {mark.line + 1}, column {mark.column + 1}"
        where_zh = f"第 {mark.line + 1} 行第 {mark.column + 1} 列"
    return InputError(
        f"cost file {str(path)!r} is not valid YAML{where_en} ({problem}); write "
        "one 'setting: value' per line, close every bracket and quote, and "
        "indent with spaces, not tabs",
        zh=f"费用文件 {str(path)!r} {where_zh}不是有效的 YAML（{problem}）；"
        "请每行写一个“参数: 值”，括号和引号要成对，缩进用空格而不是制表符",
    )
