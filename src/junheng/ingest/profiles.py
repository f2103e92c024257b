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
    known = ", ".join(usable) or "none"
    raise ProfileError(
        f"import profile {ref!r} not found; installed profiles: {known}. Give a file "
        f"path or add its folder to {ENV_VAR}."
    )


def _parse_profile(path: Path, data: dict[str, Any]) -> Profile:
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise ProfileError(
            f"{path}: unknown key(s) {', '.join(unknown)}; allowed: "
            f"{', '.join(sorted(_TOP_KEYS))}"
        )
    profile_id = data.get("id")
    if not isinstance(profile_id, str) or not profile_id:
        raise ProfileError(f"{path}: key 'id' must be a non-empty text")
    name = data.get("name") or {}
    if not isinstance(name, dict):
        raise ProfileError(f"{path}: key 'name' must be a mapping with zh and en")

    code_scheme = data.get("code_scheme", "cn")
    if code_scheme not in ("cn", "none"):
        raise ProfileError(
            f"{path}: key 'code_scheme' is {code_scheme!r}; use 'cn' (check Chinese "
            f"division and school codes) or 'none' (skip code checks)"
        )
    columns, defaults = _parse_mappings(path, data)
    return Profile(
        id=profile_id,
        name_zh=str(name.get("zh", "")),
        name_en=str(name.get("en", "")),
        description=str(data.get("description", "")).strip(),
        source_encoding=_optional_text(data, "source_encoding", path),
        code_scheme=cast(CodeScheme, code_scheme),
        sheet=_optional_text(data, "sheet", path),
        defaults=defaults,
        columns=columns,
        warn_only=_parse_warn_only(path, data.get("warn_only")),
        path=path,
    )


def _parse_mappings(
    path: Path, data: dict[str, Any]
) -> tuple[dict[str, Node], dict[str, str]]:
    """Parse ``columns`` and ``defaults`` and check every required field is mapped."""
    columns_raw = data.get("columns") or {}
    defaults_raw = data.get("defaults") or {}
    if not isinstance(columns_raw, dict) or not isinstance(defaults_raw, dict):
        raise ProfileError(f"{path}: keys 'columns' and 'defaults' must be mappings")
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
        raise ProfileError(
            f"{path}: required field(s) {', '.join(missing)} have no entry under "
            f"'columns' or 'defaults'"
        )
    return columns, defaults


def _parse_warn_only(path: Path, value: object) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list):
        raise ProfileError(f"{path}: key 'warn_only' must be a list of rule ids")
    unknown = sorted(str(rule) for rule in value if rule not in RULES)
    if unknown:
        raise ProfileError(
            f"{path}: warn_only: unknown rule id(s) {', '.join(unknown)}; known: "
            f"{', '.join(sorted(RULES))}"
        )
    return frozenset(str(rule) for rule in value)


def _optional_text(data: dict[str, Any], key: str, path: Path) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise ProfileError(f"{path}: key {key!r} must be a text")
    return value


def _field_key(path: Path, section: str, key: object) -> str:
    if key not in FIELDS_BY_NAME:
        known = ", ".join(spec.name for spec in ALL_SCHOOL_FIELDS)
        raise ProfileError(
            f"{path}: {section}.{key}: not a canonical field; known fields: {known}"
        )
    return str(key)


def _default_text(value: object, path: Path, key: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ProfileError(f"{path}: defaults.{key}: must be a text or a number")
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
    where = f"{path}: {key}"
    if isinstance(spec, str):
        return Column(spec)
    if isinstance(spec, int | float) and not isinstance(spec, bool):
        return Literal(float(spec))
    forms = [form for form in _FORMS if isinstance(spec, dict) and form in spec]
    if not isinstance(spec, dict) or len(forms) != 1:
        raise ProfileError(
            f"{where}: expected a column name, a number, or a mapping with exactly "
            f"one of {', '.join(_FORMS)}; got {spec!r}"
        )
    form = forms[0]
    extra = set(spec) - {form} - ({"sep"} if form == "concat" else set())
    if extra:
        raise ProfileError(
            f"{where}: unexpected key(s) {', '.join(map(str, extra))} next to {form}"
        )
    return _parse_form(form, spec, path, key)


def _parse_form(form: str, spec: dict[str, Any], path: Path, key: str) -> Node:
    where = f"{path}: {key}"
    body = spec[form]
    if form == "literal":
        if isinstance(body, bool) or not isinstance(body, str | int | float):
            raise ProfileError(f"{where}.literal: must be a text or a number")
        return Literal(body if isinstance(body, str) else float(body))
    if form == "column":
        return Column(_text(body, f"{where}.column"))
    if form == "sum":
        return Sum(_node_list(body, path, f"{key}.sum"))
    if form == "sum_matching":
        pattern = _text(body, f"{where}.sum_matching")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ProfileError(f"{where}.sum_matching: invalid regex: {exc}") from None
        return SumMatching(pattern)
    if form == "concat":
        sep = _text(spec.get("sep", ""), f"{where}.sep")
        return Concat(_node_list(body, path, f"{key}.concat"), sep)
    if form == "if_contains":
        return _parse_if_contains(body, where)
    if form == "map":
        return _parse_map(body, where)
    return _parse_arithmetic(_text(body, f"{where}.expr"), f"{where}.expr")


def _text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ProfileError(f"{where}: must be a text, got {value!r}")
    return value


def _optional(value: object, where: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ProfileError(f"{where}: must be a text, a number or null")
    return str(value)


def _node_list(body: object, path: Path, key: str) -> tuple[Node, ...]:
    if not isinstance(body, list) or not body:
        raise ProfileError(f"{path}: {key}: must be a non-empty list")
    return tuple(_parse_node(item, path, f"{key}[{i}]") for i, item in enumerate(body))


def _parse_if_contains(body: object, where: str) -> IfContains:
    where = f"{where}.if_contains"
    if not isinstance(body, dict):
        raise ProfileError(f"{where}: must be a mapping with column, text, then, else")
    unknown = set(body) - {"column", "text", "then", "else"}
    if unknown or "column" not in body or "text" not in body:
        raise ProfileError(
            f"{where}: needs keys column and text, and may have then and else"
        )
    return IfContains(
        column=_text(body["column"], f"{where}.column"),
        text=_text(body["text"], f"{where}.text"),
        then=_optional(body.get("then"), f"{where}.then"),
        otherwise=_optional(body.get("else"), f"{where}.else"),
    )


def _parse_map(body: object, where: str) -> MapValues:
    where = f"{where}.map"
    if not isinstance(body, dict):
        raise ProfileError(f"{where}: must be a mapping with column, values, default")
    unknown = set(body) - {"column", "values", "default"}
    values = body.get("values")
    if unknown or "column" not in body or not isinstance(values, dict):
        raise ProfileError(
            f"{where}: needs keys column and values (a mapping), and may have default"
        )
    return MapValues(
        column=_text(body["column"], f"{where}.column"),
        values={str(k): _optional(v, f"{where}.values.{k}") for k, v in values.items()},
        default=_optional(body.get("default"), f"{where}.default"),
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


def _parse_arithmetic(text: str, where: str) -> Arithmetic:
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
        raise ProfileError(f"{where}: invalid expression {text!r}: {exc.msg}") from None
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.setdefault(node.id, node.id)
        elif not isinstance(node, _ALLOWED_NODES) or (
            isinstance(node, ast.Constant)
            and (
                isinstance(node.value, bool) or not isinstance(node.value, int | float)
            )
        ):
            raise ProfileError(
                f"{where}: unsupported part {ast.unparse(node)!r} in {text!r}; use "
                f"numbers, column names (in backticks if not plain identifiers), "
                f"+ - * / and parentheses"
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
    issues += _source_number_issues(table, sorted(renderer.numeric_sources))
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
                    path=str(profile.path),
                )
            )
    return issues


def _source_number_issues(table: RawTable, columns: list[str]) -> list[Issue]:
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
                )
            )
    return issues
