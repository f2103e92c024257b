"""Strong–weak school pairing: capacities, sections, counties, optimality.

Every school here is synthetic: hand-made rows or the seeded demo generator.
"""

from __future__ import annotations

import itertools
import math
import re
from typing import Any

import polars as pl
import pytest
from factories import primary_school

from junheng import demo
from junheng.errors import InputError
from junheng.ingest.schema import canonical_frame
from junheng.planning.pairing import PairingOptions, plan_pairing
from junheng.planning.school_values import EARTH_RADIUS_KM
from junheng.standards.loader import load_framework

FRAMEWORK = load_framework()
# Degrees of latitude per km on one meridian, where haversine is R·Δφ.
DEG_PER_KM = math.degrees(1 / EARTH_RADIUS_KM)


def _code(number: int) -> str:
    return f"21410{number:05d}"


def _locations(places: dict[int, float]) -> pl.DataFrame:
    """Schools on the meridian 110° E, ``km`` north of 30° N."""
    return pl.DataFrame(
        {
            "school_code": [_code(n) for n in places],
            "lat": [30.0 + km * DEG_PER_KM for km in places.values()],
            "lon": [110.0] * len(places),
        }
    )


def _pair(schools: pl.DataFrame, division: str = "410102", **options: Any) -> Any:
    settings = PairingOptions.from_mapping(options.pop("opts", {}))
    return plan_pairing(
        schools,
        FRAMEWORK,
        division_code=division,
        year=2024,
        options=options.pop("options_object", settings),
        **options,
    )


def test_hand_worked_matching() -> None:
    # Factory schools have 500 students and L1 = 25 × 100 / 500 = 5.0 (ratio
    # 5.0 / 4.2). S1 (school 1) has 30 such teachers: L1 6.0, ratio 1.4286;
    # S2 (school 2) keeps 25: ratio 1.1905. W1 and W2 have 20: L1 4.0 < 4.2,
    # ratio 0.9524, weak on L1 only. S1 at 0 km, S2 at 10 km; W1 at 10 km (by
    # S2), W2 at 0 km (by S1). Capacity 1, distance weight 0.02 per km:
    #   W1–S1, W2–S2: −(1.4286 − 0.9524) + 0.2 − (1.1905 − 0.9524) + 0.2 = −0.3143
    #   W1–S2, W2–S1: −(1.1905 − 0.9524) + 0   − (1.4286 − 0.9524) + 0   = −0.7143
    # so the second matching is optimal.
    rows = [
        primary_school(1, primary_teachers_above_required_degree=30),
        primary_school(2),
        primary_school(3, primary_teachers_above_required_degree=20),
        primary_school(4, primary_teachers_above_required_degree=20),
    ]
    result = _pair(
        canonical_frame(rows),
        opts={"capacity": 1},
        locations=_locations({1: 0.0, 2: 10.0, 3: 10.0, 4: 0.0}),
    )
    pairs = {r["weak_code"]: r["strong_code"] for r in result.table("pairs").rows}
    assert pairs == {_code(3): _code(2), _code(4): _code(1)}
    assert result.summary["total_distance_km"] == pytest.approx(0.0, abs=1e-6)
    # −(30 − 20) × 100 / 500 / 4.2 − (25 − 20) × 100 / 500 / 4.2 = −3 / 4.2
    assert result.summary["total_pair_cost"] == pytest.approx(-3 / 4.2, abs=1e-6)


def _brute_force_cost(
    weak: list[str], strong: list[str], cost: dict[tuple[str, str], float], cap: int
) -> float:
    best = math.inf
    for choice in itertools.product(strong, repeat=len(weak)):
        if any(choice.count(s) > cap for s in strong):
            continue
        best = min(best, sum(cost[(w, s)] for w, s in zip(weak, choice, strict=True)))
    return best


def test_matching_matches_exhaustive_search() -> None:
    # Three weak schools on L1 (teachers 20, 18, 19) and two strong ones (30 and
    # 26), at assorted distances; capacity 2 pairs every weak school.
    degree = {1: 30, 2: 26, 3: 20, 4: 18, 5: 19}
    km = {1: 0.0, 2: 40.0, 3: 5.0, 4: 30.0, 5: 22.0}
    rows = [
        primary_school(n, primary_teachers_above_required_degree=d)
        for n, d in degree.items()
    ]
    result = _pair(canonical_frame(rows), locations=_locations(km))
    ratio = {n: d * 100 / 500 / 4.2 for n, d in degree.items()}
    cost = {
        (_code(w), _code(s)): -(ratio[s] - ratio[w]) + 0.02 * abs(km[w] - km[s])
        for w in (3, 4, 5)
        for s in (1, 2)
    }
    best = _brute_force_cost(
        [_code(n) for n in (3, 4, 5)], [_code(1), _code(2)], cost, 2
    )
    rows_out = result.table("pairs").rows
    chosen = sum(cost[(r["weak_code"], r["strong_code"])] for r in rows_out)
    assert len(rows_out) == 3
    assert chosen == pytest.approx(best, abs=1e-6)
    assert result.summary["total_pair_cost"] == pytest.approx(best, abs=1e-6)


def test_capacity_leaves_the_least_weak_unpaired() -> None:
    rows = [
        primary_school(1),
        primary_school(2, primary_teachers_above_required_degree=20),  # L1 4.0
        primary_school(3, primary_teachers_above_required_degree=15),  # L1 3.0
    ]
    result = _pair(canonical_frame(rows), opts={"capacity": 1})
    pairs = result.table("pairs").rows
    unpaired = result.table("unpaired").rows
    assert [p["weak_code"] for p in pairs] == [_code(3)]
    assert [u["school_code"] for u in unpaired] == [_code(2)]
    assert result.summary["communities"] == 1


@pytest.fixture(scope="module")
def province() -> pl.DataFrame:
    """A SYNTHETIC dataset of six counties from the seeded demo generator."""
    return demo.generate_schools(counties=6, schools_per_county=25, seed=11)


def test_capacity_and_sections_respected(province: pl.DataFrame) -> None:
    code = province["division_code"][0][:2]
    result = _pair(province, division=code, opts={"capacity": 2, "cross_county": True})
    load: dict[str, int] = {}
    for row in result.table("pairs").rows:
        load[row["community"]] = load.get(row["community"], 0) + 1
        assert row["community"].endswith(row["section"])
    assert load
    assert max(load.values()) <= 2


def test_nine_year_school_pairs_by_section() -> None:
    nine_year = primary_school(
        1,
        school_type="九年一贯制学校",
        junior_students=400,
        junior_classes=9,
        junior_max_class_size=45,
        junior_teachers=30,
        junior_teachers_above_required_degree=10,  # L1 2.5 < 5.3: weak junior
        junior_backbone_teachers=5,
        junior_pe_art_teachers=4,
        teaching_aux_area_m2=6000.0,
        sports_area_m2=9000.0,
        equipment_value_yuan=2_500_000.0,
        multimedia_classrooms=25,
    )
    weak_primary = primary_school(2, primary_teachers_above_required_degree=15)
    result = _pair(canonical_frame([nine_year, weak_primary]))
    pairs = result.table("pairs").rows
    assert len(pairs) == 1
    assert pairs[0]["section"] == "primary"
    assert pairs[0]["strong_code"] == _code(1)
    unpaired = result.table("unpaired").rows
    assert [(u["school_code"], u["section"]) for u in unpaired] == [
        (_code(1), "junior")
    ]


def test_cross_county_pairing() -> None:
    strong = primary_school(1, division_code="410103")
    weak = primary_school(2, primary_teachers_above_required_degree=15)
    schools = canonical_frame([strong, weak])
    within = _pair(schools, division="4101")
    across = _pair(schools, division="4101", opts={"cross_county": True})
    assert within.table("pairs").rows == []
    assert len(within.table("unpaired").rows) == 1
    pair = across.table("pairs").rows[0]
    assert pair["strong_division"] == "410103"
    assert pair["weak_division"] == "410102"


def test_every_pair_has_reasons() -> None:
    rows = [
        primary_school(1),
        primary_school(2, primary_teachers_above_required_degree=15),
    ]
    result = _pair(canonical_frame(rows), locations=_locations({1: 0.0, 2: 12.5}))
    pair = result.table("pairs").rows[0]
    # L1 of school 2 is 15 × 100 / 500 = 3.00 against 4.20; school 1 has 5.00.
    assert "L1 3.00（标准 4.20，第1小学 为 5.00）" in pair["reason_zh"]
    assert "相距 12.5 千米" in pair["reason_zh"]
    assert "L1 3.00 (threshold 4.20, 第1小学 5.00)" in pair["reason_en"]
    assert "12.5 km apart" in pair["reason_en"]


def test_distance_bound_excludes_far_pairs() -> None:
    rows = [
        primary_school(1),
        primary_school(2, primary_teachers_above_required_degree=15),
    ]
    result = _pair(
        canonical_frame(rows),
        opts={"max_distance_km": 10},
        locations=_locations({1: 0.0, 2: 12.5}),
    )
    assert result.table("pairs").rows == []
    assert result.table("unpaired").rows[0]["reason_en"] == (
        "no strong school of the section in reach"
    )


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"capacity": 0}, "invalid value 0 of pairing option 'capacity'"),
        ({"cross_county": "yes"}, "invalid value 'yes'"),
        ({"radius": 5}, "unknown pairing option 'radius'"),
    ],
)
def test_options_reject_bad_values(data: dict[str, Any], fragment: str) -> None:
    with pytest.raises(InputError, match=fragment):
        PairingOptions.from_mapping(data)


def test_options_list_every_bad_value() -> None:
    data = {"capacity": 0, "cross_county": "yes", "colour": "red"}
    with pytest.raises(InputError) as raised:
        PairingOptions.from_mapping(data)
    english = raised.value.message_en
    assert english.startswith("3 invalid options: ")
    assert "'capacity'" in english
    assert "'cross_county'" in english
    assert "unknown pairing option 'colour'" in english
    chinese = raised.value.message_zh
    assert chinese.startswith("3 个选项无效：")
    assert "应为true 或 false" in chinese


@pytest.mark.parametrize(
    ("data", "chinese"),
    [
        ({"capacity": 0}, "结对选项 'capacity' 的值 0 无效；应为1 或更大的整数"),
        ({"cross_county": "yes"}, "应为true 或 false"),
        ({"max_distance_km": 0}, "应为大于 0 的公里数，不限则填 null"),
        ({"distance_weight": -1}, "应为0 或更大的数"),
    ],
)
def test_option_errors_are_chinese_throughout(
    data: dict[str, Any], chinese: str
) -> None:
    with pytest.raises(InputError) as raised:
        PairingOptions.from_mapping(data)
    assert chinese in raised.value.message("zh")
    expected = raised.value.message("zh").split("；")[1]
    assert not re.search("number|distance|or more|above", expected)


def _place(code: str, lat: object, lon: object) -> dict[str, object]:
    return {"school_code": code, "lat": lat, "lon": lon}


@pytest.mark.parametrize(
    ("places", "fragment"),
    [
        ("here", "must be a list"),
        ([_place("21410", 30, 110)], "item 0"),
        ([_place(_code(1), 95, 110)], "lat 95 is not a number from -90 to 90"),
        ([_place(_code(1), -91, 110)], "lat -91 is not a number from -90 to 90"),
        ([_place(_code(1), 30, True)], "lon True is not a number from -180 to 180"),
        ([_place(_code(1), 30, -181)], "lon -181 is not a number from -180 to 180"),
        ([{"school_code": _code(1), "lat": 30}], "lon None"),
        ([_place(_code(1), 30, 110), _place(_code(1), 31, 110)], "repeats item 0"),
    ],
)
def test_locations_option_rejects_bad_items(places: Any, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment) as raised:
        PairingOptions.from_mapping({"locations": places})
    assert "结对选项 'locations'" in raised.value.message("zh")


def test_locations_option_takes_south_and_west() -> None:
    # WGS84: negative latitudes are south, negative longitudes west.
    options = PairingOptions.from_mapping(
        {"locations": [_place(_code(1), -33.9, -70.6), _place(_code(2), -90, -180)]}
    )
    assert options.locations == ((_code(1), -33.9, -70.6), (_code(2), -90.0, -180.0))


def test_locations_option_gives_distances() -> None:
    # School 2 is weak on L1 (15 × 100 / 500 = 3.0 < 4.2), 3 km north of school 1.
    rows = [
        primary_school(1),
        primary_school(2, primary_teachers_above_required_degree=15),
    ]
    options = PairingOptions.from_mapping(
        {
            "locations": [
                _place(_code(1), 30.0, 110.0),
                _place(_code(2), 30.0 + 3 * DEG_PER_KM, 110.0),
            ]
        }
    )
    result = _pair(canonical_frame(rows), options_object=options)
    [pair] = result.table("pairs").rows
    assert pair["distance_km"] == pytest.approx(3.0, abs=1e-6)
    assert result.summary["located_sections"] == 2
    assert result.parameters["located_schools"] == 2
    assert "locations" not in result.parameters["options"]


def test_locations_given_twice_rejected() -> None:
    rows = [primary_school(1)]
    options = PairingOptions.from_mapping({"locations": [_place(_code(1), 30, 110)]})
    with pytest.raises(InputError, match="one way"):
        _pair(
            canonical_frame(rows),
            options_object=options,
            locations=_locations({1: 0.0}),
        )


def test_missing_locations_reported() -> None:
    rows = [
        primary_school(1),
        primary_school(2, primary_teachers_above_required_degree=15),
    ]
    result = _pair(canonical_frame(rows), locations=_locations({1: 0.0}))
    assert result.summary["located_sections"] == 1
    assert any("1 school sections have no location" in m for m in result.messages_en)
