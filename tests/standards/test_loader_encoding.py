"""Framework files saved in an encoding other than UTF-8."""

from __future__ import annotations

from pathlib import Path

import pytest

from junheng.errors import FrameworkError
from junheng.standards.loader import load_framework

# An override with Chinese text, as a province would write it.
OVERRIDE = """id: gbk-province
extends: cn-2017-quality
name: {zh: 某省补充办法, en: A province's override}
"""


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_chinese_text_read_in_each_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "province.yaml"
    path.write_bytes(OVERRIDE.encode(encoding))
    framework = load_framework(str(path))
    assert framework.id == "gbk-province"
    assert framework.name.zh == "某省补充办法"


def test_undecodable_file_named_with_byte_and_fix(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    # 0x80 0x20: a lead byte without its second byte in both UTF-8 and GB18030,
    # at the 5th byte of the file.
    path.write_bytes(b"id: \x80 x\n")
    with pytest.raises(FrameworkError) as caught:
        load_framework(str(path))
    assert caught.value.message_en == (
        f"{path}: byte 5 is not valid UTF-8 (nor GB18030/GBK); save the file as "
        "UTF-8 and load it again"
    )
    assert caught.value.message_zh == (
        f"{path}：第 5 个字节不是有效的 UTF-8 编码（也不是 GB18030/GBK）；"
        "请将文件另存为 UTF-8 编码后重试"
    )
