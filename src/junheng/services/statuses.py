"""Names of the workflow statuses of reported records, in Chinese and English.

The codes (``draft``, ``submitted`` …) are stored in ``school_records.status``
and sent by the API; people see these names instead.
"""

from __future__ import annotations

from typing import Literal

STATUS_NAMES: dict[str, tuple[str, str]] = {
    # status: (中文, English)
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
