"""The notice of inputs saved by `junheng demo`, shared by every command."""

from __future__ import annotations

from pathlib import Path

from cli.cli_files import schools_csv

from junheng import demo
from junheng.cli import synthetic_notice


def _saved(folder: Path) -> list[Path]:
    schools = demo.generate_schools(counties=1, schools_per_county=4, seed=2)
    items = demo.generate_county_items(schools, seed=2)
    return demo.save_dataset(schools, items, folder / "d.parquet")


def test_all_synthetic_inputs(tmp_path: Path) -> None:
    saved = _saved(tmp_path)
    notice = synthetic_notice(saved)
    assert notice is not None
    assert notice.text == demo.SYNTHETIC
    assert notice.message("zh") == demo.SYNTHETIC_ZH
    assert notice.message("en") == demo.SYNTHETIC_EN
    assert notice.files == tuple(saved)


def test_some_synthetic_inputs_named(tmp_path: Path) -> None:
    first = schools_csv(tmp_path / "a.csv")
    second = schools_csv(tmp_path / "b.csv")
    saved = _saved(tmp_path)
    notice = synthetic_notice([first, *saved, second])
    assert notice is not None
    assert notice.files == tuple(saved)
    assert notice.zh == (
        f"合成数据：输入文件 {saved[0]}、{saved[1]} 由 junheng demo 随机生成，仅供"
        "演示和测试，不反映任何真实学校或县区的情况；其余输入文件 "
        f"{first}、{second} 不是合成数据。"
    )
    assert notice.en == (
        f"SYNTHETIC DATA: the input files {saved[0]}, {saved[1]} were generated at "
        "random by junheng demo for demonstration and testing and describe no real "
        f"school or county. The other input files ({first}, {second}) are not "
        "synthetic."
    )


def test_no_synthetic_inputs(tmp_path: Path) -> None:
    assert synthetic_notice([schools_csv(tmp_path / "a.csv")]) is None
