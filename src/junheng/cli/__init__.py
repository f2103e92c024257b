"""The ``junheng`` command line: a thin layer over ingest, evaluation and reports."""

from __future__ import annotations

import errno
import functools
import importlib
import json
import logging
import os
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, NoReturn, cast

import click
import polars as pl
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from junheng import GENERATOR, __version__
from junheng.errors import InputError, JunhengError

if TYPE_CHECKING:
    from junheng.ingest import ImportResult
    from junheng.ingest.issues import Issue
    from junheng.planning.result import PlanResult
    from junheng.standards.model import Framework

Language = Literal["zh", "en"]

log = logging.getLogger("junheng")
FORMATS = ("table", "json", "xlsx", "html")
DEFAULT_ERROR_REPORT = "junheng-errors.xlsx"
REPORT_STEM = "junheng-report"
"""Name, without the suffix, of the report file written without --output."""
TERMINAL_COUNTIES = 30
"""County-years the terminal summary explains; the counts cover all of them."""


def _console() -> Console:
    return Console(stderr=True)


@contextmanager
def _stages(enabled: bool) -> Iterator[Progress]:
    """Show a spinner with the current stage and the elapsed time on stderr."""
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=_console(),
        transient=True,
        disable=not enabled,
    )
    with progress:
        yield progress


def _fail(error: JunhengError) -> NoReturn:
    console = _console()
    # The message quotes file names, YAML text and values, which may hold
    # brackets that Rich would read as markup tags and drop.
    console.print(
        f"[bold red]错误 / error:[/] {escape(error.bilingual())}", highlight=False
    )
    raise SystemExit(error.exit_code)


class WriteError(click.ClickException):
    """An output file that could not be written, with the path, reason and fix."""

    def show(self, file: Any = None) -> None:
        click.echo(f"错误 / error: {self.format_message()}", err=True)


def _write_failure(path: Path, exc: OSError, option: str) -> str:
    """Return the zh / en message for ``exc`` raised while writing ``path``."""
    reason = exc.strerror or str(exc)
    # Name the folder at fault, but not the temporary file beside ``path``.
    where = str(exc.filename or "")
    if where in (str(path), "") or Path(where).name.startswith(f".{path.name}."):
        where = ""
    at = f"（{where}）" if where else ""
    at_en = f" ({where})" if where else ""
    if exc.errno == errno.ENAMETOOLONG:
        return (
            f"无法写入 {path}：{reason}{at}。请为 {option} 换一个较短的路径：每个"
            f"文件夹名和文件名不超过 {NAME_MAX} 字节（一个汉字占 3 字节）。 / cannot "
            f"write {path}: {reason}{at_en}. Give {option} a shorter path: at most "
            f"{NAME_MAX} bytes in each folder or file name (a Chinese character "
            "takes 3)."
        )
    if exc.errno == errno.ELOOP:
        return (
            f"无法写入 {path}：{reason}{at}。请为 {option} 换一个路径，或删除形成"
            f"循环的符号链接。 / cannot write {path}: {reason}{at_en}. Give "
            f"{option} another path, or remove the symbolic links that form the "
            "loop."
        )
    return (
        f"无法写入 {path}：{reason}{at}。请为 {option} 换一个可写文件夹中的路径，"
        f"或先改好该文件夹的权限。 / cannot write {path}: {reason}{at_en}. Give "
        f"{option} a path in a folder you can write to, or fix the folder's "
        "permissions."
    )


class FilePath(click.Path):
    """A file path parameter that rejects a folder with a zh / en message.

    ``output`` is true when the command writes the file, false when it reads it.
    """

    def __init__(self, *, output: bool, **kwargs: Any) -> None:
        super().__init__(path_type=Path, dir_okay=False, **kwargs)
        self.output = output

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Any:
        if isinstance(value, str | os.PathLike) and os.path.isdir(value):
            self.fail(self._folder_message(Path(value), param), param, ctx)
        return super().convert(value, param, ctx)

    def _folder_message(self, path: Path, param: click.Parameter | None) -> str:
        name = "FILE"
        if isinstance(param, click.Option):
            name = max(param.opts, key=len)
        elif param is not None:
            name = param.human_readable_name
        example = ""
        default = getattr(param, "default", None)
        if isinstance(default, Path):
            example = str(path / default.name)
        if self.output:
            return (
                f"无法写入 {path}：这是一个文件夹，不是文件。请为 {name} 给出文件路径"
                + (f"，例如 {example}" if example else "")
                + f"。 / cannot write {path}: it is a folder, not a file. Give "
                f"{name} a file path"
                + (f", for example {example}" if example else "")
                + "."
            )
        return (
            f"无法读取 {path}：这是一个文件夹，不是文件。请为 {name} 给出文件路径。 / "
            f"cannot read {path}: it is a folder, not a file. Give {name} a file "
            "path."
        )


NAME_MAX = 255
"""Bytes in a folder or file name that Linux file systems take (ext4, XFS, tmpfs)."""


def _existing_folder(path: Path) -> Path:
    """Return the nearest folder above ``path`` that exists (or a file in its way).

    Raises the :class:`OSError` of a look-up that fails for another reason than
    a missing folder, such as a name that is too long or a symbolic-link loop.
    """
    folder = path.absolute().parent
    while folder != folder.parent:
        try:
            folder.stat()
        except (FileNotFoundError, NotADirectoryError):
            folder = folder.parent
        else:
            break
    return folder


def _check_names(path: Path, folder: Path) -> None:
    """Raise ENAMETOOLONG when a name of ``path`` below ``folder`` is too long.

    The missing folders are not looked up, so the system would not say so
    until the writer creates them, after the work is done.
    """
    try:
        limit = os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        limit = NAME_MAX
    for part in path.absolute().relative_to(folder).parts:
        if len(os.fsencode(part)) > limit:
            raise OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG))


def _unwritable(path: Path) -> OSError | None:
    """Return why ``path`` cannot be written now, or None when it can.

    A missing folder is fine when the nearest existing folder above it is
    writable, because the writers create missing folders. The check creates a
    temporary file there and deletes it at once. A name that is too long, a
    symbolic-link loop or any other error of looking ``path`` up is a reason
    too, as the system gives it.
    """
    folder = path.absolute().parent
    try:
        folder = _existing_folder(path)
        _check_names(path, folder)
        if not folder.is_dir():
            raise NotADirectoryError(
                errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder)
            )
        with tempfile.TemporaryFile(dir=folder):
            pass
        with suppress(FileNotFoundError):  # the writer creates it
            path.stat()
    except OSError as exc:
        # Named after the folder, not the temporary file it could not create;
        # a name that is too long is in the path the message quotes.
        where = str(folder) if exc.errno != errno.ENAMETOOLONG else str(path)
        return OSError(exc.errno, exc.strerror, where)
    return None


def _check_writable(path: Path, option: str) -> None:
    """Reject ``path`` before any work when its folder cannot take a new file,
    with the reason :func:`_unwritable` finds and the fix."""
    failure = _unwritable(path)
    if failure is not None:
        raise click.BadParameter(
            _write_failure(path, failure, option), param_hint=f"'{option}'"
        )


OUTPUT_MARK = b"junheng"
"""ZIP archive comment of the workbooks that :func:`_atomic_write` writes.

:func:`written_by_junheng` reads it to find Junheng's own workbooks. A program
that saves the workbook again writes a new archive without the comment
(openpyxl does, as a test checks), so a workbook edited since counts as the
user's."""


def written_by_junheng(path: Path) -> bool:
    """Tell whether ``path`` is a file that Junheng wrote and may replace.

    Those are: error reports, datasets and rosters saved by ``junheng demo``,
    workbooks with :data:`OUTPUT_MARK`, HTML reports (their generator meta
    tag) and JSON reports (their ``generator`` key). A file that cannot be
    read is not.
    """
    from junheng import demo

    if _is_error_report(path) or demo.is_synthetic(path):
        return True
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            with zipfile.ZipFile(path) as archive:
                return archive.comment == OUTPUT_MARK
        if suffix in (".html", ".htm"):
            with path.open("rb") as file:
                head = file.read(4096)
            return b'<meta name="generator" content="junheng ' in head
        if suffix == ".json":
            doc = json.loads(path.read_text(encoding="utf-8"))
            generator = doc.get("generator") if isinstance(doc, dict) else None
            return isinstance(generator, str) and generator.startswith("junheng ")
    except (OSError, ValueError, zipfile.BadZipFile):
        return False
    return False


def check_replace(
    path: Path,
    option: str,
    *,
    replaceable: Callable[[Path], bool] = written_by_junheng,
    message: str | None = None,
) -> None:
    """Reject ``path`` before any work when a file there may not be replaced.

    A file may be replaced when ``replaceable`` accepts it, by default when
    Junheng wrote it, or when the command's --force option is given. The
    default ``message`` names ``option`` and both fixes: another file name
    or --force.
    """
    ctx = click.get_current_context()
    if ctx.params.get("force"):
        return
    with suppress(OSError):
        if not os.path.lexists(path) or (path.is_file() and replaceable(path)):
            return
        if path.is_dir():
            return  # the folder gets the message of FilePath
        if message is None:
            message = (
                f"{path} 已存在，且不是 junheng 写的文件，未覆盖：它可能是您的数据。"
                f"请为 {option} 换一个文件名，或加 --force 替换它 / {str(path)!r} "
                "exists and was not written by junheng, so it was not replaced, "
                f"because it may hold your data; give {option} another file "
                "name, or add --force to replace it"
            )
        raise click.BadParameter(message, param_hint=f"'{option}'")


force_option: Callable[[Callable[..., Any]], Callable[..., Any]] = click.option(
    "--force",
    is_flag=True,
    help="Replace existing output files that junheng did not write (their data "
    "are lost). Files that junheng wrote are replaced without it.",
)
"""The --force option of the commands that write reports or datasets."""


def with_generator(doc: dict[str, Any]) -> dict[str, Any]:
    """Return ``doc`` with the ``generator`` key first, for a JSON output file."""
    return {"generator": GENERATOR, **doc}


def _report_input_error(error: InputError, report_path: Path, lang: Language) -> None:
    from junheng.ingest.issues import format_issues, write_issue_report

    console = _console()
    issues: list[Issue] = error.issues  # type: ignore[assignment]
    failure = None
    try:
        _atomic_write(
            report_path,
            lambda tmp: write_issue_report(issues, tmp, lang),
            option="--errors-report",
        )
    except WriteError as exc:
        failure = exc.format_message()
    # The input errors come first, also when the report could not be written.
    console.print(f"[bold red]{escape(error.message(lang))}[/]", highlight=False)
    written = None if failure else report_path
    text = format_issues(issues, report=written, lang=lang)
    console.print(text, highlight=False, markup=False)
    if failure:
        console.print(f"错误 / error: {failure}", highlight=False, markup=False)
    elif lang == "zh":
        console.print(
            f"全部问题已写入 {written}。未导入任何数据。",
            highlight=False,
            markup=False,
        )
    else:
        console.print(
            f"All issues written to {written}. Nothing was imported.",
            highlight=False,
            markup=False,
        )
    raise SystemExit(error.exit_code)


def _is_error_report(path: Path) -> bool:
    """Tell whether ``path`` is an error report that Junheng wrote.

    A JSON report is an object with the keys ``lang``, ``errors``, ``warnings``
    and ``issues``; an Excel report has the one sheet the report writer names.
    """
    from junheng.ingest.issues import REPORT_SHEETS

    try:
        if path.suffix.lower() == ".json":
            doc = json.loads(path.read_text(encoding="utf-8"))
            return isinstance(doc, dict) and {
                "lang",
                "errors",
                "warnings",
                "issues",
            } <= set(doc)
        from python_calamine import CalamineWorkbook

        from junheng.ingest.size_limits import fits

        if not fits(path):
            return False
        sheets = CalamineWorkbook.from_path(str(path)).sheet_names
    except Exception:  # any file that cannot be read is not a report
        return False
    return len(sheets) == 1 and sheets[0] in REPORT_SHEETS.values()


def _remove_stale_report(path: Path, lang: Language) -> None:
    """Remove the error report of an earlier run after a run without errors.

    A file at that path that is not an error report is left alone, with a note.
    A path that cannot be looked up or removed is a :class:`WriteError`.
    """
    try:
        _remove_report(path, lang)
    except OSError as exc:
        raise WriteError(_write_failure(path, exc, "--errors-report")) from None


def _remove_report(path: Path, lang: Language) -> None:
    if not path.is_file():
        return
    if not _is_error_report(path):
        note = (
            f"注意：{path} 不是 junheng 写的错误报告，已保留原样；本次未发现输入错误。"
            if lang == "zh"
            else f"note: {path} is not an error report written by junheng and was "
            "left as it is; this run found no input errors."
        )
        _console().print(note, highlight=False, markup=False)
        return
    path.unlink()
    done = (
        f"已删除上次运行留下的错误报告 {path}：本次未发现输入错误。"
        if lang == "zh"
        else f"Removed the stale error report {path} of an earlier run: this run "
        "found no input errors."
    )
    _console().print(done, highlight=False, markup=False)


@contextmanager
def import_errors(errors_report: Path, lang: Language = "zh") -> Iterator[None]:
    """Report an error of an import and exit non-zero.

    Input errors with issues are printed in ``lang`` and written to
    ``errors_report``. When the block ends without an error, an error report
    left at ``errors_report`` by an earlier run is removed.
    """
    try:
        yield
    except InputError as error:
        if error.issues:
            _report_input_error(error, errors_report, lang)
        _fail(error)
    except JunhengError as error:
        _fail(error)
    _remove_stale_report(errors_report, lang)


WARNINGS_SHOWN = 5
OUTPUT_SUFFIXES = {"json": (".json",), "xlsx": (".xlsx",), "html": (".html", ".htm")}


def _check_report_suffix(
    ctx: click.Context, param: click.Parameter, value: Path
) -> Path:
    """Reject an error-report path that is neither .xlsx nor .json, before import."""
    if value.suffix.lower() not in (".xlsx", ".json"):
        raise click.BadParameter(
            f"{str(value)!r} must end in .xlsx or .json", ctx=ctx, param=param
        )
    return value


_errors_report = click.option(
    "--errors-report",
    type=FilePath(output=True),
    callback=_check_report_suffix,
    default=Path(DEFAULT_ERROR_REPORT),
    show_default=True,
    help="Where to write the list of input errors (.xlsx or .json); an error "
    "report left there by an earlier run is removed when this run finds none.",
)


def _path_values(value: Any) -> list[Path]:
    """Return the paths a parameter value names: its Path values and the strings
    that name existing files (such as a calibration or rules file)."""
    if isinstance(value, (tuple, list)):
        return [path for entry in value for path in _path_values(entry)]
    if isinstance(value, Path):
        return [value]
    if isinstance(value, str) and value and "\0" not in value:
        return [Path(value)] if os.path.isfile(value) else []
    return []


def _same_file(first: Path, second: Path) -> bool:
    try:
        if first.resolve() == second.resolve():
            return True
        return first.exists() and second.exists() and first.samefile(second)
    except (OSError, ValueError, RuntimeError):
        return False


def _option_name(param: click.Parameter) -> str:
    """Return the longest option name of ``param``, or "" for an argument."""
    if isinstance(param, click.Argument) or not param.opts:
        return ""
    return max(param.opts, key=len)


def _writes(param: click.Parameter) -> bool:
    """Tell whether ``param`` names a file that the command writes."""
    return isinstance(param.type, FilePath) and param.type.output


WRITTEN_NOUNS = {
    "--output": ("输出文件", "the output"),
    "--errors-report": ("错误报告", "the error report"),
}
"""Names of the file of each output option in the messages (zh, en)."""


def _clash(path: Path, option: str, value: Path, param: click.Parameter) -> str:
    """Return the zh / en message for a ``path`` to write that is ``value``,
    the file of ``param``: another output or an input of the command."""
    other = _option_name(param)
    if _writes(param):
        return (
            f"{option} {path} 与 {other} 是同一个文件；请换一个文件名，以免两者"
            f"互相覆盖 / {option} {str(path)!r} is the same file as {other}; "
            "choose another name so neither overwrites the other"
        )
    noun_zh, noun_en = WRITTEN_NOUNS.get(option, ("输出", "the output"))
    zh_option = f"（{other}）" if other else ""
    en_option = f" ({other})" if other else ""
    return (
        f"{option} {path} 就是输入文件 {value}{zh_option}；请换一个文件名，"
        f"以免{noun_zh}覆盖输入 / {option} {str(path)!r} is the input file "
        f"{str(value)!r}{en_option}; choose another name so {noun_en} does "
        "not overwrite the input"
    )


def _check_clashes(ctx: click.Context, path: Path, param_name: str) -> None:
    """Reject ``path``, the file parameter ``param_name`` writes, when it is a
    file that another parameter of the command names.

    Every parameter that does not write a file is an input: the file
    arguments and the options such as --locations, --schedule, --rule and
    --calibration, also when these take a file name as text.
    """
    option = next(
        (_option_name(p) for p in ctx.command.params if p.name == param_name),
        f"--{param_name}",
    )
    for param in ctx.command.params:
        if param.name in (None, param_name):
            continue
        for value in _path_values(ctx.params.get(param.name)):
            if _same_file(value, path):
                raise click.UsageError(_clash(path, option, value, param), ctx=ctx)


def _check_errors_report(ctx: click.Context) -> None:
    """Reject an --errors-report that is an input, the output, not writable or
    a file that Junheng did not write.

    A default report path that is not writable gets a note instead, because
    the report is only written when the input has errors.
    """
    report: Path = ctx.params["errors_report"]
    _check_clashes(ctx, report, "errors_report")
    lang = ctx.params.get("lang") or "zh"
    if (
        ctx.get_parameter_source("errors_report")
        is not click.core.ParameterSource.DEFAULT
    ):
        _check_writable(report, "--errors-report")
    else:
        failure = _unwritable(report)
        if failure is not None:
            _note_unwritable_report(report, failure, lang)
    check_replace(
        report,
        "--errors-report",
        replaceable=_is_error_report,
        message=(
            f"{report} 已存在，但不是 junheng 写的错误报告，未覆盖。请移走或"
            "改名该文件，或用 --errors-report 指定另一个路径 / "
            f"{str(report)!r} exists and is not an error report written by "
            "junheng, so it was not replaced; move or rename it, or give "
            "--errors-report another path"
        ),
    )


def _note_unwritable_report(report: Path, failure: OSError, lang: str) -> None:
    """Say before the input is read that the default error report cannot be
    written, so that input errors would only be printed."""
    reason = failure.strerror or str(failure)
    note = (
        f"注意：无法在此写入错误报告 {report}（{reason}）；输入如有错误，只在终端"
        "列出。要保存错误报告，请用 --errors-report 指定可写文件夹中的路径。"
        if lang == "zh"
        else f"note: the error report {report} cannot be written here ({reason}); "
        "input errors, if any, are only printed. To save them, give "
        "--errors-report a path in a folder you can write to."
    )
    _console().print(note, highlight=False, markup=False)


def errors_report_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the --errors-report option of the commands that import files.

    Before the command runs, the path is rejected when it names an input file
    or the --output file, or, when given, when its folder cannot take a file.
    The --output path gets the same folder check.
    """

    @functools.wraps(command)
    def checked(*args: Any, **kwargs: Any) -> Any:
        _check_errors_report(click.get_current_context())
        return command(*args, **kwargs)

    return _errors_report(checked)


lang_option: Callable[[Callable[..., Any]], Callable[..., Any]] = click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default="zh",
    show_default=True,
    help="Language of messages, input errors and the error report.",
)
"""The --lang option of the commands that import files without a report."""


framework_option: Callable[[Callable[..., Any]], Callable[..., Any]] = click.option(
    "--framework",
    "-f",
    default="cn-2017-quality",
    show_default=True,
    help="Framework id (see `junheng frameworks`) or a framework YAML file.",
)
"""The --framework option of the commands that evaluate or plan."""

profile_option: Callable[[Callable[..., Any]], Callable[..., Any]] = click.option(
    "--profile",
    "-p",
    default=None,
    help="Import profile for a non-template layout (see `junheng profiles`).",
)
"""The --profile option of the commands that read school files."""

encoding_option: Callable[[Callable[..., Any]], Callable[..., Any]] = click.option(
    "--encoding",
    default=None,
    help="Encoding of CSV input, such as big5 for traditional Chinese. "
    "Detected when omitted: UTF-8 with or without BOM, UTF-16 or UTF-32 with "
    "BOM, and GB18030/GBK.",
)
"""The --encoding option of the commands that read CSV files. It applies to
every CSV input of the command (see :func:`junheng.ingest.readers.decode_csv`)."""


def _load_framework(ref: str, lang: str = "zh") -> Framework:
    """Load framework ``ref`` and print the loader's warnings in ``lang``."""
    from junheng.standards.loader import load_framework

    framework = load_framework(ref)
    _print_framework_warnings(framework, lang)
    return framework


def _print_framework_warnings(framework: Framework, lang: str) -> None:
    prefix = "警告：" if lang == "zh" else "warning: "
    for warning in framework.warnings:
        _console().print(prefix + warning.get(lang), highlight=False, markup=False)


def check_output(
    output: Path | None,
    *,
    fmt: str | None = None,
    stem: str | None = None,
    suffixes: tuple[str, ...] | None = None,
) -> Path | None:
    """Return the file the command writes its output to, checked before any work.

    That is ``output`` when given. Without it, the xlsx and html formats write
    ``<stem>.<fmt>`` in the current folder; the table and JSON formats print,
    and the result is None. ``suffixes`` are the endings the file may have,
    those of ``fmt`` when not given.

    The file, the default name too, is rejected with a zh / en message when
    the table format is chosen, when its suffix is wrong, when it is a folder
    or when its folder cannot take a new file. It is also rejected when
    another parameter of the command names it: an input file (arguments,
    --locations, --schedule, --calibration, --rule and the like) or another
    file that the command writes (--errors-report, --save). An existing file
    that Junheng did not write is rejected unless --force is given (see
    :func:`check_replace`), so every command that calls this needs
    :data:`force_option`.
    """
    ctx = click.get_current_context()
    param = next(p for p in ctx.command.params if p.name == "output")
    if output is None:
        if stem is None or fmt in (None, "table", "json"):
            return None
        output = Path(f"{stem}.{fmt}")
        # A folder of that name gets the message of a given --output.
        param.type.convert(str(output), param, ctx)
    if fmt == "table":
        fmt_type = next(p.type for p in ctx.command.params if p.name == "fmt")
        choices = fmt_type.choices if isinstance(fmt_type, click.Choice) else FORMATS
        listed = [str(choice) for choice in choices if choice != "table"]
        zh = "、".join(listed[:-1]) + f" 或 {listed[-1]}"
        en = ", ".join(listed[:-1]) + f" or {listed[-1]}"
        raise click.UsageError(
            f"--output 需要 --format {zh}；table 格式输出到终端 / --output needs "
            f"--format {en}; the table format prints "
            "to the terminal"
        )
    if suffixes is None:
        suffixes = OUTPUT_SUFFIXES[fmt] if fmt else ()
    if suffixes and output.suffix.lower() not in suffixes:
        of_format = f"（--format {fmt} 的后缀）" if fmt else ""
        of_format_en = f", the suffix of --format {fmt}" if fmt else ""
        raise click.UsageError(
            f"--output {output} 的后缀不是 {' 或 '.join(suffixes)}{of_format}；请换"
            f"一个以 {' 或 '.join(suffixes)} 结尾的文件名 / --output "
            f"{str(output)!r} does not end in {' or '.join(suffixes)}"
            f"{of_format_en}; give a file name that ends in it"
        )
    _check_clashes(ctx, output, "output")
    _check_writable(output, "--output")
    check_replace(output, "--output")
    return output


def _print_warnings(
    warnings: list[Any],
    console: Console,
    limit: int | None = WARNINGS_SHOWN,
    lang: Language = "zh",
) -> None:
    """Print the first ``limit`` import warnings (all when ``None``) in ``lang``."""
    from junheng.ingest.issues import format_issues

    printed = warnings if limit is None else warnings[:limit]
    text = format_issues(printed, limit=len(printed), lang=lang)
    if text:
        console.print(text, highlight=False, markup=False)
    if limit is not None and len(warnings) > limit:
        more = len(warnings) - limit
        console.print(
            f"……另有 {more} 条警告（`junheng validate` 列出全部）"
            if lang == "zh"
            else f"... and {more} more warnings (`junheng validate` lists all)",
            highlight=False,
            markup=False,
        )


def _atomic_write(path: Path, write: Any, option: str = "--output") -> None:
    """Write through a temporary file in the same folder, then rename it into place.

    Missing folders are created. A failure half-way leaves no partial output
    file behind; an :class:`OSError` becomes a :class:`WriteError` naming
    ``path``, the reason and ``option``, the option that gave the path.
    """
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # The temporary file keeps the suffix, which some writers go by.
        fd, tmp = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent
        )
        os.close(fd)
        write(Path(tmp))
        if path.suffix.lower() == ".xlsx":
            with zipfile.ZipFile(tmp, "a") as archive:
                archive.comment = OUTPUT_MARK
        # mkstemp creates the file readable by its owner only; give the report
        # the permissions any new file gets under the current umask.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as exc:
        raise WriteError(_write_failure(path, exc, option)) from None
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)


def _report_options(command: Callable[..., None]) -> Callable[..., None]:
    """Add the --format, --output and --lang options shared by report commands."""
    options = [
        click.option(
            "--format",
            "fmt",
            type=click.Choice(FORMATS),
            default="table",
            show_default=True,
            help="Output format of the evaluation.",
        ),
        click.option(
            "--output",
            "-o",
            type=FilePath(output=True),
            default=None,
            help="Output file for json, xlsx or html. When omitted, JSON goes "
            f"to standard output, and xlsx and html to {REPORT_STEM}.xlsx or "
            f"{REPORT_STEM}.html in the current folder.",
        ),
        click.option(
            "--lang",
            type=click.Choice(["zh", "en"]),
            default="zh",
            show_default=True,
            help="Language of labels and reasons.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


class _LazyGroup(click.Group):
    """A command group that imports the platform commands when they are run.

    Their modules import SQLAlchemy and the services, which added about 0.6 s
    to every start, also of `evaluate` (measured with python -X importtime).
    """

    lazy_commands: ClassVar[dict[str, tuple[str, str]]] = {
        "db": ("junheng.cli.platform", "db"),
        "user": ("junheng.cli.platform", "user"),
        "import": ("junheng.cli.platform", "import_file"),
        "audit": ("junheng.cli.platform", "audit"),
        "serve": ("junheng.cli.serve", "serve"),
        "monitor": ("junheng.cli.monitor", "monitor"),
        "school": ("junheng.cli.platform", "school"),
        "deadline": ("junheng.cli.deadline", "deadline"),
        "plan": ("junheng.cli.plan", "plan"),
        "feedback": ("junheng.cli.feedback", "feedback"),
        "rectify": ("junheng.cli.rectify", "rectify"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands and cmd_name not in self.commands:
            module_name, attribute = self.lazy_commands[cmd_name]
            command = getattr(importlib.import_module(module_name), attribute)
            assert isinstance(command, click.Command)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="junheng")
@click.option("-v", "--verbose", count=True, help="Log more: -v info, -vv debug.")
def main(verbose: int) -> None:
    """Junheng 均衡: evaluate counties against the national standards for the
    balanced development of compulsory education.

    \b
    First steps:
      junheng demo                       evaluate a synthetic national dataset
      junheng template -o template.xlsx  write the Excel template (填报模板)
      junheng evaluate schools.xlsx      evaluate your own data
    """
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(
        level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s"
    )


def _check_county(value: str | None) -> str | None:
    """Reject an empty --county, which would match every division."""
    if value is not None and not value.strip():
        raise click.BadParameter(
            "--county 为空，会匹配所有区县；请给出行政区划代码的前几位（如 41 或 "
            "410102），或去掉 --county 以评估全部区县 / --county is empty, which "
            "would match every division; give the start of a division code (such "
            "as 41 or 410102), or leave --county out to evaluate every division",
            param_hint="'--county'",
        )
    return value.strip() if value is not None else None


def _filter(frame: pl.DataFrame, year: int | None, county: str | None) -> pl.DataFrame:
    if year is not None:
        frame = frame.filter(pl.col("year") == year)
    if county:
        frame = frame.filter(pl.col("division_code").str.starts_with(county))
    return frame


def _emit(
    doc: dict[str, Any], fmt: str, output: Path | None, lang: str, console: Console
) -> None:
    from junheng.reports import write_report
    from junheng.reports.terminal import render_summary

    if fmt == "table":
        render_summary(doc, Console(), lang=lang, max_counties=TERMINAL_COUNTIES)
        return
    if output is None:
        from junheng.reports.json_report import dump_json

        click.echo(dump_json(doc))
        return
    _atomic_write(output, lambda tmp: write_report(doc, fmt, tmp, lang))  # type: ignore[arg-type]
    console.print(f"已写入 / written: {output}", highlight=False, markup=False)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@framework_option
@profile_option
@click.option(
    "--year",
    "-y",
    type=int,
    default=None,
    help="Evaluate only this school year (start year, e.g. 2024).",
)
@click.option(
    "--county",
    "-c",
    default=None,
    callback=lambda ctx, param, value: _check_county(value),
    help="Evaluate only divisions whose code starts with CODE (county, "
    "city or province prefix).",
)
@_report_options
@encoding_option
@errors_report_option
@click.option(
    "--no-schools", is_flag=True, help="Leave the per-school list out of JSON output."
)
@force_option
def evaluate(
    files: tuple[Path, ...],
    framework: str,
    profile: str | None,
    year: int | None,
    county: str | None,
    fmt: str,
    output: Path | None,
    lang: str,
    encoding: str | None,
    errors_report: Path,
    no_schools: bool,
    force: bool,
) -> None:
    """Evaluate the counties in FILES and report their verdicts.

    FILES (.xlsx, .xlsm, .xls, .csv or .parquet) hold school rows, county-level
    items, or both. Any input error stops the run before anything is written:
    the errors are printed and saved to --errors-report, and the exit status
    is non-zero.
    """
    from junheng.evaluation.document import build_document
    from junheng.evaluation.verdict import evaluate as run_evaluation
    from junheng.ingest import load_inputs

    output = check_output(output, fmt=fmt, stem=REPORT_STEM)
    console = _console()
    with import_errors(errors_report, cast(Language, lang)):
        fw = _load_framework(framework, lang)
        with _stages(sys.stderr.isatty()) as progress:
            task = progress.add_task(
                "读取并校验数据 / reading and validating", total=None
            )
            result = load_inputs(
                list(files), profile=profile, framework=fw, encoding=encoding
            )
            schools = _filter(result.schools, year, county)
            items = _filter(result.county_items, year, county)
            if result.schools.is_empty():
                raise InputError(
                    "the input has no school rows; add the school sheet or file "
                    "(学校数据) to evaluate",
                    zh="输入中没有学校数据行，请加入学校数据工作表或文件后再评估",
                )
            if schools.is_empty():
                codes = sorted(result.schools["division_code"].unique())
                shown = ", ".join(codes[:10]) + (" …" if len(codes) > 10 else "")
                given = [
                    f"--{name} {value}"
                    for name, value in (("year", year), ("county", county))
                    if value is not None
                ]
                years = sorted(result.schools["year"].unique())
                raise InputError(
                    f"no school rows match {' and '.join(given)}; "
                    f"the input has years {years} and division codes {shown}",
                    zh=f"没有学校数据行符合 {' 和 '.join(given)}；"
                    f"输入中的学年为 {years}，行政区划代码为 {shown}",
                )
            progress.update(task, description="评估 / evaluating")
            # The terminal summary shows verdict counts per province but no
            # indicator roll-ups, which take about a seventh of the run.
            ev = run_evaluation(schools, fw, items, indicator_rollups=fmt != "table")
            progress.update(task, description="生成报告 / building the report")
            language = cast(Language, lang)
            # Every county-year of the school rows has a verdict row, so the
            # few verdict rows stand in for the two million school rows.
            unmatched = _items_without_schools(ev.verdicts, items, files, language)
            saved = [issue.as_dict(language) for issue in result.warnings]
            doc = build_document(
                ev,
                lang=lang,
                include_schools=fmt != "table" and not no_schools,
                sources=[str(f) for f in files],
                county_limit=TERMINAL_COUNTIES if fmt == "table" else None,
                warnings=saved + ([unmatched] if unmatched else []),
            )
        print_missing_items(files, language)
        notice = synthetic_notice(files)
        if notice is not None:
            # Saved demo data keeps its label in every report made from it.
            doc["notes"].insert(0, notice.text)
            print_notice(notice)
        _print_warnings(result.warnings, console, lang=language)
        if unmatched:
            console.print(
                _unmatched_line(unmatched, language), highlight=False, markup=False
            )
        _emit(doc, fmt, output, lang, console)


@dataclass(frozen=True)
class SyntheticNotice:
    """The notice that inputs are datasets saved by ``junheng demo``."""

    zh: str
    en: str
    files: tuple[Path, ...]
    """The synthetic input files."""

    @property
    def text(self) -> str:
        """The notice in Chinese, then in English."""
        return self.zh + self.en

    def message(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def synthetic_notice(files: Iterable[Path]) -> SyntheticNotice | None:
    """Return the notice for the ``files`` saved by ``junheng demo``, if any.

    When only some of ``files`` are synthetic, the notice names them and the
    others, so that real data is not labelled as generated.
    """
    from junheng import demo

    inputs = tuple(files)
    marked = tuple(f for f in inputs if demo.is_synthetic(f))
    if not marked:
        return None
    if len(marked) == len(inputs):
        return SyntheticNotice(demo.SYNTHETIC_ZH, demo.SYNTHETIC_EN, marked)
    others = [str(f) for f in inputs if f not in marked]
    names = [str(f) for f in marked]
    one, one_other = len(names) == 1, len(others) == 1
    these = "the input file" if one else "the input files"
    were, describe = ("was", "describes") if one else ("were", "describe")
    rest = "The other input file" if one_other else "The other input files"
    are = "is" if one_other else "are"
    # The command is named, because the datasets come from junheng.demo and
    # the rosters and locations from junheng.planning.synthetic.
    return SyntheticNotice(
        f"合成数据：输入文件 {'、'.join(names)} 由 junheng demo 随机生成，仅供演示和"
        "测试，不反映任何真实学校或县区的情况；其余输入文件 "
        f"{'、'.join(others)} 不是合成数据。",
        f"SYNTHETIC DATA: {these} {', '.join(names)} {were} generated at random by "
        f"junheng demo for demonstration and testing and {describe} no real school "
        f"or county. {rest} ({', '.join(others)}) {are} not synthetic.",
        marked,
    )


def print_missing_items(files: Iterable[Path], lang: str) -> None:
    """Print a notice for each Parquet school file of ``junheng demo --save``
    among ``files`` whose county items file is not among them.

    ``--save x.parquet`` writes the county items to ``x.county_items.parquet``.
    Without them, the county items count as not reported, so the verdicts
    differ from those of ``junheng demo``.
    """
    from junheng import demo

    inputs = list(files)
    given = {path.resolve() for path in inputs}
    for path in inputs:
        if path.suffix.lower() != ".parquet" or path.name.endswith(
            demo.COUNTY_ITEMS_SUFFIX
        ):
            continue
        items = demo.county_items_path(path)
        if items.resolve() in given or not demo.is_synthetic(path):
            continue
        note = (
            f"注意：{path} 由 junheng demo --save 保存，其县级指标在 {items} 中，"
            f"本次未读取，县级指标将按未填报处理。请一并给出：junheng evaluate "
            f"{path} {items}"
            if lang == "zh"
            else f"note: {path} was saved by junheng demo --save, and its county "
            f"items are in {items}, which this run does not read, so they count as "
            f"not reported. Give both: junheng evaluate {path} {items}"
        )
        _console().print(note, highlight=False, markup=False)


def print_notice(notice: SyntheticNotice) -> None:
    """Print ``notice`` in both languages on standard error."""
    _console().print(f"[bold yellow]{escape(notice.text)}[/]", highlight=False)


def label_plan(result: PlanResult, files: Iterable[Path], fmt: str) -> None:
    """Put the synthetic-data notice first in the messages of a plan made from
    ``files`` and print it, unless the terminal table prints the messages."""
    notice = synthetic_notice(files)
    if notice is None:
        return
    result.prepend_message(notice.zh, notice.en)
    result.synthetic = True
    if fmt != "table":
        print_notice(notice)


ITEMS_WITHOUT_SCHOOLS = "items_without_schools"
"""Code of the warning about county items whose county-year has no school rows."""


def _items_without_schools(
    counties: pl.DataFrame,
    items: pl.DataFrame,
    files: tuple[Path, ...],
    lang: Language,
) -> dict[str, Any] | None:
    """Return a warning naming the county-years with items but no school rows.

    Such items are not evaluated, and without the warning a mistyped division
    code or year would go unnoticed. The warning has the keys of
    :meth:`junheng.ingest.issues.Issue.as_dict`, so reports list it with the
    import warnings. Its ``file`` names every input file, because the items
    carry no file of their own. Its ``value`` lists every such county-year,
    and its message names the first 10. ``counties`` holds the county-years
    with school rows (``year`` and ``division_code``, other columns ignored).
    Returns None when every county-year of the items has school rows.
    """
    from junheng.ingest import file_labels
    from junheng.ingest.issues import Issue

    keys = ["year", "division_code"]
    orphans = (
        items.select(keys)
        .unique()
        .join(counties.select(keys).unique(), on=keys, how="anti")
        .sort(keys)
    )
    if orphans.is_empty():
        return None
    more = " …" if orphans.height > 10 else ""
    if lang == "zh":
        named = [f"{code}（{year}）" for year, code in orphans.iter_rows()]
        separator = "、"
        message = (
            f"县级指标中有 {orphans.height} 个县域学年没有学校数据，"
            f"未参与评估：{separator.join(named[:10])}{more}"
        )
        fix = "请核对行政区划代码和学年。"
    else:
        named = [f"{code} ({year})" for year, code in orphans.iter_rows()]
        separator = ", "
        if orphans.height == 1:
            subject = "1 county-year in the county items has no school rows and was"
        else:
            subject = (
                f"{orphans.height} county-years in the county items have no school "
                "rows and were"
            )
        message = f"{subject} not evaluated: {separator.join(named[:10])}{more}"
        fix = "Check the division codes and years."
    issue = Issue(
        ", ".join(file_labels(files)),
        None,
        None,
        None,
        separator.join(named),
        message,
        fix,
        severity="warning",
        rule=ITEMS_WITHOUT_SCHOOLS,
    )
    # The code is set after as_dict because the message is already in ``lang``.
    # An issue with a code would look up its wording in the import's messages,
    # which have no entry for this code.
    return {**issue.as_dict(lang), "code": ITEMS_WITHOUT_SCHOOLS}


def _unmatched_line(warning: dict[str, Any], lang: Language) -> str:
    """Return the terminal line of the warning of :func:`_items_without_schools`."""
    if lang == "zh":
        return f"警告：{warning['message']}。{warning['fix']}"
    return f"warning: {warning['message']}. {warning['fix']}"


@main.command()
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default="zh",
    show_default=True,
    help="Language of the warnings.",
)
def frameworks(lang: str) -> None:
    """List the installed evaluation frameworks and where they come from."""
    from junheng.standards.loader import ENV_VAR, load_framework, scan_frameworks

    table = Table("id", "名称 / name", "extends", "file")
    infos, unreadable = scan_frameworks()
    problems = [error.bilingual() for error in unreadable]
    loaded = []
    for info in infos:
        try:
            framework = load_framework(str(info.path))
        except JunhengError as error:
            problems.append(error.bilingual())
            continue
        loaded.append(framework)
        # The cells come from the files; brackets in them are not markup. The
        # name is the loaded one, the id for an override that names none.
        table.add_row(
            escape(info.id),
            escape(f"{framework.name.zh}\n{framework.name.en}"),
            escape(info.extends or ""),
            escape(str(info.path)),
        )
    Console().print(table)
    Console().print(f"Add folders of your own framework files to {ENV_VAR}.")
    for framework in loaded:
        _print_framework_warnings(framework, lang)
    for problem in problems:
        _console().print(
            f"[red]无法使用 / unusable:[/] {escape(problem)}", highlight=False
        )
    if problems:
        raise SystemExit(2)


@main.command()
def profiles() -> None:
    """List the installed import profiles and the profile files that are unusable."""
    from junheng.ingest.profiles import scan_profiles

    usable, problems = scan_profiles()
    table = Table("id", "名称 / name", "file")
    for info in usable:
        table.add_row(escape(info.id), escape(info.name), escape(str(info.path)))
    Console().print(table)
    for problem in problems:
        _console().print(
            f"[red]无法使用 / unusable:[/] {escape(problem.bilingual())}",
            highlight=False,
        )
    if problems:
        raise SystemExit(2)


@main.command()
@click.option(
    "--output",
    "-o",
    type=FilePath(output=True),
    default=Path("junheng-template.xlsx"),
    show_default=True,
    help="Where to write the Excel template.",
)
@click.option(
    "--framework",
    "-f",
    default="cn-2017-quality",
    show_default=True,
    help="Framework id or YAML file whose county item keys the county items "
    "sheet and its dropdown list.",
)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default="zh",
    show_default=True,
    help="Language of the headers, sheet names and instructions.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace an existing file at --output (its data are lost).",
)
def template(output: Path, framework: str, lang: Language, force: bool) -> None:
    """Write the Excel data template (headers, units, 填报说明, validation)."""
    from junheng.ingest.template import write_template

    if output.suffix.lower() != ".xlsx":
        raise click.BadParameter(
            f"{output} 的后缀不是 .xlsx；模板是 Excel 工作簿，请换一个以 .xlsx "
            f"结尾的文件名 / {str(output)!r} does not end in .xlsx; the template "
            "is an Excel workbook, so give a file name that ends in .xlsx",
            param_hint="'--output'",
        )
    # A template that Junheng wrote may have been filled in since, so any
    # existing file is kept, unlike the reports of the other commands.
    check_replace(
        output,
        "--output",
        replaceable=lambda path: False,
        message=(
            f"{output} 已存在，未覆盖：它可能是已填好的数据。请换一个文件名，或加 "
            f"--force 用空白模板替换它 / {str(output)!r} already exists and was "
            "not replaced, because it may hold filled-in data; give another file "
            "name, or add --force to replace it with a blank template"
        ),
    )
    check_output(output, suffixes=(".xlsx",))
    try:
        fw = _load_framework(framework, lang)
    except JunhengError as error:
        _fail(error)
    _atomic_write(output, lambda tmp: write_template(tmp, lang, fw))
    _console().print(
        f"已写入模板 / template written: {output}", highlight=False, markup=False
    )


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--profile", "-p", default=None, help="Import profile for the layout.")
@click.option(
    "--framework",
    "-f",
    default="cn-2017-quality",
    show_default=True,
    help="Framework whose county item keys are accepted.",
)
@encoding_option
@errors_report_option
@lang_option
@click.option(
    "--plausibility/--no-plausibility",
    default=True,
    show_default=True,
    help="Also run the plausibility checks that `junheng import` and the web "
    "upload apply (school year window, classes against students, largest "
    "class, upper bounds of counts). `junheng evaluate` does not apply them.",
)
def validate(
    files: tuple[Path, ...],
    profile: str | None,
    framework: str,
    encoding: str | None,
    errors_report: Path,
    lang: Language,
    plausibility: bool,
) -> None:
    """Check FILES without evaluating: exit 0 when they would import cleanly.

    The checks are those of `junheng import` that need no database: every
    input check and, unless --no-plausibility is given, the plausibility
    checks. Only the checks against the platform store (the user's scope,
    the division table, records under review) are left to `junheng import`.
    """
    from junheng.ingest import load_inputs

    with import_errors(errors_report, lang):
        fw = _load_framework(framework, lang)
        result = load_inputs(
            list(files), profile=profile, framework=fw, encoding=encoding
        )
        if plausibility:
            _check_plausibility(result, files)
    console = _console()
    _print_warnings(result.warnings, console, limit=None, lang=lang)
    schools, items = result.schools.height, result.county_items.height
    console.print(
        f"校验通过：{schools} 条学校记录，{items} 条县级指标"
        if lang == "zh"
        else f"valid: {schools} school rows, {items} county items",
        highlight=False,
        markup=False,
    )


def _check_plausibility(result: ImportResult, files: Iterable[Path]) -> None:
    """Raise the :class:`InputError` of the school rows of ``result`` that fail
    the plausibility checks of the platform, listed with the import warnings."""
    from junheng.ingest import file_labels, import_failure, sort_issues
    from junheng.services.validation import RowPlace, plausibility_issues

    found: list[Issue] = []
    places = result.school_places
    for row, place, headers in zip(
        result.schools.iter_rows(named=True), places, places.headers(), strict=True
    ):
        found += plausibility_issues(row, RowPlace(*place, columns=headers))
    if not found:
        return
    names = file_labels(list(files))
    raise import_failure(sort_issues([*result.warnings, *found], names), names)


@main.command()
@click.option(
    "--counties",
    type=click.IntRange(1, 2849),
    default=None,
    help="Number of counties (default: all 2,849 county-level divisions).",
)
@click.option(
    "--schools-per-county",
    type=click.FloatRange(1, 500),
    default=70,
    show_default=True,
    help="Average number of schools per county.",
)
@click.option(
    "--years",
    type=click.IntRange(1, 30),
    default=1,
    show_default=True,
    help="Number of consecutive school years, the last being --last-year.",
)
@click.option(
    "--last-year",
    type=click.IntRange(2000, 2100),
    default=None,
    help="Start year of the last school year generated. Default: the last "
    "school year that has ended (one runs from 1 September to 31 August), "
    "2025 from September 2026 to August 2027.",
)
@click.option(
    "--seed",
    type=int,
    default=20240901,
    show_default=True,
    help="Random seed; the same seed gives the same numbers, under the years "
    "that --years and --last-year set.",
)
@click.option(
    "--save",
    type=FilePath(output=True),
    default=None,
    help="Also save the synthetic dataset (.parquet or .xlsx).",
)
@click.option(
    "--save-roster",
    type=FilePath(output=True),
    default=None,
    help="Also save a synthetic teacher roster of the first county (.csv or "
    ".xlsx) and its school locations (…-locations.csv or …-locations.xlsx), "
    "for `junheng plan rotate`.",
)
@_report_options
@force_option
def demo(
    counties: int | None,
    schools_per_county: float,
    years: int,
    last_year: int | None,
    seed: int,
    save: Path | None,
    save_roster: Path | None,
    fmt: str,
    output: Path | None,
    lang: str,
    force: bool,
) -> None:
    """Generate a SYNTHETIC national dataset and evaluate it (no server needed).

    The data are made up by a seeded generator for trying Junheng out; they are
    not real statistics of any school or county. They cover the --years school
    years up to the last one that has ended (or --last-year).
    """
    from junheng import demo as synthetic
    from junheng.evaluation.document import build_document
    from junheng.evaluation.verdict import evaluate as run_evaluation
    from junheng.standards.loader import load_framework

    output = check_output(output, fmt=fmt, stem=REPORT_STEM)
    _check_saves(save, save_roster, output)
    console = _console()
    if fmt != "table":
        # The terminal summary shows the notice itself.
        console.print(f"[bold yellow]{synthetic.SYNTHETIC}[/]", highlight=False)
    fw = load_framework()
    with _stages(sys.stderr.isatty()) as progress:
        task = progress.add_task("生成合成数据 / generating synthetic data", total=None)
        last = last_year or synthetic.latest_complete_school_year()
        schools = synthetic.generate_schools(
            counties=counties,
            schools_per_county=schools_per_county,
            years=years,
            first_year=last - years + 1,
            seed=seed,
        )
        items = synthetic.generate_county_items(schools, seed=seed)
        saved: list[Path] = []
        if save is not None:
            progress.update(task, description=f"保存 / saving {save}")
            try:
                save.parent.mkdir(parents=True, exist_ok=True)
                saved = synthetic.save_dataset(schools, items, save)
            except OSError as exc:
                raise WriteError(_write_failure(save, exc, "--save")) from None
        roster_county = ""
        if save_roster is not None:
            progress.update(task, description=f"保存 / saving {save_roster}")
            roster_county = _save_roster(schools, seed, save_roster)
        progress.update(task, description="评估 / evaluating")
        ev = run_evaluation(schools, fw, items)
        progress.update(task, description="生成报告 / building the report")
        doc = build_document(
            ev,
            lang=lang,
            include_schools=fmt in ("json", "xlsx"),
            sources=["synthetic (junheng demo)"],
            county_limit=TERMINAL_COUNTIES if fmt == "table" else None,
        )
    doc["notes"].append(synthetic.SYNTHETIC)
    if save_roster is not None:
        from junheng.planning.synthetic import SYNTHETIC_ROSTER

        places = _locations_file(save_roster)
        schools_file = " ".join(map(str, saved)) or "SCHOOL_FILES"
        console.print(
            f"合成教师名册已保存 / synthetic roster saved: {save_roster}, {places}"
            f"（县 / county {roster_county}：junheng plan rotate {save_roster} "
            f"{schools_file} --county {roster_county} --locations {places}）。"
            f"{SYNTHETIC_ROSTER}",
            highlight=False,
            markup=False,
        )
    if saved:
        names = " ".join(str(path) for path in saved)
        console.print(
            f"合成数据已保存 / synthetic dataset saved: {names}",
            highlight=False,
            markup=False,
        )
        if len(saved) > 1:
            # The county items of a .parquet dataset are in a file of their own.
            console.print(
                f"评估时请给出全部 {len(saved)} 个文件 / evaluate all "
                f"{len(saved)} files: junheng evaluate {names}",
                highlight=False,
                markup=False,
            )
    _emit(doc, fmt, output, lang, console)


SAVE_SUFFIXES = {
    "--save": (".parquet", ".xlsx"),
    "--save-roster": (".csv", ".xlsx"),
}
"""File suffixes that `junheng demo` saves the dataset and the roster as."""


def _saved_files(save: Path | None, save_roster: Path | None) -> list[tuple[Path, str]]:
    """Return every file that --save and --save-roster write, with its option."""
    from junheng.demo import county_items_path

    files = []
    if save is not None:
        files.append((save, "--save"))
        if save.suffix.lower() == ".parquet":
            files.append((county_items_path(save), "--save"))
    if save_roster is not None:
        files.append((save_roster, "--save-roster"))
        files.append((_locations_file(save_roster), "--save-roster"))
    return files


def _check_saves(
    save: Path | None, save_roster: Path | None, output: Path | None
) -> None:
    """Reject a --save or --save-roster path before the data are generated."""
    for path, option in ((save, "--save"), (save_roster, "--save-roster")):
        suffixes = SAVE_SUFFIXES[option]
        if path is not None and path.suffix.lower() not in suffixes:
            listed = " 或 ".join(suffixes)
            listed_en = " or ".join(suffixes)
            raise click.BadParameter(
                f"{path} 的后缀不是 {listed}；请换一个以 {listed} 结尾的文件名 / "
                f"{str(path)!r} does not end in {listed_en}; give a file name "
                f"that ends in {listed_en}",
                param_hint=f"'{option}'",
            )
    for path, option in _saved_files(save, save_roster):
        if output is not None and _same_file(path, output):
            raise click.UsageError(
                f"{option} {path} 与 --output 是同一个文件；请换一个文件名，以免"
                f"两者互相覆盖 / {option} {str(path)!r} is the same file as "
                "--output; choose another name so neither overwrites the other"
            )
        _check_writable(path, option)
        check_replace(path, option)
        if path.is_dir():
            raise click.BadParameter(
                f"无法写入 {path}：这是一个文件夹，不是文件。{option} 也写入该文件；"
                f"请移走该文件夹，或为 {option} 换一个文件名 / cannot write {path}: "
                f"it is a folder, not a file. {option} writes that file too, so "
                f"move the folder or give {option} another file name.",
                param_hint=f"'{option}'",
            )


def _locations_file(roster: Path) -> Path:
    """Return the school locations file saved beside the roster ``roster``,
    of the same type (.csv or .xlsx)."""
    return roster.with_name(f"{roster.stem}-locations{roster.suffix.lower()}")


def _save_roster(schools: pl.DataFrame, seed: int, path: Path) -> str:
    """Write a synthetic roster of the first county and its school locations,
    each marked with the synthetic-data notice in its note column.

    Returns the division code of that county.
    """
    from junheng.planning.synthetic import (
        generate_locations,
        generate_roster,
        mark,
        write_marked_xlsx,
    )

    first = schools.filter(
        (pl.col("division_code") == schools["division_code"][0])
        & (pl.col("year") == schools["year"].max())
    )
    places = generate_locations(first, seed=seed)
    roster = mark(generate_roster(first, seed=seed, locations=places))
    places = mark(places)
    target = _locations_file(path)
    if path.suffix.lower() == ".xlsx":
        _atomic_write(
            path,
            lambda tmp: write_marked_xlsx(roster, tmp, "教师名册"),
            "--save-roster",
        )
        _atomic_write(
            target,
            lambda tmp: write_marked_xlsx(places, tmp, "学校位置"),
            "--save-roster",
        )
    else:
        _atomic_write(path, lambda tmp: roster.write_csv(tmp), "--save-roster")
        _atomic_write(target, lambda tmp: places.write_csv(tmp), "--save-roster")
    return str(first["division_code"][0])
