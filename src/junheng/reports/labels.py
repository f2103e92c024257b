"""Chinese and English labels of every report, keyed by language.

Verdict and section names come from :mod:`junheng.evaluation.messages`, so the
reports and the reason sentences use the same words.
"""

from __future__ import annotations

from typing import Literal

from junheng.evaluation.messages import SECTION_LABELS, VERDICT_LABELS

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

PART_LABELS: dict[str, dict[str, str]] = {
    "resource": {"zh": "资源配置", "en": "resource allocation"},
    "government": {"zh": "政府保障程度", "en": "government assurance"},
    "quality": {"zh": "教育质量", "en": "education quality"},
    "satisfaction": {"zh": "社会认可度", "en": "public satisfaction"},
    "standard": {"zh": "学校办学基本标准", "en": "basic school-running standard"},
    "veto": {"zh": "一票否决", "en": "veto items"},
}
"""Part names of the national frameworks."""
# NOTE: the document lists part ids without names, so a part that a provincial
# framework adds is shown by its id until the document carries part names.

LEVEL_LABELS: dict[str, dict[str, str]] = {
    "nation": {"zh": "全国", "en": "nation"},
    "province": {"zh": "省级", "en": "province"},
    "city": {"zh": "地市", "en": "city"},
}

SHEET_NAMES: dict[str, dict[str, str]] = {
    "overview": {"zh": "概览", "en": "Overview"},
    "counties": {"zh": "县域结果", "en": "County results"},
    "indicators": {"zh": "指标阈值", "en": "Indicators"},
    "schools": {"zh": "学校", "en": "Schools"},
    "excluded": {"zh": "未纳入学校", "en": "Excluded schools"},
    "reasons": {"zh": "原因", "en": "Reasons"},
    "county_items": {"zh": "县级指标", "en": "County items"},
    "rollup_verdicts": {"zh": "结论汇总", "en": "Verdict roll-ups"},
    "rollup_indicators": {"zh": "指标汇总", "en": "Indicator roll-ups"},
    "warnings": {"zh": "导入警告", "en": "Import warnings"},
}

TEXT: dict[str, dict[str, str]] = {
    "title": {
        "zh": "县域义务教育均衡发展评估报告",
        "en": "County compulsory education balance evaluation report",
    },
    "framework": {"zh": "评估标准", "en": "Framework"},
    "framework_source": {"zh": "标准依据", "en": "Framework source"},
    "sources": {"zh": "数据来源", "en": "Data sources"},
    "generated_at": {"zh": "生成时间", "en": "Generated at"},
    "generator": {"zh": "生成工具", "en": "Generator"},
    "colon": {"zh": "：", "en": ": "},
    "notes": {"zh": "说明", "en": "Notes"},
    "framework_based_on": {"zh": "修改自", "en": "Modified from"},
    "overview": {"zh": "概览", "en": "Overview"},
    "county_years": {"zh": "县域年度数", "en": "County-years"},
    "counties": {"zh": "县数", "en": "Counties"},
    "year": {"zh": "学年", "en": "Year"},
    "division_code": {"zh": "行政区划代码", "en": "Division code"},
    "division_name": {"zh": "县（区）名称", "en": "County"},
    "city_name": {"zh": "地市", "en": "City"},
    "province_name": {"zh": "省份", "en": "Province"},
    "verdict": {"zh": "结论", "en": "Verdict"},
    "status": {"zh": "状态", "en": "Status"},
    "students": {"zh": "学生数", "en": "Students"},
    "schools": {"zh": "学校数", "en": "Schools"},
    "section": {"zh": "学段", "en": "Section"},
    "part": {"zh": "方面", "en": "Part"},
    "parts": {"zh": "各方面结论", "en": "Part results"},
    "indicator": {"zh": "指标", "en": "Indicator"},
    "indicator_name": {"zh": "指标名称", "en": "Indicator name"},
    "unit": {"zh": "单位", "en": "Unit"},
    "data_status": {"zh": "依据核实情况", "en": "Source status"},
    "threshold": {"zh": "标准值", "en": "Threshold"},
    "mean": {"zh": "均值", "en": "Mean"},
    "cv": {"zh": "差异系数", "en": "CV"},
    "limit": {"zh": "限值", "en": "Limit"},
    "cv_limit": {"zh": "差异系数限值", "en": "CV limit"},
    "passed": {"zh": "是否达标", "en": "Passed"},
    "composite_cv": {"zh": "综合差异系数", "en": "Composite CV"},
    "worst_cv": {"zh": "最大差异系数/限值", "en": "worst CV / limit"},
    "schools_below_threshold": {
        "zh": "低于标准的学校数",
        "en": "Schools below threshold",
    },
    "schools_without_data": {"zh": "缺数据学校数", "en": "Schools without data"},
    "noncompliant_schools": {"zh": "未达标学校数", "en": "Non-compliant schools"},
    "school_code": {"zh": "学校标识码", "en": "School code"},
    "school_name": {"zh": "学校名称", "en": "School name"},
    "school_type": {"zh": "学校类型", "en": "School type"},
    "ownership": {"zh": "办学性质", "en": "Ownership"},
    "met_count": {"zh": "达标项数", "en": "Indicators met"},
    "compliant": {"zh": "学校是否达标", "en": "School compliant"},
    "shortfalls": {"zh": "未达标指标（值/标准）", "en": "Shortfalls (value/threshold)"},
    "failing_schools": {"zh": "未达标学校", "en": "Non-compliant schools"},
    "import_warnings": {"zh": "导入警告", "en": "Import warnings"},
    "import_warnings_note": {
        "zh": "导入数据时有 {n} 条警告，见“导入警告”。",
        "en": "The import gave {n} warnings; see Import warnings.",
    },
    "excluded_schools": {
        "zh": "按评估办法不参与计算的学校",
        "en": "Schools left out by the inclusion rules",
    },
    "primary_students": {"zh": "小学在校生数", "en": "Primary students"},
    "exclusion_reason": {"zh": "未纳入原因", "en": "Reason left out"},
    "reasons": {"zh": "原因", "en": "Reasons"},
    "reason_count": {"zh": "原因数", "en": "Reasons"},
    "reason_code": {"zh": "原因代码", "en": "Reason code"},
    "message": {"zh": "说明", "en": "Message"},
    "no_reasons": {"zh": "无", "en": "none"},
    "county_items": {"zh": "县级指标", "en": "County items"},
    "item": {"zh": "指标代码", "en": "Item code"},
    "item_name": {"zh": "指标名称", "en": "Item name"},
    "key": {"zh": "填报项", "en": "Reported key"},
    "requirement": {"zh": "要求", "en": "Requirement"},
    "value": {"zh": "填报值", "en": "Value"},
    "evidence": {"zh": "佐证说明", "en": "Evidence"},
    "rollups": {"zh": "区域汇总", "en": "Regional roll-ups"},
    "rollup_by_province": {"zh": "分省汇总", "en": "By province"},
    "level": {"zh": "层级", "en": "Level"},
    "region_code": {"zh": "地区代码", "en": "Region code"},
    "region_name": {"zh": "地区", "en": "Region"},
    "nation_code": {"zh": "全国", "en": "national"},
    "counties_over_limit": {"zh": "超限县数", "en": "Counties over limit"},
    "cv_min": {"zh": "差异系数最小值", "en": "CV min"},
    "cv_p25": {"zh": "差异系数 P25", "en": "CV P25"},
    "cv_median": {"zh": "差异系数中位数", "en": "CV median"},
    "cv_p75": {"zh": "差异系数 P75", "en": "CV P75"},
    "cv_max": {"zh": "差异系数最大值", "en": "CV max"},
    "between_county_cv": {"zh": "县际差异系数", "en": "Between-county CV"},
    "theil": {"zh": "泰尔指数", "en": "Theil index"},
    "theil_between": {"zh": "泰尔指数（县际）", "en": "Theil, between counties"},
    "theil_within": {"zh": "泰尔指数（县内）", "en": "Theil, within counties"},
    "verdict_counts": {"zh": "结论统计", "en": "Verdict counts"},
    "total": {"zh": "合计", "en": "Total"},
    "school_rule": {"zh": "学校达标规则", "en": "School rule"},
    "school_rule_text": {
        "zh": "每所学校至少 {min_met} 项达标，其余不低于标准的 {floor_pct:.0f}%",
        "en": "each school meets at least {min_met} indicators and reaches "
        "{floor_pct:.0f}% of the threshold on the rest",
    },
    "balance_rule": {"zh": "均衡判定规则", "en": "Balance rule"},
    "balance_every": {
        "zh": "每项指标的校际差异系数均不超过限值",
        "en": "every indicator's between-school CV within the limit",
    },
    "balance_composite": {
        "zh": "综合差异系数不超过限值",
        "en": "the composite CV within the limit",
    },
    "yes": {"zh": "是", "en": "yes"},
    "no": {"zh": "否", "en": "no"},
    "more_reasons": {"zh": "… 另有 {n} 条", "en": "… {n} more"},
    "more_counties": {
        "zh": "另有 {n} 个县域年度未列出",
        "en": "{n} more county-years not listed",
    },
    "shown_counties": {
        "zh": "列出前 {shown} 个县域年度（共 {total} 个）",
        "en": "first {shown} of {total} county-years",
    },
    "html_truncated": {
        "zh": "本报告详列前 {shown} 个县域年度，其余 {rest} 个见 Excel 或 JSON 结果。",
        "en": "This report details the first {shown} county-years; see the Excel "
        "or JSON output for the other {rest}.",
    },
    "html_rows_truncated": {
        "zh": "只列出前 {shown} 行（共 {total} 行）；Excel 和 JSON 结果列出全部。",
        "en": "The first {shown} of {total} rows are listed; the Excel and JSON "
        "outputs list them all.",
    },
    "rows_truncated": {
        "zh": "工作表“{sheet}”只写入前 {shown} 行（共 {total} 行），"
        "因为 Excel 每个工作表最多 1,048,576 行；完整数据见 JSON 结果。",
        "en": "Sheet '{sheet}' holds the first {shown} of {total} rows because "
        "Excel allows at most 1,048,576 rows per sheet; the JSON output has "
        "every row.",
    },
    "cv_chart_title": {
        "zh": "{name} {year} 差异系数与限值",
        "en": "{name} {year}: CVs against the limit",
    },
    "cv_distribution": {
        "zh": "{year} 年各县差异系数分布（{section}）",
        "en": "County CVs in {year} ({section})",
    },
    "no_rollups": {"zh": "无区域汇总数据", "en": "No roll-up data"},
    "contents": {"zh": "目录", "en": "Contents"},
}


def text(key: str, lang: str, **fields: object) -> str:
    """Return the label ``key`` in ``lang``, filled from ``fields`` if given."""
    template = TEXT[key][lang]
    return template.format(**fields) if fields else template


def verdict_label(verdict: str, lang: str) -> str:
    """Return the display name of a verdict or status (``pass``, ``fail`` …)."""
    return VERDICT_LABELS.get(verdict, {}).get(lang, verdict)


def section_label(section: str, lang: str) -> str:
    """Return the display name of a section (``primary`` → 小学)."""
    return SECTION_LABELS.get(section, {}).get(lang, section)


def part_label(part: str, lang: str) -> str:
    """Return the display name of a part id, or the id for an unknown part."""
    return PART_LABELS.get(part, {}).get(lang, part)


def level_label(level: str, lang: str) -> str:
    """Return the display name of a roll-up level."""
    return LEVEL_LABELS.get(level, {}).get(lang, level)


def sheet_name(key: str, lang: str) -> str:
    """Return the workbook sheet name of ``key`` in ``lang``."""
    return SHEET_NAMES[key][lang]


def yes_no(value: object, lang: str) -> str:
    """Return 是/否 (yes/no) for a boolean and an empty string for ``None``."""
    if value is None:
        return ""
    return text("yes" if value else "no", lang)
