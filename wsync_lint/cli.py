"""The ``wsync-lint`` command line: wiring only.

Heavy modules (sqlglot, the rules) are imported inside the commands that need them, so
``wsync-lint --version`` and ``--help`` start fast. Every failure ends as an exit code from
:mod:`wsync_lint.exit_codes` with one clear line on standard error, never a traceback.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from wsync_lint import __version__
from wsync_lint.errors import UsageError
from wsync_lint.exit_codes import ExitCode

DIALECTS = ("snowflake", "bigquery", "redshift", "databricks")
# The names of wsync_lint.report.REPORTERS, spelled out so that `--help` and `--version` do not
# import the reporters (and sqlglot); a test keeps the two in step.
FORMATS = ("text", "json", "github", "sarif", "junit")


def _selectors(values: tuple[str, ...]) -> tuple[str, ...]:
    """Selectors from repeated and comma-separated options: ``--select ST,RF01 --select CO``."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="wsync-lint", message="%(prog)s %(version)s")
def cli() -> None:
    """Lint mParticle Warehouse Sync data models before the API or the pipeline rejects them."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output-file", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here.")
@click.option("--select", multiple=True, help="Rule codes, prefixes or names to check (replaces the configured set).")
@click.option("--extend-select", multiple=True, help="Rules to check in addition to the configured set.")
@click.option("--ignore", multiple=True, help="Rules not to check.")
@click.option(
    "--dialect", type=click.Choice(DIALECTS), help="Warehouse dialect of every file (beats config and directives)."
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Use this configuration file.",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--quiet", "-q", is_flag=True, help="Print findings only, no summary.")
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule instead of the findings.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    help="Processes to check files in [default: every CPU when there are more than 48 files, else 1].",
)
@click.option("--fix", is_flag=True, help="Apply safe fixes, then report what remains.")
@click.option("--diff", is_flag=True, help="Print the safe fixes as a unified diff instead of writing them.")
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
) -> None:
    """Check data models (SQL files) under PATHS (default: the current folder)."""
    from wsync_lint.exit_codes import exit_code_for
    from wsync_lint.report import REPORTERS
    from wsync_lint.runner import RunOptions, lint_paths

    options = RunOptions(
        dialect=dialect,
        select=_selectors(select) or None,
        extend_select=_selectors(extend_select),
        ignore=_selectors(ignore),
        config_path=config_path,
    )
    result = lint_paths(paths or (Path("."),), options, jobs)
    if fix or diff:
        from wsync_lint.fixer import fix_paths

        fixes = fix_paths(result, options, write=not diff)
        if diff:
            click.echo("".join(fixes.diffs), nl=False)
            sys.exit(int(ExitCode.FINDINGS if fixes.diffs else ExitCode.CLEAN))
        result.fixed = fixes.fixed
    if statistics:
        from wsync_lint.report.statistics import render_statistics

        report = render_statistics(result, quiet)
    elif output_format == "text" and output_file is None and _wants_colour():
        from wsync_lint.report.text import render_text

        report = render_text(result, quiet, color=True)
    else:
        report = REPORTERS[output_format](result, quiet)
    if output_file is not None:
        try:
            output_file.write_text(report, encoding="utf-8")
        except OSError as error:
            raise _Fail(f"{output_file}: cannot write the report: {error.strerror}") from None
    else:
        click.echo(report, nl=False)
    sys.exit(int(exit_code_for(result, exit_zero)))


@cli.command("rules")
@click.option("--format", "output_format", type=click.Choice(("text", "markdown")), default="text", show_default=True)
def list_rules(output_format: str) -> None:
    """List every rule: code, name, default severity and summary."""
    from wsync_lint.docs import render_rule_table, render_rules_markdown
    from wsync_lint.registry import all_rules

    render = render_rules_markdown if output_format == "markdown" else render_rule_table
    click.echo(render(all_rules()), nl=False)


@cli.command()
@click.argument("code_or_name")
def explain(code_or_name: str) -> None:
    """Show the documentation of one rule, by code (ST03) or name (trailing-semicolon)."""
    from wsync_lint.docs import render_explain
    from wsync_lint.registry import find_rule

    rule = find_rule(code_or_name)
    if rule is None:
        raise _Fail(f"unknown rule {code_or_name!r}; `wsync-lint rules` lists them")
    click.echo(render_explain(rule), nl=False)


def _wants_colour() -> bool:
    """Colour only for a person at a terminal who has not asked for none (https://no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


class _Fail(Exception):
    """A usage problem found by the CLI itself."""


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and turn every failure into an exit code and one line."""
    try:
        cli.main(args=argv, prog_name="wsync-lint", standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(int(ExitCode.ERROR))
    except click.exceptions.Abort:
        click.echo("wsync-lint: aborted", err=True)
        sys.exit(int(ExitCode.ERROR))
    except (_Fail, UsageError) as error:
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
