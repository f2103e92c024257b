"""Reason sentences filled in both languages at once."""

from __future__ import annotations

from junheng.evaluation import messages


def test_render_all_translates_bilingual_fields() -> None:
    fields = {
        "section": "junior",
        "indicator": "L4",
        "indicator_name": {"zh": "生均教学及辅助用房面积", "en": "floor area"},
    }
    assert messages.render_all("cv_undefined", fields) == {
        "zh": "初中L4（生均教学及辅助用房面积）均值为 0，无法计算差异系数",
        "en": "junior secondary L4 (floor area): the mean is 0, so the CV is undefined",
    }
    assert fields["indicator_name"] == {
        "zh": "生均教学及辅助用房面积",
        "en": "floor area",
    }
    assert "section_label" not in fields


def test_render_all_without_section() -> None:
    fields = {"item": "G10", "item_name": {"zh": "编制", "en": "staff quotas"}}
    assert messages.render_all("veto", fields) == {
        "zh": "一票否决：G10（编制）",
        "en": "veto item applies: G10 (staff quotas)",
    }


def test_render_one_language() -> None:
    fields = {"section": "primary", "cv": 0.61234, "limit": 0.5, "excess": 0.11234}
    assert messages.render("composite_over_limit", "en", fields) == (
        "primary composite CV 0.612 exceeds the limit 0.50 by 0.112"
    )
