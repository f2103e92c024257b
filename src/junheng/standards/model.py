"""Typed model of an evaluation framework file.

A framework states everything the engine needs to judge a county: which schools
count, how combined schools split, the per-school resource indicators with their
thresholds, the school rule, the balance rule (CV limits), the county-level parts
and the veto items. The engine and the evaluation read only this model.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

Status = Literal["confirmed", "secondary", "unconfirmed"]
Section = Literal["primary", "junior"]
CheckOp = Literal[">=", "<=", ">", "<", "==", "true", "false"]
NonNegative = Annotated[float, Field(ge=0)]
Positive = Annotated[float, Field(gt=0)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A label in Chinese and English."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        """Return the label in ``lang`` (``zh`` or ``en``)."""
        return self.en if lang == "en" else self.zh


def file_name_only(message: str) -> str:
    """Return a loader message with its leading file path cut to the file name."""
    for separator in ("：", ": "):
        head, found, rest = message.partition(separator)
        if found and head.endswith((".yaml", ".yml")):
            return PurePath(head).name + separator + rest
    return message


RULE_ERROR = "framework_rule"
"""The pydantic error type of a rule between the keys of one entry; its
``ctx`` carries the message as ``en`` and ``zh``."""


def rule_error(en: str, zh: str) -> PydanticCustomError:
    """Return the error of a broken rule, worded in English and Chinese."""
    return PydanticCustomError(RULE_ERROR, "{en}", {"en": en, "zh": zh})


class ResourceIndicator(_Strict):
    """A per-school indicator whose between-school CV is part of the balance rule."""

    id: str
    name: Text
    unit: Text
    formula: str
    direction: Literal["higher", "lower"] = "higher"
    threshold: dict[Section, NonNegative] | None = None
    status: Status = "confirmed"
    note: str = ""


class Check(_Strict):
    """One numeric or yes/no test inside an item.

    A school-level check evaluates ``formula`` for every school unit; a county-level
    check reads the value reported under ``key`` in the county items sheet.
    ``true`` and ``false`` test a yes/no value. The threshold is a number, or one per
    section (``threshold_by_section``) or school type (``threshold_by_school_type``,
    with ``threshold`` as the default).
    """

    key: str | None = None
    formula: str | None = None
    op: CheckOp
    threshold: float | None = None
    threshold_by_section: dict[Section, float] | None = None
    threshold_by_school_type: dict[str, float] | None = None
    unit: Text | None = None
    label: Text | None = None
    may_exceed_100: bool = False
    """Whether a percentage under ``key`` can lie above 100, as a retention or
    enrolment rate does when students move in. Otherwise a percentage above
    100 is an input error."""

    @model_validator(mode="after")
    def _threshold_given(self) -> Check:
        needs = self.op not in ("true", "false")
        has = (
            self.threshold is not None
            or self.threshold_by_section is not None
            or self.threshold_by_school_type is not None
        )
        if needs and not has:
            raise rule_error(
                f"operator {self.op!r} needs a threshold; add 'threshold'",
                f"运算符 {self.op} 需要阈值；请填写 threshold",
            )
        if not needs and has:
            raise rule_error(
                f"operator {self.op!r} takes no threshold; remove the threshold",
                f"运算符 {self.op} 不带阈值；请删除阈值",
            )
        if (self.key is None) == (self.formula is None):
            raise rule_error(
                "give exactly one of 'key' (county) or 'formula' (school)",
                "key（县级）与 formula（校级）须填写且只填写其中一个",
            )
        return self


class Item(_Strict):
    """An item of parts 2–4 or a veto item; it passes when all its checks pass."""

    id: str
    name: Text
    level: Literal["school", "county"]
    checks: list[Check] = Field(default_factory=list)
    status: Status = "confirmed"
    note: str = ""

    @model_validator(mode="after")
    def _checks_match_level(self) -> Item:
        for check in self.checks:
            if self.level == "school" and check.formula is None:
                raise rule_error(
                    "a school-level item's checks need 'formula'; add it to each check",
                    "校级项目的每项检查都需要 formula；请逐项补上",
                )
            if self.level == "county" and check.key is None:
                raise rule_error(
                    "a county-level item's checks need 'key'; add it to each check",
                    "县级项目的每项检查都需要 key；请逐项补上",
                )
        if not self.checks:
            raise rule_error(
                "an item needs at least one check; add one under 'checks'",
                "每个项目至少需要一项检查；请在 checks 下添加",
            )
        return self


class Part(_Strict):
    """A county-level part of the standard (government assurance, quality, ...)."""

    id: str
    name: Text
    items: list[Item]


INDICATOR_COUNT = "indicator_count"
"""Key of the validation context that gives the number of resource indicators,
so that :class:`SchoolRule` checks ``min_met`` against it in the same pass as
every other key of the file."""


class SchoolRule(_Strict):
    """How many resource indicators a school must meet, and the floor for the rest."""

    min_met: int = Field(ge=0)
    floor_ratio: float = Field(ge=0, le=1)

    @field_validator("min_met")
    @classmethod
    def _within_indicators(cls, met: int, info: ValidationInfo) -> int:
        count = (info.context or {}).get(INDICATOR_COUNT)
        if isinstance(count, int) and met > count:
            raise rule_error(
                f"{met} is more than the {count} resource indicators; set "
                f"school_rule: {{min_met: N}} in the file with N at most {count}, "
                "the indicators every school must meet",
                f"{met} 多于资源配置指标的 {count} 项；请在文件中写明 school_rule: "
                f"{{min_met: N}}，N 为每所学校须达标的指标数，不超过 {count}",
            )
        return met


class BalanceRule(_Strict):
    """CV limits between schools: each indicator (``every``) or their mean."""

    mode: Literal["every", "composite"]
    cv_limit: dict[Section, Positive]


class Inclusion(_Strict):
    """Rules that decide which schools count in the evaluation."""

    include_private: bool = True
    include_teaching_points: bool = True
    teaching_point_min_students: int | None = None
    include_special_education: bool = False
    include_vocational: bool = False


class Split(_Strict):
    """Enrollment weights that split whole-school resources between sections.

    A section's share of a shared resource is ``w_s·N_s / Σ_k w_k·N_k`` over the
    sections the school has, with ``N`` the students of each section.
    """

    weights: dict[Literal["primary", "junior", "senior"], Positive]
    shared_fields: list[str]


class Framework(_Strict):
    """A complete evaluation framework, after any ``extends`` chain was merged."""

    id: str
    name: Text
    source: str = ""
    description: Text | None = None
    sections: list[Section]
    school_types: dict[str, list[Section]]
    inclusion: Inclusion
    split: Split
    resource_indicators: list[ResourceIndicator]
    school_rule: SchoolRule | None = None
    balance_rule: BalanceRule
    parts: list[Part] = Field(default_factory=list)
    veto_items: list[Item] = Field(default_factory=list)
    path: str = ""
    based_on: list[str] = Field(default_factory=list)
    """Ids of the frameworks this one extends, the nearest first; empty for a
    framework that extends none."""
    _warnings: list[Text] = PrivateAttr(default_factory=list)

    @property
    def warnings(self) -> list[Text]:
        """Warnings of the loader, such as a school rule an override changed
        without saying so; the framework is usable."""
        return self._warnings

    @property
    def file_name(self) -> str:
        """Name of the framework file without its folders ("" for none)."""
        return PurePath(self.path).name if self.path else ""

    def shared_warnings(self) -> list[Text]:
        """Return :attr:`warnings` with each file named without its folders,
        for pages, plans and reports that people other than the server's
        administrator read."""
        return [
            Text(zh=file_name_only(w.zh), en=file_name_only(w.en))
            for w in self._warnings
        ]

    def indicator(self, indicator_id: str) -> ResourceIndicator:
        """Return the resource indicator with ``indicator_id``."""
        for ind in self.resource_indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    def county_keys(self) -> set[str]:
        """Return every key the county items sheet may carry for this framework."""
        keys: set[str] = set()
        for item in [i for p in self.parts for i in p.items] + self.veto_items:
            keys.update(c.key for c in item.checks if c.key)
        return keys
