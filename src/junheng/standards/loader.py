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

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import TypeAdapter, ValidationError

from junheng.errors import FrameworkError
from junheng.ingest.schema import FIELDS_BY_NAME, SCHOOL_TYPES, UNIT_FORMULA_FIELDS
from junheng.pydantic_texts import PROBLEM_TEXTS, describe_problem
from junheng.standards.formula import FormulaError, compile_formula
from junheng.standards.model import INDICATOR_COUNT, RULE_ERROR, Framework, Text
from junheng.yaml_files import read_mapping

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


def _read_yaml(path: Path) -> dict[str, Any]:
    return read_mapping(path, FrameworkError, "framework file", "框架文件")


def scan_frameworks() -> tuple[list[FrameworkInfo], list[FrameworkError]]:
    """Return the framework files on the search path and the problems found.

    A file that cannot be read or parsed is a problem, not a failure, so the
    other frameworks stay usable. An id used by more than one file is also a
    problem. That id is unusable until one file is renamed, so a local file
    cannot silently stand in for a national standard.
    """
    return _listing(_scan())


Found = dict[str, list[FrameworkInfo]]
"""The framework files on the search path by id in lower case, because ids that
differ only in case clash. An id may have more than one file."""

Scan = tuple[Found, list[FrameworkError]]
"""The framework files on the search path by id, and the errors of the files
that could not be read."""


def _listing(scan: Scan) -> tuple[list[FrameworkInfo], list[FrameworkError]]:
    """Return the usable frameworks of ``scan`` sorted by id, and the problems."""
    found, unreadable = scan
    problems = list(unreadable)
    unique = []
    for infos in found.values():
        if len(infos) > 1:
            files = ", ".join(str(i.path) for i in infos)
            ids = " / ".join(dict.fromkeys(repr(i.id) for i in infos))
            problems.append(
                FrameworkError(
                    f"framework id {ids} is used by more than one file ({files}); "
                    "give each file its own id (ids that differ only in case "
                    "count as the same id)",
                    zh=f"框架 id {ids} 被多个文件使用（{files}）；请给每个文件"
                    "各取一个 id（只有大小写不同的 id 视为相同）",
                )
            )
        else:
            unique.append(infos[0])
    return sorted(unique, key=lambda f: f.id), problems


def _scan() -> Scan:
    """Return the framework files on the search path by id, and the files that
    could not be read."""
    found: Found = {}
    problems: list[FrameworkError] = []
    for folder in search_dirs():
        for path in sorted(folder.glob("*.y*ml")):
            try:
                data = _read_yaml(path)
            except FrameworkError as error:
                problems.append(error)
                continue
            fid = str(data.get("id", path.stem))
            name = data.get("name") or {}
            found.setdefault(fid.casefold(), []).append(
                FrameworkInfo(
                    id=fid,
                    name_zh=str(name.get("zh", "")),
                    name_en=str(name.get("en", "")),
                    path=path,
                    extends=data.get("extends"),
                )
            )
    return found, problems


def list_frameworks() -> list[FrameworkInfo]:
    """Return the usable framework files on the search path, sorted by id."""
    return scan_frameworks()[0]


def _locate(ref: str, scan: Scan, extended_by: Path | None = None) -> Path:
    """Return the file of framework ``ref``, an id or a file path.

    ``extended_by`` is the file whose ``extends`` names ``ref``; a message about
    an unknown id then names that file and key.
    """
    path = Path(ref)
    if path.suffix in (".yaml", ".yml") and path.exists():
        return path
    infos, problems = _listing(scan)
    for info in infos:
        if info.id == ref:
            return info.path
    for problem in problems:
        if repr(ref) in problem.message_en:
            raise problem
    ids = [f.id for f in infos]
    close = difflib.get_close_matches(ref, ids, n=1)
    known = ", ".join(ids)
    where = f"{extended_by}: key 'extends': " if extended_by else ""
    where_zh = f"{extended_by}：键 extends：" if extended_by else ""
    if ref and path.is_dir():
        raise FrameworkError(
            f"{where}framework path {ref!r} is a folder, not a file; give the "
            f"path of a YAML file inside it, or add the folder to {ENV_VAR} and "
            f"give the framework id.",
            zh=f"{where_zh}框架路径“{ref}”是文件夹，不是文件；请填写其中 YAML 文件的"
            f"路径，或把该文件夹加入 {ENV_VAR} 后填写框架 id。",
        )
    if path.suffix in (".yaml", ".yml"):
        raise FrameworkError(
            f"{where}framework file {ref!r} not found (looked for "
            f"{path.absolute()}); check the path, or give an installed id: "
            f"{known}.",
            zh=f"{where_zh}找不到框架文件“{ref}”（查找的是 {path.absolute()}）；"
            f"请核对路径，或填写已安装的框架 id：{known}。",
        )
    hint = f"did you mean {close[0]!r}? " if close else ""
    hint_zh = f"是否应为“{close[0]}”？" if close else ""
    raise FrameworkError(
        f"{where}framework {ref!r} not found; {hint}installed frameworks: {known}. "
        f"Give an installed id or a file path, or add the file's folder to "
        f"{ENV_VAR}.",
        zh=f"{where_zh}找不到评估框架“{ref}”；{hint_zh}已安装的框架：{known}。"
        f"请填写已安装的框架 id 或框架文件路径，或把文件所在文件夹加入 {ENV_VAR}。",
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


def _resolve(
    path: Path, scan: Scan, warnings: list[Text], seen: tuple[Path, ...] = ()
) -> dict[str, Any]:
    if path.resolve() in seen:
        chain = " -> ".join(str(p) for p in (*seen, path))
        raise FrameworkError(
            f"{path}: 'extends' forms a cycle: {chain}",
            zh=f"{path}：extends 形成循环：{chain}；请让其中一个文件不再扩展另一个",
        )
    data = _read_yaml(path)
    if "based_on" in data:
        raise FrameworkError(
            f"{path}: key 'based_on' is not a framework key; name the framework "
            "this file modifies with 'extends'",
            zh=f"{path}：based_on 不是框架文件的键；请用 extends 指明本文件修改的框架",
        )
    _check_own_id(path, data, scan[0])
    _check_unique_entries(path, data)
    parent = data.pop("extends", None)
    removed = data.pop("remove", None) or []
    if not isinstance(removed, list):
        raise FrameworkError(
            f"{path}: key 'remove' must be a list of ids",
            zh=f"{path}：键 remove 必须是 id 列表，例如 “remove: [L7]”",
        )
    if parent is not None and not isinstance(parent, str):
        raise FrameworkError(
            f"{path}: key 'extends' takes one framework id or file path (a "
            f"string), not {parent!r}; write for example 'extends: "
            "cn-2017-quality'.",
            zh=f"{path}：键 extends 只能填写一个框架 id 或框架文件路径（字符串），"
            f"不能是 {parent!r}；例如写作 “extends: cn-2017-quality”。",
        )
    _check_removals(path, [str(r) for r in removed], data)
    if parent is None:
        if removed:
            raise FrameworkError(
                f"{path}: key 'remove' needs 'extends'",
                zh=f"{path}：键 remove 需要 extends 指明所修改的框架",
            )
        return data
    if "id" not in data:
        raise FrameworkError(
            f"{path}: an override needs an 'id' of its own; without one its "
            f"results would be labelled as {parent!r}",
            zh=f"{path}：修改框架的文件需要自己的 id；否则评估结果会被标为“{parent}”",
        )
    base = _resolve(
        _locate(str(parent), scan, path), scan, warnings, (*seen, path.resolve())
    )
    unknown = sorted({str(r) for r in removed} - _all_ids(base))
    if unknown:
        raise FrameworkError(
            f"{path}: key 'remove' names unknown id(s) {', '.join(unknown)}; "
            f"{parent!r} has no such indicator or item; check the spelling and case "
            "of each id",
            zh=f"{path}：键 remove 中的 id {', '.join(unknown)} 不存在；"
            f"“{parent}”中没有这样的指标或项目；请核对每个 id 的拼写和大小写",
        )
    merged: dict[str, Any] = _remove_ids(merge(base, data), {str(r) for r in removed})
    # The source names the document a framework implements. Inherited, it would
    # print the national document under a provincial name; reports name the
    # base under "based on" instead.
    if "source" not in data:
        merged.pop("source", None)
    # For the same reason the name is the override's own: a language it does
    # not name shows the override's id instead of the base's name.
    own_name = data.get("name")
    if own_name is None or isinstance(own_name, dict):
        own_name = own_name or {}
        merged["name"] = {lang: own_name.get(lang, data["id"]) for lang in ("zh", "en")}
    # Reports name the standard a modified framework started from.
    merged["based_on"] = [str(base.get("id")), *base.get("based_on", [])]
    rule_warning = _school_rule_warning(path, str(parent), base, data, merged)
    if rule_warning is not None:
        warnings.append(rule_warning)
    return merged


def _check_removals(path: Path, removed: list[str], own: dict[str, Any]) -> None:
    """Reject a ``remove`` list that repeats an id, or removes an id the same
    file also overrides; the override would be dropped without a word."""
    first: dict[str, int] = {}
    for index, rid in enumerate(removed):
        if rid in first:
            raise FrameworkError(
                f"{path}: key 'remove': id {rid!r} is listed twice (positions "
                f"[{first[rid]}] and [{index}]); list each id once.",
                zh=f"{path}：键 remove：id “{rid}” 列了两次（第 [{first[rid]}] 项和"
                f"第 [{index}] 项）；每个 id 只列一次。",
            )
        first[rid] = index
    both = sorted(set(removed) & _all_ids(own))
    if both:
        ids = ", ".join(both)
        raise FrameworkError(
            f"{path}: id(s) {ids} are both listed under 'remove' and given again "
            "in this file, so the changes would be lost. Delete the id from "
            "'remove' to change the entry, or delete the entry to remove it.",
            zh=f"{path}：id {ids} 既列在 remove 中，又在本文件中重新给出，修改会被"
            "丢弃。要修改该项请把 id 从 remove 中删去；要删除该项请删去文件中的该项。",
        )


def _check_own_id(path: Path, data: dict[str, Any], found: Found) -> None:
    """Reject a file that takes the id of another framework on the search path.

    A file given by path is not on the search path, so the listing cannot see
    the clash. Ids that differ only in case clash too. Without this check its
    results would carry the id, name and source of the framework it copies, such
    as the national standard.
    """
    if "id" not in data:
        return
    fid = str(data["id"])
    infos = found.get(fid.casefold(), [])
    owners = [i.path for i in infos]
    if not owners or any(p.resolve() == path.resolve() for p in owners):
        return
    other = ", ".join(str(p) for p in owners)
    case = any(i.id != fid for i in infos)
    note = " (ids that differ only in case count as the same id)" if case else ""
    note_zh = "（只有大小写不同的 id 视为相同）" if case else ""
    raise FrameworkError(
        f"{path}: id {fid!r} is already the id of the framework in {other}{note}; "
        f"a results report would pass this file off as that framework. Give the "
        f"file its own id, for example 'id: {fid}-{path.stem}'.",
        zh=f"{path}：id “{fid}” 已是 {other} 中框架的 id{note_zh}，评估结果会被当作"
        f"该框架的结果。请给本文件另起一个 id，例如 “id: {fid}-{path.stem}”。",
    )


def _entry_identity(entry: dict[str, Any]) -> tuple[str, str] | None:
    """Return what names a list entry: its id, or a check's key (or formula) and op."""
    if "id" in entry:
        return ("id", f"id {entry['id']!r}")
    for name in ("key", "formula"):
        if name in entry:
            return (name, f"{name} {entry[name]!r} with op {entry.get('op')!r}")
    return None


def _duplicate_entries(node: Any, where: str) -> list[tuple[str, int, int, str]]:
    """Return (key path, first and second position, identity) of every list
    entry that repeats an earlier one."""
    found: list[tuple[str, int, int, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _duplicate_entries(value, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list):
        first: dict[tuple[str, str], int] = {}
        for index, entry in enumerate(node):
            if not isinstance(entry, dict):
                continue
            ident = f"(id {entry['id']})" if "id" in entry else ""
            found += _duplicate_entries(entry, f"{where}[{index}]{ident}")
            identity = _entry_identity(entry)
            if identity is None:
                continue
            if identity in first:
                found.append((where, first[identity], index, identity[1]))
            else:
                first[identity] = index
    return found


def _check_unique_entries(path: Path, data: dict[str, Any]) -> None:
    """Reject a list (indicators, parts, items, veto items, checks) that repeats
    an id, or a check list that repeats a key or formula with the same op.

    Entries merge by id, so a repeated id would let the later entry silently
    replace the earlier one.
    """
    repeated = _duplicate_entries(data, "")
    if not repeated:
        return
    en = [
        f"  {where}: entries [{first}] and [{second}] both have {identity}; merge "
        "them into one entry or give each its own id"
        for where, first, second, identity in repeated
    ]
    zh = [
        f"  {where}：第 [{first}] 项和第 [{second}] 项的 {identity} 相同；"
        "请合并为一项，或给每项不同的 id"
        for where, first, second, identity in repeated
    ]
    raise FrameworkError(
        f"{path}: invalid framework\n" + "\n".join(en),
        zh=f"{path}：评估框架有误\n" + "\n".join(zh),
    )


def _school_rule_warning(
    path: Path,
    parent: str,
    base: dict[str, Any],
    own: dict[str, Any],
    merged: dict[str, Any],
) -> Text | None:
    """Warn when an override changes the number of resource indicators but keeps
    the base's ``school_rule.min_met``, which changes what the rule demands."""
    before = len(base.get("resource_indicators") or [])
    after = len(merged.get("resource_indicators") or [])
    rule = merged.get("school_rule")
    own_rule = own.get("school_rule")
    if before == after or not isinstance(rule, dict) or "min_met" not in rule:
        return None
    if isinstance(own_rule, dict) and "min_met" in own_rule:
        return None
    met = rule["min_met"]
    return Text(
        zh=f"{path}：本文件把资源配置指标由 {before} 项改为 {after} 项，但没有设置 "
        f"school_rule.min_met，沿用“{parent}”的 {met}，学校规则因此变为“{after} 项"
        f"中至少 {met} 项达标”。请在文件中写明 school_rule: {{min_met: N}}，"
        f"N 为每所学校须达标的指标数。",
        en=f"{path}: this override changes the resource indicators from {before} "
        f"to {after} but does not set school_rule.min_met, so it keeps {met} from "
        f"{parent!r} and the school rule is now 'at least {met} of {after}'. Set "
        "school_rule: {min_met: N} in the file, N being the indicators every "
        "school must meet.",
    )


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
    scan = _scan()
    path = _locate(ref, scan)
    warnings: list[Text] = []
    data = _resolve(path, scan, warnings)
    _check_sections(path, data)
    _check_case_clashes(path, data)
    data["path"] = str(path)
    indicators = data.get("resource_indicators")
    context = {INDICATOR_COUNT: len(indicators)} if isinstance(indicators, list) else {}
    try:
        framework = Framework.model_validate(data, context=context)
    except ValidationError as exc:
        problems = [
            _schema_problem(_format_location(tuple(err["loc"]), data), err)
            for err in exc.errors()
        ]
        problems += _consistency_problems(_valid_part(data, context))
        raise _invalid(path, problems) from None
    _check_consistency(framework, path)
    framework.warnings.extend(warnings)
    return framework


_FILE_TEXTS = {
    **PROBLEM_TEXTS,
    "dict_type": ("应为映射（键: 值）", "must be a mapping (key: value)"),
    "model_type": ("应为映射（键: 值）", "must be a mapping (key: value)"),
    "list_type": ("应为列表", "must be a list"),
    "literal_error": ("应为 {expected}", "must be {expected}"),
    RULE_ERROR: ("{zh}", "{en}"),
}
"""Problem texts for a YAML file, whose mappings and lists JSON calls objects
and arrays."""

_VALUE_LIMIT = 60


def _schema_problem(where: str, err: Mapping[str, Any]) -> Text:
    """Word one pydantic error of the framework file with the key, the value
    and the fix."""
    kind = str(err.get("type", ""))
    en = f"{where}: {describe_problem(err, 'en', _FILE_TEXTS)}"
    zh = f"{where}：{describe_problem(err, 'zh', _FILE_TEXTS)}"
    if kind == "missing":
        return Text(en=f"{en}; add the key", zh=f"{zh}；请补上该键")
    if kind == "extra_forbidden":
        return Text(
            en=f"{en}; remove it or correct its spelling (docs/frameworks.md "
            "lists the keys)",
            zh=f"{zh}；请删除该键或改正拼写（docs/frameworks.md 列出了可用的键）",
        )
    if kind == RULE_ERROR:
        return Text(en=en, zh=zh)
    value = repr(err.get("input"))
    if len(value) > _VALUE_LIMIT:
        value = value[: _VALUE_LIMIT - 1] + "…"
    return Text(
        en=f"{en}, not {value}; correct the value",
        zh=f"{zh}，现为 {value}；请改正该值",
    )


def _invalid(path: Path, problems: list[Text]) -> FrameworkError:
    """Return the error of a framework file with one line per problem."""
    return FrameworkError(
        f"{path}: invalid framework\n" + "\n".join(f"  {p.en}" for p in problems),
        zh=f"{path}：评估框架有误\n" + "\n".join(f"  {p.zh}" for p in problems),
    )


def _check_sections(path: Path, data: dict[str, Any]) -> None:
    """Reject a ``sections`` list that names a section twice; every result
    table has one column per section."""
    sections = data.get("sections")
    if not isinstance(sections, list):
        return
    first: dict[str, int] = {}
    for index, section in enumerate(sections):
        if not isinstance(section, str):
            continue
        if section in first:
            raise FrameworkError(
                f"{path}: key 'sections': {section!r} is listed twice (positions "
                f"[{first[section]}] and [{index}]); list each section once, for "
                "example 'sections: [primary, junior]'.",
                zh=f"{path}：键 sections：“{section}” 列了两次（第 [{first[section]}] "
                f"项和第 [{index}] 项）；每个学段只列一次，例如 “sections: "
                "[primary, junior]”。",
            )
        first[section] = index


def _named_entries(data: dict[str, Any]) -> list[tuple[str, str]]:
    """Return (kind, name) of every indicator id, item id and check key."""
    names: list[tuple[str, str]] = []
    for ind in data.get("resource_indicators") or []:
        if isinstance(ind, dict) and "id" in ind:
            names.append(("id", str(ind["id"])))
    items = [
        item
        for part in data.get("parts") or []
        if isinstance(part, dict)
        for item in part.get("items") or []
    ] + list(data.get("veto_items") or [])
    for item in items:
        if not isinstance(item, dict):
            continue
        if "id" in item:
            names.append(("id", str(item["id"])))
        for check in item.get("checks") or []:
            if isinstance(check, dict) and "key" in check:
                names.append(("key", str(check["key"])))
    return names


def _check_case_clashes(path: Path, data: dict[str, Any]) -> None:
    """Reject ids or check keys that differ only in case, such as ``l6`` next
    to ``L6``: the results tables and the county items sheet ignore case."""
    spellings: dict[str, dict[str, str]] = {}
    for kind, name in _named_entries(data):
        spellings.setdefault(name.casefold(), {}).setdefault(name, kind)
    clashes = [names for names in spellings.values() if len(names) > 1]
    if not clashes:
        return
    en = [
        "  "
        + " and ".join(f"{kind} {name!r}" for name, kind in names.items())
        + " differ only in case; rename one of them"
        for names in clashes
    ]
    zh = [
        "  "
        + " 与 ".join(f"{kind} “{name}”" for name, kind in names.items())
        + " 只有大小写不同；请给其中一个改名"
        for names in clashes
    ]
    raise FrameworkError(
        f"{path}: invalid framework\n" + "\n".join(en),
        zh=f"{path}：评估框架有误\n" + "\n".join(zh),
    )


def _formula_problem(where: str, error: FormulaError) -> Text:
    # NOTE: the formula parser words its errors in English only.
    return Text(
        en=f"{where}: {error}; correct the formula",
        zh=f"{where}：公式无效（{error}）；请改正公式",
    )


def _indicator_problems(fw: Framework) -> list[Text]:
    """Return the problems of the formulas, thresholds and ids."""
    problems: list[Text] = []
    for i, ind in enumerate(fw.resource_indicators):
        where = f"resource_indicators[{i}](id {ind.id})"
        try:
            compile_formula(ind.formula, UNIT_FORMULA_FIELDS)
        except FormulaError as exc:
            problems.append(_formula_problem(f"{where}.formula", exc))
        if ind.threshold is not None:
            missing = ", ".join(s for s in fw.sections if s not in ind.threshold)
            if missing:
                problems.append(
                    Text(
                        en=f"{where}.threshold: missing section(s) {missing}; add "
                        "a threshold for each section of 'sections'",
                        zh=f"{where}.threshold：缺少学段 {missing}；请为 sections "
                        "中的每个学段填写阈值",
                    )
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
                problems.append(
                    _formula_problem(f"item {item.id}.checks[{j}].formula", exc)
                )
    duplicates = ", ".join(sorted({i for i in ids if ids.count(i) > 1}))
    if duplicates:
        problems.append(
            Text(
                en=f"ids used more than once: {duplicates}; give each indicator "
                "and item an id of its own",
                zh=f"以下 id 重复使用：{duplicates}；请给每个指标和项目各取一个 id",
            )
        )
    return problems


def _valid_part(data: dict[str, Any], context: dict[str, Any]) -> Framework:
    """Return a framework of the top-level keys of ``data`` that are valid on
    their own, for the checks between keys of a file that failed validation.

    The keys left out are unset (or take their defaults), so a check that
    reads one raises :class:`AttributeError`.
    """
    valid: dict[str, Any] = {}
    for name, info in Framework.model_fields.items():
        if name not in data:
            continue
        # The field's constraints (info) are validated along with its type.
        field_type: Any = Annotated[info.annotation, info]
        adapter: TypeAdapter[Any] = TypeAdapter(field_type)
        try:
            valid[name] = adapter.validate_python(data[name], context=context)
        except ValidationError:
            continue
    return Framework.model_construct(**valid)


def _cv_limit_problems(fw: Framework) -> list[Text]:
    problems: list[Text] = []
    for section in fw.sections:
        if section not in fw.balance_rule.cv_limit:
            problems.append(
                Text(
                    en=f"balance_rule.cv_limit: missing section {section}; add "
                    f"the CV limit of {section}",
                    zh=f"balance_rule.cv_limit：缺少学段 {section}；请填写该学段的"
                    "差异系数限值",
                )
            )
    return problems


def _school_type_problems(fw: Framework) -> list[Text]:
    problems: list[Text] = []
    known = ", ".join(SCHOOL_TYPES)
    for school_type in fw.school_types:
        if school_type not in SCHOOL_TYPES:
            problems.append(
                Text(
                    en=f"school_types: unknown school type {school_type!r}; use "
                    f"one of {known}",
                    zh=f"school_types：未知的学校类型“{school_type}”；请使用以下之一："
                    f"{known}",
                )
            )
    return problems


def _split_problems(fw: Framework) -> list[Text]:
    problems: list[Text] = []
    for name in fw.split.shared_fields:
        if name not in FIELDS_BY_NAME:
            problems.append(
                Text(
                    en=f"split.shared_fields: unknown field {name!r}; use a field "
                    "of the school data template",
                    zh=f"split.shared_fields：未知字段“{name}”；请使用学校数据模板中的"
                    "字段",
                )
            )
    return problems


def _school_rule_problems(fw: Framework) -> list[Text]:
    problems: list[Text] = []
    if fw.school_rule is None:
        return problems
    unthresholded = ", ".join(
        i.id for i in fw.resource_indicators if i.threshold is None
    )
    if unthresholded:
        problems.append(
            Text(
                en="school_rule: needs a threshold on every resource indicator; "
                f"none on {unthresholded}; add their thresholds or remove "
                "school_rule",
                zh=f"school_rule：每个资源配置指标都需要阈值，{unthresholded} 没有；"
                "请补上阈值或删除 school_rule",
            )
        )
    # SchoolRule checks min_met against the number of indicators, given in the
    # validation context, so that error comes with the other keys' errors.
    return problems


_CONSISTENCY_CHECKS = (
    _indicator_problems,
    _cv_limit_problems,
    _school_type_problems,
    _split_problems,
    _school_rule_problems,
)
"""Checks of the rules between keys, each returning the problems it finds."""


def _consistency_problems(partial: Framework) -> list[Text]:
    """Return the problems of the checks in :data:`_CONSISTENCY_CHECKS` that
    read only keys of ``partial``, a framework from :func:`_valid_part`.

    A check that reads an invalid key is skipped, because that key has its
    own error already.
    """
    problems: list[Text] = []
    for check in _CONSISTENCY_CHECKS:
        try:
            problems += check(partial)
        except AttributeError:
            continue
    return problems


def _check_consistency(fw: Framework, path: Path) -> None:
    """Raise :class:`FrameworkError` listing every rule between keys that the
    merged framework breaks."""
    problems = [problem for check in _CONSISTENCY_CHECKS for problem in check(fw)]
    if problems:
        raise _invalid(path, problems)
