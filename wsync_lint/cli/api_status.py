"""``wsync-lint status`` and ``wsync-lint import`` (wiring only: the work is in :mod:`wsync_lint.api`).

Both only read the workspace (GET). Neither prompts nor colours its output, so a scheduled CI job
can run them as they are.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click

from wsync_lint.cli.api_options import api_failures_end_the_run, api_options, settings_for_project
from wsync_lint.cli.exit_codes import ExitCode
from wsync_lint.cli.options import (
    emit_report,
    exit_zero_option,
    format_option,
    output_file_option,
    project_option,
    quiet_option,
    refuse_output_file,
)
from wsync_lint.printable import counted, one_line


@click.command()
@click.argument("pipelines", nargs=-1, metavar="[PIPELINE]...")
@project_option
@click.option(  # 50: the page size of R2's own runs example (EX-V2-35); a larger page is not documented
    "--runs",
    type=click.IntRange(1, 50),
    default=3,
    show_default=True,
    metavar="N",
    help="How many of each pipeline's latest runs to list (1 to 50).",
)
@api_options()
@format_option("text", "json")
@output_file_option
@quiet_option
@exit_zero_option
def status(
    pipelines: tuple[str, ...],
    project_path: Path | None,
    runs: int,
    workspace: str | None,
    timeout: float,
    config_path: Path | None,
    output_format: str,
    output_file: Path | None,
    quiet: bool,
    exit_zero: bool,
) -> None:
    """How each pipeline of the project is doing in its workspace (reads only).

    For each PIPELINE id (default: every pipeline of the project): its status, its connection's
    and data model's states, mParticle's error messages and its latest runs. A faulted connection,
    an invalid data model or a faulted pipeline is a finding on its payload file (rule LV05), with
    mParticle's message and the troubleshooting advice. A pipeline not in the workspace is a note.
    """
    from wsync_lint.api.client import WarehouseSyncClient
    from wsync_lint.api.status import STATUS_RULE, gather_status, render_status_json, render_status_text
    from wsync_lint.engine.run_result import RunOptions
    from wsync_lint.engine.runner import Planner, load_project
    from wsync_lint.project.project import project_root

    refuse_output_file(output_file)  # before the API is asked
    root = project_root(project_path if project_path is not None else Path("."))
    planner = Planner(RunOptions(select=(STATUS_RULE,), config_path=config_path))
    project = load_project(root, planner)
    settings = settings_for_project(root, workspace, timeout, config_path)
    with api_failures_end_the_run(), WarehouseSyncClient(settings) as client:
        result = gather_status(client, project, planner, pipelines, runs)
    if output_format == "json":
        report = render_status_json(result)
    else:
        report = render_status_text(result)
        if quiet:  # without the header and the summary: cut by position, never by what a line says
            body = "\n".join(report.splitlines()[1:-1]).strip("\n")
            report = f"{body}\n" if body else ""
    emit_report(settings.redact(report), output_file)
    if not quiet:
        for note in result.notes:
            _say(f"note: {note}", settings.redact, err=True)
    sys.exit(int(ExitCode.FINDINGS if result.failed and not exit_zero else ExitCode.CLEAN))


@click.command("import")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    help="The folder to write the payload files in [default: the current folder].",
)
@click.option("--overwrite", is_flag=True, help="Replace files that exist with other content.")
@api_options()
@quiet_option
def import_workspace(
    out_dir: Path, overwrite: bool, workspace: str | None, timeout: float, config_path: Path | None, quiet: bool
) -> None:
    """Write the workspace's connections, data models and pipelines as payload files (reads only).

    Under --out: connections/<id>.json, data-models/<id>.json with the SQL in models/<id>.sql
    (linked by `config.sql_file`, byte for byte) and pipelines/<id>.json. Read-only keys and
    secrets are left out (deploy takes secrets from the environment); a value holding a secret
    wsync-lint knows (a variable's) is written with `***` and named in a note. A file that exists with
    other content stops the import before anything is written, unless --overwrite. Without a
    configuration in the folder, a wsync-lint.toml naming the workspace is written too. Each file
    written is listed (`wrote PATH`); --quiet leaves out the notes and the closing summary.
    """
    from wsync_lint.api.client import WarehouseSyncClient
    from wsync_lint.api.importing import (
        IMPORTED_KINDS,
        config_file,
        file_size_limit,
        import_plan,
        known_secrets,
        write_import,
    )
    from wsync_lint.contract.api_state import LiveResource

    settings = settings_for_project(out_dir, workspace, timeout, config_path)
    resources: list[LiveResource] = []
    with api_failures_end_the_run(), WarehouseSyncClient(settings) as client:
        for kind in IMPORTED_KINDS:
            for body in client.list(kind):
                resource_id = body.get("id")
                resources.append(LiveResource(kind, resource_id if isinstance(resource_id, str) else "", body))
    configuration, config_note = config_file(out_dir, settings.workspace)
    limit = file_size_limit(out_dir, config_path, writes_config=configuration is not None)
    plan = import_plan(resources, known_secrets(settings), limit)
    if configuration is not None:
        plan.files.append(configuration)
    outcome = write_import(plan, out_dir, overwrite)
    for relative in outcome.written:
        _say(f"wrote {out_dir / relative}", settings.redact)
    counts = {kind: sum(1 for r in resources if r.kind is kind) for kind in IMPORTED_KINDS}
    notes = [*plan.notes, *([config_note] if config_note else [])]
    notes.append("field transformations were not imported: mParticle documents no API endpoints for them")
    if quiet:
        sys.exit(int(ExitCode.CLEAN))
    for note in notes:
        _say(f"note: {note}", settings.redact, err=True)
    read = ", ".join(counted(counts[kind], kind.display) for kind in IMPORTED_KINDS)
    files = f"{counted(len(outcome.written), 'file')} written, {len(outcome.unchanged)} unchanged"
    _say(f"Imported workspace {settings.workspace}: {read}; {files}.", settings.redact)
    _say(f"Next: `wsync-lint check {out_dir}` and `wsync-lint plan {out_dir}`.", settings.redact)
    sys.exit(int(ExitCode.CLEAN))


def _say(line: str, redact: Callable[[str], str], err: bool = False) -> None:
    """One line, made printable and with every secret the settings know replaced."""
    click.echo(redact(one_line(line)), err=err)
