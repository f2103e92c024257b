"""Import profiles: other data layouts mapped onto the canonical schema, as data.

A profile is a YAML file. Its ``columns`` give, for each canonical field, an
expression over the source file's columns; its ``defaults`` give constant values.
The built-in profiles live in this package's ``profiles/`` folder. More folders
can be listed in the ``JUNHENG_PROFILES`` environment variable (separated like
``PATH``), and a file path works wherever a profile id does.

Expression forms (``docs/import.md`` has the full description)::

    学校名称                                  a source column
    {literal: 小学}                           a constant (a bare number also is one)
    {sum: [男專任教師, 女專任教師, 0]}        sum of columns and numbers
    {sum_matching: "^[1-6]年級班級數$"}       sum of every column whose header matches
    {concat: [縣市代碼, 鄉鎮市區], sep: "-"}   text joined with a separator
    {if_contains: {column: 學校名稱, text: 私立, then: 民办, else: 公办}}
    {map: {column: 地區屬性, values: {偏遠: 乡村}, default: null}}
    {expr: "`學年度` + 1911"}                 arithmetic: + - * / and parentheses

Numeric expressions read source cells as numbers and report cells that are not.
A sum ignores empty cells but is empty when all its cells are. Division by zero
gives an empty value.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import polars as pl

from junheng.errors import ProfileError
from junheng.ingest.issues import RULES, Issue
from junheng.ingest.messages import both
from junheng.ingest.readers import ROW_COLUMN, RawTable, float_text
from junheng.ingest.schema import ALL_SCHOOL_FIELDS, FIELDS_BY_NAME
from junheng.ingest.validate import CodeScheme, TableContext, nested_column_issue
from junheng.yaml_files import read_mapping

BUILTIN_DIR = Path(__file__).parent / "profiles"
ENV_VAR = "JUNHENG_PROFILES"

_TOP_KEYS = frozenset(
    {
        "id",
        "name",
        "description",
        "source_encoding",
        "code_scheme",
        "sheet",
        "defaults",
        "columns",
        "warn_only",
    }
)


# ---------------------------------------------------------------------------
# Expression nodes


@dataclass(frozen=True)
class Column:
    """A source column, read as text (or as a number inside numeric forms)."""

    name: str


@dataclass(frozen=True)
class Literal:
    """A constant text or number."""

    value: str | float


@dataclass(frozen=True)
class Sum:
    """The sum of source columns, numbers and numeric expressions."""

    items: tuple[Node, ...]


@dataclass(frozen=True)
class SumMatching:
    """The sum of every source column whose header matches ``pattern``."""

    pattern: str


@dataclass(frozen=True)
class Concat:
    """Text parts joined by ``sep``; empty if any part is empty."""

    items: tuple[Node, ...]
    sep: str


@dataclass(frozen=True)
class IfContains:
    """``then`` where the column contains ``text``, otherwise ``otherwise``."""

    column: str
    text: str
    then: str | None
    otherwise: str | None


@dataclass(frozen=True)
class MapValues:
    """Source values replaced by ``values``; any other value becomes ``default``."""

    column: str
    values: dict[str, str | None]
    default: str | None
    has_default: bool = False


@dataclass(frozen=True)
class Arithmetic:
    """An arithmetic expression over source columns, parsed with :mod:`ast`."""

    text: str
    tree: ast.expr
    names: dict[str, str]


Node = (
    Column | Literal | Sum | SumMatching | Concat | IfContains | MapValues | Arithmetic
)


@dataclass(frozen=True)
class Profile:
    """A loaded import profile."""

    id: str
    name_zh: str
    name_en: str
    description: str
    source_encoding: str | None
    code_scheme: CodeScheme
    sheet: str | None
    defaults: dict[str, str]
    columns: dict[str, Node]
    warn_only: frozenset[str]
    path: Path

    @property
    def name(self) -> str:
        """Return the Chinese and English names on two lines, for listings."""
        return "\n".join(n for n in (self.name_zh, self.name_en) if n)

    def source_columns(self) -> frozenset[str]:
        """Return the source headers the expressions name (patterns aside)."""
        return frozenset(
            name for node in self.columns.values() for name in _node_columns(node)
        )


def _node_columns(node: Node) -> list[str]:
    """Return the source columns that an expression names."""
    if isinstance(node, Column):
        return [node.name]
    if isinstance(node, IfContains | MapValues):
        return [node.column]
    if isinstance(node, Sum | Concat):
        return [name for item in node.items for name in _node_columns(item)]
    if isinstance(node, Arithmetic):
        return list(node.names.values())
    return []


# ---------------------------------------------------------------------------
# Loading


def search_dirs() -> list[Path]:
    """Return the folders searched for profiles, built-in folder last."""
    extra = os.environ.get(ENV_VAR, "")
    return [*(Path(p) for p in extra.split(os.pathsep) if p), BUILTIN_DIR]


def _read_yaml(path: Path) -> dict[str, Any]:
    return read_mapping(path, ProfileError, "import profile", "导入配置")


def _scan() -> tuple[dict[str, Profile | ProfileError], list[ProfileError]]:
    """Return each profile id on the search path with its profile, or the error
    of its file, and the errors of every file that cannot be used.

    A file that cannot be parsed goes by its file name. An id that more than
    one file uses, in any letter case, is unusable: a local file must not
    silently stand in for another profile, a built-in one included.
    """
    found: dict[str, Profile | ProfileError] = {}
    errors: list[ProfileError] = []
    files: dict[str, list[Path]] = {}
    for folder in search_dirs():
        for path in sorted(folder.glob("*.y*ml")):
            key = path.stem
            try:
                data = _read_yaml(path)
                if isinstance(data.get("id"), str) and data["id"]:
                    key = data["id"]
                files.setdefault(key.casefold(), []).append(path)
                found.setdefault(key, _parse_profile(path, data))
            except ProfileError as error:
                errors.append(error)
                found.setdefault(key, error)
    for key in list(found):
        paths = files.get(key.casefold(), [])
        if len(paths) > 1:
            named = ", ".join(str(p) for p in paths)
            shared = ProfileError(
                f"import profile id {key!r} is used by more than one file: {named}; "
                "give each profile file its own id",
                zh=f"导入配置标识 {key!r} 被多个文件使用：{named}；"
                "请为每个配置文件设置不同的 id",
            )
            found[key] = shared
            errors.append(shared)
    return found, errors


def scan_profiles() -> tuple[list[Profile], list[ProfileError]]:
    """Return the usable profiles on the search path, sorted by id, and the
    errors of the files that cannot be used.

    A broken file is a problem, not a failure, so the other profiles stay usable.
    """
    found, errors = _scan()
    usable = [p for p in found.values() if isinstance(p, Profile)]
    return sorted(usable, key=lambda p: p.id), errors


def list_profiles() -> list[Profile]:
    """Return the usable profiles on the search path; :func:`scan_profiles`
    also gives the errors of the others."""
    return scan_profiles()[0]


def load_profile(ref: str) -> Profile:
    """Load a profile by id or file path.

    Raises :class:`~junheng.errors.ProfileError` naming the file and the key at
    fault, or listing the installed profiles when ``ref`` is not found.
    """
    path = Path(ref)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        return _parse_profile(path, _read_yaml(path))
    found = _scan()[0]
    entry = found.get(ref)
    if isinstance(entry, Profile):
        return entry
    if isinstance(entry, ProfileError):
        raise entry
    usable = sorted(i for i, p in found.items() if isinstance(p, Profile))
    raise ProfileError(
        f"import profile {ref!r} not found; installed profiles: "
        f"{', '.join(usable) or 'none'}. Give a file path or add its folder to "
        f"{ENV_VAR}.",
        zh=f"找不到导入配置“{ref}”；已安装的配置：{'、'.join(usable) or '无'}。"
        f"请给出配置文件的路径，或把它所在的文件夹加入环境变量 {ENV_VAR}。",
    )


def _invalid(path: Path, key: str, en: str, zh: str) -> ProfileError:
    """Build the error of key ``key`` of profile file ``path`` in both languages.

    ``en`` and ``zh`` state the value at fault and the fix; an empty ``key``
    names the file alone.
    """
    if not key:
        return ProfileError(f"{path}: {en}", zh=f"{path}：{zh}")
    return ProfileError(f"{path}: {key}: {en}", zh=f"{path}：{key}：{zh}")


def _parse_profile(path: Path, data: dict[str, Any]) -> Profile:
    unknown = sorted(map(str, set(data) - _TOP_KEYS))
    if unknown:
        allowed = ", ".join(sorted(_TOP_KEYS))
        raise _invalid(
            path,
            "",
            f"unknown key(s) {', '.join(unknown)}; allowed: {allowed}. Correct "
            "the spelling or delete the key.",
            f"未知的键 {', '.join(unknown)}；可用的键：{allowed}。"
            "请改正拼写或删除该键。",
        )
    profile_id = data.get("id")
    if not isinstance(profile_id, str) or not profile_id:
        raise _invalid(
            path,
            "id",
            f"must be a non-empty text, not {profile_id!r}; write for example "
            f"'id: {path.stem}'.",
            f"必须是非空文本，不能是 {profile_id!r}；"
            f"请按如下格式填写：“id: {path.stem}”。",
        )
    name = data.get("name") or {}
    if not isinstance(name, dict):
        raise _invalid(
            path,
            "name",
            f"must be a mapping with zh and en, not {name!r}; write for example "
            "'name: {zh: 某市学校数据, en: City school data}'.",
            f"必须是含 zh 和 en 的映射，不能是 {name!r}；请按如下格式填写："
            "“name: {zh: 某市学校数据, en: City school data}”。",
        )

    code_scheme = data.get("code_scheme", "cn")
    if code_scheme not in ("cn", "none"):
        raise _invalid(
            path,
            "code_scheme",
            f"{code_scheme!r} is not a code scheme; use 'cn' (check Chinese "
            "division and school codes) or 'none' (skip code checks).",
            f"{code_scheme!r} 不是可用的代码规则；请填写 cn（检查中国的区划代码和"
            "学校标识码）或 none（不检查代码）。",
        )
    source_encoding = _source_encoding(data, path)
    columns, defaults = _parse_mappings(path, data)
    return Profile(
        id=profile_id,
        name_zh=str(name.get("zh", "")),
        name_en=str(name.get("en", "")),
        description=str(data.get("description", "")).strip(),
        source_encoding=source_encoding,
        code_scheme=cast(CodeScheme, code_scheme),
        sheet=_optional_text(data, "sheet", path),
        defaults=defaults,
        columns=columns,
        warn_only=_parse_warn_only(path, data.get("warn_only")),
        path=path,
    )


def _mapping(path: Path, data: dict[str, Any], key: str) -> dict[Any, Any]:
    """Return the mapping under ``key`` of ``data``, empty when it is not given."""
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise _invalid(
            path,
            key,
            f"must be a mapping of canonical field names, not {value!r}; write one "
            f"'field: value' line per field, indented under '{key}:'.",
            f"必须是以标准字段名为键的映射，不能是 {value!r}；请在“{key}:”下缩进，"
            "每个字段写一行“字段: 值”。",
        )
    return value


def _parse_mappings(
    path: Path, data: dict[str, Any]
) -> tuple[dict[str, Node], dict[str, str]]:
    """Parse ``columns`` and ``defaults`` and check every required field is mapped."""
    columns_raw = _mapping(path, data, "columns")
    defaults_raw = _mapping(path, data, "defaults")
    columns = {
        _field_key(path, "columns", key): _parse_node(value, path, f"columns.{key}")
        for key, value in columns_raw.items()
    }
    defaults = {
        _field_key(path, "defaults", key): _default_text(value, path, key)
        for key, value in defaults_raw.items()
    }
    missing = [
        spec.name
        for spec in ALL_SCHOOL_FIELDS
        if spec.required and spec.name not in columns and spec.name not in defaults
    ]
    if missing:
        raise _invalid(
            path,
            "",
            f"required field(s) {', '.join(missing)} have no entry under "
            "'columns' or 'defaults'; map each to a source column under 'columns' "
            "or give it a constant value under 'defaults'.",
            f"必填字段 {', '.join(missing)} 在 columns 和 defaults 中都没有；"
            "请在 columns 中为每个字段指定来源列，或在 defaults 中给出固定值。",
        )
    return columns, defaults


def _parse_warn_only(path: Path, value: object) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list):
        raise _invalid(
            path,
            "warn_only",
            f"must be a list of rule ids, not {value!r}; write for example "
            "'warn_only: [no_students]'.",
            f"必须是规则 id 的列表，不能是 {value!r}；请按如下格式填写："
            "“warn_only: [no_students]”。",
        )
    unknown = sorted(str(rule) for rule in value if rule not in RULES)
    if unknown:
        known = ", ".join(sorted(RULES))
        raise _invalid(
            path,
            "warn_only",
            f"unknown rule id(s) {', '.join(unknown)}; known: {known}. Correct the "
            "spelling or delete the id.",
            f"未知的规则 id {', '.join(unknown)}；可用的规则 id：{known}。"
            "请改正拼写或删除该 id。",
        )
    return frozenset(str(rule) for rule in value)


def _optional_text(data: dict[str, Any], key: str, path: Path) -> str | None:
    value = data.get(key)
    return None if value is None else _text(value, path, key)


def _source_encoding(data: dict[str, Any], path: Path) -> str | None:
    """Return the profile's ``source_encoding``, checked as ``--encoding`` is."""
    from junheng.ingest.readers import text_encoding

    value = _optional_text(data, "source_encoding", path)
    if value is None:
        return None
    try:
        text_encoding(value)
    except LookupError:
        raise _invalid(
            path,
            "source_encoding",
            f"{value!r} is not a text encoding; give the Python name of one, "
            "such as utf-8, gb18030 or big5, or delete the key to detect UTF-8, "
            "UTF-16 and GB18030.",
            f"{value!r} 不是文本编码；请填写 Python 的文本编码名，如 utf-8、gb18030 "
            "或 big5，或删除该项，由程序识别 UTF-8、UTF-16 和 GB18030。",
        ) from None
    return value


def _field_key(path: Path, section: str, key: object) -> str:
    if key not in FIELDS_BY_NAME:
        known = ", ".join(spec.name for spec in ALL_SCHOOL_FIELDS)
        raise _invalid(
            path,
            f"{section}.{key}",
            f"not a canonical field; known fields: {known}. Correct the field "
            "name or delete the entry.",
            f"不是标准字段；可用的字段：{known}。请改正字段名或删除该项。",
        )
    return str(key)


def _default_text(value: object, path: Path, key: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _invalid(
            path,
            f"defaults.{key}",
            f"must be a text or a number, not {value!r}; give one constant value, "
            "such as 小学 or 0.",
            f"必须是文本或数字，不能是 {value!r}；请给出一个固定值，例如 小学 或 0。",
        )
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_FORMS = (
    "literal",
    "column",
    "sum",
    "sum_matching",
    "concat",
    "if_contains",
    "map",
    "expr",
)


def _parse_node(spec: object, path: Path, key: str) -> Node:
    """Parse one column expression; ``key`` locates it in error messages."""
    if isinstance(spec, str):
        return Column(spec)
    if isinstance(spec, int | float) and not isinstance(spec, bool):
        return Literal(float(spec))
    forms = [form for form in _FORMS if isinstance(spec, dict) and form in spec]
    if not isinstance(spec, dict) or len(forms) != 1:
        raise _invalid(
            path,
            key,
            f"expected a column name, a number, or a mapping with exactly one of "
            f"{', '.join(_FORMS)}; got {spec!r}. Write one expression form, as "
            "docs/import.md lists them.",
            f"应为列名、数字，或恰好含 {', '.join(_FORMS)} 之一的映射；实际为 "
            f"{spec!r}。请按 docs/import.md 列出的写法写一种表达式。",
        )
    form = forms[0]
    extra = sorted(
        map(str, set(spec) - {form} - ({"sep"} if form == "concat" else set()))
    )
    if extra:
        raise _invalid(
            path,
            key,
            f"unexpected key(s) {', '.join(extra)} next to {form}; delete them, or "
            f"move them inside the {form} mapping.",
            f"{form} 旁有多余的键 {', '.join(extra)}；"
            f"请删除，或移到 {form} 的映射之内。",
        )
    return _parse_form(form, spec, path, key)


def _parse_form(form: str, spec: dict[str, Any], path: Path, key: str) -> Node:
    body = spec[form]
    if form == "literal":
        if isinstance(body, bool) or not isinstance(body, str | int | float):
            raise _invalid(
                path,
                f"{key}.literal",
                f"must be a text or a number, not {body!r}; give one constant "
                "value, such as {literal: 小学}.",
                f"必须是文本或数字，不能是 {body!r}；请给出一个固定值，例如 "
                "{literal: 小学}。",
            )
        return Literal(body if isinstance(body, str) else float(body))
    if form == "column":
        return Column(_text(body, path, f"{key}.column"))
    if form == "sum":
        return Sum(_node_list(body, path, f"{key}.sum"))
    if form == "sum_matching":
        pattern = _text(body, path, f"{key}.sum_matching")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise _invalid(
                path,
                f"{key}.sum_matching",
                f"invalid regex {pattern!r}: {exc}; correct the pattern, and "
                "escape ( ) [ ] . * + ? with a backslash where they are meant "
                "literally.",
                f"正则表达式 {pattern!r} 有误：{_regex_problem(exc)}；请改正该模式，"
                "字面意义的 "
                "( ) [ ] . * + ? 前要加反斜杠。",
            ) from None
        return SumMatching(pattern)
    if form == "concat":
        sep = _text(spec.get("sep", ""), path, f"{key}.sep")
        return Concat(_node_list(body, path, f"{key}.concat"), sep)
    if form == "if_contains":
        return _parse_if_contains(body, path, f"{key}.if_contains")
    if form == "map":
        return _parse_map(body, path, f"{key}.map")
    expr = f"{key}.expr"
    return _parse_arithmetic(_text(body, path, expr), path, expr)


def _text(value: object, path: Path, key: str) -> str:
    if not isinstance(value, str):
        raise _invalid(
            path,
            key,
            f"must be a text, got {value!r}; write one text, in quotes if YAML "
            "would read it as a number, a list or a mapping.",
            f"必须是文本，实际为 {value!r}；请写一个文本，YAML 会读作数字、列表或"
            "映射的值要加引号。",
        )
    return value


def _optional(value: object, path: Path, key: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _invalid(
            path,
            key,
            f"must be a text, a number or null, not {value!r}; give one value, "
            "such as 公办, 0 or null.",
            f"必须是文本、数字或 null，不能是 {value!r}；"
            "请给出一个值，例如 公办、0 或 null。",
        )
    return str(value)


def _node_list(body: object, path: Path, key: str) -> tuple[Node, ...]:
    if not isinstance(body, list) or not body:
        raise _invalid(
            path,
            key,
            f"must be a non-empty list, not {body!r}; write the parts in brackets, "
            "for example [男生, 女生].",
            f"必须是非空列表，不能是 {body!r}；"
            "请把各项写在方括号中，例如 [男生, 女生]。",
        )
    return tuple(_parse_node(item, path, f"{key}[{i}]") for i, item in enumerate(body))


def _parse_if_contains(body: object, path: Path, key: str) -> IfContains:
    example = "{column: 学校名称, text: 私立, then: 民办, else: 公办}"
    if not isinstance(body, dict):
        raise _invalid(
            path,
            key,
            f"must be a mapping with column, text, then, else, not {body!r}; write "
            f"for example {example}.",
            f"必须是含 column、text、then、else 的映射，不能是 {body!r}；"
            f"请按如下格式填写：{example}。",
        )
    unknown = sorted(map(str, set(body) - {"column", "text", "then", "else"}))
    if unknown or "column" not in body or "text" not in body:
        keys = ", ".join(map(str, body))
        raise _invalid(
            path,
            key,
            f"needs keys column and text, and may have then and else; it has "
            f"{keys}. Write for example {example}.",
            f"需要键 column 和 text，可以有 then 和 else；现有的键是 {keys}。"
            f"请按如下格式填写：{example}。",
        )
    return IfContains(
        column=_text(body["column"], path, f"{key}.column"),
        text=_text(body["text"], path, f"{key}.text"),
        then=_optional(body.get("then"), path, f"{key}.then"),
        otherwise=_optional(body.get("else"), path, f"{key}.else"),
    )


def _parse_map(body: object, path: Path, key: str) -> MapValues:
    example = "{column: 地區屬性, values: {偏遠: 乡村}, default: null}"
    if not isinstance(body, dict):
        raise _invalid(
            path,
            key,
            f"must be a mapping with column, values, default, not {body!r}; write "
            f"for example {example}.",
            f"必须是含 column、values、default 的映射，不能是 {body!r}；"
            f"请按如下格式填写：{example}。",
        )
    unknown = set(body) - {"column", "values", "default"}
    values = body.get("values")
    if unknown or "column" not in body or not isinstance(values, dict):
        keys = ", ".join(map(str, body))
        raise _invalid(
            path,
            key,
            f"needs keys column and values (a mapping), and may have default; it "
            f"has {keys} (values: {values!r}). Write for example {example}.",
            f"需要键 column 和 values（映射），可以有 default；现有的键是 {keys}"
            f"（values：{values!r}）。请按如下格式填写：{example}。",
        )
    return MapValues(
        column=_text(body["column"], path, f"{key}.column"),
        values={
            str(k): _optional(v, path, f"{key}.values.{k}") for k, v in values.items()
        },
        default=_optional(body.get("default"), path, f"{key}.default"),
        has_default="default" in body,
    )


_BACKTICK = re.compile(r"`([^`]+)`")
_ALLOWED_NODES = (
    ast.BinOp,
    ast.UnaryOp,
    ast.Constant,
    ast.Load,
    ast.USub,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
)


_INVALID_CHARACTER = re.compile(r"invalid character '(.)' \((U\+[0-9A-F]+)\)")


def _syntax_problem(exc: SyntaxError, text: str) -> tuple[str, str]:
    """Describe in Chinese and English why the expression ``text`` does not parse.

    Python words ``exc`` in English only, and its offset counts in the text
    with backtick names replaced, so the cause is named from the text itself.
    """
    if not text.strip():
        return "表达式为空", "the expression is empty"
    if text.count("`") % 2:
        return "反引号 ` 没有成对", "a backtick ` is not closed"
    character = _INVALID_CHARACTER.search(exc.msg)
    if character is not None:
        char, code = character.groups()
        return (
            f"含有无效字符“{char}”（{code}），请改用半角符号",
            f"it has the invalid character {char!r} ({code}); type symbols in "
            "half-width (English) input mode",
        )
    if "never closed" in exc.msg:
        return "左括号“(”没有对应的右括号", "an opening '(' is never closed"
    if "unmatched" in exc.msg:
        return "右括号“)”没有对应的左括号", "a closing ')' has no opening '('"
    if text.rstrip()[-1] in "+-*/":
        return (
            "末尾的运算符后缺少数字或列名",
            "a number or column is missing at the end",
        )
    return (
        "两个数字或列名之间缺少运算符，或运算符之间缺少数字或列名",
        "an operator is missing between two numbers or columns, or a number or "
        "column is missing between two operators",
    )


_REGEX_PROBLEMS = (
    ("missing )", "左括号“(”没有对应的右括号"),
    ("unbalanced parenthesis", "右括号“)”没有对应的左括号"),
    ("unterminated character set", "左方括号“[”没有对应的右方括号"),
    ("nothing to repeat", "* + ? 或 {} 前面没有可重复的内容"),
    ("multiple repeat", "* + ? 连用"),
    ("bad escape", "反斜杠转义无效"),
)
"""Chinese descriptions of the :class:`re.error` messages, by their English start."""


def _regex_problem(exc: re.error) -> str:
    """Describe ``exc`` in Chinese, with the position it names."""
    reason = next(
        (zh for en, zh in _REGEX_PROBLEMS if exc.msg.startswith(en)), "语法无效"
    )
    if exc.pos is None:
        return reason
    return f"第 {exc.pos + 1} 个字符处{reason}"


def _parse_arithmetic(text: str, path: Path, key: str) -> Arithmetic:
    """Parse ``expr`` text, in which names in backticks may contain any character."""
    names: dict[str, str] = {}

    def placeholder(match: re.Match[str]) -> str:
        token = f"__column_{len(names)}"
        names[token] = match.group(1)
        return token

    source = _BACKTICK.sub(placeholder, text)
    try:
        tree = ast.parse(source.strip(), mode="eval").body
    except SyntaxError as exc:
        zh, en = _syntax_problem(exc, text)
        raise _invalid(
            path,
            key,
            f"invalid expression {text!r}: {en}; write numbers and column "
            "names joined by + - * / and parentheses, with names that are not "
            "plain identifiers in backticks.",
            f"表达式 {text!r} 有误：{zh}；请用 + - * / 和括号连接数字和列名，"
            "不是普通标识符的列名要放在反引号 ` 中。",
        ) from None
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.setdefault(node.id, node.id)
        elif not isinstance(node, _ALLOWED_NODES) or (
            isinstance(node, ast.Constant)
            and (
                isinstance(node.value, bool) or not isinstance(node.value, int | float)
            )
        ):
            part = ast.unparse(node)
            raise _invalid(
                path,
                key,
                f"unsupported part {part!r} in {text!r}; use numbers, column names "
                "(in backticks if not plain identifiers), + - * / and parentheses.",
                f"表达式 {text!r} 中的 {part!r} 不受支持；请只使用数字、列名（不是"
                "普通标识符的列名放在反引号 ` 中）、+ - * / 和括号。",
            )
    return Arithmetic(text, tree, names)


# ---------------------------------------------------------------------------
# Applying


class _MissingColumn(Exception):
    def __init__(self, column: str, pattern: bool = False) -> None:
        super().__init__(column)
        self.column = column
        self.pattern = pattern


class _NestedColumn(Exception):
    def __init__(self, column: str) -> None:
        super().__init__(column)
        self.column = column


@dataclass
class _Renderer:
    headers: list[str]
    numeric_sources: set[str]
    nested: Mapping[str, str] = field(default_factory=dict)

    def column(self, name: str) -> pl.Expr:
        if name not in self.headers:
            raise _MissingColumn(name)
        if name in self.nested:
            raise _NestedColumn(name)
        return pl.col(name)

    def number(self, name: str) -> pl.Expr:
        column = self.column(name)
        self.numeric_sources.add(name)
        return _source_number(column)

    def text(self, node: Node) -> pl.Expr:
        """Render a node as a String expression."""
        if isinstance(node, Column):
            return self.column(node.name)
        if isinstance(node, Literal):
            if isinstance(node.value, str):
                return pl.lit(node.value, dtype=pl.String)
            return float_text(pl.lit(node.value, dtype=pl.Float64))
        if isinstance(node, Concat):
            parts = [self.text(item) for item in node.items]
            return pl.concat_str(parts, separator=node.sep)
        if isinstance(node, IfContains):
            contains = self.column(node.column).str.contains(node.text, literal=True)
            return (
                pl.when(contains.fill_null(False))
                .then(pl.lit(node.then, dtype=pl.String))
                .otherwise(pl.lit(node.otherwise, dtype=pl.String))
            )
        if isinstance(node, MapValues):
            return self.column(node.column).replace_strict(
                node.values,
                default=pl.lit(node.default, dtype=pl.String),
                return_dtype=pl.String,
            )
        return float_text(self.numeric(node))

    def numeric(self, node: Node) -> pl.Expr:
        """Render a node as a Float64 expression."""
        if isinstance(node, Column):
            return self.number(node.name)
        if isinstance(node, Literal):
            if isinstance(node.value, str):
                return _source_number(pl.lit(node.value, dtype=pl.String))
            return pl.lit(node.value, dtype=pl.Float64)
        if isinstance(node, Sum):
            return _sum([self.numeric(item) for item in node.items])
        if isinstance(node, SumMatching):
            pattern = re.compile(node.pattern)
            matched = [
                h for h in self.headers if pattern.search(h) and h not in self.nested
            ]
            if not matched:
                raise _MissingColumn(node.pattern, pattern=True)
            return _sum([self.number(name) for name in matched])
        if isinstance(node, Arithmetic):
            return self.arithmetic(node.tree, node.names)
        return _source_number(self.text(node))

    def arithmetic(self, tree: ast.expr, names: dict[str, str]) -> pl.Expr:
        if isinstance(tree, ast.Name):
            return self.number(names[tree.id])
        if isinstance(tree, ast.Constant):
            # The parser admits only int and float constants.
            return pl.lit(float(cast(float, tree.value)), dtype=pl.Float64)
        if isinstance(tree, ast.UnaryOp):
            return -self.arithmetic(tree.operand, names)
        assert isinstance(tree, ast.BinOp)
        left = self.arithmetic(tree.left, names)
        right = self.arithmetic(tree.right, names)
        if isinstance(tree.op, ast.Add):
            return left + right
        if isinstance(tree.op, ast.Sub):
            return left - right
        if isinstance(tree.op, ast.Mult):
            return left * right
        return pl.when(right != 0).then(left / right)


def _source_number(text: pl.Expr) -> pl.Expr:
    value = text.cast(pl.Float64, strict=False)
    return pl.when(value.is_finite()).then(value)


def _sum(parts: list[pl.Expr]) -> pl.Expr:
    any_value = pl.any_horizontal(part.is_not_null() for part in parts)
    return pl.when(any_value).then(pl.sum_horizontal(parts))


def _describe(node: Node, profile_id: str) -> str:
    if isinstance(node, Column):
        return node.name
    return f"profile {profile_id}"


def apply_profile(
    profile: Profile, table: RawTable
) -> tuple[pl.DataFrame, TableContext, list[Issue]]:
    """Build the canonical text columns of ``table`` from a profile's expressions.

    Returns a frame of canonical String columns plus
    :data:`~junheng.ingest.readers.ROW_COLUMN`, ready for
    :func:`~junheng.ingest.validate.validate_schools`, the table context (issues
    about a column read from one source column name that column) and the issues:
    source columns the profile needs but the file lacks, and source cells that
    numeric expressions cannot read as numbers.
    """
    renderer = _Renderer(list(table.headers), set(), table.nested)
    issues: list[Issue] = []
    exprs: list[pl.Expr] = []
    display: dict[str, str] = {}
    for name, node in profile.columns.items():
        try:
            expr = renderer.text(node)
        except _MissingColumn as exc:
            issues.append(_missing_column_issue(profile, table, name, exc))
            continue
        except _NestedColumn as exc:
            issues.append(nested_column_issue(table, exc.column))
            continue
        if name in profile.defaults:
            expr = pl.coalesce(expr, pl.lit(profile.defaults[name], dtype=pl.String))
        exprs.append(expr.alias(name))
        spec = FIELDS_BY_NAME[name]
        display[name] = (
            node.name
            if isinstance(node, Column)
            else f"{spec.header_zh} ({_describe(node, profile.id)})"
        )
    for name, value in profile.defaults.items():
        if name not in profile.columns:
            exprs.append(pl.lit(value, dtype=pl.String).alias(name))
            display[name] = f"{FIELDS_BY_NAME[name].header_zh} (profile {profile.id})"
    issues += _source_number_issues(profile, table, sorted(renderer.numeric_sources))
    issues += _unmapped_value_issues(profile, table, display)
    ctx = TableContext(
        table.file,
        table.sheet,
        table.header_row,
        display,
        profile.code_scheme,
        profile.warn_only,
    )
    frame = table.frame.select(ROW_COLUMN, *exprs)
    return frame, ctx, issues


def _missing_column_issue(
    profile: Profile, table: RawTable, name: str, exc: _MissingColumn
) -> Issue:
    fields: dict[str, Any] = {
        "column": exc.column,
        "profile": profile.id,
        "name": name,
        "path": str(profile.path),
    }
    code = "profile_column.pattern" if exc.pattern else "profile_column.column"
    return Issue.coded(
        table.file, table.sheet, table.header_row, exc.column, None, code, **fields
    )


def _unmapped_value_issues(
    profile: Profile, table: RawTable, display: dict[str, str]
) -> list[Issue]:
    """Report source values that a required field's ``map`` does not list.

    Such a value would leave the field empty, and the check of required cells
    would name the field but not the value. A map with a ``default`` (even
    ``null``) and a field with a default value are left alone, because they set what
    other values become.
    """
    issues: list[Issue] = []
    for name, node in profile.columns.items():
        spec = FIELDS_BY_NAME[name]
        if (
            not isinstance(node, MapValues)
            or node.has_default
            or not spec.required
            or name in profile.defaults
            or name not in display
        ):
            continue
        source = pl.col(node.column)
        bad = table.frame.filter(
            source.is_not_null() & ~source.is_in(list(node.values))
        ).select(ROW_COLUMN, node.column)
        known = ", ".join(node.values)
        for row, value in bad.iter_rows():
            issues.append(
                Issue.coded(
                    table.file,
                    table.sheet,
                    row,
                    node.column,
                    value,
                    "profile_column.map_value",
                    column=node.column,
                    value=value,
                    values=known,
                    profile=profile.id,
                    name=name,
                    target=display[name],
                    field=both(spec.zh, spec.en),
                    path=str(profile.path),
                )
            )
    return issues


def _source_number_issues(
    profile: Profile, table: RawTable, columns: list[str]
) -> list[Issue]:
    """Report the cells of ``columns`` that ``profile`` computes with but that
    contain no number. Empty cells count as missing values, not as errors."""
    issues: list[Issue] = []
    for name in columns:
        text = pl.col(name)
        bad = table.frame.filter(
            text.is_not_null() & _source_number(text).is_null()
        ).select(ROW_COLUMN, name)
        for row, value in bad.iter_rows():
            issues.append(
                Issue.coded(
                    table.file,
                    table.sheet,
                    row,
                    name,
                    value,
                    "number.source",
                    value=value,
                    column=name,
                    profile=profile.id,
                )
            )
    return issues
