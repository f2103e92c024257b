"""The results cache over fixed frames: reuse, invalidation and audiences."""

from __future__ import annotations

import threading

import polars as pl
import pytest
from factories import primary_school

from junheng.evaluation.verdict import evaluate
from junheng.ingest.schema import canonical_frame
from junheng.services.result_views import county_view, region_view
from junheng.services.results import FrameSource, ResultsCache
from junheng.standards.loader import load_framework


def _frame(sports_areas: list[float]) -> pl.DataFrame:
    """Return one primary school of 中原区 per sports ground area (m²)."""
    rows = [
        primary_school(n, sports_area_m2=area, city_code="4101", province_code="41")
        for n, area in enumerate(sports_areas, start=1)
    ]
    return canonical_frame(rows)


def _cv_l5(cache: ResultsCache, source: FrameSource) -> float:
    result = cache.result(source, 2024)
    sections = result.evaluation.sections
    return float(sections.filter(pl.col("section") == "primary")["cv_L5"][0])


def test_same_generation_reuses_entry() -> None:
    cache = ResultsCache()
    source = FrameSource(_frame([4000.0, 5000.0]))
    first = cache.result(source, 2024)
    second = cache.result(source, 2024)
    assert second is first
    assert cache.builds == 1


def test_memo_builds_once() -> None:
    cache = ResultsCache()
    result = cache.result(FrameSource(_frame([4000.0])), 2024)
    calls: list[int] = []

    def build() -> list[int]:
        calls.append(1)
        return [1, 2]

    assert result.memo("key", build) is result.memo("key", build)
    assert calls == [1]


def test_new_generation_recomputes() -> None:
    # Two schools of 500 students with 8 and 12 m² of sports ground per
    # student: mean 10, S = 2, CV = 0.2. After the change both have 8 m²: CV 0.
    cache = ResultsCache()
    source = FrameSource(_frame([4000.0, 6000.0]))
    first = cache.result(source, 2024)
    assert _cv_l5(cache, source) == pytest.approx(0.2)
    source.school_rows = _frame([4000.0, 4000.0])
    assert _cv_l5(cache, source) == pytest.approx(0.2)  # not yet bumped
    source.bump()
    assert _cv_l5(cache, source) == pytest.approx(0.0)
    assert cache.result(source, 2024) is not first
    assert cache.builds == 2


def test_older_generation_dropped() -> None:
    cache = ResultsCache()
    source = FrameSource(_frame([4000.0]))
    cache.result(source, 2024)
    source.bump()
    cache.result(source, 2024)
    assert [k.generation for k in cache._entries] == [2]


def test_late_old_generation_not_kept() -> None:
    cache = ResultsCache()
    source = FrameSource(_frame([4000.0]))
    source.bump()
    newer = cache.result(source, 2024)
    older = cache.result(source, 2024, generation=1)
    assert older is not newer
    assert [k.generation for k in cache._entries] == [2]


def test_concurrent_requests_build_once() -> None:
    cache = ResultsCache()
    source = FrameSource(_frame([4000.0, 5000.0]))
    found = []

    def fetch() -> None:
        found.append(cache.result(source, 2024))

    threads = [threading.Thread(target=fetch) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.builds == 1
    assert all(r is found[0] for r in found)


def test_public_audience_sees_published_only() -> None:
    rows = _frame([4000.0]).vstack(
        canonical_frame(
            [primary_school(9, division_code="410103", school_code="2141000009")]
        )
    )
    source = FrameSource(rows, unpublished={(2024, "410103")})
    cache = ResultsCache()
    internal = cache.result(source, 2024)
    public = cache.result(source, 2024, audience="public")
    assert sorted(internal.evaluation.verdicts["division_code"]) == [
        "410102",
        "410103",
    ]
    assert public.evaluation.verdicts["division_code"].to_list() == ["410102"]


def test_national_entry_matches_county_evaluation() -> None:
    # A county's numbers do not depend on other counties, so the national
    # evaluation and one of the county alone agree.
    from junheng import demo

    schools = demo.generate_schools(counties=4, schools_per_county=12)
    items = demo.generate_county_items(schools)
    cache = ResultsCache()
    result = cache.result(FrameSource(schools, items), 2024)
    code = schools["division_code"][0]
    alone = evaluate(
        schools.filter(pl.col("division_code") == code),
        load_framework("cn-2017-quality"),
        items.filter(pl.col("division_code") == code),
    )
    view = county_view(result, code, "zh")
    assert view is not None
    assert view["verdict"] == alone.verdicts["verdict"][0]
    shown = {
        (r["section"], r["indicator"]): r["cv"]
        for r in view["tables"][2].rows
        if r["cv"] is not None
    }
    for row in alone.sections.iter_rows(named=True):
        for indicator in ("L1", "L4", "L7"):
            expected = row[f"cv_{indicator}"]
            assert shown[(row["section"], indicator)] == round(expected, 4)


def test_region_view_unknown_code_is_none() -> None:
    result = ResultsCache().result(FrameSource(_frame([4000.0])), 2024)
    assert region_view(result, "province", "99") is None
    assert county_view(result, "999999", "zh") is None
