"""The live commands of the command line: ``preflight`` and ``schema pull`` (wiring only).

The warehouse connectors, and their drivers, are imported only when one of these commands runs.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from wsync_lint.cli.exit_codes import ExitCode
from wsync_lint.cli.options import (
    FORMATS,
    config_option,
    emit_report,
    refuse_missing_paths,
    refuse_output_file,
    stacked,
    timeout_option,
)
from wsync_lint.printable import counted, one_line

if TYPE_CHECKING:
    from wsync_lint.engine.runner import RunOptions
    from wsync_lint.live.preflight import PreflightResult

_connection_options = stacked(
    click.option("--connection", metavar="ID", help="Only the pipelines of this connection id."),
    timeout_option("each login and each statement"),
    config_option,
)
"""``--connection``, ``--timeout`` and ``--config``, shared by both commands."""


def _say(lines: list[str], prefix: str) -> None:
    """Notes and errors on standard error, one line each whatever the values they quote hold."""
    for line in lines:
        click.echo(f"{prefix}{one_line(line)}", err=True)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_connection_options
@click.option("--count", is_flag=True, help="Count the rows of each pipeline's first sync window (reads data).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
)
@click.option("--output-file", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here.")
@click.option("--select", multiple=True, help="Rule codes, prefixes or names to check (replaces the configured set).")
@click.option("--extend-select", multiple=True, help="Rules to check in addition to the configured set.")
@click.option("--ignore", multiple=True, help="Rules not to check.")
@click.option(
    "--exit-zero", is_flag=True, help="Exit 0 even when there are findings (not when a warehouse is unreachable)."
)
@click.option("--quiet", "-q", is_flag=True, help="Print findings only: no summary, notes or progress.")
@click.option(
    "--api", "with_api", is_flag=True, help="Also read the Warehouse Sync workspace (GET only) for LV05 and LV06."
)
@click.option("--workspace", metavar="ID", help="With --api: the workspace id [default: from the configuration].")
def preflight(
    paths: tuple[Path, ...],
    connection: str | None,
    timeout: float,
    config_path: Path | None,
    count: bool,
    output_format: str,
    output_file: Path | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    exit_zero: bool,
    quiet: bool,
    with_api: bool,
    workspace: str | None,
) -> None:
    """Check each pipeline's model against its real warehouse, read-only, then lint the project.

    Per pipeline under PATHS (default: the current folder): the model and each query mParticle
    wraps it in are compiled without reading rows (LV01), the tables it reads are looked up and
    compared with the committed snapshot (LV04), the connection's privileges are checked (LV02),
    and with --count the rows of the first sync window are held to the record limits (LV03).
    Then every rule of `check` runs, the schema-aware ones on the warehouse's own columns and
    types. With --api, the workspace is read too (GET only) and LV05 and LV06 hold the payloads
    against it. Credentials come from the environment (see the README). Exit 3 when a warehouse
    or the API cannot be reached; the other connections are still checked.
    """
    from wsync_lint.cli.exit_codes import exit_code_for
    from wsync_lint.cli.options import selectors
    from wsync_lint.engine.runner import RunOptions
    from wsync_lint.live.preflight import PreflightOptions
    from wsync_lint.live.preflight import preflight as run_preflight
    from wsync_lint.live.progress import progress_for
    from wsync_lint.report import REPORTERS

    refuse_missing_paths(paths)
    refuse_output_file(output_file)  # before any warehouse is asked
    options = RunOptions(
        select=selectors(select) or None,
        extend_select=selectors(extend_select),
        ignore=selectors(ignore),
        config_path=config_path,
    )
    outcome = run_preflight(
        list(paths),
        options,
        PreflightOptions(connection=connection, count=count, timeout=timeout),
        progress=progress_for(output_format, quiet),
    )
    if with_api:
        _add_api_findings(outcome, list(paths), options, workspace, timeout)
    report = REPORTERS[output_format](outcome.result, quiet)
    emit_report(report, output_file)
    if not quiet:
        _say(outcome.notes, "note: ")
    _say(outcome.unreachable, "wsync-lint: unreachable: ")
    if outcome.unreachable:
        sys.exit(int(ExitCode.UNREACHABLE))
    sys.exit(int(exit_code_for(outcome.result, exit_zero)))


def _add_api_findings(
    outcome: PreflightResult, paths: list[Path], options: RunOptions, workspace: str | None, timeout: float
) -> None:
    """LV05 and LV06 from the workspace, added to a preflight's findings (an unreachable API is one
    more unreachable line: the warehouse's findings are still reported)."""
    from wsync_lint.api.errors import ApiUnreachable
    from wsync_lint.api.planning import plan_project
    from wsync_lint.cli.api_options import settings_for_project
    from wsync_lint.contract.rule import Violation

    try:
        planned = plan_project(
            paths or [Path(".")],
            options,
            lambda root: settings_for_project(root, workspace, timeout, options.config_path),
        )
    except ApiUnreachable as error:
        outcome.unreachable.append(str(error))
        return
    known = {violation.sort_key() for violation in outcome.result.violations}
    outcome.result.violations.extend(v for v in planned.plan.findings if v.sort_key() not in known)
    outcome.result.violations.sort(key=Violation.sort_key)
    outcome.notes.extend(planned.state.unchecked)


@click.group()
def schema() -> None:
    """Schema snapshots: the warehouse's tables and columns, committed next to the models."""


@schema.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_connection_options
def pull(paths: tuple[Path, ...], connection: str | None, timeout: float, config_path: Path | None) -> None:
    """Write <schema-dir>/<connection-id>.json from the warehouse, for the tables the models read.

    One snapshot per connection that a pipeline under PATHS (default: the current folder) uses;
    only metadata is read. Exit 3 when a warehouse cannot be reached.
    """
    from wsync_lint.engine.runner import RunOptions
    from wsync_lint.live.schema_pull import pull as run_pull

    refuse_missing_paths(paths)
    result = run_pull(list(paths), RunOptions(config_path=config_path), connection, timeout)
    for shown, tables in result.written:
        click.echo(f"wrote {shown} ({counted(tables, 'table')})")
    _say(result.notes, "note: ")
    _say(result.unreachable, "wsync-lint: unreachable: ")
    if result.unreachable:
        sys.exit(int(ExitCode.UNREACHABLE))
    sys.exit(int(ExitCode.CLEAN))
