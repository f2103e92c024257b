"""Questionnaire sets of the satisfaction survey (社会认可度), as data.

A questionnaire set is a YAML file: the respondent groups and which
questionnaire each answers, the answer scales with the answers that count as
satisfied, the urban, town and rural strata, the sample rate and the threshold.
The built-in sets live in this package's ``questionnaires/`` folder. A province
adds its own set as a file in a folder listed in ``JUNHENG_QUESTIONNAIRES``
(separated like ``PATH``), with an id of its own, and a file path works wherever
a set id does.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from junheng.errors import JunhengError

BUILTIN_DIR = Path(__file__).parent / "questionnaires"
ENV_VAR = "JUNHENG_QUESTIONNAIRES"
DEFAULT_SET = "cn-2017-satisfaction"
KEY_PATTERN = r"^[a-z][a-z0-9_]{0,29}$"
ITEM_PATTERN = r"^[A-Za-z][A-Za-z0-9_]{0,19}$"


class QuestionnaireError(JunhengError):
    """A questionnaire set that is missing, malformed or inconsistent."""

    exit_code = 2
    code = "questionnaire"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A text in Chinese and English."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Choice(_Strict):
    """A labelled key: an answer, a stratum or a grade band."""

    key: str = Field(pattern=KEY_PATTERN)
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Scale(_Strict):
    """An answer scale; ``satisfied`` and ``excluded`` name some of its answers."""

    answers: tuple[Choice, ...] = Field(min_length=2)
    satisfied: tuple[str, ...] = Field(min_length=1)
    excluded: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _known_answers(self) -> Scale:
        keys = [a.key for a in self.answers]
        if len(set(keys)) != len(keys):
            raise ValueError(f"answer keys repeat: {keys}")
        for field in ("satisfied", "excluded"):
            unknown = set(getattr(self, field)) - set(keys)
            if unknown:
                raise ValueError(
                    f"{field} names answers not on the scale: {sorted(unknown)}; "
                    f"the scale has {keys}"
                )
        if set(self.satisfied) & set(self.excluded):
            raise ValueError("an answer cannot be both satisfied and excluded")
        return self

    def answer_keys(self) -> tuple[str, ...]:
        """Return the answer keys in their order on the form."""
        return tuple(a.key for a in self.answers)


class Item(_Strict):
    """A question with its scale."""

    id: str = Field(pattern=ITEM_PATTERN)
    scale: str
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Questionnaire(_Strict):
    """A questionnaire: its title and items."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    items: tuple[Item, ...] = Field(min_length=1)


class Group(_Strict):
    """A respondent group; ``bands`` splits the group's sample by grade."""

    key: str = Field(pattern=KEY_PATTERN)
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    questionnaire: str
    min_share: float | None = Field(default=None, gt=0, le=1)
    bands: tuple[Choice, ...] = ()


class QuestionnaireSet(_Strict):
    """A complete survey definition, as loaded from one YAML file."""

    id: str = Field(min_length=1)
    name: Text
    notice: Text
    framework: str
    county_item: str
    threshold: float = Field(gt=0, le=100)
    sample_rate: float = Field(gt=0, lt=1)
    strata: tuple[Choice, ...] = Field(min_length=1)
    scales: dict[str, Scale]
    groups: tuple[Group, ...] = Field(min_length=1)
    questionnaires: dict[str, Questionnaire]

    @model_validator(mode="after")
    def _references(self) -> QuestionnaireSet:
        group_keys = [g.key for g in self.groups]
        if len(set(group_keys)) != len(group_keys):
            raise ValueError(f"group keys repeat: {group_keys}")
        if sum(1 for g in self.groups if g.min_share is not None) > 1:
            raise ValueError("only one group may have a min_share")
        for group in self.groups:
            if group.questionnaire not in self.questionnaires:
                raise ValueError(
                    f"group {group.key!r} names questionnaire "
                    f"{group.questionnaire!r}, which is not under questionnaires"
                )
        item_ids: list[str] = []
        for name, questionnaire in self.questionnaires.items():
            for item in questionnaire.items:
                item_ids.append(item.id)
                if item.scale not in self.scales:
                    raise ValueError(
                        f"item {item.id!r} of questionnaire {name!r} names scale "
                        f"{item.scale!r}; known scales: {sorted(self.scales)}"
                    )
        if len(set(item_ids)) != len(item_ids):
            raise ValueError("item ids must be unique across the questionnaires")
        return self

    def group(self, key: str) -> Group:
        """Return the group ``key``; raise :class:`KeyError` if there is none."""
        for group in self.groups:
            if group.key == key:
                return group
        raise KeyError(key)

    def items_of(self, group_key: str) -> tuple[Item, ...]:
        """Return the items that group ``group_key`` answers."""
        return self.questionnaires[self.group(group_key).questionnaire].items

    def item(self, item_id: str) -> Item:
        """Return the item ``item_id`` of any questionnaire."""
        for questionnaire in self.questionnaires.values():
            for item in questionnaire.items:
                if item.id == item_id:
                    return item
        raise KeyError(item_id)

    def stratum_keys(self) -> tuple[str, ...]:
        """Return the stratum keys in file order."""
        return tuple(s.key for s in self.strata)


def search_dirs() -> list[Path]:
    """Return the folders searched for questionnaire sets, built-in folder last."""
    extra = os.environ.get(ENV_VAR, "")
    return [*(Path(p) for p in extra.split(os.pathsep) if p), BUILTIN_DIR]


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise QuestionnaireError(f"{path}: invalid YAML: {error}") from None
    except OSError as error:
        raise QuestionnaireError(f"{path}: cannot read the file: {error}") from None
    if not isinstance(data, dict):
        raise QuestionnaireError(
            f"{path}: a questionnaire set must be a mapping of keys",
            zh=f"{path}：问卷文件必须是键值映射",
        )
    return data


@cache
def _locate(ref: str, search_path: str = "") -> Path:
    """Return the file of set ``ref``; ``search_path`` is the value of
    :data:`ENV_VAR` the answer depends on, so a change finds the file anew."""
    path = Path(ref)
    if path.suffix in (".yaml", ".yml") and path.exists():
        return path
    known: list[str] = []
    for folder in search_dirs():
        for candidate in sorted(folder.glob("*.y*ml")):
            if candidate.stem == ref:
                return candidate
            known.append(candidate.stem)
    raise QuestionnaireError(
        f"questionnaire set {ref!r} not found; installed sets: {', '.join(known)}. "
        f"Give a file path or add its folder to {ENV_VAR}.",
        zh=f"找不到问卷 {ref}；已安装：{'、'.join(known)}。"
        f"请给出文件路径或把所在文件夹加入 {ENV_VAR}。",
    )


def parse_questionnaire_set(data: dict[str, Any], path: Path) -> QuestionnaireSet:
    """Validate a questionnaire set read from ``path``.

    Raises :class:`QuestionnaireError` naming the file, the key path of each
    problem (for example ``questionnaires.public.items.2.scale``) and the fix.
    """
    try:
        return QuestionnaireSet.model_validate(data)
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            where = ".".join(str(part) for part in problem["loc"]) or "(top level)"
            lines.append(f"{path}: key {where}: {problem['msg']}")
        raise QuestionnaireError(
            "invalid questionnaire set:\n" + "\n".join(lines),
            zh="问卷文件有误：\n" + "\n".join(lines),
        ) from None


@cache
def _load_path(path: Path, mtime_ns: int) -> QuestionnaireSet:
    loaded = parse_questionnaire_set(_read(path), path)
    if loaded.id != path.stem:
        raise QuestionnaireError(
            f"{path}: key id: {loaded.id!r} differs from the file name; name the "
            f"file {loaded.id}.yaml",
            zh=f"{path}：id {loaded.id} 与文件名不一致，"
            f"请把文件命名为 {loaded.id}.yaml",
        )
    return loaded


def load_questionnaire_set(ref: str = DEFAULT_SET) -> QuestionnaireSet:
    """Load the questionnaire set with id or file path ``ref``.

    A loaded file is kept in memory until it changes on disk.
    """
    path = _locate(ref, os.environ.get(ENV_VAR, "")).resolve()
    return _load_path(path, path.stat().st_mtime_ns)
