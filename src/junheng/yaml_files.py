"""Read the YAML files of frameworks, import profiles and planning and
monitoring settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from junheng.errors import JunhengError

# libyaml's parser, where PyYAML was built with it: every command reads the
# framework files, and the pure-Python parser took a fifth of a second for them.
_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _RepeatedKey(Exception):
    """A key given twice in one mapping, with the lines of both (1-based).

    ``kind`` is "list" or "mapping" when both values are one, else "scalar".
    """

    def __init__(self, key: str, first: int, second: int, kind: str) -> None:
        super().__init__(key)
        self.key = key
        self.first = first
        self.second = second
        self.kind = kind


def _value_kind(first: Any, second: Any) -> str:
    """Return the kind of two YAML value nodes: "list", "mapping" or "scalar"."""
    for node_type, kind in (
        (yaml.SequenceNode, "list"),
        (yaml.MappingNode, "mapping"),
    ):
        if isinstance(first, node_type) and isinstance(second, node_type):
            return kind
    return "scalar"


class _UniqueKeyLoader(_BASE_LOADER):  # type: ignore[misc,valid-type]
    """The safe loader, refusing a mapping that repeats a key.

    PyYAML keeps the last of two equal keys, so ``remove: [V7]`` followed by
    ``remove: [V6]`` would silently drop V7.
    """

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: dict[tuple[str, str], tuple[int, Any]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            name = (key_node.tag, key_node.value)
            line = key_node.start_mark.line + 1
            if name in seen:
                first, first_value = seen[name]
                kind = _value_kind(first_value, value_node)
                raise _RepeatedKey(key_node.value, first, line, kind)
            seen[name] = (line, value_node)
        return super().construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(
    "tag:yaml.org,2002:map", _UniqueKeyLoader.construct_yaml_map
)


def read_mapping(
    path: Path, error: type[JunhengError], kind: str, kind_zh: str
) -> dict[str, Any]:
    """Parse the YAML file ``path`` and return its top-level mapping.

    Raises ``error`` naming ``path`` when the file cannot be read, is not valid
    YAML (with the line, the column and the quoted text) or does not hold a
    mapping. ``kind`` and ``kind_zh`` name the file's role in the messages,
    such as "framework file" and 框架文件.
    """
    text = read_yaml_text(path, error, kind, kind_zh)
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except _RepeatedKey as exc:
        fix, fix_zh = _repeated_key_fix(exc)
        raise error(
            f"{path}: line {exc.second}: key {exc.key!r} is given a second time "
            f"in the same mapping (first at line {exc.first}); YAML would keep "
            f"only the last one and silently drop the other. {fix}",
            zh=f"{path}：第 {exc.second} 行的键“{exc.key}”在同一映射中重复出现"
            f"（第一次在第 {exc.first} 行）；YAML 只保留最后一个，前一个会被悄悄"
            f"丢弃。{fix_zh}",
        ) from None
    except yaml.YAMLError:
        # Parsed again by the pure-Python parser, whose error quotes the line
        # with a caret and names the character it stopped at.
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise _syntax_error(exc, path, error) from None
    if not isinstance(data, dict):
        raise error(
            f"{path}: a {kind} must be a mapping of keys",
            zh=f"{path}：{kind_zh}的顶层必须是键值映射",
        )
    return dict(data)


def read_yaml_text(
    path: Path, error: type[JunhengError], kind: str, kind_zh: str
) -> str:
    """Read the text of the YAML file ``path`` as :func:`decode_yaml` decodes it.

    Raises ``error`` naming ``path`` when the file cannot be read or decoded.
    ``kind`` and ``kind_zh`` name the file's role, as for :func:`read_mapping`.
    """
    try:
        data_bytes = path.read_bytes()
    except OSError as exc:
        raise error(
            f"{path}: cannot read {kind}: {exc}", zh=f"{path}：无法读取{kind_zh}：{exc}"
        ) from None
    return decode_yaml(data_bytes, path, error)


def decode_yaml(data: bytes, path: Path, error: type[JunhengError]) -> str:
    """Return the text of a YAML file saved as UTF-8 (with or without a byte
    order mark) or, as Chinese editors on Windows often save it, GB18030/GBK."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        first = exc
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise error(
            f"{path}: byte {first.start + 1} is not valid UTF-8 (nor GB18030/GBK); "
            "save the file as UTF-8 and load it again",
            zh=f"{path}：第 {first.start + 1} 个字节不是有效的 UTF-8 编码（也不是 "
            "GB18030/GBK）；请将文件另存为 UTF-8 编码后重试",
        ) from None


def _repeated_key_fix(exc: _RepeatedKey) -> tuple[str, str]:
    """Return the fix for a repeated key in en and zh, by the kind of its values."""
    key = exc.key
    if exc.kind == "list":
        return (
            f"Merge the two into one key, one list under {key!r}.",
            f"请把两处合并为一个键，把两个列表合并到一个“{key}”下。",
        )
    if exc.kind == "mapping":
        return (
            f"Merge the two into one key, one mapping under {key!r}.",
            f"请把两处合并为一个键，把两个映射的内容合并到一个“{key}”下。",
        )
    return (
        f"Keep one of the two values of {key!r} and delete the other line.",
        f"请保留“{key}”的两个值中的一个，删除另一行。",
    )


def _syntax_error(
    exc: yaml.YAMLError, path: Path, error: type[JunhengError]
) -> JunhengError:
    # The parser read a string, so its marks name "<unicode string>" as the file.
    marks = [
        mark
        for mark in (
            getattr(exc, "context_mark", None),
            getattr(exc, "problem_mark", None),
        )
        if mark is not None
    ]
    for mark in marks:
        mark.name = str(path)
    # The English text quotes the line, and the Chinese one gives its position.
    at = f"第 {marks[-1].line + 1} 行第 {marks[-1].column + 1} 列的 " if marks else ""
    return error(
        f"{path}: invalid YAML: {exc}",
        zh=f"{path}：{at}YAML 语法有误，请按下文英文说明改正",
    )
