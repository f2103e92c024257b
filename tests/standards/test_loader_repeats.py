"""Framework files that repeat a section, an id, a key or a removal, or whose
changes would otherwise be lost, with the exact messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from junheng.errors import FrameworkError
from junheng.standards.loader import BUILTIN_DIR, list_frameworks, load_framework

NATIONAL = BUILTIN_DIR / "cn-2017-quality.yaml"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _refused(path: Path) -> FrameworkError:
    with pytest.raises(FrameworkError) as caught:
        load_framework(str(path))
    return caught.value


def test_repeated_section_named_with_positions(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "s1.yaml",
        "id: s1\nextends: cn-2017-quality\nsections: [primary, junior, primary]\n",
    )
    error = _refused(path)
    assert error.message_en == (
        f"{path}: key 'sections': 'primary' is listed twice (positions [0] and "
        "[2]); list each section once, for example 'sections: [primary, junior]'."
    )
    assert error.message_zh == (
        f"{path}：键 sections：“primary” 列了两次（第 [0] 项和第 [2] 项）；"
        "每个学段只列一次，例如 “sections: [primary, junior]”。"
    )


def test_indicator_ids_differing_in_case(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "d6.yaml",
        """
id: d6
extends: cn-2017-quality
resource_indicators:
  - id: l6
    name: {zh: 小写, en: lower}
    unit: {zh: 元, en: yuan}
    formula: equipment_value_yuan / students
    threshold: {primary: 2500, junior: 3000}
""",
    )
    error = _refused(path)
    assert error.message_en == (
        f"{path}: invalid framework\n"
        "  id 'L6' and id 'l6' differ only in case; rename one of them"
    )
    assert error.message_zh == (
        f"{path}：评估框架有误\n  id “L6” 与 id “l6” 只有大小写不同；请给其中一个改名"
    )


def test_item_id_and_check_keys_differing_in_case(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "keys.yaml",
        """
id: keys
extends: cn-2017-quality
veto_items:
  - id: v1
    name: {zh: 甲, en: A}
    level: county
    checks: [{key: x9, op: "false"}]
  - id: X99
    name: {zh: 乙, en: B}
    level: county
    checks: [{key: X9, op: "false"}]
""",
    )
    assert _refused(path).message_en.splitlines()[1:] == [
        "  id 'V1' and id 'v1' differ only in case; rename one of them",
        "  key 'x9' and key 'X9' differ only in case; rename one of them",
    ]


def test_path_id_differing_in_case_from_installed(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "upper.yaml",
        "id: CN-2017-QUALITY\nextends: cn-2017-quality\n",
    )
    assert _refused(path).message_en.startswith(
        f"{path}: id 'CN-2017-QUALITY' is already the id of the framework in "
        f"{NATIONAL} (ids that differ only in case count as the same id)"
    )


def test_folder_ids_differing_in_case_clash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(
        tmp_path, "upper.yaml", "id: CN-2012-BASIC\nextends: cn-2017-quality\n"
    )
    monkeypatch.setenv("JUNHENG_FRAMEWORKS", str(tmp_path))
    assert [f.id for f in list_frameworks()] == [
        "cn-2017-quality",
        "tw-moe-primary-example",
    ]
    with pytest.raises(FrameworkError) as caught:
        load_framework("cn-2012-basic")
    assert caught.value.message_en == (
        f"framework id 'CN-2012-BASIC' / 'cn-2012-basic' is used by more than one "
        f"file ({path}, {BUILTIN_DIR / 'cn-2012-basic.yaml'}); give each file its "
        "own id (ids that differ only in case count as the same id)"
    )


def test_removed_and_overridden_id_refused(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "d7.yaml",
        "id: d7\nextends: cn-2017-quality\nremove: [L7]\n"
        "resource_indicators:\n  - id: L7\n    threshold: {primary: 1, junior: 1}\n",
    )
    error = _refused(path)
    assert error.message_en == (
        f"{path}: id(s) L7 are both listed under 'remove' and given again in this "
        "file, so the changes would be lost. Delete the id from 'remove' to change "
        "the entry, or delete the entry to remove it."
    )
    assert error.message_zh == (
        f"{path}：id L7 既列在 remove 中，又在本文件中重新给出，修改会被丢弃。"
        "要修改该项请把 id 从 remove 中删去；要删除该项请删去文件中的该项。"
    )


def test_repeated_removal_refused(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "d1.yaml", "id: d1\nextends: cn-2017-quality\nremove: [V7, V7]\n"
    )
    error = _refused(path)
    assert error.message_en == (
        f"{path}: key 'remove': id 'V7' is listed twice (positions [0] and [1]); "
        "list each id once."
    )
    assert error.message_zh == (
        f"{path}：键 remove：id “V7” 列了两次（第 [0] 项和第 [1] 项）；"
        "每个 id 只列一次。"
    )


def test_repeated_yaml_key_refused(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "twice.yaml",
        "id: twice\nextends: cn-2017-quality\nremove: [V7]\n"
        "name: {zh: 两次, en: Twice}\nremove: [V6]\n",
    )
    error = _refused(path)
    assert error.message_en == (
        f"{path}: line 5: key 'remove' is given a second time in the same mapping "
        "(first at line 3); YAML would keep only the last one and silently drop "
        "the other. Merge the two into one key, one list under 'remove'."
    )
    assert error.message_zh == (
        f"{path}：第 5 行的键“remove”在同一映射中重复出现（第一次在第 3 行）；"
        "YAML 只保留最后一个，前一个会被悄悄丢弃。请把两处合并为一个键，把两个"
        "列表合并到一个“remove”下。"
    )


def test_repeated_key_in_nested_mapping_refused(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "nested.yaml",
        "id: nested\nextends: cn-2017-quality\n"
        "balance_rule:\n  cv_limit: {primary: 0.5, primary: 0.6}\n",
    )
    assert _refused(path).message_en.startswith(
        f"{path}: line 4: key 'primary' is given a second time in the same mapping "
        "(first at line 4);"
    )


@pytest.mark.parametrize(
    ("values", "fix", "fix_zh"),
    [
        (
            "{min_met: 6, min_met: 5}",
            "Keep one of the two values of 'min_met' and delete the other line.",
            "请保留“min_met”的两个值中的一个，删除另一行。",
        ),
        (
            "{min_met: {a: 1}, min_met: {b: 2}}",
            "Merge the two into one key, one mapping under 'min_met'.",
            "请把两处合并为一个键，把两个映射的内容合并到一个“min_met”下。",
        ),
        (
            "{min_met: [1], min_met: 5}",
            "Keep one of the two values of 'min_met' and delete the other line.",
            "请保留“min_met”的两个值中的一个，删除另一行。",
        ),
    ],
)
def test_repeated_key_fix_by_value_kind(
    tmp_path: Path, values: str, fix: str, fix_zh: str
) -> None:
    path = _write(
        tmp_path,
        "k2.yaml",
        f"id: k2\nextends: cn-2017-quality\nschool_rule: {values}\n",
    )
    error = _refused(path)
    assert error.message_en == (
        f"{path}: line 3: key 'min_met' is given a second time in the same mapping "
        "(first at line 3); YAML would keep only the last one and silently drop "
        f"the other. {fix}"
    )
    assert error.message_zh == (
        f"{path}：第 3 行的键“min_met”在同一映射中重复出现（第一次在第 3 行）；"
        f"YAML 只保留最后一个，前一个会被悄悄丢弃。{fix_zh}"
    )


def test_same_key_in_sibling_mappings_allowed(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "siblings.yaml",
        "id: siblings\nextends: cn-2017-quality\nresource_indicators:\n"
        "  - {id: L6, threshold: {primary: 2600, junior: 3000}}\n"
        "  - {id: L7, threshold: {primary: 2.5, junior: 3}}\n",
    )
    assert load_framework(str(path)).indicator("L6").threshold == {
        "primary": 2600,
        "junior": 3000,
    }


def test_extends_list_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "e.yaml", "id: e1\nextends: [cn-2017-quality]\n")
    error = _refused(path)
    assert error.message_en == (
        f"{path}: key 'extends' takes one framework id or file path (a string), "
        "not ['cn-2017-quality']; write for example 'extends: cn-2017-quality'."
    )
    assert error.message_zh == (
        f"{path}：键 extends 只能填写一个框架 id 或框架文件路径（字符串），"
        "不能是 ['cn-2017-quality']；例如写作 “extends: cn-2017-quality”。"
    )
