"""Options and helpers the commands share, so that an option means the same wherever it exists."""

from __future__ import annotations

import math
import os
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

DIALECTS = ("snowflake", "bigquery", "redshift", "databricks")
# The names of wsync_lint.report.REPORTERS, spelled out so that `--help` and `--version` do not
# import the reporters (and sqlglot); a test keeps the two in step.
FORMATS = ("text", "json", "github", "sarif", "junit", "concise")


def selectors(values: tuple[str, ...]) -> tuple[str, ...]:
    """Selectors from repeated and comma-separated options: ``--select ST,RF01 --select CO``."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def wants_colour() -> bool:
    """Colour only for a person at a terminal who has not asked for none (https://no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _existing_project(_context: click.Context, _param: click.Parameter, value: Path | None) -> Path | None:
    """Refuse a ``--project`` that does not exist with the one line a missing PATH gets."""
    if value is not None and not os.path.lexists(value):
        from wsync_lint.errors import UsageError

        raise UsageError(f"--project {value}: no such file or folder")
    return value


project_option = click.option(
    "--project",
    "project_path",
    type=click.Path(path_type=Path),
    callback=_existing_project,
    help="A file or folder of the project [default: the folder of a TARGET that is a file, else the current folder].",
)
"""``--project PATH``, the same for every command that takes named things of a project (TARGET)."""


config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Use this configuration file.",
)
"""``--config``, the same for every command that reads configuration."""


output_file_option = click.option(
    "--output-file",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the output to this file (replaced whole, never through a link) instead of standard output.",
)
"""``-o/--output-file``, the same for every command that prints a report or a listing."""

quiet_option = click.option(
    "--quiet", "-q", is_flag=True, help="Print findings (or the result) only: no summary, notes or progress."
)
"""``-q/--quiet``, the same for every command that prints more than its result."""

exit_zero_option = click.option(
    "--exit-zero", is_flag=True, help="Exit 0 even when there are findings (not on errors or a target not checked)."
)
"""``--exit-zero``, for every command whose findings exit 1."""


def format_option(*choices: str) -> Callable[[F], F]:
    """``--format``, with the formats this command writes (the first is the default)."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help="The form of the output: text for people, the others for programs.",
    )


def stacked(*options: Callable[[F], F]) -> Callable[[F], F]:
    """One decorator for several options, listed in ``--help`` in the order given."""

    def decorate(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


selection_options = stacked(
    click.option(
        "--select", multiple=True, help="Rule codes, prefixes or names to check (replaces the configured set)."
    ),
    click.option("--extend-select", multiple=True, help="Rules to check in addition to the configured set."),
    click.option("--ignore", multiple=True, help="Rules not to check."),
)
"""``--select``, ``--extend-select`` and ``--ignore`` (comma-separated or repeated): ``check``, ``preflight``."""


cache_options = stacked(
    click.option(
        "--no-cache",
        is_flag=True,
        help="Check every file again: neither read nor write the cache (also WSYNC_LINT_NO_CACHE=1).",
    ),
    click.option(
        "--cache-dir",
        type=click.Path(file_okay=False, path_type=Path),
        metavar="DIR",
        help="Keep the cache in DIR [default: `cache-dir` in the configuration, else .wsync-lint-cache beside "
        "the configuration file, else in the current folder].",
    ),
)
"""``--no-cache`` and ``--cache-dir``: ``check``'s content cache (:mod:`wsync_lint.engine.cache`)."""


dialect_option = click.option(
    "--dialect",
    type=click.Choice(DIALECTS),
    help="Warehouse of a model no pipeline uses, or whose connection is not in the project.",
)
"""``--dialect`` for the commands that take one model (``render``, ``columns``)."""


DEFAULT_TIMEOUT = 30.0
MAX_TIMEOUT = 86400.0
"""One day. The drivers turn the timeout into a deadline, and a far larger one (``1e308``) does
not fit the platform's clock."""


class Seconds(click.FloatRange):
    """A number of seconds in a range; NaN, which compares with no bound, is refused too."""

    name = "number of seconds"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> float:
        seconds = super().convert(value, param, ctx)
        if math.isnan(seconds):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        return seconds


def timeout_option(what: str) -> Callable[[F], F]:
    """``--timeout SECONDS`` (0.1 to 86400, default 30), saying what it bounds."""
    return click.option(
        "--timeout",
        type=Seconds(min=0.1, max=MAX_TIMEOUT),
        metavar="SECONDS",
        default=DEFAULT_TIMEOUT,
        show_default=True,
        help=f"Seconds for {what} (0.1 to 86400).",
    )


def refuse_missing_paths(paths: tuple[Path, ...]) -> None:
    """A usage error (exit 2) for the first of ``paths`` that does not exist."""
    from wsync_lint.errors import UsageError

    for path in paths:
        if not path.exists():
            raise UsageError(f"{path}: no such file or folder")


def refuse_output_file(output_file: Path | None) -> None:
    """Refuse an ``--output-file`` the report could not be written to (a symbolic link, a folder)
    before the run starts, not after its work is done."""
    if output_file is not None:
        from wsync_lint.files import check_output_file

        check_output_file(output_file)


def emit_report(report: str | bytes | bytearray, output_file: Path | None) -> None:
    """The report (text, or UTF-8 bytes) to ``--output-file`` (atomically, never through a
    symbolic link), else to standard output."""
    if output_file is not None:
        from wsync_lint.files import write_output_file

        write_output_file(output_file, report)
    elif isinstance(report, str):
        click.echo(report, nl=False)
    else:
        try:
            click.echo(report, nl=False)
        except TypeError:  # a standard output that takes text only (a program that runs main())
            click.echo(report.decode("utf-8"), nl=False)


EXIT_CODE_MEANINGS = {
    0: "nothing at or above the failing severity",
    1: "findings",
    2: "usage, configuration or internal error",
    3: "a warehouse or the API could not be checked or reached",
}
"""What each exit code means, as every ``--help`` lists it (:mod:`wsync_lint.cli.exit_codes`)."""

_PRINTED = "printed"
_USAGE = "usage, configuration or internal error"
_API = "the API could not be reached, or its credentials are not set"

COMMAND_EXIT_CODES: dict[str, dict[int, str]] = {
    "check": {0: "no finding at or above `fail-on` (or --exit-zero)", 1: "findings at or above `fail-on`", 2: _USAGE},
    "preflight": {
        0: "no finding at or above `fail-on` (or --exit-zero)",
        1: "findings at or above `fail-on`",
        2: _USAGE,
        3: "a connection was not checked (no credentials or driver, or unreachable; the others still are), "
        "or the API could not be reached",
    },
    "schema pull": {
        0: "the snapshots were written",
        2: _USAGE,
        3: "a connection was not pulled (no credentials or driver, or unreachable)",
    },
    "render": {0: _PRINTED, 2: f"{_USAGE}, or a TARGET the project does not define"},
    "columns": {0: _PRINTED, 2: f"{_USAGE}, or a TARGET the project does not define"},
    "grants": {0: _PRINTED, 2: f"{_USAGE}, or nothing to grant"},
    "rules": {0: _PRINTED, 2: _USAGE},
    "explain": {0: _PRINTED, 2: f"{_USAGE}, or an unknown rule"},
    "plan": {
        0: "no blocked change and no finding (changes or not; or --exit-zero)",
        1: "a blocked change or a finding (or any change with --fail-on-changes)",
        2: _USAGE,
        3: _API,
    },
    "deploy": {
        0: "deployed, nothing to deploy, or a dry run",
        1: "a finding, a blocked change, a running pipeline, a refused write, a change still pending, "
        "or a cancelled deploy",
        2: _USAGE,
        3: "a warehouse was not checked (no credentials or driver) or could not be reached, or the API could not be reached",
    },
    "status": {
        0: "no faulted pipeline, connection or data model (or --exit-zero)",
        1: "a fault (LV05) at or above `fail-on`",
        2: f"{_USAGE}, or a PIPELINE the project does not define",
        3: _API,
    },
    "import": {0: "imported", 2: f"{_USAGE}, or a file in the way", 3: _API},
    "init": {0: "the project was written", 2: f"{_USAGE}, or a file in the way"},
}
"""The exit codes each command can return, by command path, with what each means there: the
``Exit codes:`` paragraph of its ``--help`` (:func:`add_exit_codes`). A new command adds its line."""


_EPILOG_TEXT_WIDTH = 66
"""Wide enough for most meanings on one line, narrow enough for an 80-column terminal."""


def exit_codes_epilog(*codes: int, meanings: dict[int, str] | None = None) -> str:
    """The ``Exit codes:`` paragraph of a command's ``--help``: the codes it can return, each with
    what it means there (``meanings`` overrides the common wording for this command)."""
    own = {**EXIT_CODE_MEANINGS, **(meanings or {})}
    lines = [
        f"  {code:<7}  " + f"\n{' ' * 11}".join(textwrap.wrap(own[code], _EPILOG_TEXT_WIDTH, break_on_hyphens=False))
        for code in codes
    ]
    # \b keeps click from re-wrapping the list into one paragraph.
    return "\b\nExit codes:\n" + "\n".join(lines) + "\n  130/143  interrupted (Ctrl-C / SIGTERM)"


def add_exit_codes(command: click.Command, path: str = "") -> None:
    """Give ``command`` (and every subcommand of a group) the ``Exit codes:`` paragraph of
    :data:`COMMAND_EXIT_CODES`; a group's own, and a command the table lacks (a test refuses that),
    get every code with its common meaning."""
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            add_exit_codes(sub, f"{path} {name}".strip())
        if command.epilog is None:
            # The top group can end any way; a subgroup (`schema`) only as its commands can.
            subcommands = [f"{path} {name}".strip() for name in command.commands]
            codes = sorted({code for sub in subcommands for code in COMMAND_EXIT_CODES.get(sub, {})}) if path else []
            command.epilog = exit_codes_epilog(*(codes or EXIT_CODE_MEANINGS))
        return
    if command.epilog is None:
        meanings = COMMAND_EXIT_CODES.get(path, EXIT_CODE_MEANINGS)
        command.epilog = exit_codes_epilog(*meanings, meanings=meanings)
