"""Strong–weak school pairing (结对帮扶) and education communities (教共体).

:func:`plan_pairing` pairs every weak school section with a strong one of the
same section, each strong school section taking at most ``capacity`` partners,
within each county or, with ``cross_county``, across the whole division (a
city or a province). A strong school section and its partners form one
education community.

Strength comes from the evaluation engine's per-school values (see
:mod:`junheng.planning.school_values`):

- the ratio of an indicator is ``value / threshold`` (``threshold / value``
  for an indicator where lower is better), capped at ``ratio_cap`` so that one
  very large value does not dominate;
- the score of a school section is the mean ratio over its indicators with a
  value and a threshold;
- a section is strong when it meets every threshold and the school rule
  (``compliant``), and weak when it is below the threshold of at least one
  indicator. Sections with missing values and none below a threshold are
  neither.

The cost of pairing weak ``w`` with strong ``s`` is
``− Σ_k (min(r_s,k, cap) − r_w,k) + distance_weight × km`` over the indicators
``k`` on which ``w`` is below its threshold: a partner far above the threshold
where the weak school falls short, and close by, is cheap. Leaving ``w``
unpaired costs ``M × (1 + Σ_k max(0, 1 − r_w,k))`` with ``M`` above any pair
cost, so every weak section that can be paired is, and when capacity is short
the weakest are paired first. The matching is a transportation problem solved
by HiGHS; its constraint matrix is totally unimodular, so the optimum is
integral. Each weak section keeps its ``candidates`` cheapest partners; the
matching is optimal over those, and the summary counts the weak sections
that had more. The summary's ``total_pair_cost`` is the sum of the pair costs
of the matching.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np
import polars as pl

from junheng.errors import InputError
from junheng.planning.model import Program
from junheng.planning.option_errors import bad_option_value, raise_all
from junheng.planning.result import PlanColumn, PlanResult, PlanTable
from junheng.planning.school_values import evaluate_units, haversine_km, select_schools
from junheng.standards.model import Framework

__all__ = ["PairingOptions", "plan_pairing"]

SECTION_ZH = {"primary": "小学", "junior": "初中"}
SOLVER = "HiGHS (scipy.optimize.milp), transportation problem"
SCHOOL_CODE = re.compile(r"^[0-9]{10}$")
"""A school identifier code (学校标识码): 10 digits."""

SchoolPlace = tuple[str, float, float]
"""A school code with its latitude and longitude (WGS84 degrees)."""


@dataclass(frozen=True)
class PairingOptions:
    """Settings of a pairing plan."""

    capacity: int = 2
    """Weak school sections one strong school section may take."""
    cross_county: bool = False
    """Pair across the counties of the division instead of within each county."""
    max_distance_km: float | None = None
    """Pairs farther apart are not allowed (only where both are located)."""
    distance_weight: float = 0.02
    """Cost of one km, in units of threshold ratio: 50 km weigh as much as a
    partner one full threshold higher on one indicator."""
    ratio_cap: float = 2.0
    """Largest value/threshold ratio that counts towards strength."""
    candidates: int = 50
    """Cheapest partners kept per weak school section."""
    locations: tuple[SchoolPlace, ...] = field(default=(), repr=False)
    """School locations as ``(school_code, lat, lon)``, for callers that pass
    plain values (the web platform's upload); :func:`plan_pairing` also takes
    them as a frame."""

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> PairingOptions:
        """Build options from ``data``; absent keys keep their defaults.

        Raises :class:`InputError` naming every unknown or invalid key and value.
        """
        names = {f.name for f in fields(cls)}
        changes: dict[str, Any] = {}
        errors: list[InputError] = []
        for key, value in data.items():
            if key not in names:
                errors.append(
                    InputError(
                        f"unknown pairing option {key!r} (value {value!r}); known "
                        f"options: {', '.join(sorted(names))}",
                        zh=f"未知的结对选项 {key!r}（值 {value!r}）；可用选项："
                        f"{', '.join(sorted(names))}",
                    )
                )
                continue
            try:
                changes[key] = _check_option(key, value)
            except InputError as error:
                errors.append(error)
        raise_all(errors)
        return replace(cls(), **changes)


def _check_option(key: str, value: Any) -> Any:
    def bad(expected: str) -> InputError:
        return bad_option_value(("pairing option", "结对选项"), key, value, expected)

    number = isinstance(value, int | float) and not isinstance(value, bool)
    if key == "locations":
        return _check_locations(value)
    if key in ("capacity", "candidates"):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise bad("a whole number, 1 or more")
        return value
    if key == "cross_county":
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if key == "max_distance_km":
        if value is None:
            return None
        if not number or not value > 0:
            raise bad("a distance in km above 0, or null for none")
        return float(value)
    if key == "distance_weight":
        if not number or not value >= 0 or math.isinf(value):
            raise bad("a number, 0 or more")
        return float(value)
    if not number or not value >= 1 or math.isinf(value):
        raise bad("a number, 1 or more")
    return float(value)


def _check_locations(value: Any) -> tuple[SchoolPlace, ...]:
    """Return ``value``, a list of ``{school_code, lat, lon}`` mappings, as
    places; raise :class:`InputError` naming the first invalid item."""
    if not isinstance(value, list | tuple):
        raise InputError(
            f"pairing option 'locations' must be a list of objects with "
            f"school_code, lat and lon, not {str(value)[:80]!r}",
            zh="结对选项 'locations' 应为列表，每项含 school_code、lat、lon，"
            f"而不是 {str(value)[:80]!r}",
        )
    places: list[SchoolPlace] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(value):
        code = item.get("school_code") if isinstance(item, Mapping) else None
        lat = item.get("lat") if isinstance(item, Mapping) else None
        lon = item.get("lon") if isinstance(item, Mapping) else None
        problem = _place_problem(code, lat, lon)
        if problem is None and code in seen:
            problem = (
                f"school_code {code} repeats item {seen[code]}",
                f"学校标识码 {code} 与第 {seen[code]} 项重复",
            )
        if problem is not None:
            raise InputError(
                f"pairing option 'locations', item {index} ({str(item)[:80]}): "
                f"{problem[0]}; give each school once with school_code (10 digits), "
                "lat (-90 to 90) and lon (-180 to 180) in WGS84 degrees",
                zh=f"结对选项 'locations' 第 {index} 项（{str(item)[:80]}）："
                f"{problem[1]}；每所学校填一项，含 school_code（10 位）、"
                "lat（-90 到 90）和 lon（-180 到 180），单位为 WGS84 度",
            )
        assert isinstance(code, str)
        seen[code] = index
        places.append((code, float(lat), float(lon)))  # type: ignore[arg-type]
    return tuple(places)


def _place_problem(code: Any, lat: Any, lon: Any) -> tuple[str, str] | None:
    """Return what is wrong with one location in English and Chinese, if anything."""
    if not isinstance(code, str) or not SCHOOL_CODE.match(code):
        return (
            f"school_code {code!r} is not a 10-digit code",
            f"学校标识码 {code!r} 不是 10 位数字",
        )
    for name, number, top in (("lat", lat, 90), ("lon", lon, 180)):
        valid = isinstance(number, int | float) and not isinstance(number, bool)
        if not valid or not -top <= number <= top:
            return (
                f"{name} {number!r} is not a number from -{top} to {top} "
                "(WGS84 degrees)",
                f"{name} {number!r} 不是 -{top} 到 {top} 之间的数（WGS84 度）",
            )
    return None


def places_frame(places: tuple[SchoolPlace, ...]) -> pl.DataFrame:
    """Return places as the ``school_code``, ``lat``, ``lon`` frame that
    :func:`plan_pairing` reads."""
    return pl.DataFrame(
        places,
        schema={"school_code": pl.String, "lat": pl.Float64, "lon": pl.Float64},
        orient="row",
    )


@dataclass
class _Unit:
    division_code: str
    school_code: str
    school_name: str
    section: str
    ratios: dict[str, float | None]
    values: dict[str, float | None]
    thresholds: dict[str, float]
    score: float | None
    strong: bool
    below: list[str]
    lat: float | None
    lon: float | None

    @property
    def label(self) -> str:
        return self.school_name or self.school_code


def _units(
    frame: pl.DataFrame,
    framework: Framework,
    options: PairingOptions,
    places: dict[str, tuple[float, float]],
) -> list[_Unit]:
    rated = [i for i in framework.resource_indicators if i.threshold]
    units = []
    for row in frame.iter_rows(named=True):
        ratios: dict[str, float | None] = {}
        values: dict[str, float | None] = {}
        thresholds: dict[str, float] = {}
        for ind in rated:
            value, threshold = row[f"v_{ind.id}"], row[f"thr_{ind.id}"]
            values[ind.id] = value
            thresholds[ind.id] = threshold
            ratio = None
            if value is not None and threshold:
                if ind.direction == "higher":
                    ratio = value / threshold
                elif value > 0:
                    ratio = threshold / value
                else:
                    ratio = options.ratio_cap
            ratios[ind.id] = None if ratio is None else min(ratio, options.ratio_cap)
        met = [row[f"met_{i.id}"] for i in rated]
        below = [i.id for i, m in zip(rated, met, strict=True) if m is False]
        known = [r for r in ratios.values() if r is not None]
        strong = all(m is True for m in met) and row.get("compliant", True) is True
        place = places.get(row["school_code"])
        units.append(
            _Unit(
                row["division_code"],
                row["school_code"],
                row["school_name"],
                row["section"],
                ratios,
                values,
                thresholds,
                sum(known) / len(known) if known else None,
                strong,
                below,
                None if place is None else place[0],
                None if place is None else place[1],
            )
        )
    return units


def pool_costs(
    units: list[_Unit], weak: list[int], strong: list[int], options: PairingOptions
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Return the pair costs and distances (km, NaN when unknown) of every weak
    (row) and strong (column) section of a pool.

    The cost is ``− Σ_k (r_s,k − r_w,k) + distance_weight × km`` over the
    indicators ``k`` the weak section is below (an unknown distance counts as
    0); a pair beyond ``max_distance_km`` costs infinity.
    """
    ids = sorted({k for i in weak + strong for k in units[i].ratios})
    position = {k: n for n, k in enumerate(ids)}

    def ratios(index: list[int]) -> np.ndarray[Any, Any]:
        table = np.zeros((len(index), len(ids)))
        for row, i in enumerate(index):
            for k, r in units[i].ratios.items():
                table[row, position[k]] = r or 0.0
        return table

    below = np.zeros((len(weak), len(ids)))
    for row, w in enumerate(weak):
        for k in units[w].below:
            below[row, position[k]] = 1.0
    own = (below * ratios(weak)).sum(axis=1)
    benefit = below @ ratios(strong).T - own[:, None]

    def coordinates(index: list[int]) -> tuple[np.ndarray[Any, Any], ...]:
        lat = [np.nan if units[i].lat is None else units[i].lat for i in index]
        lon = [np.nan if units[i].lon is None else units[i].lon for i in index]
        return np.array(lat, dtype=float), np.array(lon, dtype=float)

    w_lat, w_lon = coordinates(weak)
    s_lat, s_lon = coordinates(strong)
    distance = haversine_km(
        w_lat[:, None], w_lon[:, None], s_lat[None, :], s_lon[None, :]
    )
    cost = -benefit + options.distance_weight * np.nan_to_num(distance, nan=0.0)
    if options.max_distance_km is not None:
        cost[distance > options.max_distance_km] = np.inf
    return cost, distance


def _deficit(unit: _Unit) -> float:
    return sum(max(0.0, 1.0 - (unit.ratios[k] or 0.0)) for k in unit.below)


def plan_pairing(
    schools: pl.DataFrame,
    framework: Framework,
    *,
    division_code: str,
    year: int,
    options: PairingOptions | None = None,
    locations: pl.DataFrame | None = None,
) -> PlanResult:
    """Pair weak school sections with strong ones under ``division_code``.

    ``division_code`` is a county, city or province prefix. ``locations`` has
    ``school_code``, ``lat`` and ``lon`` (WGS84 degrees); the locations may
    come in ``options.locations`` instead, but not both ways at once. Without
    a location, a distance is unknown and counts as 0. Returns a
    :class:`PlanResult` of kind ``pairing`` with the tables ``pairs``,
    ``communities`` and ``unpaired``.
    """
    options = options or PairingOptions()
    if options.locations:
        if locations is not None:
            raise InputError(
                "school locations were given both as a frame and in the pairing "
                "options; give them one way",
                zh="学校位置同时以数据表和结对选项给出，请只用一种方式",
            )
        locations = places_frame(options.locations)
    chosen = select_schools(schools, division_code, year)
    frame, _ = evaluate_units(chosen, framework)
    places: dict[str, tuple[float, float]] = {}
    if locations is not None:
        for row in locations.iter_rows(named=True):
            if row["lat"] is not None and row["lon"] is not None:
                places[row["school_code"]] = (float(row["lat"]), float(row["lon"]))
    units = _units(frame, framework, options, places)
    pools: dict[tuple[str, ...], tuple[list[int], list[int]]] = defaultdict(
        lambda: ([], [])
    )
    for i, unit in enumerate(units):
        key: tuple[str, ...] = (unit.section,)
        if not options.cross_county:
            key = (unit.section, unit.division_code)
        if unit.strong:
            pools[key][0].append(i)
        elif unit.below:
            pools[key][1].append(i)
    program = Program()
    pair_vars: list[tuple[int, int, int, float | None, float]] = []
    truncated = 0
    slack: dict[int, int] = {}
    candidates: dict[int, list[tuple[float, int, float | None]]] = {}
    for key in sorted(pools):
        strong, weak = pools[key]
        if not weak:
            continue
        cost, distance = pool_costs(units, weak, strong, options)
        # Pools list strong sections in code order, so a stable sort breaks
        # ties of cost by school code.
        order = np.argsort(cost, axis=1, kind="stable")
        for line, w in enumerate(weak):
            kept = [int(j) for j in order[line] if np.isfinite(cost[line, j])]
            if len(kept) > options.candidates:
                truncated += 1
            candidates[w] = [
                (
                    float(cost[line, j]),
                    strong[j],
                    None if np.isnan(distance[line, j]) else float(distance[line, j]),
                )
                for j in kept[: options.candidates]
            ]
    biggest = max(
        (abs(c) for opts in candidates.values() for c, _, _ in opts), default=0.0
    )
    penalty = 2 * biggest + 1
    load: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for w in sorted(candidates):
        terms = []
        for pair_cost, s, km in candidates[w]:
            var = program.variable(pair_cost, 0, 1, integer=True)
            pair_vars.append((var, w, s, km, pair_cost))
            terms.append((var, 1.0))
            load[s].append((var, 1.0))
        slack[w] = program.variable(
            penalty * (1 + _deficit(units[w])), 0, 1, integer=False
        )
        program.constrain([*terms, (slack[w], 1.0)], 1, 1)
    for s in sorted(load):
        program.constrain(load[s], 0, options.capacity)
    result = PlanResult(
        kind="pairing",
        division_code=division_code,
        year=year,
        framework_id=framework.id,
        feasible=True,
        parameters={
            "options": {
                f.name: getattr(options, f.name)
                for f in fields(options)
                if f.name != "locations"
            },
            "located_schools": len(places),
        },
    )
    pairs: list[tuple[int, int, float | None]] = []
    pair_costs: list[float] = []
    if pair_vars:
        solution = program.solve()
        if solution.x is None:
            raise RuntimeError(f"HiGHS stopped without a matching: {solution.message}")
        matched = [p for p in pair_vars if solution.x[p[0]] > 0.5]
        pairs = [(w, s, d) for _, w, s, d, _ in matched]
        pair_costs = [c for *_, c in matched]
    _fill(result, units, pools, pairs, candidates, options, truncated)
    # The objective of the matching without the penalties of unpaired weak
    # sections, so that two runs on the same data can be compared by it.
    result.summary["total_pair_cost"] = round(math.fsum(pair_costs), 6)
    return result


def _fill(
    result: PlanResult,
    units: list[_Unit],
    pools: dict[tuple[str, ...], tuple[list[int], list[int]]],
    pairs: list[tuple[int, int, float | None]],
    candidates: dict[int, list[tuple[float, int, float | None]]],
    options: PairingOptions,
    truncated: int,
) -> None:
    pairs.sort(
        key=lambda p: (
            units[p[1]].section,
            units[p[1]].school_code,
            units[p[0]].school_code,
        )
    )

    strong_count = sum(len(s) for s, _ in pools.values())
    weak = [w for _, ws in pools.values() for w in ws]
    paired = {w for w, _, _ in pairs}
    rows = [_pair_row(units[w], units[s], d) for w, s, d in pairs]
    members: dict[int, list[int]] = defaultdict(list)
    for w, s, _ in pairs:
        members[s].append(w)
    communities = [
        {
            "community": f"{units[s].school_code}-{units[s].section}",
            "school_code": units[s].school_code,
            "school_name": units[s].school_name,
            "division_code": units[s].division_code,
            "section": units[s].section,
            "partners": len(ws),
            "partner_codes": ", ".join(units[w].school_code for w in ws),
        }
        for s, ws in sorted(
            members.items(),
            key=lambda t: (units[t[0]].section, units[t[0]].school_code),
        )
    ]

    unpaired = []
    for w in sorted(
        set(weak) - paired, key=lambda i: (units[i].section, units[i].school_code)
    ):
        unit = units[w]
        why_zh, why_en = (
            (
                "同学段、范围内无强校名额",
                "no strong school of the section has room in reach",
            )
            if candidates.get(w)
            else ("同学段、范围内无强校", "no strong school of the section in reach")
        )
        unpaired.append(
            {
                "school_code": unit.school_code,
                "school_name": unit.school_name,
                "division_code": unit.division_code,
                "section": unit.section,
                "below": "、".join(unit.below),
                "score": unit.score,
                "reason_zh": why_zh,
                "reason_en": why_en,
            }
        )

    distances = [d for _, _, d in pairs if d is not None]
    located = sum(1 for unit in units if unit.lat is not None)
    result.summary = {
        "school_sections": len(units),
        "located_sections": located,
        "strong": strong_count,
        "weak": len(weak),
        "paired": len(pairs),
        "unpaired": len(unpaired),
        "communities": len(communities),
        "capacity": options.capacity,
        "total_distance_km": round(sum(distances), 3) if distances else None,
        "pools_truncated": truncated,
        "solver": SOLVER,
    }
    result.messages_zh.append(
        f"强校 {strong_count} 个学段、薄弱学校 {len(weak)} 个学段；"
        f"结对 {len(pairs)} 对，"
        f"组成 {len(communities)} 个教共体，{len(unpaired)} 个薄弱学校学段未结对。"
    )
    result.messages_en.append(
        f"{strong_count} strong and {len(weak)} weak school sections; {len(pairs)} "
        f"pairs in {len(communities)} education communities, {len(unpaired)} weak "
        "sections unpaired."
    )
    if 0 < located < len(units):
        missing = len(units) - located
        result.messages_zh.append(
            f"{missing} 个学校学段没有位置，其结对距离按 0 计，"
            "也不受最远距离限制；请在位置文件中补齐。"
        )
        result.messages_en.append(
            f"{missing} school sections have no location: their pair distances "
            "count as 0 and the maximum distance does not apply to them; add them "
            "to the locations file."
        )
    if truncated:
        result.messages_zh.append(
            f"{truncated} 个薄弱学校学段只考虑了代价最低的 "
            f"{options.candidates} 所强校。"
        )
        result.messages_en.append(
            f"{truncated} weak sections were matched among their {options.candidates} "
            "cheapest partners only."
        )
    result.tables = [
        PlanTable("pairs", "结对名单", "Pairs", _PAIR_COLUMNS, rows),
        PlanTable(
            "communities",
            "教共体",
            "Education communities",
            _COMMUNITY_COLUMNS,
            communities,
        ),
        PlanTable(
            "unpaired",
            "未结对薄弱学校",
            "Unpaired weak schools",
            _UNPAIRED_COLUMNS,
            unpaired,
        ),
    ]


def _pair_row(weak: _Unit, strong: _Unit, distance: float | None) -> dict[str, Any]:
    zh_parts = []
    en_parts = []
    for k in weak.below:
        wv, sv, thr = weak.values[k], strong.values[k], weak.thresholds[k]
        zh_parts.append(
            f"{k} {_num(wv)}（标准 {_num(thr)}，{strong.label} 为 {_num(sv)}）"
        )
        en_parts.append(
            f"{k} {_num(wv)} (threshold {_num(thr)}, {strong.label} {_num(sv)})"
        )
    where_zh = "距离未知" if distance is None else f"相距 {distance:.1f} 千米"
    where_en = "distance unknown" if distance is None else f"{distance:.1f} km apart"
    section_zh = SECTION_ZH.get(weak.section, weak.section)
    reason_zh = (
        f"{weak.label}（{section_zh}）低于标准：{'；'.join(zh_parts)}；"
        f"{strong.label}各项均达标；{where_zh}。"
    )
    reason_en = (
        f"{weak.label} ({weak.section}) is below the threshold on "
        f"{'; '.join(en_parts)}; {strong.label} meets every threshold; {where_en}."
    )
    return {
        "community": f"{strong.school_code}-{strong.section}",
        "strong_code": strong.school_code,
        "strong_name": strong.school_name,
        "strong_division": strong.division_code,
        "weak_code": weak.school_code,
        "weak_name": weak.school_name,
        "weak_division": weak.division_code,
        "section": weak.section,
        "below": "、".join(weak.below),
        "distance_km": distance,
        "reason_zh": reason_zh,
        "reason_en": reason_en,
    }


def _num(value: float | None) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "—"
    return f"{value:.2f}"


_PAIR_COLUMNS = [
    PlanColumn("community", "教共体", "Community"),
    PlanColumn("strong_code", "强校标识码", "Strong school code"),
    PlanColumn("strong_name", "强校", "Strong school"),
    PlanColumn("strong_division", "强校区划", "Strong school division"),
    PlanColumn("weak_code", "薄弱学校标识码", "Weak school code"),
    PlanColumn("weak_name", "薄弱学校", "Weak school"),
    PlanColumn("weak_division", "薄弱学校区划", "Weak school division"),
    PlanColumn("section", "学段", "Section"),
    PlanColumn("below", "未达标指标", "Indicators below threshold"),
    PlanColumn("distance_km", "距离（千米）", "Distance (km)", "float", 1),
    PlanColumn("reason_zh", "理由", "Reason (zh)"),
    PlanColumn("reason_en", "理由（英文）", "Reason"),
]
_COMMUNITY_COLUMNS = [
    PlanColumn("community", "教共体", "Community"),
    PlanColumn("school_code", "牵头学校标识码", "Lead school code"),
    PlanColumn("school_name", "牵头学校", "Lead school"),
    PlanColumn("division_code", "区划代码", "Division code"),
    PlanColumn("section", "学段", "Section"),
    PlanColumn("partners", "结对学校数", "Partners", "int"),
    PlanColumn("partner_codes", "结对学校标识码", "Partner school codes"),
]
_UNPAIRED_COLUMNS = [
    PlanColumn("school_code", "学校标识码", "School code"),
    PlanColumn("school_name", "学校名称", "School"),
    PlanColumn("division_code", "区划代码", "Division code"),
    PlanColumn("section", "学段", "Section"),
    PlanColumn("below", "未达标指标", "Indicators below threshold"),
    PlanColumn("score", "强弱得分", "Score", "float", 3),
    PlanColumn("reason_zh", "原因", "Reason (zh)"),
    PlanColumn("reason_en", "原因（英文）", "Reason"),
]
