"""Names of the workflow statuses of reported records, in Chinese and English.

The codes (``draft``, ``submitted`` …) are stored in ``school_records.status``
and sent by the API; people see these names instead.
"""

from __future__ import annotations

from typing import Literal

STATUS_NAMES: dict[str, tuple[str, str]] = {
    # status: (中文, English); "submitted" names the first reviewer of school data.
    "draft": ("草稿", "draft"),
    "submitted": ("已提交，待县级审核", "submitted, awaiting the county"),
    "county_approved": ("县级已审核", "approved by the county"),
    "city_approved": ("市级已审核", "approved by the city"),
    "approved": ("已审定（锁定）", "approved (locked)"),
    "returned": ("已退回", "returned"),
}


def status_name(status: str, lang: Literal["zh", "en"]) -> str:
    """Return the name of ``status`` in ``lang``; an unknown code is returned as is."""
    names = STATUS_NAMES.get(status)
    if names is None:
        return status
    return names[0] if lang == "zh" else names[1]


COUNTY_ITEMS_SUBMITTED: dict[str, tuple[str, str]] = {
    "city": ("已提交，待市级审核", "submitted, awaiting the city"),
    "province": ("已提交，待省级审核", "submitted, awaiting the province"),
}
"""Names of submitted county items, which the county's city reviews first, or
its province when the county has no city level."""


def county_items_status_key(status: str, division_code: str) -> str:
    """Return the catalogue key (``status.…``) of county items of
    ``division_code`` in ``status``, naming the right reviewer when submitted."""
    from junheng.store.divisions import has_city_level

    if status != "submitted":
        return f"status.{status}"
    return f"status.submitted.{'city' if has_city_level(division_code) else 'province'}"


def county_items_status_name(
    status: str, division_code: str, lang: Literal["zh", "en"]
) -> str:
    """Return the name of county items of ``division_code`` in ``status``."""
    key = county_items_status_key(status, division_code).removeprefix("status.")
    if key.startswith("submitted."):
        names = COUNTY_ITEMS_SUBMITTED[key.removeprefix("submitted.")]
        return names[0] if lang == "zh" else names[1]
    return status_name(status, lang)
