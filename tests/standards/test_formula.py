"""The formula language and its SQL rendering."""

from __future__ import annotations

import pytest

from junheng.standards.formula import FormulaError, compile_formula

FIELDS = {"books", "students", "music_rooms", "school_classes"}


def test_division_guards_zero() -> None:
    formula = compile_formula("books / students", FIELDS)
    assert formula.sql == "(books / NULLIF(students, 0))"
    assert formula.fields == {"books", "students"}


def test_functions_and_comparisons() -> None:
    formula = compile_formula("music_rooms >= greatest(1, school_classes / 12)", FIELDS)
    assert "GREATEST(CAST(1 AS DOUBLE)" in formula.sql
    assert ">=" in formula.sql


def test_qualifier_prefixes_fields() -> None:
    assert compile_formula("books", FIELDS, qualifier="u").sql == "u.books"


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os')",
        "books.real",
        "books[0]",
        "books ** 2",
        "lambda: 1",
        "'text'",
    ],
)
def test_unsafe_expressions_rejected(text: str) -> None:
    with pytest.raises(FormulaError):
        compile_formula(text, FIELDS)


def test_syntax_error_reported() -> None:
    with pytest.raises(FormulaError, match="invalid formula"):
        compile_formula("books /", FIELDS)


def test_nonzero_divisor_needs_no_guard() -> None:
    # A bare field the caller declares non-zero is divided directly; any other
    # divisor, and an expression containing that field, keeps its guard.
    formula = compile_formula("books / students", FIELDS, nonzero={"students"})
    assert formula.sql == "(books / students)"
    guarded = compile_formula(
        "books / (students + music_rooms)", FIELDS, nonzero={"students"}
    )
    assert "NULLIF((students + music_rooms), 0)" in guarded.sql
