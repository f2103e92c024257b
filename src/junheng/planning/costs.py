"""Unit costs, limits and solver settings of the least-cost adjustment plan.

The defaults are those of ``planning/data/adjust-costs.yaml``. They are
illustrative: a county sets its own prices and limits before it uses a plan.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from junheng.errors import InputError

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
    time_limit_seconds: float = 60.0
    mip_rel_gap: float = 1e-4
    max_iterations: int = 50

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> AdjustCosts:
        """Build costs from ``data``; keys left out keep their defaults.

        Raises :class:`InputError` naming the key and the value for an unknown
        key, a value that is not a number, a negative number, a whole-number
        setting given a fraction, or a missing value where no limit is allowed.
        """
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                raise InputError(
                    f"unknown cost setting {key!r}; known settings: {', '.join(known)}",
                    zh=f"未知的费用参数 {key!r}；可用参数：{', '.join(known)}",
                )
            values[key] = _checked(key, value, str(known[key].type))
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """Return the settings as JSON-ready data."""
        return asdict(self)


def _checked(key: str, value: Any, annotation: str) -> Any:
    optional = "None" in annotation
    whole = annotation.startswith("int")
    if value is None:
        if optional:
            return None
        raise _invalid(key, value, "a number")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _invalid(key, value, "a number")
    if not math.isfinite(value) or value < 0:
        raise _invalid(key, value, "a finite number of at least 0")
    if whole and value != int(value):
        raise _invalid(key, value, "a whole number")
    if key in ("time_limit_seconds", "max_iterations") and value == 0:
        raise _invalid(key, value, "greater than 0")
    return int(value) if whole else float(value)


def _invalid(key: str, value: Any, expected: str) -> InputError:
    return InputError(
        f"invalid cost setting {key}: {value!r}; expected {expected}",
        zh=f"费用参数 {key} 的值 {value!r} 无效；应为{_EXPECTED_ZH[expected]}",
    )


_EXPECTED_ZH = {
    "a number": "数值",
    "a finite number of at least 0": "不小于 0 的有限数值",
    "a whole number": "整数",
    "greater than 0": "大于 0 的数值",
}


def load_costs(path: Path) -> AdjustCosts:
    """Read costs from a YAML file; raises :class:`InputError` naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(
            f"cannot read cost file {str(path)!r}: {error.strerror}",
            zh=f"无法读取费用文件 {str(path)!r}：{error.strerror}",
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InputError(
            f"cost file {str(path)!r} is not valid YAML: {error}",
            zh=f"费用文件 {str(path)!r} 不是有效的 YAML：{error}",
        ) from None
    if data is None:
        return AdjustCosts()
    if not isinstance(data, dict):
        raise InputError(
            f"cost file {str(path)!r} must be a mapping of setting: value",
            zh=f"费用文件 {str(path)!r} 应为“参数: 值”的映射",
        )
    try:
        return AdjustCosts.from_mapping(data)
    except InputError as error:
        raise InputError(
            f"{path}: {error.message_en}", zh=f"{path}：{error.message_zh}"
        ) from None
