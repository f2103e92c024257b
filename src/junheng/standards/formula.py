"""Indicator formulas: a small arithmetic language compiled to portable SQL.

A framework writes each indicator as an expression over canonical fields, for
example ``teachers_above_required_degree * 100 / students``. The expression is
parsed with Python's :mod:`ast` and only a whitelist of nodes is accepted:
numbers, field names, ``+ - * /``, unary minus, comparisons, ``and``/``or``/``not``
and the functions in :data:`FUNCTIONS`. The SQL it becomes uses only standard
constructs (``NULLIF``, ``CASE``, ``GREATEST``/``LEAST``, ``CEIL``/``FLOOR``), so it
runs on DuckDB and on distributed SQL engines alike.

Every divisor is wrapped in ``NULLIF(divisor, 0)``: a school with no students
gets a NULL indicator ("no data"), never a division error or infinity.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass

FUNCTIONS: dict[str, str] = {
    "greatest": "GREATEST",
    "least": "LEAST",
    "ceil": "CEIL",
    "floor": "FLOOR",
    "abs": "ABS",
    "coalesce": "COALESCE",
}
_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_COMPARE = {
    ast.GtE: ">=",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.Lt: "<",
    ast.Eq: "=",
    ast.NotEq: "<>",
}


class FormulaError(ValueError):
    """A formula that cannot be parsed or names an unknown field."""


@dataclass(frozen=True)
class Formula:
    """A parsed formula: its source text, SQL rendering and the fields it reads."""

    text: str
    sql: str
    fields: frozenset[str]


def compile_formula(
    text: str,
    allowed_fields: Iterable[str],
    *,
    qualifier: str = "",
    nonzero: Iterable[str] = (),
) -> Formula:
    """Parse ``text`` and render it as SQL.

    Parameters
    ----------
    text:
        The expression, in Python syntax restricted as described in the module.
    allowed_fields:
        Names the expression may read; any other name raises :class:`FormulaError`.
    qualifier:
        Optional table alias prefixed to every field (``u`` gives ``u.students``).
    nonzero:
        Fields the caller guarantees are not zero where the SQL is evaluated
        (inside ``CASE WHEN students > 0``, say); a divisor that is one of them
        alone needs no ``NULLIF``.

    >>> compile_formula("books / students", {"books", "students"}).sql
    '(books / NULLIF(students, 0))'
    """
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"invalid formula {text!r}: {exc.msg}") from None
    allowed = frozenset(allowed_fields)
    safe = frozenset(nonzero)
    seen: set[str] = set()
    prefix = f"{qualifier}." if qualifier else ""

    def render(node: ast.AST) -> str:
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            if isinstance(node.value, bool):
                return "TRUE" if node.value else "FALSE"
            return f"CAST({node.value!r} AS DOUBLE)"
        if isinstance(node, ast.Name):
            if node.id not in allowed:
                known = ", ".join(sorted(allowed))
                raise FormulaError(
                    f"unknown field {node.id!r} in formula {text!r}; known fields: "
                    f"{known}"
                )
            seen.add(node.id)
            return f"{prefix}{node.id}"
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right = render(node.left), render(node.right)
            divisor = node.right
            if isinstance(node.op, ast.Div) and not (
                isinstance(divisor, ast.Name) and divisor.id in safe
            ):
                right = f"NULLIF({right}, 0)"
            return f"({left} {_BINARY[type(node.op)]} {right})"
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return f"(-{render(node.operand)})"
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return f"(NOT {render(node.operand)})"
        if isinstance(node, ast.BoolOp):
            joiner = " AND " if isinstance(node.op, ast.And) else " OR "
            return "(" + joiner.join(render(v) for v in node.values) + ")"
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            op = _COMPARE.get(type(node.ops[0]))
            if op is not None:
                return f"({render(node.left)} {op} {render(node.comparators[0])})"
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in FUNCTIONS
            and not node.keywords
            and node.args
        ):
            args = ", ".join(render(a) for a in node.args)
            return f"{FUNCTIONS[node.func.id]}({args})"
        raise FormulaError(
            f"unsupported expression {ast.unparse(node)!r} in formula {text!r}; use "
            f"numbers, field names, + - * /, comparisons, and/or/not and the "
            f"functions {', '.join(FUNCTIONS)}"
        )

    sql = render(tree.body)
    return Formula(text=text, sql=sql, fields=frozenset(seen))
