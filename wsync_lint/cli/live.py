"""The live commands of the command line: ``preflight`` and ``schema pull`` (wiring only).

The warehouse connectors, and their drivers, are imported only when one of these commands runs.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from wsync_lint.cli.exit_codes import ExitCode
from wsync_lint.cli.options import (
    FORMATS,
    config_option,
    emit_report,
    exit_zero_option,
    format_option,
    output_file_option,
    quiet_option,
    refuse_missing_paths,
    refuse_output_file,
    selection_options,
    stacked,
    timeout_option,
)
from wsync_lint.printable import counted, one_line

if TYPE_CHECKING:
    from wsync_lint.engine.run_result import NotChecked, RunOptions
    from wsync_lint.live.preflight import PreflightResult

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_SAMPLE_ROWS = 1000
"""``--sample`` without N: rows read at most per query."""
MAX_SAMPLE_ROWS = 1_000_000
"""A sample is aggregated in the warehouse; a larger one is a scan, which ``--count`` already is."""


class SampleRows(click.ParamType):
    """N of ``--sample [N]``: 1 to :data:`MAX_SAMPLE_ROWS`. The option's value is optional, so a
    path written right after it is read as N: the message says how to write both."""

    name = "N"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value)
        if not text.isdigit():
            self.fail(
                f"{text!r} is not a number of rows: write --sample=N, or put the paths before --sample", param, ctx
            )
        if not 1 <= int(text) <= MAX_SAMPLE_ROWS:
            self.fail(f"{text} is not from 1 to {MAX_SAMPLE_ROWS:,} rows", param, ctx)
        return int(text)


def _connection_options(connection_help: str) -> Callable[[F], F]:
    """``--connection`` (saying what it limits), ``--timeout`` and ``--config``, shared by both commands."""
    return stacked(
        click.option("--connection", metavar="ID", help=connection_help),
        timeout_option("each login and each statement"),
        config_option,
    )


# The formats whose report a person reads at the terminal: their report already lists what was not
# checked, so standard error does not say it twice.
_READ_AT_THE_TERMINAL = ("text", "concise")


def _say(lines: list[str], prefix: str) -> None:
    """Notes and errors on standard error, one line each whatever the values they quote hold."""
    for line in lines:
        click.echo(f"{prefix}{one_line(line)}", err=True)


def _tell_not_checked(targets: list[NotChecked]) -> None:
    """One line on standard error per target not checked (``wsync-lint: not checked: connection `x`:
    why`` / ``wsync-lint: unreachable: ...``), so that a CI log says why the run exits 3."""
    _say([target.line for target in targets], "wsync-lint: ")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_connection_options("Only the pipelines of this connection id, and a report of only its files.")
@click.option("--count", is_flag=True, help="Count the rows of each pipeline's first sync window (reads data).")
@click.option(
    "--sample",
    type=SampleRows(),
    is_flag=False,
    flag_value=DEFAULT_SAMPLE_ROWS,
    default=None,
    metavar="[N]",
    help=f"Check the identity and iterator values of at most N rows per pipeline [N default: {DEFAULT_SAMPLE_ROWS:,}] "
    "(reads data; only aggregates leave the warehouse).",
)
@click.option("--cost", is_flag=True, help="Estimate what each pipeline's runs scan per run and per month.")
@format_option(*FORMATS)
@output_file_option
@selection_options
@exit_zero_option
@quiet_option
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
    sample: int | None,
    cost: bool,
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
    With --sample, the warehouse counts over at most N rows the NULL and malformed identity values
    (LV08) and the NULL, future or wrongly scaled iterator values (LV09); with --cost, it estimates
    what each run scans, projected over a month of the schedule's runs (LV07).
    Then every rule of `check` runs, the schema-aware ones on the warehouse's own columns and
    types. With --api, the workspace is read too (GET only) and LV05 and LV06 hold the payloads
    against it. With --connection ID, the report holds only that connection's files: its payload,
    its pipelines, their data models (payload and SQL), field transformations and its snapshot.
    Credentials come from the environment (see the README). A connection whose driver is not
    installed or whose credentials are not set is "not checked", one that does not answer
    "unreachable": the report names each, and the run exits 3 after reporting the findings
    (--exit-zero does not change that); the other connections are still checked.
    """
    from wsync_lint.cli.exit_codes import exit_code_for
    from wsync_lint.cli.options import selectors
    from wsync_lint.engine.run_result import RunOptions
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
        PreflightOptions(connection=connection, count=count, timeout=timeout, sample=sample, cost=cost),
        progress=progress_for(output_format, quiet),
    )
    if with_api:
        _add_api_findings(outcome, list(paths), options, workspace, timeout)
    report = REPORTERS[output_format](outcome.result, quiet)
    emit_report(report, output_file)
    if not quiet:
        _say(outcome.notes, "note: ")
    targets = outcome.result.not_checked
    if output_file is not None or output_format not in _READ_AT_THE_TERMINAL:
        _tell_not_checked(targets)
    if targets:  # nothing was verified there: a CI job must not go green, whatever --exit-zero says
        sys.exit(int(ExitCode.UNREACHABLE))
    sys.exit(int(exit_code_for(outcome.result, exit_zero)))


def _add_api_findings(
    outcome: PreflightResult, paths: list[Path], options: RunOptions, workspace: str | None, timeout: float
) -> None:
    """LV05 and LV06 from the workspace, added to a preflight's findings. An API without credentials
    is not checked, one that cannot be read is unreachable: either is one more target not checked, and
    the warehouses' findings are still reported."""
    from wsync_lint.api.errors import ApiNotTried, ApiRefused, ApiUnreachable
    from wsync_lint.api.planning import plan_project
    from wsync_lint.api.settings import ApiSettings
    from wsync_lint.cli.api_options import settings_for_project
    from wsync_lint.engine.run_result import NotChecked

    asked: list[ApiSettings] = []

    def settings_for(root: Path) -> ApiSettings:
        settings = settings_for_project(root, workspace, timeout, options.config_path)
        asked.append(settings)
        settings.credentials()  # before the first request: without them nothing is tried
        return settings

    def target(why: str, unreachable: bool) -> NotChecked:
        return NotChecked("api", asked[-1].workspace if asked else workspace or "?", why, unreachable)

    try:
        planned = plan_project(paths or [Path(".")], options, settings_for)
    except ApiUnreachable as error:
        outcome.result.not_checked.append(target(str(error), unreachable=not isinstance(error, ApiNotTried)))
        return
    except ApiRefused as error:
        where = f" {error.method} {error.path}" if error.method else ""
        why = f"mParticle refused a read ({error.status}{where}): {error.message}"
        outcome.result.not_checked.append(target(why, unreachable=True))
        return
    outcome.add(planned.plan.findings)
    outcome.notes.extend(planned.state.unchecked)


@click.group()
def schema() -> None:
    """Schema snapshots: the warehouse's tables and columns, committed next to the models."""


@schema.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_connection_options("Only the snapshot of this connection id.")
@quiet_option
def pull(
    paths: tuple[Path, ...], connection: str | None, timeout: float, config_path: Path | None, quiet: bool
) -> None:
    """Write <schema-dir>/<connection-id>.json from the warehouse, for the tables the models read.

    One snapshot per connection that a pipeline under PATHS (default: the current folder) uses;
    only metadata is read. A connection whose driver is not installed or whose credentials are not
    set is "not checked", one that does not answer "unreachable": one line each on standard error,
    and exit 3 (the other snapshots are still written).
    """
    from wsync_lint.engine.run_result import RunOptions
    from wsync_lint.live.schema_pull import pull as run_pull

    refuse_missing_paths(paths)
    result = run_pull(list(paths), RunOptions(config_path=config_path), connection, timeout)
    for shown, tables in result.written:
        click.echo(f"wrote {shown} ({counted(tables, 'table')})")
    if not quiet:
        _say(result.notes, "note: ")
    _tell_not_checked(result.not_checked)
    if result.not_checked:
        sys.exit(int(ExitCode.UNREACHABLE))
    sys.exit(int(ExitCode.CLEAN))
