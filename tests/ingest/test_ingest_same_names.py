"""Input files with the same base name are named by enough of their path."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest.ingest_files import (
    find,
    import_errors,
    school,
    school_cells,
    write_csv,
)

from junheng.errors import InputError
from junheng.ingest import file_labels, load_inputs


def test_labels_of_distinct_names() -> None:
    paths = [Path("a/学校数据.csv"), Path("b/county.csv")]
    assert file_labels(paths) == ["学校数据.csv", "county.csv"]


def test_labels_of_same_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    paths = [
        Path("2023/一乡/学校数据.csv"),
        Path("2024/一乡/学校数据.csv"),
        Path("2024/二乡/学校数据.csv"),
        Path("学校数据.csv"),
        Path("other.csv"),
    ]
    assert file_labels(paths) == [
        "2023/一乡/学校数据.csv",
        "2024/一乡/学校数据.csv",
        "二乡/学校数据.csv",
        "学校数据.csv",
        "other.csv",
    ]


def test_labels_of_absolute_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    paths = [tmp_path / "a" / "x.csv", tmp_path / "b" / "x.csv"]
    assert file_labels(paths) == ["a/x.csv", "b/x.csv"]


def test_duplicate_names_other_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write_csv(tmp_path / "a/学校数据.csv", school_cells([school(1), school(2)]))
    second = write_csv(
        tmp_path / "b/学校数据.csv",
        school_cells([school(3, primary_students="四百"), school(2)]),
    )
    issues = import_errors([Path("a/学校数据.csv"), Path("b/学校数据.csv")])
    assert first.exists() and second.exists()
    (repeated,) = find(issues, "duplicate_school")
    assert repeated.file == "b/学校数据.csv"
    assert repeated.row == 3
    assert "(first in a/学校数据.csv, row 3)" in repeated.message
    assert "（首次出现于a/学校数据.csv，第 3 行）" in repeated.as_dict("zh")["message"]
    (number,) = [i for i in issues if i.value == "四百"]
    assert number.file == "b/学校数据.csv"


def test_summary_names_both_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        write_csv(tmp_path / folder / "s.csv", school_cells([school(1)]))
    with pytest.raises(InputError) as caught:
        load_inputs([Path("a/s.csv"), Path("b/s.csv")])
    assert " in a/s.csv, b/s.csv; nothing was imported" in str(caught.value)
    assert caught.value.message("zh").startswith("a/s.csv、b/s.csv 中有")
