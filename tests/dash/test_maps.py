"""Map specifications and the boundary files behind them."""

from __future__ import annotations

import json

from junheng.web.dash_support import GEO_DIR, geo_codes, map_spec


def _city_view(codes: list[str]) -> dict[str, object]:
    rows = [{"code": c, "name": f"县{c}", "verdict": "pass"} for c in codes]
    return {
        "level": "city",
        "code": "4311",
        "name": "永州市",
        "tables": {"children": {"rows": rows}},
    }


def test_division_without_boundary_listed() -> None:
    # 431181 祁阳市 became a county-level city after the boundary data were
    # drawn, so the county file of Hunan has no feature for it.
    spec = map_spec(_city_view(["431102", "431181"]))
    assert spec is not None
    assert spec["geo"] == "/static/geo/counties/43.json"
    assert spec["missing"] == [{"code": "431181", "name": "县431181"}]


def test_province_without_file_has_no_geometry() -> None:
    # 99 is no division code, so no boundary file exists for it.
    view = {
        "level": "province",
        "code": "99",
        "name": "测试用代码",
        "tables": {"children": {"rows": [{"code": "9901", "name": "测试用代码"}]}},
    }
    spec = map_spec(view)
    assert spec is not None
    assert spec["geo"] is None
    assert spec["missing"] == [{"code": "9901", "name": "测试用代码"}]


def test_county_without_boundary_has_no_geometry() -> None:
    # 110103 崇文区 was merged into 东城区 in 2010, before the boundary data
    # were drawn, so the county file of Beijing has no feature for it.
    view = {
        "level": "county",
        "code": "110103",
        "name": "崇文区",
        "tables": {"summary": {"rows": [{"verdict": "incomplete"}]}},
    }
    spec = map_spec(view)
    assert spec is not None
    assert spec["geo"] is None
    assert spec["missing"] == [{"code": "110103", "name": "崇文区"}]


def test_school_level_has_no_map() -> None:
    assert map_spec({"level": "school", "code": "2141000001"}) is None


def test_boundary_files_use_division_codes() -> None:
    provinces = geo_codes("provinces.json")
    assert len(provinces) == 34
    assert {"11", "41", "46", "65"} <= provinces
    assert "410102" in geo_codes("counties/41.json")
    assert "4101" in geo_codes("cities/41.json")
    # Every county in the file of a province has a code of that province.
    for path in sorted((GEO_DIR / "counties").glob("*.json")):
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
        assert all(f["properties"]["code"].startswith(path.stem) for f in features)
