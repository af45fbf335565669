"""The ``wsync-lint`` command line: wiring only.

Heavy modules (sqlglot, the rules) are imported inside the commands that need them, so
``wsync-lint --version`` and ``--help`` start fast. Every failure ends as an exit code from
:mod:`wsync_lint.cli.exit_codes` with one clear line on standard error, never a traceback.
"""

from __future__ import annotations

import os
import sys

import click

from wsync_lint import __version__
from wsync_lint.cli.exit_codes import ExitCode
from wsync_lint.cli.lint import check, explain, list_rules
from wsync_lint.cli.live import preflight, schema
from wsync_lint.cli.printing import columns, grants, render
from wsync_lint.errors import UsageError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="wsync-lint", message="%(prog)s %(version)s")
def cli() -> None:
    """Lint mParticle Warehouse Sync data models before the API or the pipeline rejects them."""


for _command in (check, list_rules, explain, render, columns, grants, preflight, schema):
    cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and turn every failure into an exit code and one line.

    ``argv`` None means this process runs for the command line alone (the ``wsync-lint`` script,
    ``python -m wsync_lint``), so it may tune the process for one batch and exit; a caller that
    passes ``argv`` (tests, embedding) keeps its process as it is.
    """
    try:
        cli.main(args=argv, prog_name="wsync-lint", standalone_mode=False, obj={"own_process": argv is None})
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(int(ExitCode.ERROR))
    except click.exceptions.Abort:
        click.echo("wsync-lint: aborted", err=True)
        sys.exit(int(ExitCode.ERROR))
    except UsageError as error:
        click.echo(f"wsync-lint: error: {error}", err=True)
        sys.exit(int(ExitCode.ERROR))
    except BrokenPipeError:
        # The reader went away (`wsync-lint check | head`): stop quietly, as other CLI tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(int(ExitCode.FINDINGS))
    except RecursionError:
        click.echo("wsync-lint: internal error: input nests too deeply to analyse", err=True)
        sys.exit(int(ExitCode.ERROR))
    except Exception as error:  # a bug: say so in one line, never a traceback
        click.echo(f"wsync-lint: internal error: {type(error).__name__}: {error}", err=True)
        sys.exit(int(ExitCode.ERROR))
    sys.exit(int(ExitCode.CLEAN))
