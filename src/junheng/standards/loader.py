"""Find, merge and validate framework files.

Frameworks are YAML files. The built-in ones live in this package's
``frameworks/`` folder; more folders can be listed in the ``JUNHENG_FRAMEWORKS``
environment variable (separated like ``PATH``), and a file path works wherever a
framework id does.

An override file names its base with ``extends`` and gives only what changes.
Mappings merge key by key; lists of entries with an ``id`` (indicators, parts,
items) merge entry by entry, so an override can change one threshold, append a new
indicator, or drop entries listed under ``remove``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from junheng.errors import FrameworkError
from junheng.ingest.schema import FIELDS_BY_NAME, SCHOOL_TYPES, UNIT_FORMULA_FIELDS
from junheng.standards.formula import FormulaError, compile_formula
from junheng.standards.model import Framework

BUILTIN_DIR = Path(__file__).parent / "frameworks"
ENV_VAR = "JUNHENG_FRAMEWORKS"
DEFAULT_FRAMEWORK = "cn-2017-quality"


@dataclass(frozen=True)
class FrameworkInfo:
    """A framework found on the search path, for listings."""

    id: str
    name_zh: str
    name_en: str
    path: Path
    extends: str | None


def search_dirs() -> list[Path]:
    """Return the folders searched for framework files, built-in folder last."""
    extra = os.environ.get(ENV_VAR, "")
    dirs = [Path(p) for p in extra.split(os.pathsep) if p]
    return [*dirs, BUILTIN_DIR]


# libyaml's parser, where PyYAML was built with it: every command reads the
# framework files, and the pure-Python parser took a fifth of a second for them.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FrameworkError(f"{path}: cannot read framework file: {exc}") from None
    try:
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError:
        # Parsed again by the pure-Python parser, whose error quotes the line
        # with a caret and names the character it stopped at.
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise FrameworkError(f"{path}: invalid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise FrameworkError(f"{path}: a framework file must be a mapping of keys")
    return data


def scan_frameworks() -> tuple[list[FrameworkInfo], list[str]]:
    """Return the framework files on the search path and the problems found.

    A file that cannot be read or parsed is a problem, not a failure, so the
    other frameworks stay usable. An id used by more than one file is also a
    problem. That id is unusable until one file is renamed, so a local file
    cannot silently stand in for a national standard.
    """
    found: dict[str, list[FrameworkInfo]] = {}
    problems: list[str] = []
    for folder in search_dirs():
        for path in sorted(folder.glob("*.y*ml")):
            try:
                data = _read_yaml(path)
            except FrameworkError as error:
                problems.append(str(error))
                continue
            fid = str(data.get("id", path.stem))
            name = data.get("name") or {}
            found.setdefault(fid, []).append(
                FrameworkInfo(
                    id=fid,
                    name_zh=str(name.get("zh", "")),
                    name_en=str(name.get("en", "")),
                    path=path,
                    extends=data.get("extends"),
                )
            )
    unique = []
    for fid, infos in found.items():
        if len(infos) > 1:
            files = ", ".join(str(i.path) for i in infos)
            problems.append(
                f"framework id {fid!r} is used by more than one file ({files}); "
                "give each file its own id"
            )
        else:
            unique.append(infos[0])
    return sorted(unique, key=lambda f: f.id), problems


def list_frameworks() -> list[FrameworkInfo]:
    """Return the usable framework files on the search path, sorted by id."""
    return scan_frameworks()[0]


def _locate(ref: str) -> Path:
    path = Path(ref)
    if path.suffix in (".yaml", ".yml") and path.exists():
        return path
    infos, problems = scan_frameworks()
    for info in infos:
        if info.id == ref:
            return info.path
    for problem in problems:
        if repr(ref) in problem:
            raise FrameworkError(problem)
    known = ", ".join(f.id for f in infos)
    raise FrameworkError(
        f"framework {ref!r} not found; installed frameworks: {known}. Give a file "
        f"path or add its folder to {ENV_VAR}."
    )


def merge(base: Any, override: Any) -> Any:
    """Merge an override into a base framework mapping (see the module docstring)."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = merge(base[key], value) if key in base else value
        return merged
    if _is_id_list(base) and _is_id_list(override):
        by_id = {entry["id"]: entry for entry in base}
        order = [entry["id"] for entry in base]
        for entry in override:
            if entry["id"] in by_id:
                by_id[entry["id"]] = merge(by_id[entry["id"]], entry)
            else:
                by_id[entry["id"]] = entry
                order.append(entry["id"])
        return [by_id[i] for i in order]
    return override


def _is_id_list(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(e, dict) and "id" in e for e in value)
    )


def _remove_ids(data: Any, ids: set[str]) -> Any:
    if isinstance(data, dict):
        return {k: _remove_ids(v, ids) for k, v in data.items()}
    if _is_id_list(data):
        return [_remove_ids(e, ids) for e in data if e["id"] not in ids]
    return data


def _resolve(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    if path.resolve() in seen:
        chain = " -> ".join(str(p) for p in (*seen, path))
        raise FrameworkError(f"{path}: 'extends' forms a cycle: {chain}")
    data = _read_yaml(path)
    parent = data.pop("extends", None)
    removed = data.pop("remove", None) or []
    if not isinstance(removed, list):
        raise FrameworkError(f"{path}: key 'remove' must be a list of ids")
    if parent is None:
        if removed:
            raise FrameworkError(f"{path}: key 'remove' needs 'extends'")
        return data
    if "id" not in data:
        raise FrameworkError(
            f"{path}: an override needs an 'id' of its own; without one its "
            f"results would be labelled as {parent!r}"
        )
    base = _resolve(_locate(str(parent)), (*seen, path.resolve()))
    unknown = sorted({str(r) for r in removed} - _all_ids(base))
    if unknown:
        raise FrameworkError(
            f"{path}: key 'remove' names unknown id(s) {', '.join(unknown)}; "
            f"{parent!r} has no such indicator or item"
        )
    merged: dict[str, Any] = _remove_ids(merge(base, data), {str(r) for r in removed})
    return merged


def _all_ids(data: Any) -> set[str]:
    if isinstance(data, dict):
        return set().union(*(_all_ids(v) for v in data.values())) if data else set()
    if _is_id_list(data):
        return {str(e["id"]) for e in data} | set().union(*(_all_ids(e) for e in data))
    return set()


def _format_location(loc: tuple[int | str, ...], data: dict[str, Any]) -> str:
    parts: list[str] = []
    node: Any = data
    for key in loc:
        if isinstance(key, int) and isinstance(node, list) and key < len(node):
            node = node[key]
            ident = node.get("id") if isinstance(node, dict) else None
            parts.append(f"[{key}]" + (f"(id {ident})" if ident else ""))
        else:
            node = node.get(key) if isinstance(node, dict) else None
            parts.append(f".{key}" if parts else str(key))
    return "".join(parts)


def load_framework(ref: str = DEFAULT_FRAMEWORK) -> Framework:
    """Load a framework by id or file path, merge its ``extends`` chain, validate it.

    Raises :class:`FrameworkError` naming the file and the key at fault.
    """
    path = _locate(ref)
    data = _resolve(path)
    data["path"] = str(path)
    try:
        framework = Framework.model_validate(data)
    except ValidationError as exc:
        lines = [
            f"  {_format_location(tuple(err['loc']), data)}: {err['msg']}"
            for err in exc.errors()
        ]
        raise FrameworkError(
            f"{path}: invalid framework\n" + "\n".join(lines)
        ) from None
    _check_consistency(framework, path)
    return framework


def _check_consistency(fw: Framework, path: Path) -> None:
    problems: list[str] = []
    for i, ind in enumerate(fw.resource_indicators):
        try:
            compile_formula(ind.formula, UNIT_FORMULA_FIELDS)
        except FormulaError as exc:
            problems.append(f"resource_indicators[{i}](id {ind.id}).formula: {exc}")
        if ind.threshold is not None:
            missing = [s for s in fw.sections if s not in ind.threshold]
            if missing:
                problems.append(
                    f"resource_indicators[{i}](id {ind.id}).threshold: missing "
                    f"section(s) {', '.join(missing)}"
                )
    ids = [ind.id for ind in fw.resource_indicators]
    for item in [i for p in fw.parts for i in p.items] + fw.veto_items:
        ids.append(item.id)
        for j, check in enumerate(item.checks):
            if check.formula is None:
                continue
            try:
                compile_formula(check.formula, UNIT_FORMULA_FIELDS)
            except FormulaError as exc:
                problems.append(f"item {item.id}.checks[{j}].formula: {exc}")
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        problems.append(f"ids used more than once: {', '.join(duplicates)}")
    for section in fw.sections:
        if section not in fw.balance_rule.cv_limit:
            problems.append(f"balance_rule.cv_limit: missing section {section}")
    for school_type in fw.school_types:
        if school_type not in SCHOOL_TYPES:
            problems.append(
                f"school_types: unknown school type {school_type!r}; known: "
                f"{', '.join(SCHOOL_TYPES)}"
            )
    for name in fw.split.shared_fields:
        if name not in FIELDS_BY_NAME:
            problems.append(f"split.shared_fields: unknown field {name!r}")
    if fw.school_rule is not None:
        unthresholded = [i.id for i in fw.resource_indicators if i.threshold is None]
        if unthresholded:
            problems.append(
                "school_rule: needs a threshold on every resource indicator; none on "
                + ", ".join(unthresholded)
            )
        if fw.school_rule.min_met > len(fw.resource_indicators):
            problems.append(
                f"school_rule.min_met: {fw.school_rule.min_met} is more than the "
                f"{len(fw.resource_indicators)} resource indicators"
            )
    if problems:
        raise FrameworkError(
            f"{path}: invalid framework\n" + "\n".join(f"  {p}" for p in problems)
        )
