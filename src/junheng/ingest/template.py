"""Write the Excel template in which counties and schools enter their data.

The template has a school sheet with the canonical headers, a long-format county
items sheet and an instruction sheet. Data validation in Excel (dropdowns, whole
numbers, code lengths) catches many mistakes while typing; the importer checks
everything again, because pasted values bypass Excel's validation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from junheng.ingest.schema import (
    COUNTY_ITEM_FIELDS,
    SCHOOL_FIELDS,
    Field,
)
from junheng.ingest.validate import YEAR_MAX, YEAR_MIN

if TYPE_CHECKING:
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

    from junheng.standards.model import Framework

Lang = Literal["zh", "en"]

LAST_ROW = 1_048_575
"""Last 0-based row index of an Excel sheet; validation covers every data row."""

# Excel rejects an inline dropdown list longer than 255 characters; longer lists
# are written to a hidden sheet and referenced as a range.
_INLINE_LIST_LIMIT = 255

CODE_LENGTHS = {"division_code": 6, "school_code": 10}
COUNTY_ITEMS_LINE = 7
"""Index in :data:`INSTRUCTIONS_ZH` and :data:`INSTRUCTIONS_EN` of the line
about the county items sheet."""


@dataclass(frozen=True)
class _Names:
    schools: str
    county_items: str
    instructions: str
    lists: str


SHEET_NAMES: dict[str, _Names] = {
    "zh": _Names("学校数据", "县级指标", "填报说明", "下拉选项"),
    "en": _Names("schools", "county_items", "instructions", "lists"),
}

INSTRUCTIONS_ZH: tuple[str, ...] = (
    "填报说明",
    "1. “学校数据”表每行填写一所学校一个学年的数据。学年填起始年份，"
    "如 2024 表示 2024—2025 学年。第一行是表头，请勿修改、删除或合并；"
    "可以删除不需要的选填列。",
    "2. 行政区划代码填学校所在县级行政区的 6 位代码，学校标识码填 10 位代码。"
    "代码列已设为文本格式，请保持文本格式，以免 Excel 去掉前导零或改成科学计数法。",
    "3. 人数、班级数、教室数、台数、册数填整数；面积单位为平方米，金额单位为元，"
    "可填小数。单元格中只填数字，不写单位或说明文字。不要合并单元格，"
    "不要添加合计行或备注行。",
    "4. 分学段填写：“小学…”列填小学部分，“初中…”列填初中部分。"
    "小学和教学点只填小学列；初中和职业初中只填初中列；"
    "九年一贯制学校和十二年一贯制学校分别填写小学列和初中列；完全中学填写初中列。",
    "5. 十二年一贯制学校和完全中学在“高中在校生数”填写高中学生数，"
    "其他学校留空或填 0。面积、仪器设备值、多媒体教室、计算机、图书等全校性指标"
    "填写全校合计，不要自行拆分；系统按评估办法的学段权重（含高中学生）"
    "在各学段间分摊。",
    "6. 子项不得超过总数：高于规定学历教师数、骨干教师数、体育艺术专任教师数、"
    "中级及以上职称教师数均不得超过同一学段的专任教师数。"
    "有专任教师的学段必须有在校生。",
    "7. “县级指标”表每行填写一个指标：学年、行政区划代码、指标代码（下拉选择）、"
    "值、佐证说明。百分比填 0–100 的数（可带 %），是否类指标填“是”或“否”。",
    "8. 表头可用中文名（带或不带单位，如“小学在校生数”或“小学在校生数（人）”）"
    "或英文字段名（如 primary_students）。",
    "9. 导入“全部或全不”：发现任何错误时不导入任何数据，并给出错误报告，"
    "列出文件、工作表、行号、列名、原值、问题和修改方法。",
)

INSTRUCTIONS_EN: tuple[str, ...] = (
    "Instructions",
    "1. Each row of the 'schools' sheet holds one school in one school year. Enter "
    "the year in which the school year starts (2024 for 2024-25). Keep row 1, the "
    "header, unchanged and unmerged; optional columns you do not need may be "
    "deleted.",
    "2. Enter the 6-digit division code of the county-level division and the "
    "10-digit school identifier code. Keep the code columns formatted as text so "
    "Excel keeps leading zeros.",
    "3. Enter whole numbers of people, classes, rooms, computers and books; areas in "
    "square metres and amounts in yuan may have decimals. Enter numbers only, "
    "without units or notes. Do not merge cells or add total rows.",
    "4. Enter each section in its own columns (primary_..., junior_...). Primary "
    "schools and teaching points fill only primary columns; junior and vocational "
    "junior schools only junior columns; nine-year and twelve-year schools fill both; "
    "complete secondary schools fill junior columns.",
    "5. Twelve-year schools and complete secondary schools enter their senior "
    "students in senior_students; other schools leave it empty or 0. Whole-school "
    "resources (areas, equipment value, rooms, computers, books) are school totals; "
    "they are split between sections by the framework's weights.",
    "6. A sub-count cannot exceed its section's full-time teachers, and a section "
    "with teachers must have students.",
    "7. The 'county_items' sheet holds one item per row: year, division code, item "
    "code (from the dropdown), value and evidence. Enter percentages as 0-100 (a % "
    "sign is allowed) and yes/no items as 是/否 (or yes/no).",
    "8. Headers may be the English field names or the Chinese names, with or "
    "without units.",
    "9. Import is all or nothing: any error stops the whole import, and the error "
    "report lists file, sheet, row, column, value, problem and fix.",
)

FIELD_TABLE_HEADERS: dict[str, tuple[str, ...]] = {
    "zh": ("表头", "英文字段名", "单位", "必填", "说明"),
    "en": ("Chinese header", "Field name", "Unit", "Required", "Explanation"),
}
ITEM_TABLE_HEADERS: dict[str, tuple[str, ...]] = {
    "zh": ("指标代码", "所属指标", "指标名称", "填写"),
    "en": ("Item code", "Item", "Item name", "Value"),
}


def write_template(
    path: Path, lang: Lang = "zh", framework: Framework | None = None
) -> Path:
    """Write the Excel import template to ``path`` and return the path.

    ``lang`` sets the headers and sheet names: ``zh`` uses the Chinese headers
    with units and Chinese sheet names, ``en`` the English field names. The
    county items dropdown lists the keys of ``framework`` (by default the
    built-in default framework). A framework without county-level keys gets
    no county items sheet, and the instructions leave those items out.
    """
    if lang not in SHEET_NAMES:
        raise ValueError(f"unsupported template language {lang!r}; use 'zh' or 'en'")
    if framework is None:
        # Imported here because the standards loader imports this package's schema.
        from junheng.standards.loader import load_framework

        framework = load_framework()
    names = SHEET_NAMES[lang]
    workbook = xlsxwriter.Workbook(str(path))
    try:
        writer = _TemplateWriter(workbook, lang, names, _example_keys(framework))
        writer.school_sheet()
        keys = sorted(framework.county_keys())
        if keys:
            writer.county_sheet(keys)
        writer.instruction_sheet(framework, with_items=bool(keys))
    finally:
        workbook.close()
    return path


class _TemplateWriter:
    def __init__(
        self, workbook: Workbook, lang: Lang, names: _Names, example_keys: list[str]
    ) -> None:
        self.workbook = workbook
        self.lang = lang
        self.names = names
        self.example_keys = example_keys
        self.header = workbook.add_format(
            {
                "bold": True,
                "text_wrap": True,
                "valign": "top",
                "bg_color": "#DDEBF7",
                "border": 1,
            }
        )
        self.required_header = workbook.add_format(
            {
                "bold": True,
                "text_wrap": True,
                "valign": "top",
                "bg_color": "#FCE4D6",
                "border": 1,
            }
        )
        self.text = workbook.add_format({"num_format": "@"})
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        self._lists: Worksheet | None = None
        self._list_column = 0

    def header_text(self, spec: Field) -> str:
        return spec.header_zh if self.lang == "zh" else spec.name

    def school_sheet(self) -> None:
        sheet = self.workbook.add_worksheet(self.names.schools)
        self._data_sheet(sheet, SCHOOL_FIELDS)

    def county_sheet(self, keys: list[str]) -> None:
        sheet = self.workbook.add_worksheet(self.names.county_items)
        self._data_sheet(sheet, COUNTY_ITEM_FIELDS)
        item_col = [f.name for f in COUNTY_ITEM_FIELDS].index("item")
        title = "指标代码" if self.lang == "zh" else "Item code"
        self._list_validation(sheet, item_col, keys, title)

    def _data_sheet(self, sheet: Worksheet, fields: tuple[Field, ...]) -> None:
        for col, spec in enumerate(fields):
            header_format = self.required_header if spec.required else self.header
            sheet.write_string(0, col, self.header_text(spec), header_format)
            sheet.write_comment(
                0, col, self._comment(spec), {"x_scale": 2, "y_scale": 1.5}
            )
            width = max(12, min(28, len(self.header_text(spec)) * 2))
            cell_format = self.text if spec.kind in ("code", "text", "enum") else None
            sheet.set_column(col, col, width, cell_format)
            self._validation(sheet, col, spec)
        sheet.set_row(0, 48)
        sheet.freeze_panes(1, 0)

    def _comment(self, spec: Field) -> str:
        if self.lang == "zh":
            parts = [spec.zh]
            if spec.unit_zh:
                parts.append(f"单位：{spec.unit_zh}")
            parts.append("必填" if spec.required else "选填")
            parts.append(self._explanation_zh(spec))
        else:
            parts = [spec.en]
            if spec.unit_en:
                parts.append(f"unit: {spec.unit_en}")
            parts.append("required" if spec.required else "optional")
        return "\n".join(p for p in parts if p)

    def _validation(self, sheet: Worksheet, col: int, spec: Field) -> None:
        zh = self.lang == "zh"
        options: dict[str, Any]
        if spec.choices:
            title = spec.zh if zh else spec.en
            self._list_validation(sheet, col, list(spec.choices), title)
            return
        if spec.name == "year":
            options = {
                "validate": "integer",
                "criteria": "between",
                "minimum": YEAR_MIN,
                "maximum": YEAR_MAX,
                "error_message": "请填写学年的起始年份，如 2024"
                if zh
                else "Enter the year in which the school year starts, e.g. 2024",
            }
        elif spec.name in CODE_LENGTHS:
            length = CODE_LENGTHS[spec.name]
            options = {
                "validate": "length",
                "criteria": "==",
                "value": length,
                "error_message": f"请填写 {length} 位代码（文本格式）"
                if zh
                else f"Enter the {length}-digit code as text",
            }
        elif spec.kind == "count":
            options = {
                "validate": "integer",
                "criteria": ">=",
                "value": 0,
                "error_message": "请填写 0 或正整数"
                if zh
                else "Enter a whole number, 0 or more",
            }
        elif spec.kind == "amount":
            options = {
                "validate": "decimal",
                "criteria": ">=",
                "value": 0,
                "error_message": "请填写 0 或正数"
                if zh
                else "Enter a number, 0 or more",
            }
        else:
            return
        _add_validation(sheet, col, options)

    def _list_validation(
        self, sheet: Worksheet, col: int, values: list[str], title: str
    ) -> None:
        source: list[str] | str = values
        if len(",".join(values)) > _INLINE_LIST_LIMIT:
            source = self._list_range(values)
        message = "请从下拉列表中选择" if self.lang == "zh" else "Choose from the list"
        _add_validation(
            sheet,
            col,
            {
                "validate": "list",
                "source": source,
                "error_message": message,
                "input_title": title[:32],
            },
        )

    def _list_range(self, values: list[str]) -> str:
        if self._lists is None:
            self._lists = self.workbook.add_worksheet(self.names.lists)
            self._lists.hide()
        col = self._list_column
        self._list_column += 1
        self._lists.write_column(0, col, values)
        letter = xl_col_to_name(col)
        return f"='{self.names.lists}'!${letter}$1:${letter}${len(values)}"

    def instruction_sheet(self, framework: Framework, *, with_items: bool) -> None:
        sheet = self.workbook.add_worksheet(self.names.instructions)
        lines = INSTRUCTIONS_ZH if self.lang == "zh" else INSTRUCTIONS_EN
        if not with_items:
            kept = [line for i, line in enumerate(lines) if i != COUNTY_ITEMS_LINE]
            lines = (kept[0], *_renumbered(kept[1:]))
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, 1, 30)
        sheet.set_column(2, 3, 12)
        sheet.set_column(4, 4, 80)
        sheet.write_string(0, 0, lines[0], self.title)
        row = 1
        for line in lines[1:]:
            sheet.merge_range(row, 0, row, 4, line, self.wrap)
            sheet.set_row(row, 48)
            row += 1
        row += 1
        sheet.write_row(row, 0, FIELD_TABLE_HEADERS[self.lang], self.header)
        for spec in SCHOOL_FIELDS + (COUNTY_ITEM_FIELDS if with_items else ()):
            row += 1
            sheet.write_row(row, 0, self._field_row(spec), self.wrap)
        if not with_items:
            return
        row += 2
        sheet.write_row(row, 0, ITEM_TABLE_HEADERS[self.lang], self.header)
        for item_row in _county_item_rows(framework, self.lang):
            row += 1
            sheet.write_row(row, 0, item_row, self.wrap)

    def _explanation_zh(self, spec: Field) -> str:
        """Return :func:`_explanation_zh`, with the item codes of the
        template's framework as examples of the item code."""
        if spec.name == "item":
            return f"评估框架中的指标代码，如 {'、'.join(self.example_keys)}"
        return _explanation_zh(spec)

    def _field_row(self, spec: Field) -> tuple[str, str, str, str, str]:
        if self.lang == "zh":
            unit = spec.unit_zh
            required = "是" if spec.required else "否"
            explanation = self._explanation_zh(spec)
            return (spec.header_zh, spec.name, unit, required, explanation)
        required = "yes" if spec.required else "no"
        return (spec.header_zh, spec.name, spec.unit_en, required, spec.en)


def _add_validation(sheet: Worksheet, col: int, options: dict[str, Any]) -> None:
    result = sheet.data_validation(1, col, LAST_ROW, col, options)
    if result != 0:
        raise ValueError(f"invalid data validation for column {col}: {options}")


def _explanation_zh(spec: Field) -> str:
    """Return the instruction text for one field: its help, kind and limits."""
    parts: list[str] = []
    if spec.help_zh:
        parts.append(spec.help_zh)
    if spec.choices:
        parts.append("可选值：" + "、".join(spec.choices))
    elif spec.kind == "count":
        parts.append("0 或正整数")
    elif spec.kind == "amount":
        parts.append("0 或正数，可有小数")
    if spec.parent is not None:
        parent = next(f for f in SCHOOL_FIELDS if f.name == spec.parent)
        parts.append(f"不得超过{parent.zh}")
    return "；".join(parts)


def _example_keys(framework: Framework) -> list[str]:
    """Return the first county item key of each part and of the veto items."""
    groups = [part.items for part in framework.parts] + [framework.veto_items]
    examples = []
    for items in groups:
        keys = [check.key for item in items for check in item.checks if check.key]
        if keys:
            examples.append(keys[0])
    return examples


def _renumbered(lines: list[str]) -> list[str]:
    """Return instruction ``lines`` numbered 1, 2, … again after one was left out."""
    return [
        re.sub(r"^\d+\. ", f"{number}. ", line)
        for number, line in enumerate(lines, start=1)
    ]


def _county_item_rows(
    framework: Framework, lang: Lang
) -> list[tuple[str, str, str, str]]:
    """Return one row per county item key: key, item id, item name and value kind."""
    rows: list[tuple[str, str, str, str]] = []
    items = [item for part in framework.parts for item in part.items]
    for item in items + list(framework.veto_items):
        for check in item.checks:
            if check.key is None:
                continue
            if check.op in ("true", "false"):
                kind = "是/否" if lang == "zh" else "yes/no"
            else:
                unit = check.unit.get(lang) if check.unit else ""
                kind = "数值" if lang == "zh" else "number"
                if unit:
                    kind = f"{kind} ({unit})"
            label = check.label.get(lang) if check.label else ""
            name = item.name.get(lang) + (f" — {label}" if label else "")
            rows.append((check.key, item.id, name, kind))
    return rows
