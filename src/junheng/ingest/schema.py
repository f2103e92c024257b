"""The canonical school-year schema: one row per school and year.

Every reader, profile and the template map onto these columns. English snake_case
names are the canonical names; each field also has the Chinese header used by the
Excel template, and readers accept either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

FieldKind = Literal["int", "count", "amount", "text", "code", "enum"]

SECTIONS: tuple[str, ...] = ("primary", "junior")
"""Compulsory-education sections evaluated by the standards."""

SECTION_NAMES_ZH: dict[str, str] = {
    "primary": "小学",
    "junior": "初中",
    "senior": "高中",
}

SCHOOL_TYPES: tuple[str, ...] = (
    "小学",
    "初中",
    "九年一贯制学校",
    "十二年一贯制学校",
    "完全中学",
    "教学点",
    "特殊教育学校",
    "职业初中",
)
OWNERSHIPS: tuple[str, ...] = ("公办", "民办")
LOCATIONS: tuple[str, ...] = ("城区", "镇区", "乡村")

CHOICE_NAMES_EN: dict[str, str] = {
    "小学": "primary school",
    "初中": "junior secondary school",
    "九年一贯制学校": "nine-year school",
    "十二年一贯制学校": "twelve-year school",
    "完全中学": "complete secondary school",
    "教学点": "teaching point",
    "特殊教育学校": "special education school",
    "职业初中": "vocational junior secondary school",
    "公办": "public",
    "民办": "private",
    "城区": "urban",
    "镇区": "town",
    "乡村": "rural",
}
"""English names of the Chinese choices of the school type, ownership and
location fields; the stored value stays Chinese."""


def choice_name(value: Any, lang: str) -> Any:
    """Return a stored choice (such as ``小学``) in ``lang``; other values as is."""
    if lang == "en" and isinstance(value, str):
        return CHOICE_NAMES_EN.get(value, value)
    return value


# Upper bounds of plausible values. They are far above any real school and still
# reject typing and unit errors such as 9e18 students, and they keep every count
# exact in a float and far inside the Int64 range.
MAX_COUNT = 10**9
"""Largest value of a count column (books, computers, teachers, ...)."""
MAX_STUDENTS = 100_000
"""Largest number of students of one section (or senior students) of one school."""
MAX_AMOUNT = 10**13
"""Largest value of an amount column, in 元 or 平方米."""
SCHOOL_NAME_MAX = 200
"""Most characters of a school name, the length of the ``schools.name`` column."""


@dataclass(frozen=True)
class Field:
    """One canonical column.

    ``kind`` sets validation: ``count`` is a non-negative integer, ``amount`` a
    non-negative number, ``int`` any integer, ``code`` a digit string, ``enum`` one
    of ``choices``. ``parent`` names the field whose value bounds this one from
    above (a sub-count cannot exceed its total). ``maximum`` overrides the upper
    bound of a count or amount (see :attr:`max_value`); ``minimum`` replaces its
    lower bound of 0, as for a latitude from -90 to 90. ``max_length`` is the
    most characters a text cell may have.
    """

    name: str
    zh: str
    en: str
    kind: FieldKind
    unit_zh: str = ""
    unit_en: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()
    parent: str | None = None
    help_zh: str = ""
    maximum: int | None = None
    minimum: int | None = None
    max_length: int | None = None

    @property
    def max_value(self) -> int | None:
        """Return the largest accepted value, or ``None`` for no upper bound.

        Unless ``maximum`` is set, a count has :data:`MAX_COUNT` and an amount
        :data:`MAX_AMOUNT`.
        """
        if self.maximum is not None:
            return self.maximum
        if self.kind == "count":
            return MAX_COUNT
        if self.kind == "amount":
            return MAX_AMOUNT
        return None

    @property
    def header_zh(self) -> str:
        """Return the template header: the Chinese name with its unit."""
        return f"{self.zh}（{self.unit_zh}）" if self.unit_zh else self.zh


IDENTITY_FIELDS: tuple[Field, ...] = (
    Field(
        "year",
        "学年",
        "School year",
        "int",
        required=True,
        help_zh="统计学年的起始年份，如 2024 表示 2024—2025 学年",
    ),
    Field(
        "division_code",
        "行政区划代码",
        "Division code",
        "code",
        required=True,
        help_zh="学校所在县级行政区的 6 位行政区划代码",
    ),
    Field(
        "school_code",
        "学校标识码",
        "School identifier code",
        "code",
        required=True,
        help_zh="10 位学校标识码",
    ),
    Field(
        "school_name",
        "学校名称",
        "School name",
        "text",
        required=True,
        max_length=SCHOOL_NAME_MAX,
    ),
    Field(
        "school_type",
        "学校类型",
        "School type",
        "enum",
        required=True,
        choices=SCHOOL_TYPES,
    ),
    Field(
        "ownership", "办学性质", "Ownership", "enum", required=True, choices=OWNERSHIPS
    ),
    Field("location", "城乡分类", "Urban or rural location", "enum", choices=LOCATIONS),
)

# Optional names and parent levels. Chinese data derives the parents from the
# division code; other layouts (imported through a profile) supply them.
REGION_FIELDS: tuple[Field, ...] = (
    Field("division_name", "行政区名称", "Division name", "text"),
    Field("city_code", "地市代码", "City code", "text"),
    Field("city_name", "地市名称", "City name", "text"),
    Field("province_code", "省级代码", "Province code", "text"),
    Field("province_name", "省级名称", "Province name", "text"),
)

# Per-section measures. Each is stored twice, as ``primary_<name>`` and
# ``junior_<name>``.
SECTION_MEASURES: tuple[Field, ...] = (
    Field(
        "students",
        "在校生数",
        "Students",
        "count",
        "人",
        "students",
        maximum=MAX_STUDENTS,
    ),
    Field("classes", "班级数", "Classes", "count", "个", "classes"),
    Field("max_class_size", "最大班额", "Largest class", "count", "人", "students"),
    Field("teachers", "专任教师数", "Full-time teachers", "count", "人", "teachers"),
    Field(
        "teachers_above_required_degree",
        "高于规定学历教师数",
        "Teachers above the required degree",
        "count",
        "人",
        "teachers",
        parent="teachers",
        help_zh="小学计专科及以上学历，初中计本科及以上学历",
    ),
    Field(
        "backbone_teachers",
        "县级以上骨干教师数",
        "Backbone teachers",
        "count",
        "人",
        "teachers",
        parent="teachers",
    ),
    Field(
        "pe_art_teachers",
        "体育艺术专任教师数",
        "PE, music and art teachers",
        "count",
        "人",
        "teachers",
        parent="teachers",
    ),
    Field(
        "teachers_intermediate_title",
        "中级及以上职称教师数",
        "Teachers with intermediate or higher title",
        "count",
        "人",
        "teachers",
        parent="teachers",
    ),
)

SCHOOL_MEASURES: tuple[Field, ...] = (
    Field(
        "senior_students",
        "高中在校生数",
        "Senior secondary students",
        "count",
        "人",
        "students",
        help_zh="十二年一贯制学校和完全中学填写，用于分摊共用资源",
        maximum=MAX_STUDENTS,
    ),
    Field(
        "teaching_aux_area_m2",
        "教学及辅助用房面积",
        "Teaching and auxiliary floor area",
        "amount",
        "平方米",
        "m²",
        help_zh="不含室内体育馆，体育馆计入体育运动场馆面积",
    ),
    Field(
        "sports_area_m2",
        "体育运动场馆面积",
        "Sports ground and hall area",
        "amount",
        "平方米",
        "m²",
    ),
    Field(
        "equipment_value_yuan",
        "教学仪器设备值",
        "Teaching equipment value",
        "amount",
        "元",
        "yuan",
    ),
    Field(
        "multimedia_classrooms",
        "网络多媒体教室数",
        "Networked multimedia classrooms",
        "count",
        "间",
        "rooms",
    ),
    Field("computers", "计算机数", "Computers", "count", "台", "computers"),
    Field("books", "图书册数", "Books", "count", "册", "books"),
    Field("music_rooms", "音乐专用教室数", "Music rooms", "count", "间", "rooms"),
    Field("art_rooms", "美术专用教室数", "Art rooms", "count", "间", "rooms"),
    Field(
        "music_room_min_area_m2",
        "最小音乐教室面积",
        "Smallest music room area",
        "amount",
        "平方米",
        "m²",
    ),
    Field(
        "art_room_min_area_m2",
        "最小美术教室面积",
        "Smallest art room area",
        "amount",
        "平方米",
        "m²",
    ),
)


def _lower_first(label: str) -> str:
    """Return ``label`` with its first letter in lower case, unless it begins an
    abbreviation such as PE."""
    if label[1:2].isupper():
        return label
    return label[:1].lower() + label[1:]


def _section_field(section: str, measure: Field) -> Field:
    prefix_zh = SECTION_NAMES_ZH[section]
    return Field(
        name=f"{section}_{measure.name}",
        zh=f"{prefix_zh}{measure.zh}",
        en=f"{section.capitalize()} {_lower_first(measure.en)}",
        kind=measure.kind,
        unit_zh=measure.unit_zh,
        unit_en=measure.unit_en,
        parent=f"{section}_{measure.parent}" if measure.parent else None,
        help_zh=measure.help_zh,
        maximum=measure.maximum,
    )


SCHOOL_FIELDS: tuple[Field, ...] = (
    IDENTITY_FIELDS
    + tuple(_section_field(s, m) for s in SECTIONS for m in SECTION_MEASURES)
    + SCHOOL_MEASURES
)
"""Columns of the school sheet, in template order."""

ALL_SCHOOL_FIELDS: tuple[Field, ...] = SCHOOL_FIELDS + REGION_FIELDS
FIELDS_BY_NAME: dict[str, Field] = {f.name: f for f in ALL_SCHOOL_FIELDS}
NUMERIC_KINDS: frozenset[str] = frozenset({"int", "count", "amount"})

# Fields available to indicator formulas, per section unit (see the engine):
# the section measures without prefix, whole-school resources (shared ones
# already split), and the school totals below.
UNIT_FORMULA_FIELDS: frozenset[str] = frozenset(
    {m.name for m in SECTION_MEASURES}
    | {m.name for m in SCHOOL_MEASURES}
    | {"school_students", "school_classes", "share"}
)

COUNTY_ITEM_FIELDS: tuple[Field, ...] = (
    Field("year", "学年", "School year", "int", required=True),
    Field("division_code", "行政区划代码", "Division code", "code", required=True),
    Field(
        "item",
        "指标代码",
        "Item code",
        "text",
        required=True,
        help_zh="评估办法中的指标代码，如 G7、Q1、S1、V3",
    ),
    Field(
        "value",
        "值",
        "Value",
        "text",
        required=True,
        help_zh="数值（百分比填 0–100）或 是/否",
    ),
    Field("evidence", "佐证说明", "Evidence note", "text"),
)
"""Columns of the county-level items sheet (long format, one row per item)."""


def header_aliases(fields: tuple[Field, ...]) -> dict[str, str]:
    """Map every accepted header spelling to its canonical field name.

    Accepted: the snake_case name, the Chinese name, and the Chinese name with its
    unit in full-width or ASCII brackets. Matching ignores surrounding spaces.
    """
    aliases: dict[str, str] = {}
    for field in fields:
        names = {field.name, field.zh, field.header_zh}
        if field.unit_zh:
            names.add(f"{field.zh}({field.unit_zh})")
        for name in names:
            aliases[normalize_header(name)] = field.name
    return aliases


TRADITIONAL_CHARACTERS = {
    "個": "个", "冊": "册", "劃": "划", "動": "动", "區": "区", "圖": "图",
    "場": "场", "備": "备", "學": "学", "專": "专", "師": "师", "幹": "干",
    "於": "于", "書": "书", "樂": "乐", "標": "标", "機": "机", "歷": "历",
    "稱": "称", "積": "积", "碼": "码", "類": "类", "級": "级", "絡": "络",
    "網": "网", "縣": "县", "職": "职", "臺": "台", "藝": "艺", "術": "术",
    "規": "规", "計": "计", "設": "设", "說": "说", "識": "识", "證": "证",
    "質": "质", "辦": "办", "輔": "辅", "運": "运", "鄉": "乡", "間": "间",
    "額": "额", "館": "馆", "體": "体", "數": "数", "儀": "仪", "貫": "贯",
    "點": "点", "鎮": "镇",
}  # fmt: skip
"""The traditional form of each character of the template's Chinese headers
and choices that has one, with its simplified form, so that 學年 reads as 学年
and 公辦 as 公办.

The headers' terms are the mainland's (学校标识码, 计算机数), so a header in
Taiwan's or Hong Kong's own terms is still unknown and gets a suggestion."""

_SIMPLIFIED = str.maketrans(TRADITIONAL_CHARACTERS)


def normalize_header(header: str) -> str:
    """Return a header in the form used for matching: trimmed, without inner
    spaces, with ASCII brackets and the simplified form of the characters of
    :data:`TRADITIONAL_CHARACTERS`."""
    text = "".join(str(header).split()).replace("（", "(").replace("）", ")")
    return text.translate(_SIMPLIFIED)


def polars_dtype(field: Field) -> type[pl.DataType]:
    """Return the Polars dtype a field takes in a canonical frame."""
    if field.kind in ("int", "count"):
        return pl.Int64
    if field.kind == "amount":
        return pl.Float64
    return pl.String


def frame_schema() -> dict[str, type[pl.DataType]]:
    """Return the column names and dtypes of a canonical school frame."""
    return {f.name: polars_dtype(f) for f in ALL_SCHOOL_FIELDS}


def canonical_frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    """Build a canonical school frame from row mappings; absent columns are null.

    Raises ``KeyError`` for a key that is not a canonical column.
    """
    schema = frame_schema()
    for row in rows:
        for key in row:
            if key not in schema:
                raise KeyError(f"{key!r} is not a canonical school column")
    return pl.DataFrame(rows, schema=schema)
