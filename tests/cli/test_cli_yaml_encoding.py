"""Settings files of planning and monitoring read as the framework files are:
UTF-8, or GB18030/GBK as Chinese editors on Windows save them."""

from __future__ import annotations

from pathlib import Path

import pytest

from junheng.errors import InputError
from junheng.monitoring.alerts import RULES_DIR, load_rules
from junheng.planning.costs import load_costs
from junheng.planning.rotation_rule import RotationRule

# The bytes FF FF are neither UTF-8 nor GB18030.
BAD = b"# \xff\xff\n"


def _gbk(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("gb18030"))
    return path


def _refused(path: Path, byte: int) -> str:
    return (
        f"{path}: byte {byte} is not valid UTF-8 (nor GB18030/GBK); save the file "
        "as UTF-8 and load it again"
    )


def test_rotation_rule_read_as_gbk(tmp_path: Path) -> None:
    rule = RotationRule.load(
        _gbk(tmp_path / "r.yaml", "# 县里的规则\nmin_years_at_school: 5\n")
    )
    assert rule.min_years_at_school == 5
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"min_years_at_school: 5\n" + BAD)
    with pytest.raises(InputError) as raised:
        RotationRule.load(bad)
    # Byte 26 is the first FF: 23 bytes of the first line, then "# ".
    assert raised.value.message_en == _refused(bad, 26)


def test_costs_read_as_gbk(tmp_path: Path) -> None:
    costs = load_costs(_gbk(tmp_path / "c.yaml", "# 本县单价\nhire_yuan: 90000\n"))
    assert costs.hire_yuan == 90000
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(BAD)
    with pytest.raises(InputError) as raised:
        load_costs(bad)
    assert raised.value.message_en == _refused(bad, 3)


def test_warning_rules_read_as_gbk(tmp_path: Path) -> None:
    shipped = (RULES_DIR / "cn-default.yaml").read_text(encoding="utf-8")
    rules = load_rules(str(_gbk(tmp_path / "m.yaml", shipped)))
    assert rules.levels == load_rules().levels
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(BAD)
    with pytest.raises(InputError) as raised:
        load_rules(str(bad))
    assert raised.value.message_en == _refused(bad, 3)
