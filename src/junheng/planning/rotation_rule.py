"""The rule of a teacher rotation plan: eligibility, shares and bounds.

The shipped rule is ``junheng/planning/rules/rotation.yaml``; a county
overrides any of its keys with a YAML file of its own.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from junheng.errors import InputError
from junheng.planning.option_errors import bad_option_value, raise_all
from junheng.yaml_files import decode_yaml


@cache
def _shipped() -> dict[str, Any]:
    """Return the keys of the shipped rule file as YAML gives them."""
    text = resources.files("junheng.planning").joinpath("rules/rotation.yaml")
    data: dict[str, Any] = yaml.safe_load(text.read_text(encoding="utf-8"))
    return data


def _shipped_subjects() -> tuple[str, ...]:
    return _parse_subjects("pe_art_subjects", _shipped()["pe_art_subjects"])


@dataclass(frozen=True)
class RotationRule:
    """The eligibility rule and bounds of a rotation plan.

    Shares are exact fractions so that ``ceil(share × count)`` is exact (a
    float 0.1 × 30 is 3.0000000000000004, whose ceiling is 4).
    """

    min_years_at_school: int = 6
    min_rotation_share: Fraction = Fraction(1, 10)
    min_backbone_share: Fraction = Fraction(1, 5)
    max_rotation_share: Fraction = Fraction(3, 20)
    max_net_change: int = 1
    max_distance_km: float | None = 30.0
    pe_art_subjects: tuple[str, ...] = field(default_factory=_shipped_subjects)
    candidate_schools: int = 12
    exact_max_variables: int = 4000

    @classmethod
    def default(cls) -> RotationRule:
        """Return the rule shipped in ``junheng/planning/rules/rotation.yaml``."""
        return cls().updated(_shipped())

    @classmethod
    def load(cls, path: Path) -> RotationRule:
        """Return the default rule with the keys of the YAML file ``path`` replaced.

        Raises :class:`InputError` naming the file, the bad key and its value.
        """
        try:
            data = yaml.safe_load(decode_yaml(path.read_bytes(), path, InputError))
        except (OSError, yaml.YAMLError) as error:
            raise InputError(
                f"cannot read the rotation rule {path}: {error}; give a YAML file "
                "of key: value lines",
                zh=f"无法读取轮岗规则文件 {path}：{error}",
            ) from None
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise InputError(
                f"the rotation rule {path} is not a mapping of keys to values",
                zh=f"轮岗规则文件 {path} 不是“键: 值”格式",
            )
        try:
            return cls.default().updated(data)
        except InputError as error:
            raise InputError(
                f"{path}: {error.message_en}", zh=f"{path}：{error.message_zh}"
            ) from None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> RotationRule:
        """Build a rule from ``data``; absent keys keep the shipped rule's values
        (:meth:`default`).

        Raises :class:`InputError` naming every unknown or invalid key and value.
        """
        return cls.default().updated(data)

    def updated(self, data: Mapping[str, Any]) -> RotationRule:
        """Return this rule with the keys of ``data`` replaced, each checked.

        Every bad key and value is reported, in one :class:`InputError`.
        """
        changes: dict[str, Any] = {}
        errors: list[InputError] = []
        for key, value in data.items():
            parse = _RULE_KEYS.get(str(key))
            if parse is None:
                known = ", ".join(_RULE_KEYS)
                errors.append(
                    InputError(
                        f"unknown rotation rule key {key!r} (value {value!r}); "
                        f"known keys: {known}",
                        zh=f"未知的轮岗规则键 {key!r}（值 {value!r}）；"
                        f"可用的键：{known}",
                    )
                )
                continue
            try:
                changes[str(key)] = parse(str(key), value)
            except InputError as error:
                errors.append(error)
        raise_all(errors)
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Return the rule as JSON-ready data (shares as decimal strings)."""
        return {
            "min_years_at_school": self.min_years_at_school,
            "min_rotation_share": share_text(self.min_rotation_share),
            "min_backbone_share": share_text(self.min_backbone_share),
            "max_rotation_share": share_text(self.max_rotation_share),
            "max_net_change": self.max_net_change,
            "max_distance_km": self.max_distance_km,
            "pe_art_subjects": list(self.pe_art_subjects),
            "candidate_schools": self.candidate_schools,
            "exact_max_variables": self.exact_max_variables,
        }


def share_text(share: Fraction) -> str:
    return str(float(share)) if share.denominator != 1 else str(share.numerator)


def _bad_value(key: str, value: Any, expected: str) -> InputError:
    return bad_option_value(("rotation rule key", "轮岗规则"), key, value, expected)


def _parse_share(key: str, value: Any) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _bad_value(key, value, "a share between 0 and 1, such as '0.10'")
    try:
        # A float is read through its shortest text, so 0.1 becomes 1/10.
        share = Fraction(str(value).strip())
    except (ValueError, ZeroDivisionError):
        raise _bad_value(
            key, value, "a share between 0 and 1, such as '0.10'"
        ) from None
    if not 0 <= share <= 1:
        raise _bad_value(key, value, "a share between 0 and 1, such as '0.10'")
    return share


def _parse_count(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _bad_value(key, value, "a whole number, 0 or more")
    return value


def _parse_positive(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _bad_value(key, value, "a whole number, 1 or more")
    return value


def _parse_distance(key: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise _bad_value(key, value, "a distance in km above 0, or null for none")
    return float(value)


def _parse_subjects(key: str, value: Any) -> tuple[str, ...]:
    # A form sends one text: names separated by commas or 、.
    if isinstance(value, str):
        value = [v for v in re.split(r"[,，、;；]", value) if v.strip()]
    if (
        not isinstance(value, list | tuple)
        or not value
        or not all(isinstance(v, str) for v in value)
    ):
        raise _bad_value(
            key, value, "a list of subject names, or one text such as '体育, 音乐'"
        )
    return tuple(v.strip().lower() for v in value)


_RULE_KEYS = {
    "min_years_at_school": _parse_count,
    "min_rotation_share": _parse_share,
    "min_backbone_share": _parse_share,
    "max_rotation_share": _parse_share,
    "max_net_change": _parse_count,
    "max_distance_km": _parse_distance,
    "pe_art_subjects": _parse_subjects,
    "candidate_schools": _parse_positive,
    "exact_max_variables": _parse_count,
}


def required_counts(eligible: int, rule: RotationRule) -> tuple[int, int, int]:
    """Return the minimum and maximum rotated and the minimum backbone rotated.

    The minimum is ``ceil(min_rotation_share × eligible)``, the maximum
    ``floor(max_rotation_share × eligible)`` but never below the minimum, and
    the backbone minimum ``ceil(min_backbone_share × minimum)``, all in exact
    arithmetic: 30 eligible give 3 to rotate, 1 of them backbone.
    """
    low = math.ceil(rule.min_rotation_share * eligible)
    high = max(low, math.floor(rule.max_rotation_share * eligible))
    return low, high, math.ceil(rule.min_backbone_share * low)
