"""The ``wsync-lint`` command line: wiring only.

Heavy modules (sqlglot, the rules) are imported inside the commands that need them, so
``wsync-lint --version`` and ``--help`` start fast. Every failure ends as an exit code from
:mod:`wsync_lint.cli.exit_codes` with one clear line on standard error, never a traceback: click's
usage errors too (``wsync-lint: error: ...`` instead of click's three-line usage text), and every
line is made one line whatever values from files it quotes (:func:`~wsync_lint.printable.one_line`).
SIGINT and SIGTERM end the run, process pool included, with ``wsync-lint: aborted`` and exit code
128 + the signal's number (130 for Ctrl-C).
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

import click

from wsync_lint import __version__
from wsync_lint.cli.exit_codes import ExitCode
from wsync_lint.cli.options import EXIT_CODE_MEANINGS, add_exit_codes, exit_codes_epilog
from wsync_lint.errors import UsageError
from wsync_lint.lazy import imported
from wsync_lint.printable import one_line

_STOPPING_SIGNALS = (signal.SIGINT, signal.SIGTERM)

COMMANDS = {
    "check": "wsync_lint.cli.lint:check",
    "rules": "wsync_lint.cli.rule_docs:list_rules",
    "explain": "wsync_lint.cli.rule_docs:explain",
    "render": "wsync_lint.cli.printing:render",
    "columns": "wsync_lint.cli.printing:columns",
    "grants": "wsync_lint.cli.printing:grants",
    "preflight": "wsync_lint.cli.live:preflight",
    "schema": "wsync_lint.cli.live:schema",
    "plan": "wsync_lint.cli.api_deploy:plan",
    "deploy": "wsync_lint.cli.api_deploy:deploy",
    "status": "wsync_lint.cli.api_status:status",
    "import": "wsync_lint.cli.api_status:import_workspace",
    "init": "wsync_lint.cli.init:init",
}
"""Each command's name -> ``module:attribute`` of its click command, imported when it is used, so
that `check` does not import the modules of `deploy` or `grants` (tests/test_lazy_imports.py)."""


class LazyGroup(click.Group):
    """A group whose commands are imported when one is run or listed (``--help`` lists them all)."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        self._loaded: dict[str, click.Command] = {}
        self._lazy = dict(lazy or {})
        super().__init__(*args, **kwargs)

    @property  # type: ignore[override]
    def commands(self) -> dict[str, click.Command]:
        """Every command, all imported (click's own error suggestions and the tests read this)."""
        for name in list(self._lazy):
            self._load(name)
        return self._loaded

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        self._loaded = dict(value)

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        """As click's, without importing the lazy commands."""
        name = name or cmd.name
        assert name is not None
        self._lazy.pop(name, None)
        self._loaded[name] = cmd

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command's name, sorted, none imported."""
        return sorted({*self._loaded, *self._lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command, imported on first use."""
        if cmd_name in self._lazy:
            self._load(cmd_name)
        return self._loaded.get(cmd_name)

    def _load(self, name: str) -> None:
        module, attribute = self._lazy.pop(name).split(":")
        command: click.Command = imported(module, attribute)
        add_exit_codes(command, name)  # each --help lists its exit codes
        self._loaded[name] = command


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="wsync-lint", message="%(prog)s %(version)s")
def cli() -> None:
    """Lint mParticle Warehouse Sync data models before the API or the pipeline rejects them."""


# The group's own paragraph: every exit code (add_exit_codes would import every command to see theirs).
cli.epilog = exit_codes_epilog(*EXIT_CODE_MEANINGS)


class Interrupted(BaseException):
    """A stopping signal arrived. Not an ``Exception``, so that no ``except Exception`` on the way
    swallows it, and not ``KeyboardInterrupt``, which click answers with a line of its own."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _interrupt(signum: int, _frame: object) -> None:
    raise Interrupted(signum)


def _own_process() -> None:
    """Tune a process that runs for the command line alone: stop on SIGINT and SIGTERM through
    :class:`Interrupted` (a process pool is ended on the way out), and print a lone surrogate that
    no escaping caught as ``\\udXXX`` rather than fail on it."""
    for signum in _STOPPING_SIGNALS:
        signal.signal(signum, _interrupt)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def _error(message: str) -> None:
    click.echo(f"wsync-lint: {one_line(message)}", err=True)


def _usage_message(error: click.ClickException, args: list[str]) -> str:
    """Click's message, with where to look when it is about the command line (click says it in two
    more lines)."""
    message = error.format_message()
    context = getattr(error, "ctx", None)
    if isinstance(error, click.exceptions.NoArgsIsHelpError) and isinstance(context, click.Context):
        # Click would print the whole --help as the error: name the commands instead, on one line.
        group = context.command
        names = group.list_commands(context) if isinstance(group, click.Group) else []
        message = f"missing command (one of: {', '.join(names)})"
    if isinstance(error, click.NoSuchOption):
        message = _no_such_option(error)
    if not isinstance(error, click.UsageError):
        return message
    # Click's parser leaves out the context of an option it cannot use (`-o` without its file).
    path = context.command_path if context is not None else _command_path(args)
    return f"{message.removesuffix('.')} (see '{path} --help')"


def _path_error(error: OSError) -> str:
    """``NAME: why`` for a path the system refused, the name cut short: it may be kilobytes long."""
    name = str(error.filename) if error.filename is not None else ""
    shown = name if len(name) <= 120 else f"{name[:60]}…{name[-40:]} ({len(name):,} characters)"
    return f"{shown}: {error.strerror or error}" if name else str(error.strerror or error)


def _no_such_option(error: click.NoSuchOption) -> str:
    """Click's line, with a suggestion only when one option is really close (click offers `--jobs`
    for `--bogus`)."""
    import difflib

    options = list(error.possibilities or ())
    # Another tool's longer name for one of ours (ruff's `--output-format` for `--format`) counts too.
    words = set(error.option_name.lstrip("-").split("-"))
    close = (
        difflib.get_close_matches(error.option_name, options, n=1, cutoff=0.8)
        or [option for option in options if set(option.lstrip("-").split("-")) < words][:1]
    )
    suggestion = f"; did you mean '{close[0]}'?" if close else ""
    return f"No such option '{error.option_name}'{suggestion}"


def _command_path(args: list[str]) -> str:
    """``wsync-lint`` and the (sub)commands ``args`` name, as far as they name one."""
    words, command = ["wsync-lint"], cli
    for arg in args:
        found = command.get_command(click.Context(command), arg) if isinstance(command, click.Group) else None
        if found is None:
            break
        words.append(arg)
        command = found
    return " ".join(words)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and turn every failure into an exit code and one line.

    ``argv`` None means this process runs for the command line alone (the ``wsync-lint`` script,
    ``python -m wsync_lint``), so it may tune the process for one batch and exit; a caller that
    passes ``argv`` (tests, embedding) keeps its process as it is.
    """
    if argv is None:
        _own_process()
    try:
        cli.main(args=argv, prog_name="wsync-lint", standalone_mode=False, obj={"own_process": argv is None})
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        _error(f"error: {_usage_message(error, sys.argv[1:] if argv is None else argv)}")
        sys.exit(int(ExitCode.ERROR))
    except (click.exceptions.Abort, Interrupted) as stop:
        for signum in _STOPPING_SIGNALS:  # a second Ctrl-C must not interrupt the goodbye
            signal.signal(signum, signal.SIG_IGN)
        if sys.stderr.isatty():
            click.echo(err=True)  # ends the line the terminal's ^C echo is on
        _error("aborted")
        sys.exit(128 + (stop.signum if isinstance(stop, Interrupted) else signal.SIGINT))
    except UsageError as error:
        _error(f"error: {error}")
        sys.exit(int(ExitCode.ERROR))
    except BrokenPipeError:
        # The reader went away (`wsync-lint check | head`): stop quietly, as other CLI tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(int(ExitCode.FINDINGS))
    except RecursionError:
        _error("internal error: input nests too deeply to analyse")
        sys.exit(int(ExitCode.ERROR))
    except OSError as error:  # a path on the command line the system refuses (a name too long ...)
        _error(f"error: {_path_error(error)}")
        sys.exit(int(ExitCode.ERROR))
    except Exception as error:  # a bug: say so in one line, never a traceback
        _error(f"internal error: {type(error).__name__}: {error}")
        sys.exit(int(ExitCode.ERROR))
    sys.exit(int(ExitCode.CLEAN))
