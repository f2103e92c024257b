"""Reasons built in one language against the bilingual ones."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from junheng.demo import generate_county_items, generate_schools
from junheng.evaluation import messages
from junheng.evaluation.verdict import Evaluation, evaluate
from junheng.standards.loader import load_framework


def _evaluate() -> Evaluation:
    # 40 SYNTHETIC counties give every kind of reason of the 2017 framework:
    # failing schools, CVs over their limit, school and county items.
    schools = generate_schools(counties=40, schools_per_county=30)
    items = generate_county_items(schools)
    return evaluate(schools, load_framework("cn-2017-quality"), items)


def _flatten(reason: dict[str, Any], lang: str) -> dict[str, Any]:
    # The one-language view of a bilingual reason: each field given per
    # language keeps the text of ``lang``.
    return {
        k: v[lang] if isinstance(v, dict) and lang in v else v
        for k, v in reason.items()
    }


@pytest.fixture(scope="module")
def bilingual() -> dict[tuple[int, str], list[dict[str, Any]]]:
    return {key: detail.reasons for key, detail in _evaluate().details().items()}


def test_bilingual_reasons_cover_main_codes(
    bilingual: dict[tuple[int, str], list[dict[str, Any]]],
) -> None:
    codes = Counter(r["code"] for reasons in bilingual.values() for r in reasons)
    for code in ("school_noncompliant", "cv_over_limit", "item_failed"):
        assert codes[code] > 0, codes
    assert codes["school_item_failed"] > 0, codes


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_one_language_equals_flattened(
    bilingual: dict[tuple[int, str], list[dict[str, Any]]], lang: str
) -> None:
    # A new evaluation, so the reasons are built in ``lang`` and not derived
    # from the bilingual ones in the cache.
    built = _evaluate().details(langs=(lang,))
    assert built.keys() == bilingual.keys()
    for key, detail in built.items():
        expected = [_flatten(r, lang) for r in bilingual[key]]
        assert detail.reasons == expected, key
        for reason, flattened in zip(detail.reasons, expected, strict=True):
            assert isinstance(reason["message"], str)
            # The same keys in the same order, so the JSON text is the same.
            assert list(reason) == list(flattened)


def test_one_language_from_cache() -> None:
    ev = _evaluate()
    keys = ev.keys()[:5]
    both = ev.details(keys)
    english = ev.details(keys, ("en",))
    for key in keys:
        assert english[key].reasons == [_flatten(r, "en") for r in both[key].reasons]
        assert english[key].parts == both[key].parts
        assert english[key].checks == both[key].checks
    # The bilingual details stay as they were.
    assert all(
        isinstance(r["message"], dict) for r in ev.details(keys)[keys[0]].reasons
    )


@pytest.mark.parametrize("langs", [("fr",), ("en", "zh"), ()])
def test_unknown_languages_rejected(langs: tuple[str, ...]) -> None:
    ev = _evaluate()
    with pytest.raises(ValueError, match="invalid langs"):
        ev.details(ev.keys()[:1], langs)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_prefill_then_format_equals_render(lang: str) -> None:
    fields = {
        "section": "junior",
        "school_code": "4101020001",
        "school_name": "{第一}中学",
        "met_count": 5,
        "total": 7,
        "min_met": 6,
        "floor_pct": 85.0,
        "shortfalls": "L6 1680/2000 (84.0%)",
    }
    fixed = {"section": "junior", "total": 7, "min_met": 6, "floor_pct": 85.0}
    template = messages.prefill("school_noncompliant", lang, fixed)
    assert template.format_map(fields) == messages.render(
        "school_noncompliant", lang, fields
    )
