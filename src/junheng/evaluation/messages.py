"""Bilingual wording of verdict reasons.

Each reason code has a Chinese and an English template filled from the reason's
own fields, so the JSON keeps the structured numbers and every rendering (table,
Excel, HTML) shows the same sentence.
"""

from __future__ import annotations

from typing import Any

SECTION_LABELS = {
    "primary": {"zh": "小学", "en": "primary"},
    "junior": {"zh": "初中", "en": "junior secondary"},
}
NATION_NAMES = {"zh": "全国", "en": "nation"}
"""Name of the nation row of the roll-ups, by language."""
VERDICT_LABELS = {
    "pass": {"zh": "达标", "en": "pass"},
    "fail": {"zh": "未达标", "en": "fail"},
    "incomplete": {"zh": "数据不全", "en": "incomplete"},
}

TEMPLATES: dict[str, dict[str, str]] = {
    "cv_over_limit": {
        "zh": "{section_label}{indicator}（{indicator_name}）校际差异系数 {cv:.3f}，"
        "超过限值 {limit:.2f}（超出 {excess:.3f}）；差异贡献最大的学校：{top_schools}",
        "en": "{section_label} {indicator} ({indicator_name}): between-school CV "
        "{cv:.3f} exceeds the limit {limit:.2f} by {excess:.3f}; largest "
        "contributors: {top_schools}",
    },
    "composite_over_limit": {
        "zh": "{section_label}综合差异系数 {cv:.3f}，"
        "超过限值 {limit:.2f}（超出 {excess:.3f}）",
        "en": "{section_label} composite CV {cv:.3f} exceeds the limit {limit:.2f} "
        "by {excess:.3f}",
    },
    "cv_undefined": {
        "zh": "{section_label}{indicator}（{indicator_name}）"
        "均值为 0，无法计算差异系数",
        "en": "{section_label} {indicator} ({indicator_name}): the mean is 0, so "
        "the CV is undefined",
    },
    "school_noncompliant": {
        "zh": "{school_name}（{school_code}，{section_label}）"
        "资源配置 {met_count}/{total} 项达标，"
        "要求至少 {min_met} 项且其余不低于标准的 {floor_pct:.0f}%：{shortfalls}",
        "en": "{school_name} ({school_code}, {section_label}) meets {met_count} of "
        "{total} resource indicators; at least {min_met} are required and the "
        "rest must reach {floor_pct:.0f}% of the threshold: {shortfalls}",
    },
    "missing_indicator": {
        "zh": "{section_label}{indicator}（{indicator_name}）"
        "有 {schools} 所学校缺少数据（无数据，不计为达标）",
        "en": "{section_label} {indicator} ({indicator_name}): no data for "
        "{schools} school(s); no data never counts as a pass",
    },
    "school_item_failed": {
        "zh": "{item}（{item_name}）{count} 所学校未达标：{schools}",
        "en": "{item} ({item_name}): {count} school(s) fail: {schools}",
    },
    "school_item_missing": {
        "zh": "{item}（{item_name}）{count} 所学校缺少数据",
        "en": "{item} ({item_name}): no data for {count} school(s)",
    },
    "item_failed": {
        "zh": "{item}（{item_name}）未达标：{key} = {value}，要求 {requirement}",
        "en": "{item} ({item_name}) not met: {key} = {value}, required {requirement}",
    },
    "item_missing": {
        "zh": "{item}（{item_name}）未填报 {key}",
        "en": "{item} ({item_name}): {key} not reported",
    },
    "veto": {
        "zh": "一票否决：{item}（{item_name}）",
        "en": "veto item applies: {item} ({item_name})",
    },
    "no_included_schools": {
        "zh": "没有学校符合评估办法的纳入规则，无法评估：{schools}",
        "en": "no school counts under the framework's inclusion rules, so the "
        "county cannot be evaluated: {schools}",
    },
    "veto_missing": {
        "zh": "一票否决项 {item}（{item_name}）未填报",
        "en": "veto item {item} ({item_name}) not reported",
    },
}

EXCLUSION_LABELS = {
    "private": {"zh": "民办学校", "en": "private schools"},
    "teaching_point": {"zh": "教学点", "en": "teaching points"},
    "small_teaching_point": {"zh": "规模不足的教学点", "en": "small teaching points"},
    "special_education": {"zh": "特殊教育学校", "en": "special-education schools"},
    "vocational": {"zh": "职业学校", "en": "vocational schools"},
    "no_section": {
        "zh": "不含参评学段的学校",
        "en": "schools without an evaluated section",
    },
}


def exclusion_rule(code: str | None, lang: str, minimum: int | None = None) -> str:
    """Return the inclusion rule that left a school out, in ``lang``.

    ``minimum`` is the framework's smallest teaching point, which the rule of
    small teaching points names. A school without a school type has no code.
    """
    if code == "small_teaching_point" and minimum is not None:
        if lang == "en":
            return f"teaching point with fewer than {minimum} students"
        return f"在校生少于 {minimum} 人的教学点"
    if code is None:
        return "school type missing" if lang == "en" else "缺少学校类型"
    return EXCLUSION_LABELS[code][lang]


def exclusion_note(counts: dict[str, int], lang: str) -> str:
    """Return the sentence saying which schools the framework left out."""
    parts = [
        f"{EXCLUSION_LABELS[code][lang]} {count}"
        for code, count in sorted(counts.items())
    ]
    if lang == "en":
        return "Left out by the framework's inclusion rules: " + ", ".join(parts)
    return "按评估办法不参与计算的学校：" + "，".join(parts)


REQUIREMENT = {
    ">=": {"zh": "≥ {t}", "en": "≥ {t}"},
    "<=": {"zh": "≤ {t}", "en": "≤ {t}"},
    ">": {"zh": "> {t}", "en": "> {t}"},
    "<": {"zh": "< {t}", "en": "< {t}"},
    "==": {"zh": "= {t}", "en": "= {t}"},
    "true": {"zh": "是", "en": "yes"},
    "false": {"zh": "否", "en": "no"},
}


def format_number(value: float | None) -> str:
    """Return a number without trailing zeros (``85.0`` → ``85``)."""
    if value is None:
        return "—"
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text or "0"


class _KeepPlaceholders(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def prefill(code: str, lang: str, fields: dict[str, Any]) -> str:
    """Return the template of reason ``code`` in ``lang`` with ``fields`` filled in.

    The placeholders of the other fields stay, so that ``str.format_map`` of
    the result with those fields gives the sentence :func:`render` gives. A
    placeholder that stays must have no format spec, and the text of
    ``fields`` must have no braces, because the result is formatted again.
    """
    values = _KeepPlaceholders(fields)
    _add_section_label(values, fields, lang)
    return TEMPLATES[code][lang].format_map(values)


def _add_section_label(
    values: dict[str, Any], fields: dict[str, Any], lang: str
) -> None:
    """Set ``section_label`` in ``values``: the section in ``lang``, or empty."""
    section = values.get("section")
    if isinstance(section, str) and section in SECTION_LABELS:
        values["section_label"] = SECTION_LABELS[section][lang]
    elif "section_label" not in fields:
        values["section_label"] = ""


def render(code: str, lang: str, fields: dict[str, Any]) -> str:
    """Return the sentence of reason ``code`` in ``lang`` filled from ``fields``."""
    return render_all(code, fields, (lang,))[lang]


def render_all(
    code: str, fields: dict[str, Any], langs: tuple[str, ...] = ("zh", "en")
) -> dict[str, str]:
    """Return the sentence of reason ``code`` in each of ``langs``.

    A field given in both languages ({"zh": ..., "en": ...}) shows in each
    sentence in that sentence's language.
    """
    templates = TEMPLATES[code]
    bilingual = [key for key, value in fields.items() if isinstance(value, dict)]
    shared = dict(fields)
    sentences = {}
    for lang in langs:
        values = shared
        if bilingual:
            values = dict(fields)
            for key in bilingual:
                if lang in fields[key]:
                    values[key] = fields[key][lang]
        _add_section_label(values, fields, lang)
        sentences[lang] = templates[lang].format_map(values)
    return sentences
