"""The ``check`` command of the command line (wiring only)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from wsync_lint.cli.exit_codes import ExitCode
from wsync_lint.errors import UsageError
from wsync_lint.printable import one_line

if TYPE_CHECKING:  # annotations only: the commands import these when they run
    from wsync_lint.engine.run_result import RunOptions, RunResult
    from wsync_lint.engine.stdin import StdinFile

from wsync_lint.cli.options import (
    DIALECTS,
    FORMATS,
    cache_options,
    config_option,
    emit_report,
    exit_zero_option,
    format_option,
    output_file_option,
    quiet_option,
    refuse_output_file,
    selection_options,
    selectors,
    wants_colour,
)

STDIN = "-"


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@format_option(*FORMATS)
@output_file_option
@selection_options
@click.option(
    "--dialect",
    type=click.Choice(DIALECTS),
    help="Warehouse of models whose pipeline's connection does not name one, standalone SQL files "
    "included (beats config and directives; a model a pipeline uses is checked in its connection's warehouse).",
)
@config_option
@exit_zero_option
@quiet_option
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule instead of the findings.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    help="Processes to check files in [default: every CPU when there are more than 48 files, else 1].",
)
@click.option(
    "--fix",
    is_flag=True,
    help="Apply safe fixes, then report what remains (with `-`: print the fixed text, and the report on stderr).",
)
@click.option(
    "--diff",
    is_flag=True,
    help="Print the safe fixes as a unified diff instead of writing them (to -o when given; not with --fix, "
    "--statistics or a --format other than text).",
)
@click.option(
    "--stdin-filename",
    type=click.Path(path_type=Path),
    metavar="PATH",
    help="With `-`: check standard input as the file PATH (its project, configuration and pipelines; "
    "it need not exist).",
)
@click.option(
    "--show-settings",
    is_flag=True,
    help="Print, for each of PATHS, its project root, the configuration that applies, what it is, and for a model "
    "its warehouse (and where that comes from), pipelines and schema snapshot; check nothing.",
)
@click.option("--show-files", is_flag=True, help="List the files a run would check, and what each is; check nothing.")
@cache_options
def check(
    paths: tuple[Path, ...],
    output_format: str,
    output_file: Path | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    dialect: str | None,
    config_path: Path | None,
    exit_zero: bool,
    quiet: bool,
    statistics: bool,
    jobs: int | None,
    fix: bool,
    diff: bool,
    stdin_filename: Path | None,
    show_settings: bool,
    show_files: bool,
    no_cache: bool,
    cache_dir: Path | None,
) -> None:
    """Check data models (SQL) and payload files (JSON, YAML) under PATHS (default: the current folder).

    The whole project the PATHS belong to is loaded (everything under its root: the nearest folder
    with .git or a configuration file saying `root = true`; --show-settings names it), so that
    cross-file rules see the pipelines, models and connections together; findings are reported for
    the files under PATHS and cross-file findings involving them. `-` reads one file from standard
    input (with --stdin-filename PATH: as that file of its project; else a standalone model `-`).
    """
    from wsync_lint.cli.exit_codes import exit_code_for
    from wsync_lint.engine.collection import collect_for_a_run
    from wsync_lint.engine.run_result import RunOptions
    from wsync_lint.engine.runner import lint_paths

    from_stdin = _refuse_conflicts(
        paths, output_format, stdin_filename, statistics, fix, diff, show_settings, show_files
    )
    refuse_output_file(output_file)
    context = click.get_current_context()
    if context.obj and context.obj.get("own_process"):
        collect_for_a_run()
    options = RunOptions(
        dialect=dialect,
        select=selectors(select) or None,
        extend_select=selectors(extend_select),
        ignore=selectors(ignore),
        config_path=config_path,
        cache=not no_cache and not _cache_disabled(),
        cache_dir=cache_dir,
    )
    stdin = _read_stdin(stdin_filename, options) if from_stdin and not show_files else None
    if show_settings or show_files:
        emit_report(_listing(paths, options, stdin, show_files), output_file)
        sys.exit(int(ExitCode.CLEAN))
    targets = paths or (Path("."),)
    result = lint_paths(targets, options, jobs, stdin)
    fixed_text: bytes | None = None
    if stdin is not None and (fix or diff):
        from wsync_lint.engine.fixer import fix_stdin
        from wsync_lint.engine.stdin import StdinFile

        fixed = fix_stdin(result, stdin, options)
        if diff:
            _emit_diff(fixed.diff, output_file)
            sys.exit(int(ExitCode.FINDINGS if fixed.diff else ExitCode.CLEAN))
        fixed_text = fixed.data
        if fixed.fixed:
            result = lint_paths(targets, options, jobs, StdinFile(stdin.path, fixed.data, stdin.limit))
        result.fixed = fixed.fixed
    elif fix or diff:
        from wsync_lint.engine.fixer import fix_paths

        fixes = fix_paths(result, options, write=not diff)
        if diff:
            _emit_diff("".join(fixes.diffs), output_file)
            sys.exit(int(ExitCode.FINDINGS if fixes.diffs else ExitCode.CLEAN))
        for line in fixes.refused:
            click.echo(f"wsync-lint: not fixed: {one_line(line)}", err=True)
        if fixes.fixed:
            # Checked again as a whole, so that what remains is exactly what `check` says next.
            result = lint_paths(targets, options, jobs)
        result.fixed = fixes.fixed
    if fixed_text is not None:
        assert stdin is not None
        _write_fixed_stdin(fixed_text, stdin)
    report = _report(result, output_format, quiet, statistics, colour=output_file is None and fixed_text is None)
    if fixed_text is not None and output_file is None:
        click.echo(report, nl=False, err=True)  # standard output holds the fixed text
    else:
        emit_report(report, output_file)
    if not quiet:
        from wsync_lint.engine.settings_report import dialect_note

        note = dialect_note(result)
        if note is not None:
            click.echo(f"wsync-lint: {one_line(note)}", err=True)
    sys.exit(int(exit_code_for(result, exit_zero)))


def _cache_disabled() -> bool:
    from wsync_lint.engine.cache import cache_disabled_by_environment

    return cache_disabled_by_environment()


def _refuse_conflicts(
    paths: tuple[Path, ...],
    output_format: str,
    stdin_filename: Path | None,
    statistics: bool,
    fix: bool,
    diff: bool,
    show_settings: bool,
    show_files: bool,
) -> bool:
    """Refuse, with one line, options that cannot go together; whether PATHS is `-` (standard input)."""
    from_stdin = any(str(path) == STDIN for path in paths)
    if from_stdin and len(paths) > 1:
        raise UsageError("`-` (standard input) is the only PATH when given: check the other PATHS in another run")
    if stdin_filename is not None and not from_stdin:
        raise UsageError("--stdin-filename names the file standard input stands in for: give `-` as the PATH")
    if show_settings and show_files:
        raise UsageError("--show-settings and --show-files: give one of them")
    if diff:
        if fix:
            raise UsageError("--diff prints the fixes that --fix would write: give one of them")
        if output_format != "text":
            raise UsageError(
                f"--diff prints a unified diff, not a report: it cannot be combined with --format {output_format}"
            )
        if statistics:
            raise UsageError("--diff prints a unified diff, not a report: it cannot be combined with --statistics")
    return from_stdin


def _read_stdin(stdin_filename: Path | None, options: RunOptions) -> StdinFile:
    """Standard input, at most the ``max-file-size`` of the configuration that applies to it."""
    from wsync_lint.engine.runner import Planner
    from wsync_lint.engine.stdin import STDIN_NAME, read_stdin

    location = stdin_filename if stdin_filename is not None else Path.cwd() / STDIN_NAME
    if stdin_filename is not None and stdin_filename.is_dir():
        raise UsageError(f"--stdin-filename {stdin_filename}: a folder, not a file")
    limit = Planner(options).config_for(location).max_file_size
    if sys.stdin is None:  # started with standard input closed (`wsync-lint check - <&-`)
        raise UsageError("`-`: standard input is closed: give the text on standard input, or PATHS")
    return read_stdin(sys.stdin.buffer, stdin_filename, limit)


def _listing(paths: tuple[Path, ...], options: RunOptions, stdin: StdinFile | None, show_files: bool) -> str:
    """What --show-files or --show-settings prints."""
    if show_files:
        from wsync_lint.engine.file_listing import file_listing

        if any(str(path) == STDIN for path in paths):
            raise UsageError("--show-files lists the files under PATHS: `-` (standard input) is one file, not listed")
        lines = file_listing(list(paths or (Path("."),)), options)
        return "".join(f"{one_line(line)}\n" for line in lines)
    from wsync_lint.engine.settings_report import show_settings

    if stdin is not None:
        return one_line_each(show_settings(None, options, stdin))
    # A blank line between the files, as between paragraphs.
    return "\n".join(one_line_each(show_settings(path, options)) for path in paths or (Path("."),))


def one_line_each(text: str) -> str:
    """Each line of ``text`` made printable (paths and ids come from files)."""
    return "".join(f"{one_line(line)}\n" for line in text.splitlines())


def _emit_diff(diff: str, output_file: Path | None) -> None:
    """``--diff``: to ``-o`` or a pipe exactly as it is, so that `git apply` takes it (click would
    strip what looks like a colour code from a pipe); to a terminal with its control characters
    escaped, since a line of a model must not drive the terminal."""
    if output_file is not None:
        emit_report(diff, output_file)
    elif sys.stdout.isatty():
        from wsync_lint.printable import many_lines

        click.echo(many_lines(diff), nl=False)
    else:
        sys.stdout.write(diff)
        sys.stdout.flush()


def _write_fixed_stdin(data: bytes, stdin: StdinFile) -> None:
    """``check - --fix``: the fixed text on standard output, as an editor replaces its buffer with
    it; over the size limit nothing was fixed, and the text passes through whole."""
    out = sys.stdout.buffer
    out.write(data)
    if stdin.over_limit:
        import shutil

        out.write(stdin.overflow)
        shutil.copyfileobj(sys.stdin.buffer, out)
    out.flush()


def _report(
    result: RunResult, output_format: str, quiet: bool, statistics: bool, colour: bool
) -> str | bytes | bytearray:
    from wsync_lint.report import REPORTERS

    if statistics:
        from wsync_lint.report.statistics import render_statistics

        return render_statistics(result, quiet)
    if output_format in ("text", "concise") and colour and wants_colour():
        from wsync_lint.report.text import render_text

        return render_text(result, quiet, color=True, concise=output_format == "concise")
    return REPORTERS[output_format](result, quiet)
