"""`--encoding` of every command that reads CSV files, on real GBK files.

The school data, rosters and locations are SYNTHETIC (junheng.demo and
junheng.planning.synthetic); the back-test reads the real NBS tables shipped in
examples/data, re-encoded.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner, Result

from junheng import demo
from junheng.cli import main
from junheng.planning.roster import read_roster
from junheng.planning.synthetic import generate_locations, generate_roster

NBS = Path(__file__).parents[2] / "examples/data/cn-nbs-province"


def _csv(frame: pl.DataFrame, path: Path, encoding: str) -> Path:
    """Write ``frame`` as CSV in ``encoding`` (utf-8-sig adds the byte order mark)."""
    path.write_bytes(frame.write_csv().encode(encoding))
    return path


@pytest.fixture(scope="module")
def frames() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Three years of two SYNTHETIC counties, a roster and school locations."""
    schools = demo.generate_schools(counties=2, schools_per_county=12, years=3, seed=5)
    county = schools["division_code"][0]
    latest = schools.filter(
        (pl.col("division_code") == county) & (pl.col("year") == 2026)
    )
    locations = generate_locations(schools, seed=5)
    roster = generate_roster(latest, seed=5, locations=locations)
    # Chinese headers, as the planning guide lists them.
    places = locations.rename(
        {"school_code": "学校标识码", "lat": "纬度", "lon": "经度"}
    )
    headers = ("教师编号", "学校标识码", "学段", "任教学科", "县级以上骨干教师")
    roster = roster.rename(dict(zip(roster.columns, headers, strict=False)))
    return schools, roster, places


def _paths(
    folder: Path,
    frames: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame],
    encoding: str,
) -> tuple[Path, Path, Path, str]:
    schools, roster, places = frames
    return (
        _csv(schools, folder / "schools.csv", encoding),
        _csv(roster, folder / "roster.csv", encoding),
        _csv(places, folder / "places.csv", encoding),
        schools["division_code"][0],
    )


def _pair(schools: Path, county: str, places: Path) -> list[str]:
    return ["plan", "pair", str(schools), "-d", county, "--locations", str(places)]


def _rotate(roster: Path, schools: Path, county: str, places: Path) -> list[str]:
    return [
        *("plan", "rotate", str(roster), str(schools), "--county", county),
        *("--locations", str(places)),
    ]


def _plan(result: Result) -> dict[str, object]:
    assert result.exit_code == 0, result.output
    plan: dict[str, object] = json.loads(result.stdout)
    return plan


def test_gbk_files_are_not_utf8(
    tmp_path: Path, frames: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]
) -> None:
    gbk = _paths(tmp_path, frames, "gbk")
    for path in gbk[:3]:
        data = path.read_bytes()
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_plan_commands_detect_the_encoding(
    runner: CliRunner,
    tmp_path: Path,
    frames: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame],
    encoding: str,
) -> None:
    schools, roster, places, county = _paths(tmp_path, frames, encoding)
    parquet = tmp_path / "schools.parquet"
    frames[0].write_parquet(parquet)
    roster_parquet = tmp_path / "roster.parquet"
    frames[1].write_parquet(roster_parquet)
    places_parquet = tmp_path / "places.parquet"
    frames[2].write_parquet(places_parquet)
    # The same plans from Parquet copies, which have no text encoding.
    for args, expected in (
        (_pair(schools, county, places), _pair(parquet, county, places_parquet)),
        (
            _rotate(roster, schools, county, places),
            _rotate(roster_parquet, parquet, county, places_parquet),
        ),
    ):
        plan = _plan(runner.invoke(main, [*args, "--format", "json"]))
        same = _plan(runner.invoke(main, [*expected, "--format", "json"]))
        assert plan["summary"] == same["summary"]
        assert plan["tables"] == same["tables"]


@pytest.mark.parametrize("given", ["gbk", "GB18030"])
def test_plan_commands_take_the_encoding(
    runner: CliRunner,
    tmp_path: Path,
    frames: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame],
    given: str,
) -> None:
    schools, roster, places, county = _paths(tmp_path, frames, "gbk")
    for args in (
        _pair(schools, county, places),
        _rotate(roster, schools, county, places),
    ):
        result = runner.invoke(main, [*args, "--encoding", given, "--format", "json"])
        assert _plan(result)["feasible"] is True


def _evaluate_error(runner: CliRunner, path: Path, encoding: str) -> str:
    """Return the issue line `junheng evaluate` prints for ``path``."""
    result = runner.invoke(
        main, ["evaluate", str(path), "--encoding", encoding, "--lang", "en"]
    )
    assert result.exit_code == 3, result.output
    lines = [line for line in result.output.splitlines() if line.startswith(path.name)]
    assert lines, result.output
    return lines[0]


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("utf-8", "give --encoding gb18030 (encoding='gb18030' in Python)"),
        ("no-such-codec", "unknown text encoding 'no-such-codec'"),
        # Python codecs that decode no text, and an empty name, which is not
        # taken for "detect".
        ("undefined", "unknown text encoding 'undefined'"),
        ("base64", "unknown text encoding 'base64'"),
        ("", "unknown text encoding ''"),
    ],
)
def test_plan_commands_reject_a_wrong_encoding(
    runner: CliRunner,
    tmp_path: Path,
    frames: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame],
    encoding: str,
    expected: str,
) -> None:
    schools, roster, places, county = _paths(tmp_path, frames, "gbk")
    # Each command names the first file it reads with the line evaluate prints.
    for args, first in (
        (_pair(schools, county, places), schools),
        (_rotate(roster, schools, county, places), roster),
    ):
        report = tmp_path / "errors.json"
        options = ["--encoding", encoding, "--lang", "en"]
        result = runner.invoke(main, [*args, *options, "--errors-report", str(report)])
        assert result.exit_code == 3, result.output
        line = _evaluate_error(runner, first, encoding)
        assert expected in line
        assert line in result.output
        issues = json.loads(report.read_text("utf-8"))["issues"]
        assert issues[0]["file"] == first.name


def test_locations_read_with_the_encoding(
    runner: CliRunner,
    tmp_path: Path,
    frames: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame],
) -> None:
    # --encoding applies to every CSV input, so the school data are Parquet.
    schools = tmp_path / "schools.parquet"
    frames[0].write_parquet(schools)
    county = frames[0]["division_code"][0]
    gbk_places = _csv(frames[2], tmp_path / "places-gbk.csv", "gbk")
    args = _pair(schools, county, gbk_places)
    plan = _plan(runner.invoke(main, [*args, "--format", "json", "--encoding", "gbk"]))
    assert plan["feasible"] is True
    result = runner.invoke(main, [*args, "--encoding", "utf-8", "--lang", "en"])
    assert result.exit_code == 3, result.output
    assert "places-gbk.csv" in result.output
    assert "give --encoding gb18030" in result.output


def _gbk_schedule(path: Path, county: str) -> Path:
    """Write a GBK schedule with a Chinese note for ``county``."""
    text = f"division_code,target_year,note\n{county},2030,县级计划\n"
    path.write_bytes(text.encode("gbk"))
    return path


def test_monitor_run_and_sample_read_gbk(
    runner: CliRunner,
    tmp_path: Path,
    frames: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame],
) -> None:
    schools, _, _, county = _paths(tmp_path, frames, "gbk")
    plan = _gbk_schedule(tmp_path / "plan.csv", county)
    out = tmp_path / "monitor.json"
    run = ["monitor", "run", str(schools), "-o", str(out), "--schedule", str(plan)]
    for given in ([], ["--encoding", "gbk"]):
        result = runner.invoke(main, [*run, *given, "--today", "2026-12-01"])
        assert result.exit_code == 0, result.output
        progress = json.loads(out.read_text("utf-8"))["schedule_progress"]
        assert [(r["division_code"], r["note"]) for r in progress] == [
            (county, "县级计划")
        ]
    sample = tmp_path / "sample.json"
    result = runner.invoke(
        main,
        [
            *("monitor", "sample", str(schools), "-c", county, "-y", "2026"),
            *("-o", str(sample), "--seed", "1", "--encoding", "gbk"),
        ],
    )
    assert result.exit_code == 0, result.output
    drawn = json.loads(sample.read_text("utf-8"))["frame"]
    assert {r["school_name"] for r in drawn} <= set(frames[0]["school_name"])


def test_monitor_run_rejects_a_wrong_encoding(
    runner: CliRunner,
    tmp_path: Path,
    frames: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame],
) -> None:
    schools, _, _, county = _paths(tmp_path, frames, "gbk")
    out = tmp_path / "monitor.json"
    run = ["monitor", "run", str(schools), "-o", str(out), "--lang", "en"]
    result = runner.invoke(main, [*run, "--encoding", "utf-8"])
    assert result.exit_code == 3, result.output
    assert _evaluate_error(runner, schools, "utf-8") in result.output
    assert not out.exists()
    # A schedule in another encoding than the one given gets the same error.
    utf8 = tmp_path / "utf8"
    utf8.mkdir()
    schools = _paths(utf8, frames, "utf-8")[0]
    plan = _gbk_schedule(tmp_path / "plan.csv", county)
    result = runner.invoke(
        main,
        [
            *("monitor", "run", str(schools), "-o", str(out)),
            *("--schedule", str(plan), "--encoding", "utf-8", "--lang", "en"),
        ],
    )
    assert result.exit_code == 3, result.output
    message = " ".join(result.output.split())
    assert "plan.csv, row 2" in message
    assert "give --encoding gb18030" in message


def _gbk_nbs(folder: Path) -> Path:
    """Copy the NBS tables into ``folder``, re-encoded from UTF-8 to GBK."""
    for source in NBS.glob("*.csv"):
        text = source.read_bytes().decode("utf-8-sig")
        (folder / source.name).write_bytes(text.encode("gbk"))
    return folder


def test_backtest_reads_gbk_tables(runner: CliRunner, tmp_path: Path) -> None:
    gbk = tmp_path / "gbk"
    gbk.mkdir()
    _gbk_nbs(gbk)
    outputs = []
    for folder, given in ((NBS, []), (gbk, []), (gbk, ["--encoding", "gbk"])):
        out = tmp_path / f"backtest-{len(outputs)}.json"
        result = runner.invoke(
            main, ["monitor", "backtest", str(folder), "-o", str(out), *given]
        )
        assert result.exit_code == 0, result.output
        outputs.append(json.loads(out.read_text("utf-8"))["coverage"])
    assert outputs[1] == outputs[0]
    assert outputs[2] == outputs[0]


def test_nbs_commands_reject_wrong_encoding(runner: CliRunner, tmp_path: Path) -> None:
    gbk = tmp_path / "gbk"
    gbk.mkdir()
    _gbk_nbs(gbk)
    out = tmp_path / "cal.json"
    for command in ("calibrate", "backtest"):
        result = runner.invoke(
            main, ["monitor", command, str(gbk), "-o", str(out), "--encoding", "utf-8"]
        )
        assert result.exit_code == 3, result.output
        message = " ".join(result.output.split())
        assert "province_primary_2000_2019.csv" in message  # the first one read
        assert "请用 --encoding gb18030" in message
        assert "give --encoding gb18030" in message
        assert not out.exists()


def test_utf16_on_utf8_file_names_utf8(
    runner: CliRunner,
    tmp_path: Path,
    frames: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame],
) -> None:
    # Read as UTF-16, UTF-8 text of an even number of bytes decodes into one
    # line of CJK characters, which looked like a header without data rows.
    text = frames[0].write_csv()
    text += "\n" * (len(text.encode("utf-8")) % 2)
    path = tmp_path / "schools.csv"
    path.write_bytes(text.encode("utf-8"))
    line = _evaluate_error(runner, path, "utf-16")
    assert "decoded as utf-16, only 0 of the 1 column headers are known" in line
    assert "the file's encoding is utf-8-sig" not in line
    assert "give --encoding utf-8 (encoding='utf-8' in Python)" in line


def test_bom_names_its_encoding(
    runner: CliRunner,
    tmp_path: Path,
    frames: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame],
) -> None:
    # The UTF-16 byte order mark FF FE is invalid UTF-8; the fix names UTF-16,
    # not GB18030.
    path = _csv(frames[0], tmp_path / "schools.csv", "utf-16")
    line = _evaluate_error(runner, path, "utf-8")
    assert "invalid in utf-8 (0xFF, at byte 0)" in line
    assert "the whole file decodes as utf-16: give --encoding utf-16" in line


def test_charmap_codec_named_as_given(
    runner: CliRunner,
    tmp_path: Path,
    frames: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame],
) -> None:
    # Python names the codec of cp1252 "charmap" in its errors. The UTF-8 of
    # 小 (E5 B0 8F) has a byte that cp1252 leaves undefined.
    path = _csv(frames[0], tmp_path / "schools.csv", "utf-8")
    assert "小学".encode() in path.read_bytes()
    line = _evaluate_error(runner, path, "cp1252")
    assert "the file cannot be decoded as cp1252" in line
    assert "bytes that are invalid in cp1252 (" in line
    assert "charmap" not in line


def test_profile_encoding_checked(runner: CliRunner, tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "id: p\nsource_encoding: undefined\ncolumns:\n  school_code: code\n",
        encoding="utf-8",
    )
    (tmp_path / "s.csv").write_text("code\n1\n", encoding="utf-8")
    result = runner.invoke(main, ["validate", "s.csv", "--profile", str(profile)])
    assert result.exit_code != 0
    message = " ".join(result.output.split())
    assert f"{profile}：source_encoding：'undefined' 不是文本编码" in message
    assert (
        f"{profile}: source_encoding: 'undefined' is not a text encoding; give the "
        "Python name of one, such as utf-8, gb18030 or big5, or delete the key to "
        "detect UTF-8, UTF-16 and GB18030." in message
    )
    assert "Traceback" not in result.output


TRADITIONAL = {
    "道德与法治": "道德與法治",
    "英语": "英語",
    "信息技术": "資訊科技",
    "数学": "數學",
    "体育": "體育",
    "美术": "美術",
    "科学": "科學",
    "语文": "語文",
    "音乐": "音樂",
}
"""The roster's subjects in traditional characters, as a Taiwan file has them."""


def _traditional_roster(
    frames: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame], path: Path, encoding: str
) -> Path:
    """Write the roster with English headers and traditional subjects."""
    roster = frames[1].rename(
        dict(
            zip(
                frames[1].columns,
                ["teacher_id", "school_code", "section", "subject", "backbone"],
                strict=False,
            )
        )
    )
    subjects = pl.col("subject").replace(TRADITIONAL)
    return _csv(roster.with_columns(subjects), path, encoding)


def test_big5_text_with_ascii_headers_named(
    runner: CliRunner,
    tmp_path: Path,
    frames: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame],
) -> None:
    # Big5 bytes decode as GB18030 without error (數學 becomes 计厩), and the
    # headers are ASCII, so only the text shows the encoding.
    schools, _, places, county = _paths(tmp_path, frames, "utf-8")
    roster = _traditional_roster(frames, tmp_path / "roster.csv", "big5")
    assert "计厩" in roster.read_bytes().decode("gb18030")
    args = _rotate(roster, schools, county, places)
    result = runner.invoke(main, [*args, "--lang", "en"])
    assert result.exit_code == 3, result.output
    message = " ".join(result.output.split())
    assert "roster.csv: decoded as gb18030, only " in message
    assert "% are, so the file's encoding is big5 (traditional Chinese)" in message
    assert "give --encoding big5 (encoding='big5' in Python)" in message
    assert "if the text reads right as gb18030, give --encoding gb18030" in message
    # The same roster in GBK, and the Big5 file with --encoding big5, plan.
    gbk = _traditional_roster(frames, tmp_path / "roster-gbk.csv", "gbk")
    gbk_args = _rotate(gbk, schools, county, places)
    plan = _plan(runner.invoke(main, [*gbk_args, "--format", "json"]))
    assert plan["feasible"] is True
    # --encoding applies to every CSV input, so the others are Parquet here.
    schools_parquet = tmp_path / "schools.parquet"
    frames[0].write_parquet(schools_parquet)
    places_parquet = tmp_path / "places.parquet"
    frames[2].write_parquet(places_parquet)
    big5_args = _rotate(roster, schools_parquet, county, places_parquet)
    plan = _plan(
        runner.invoke(main, [*big5_args, "--encoding", "big5", "--format", "json"])
    )
    assert plan["feasible"] is True


JAPANESE = {
    "道德与法治": "道徳",
    "英语": "英語",
    "信息技术": "情報",
    "数学": "数学",
    "体育": "体育",
    "美术": "美術",
    "科学": "理科",
    "语文": "こくご",
    "音乐": "おんがく",
}
"""The roster's subjects as a Japanese file has them, in kanji and kana."""


def _english_headers(roster: pl.DataFrame) -> pl.DataFrame:
    names = ["teacher_id", "school_code", "section", "subject", "backbone"]
    return roster.rename(dict(zip(roster.columns, names, strict=False)))


def test_shift_jis_text_with_ascii_headers_named(
    runner: CliRunner,
    tmp_path: Path,
    frames: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame],
) -> None:
    # Shift-JIS bytes decode as GB18030 without error, into rare characters,
    # and the headers are ASCII, so only the text shows the encoding.
    schools, _, places, county = _paths(tmp_path, frames, "utf-8")
    subjects = pl.col("subject").replace(JAPANESE)
    japanese = _english_headers(frames[1]).with_columns(subjects)
    roster = _csv(japanese, tmp_path / "roster.csv", "shift_jis")
    assert "こくご" not in roster.read_bytes().decode("gb18030")
    args = _rotate(roster, schools, county, places)
    result = runner.invoke(main, [*args, "--lang", "en"])
    assert result.exit_code == 3, result.output
    message = " ".join(result.output.split())
    assert "roster.csv: decoded as gb18030, only 0% of the characters" in message
    assert "decoded as shift_jis 100% are" in message
    assert "so the file's encoding is shift_jis (Japanese)" in message
    assert "give --encoding shift_jis (encoding='shift_jis' in Python)" in message
    result = runner.invoke(main, [*args, "--lang", "zh"])
    assert result.exit_code == 3, result.output
    message = "".join(result.output.split())
    assert "文件的编码应是shift_jis（日文）" in message
    assert "请用--encodingshift_jis指定编码" in message


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_chinese_text_with_ascii_headers_not_japanese(
    runner: CliRunner,
    tmp_path: Path,
    frames: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame],
    encoding: str,
) -> None:
    # Read as Shift-JIS, the bytes of simplified text are mostly half-width
    # katakana, which do not count as common characters.
    schools, _, places, county = _paths(tmp_path, frames, "utf-8")
    roster = _csv(_english_headers(frames[1]), tmp_path / "roster.csv", encoding)
    args = _rotate(roster, schools, county, places)
    plan = _plan(runner.invoke(main, [*args, "--format", "json"]))
    assert plan["feasible"] is True


DECODES_AS_SHIFT_JIS = {
    "道德与法治": "安全",
    "英语": "劳动",
    "信息技术": "科学",
    "数学": "化学",
    "体育": "化学",
    "美术": "书法",
    "语文": "书法",
    "音乐": "劳动",
}
"""Simplified subjects whose GBK bytes are valid Shift-JIS, mostly half-width
katakana (科学 reads as ｿﾆﾑｧ)."""


def test_gbk_text_that_decodes_as_shift_jis(tmp_path: Path) -> None:
    schools = demo.generate_schools(counties=1, schools_per_county=3, years=1, seed=5)
    roster = generate_roster(schools, seed=5)
    subjects = pl.col("subject").replace(DECODES_AS_SHIFT_JIS)
    frame = _english_headers(roster.select(roster.columns[:6])).with_columns(subjects)
    path = _csv(frame, tmp_path / "roster.csv", "gbk")
    assert "ｿﾆﾑｧ" in path.read_bytes().decode("shift_jis")
    read = read_roster(path)
    assert set(read["subject"]) <= set(DECODES_AS_SHIFT_JIS.values())
    assert read.height == roster.height


@pytest.mark.parametrize("given", ["utf-8", "gb18030", "big5"])
def test_mixed_encodings_named_for_each(
    runner: CliRunner,
    tmp_path: Path,
    frames: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame],
    given: str,
) -> None:
    # Lines 1-3 are UTF-8 and the rest GBK, as when rows are pasted from
    # another file. UTF-8 fails on line 4 and GB18030 on the UTF-8 text, so
    # any single encoding that an error suggests fails on another line.
    lines = frames[0].write_csv().splitlines(keepends=True)
    path = tmp_path / "schools.csv"
    path.write_bytes(
        "".join(lines[:3]).encode("utf-8") + "".join(lines[3:]).encode("gbk")
    )

    result = runner.invoke(
        main, ["evaluate", str(path), "--encoding", given, "--lang", "en"]
    )
    assert result.exit_code == 3, result.output
    message = " ".join(result.output.split())
    assert "schools.csv, row " in message
    assert "the file mixes encodings" in message
    assert f"as {given}, the first cell read wrong is line" in message
    assert "as utf-8, the first cell read wrong is line 4, column 'school_name'" in (
        message
    )
    assert "as gb18030, the first cell read wrong is line 2, column 'school_name'" in (
        message
    )
    assert "save the whole file in one encoding" in message

    result = runner.invoke(
        main, ["evaluate", str(path), "--encoding", given, "--lang", "zh"]
    )
    text = "".join(result.output.split())
    assert "文件混用了多种编码" in text
    assert "按utf-8读，第一处读错的是第4行的“school_name”列" in text
    assert "将整个文件另存为同一种编码" in text


def test_gbk_file_read_as_utf8_not_mixed(
    runner: CliRunner,
    tmp_path: Path,
    frames: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame],
) -> None:
    # No line other than ASCII is valid UTF-8, so the file is GBK throughout
    # and the error names gb18030, not mixed encodings.
    path = _csv(frames[0], tmp_path / "schools.csv", "gbk")
    line = _evaluate_error(runner, path, "utf-8")
    assert "mixes encodings" not in line
    assert "give --encoding gb18030" in line
