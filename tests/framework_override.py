"""A framework override whose file the loader warns about, for the web tests.

The override of ``cn-2017-quality`` removes the resource indicator L7 but keeps
the base's ``school_rule.min_met``, so the loader warns that the school rule
became "at least 6 of 6": the base has 7 indicators and ``min_met: 6``, and
removing one leaves 7 - 1 = 6.
"""

from __future__ import annotations

from pathlib import Path

OVERRIDE = """\
id: cn-2017-quality-no-l7
extends: cn-2017-quality
name: {zh: 去掉 L7 的细则, en: Rules without L7}
remove: [L7]
"""


def override_file(folder: Path) -> Path:
    """Write the override into ``folder`` and return its path."""
    path = folder / "no-l7.yaml"
    path.write_text(OVERRIDE, encoding="utf-8")
    return path


def expected_warning(path: Path, lang: str) -> str:
    """Return the loader's warning about ``path``, written out in ``lang``."""
    if lang == "en":
        return (
            f"{path}: this override changes the resource indicators from 7 to 6 "
            "but does not set school_rule.min_met, so it keeps 6 from "
            "'cn-2017-quality' and the school rule is now 'at least 6 of 6'. Set "
            "school_rule: {min_met: N} in the file, N being the indicators every "
            "school must meet."
        )
    return (
        f"{path}：本文件把资源配置指标由 7 项改为 6 项，但没有设置 "
        "school_rule.min_met，沿用“cn-2017-quality”的 6，学校规则因此变为“6 项"
        "中至少 6 项达标”。请在文件中写明 school_rule: {min_met: N}，"
        "N 为每所学校须达标的指标数。"
    )
