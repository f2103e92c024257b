"""Read the YAML files of frameworks and import profiles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from junheng.errors import JunhengError

# libyaml's parser, where PyYAML was built with it: every command reads the
# framework files, and the pure-Python parser took a fifth of a second for them.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_mapping(
    path: Path, error: type[JunhengError], kind: str, kind_zh: str
) -> dict[str, Any]:
    """Parse the YAML file ``path`` and return its top-level mapping.

    Raises ``error`` naming ``path`` when the file cannot be read, is not valid
    YAML (with the line, the column and the quoted text) or does not hold a
    mapping. ``kind`` and ``kind_zh`` name the file's role in the messages,
    such as "framework file" and 框架文件.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(
            f"{path}: cannot read {kind}: {exc}", zh=f"{path}：无法读取{kind_zh}：{exc}"
        ) from None
    try:
        data = yaml.load(text, Loader=_LOADER)
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
