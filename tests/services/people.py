"""Principals and school rows of the service tests.

Divisions: 410102 中原区 and 410103 二七区 are counties of 郑州市 (4101) in
河南省 (41); 110101 东城区 is a district of 北京市, a municipality.
"""

from __future__ import annotations

from typing import Any

from factories import primary_school

from junheng.services.access import Principal, Role

MINISTRY = Principal(1, "moe", Role.MINISTRY, "")
HENAN = Principal(2, "henan", Role.PROVINCE, "41")
ZHENGZHOU = Principal(3, "zhengzhou", Role.CITY, "4101")
ZHONGYUAN = Principal(4, "zhongyuan", Role.COUNTY, "410102")
ERQI = Principal(5, "erqi", Role.COUNTY, "410103")
SCHOOL_1 = Principal(6, "school1", Role.SCHOOL, "410102", school_code="2141000001")
BEIJING = Principal(7, "beijing", Role.PROVINCE, "11")
DONGCHENG = Principal(8, "dongcheng", Role.COUNTY, "110101")
EVALUATOR = Principal(9, "eval", Role.EVALUATOR, "", assigned_counties=("410102",))
PUBLIC = Principal(None, "public", Role.PUBLIC, "")


def school(number: int, **changes: Any) -> dict[str, Any]:
    """Return the canonical row of a primary school of 中原区 (see factories)."""
    return primary_school(number, **changes)


def beijing_school(number: int, **changes: Any) -> dict[str, Any]:
    """Return the canonical row of a primary school of 东城区, Beijing."""
    return primary_school(
        number, division_code="110101", school_code=f"21110{number:05d}", **changes
    )
