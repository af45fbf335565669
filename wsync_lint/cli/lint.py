"""The ``check`` command of the command line (wiring only)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from wsync_lint.cli.exit_codes import ExitCode
from wsync_lint.printable import one_line

if TYPE_CHECKING:  # annotations only: the commands import these when they run
    pass

from wsync_lint.cli.options import (
    DIALECTS,
    FORMATS,
    config_option,
    emit_report,
    refuse_output_file,
    selectors,
    wants_colour,
)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output-file", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here.")
@click.option("--select", multiple=True, help="Rule codes, prefixes or names to check (replaces the configured set).")
@click.option("--extend-select", multiple=True, help="Rules to check in addition to the configured set.")
@click.option("--ignore", multiple=True, help="Rules not to check.")
@click.option(
    "--dialect",
    type=click.Choice(DIALECTS),
    help="Warehouse of models whose pipeline's connection does not name one, standalone SQL files "
    "included (beats config and directives; a model a pipeline uses is checked in its connection's warehouse).",
)
@config_option
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
@click.option(
    "--show-settings",
    is_flag=True,
    help="Print, for each of PATHS, its project root, the configuration that applies, and for a model its "
    "warehouse (and where that comes from), pipelines and schema snapshot; check nothing.",
)
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
    show_settings: bool,
) -> None:
    """Check data models (SQL) and payload files (JSON, YAML) under PATHS (default: the current folder).

    The whole project the PATHS belong to is loaded (everything under its root: the nearest folder
    with .git or a configuration file saying `root = true`; --show-settings names it), so that
    cross-file rules see the pipelines, models and connections together; findings are reported for
    the files under PATHS and cross-file findings involving them.
    """
    from wsync_lint.cli.exit_codes import exit_code_for
    from wsync_lint.engine.runner import RunOptions, freeze_imports, lint_paths
    from wsync_lint.report import REPORTERS

    refuse_output_file(output_file)
    context = click.get_current_context()
    if context.obj and context.obj.get("own_process"):
        freeze_imports()
    options = RunOptions(
        dialect=dialect,
        select=selectors(select) or None,
        extend_select=selectors(extend_select),
        ignore=selectors(ignore),
        config_path=config_path,
    )
    if show_settings:
        from wsync_lint.engine.settings_report import show_settings as settings_of

        click.echo("\n".join(settings_of(path, options) for path in paths or (Path("."),)), nl=False)
        sys.exit(int(ExitCode.CLEAN))
    result = lint_paths(paths or (Path("."),), options, jobs)
    if fix or diff:
        from wsync_lint.engine.fixer import fix_paths

        fixes = fix_paths(result, options, write=not diff)
        if diff:
            click.echo("".join(fixes.diffs), nl=False)
            sys.exit(int(ExitCode.FINDINGS if fixes.diffs else ExitCode.CLEAN))
        for line in fixes.refused:
            click.echo(f"wsync-lint: not fixed: {one_line(line)}", err=True)
        if fixes.fixed:
            # Checked again as a whole, so that what remains is exactly what `check` says next.
            result = lint_paths(paths or (Path("."),), options, jobs)
        result.fixed = fixes.fixed
    if statistics:
        from wsync_lint.report.statistics import render_statistics

        report = render_statistics(result, quiet)
    elif output_format == "text" and output_file is None and wants_colour():
        from wsync_lint.report.text import render_text

        report = render_text(result, quiet, color=True)
    else:
        report = REPORTERS[output_format](result, quiet)
    emit_report(report, output_file)
    if not quiet:
        from wsync_lint.engine.settings_report import dialect_note

        note = dialect_note(result)
        if note is not None:
            click.echo(f"wsync-lint: {one_line(note)}", err=True)
    sys.exit(int(exit_code_for(result, exit_zero)))
