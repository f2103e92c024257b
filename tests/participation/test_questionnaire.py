"""Questionnaire sets: the shipped set and the loader's errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from junheng.participation.questionnaire import (
    ENV_VAR,
    QuestionnaireError,
    load_questionnaire_set,
)


def test_shipped_set_is_complete() -> None:
    qset = load_questionnaire_set()
    assert qset.groups[0].key == "parents"
    assert qset.group("parents").min_share == 0.5
    assert set(qset.questionnaires) == {"public", "staff", "students"}
    assert qset.stratum_keys() == ("urban", "town", "rural")
    for questionnaire in qset.questionnaires.values():
        for item in questionnaire.items:
            assert item.zh
            assert item.en
    assert "并非官方问卷" in qset.notice.zh


def write_set(folder: Path, text: str, name: str = "local-test") -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def shipped_text() -> str:
    from junheng.participation.questionnaire import BUILTIN_DIR

    return (BUILTIN_DIR / "cn-2017-satisfaction.yaml").read_text(encoding="utf-8")


def test_province_set_on_search_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = shipped_text().replace(
        "id: cn-2017-satisfaction", "id: hb-2025-satisfaction"
    )
    write_set(tmp_path, text, "hb-2025-satisfaction")
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    assert load_questionnaire_set("hb-2025-satisfaction").id == "hb-2025-satisfaction"


def test_unknown_scale_names_file_and_key(tmp_path: Path) -> None:
    text = shipped_text().replace("id: cn-2017-satisfaction", "id: local-test")
    text = text.replace("scale: three_point", "scale: seven_point", 1)
    path = write_set(tmp_path, text)
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire_set(str(path))
    message = str(caught.value)
    assert str(path) in message
    assert "seven_point" in message


def test_missing_key_named(tmp_path: Path) -> None:
    text = shipped_text().replace("id: cn-2017-satisfaction", "id: local-test")
    text = text.replace("sample_rate: 0.0015\n", "")
    path = write_set(tmp_path, text)
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire_set(str(path))
    assert "key sample_rate" in str(caught.value)


def test_satisfied_answer_must_exist(tmp_path: Path) -> None:
    text = shipped_text().replace("id: cn-2017-satisfaction", "id: local-test")
    text = text.replace("satisfied: [satisfied]", "satisfied: [happy]")
    path = write_set(tmp_path, text)
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire_set(str(path))
    assert "key scales.three_point" in str(caught.value)
    assert "happy" in str(caught.value)


def test_unknown_set_lists_installed() -> None:
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire_set("no-such-set")
    assert "cn-2017-satisfaction" in str(caught.value)
