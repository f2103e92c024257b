"""Framework files the loader refuses or warns about, with the exact messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from junheng.errors import FrameworkError
from junheng.standards.loader import BUILTIN_DIR, load_framework

NATIONAL = BUILTIN_DIR / "cn-2017-quality.yaml"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _refused(path: Path) -> FrameworkError:
    with pytest.raises(FrameworkError) as caught:
        load_framework(str(path))
    return caught.value


def test_path_cannot_reuse_builtin_id(tmp_path: Path) -> None:
    # In a JUNHENG_FRAMEWORKS folder this file is rejected as a duplicate id.
    # Given by path it must be rejected too, or its report would carry the
    # national id, name and source.
    path = _write(
        tmp_path,
        "b10.yaml",
        "id: cn-2017-quality\nextends: cn-2017-quality\n"
        "resource_indicators:\n"
        "  - id: L6\n    threshold: {primary: 2500, junior: 3000}\n",
    )
    error = _refused(path)
    assert error.message_en == (
        f"{path}: id 'cn-2017-quality' is already the id of the framework in "
        f"{NATIONAL}; a results report would pass this file off as that "
        "framework. Give the file its own id, for example "
        "'id: cn-2017-quality-b10'."
    )
    assert error.message_zh == (
        f"{path}：id “cn-2017-quality” 已是 {NATIONAL} 中框架的 id，评估结果会被"
        "当作该框架的结果。请给本文件另起一个 id，例如 “id: cn-2017-quality-b10”。"
    )


def test_path_reusing_id_refused_without_extends(tmp_path: Path) -> None:
    text = NATIONAL.read_text(encoding="utf-8").replace(
        "id: cn-2017-quality", "id: cn-2012-basic", 1
    )
    path = _write(tmp_path, "copy.yaml", text)
    assert "id 'cn-2012-basic' is already the id" in _refused(path).message_en


def test_builtin_file_by_path_still_loads() -> None:
    assert load_framework(str(NATIONAL)).id == "cn-2017-quality"


def test_duplicate_indicator_in_override(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "dup.yaml",
        """
id: dup-l6
extends: cn-2017-quality
resource_indicators:
  - {id: L6, threshold: {primary: 2500, junior: 3000}}
  - {id: L6, threshold: {primary: 1, junior: 1}}
""",
    )
    error = _refused(path)
    assert error.message_en == (
        f"{path}: invalid framework\n"
        "  resource_indicators: entries [0] and [1] both have id 'L6'; merge them "
        "into one entry or give each its own id"
    )
    assert error.message_zh == (
        f"{path}：评估框架有误\n"
        "  resource_indicators：第 [0] 项和第 [1] 项的 id 'L6' 相同；"
        "请合并为一项，或给每项不同的 id"
    )


def test_duplicate_parts_items_veto_and_checks(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "dups.yaml",
        """
id: dups
extends: cn-2017-quality
parts:
  - id: extra
    name: {zh: 附加, en: Extra}
    items:
      - id: X1
        name: {zh: 甲, en: A}
        level: county
        checks:
          - {key: x1, op: ">=", threshold: 1}
          - {key: x1, op: "<=", threshold: 9}
          - {key: x1, op: ">=", threshold: 2}
      - id: X1
        name: {zh: 乙, en: B}
        level: county
        checks: [{key: x2, op: "true"}]
  - id: extra
    name: {zh: 又一个, en: Again}
    items: []
veto_items:
  - {id: V1, name: {zh: 甲, en: A}, level: county, checks: [{key: a, op: "false"}]}
  - {id: V1, name: {zh: 乙, en: B}, level: county, checks: [{key: b, op: "false"}]}
""",
    )
    lines = _refused(path).message_en.splitlines()[1:]
    # A range (>= and <=) on one key is allowed; the same key and op twice is not.
    assert lines == [
        "  parts[0](id extra).items[0](id X1).checks: entries [0] and [2] both have "
        "key 'x1' with op '>='; merge them into one entry or give each its own id",
        "  parts[0](id extra).items: entries [0] and [1] both have id 'X1'; merge "
        "them into one entry or give each its own id",
        "  parts: entries [0] and [1] both have id 'extra'; merge them into one "
        "entry or give each its own id",
        "  veto_items: entries [0] and [1] both have id 'V1'; merge them into one "
        "entry or give each its own id",
    ]


def test_unknown_parent_names_file_and_key(tmp_path: Path) -> None:
    path = _write(tmp_path, "b3.yaml", "id: prov-parent\nextends: cn-2017-qualty\n")
    error = _refused(path)
    installed = "cn-2012-basic, cn-2017-quality, tw-moe-primary-example"
    assert error.message_en == (
        f"{path}: key 'extends': framework 'cn-2017-qualty' not found; did you "
        f"mean 'cn-2017-quality'? installed frameworks: {installed}. Give an "
        "installed id or a file path, or add the file's folder to "
        "JUNHENG_FRAMEWORKS."
    )
    assert error.message_zh == (
        f"{path}：键 extends：找不到评估框架“cn-2017-qualty”；是否应为"
        f"“cn-2017-quality”？已安装的框架：{installed}。请填写已安装的框架 id "
        "或框架文件路径，或把文件所在文件夹加入 JUNHENG_FRAMEWORKS。"
    )


def test_unknown_id_without_close_match() -> None:
    with pytest.raises(FrameworkError) as caught:
        load_framework("zzz")
    assert caught.value.message_en.startswith(
        "framework 'zzz' not found; installed frameworks: cn-2012-basic,"
    )


BOOKS = """
  - id: L8
    name: {zh: 生均图书, en: Books per student}
    unit: {zh: 册, en: books per student}
    formula: books / students
    threshold: {primary: 25, junior: 35}
"""


def test_added_indicator_warns_about_school_rule(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "books.yaml",
        "id: with-books\nextends: cn-2017-quality\nresource_indicators:" + BOOKS,
    )
    framework = load_framework(str(path))
    # cn-2017-quality has 7 indicators and min_met 6; L8 makes it 6 of 8.
    assert len(framework.resource_indicators) == 8
    assert [w.en for w in framework.warnings] == [
        f"{path}: this override changes the resource indicators from 7 to 8 but "
        "does not set school_rule.min_met, so it keeps 6 from 'cn-2017-quality' "
        "and the school rule is now 'at least 6 of 8'. Set school_rule: "
        "{min_met: N} in the file, N being the indicators every school must meet."
    ]
    assert [w.zh for w in framework.warnings] == [
        f"{path}：本文件把资源配置指标由 7 项改为 8 项，但没有设置 "
        "school_rule.min_met，沿用“cn-2017-quality”的 6，学校规则因此变为"
        "“8 项中至少 6 项达标”。请在文件中写明 school_rule: {min_met: N}，"
        "N 为每所学校须达标的指标数。"
    ]


def test_removed_indicator_warns_too(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "less.yaml", "id: no-l7\nextends: cn-2017-quality\nremove: [L7]\n"
    )
    (warning,) = load_framework(str(path)).warnings
    assert "from 7 to 6" in warning.en
    assert "'at least 6 of 6'" in warning.en


def test_stated_school_rule_gives_no_warning(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "books.yaml",
        "id: with-books\nextends: cn-2017-quality\nschool_rule: {min_met: 7}\n"
        "resource_indicators:" + BOOKS,
    )
    framework = load_framework(str(path))
    assert framework.warnings == []
    assert framework.school_rule is not None
    assert framework.school_rule.min_met == 7
    assert framework.school_rule.floor_ratio == 0.85


def test_threshold_change_gives_no_warning(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "l6.yaml",
        "id: l6\nextends: cn-2017-quality\nresource_indicators:\n"
        "  - {id: L6, threshold: {primary: 2500, junior: 3000}}\n",
    )
    assert load_framework(str(path)).warnings == []


def test_yaml_error_names_the_file(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "b.yaml",
        "id: p\nextends: cn-2017-quality\nsections: [primary, junior\n",
    )
    error = _refused(path)
    assert error.message_en == (
        f"{path}: invalid YAML: while parsing a flow sequence\n"
        f'  in "{path}", line 3, column 11:\n'
        "    sections: [primary, junior\n"
        "              ^\n"
        "expected ',' or ']', but got '<stream end>'\n"
        f'  in "{path}", line 4, column 1:\n'
        "    \n"
        "    ^"
    )
    assert error.message_zh == (
        f"{path}：第 4 行第 1 列的 YAML 语法有误，请按下文英文说明改正"
    )


def test_missing_framework_file_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FrameworkError) as caught:
        load_framework("books.yaml")
    installed = "cn-2012-basic, cn-2017-quality, tw-moe-primary-example"
    assert caught.value.message_en == (
        f"framework file 'books.yaml' not found (looked for {tmp_path}/books.yaml); "
        f"check the path, or give an installed id: {installed}."
    )
    assert caught.value.message_zh == (
        f"找不到框架文件“books.yaml”（查找的是 {tmp_path}/books.yaml）；"
        f"请核对路径，或填写已安装的框架 id：{installed}。"
    )


def test_framework_folder_named_as_folder(tmp_path: Path) -> None:
    folder = tmp_path / "frameworks"
    folder.mkdir()
    with pytest.raises(FrameworkError) as caught:
        load_framework(str(folder))
    assert caught.value.message_en == (
        f"framework path '{folder}' is a folder, not a file; give the path of a "
        "YAML file inside it, or add the folder to JUNHENG_FRAMEWORKS and give "
        "the framework id."
    )
    assert caught.value.message_zh == (
        f"框架路径“{folder}”是文件夹，不是文件；请填写其中 YAML 文件的路径，"
        "或把该文件夹加入 JUNHENG_FRAMEWORKS 后填写框架 id。"
    )


def test_invalid_value_in_both_languages(tmp_path: Path) -> None:
    # Section names are case-sensitive: 'Primary' is no section.
    path = _write(
        tmp_path,
        "sec.yaml",
        "id: sec\nextends: cn-2017-quality\nsections: [primary, Primary]\n",
    )
    error = _refused(path)
    assert error.message_en == (
        f"{path}: invalid framework\n  sections[1]: must be 'primary' or "
        "'junior', not 'Primary'; correct the value"
    )
    assert error.message_zh == (
        f"{path}：评估框架有误\n  sections[1]：应为 'primary' or 'junior'，"
        "现为 'Primary'；请改正该值"
    )


def test_unknown_key_in_both_languages(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "extra.yaml",
        "id: extra\nextends: cn-2017-quality\ngovernment_items: []\n",
    )
    error = _refused(path)
    assert error.message_en == (
        f"{path}: invalid framework\n  government_items: is not an allowed key; "
        "remove it or correct its spelling (docs/frameworks.md lists the keys)"
    )
    assert error.message_zh == (
        f"{path}：评估框架有误\n  government_items：不是允许的键；请删除该键或改正"
        "拼写（docs/frameworks.md 列出了可用的键）"
    )


def test_entry_rule_in_both_languages(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "veto.yaml",
        "id: veto\nextends: cn-2017-quality\nveto_items:\n"
        "  - id: X1\n    name: {zh: 项目, en: Item}\n    level: county\n"
        "    checks: [{key: X1, op: '>='}]\n",
    )
    error = _refused(path)
    assert error.message_en.endswith(
        ".checks[0]: operator '>=' needs a threshold; add 'threshold'"
    )
    assert error.message_zh.endswith(".checks[0]：运算符 >= 需要阈值；请填写 threshold")


def test_two_removed_indicators_need_school_rule(tmp_path: Path) -> None:
    # The national standard has 7 resource indicators and min_met 6; removing
    # two leaves 7 - 2 = 5, fewer than 6.
    path = _write(
        tmp_path,
        "two.yaml",
        "id: two\nextends: cn-2017-quality\nremove: [L6, L7]\n",
    )
    error = _refused(path)
    assert error.message_en == (
        f"{path}: invalid framework\n  school_rule.min_met: 6 is more than the 5 "
        "resource indicators; set school_rule: {min_met: N} in the file with N at "
        "most 5, the indicators every school must meet"
    )
    assert error.message_zh == (
        f"{path}：评估框架有误\n  school_rule.min_met：6 多于资源配置指标的 5 项；"
        "请在文件中写明 school_rule: {min_met: N}，N 为每所学校须达标的指标数，"
        "不超过 5"
    )


def test_remove_unknown_id_in_both_languages(tmp_path: Path) -> None:
    # Ids are case-sensitive: the national standard has V7 but no v7.
    path = _write(
        tmp_path,
        "rm.yaml",
        "id: rm\nextends: cn-2017-quality\nremove: [V7, v7]\n",
    )
    error = _refused(path)
    assert error.message_en == (
        f"{path}: key 'remove' names unknown id(s) v7; 'cn-2017-quality' has no "
        "such indicator or item; check the spelling and case of each id"
    )
    assert error.message_zh == (
        f"{path}：键 remove 中的 id v7 不存在；“cn-2017-quality”中没有这样的指标或"
        "项目；请核对每个 id 的拼写和大小写"
    )
