"""Import profiles: expression forms, profile errors and the Taiwan MOE file."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from ingest.ingest_files import find, import_errors, write_csv

from junheng.errors import ProfileError
from junheng.ingest import (
    ImportResult,
    list_profiles,
    load_inputs,
    load_profile,
    scan_profiles,
)
from junheng.standards.loader import load_framework

EXAMPLE = (
    Path(__file__).parents[2]
    / "examples"
    / "data"
    / "tw-moe-primary-schools-113"
    / "tw_primary_schools_113.csv"
)

SOURCE_HEADERS = [
    "年度",
    "区",
    "校码",
    "校名",
    "男生",
    "女生",
    "班1",
    "班2",
    "教师",
    "类",
]

PROFILE = """\
id: test-layout
name: {zh: 测试, en: Test}
code_scheme: none
defaults:
  school_type: 小学
  location: 城区
columns:
  year: {expr: "`年度` * 1 + 1911"}
  division_code: {sep: "/", concat: [区, {literal: "x"}]}
  school_code: 校码
  school_name: 校名
  ownership: {if_contains: {column: 校名, text: 私立, then: 民办, else: 公办}}
  location: {map: {column: 类, values: {偏: 乡村, 镇: 镇区}}}
  primary_students: {sum: [男生, 女生]}
  primary_classes: {sum_matching: "^班[0-9]$"}
  primary_teachers: {expr: "教师 / 1"}
  books: {sum: [教师, 100]}
"""


def write_profile(tmp_path: Path, text: str = PROFILE) -> Path:
    path = tmp_path / "test-layout.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def source_rows() -> list[list[object]]:
    return [
        list[object](SOURCE_HEADERS),
        [113, "东区", "000123", "私立甲小学", 10, 12, 1, 1, 3, "偏"],
        [113, "西区", "000124", "乙小学", 20, 25, 2, 1, 4, ""],
    ]


def test_profile_expression_forms(tmp_path: Path) -> None:
    profile = write_profile(tmp_path)
    data = write_csv(tmp_path / "source.csv", source_rows())
    schools = load_inputs([data], profile=str(profile)).schools
    assert schools["year"].to_list() == [2024, 2024]
    assert schools["division_code"].to_list() == ["东区/x", "西区/x"]
    assert schools["school_code"].to_list() == ["000123", "000124"]
    assert schools["ownership"].to_list() == ["民办", "公办"]
    assert schools["location"].to_list() == ["乡村", "城区"]
    assert schools["school_type"].to_list() == ["小学", "小学"]
    assert schools["primary_students"].to_list() == [22, 45]
    assert schools["primary_classes"].to_list() == [2, 3]
    assert schools["primary_teachers"].to_list() == [3, 4]
    assert schools["books"].to_list() == [103, 104]


def test_profile_missing_source_column(tmp_path: Path) -> None:
    profile = write_profile(tmp_path)
    rows = [row[:4] + row[5:] for row in source_rows()]
    data = write_csv(tmp_path / "source.csv", rows)
    issues = find(import_errors([data], profile=str(profile)), "profile_column")
    assert len(issues) == 1
    assert issues[0].file == "source.csv"
    assert issues[0].row == 1
    assert issues[0].column == "男生"
    assert "columns.primary_students" in issues[0].message
    assert "test-layout" in issues[0].message


def test_profile_text_in_source_number(tmp_path: Path) -> None:
    profile = write_profile(tmp_path)
    rows = source_rows()
    rows[2][5] = "二十五"
    data = write_csv(tmp_path / "source.csv", rows)
    issues = import_errors([data], profile=str(profile))
    number = find(issues, "number")
    assert len(number) == 1
    assert number[0].row == 3
    assert number[0].column == "女生"
    assert number[0].value == "二十五"


def test_profile_unknown_form(tmp_path: Path) -> None:
    text = PROFILE.replace("school_name: 校名", "school_name: {upper: 校名}")
    path = write_profile(tmp_path, text)
    with pytest.raises(ProfileError) as caught:
        load_profile(str(path))
    message = str(caught.value)
    assert str(path) in message
    assert "columns.school_name" in message
    assert "{'upper': '校名'}" in message


def test_profile_unknown_field(tmp_path: Path) -> None:
    text = PROFILE.replace("  books:", "  libros:")
    path = write_profile(tmp_path, text)
    with pytest.raises(ProfileError, match=r"columns\.libros: not a canonical field"):
        load_profile(str(path))


def test_profile_required_field_unmapped(tmp_path: Path) -> None:
    text = PROFILE.replace("  school_name: 校名\n", "")
    path = write_profile(tmp_path, text)
    with pytest.raises(ProfileError, match="school_name"):
        load_profile(str(path))


def test_profile_bad_expression(tmp_path: Path) -> None:
    text = PROFILE.replace('"教师 / 1"', '"max(教师, 1)"')
    path = write_profile(tmp_path, text)
    with pytest.raises(ProfileError, match=r"columns\.primary_teachers\.expr"):
        load_profile(str(path))


def test_profile_unknown_rule(tmp_path: Path) -> None:
    text = PROFILE.replace("code_scheme: none", "code_scheme: none\nwarn_only: [typo]")
    path = write_profile(tmp_path, text)
    with pytest.raises(ProfileError, match="unknown rule id"):
        load_profile(str(path))


def test_profile_not_found() -> None:
    with pytest.raises(ProfileError, match="tw-moe-primary"):
        load_profile("no-such-profile")


def test_profile_cn_codes_checked(tmp_path: Path) -> None:
    path = write_profile(
        tmp_path, PROFILE.replace("code_scheme: none", "code_scheme: cn")
    )
    data = write_csv(tmp_path / "source.csv", source_rows())
    issues = import_errors([data], profile=str(path))
    assert len(find(issues, "division_code_format")) == 2
    assert len(find(issues, "school_code_format")) == 2


# ---------------------------------------------------------------------------
# Taiwan MOE primary schools, year 113


def read_source() -> list[dict[str, str]]:
    with EXAMPLE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def students(row: dict[str, str]) -> int:
    return sum(int(row[f"{g}年級{s}學生數"]) for g in range(1, 7) for s in "男女")


@pytest.fixture(scope="module")
def taiwan() -> ImportResult:
    return load_inputs([EXAMPLE], profile="tw-moe-primary")


def test_taiwan_school_count(taiwan: ImportResult) -> None:
    schools = taiwan.schools
    assert schools.height == 2668
    assert schools.height == len(read_source())


def test_taiwan_zero_students_kept(taiwan: ImportResult) -> None:
    schools = taiwan.schools
    expected = sum(1 for row in read_source() if students(row) == 0)
    assert expected == 13
    assert schools.filter(schools["primary_students"] == 0).height == expected


def test_taiwan_zero_student_warnings(taiwan: ImportResult) -> None:
    warnings = taiwan.warnings
    source = read_source()
    empty_rows = [i + 2 for i, row in enumerate(source) if students(row) == 0]
    staffed = [
        i + 2
        for i, row in enumerate(source)
        if students(row) == 0 and int(row["男專任教師"]) + int(row["女專任教師"]) > 0
    ]
    assert [w.row for w in find(warnings, "no_students")] == empty_rows
    assert [w.row for w in find(warnings, "teachers_without_students")] == staffed
    assert all(w.severity == "warning" for w in warnings)


def test_taiwan_district_count(taiwan: ImportResult) -> None:
    schools = taiwan.schools
    districts = {(row["縣市代碼"], row["鄉鎮市區"]) for row in read_source()}
    assert schools["division_code"].n_unique() == len(districts)


def test_taiwan_totals(taiwan: ImportResult) -> None:
    schools = taiwan.schools
    assert schools["primary_students"].sum() == 1_202_761
    assert schools["primary_teachers"].sum() == 100_374
    assert schools["primary_classes"].sum() == 52_398


def test_taiwan_codes_and_year(taiwan: ImportResult) -> None:
    schools = taiwan.schools
    source = read_source()
    assert schools["school_code"].to_list() == [row["學校代碼"] for row in source]
    assert schools["school_code"][0] == "011301"
    assert schools["year"].unique().to_list() == [2024]
    assert schools["division_code"][0] == "1-淡水區"
    assert schools["province_code"].unique().to_list() == ["TW-MOE"]


def test_taiwan_ownership_and_location(taiwan: ImportResult) -> None:
    schools = taiwan.schools
    assert schools.filter(schools["ownership"] == "民办").height == 56
    assert schools.filter(schools["location"] == "乡村").height == 642 + 159 + 108
    assert schools["location"].null_count() == 2668 - (642 + 159 + 108)


def test_example_framework_loads() -> None:
    framework = load_framework("tw-moe-primary-example")
    assert framework.sections == ["primary"]
    assert [i.id for i in framework.resource_indicators] == ["T1", "T2"]
    assert framework.balance_rule.cv_limit == {"primary": 0.5}
    assert framework.school_rule is None
    assert framework.county_keys() == set()


def test_profile_names_are_importable_from_the_package() -> None:
    # The profile module loads on first use, and still answers to the names
    # the package has always offered.
    import junheng.ingest as ingest
    from junheng.ingest import profiles

    assert ingest.Profile is profiles.Profile
    assert ingest.apply_profile is profiles.apply_profile
    with pytest.raises(AttributeError, match="no attribute 'Profiles'"):
        ingest.Profiles  # noqa: B018


def map_profile(tmp_path: Path, default: str = "") -> Path:
    text = PROFILE.replace("  school_type: 小学\n", "")
    values = "{偏: 小学, 镇: 小学}"
    text += f"  school_type: {{map: {{column: 类, values: {values}{default}}}}}\n"
    return write_profile(tmp_path, text)


def test_profile_unmapped_value_named(tmp_path: Path) -> None:
    profile = map_profile(tmp_path)
    rows = source_rows()
    rows[2][9] = "幼儿园"
    data = write_csv(tmp_path / "source.csv", rows)
    issues = import_errors([data], profile=str(profile))
    # The required school type is not also reported empty in row 3.
    assert [(i.code, i.row) for i in issues] == [("profile_column.map_value", 3)]
    [issue] = issues
    assert (issue.file, issue.column, issue.value) == ("source.csv", "类", "幼儿园")
    assert issue.message == (
        "value '幼儿园' in column '类' is not in the map of import profile "
        "test-layout (columns.school_type), so School type cannot be set; the map "
        "lists: 偏, 镇"
    )
    assert issue.fix == (
        f"add '幼儿园' with the value it stands for to the values of "
        f"columns.school_type in {profile}, or change the cell to one of the "
        "listed values"
    )
    zh = issue.in_language("zh")
    assert zh.message == (
        "列“类”的值“幼儿园”不在导入配置 test-layout 的映射（columns.school_type）"
        "中，无法得出学校类型；映射中的值：偏, 镇"
    )
    assert zh.fix == (
        f"请在 {profile} 的 columns.school_type 的 values 中加入“幼儿园”及其对应的值，"
        "或把该单元格改为映射中的值之一"
    )


def test_profile_map_with_default_not_named(tmp_path: Path) -> None:
    # A default, even null, sets what other values become.
    profile = map_profile(tmp_path, ", default: null")
    rows = source_rows()
    rows[2][9] = "幼儿园"
    data = write_csv(tmp_path / "source.csv", rows)
    issues = import_errors([data], profile=str(profile))
    assert [(i.rule, i.row) for i in issues] == [("required", 3)]


def test_profile_yaml_error_names_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: broken\ndefaults: [oops\n", encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_profile(str(path))
    message = str(caught.value)
    assert message.startswith(f"{path}: invalid YAML: while parsing a flow sequence")
    assert f'in "{path}", line 2, column 11' in message
    assert "<unicode string>" not in message
    assert caught.value.message("zh").startswith(f"{path}：第 3 行第 1 列的 YAML")


def test_broken_profile_spares_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A broken file in a profile folder is listed with its error; the built-in
    # profile stays usable, and the broken one's id gives that error.
    broken = tmp_path / "mine.yaml"
    broken.write_text("id: mine\nname: {zh: 我的, en: Mine}\n", encoding="utf-8")
    unparsable = tmp_path / "typo.yaml"
    unparsable.write_text("id: [typo\n", encoding="utf-8")
    monkeypatch.setenv("JUNHENG_PROFILES", str(tmp_path))
    profiles, errors = scan_profiles()
    assert [p.id for p in profiles] == ["tw-moe-primary"]
    unmapped = (
        f"{broken}: required field(s) year, division_code, school_code, "
        "school_name, school_type, ownership have no entry under 'columns' or "
        "'defaults'; map each to a source column under 'columns' or give it a "
        "constant value under 'defaults'."
    )
    assert [str(e) for e in errors] == [unmapped, str(_refused(str(unparsable)))]
    assert [p.id for p in list_profiles()] == ["tw-moe-primary"]
    assert load_profile("tw-moe-primary").id == "tw-moe-primary"
    assert str(_refused("mine")) == unmapped
    assert str(_refused("typo")).startswith(f"{unparsable}: invalid YAML")


def _refused(ref: str) -> ProfileError:
    with pytest.raises(ProfileError) as caught:
        load_profile(ref)
    return caught.value


# Each case: the edit of PROFILE, the key the error names and the value it shows.
BROKEN_PROFILES = [
    (("code_scheme: none", "code_scheme: none\ncolums: {}"), "colums", "colums"),
    (("id: test-layout", "id: 12"), "id", "12"),
    (("code_scheme: none", "code_scheme: us"), "code_scheme", "'us'"),
    (("code_scheme: none", "code_scheme: none\nsheet: 3"), "sheet", "3"),
    (
        ("code_scheme: none", "code_scheme: none\nwarn_only: no_students"),
        "warn_only",
        "'no_students'",
    ),
    (
        ("code_scheme: none", "code_scheme: none\nwarn_only: [typo]"),
        "warn_only",
        "typo",
    ),
    (("  books:", "  libros:"), "columns.libros", "libros"),
    (("  location: 城区", "  location: [城区]"), "defaults.location", "['城区']"),
    (
        ("school_name: 校名", "school_name: {upper: 校名}"),
        "columns.school_name",
        "upper",
    ),
    (
        ('"^班[0-9]$"', '"^班[0-9$"'),
        "columns.primary_classes.sum_matching",
        "'^班[0-9$'",
    ),
    (('"教师 / 1"', '"教师 /"'), "columns.primary_teachers.expr", "'教师 /'"),
    (('"教师 / 1"', '"max(教师, 1)"'), "columns.primary_teachers.expr", "max(教师, 1)"),
    (
        ("text: 私立, then", "txt: 私立, then"),
        "columns.ownership.if_contains",
        "txt",
    ),
    (
        ("{map: {column: 类, values: {偏: 乡村, 镇: 镇区}}}", "{map: 类}"),
        "columns.location.map",
        "'类'",
    ),
    (("{sum: [男生, 女生]}", "{sum: []}"), "columns.primary_students.sum", "[]"),
    (('{sep: "/",', "{sep: 1,"), "columns.division_code.sep", "1"),
]


@pytest.mark.parametrize(("edit", "key", "value"), BROKEN_PROFILES)
def test_profile_error_bilingual(
    tmp_path: Path, edit: tuple[str, str], key: str, value: str
) -> None:
    assert edit[0] in PROFILE
    path = write_profile(tmp_path, PROFILE.replace(edit[0], edit[1], 1))
    error = _refused(str(path))
    en = error.message("en")
    zh = error.message("zh")
    assert en.startswith(f"{path}: ")
    assert zh.startswith(f"{path}：")
    assert key in en
    assert key in zh
    assert value in en
    assert value in zh
    # The fix: every English message names what to write or do, and every
    # Chinese one asks with 请.
    fixes = ("write", "use", "correct", "give", "delete")
    assert any(word in en.lower() for word in fixes)
    assert "请" in zh
    assert zh != en


def test_profile_code_scheme_error_text(tmp_path: Path) -> None:
    path = write_profile(
        tmp_path, PROFILE.replace("code_scheme: none", "code_scheme: us")
    )
    error = _refused(str(path))
    assert error.message("en") == (
        f"{path}: code_scheme: 'us' is not a code scheme; use 'cn' (check Chinese "
        "division and school codes) or 'none' (skip code checks)."
    )
    assert error.message("zh") == (
        f"{path}：code_scheme：'us' 不是可用的代码规则；请填写 cn（检查中国的区划代码"
        "和学校标识码）或 none（不检查代码）。"
    )


def test_profile_not_found_text() -> None:
    error = _refused("no-such-profile")
    assert error.message("en") == (
        "import profile 'no-such-profile' not found; installed profiles: "
        "tw-moe-primary. Give a file path or add its folder to JUNHENG_PROFILES."
    )
    assert error.message("zh") == (
        "找不到导入配置“no-such-profile”；已安装的配置：tw-moe-primary。"
        "请给出配置文件的路径，或把它所在的文件夹加入环境变量 JUNHENG_PROFILES。"
    )


def test_profile_error_through_import(tmp_path: Path) -> None:
    # load_inputs passes the profile's error on, in both languages.
    path = write_profile(tmp_path, PROFILE.replace("  books:", "  libros:"))
    data = tmp_path / "schools.csv"
    write_csv(data, source_rows())
    with pytest.raises(ProfileError) as caught:
        load_inputs([data], profile=str(path))
    assert caught.value.message("en").startswith(f"{path}: columns.libros: ")
    assert caught.value.message("zh").startswith(
        f"{path}：columns.libros：不是标准字段"
    )


@pytest.mark.parametrize(
    ("expression", "zh", "en"),
    [
        ("`年度` +", "末尾的运算符后缺少数字或列名", "a number or column is missing"),
        ("(`年度` + 1911", "左括号“(”没有对应的右括号", "an opening '(' is never"),
        ("`年度` + 1911)", "右括号“)”没有对应的左括号", "a closing ')' has no"),
        ("`年度` ＋ 1911", "含有无效字符“＋”（U+FF0B）", "invalid character '＋'"),
        ("`年度 + 1911", "反引号 ` 没有成对", "a backtick ` is not closed"),
        ("`年度` 1911", "两个数字或列名之间缺少运算符", "an operator is missing"),
    ],
)
def test_profile_expression_error_in_both_languages(
    tmp_path: Path, expression: str, zh: str, en: str
) -> None:
    text = PROFILE.replace('{expr: "`年度` * 1 + 1911"}', f"{{expr: {expression!r}}}")
    path = write_profile(tmp_path, text)
    with pytest.raises(ProfileError) as caught:
        load_profile(str(path))
    chinese = caught.value.message("zh")
    english = caught.value.message("en")
    assert chinese.startswith(
        f"{path}：columns.year.expr：表达式 {expression!r} 有误："
    )
    assert zh in chinese
    assert "请用 + - * / 和括号连接数字和列名" in chinese
    # Python's own English words stay out of the Chinese message.
    assert "syntax" not in chinese
    assert "never closed" not in chinese
    assert english.startswith(
        f"{path}: columns.year.expr: invalid expression {expression!r}: "
    )
    assert en in english
    assert "write numbers and column names joined by + - * /" in english


def test_profile_regex_error_in_chinese(tmp_path: Path) -> None:
    text = PROFILE.replace('"^班[0-9]$"', '"^班([0-9]$"')
    path = write_profile(tmp_path, text)
    with pytest.raises(ProfileError) as caught:
        load_profile(str(path))
    chinese = caught.value.message("zh")
    assert f"{path}：columns.primary_classes.sum_matching：" in chinese
    assert (
        "正则表达式 '^班([0-9]$' 有误：第 3 个字符处左括号“(”没有对应的右括号"
        in chinese
    )
    assert "missing" not in chinese
    english = caught.value.message("en")
    assert "invalid regex '^班([0-9]$': missing ), unterminated subpattern" in english


def test_repeated_profile_errors_printed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rows 2-10 of the file have "x" in the 教师 column that the profile
    # computes with, and rows 4-6 and 9 a school type that its map does not list.
    from click.testing import CliRunner

    from junheng.cli import main

    profile = map_profile(tmp_path)
    rows = source_rows()[:2]
    for number in range(8):
        row = [113, "东区", f"{200 + number:06d}", f"第{number}小学", 10, 12, 1, 1]
        rows.append([*row, "x", "幼儿园" if number in (1, 2, 3, 6) else "偏"])
    rows[1][8] = "x"
    data = write_csv(tmp_path / "source.csv", rows)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "400")
    args = ["validate", str(data), "--profile", str(profile)]
    english = CliRunner().invoke(
        main, [*args, "--lang", "en", "--errors-report", "errors.json"]
    )
    assert english.exit_code == 3, english.output
    lines = english.output.splitlines()
    number_lines = [line for line in lines if "is not a number" in line]
    assert number_lines == [
        "source.csv, rows 2-10 (9 cells), column 教师: value 'x' is not a number, "
        "but import profile test-layout computes with column '教师' as a number; "
        "enter a number in the cell (such as 12) without units or other text, or "
        "leave it empty"
    ]
    map_lines = [line for line in lines if "is not in the map" in line]
    assert len(map_lines) == 1
    assert map_lines[0].startswith("source.csv, rows 4-6, 9 (4 cells), column 类: ")
    report = json.loads((tmp_path / "errors.json").read_text(encoding="utf-8"))
    entries = report["issues"] if isinstance(report, dict) else report
    rows_of = sorted(e["row"] for e in entries if e["code"] == "number.source")
    assert rows_of == list(range(2, 11))
    mapped = sorted(
        e["row"] for e in entries if e["code"] == "profile_column.map_value"
    )
    assert mapped == [4, 5, 6, 9]
    chinese = CliRunner().invoke(main, [*args, "--lang", "zh"])
    assert chinese.exit_code == 3, chinese.output
    assert (
        "source.csv，第 2-10 行（共 9 处），列 教师：值“x”不是数字，但导入配置 "
        "test-layout 要把列“教师”当作数字计算；" in chinese.output
    )
    assert "source.csv，第 4-6、9 行（共 4 处），列 类：" in chinese.output
