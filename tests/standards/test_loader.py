"""Framework files: built-in ones, overrides and malformed files."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import primary_school

from junheng.errors import FrameworkError
from junheng.evaluation.verdict import evaluate
from junheng.ingest.schema import canonical_frame
from junheng.standards.loader import list_frameworks, load_framework


def test_builtin_frameworks_listed() -> None:
    ids = {info.id for info in list_frameworks()}
    assert {"cn-2017-quality", "cn-2012-basic"} <= ids


def test_2017_thresholds() -> None:
    fw = load_framework("cn-2017-quality")
    thresholds = {i.id: i.threshold for i in fw.resource_indicators}
    assert thresholds["L1"] == {"primary": 4.2, "junior": 5.3}
    assert thresholds["L4"] == {"primary": 4.5, "junior": 5.8}
    assert thresholds["L5"] == {"primary": 7.5, "junior": 10.2}
    assert thresholds["L6"] == {"primary": 2000, "junior": 2500}
    assert thresholds["L7"] == {"primary": 2.3, "junior": 2.4}
    assert fw.balance_rule.cv_limit == {"primary": 0.50, "junior": 0.45}
    assert fw.school_rule is not None
    assert fw.school_rule.min_met == 6
    assert fw.school_rule.floor_ratio == 0.85


def test_2012_indicator_order() -> None:
    fw = load_framework("cn-2012-basic")
    assert [i.id for i in fw.resource_indicators] == [f"B{n}" for n in range(1, 9)]
    assert fw.indicator("B5").formula == "books / students"
    assert fw.balance_rule.mode == "composite"
    assert fw.balance_rule.cv_limit == {"primary": 0.65, "junior": 0.55}


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_override_changes_threshold(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "hebei.yaml",
        """
id: cn-2017-quality-test-province
extends: cn-2017-quality
name: {zh: 某省细则, en: A province's rules}
resource_indicators:
  - id: L6
    threshold: {primary: 2500, junior: 3000}
""",
    )
    fw = load_framework(str(path))
    assert fw.indicator("L6").threshold == {"primary": 2500, "junior": 3000}
    assert fw.indicator("L7").threshold == {"primary": 2.3, "junior": 2.4}
    school = primary_school(1)  # 2200 yuan per student: meets 2000, not 2500
    ev = evaluate(canonical_frame([school]), fw)
    assert ev.engine.table("unit_values")["met_L6"][0] is False


def test_override_adds_indicator(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "extra.yaml",
        """
id: with-books
extends: cn-2017-quality
name: {zh: 加图书, en: With books}
resource_indicators:
  - id: L8
    name: {zh: 生均图书, en: Books per student}
    unit: {zh: 册, en: books per student}
    formula: books / students
    threshold: {primary: 25, junior: 35}
""",
    )
    fw = load_framework(str(path))
    assert [i.id for i in fw.resource_indicators][-1] == "L8"
    ev = evaluate(canonical_frame([primary_school(1)]), fw)
    assert ev.engine.table("unit_values")["v_L8"][0] == pytest.approx(30.0)


def test_override_removes_item(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "less.yaml",
        """
id: no-tutoring-veto
extends: cn-2017-quality
name: {zh: 无校外培训否决, en: Without the tutoring veto}
remove: [V7]
""",
    )
    fw = load_framework(str(path))
    assert "V7" not in {i.id for i in fw.veto_items}


def test_framework_folder_from_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(
        tmp_path,
        "mine.yaml",
        """
id: my-province
extends: cn-2017-quality
name: {zh: 我的省, en: My province}
""",
    )
    monkeypatch.setenv("JUNHENG_FRAMEWORKS", str(tmp_path))
    assert "my-province" in {info.id for info in list_frameworks()}
    assert load_framework("my-province").id == "my-province"


def test_unknown_framework_names_installed() -> None:
    with pytest.raises(FrameworkError, match="cn-2017-quality"):
        load_framework("no-such-framework")


def test_bad_threshold_names_key(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "bad.yaml",
        """
id: bad
extends: cn-2017-quality
name: {zh: 坏, en: Bad}
resource_indicators:
  - id: L2
    threshold: {primary: lots, junior: 1.0}
""",
    )
    with pytest.raises(FrameworkError) as info:
        load_framework(str(path))
    assert "resource_indicators[1](id L2).threshold.primary" in str(info.value)
    assert "bad.yaml" in str(info.value)


def test_unknown_field_in_formula(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "typo.yaml",
        """
id: typo
extends: cn-2017-quality
name: {zh: 错字, en: Typo}
resource_indicators:
  - id: L1
    formula: techers * 100 / students
""",
    )
    with pytest.raises(FrameworkError) as info:
        load_framework(str(path))
    assert "(id L1).formula" in str(info.value)
    assert "'techers'" in str(info.value)


def test_missing_key_named(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "nolimit.yaml",
        """
id: nolimit
name: {zh: 无限值, en: No limit}
sections: [primary]
school_types: {小学: [primary]}
inclusion: {}
split: {weights: {primary: 1.0}, shared_fields: []}
resource_indicators: []
""",
    )
    with pytest.raises(FrameworkError) as caught:
        load_framework(str(path))
    assert "  balance_rule: is required; add the key" in caught.value.message_en
    assert "  balance_rule：缺少必填值；请补上该键" in caught.value.message_zh


def test_extends_cycle_detected(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", "id: a\nextends: " + str(tmp_path / "b.yaml") + "\n")
    _write(tmp_path, "b.yaml", "id: b\nextends: " + str(tmp_path / "a.yaml") + "\n")
    with pytest.raises(FrameworkError, match="cycle"):
        load_framework(str(tmp_path / "a.yaml"))


def test_invalid_yaml_reported(tmp_path: Path) -> None:
    path = _write(tmp_path, "broken.yaml", "id: [unclosed\n")
    with pytest.raises(FrameworkError, match="invalid YAML"):
        load_framework(str(path))


def test_invalid_yaml_quotes_line(tmp_path: Path) -> None:
    # The message points at the offending line and names the character.
    path = _write(tmp_path, "tab.yaml", "id: tab\nname:\n\tzh: x\n")
    with pytest.raises(FrameworkError) as caught:
        load_framework(str(path))
    message = str(caught.value)
    assert "line 3, column 1" in message
    assert "'\\t'" in message
    assert "^" in message


def test_override_needs_own_id(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "noid.yaml",
        """
extends: cn-2017-quality
name: {zh: 无编号, en: No id}
""",
    )
    with pytest.raises(FrameworkError, match="needs an 'id' of its own"):
        load_framework(str(path))


def test_remove_unknown_id_rejected(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "typo.yaml",
        """
id: typo-remove
extends: cn-2017-quality
name: {zh: 错删, en: Wrong removal}
remove: [V99]
""",
    )
    with pytest.raises(FrameworkError, match="V99"):
        load_framework(str(path))


def test_shadowing_builtin_id_rejected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(
        tmp_path,
        "fake.yaml",
        """
id: cn-2017-quality
extends: cn-2012-basic
name: {zh: 冒名, en: Impostor}
""",
    )
    monkeypatch.setenv("JUNHENG_FRAMEWORKS", str(tmp_path))
    with pytest.raises(FrameworkError, match="more than one file"):
        load_framework("cn-2017-quality")


def test_broken_file_spares_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, "broken.yaml", "id: [unclosed\n")
    monkeypatch.setenv("JUNHENG_FRAMEWORKS", str(tmp_path))
    assert load_framework("cn-2012-basic").id == "cn-2012-basic"


def test_negative_cv_limit_rejected(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "neg.yaml",
        """
id: negative-limit
extends: cn-2017-quality
name: {zh: 负限值, en: Negative limit}
balance_rule: {cv_limit: {primary: -1, junior: 0.45}}
""",
    )
    with pytest.raises(FrameworkError, match=r"balance_rule\.cv_limit\.primary"):
        load_framework(str(path))
