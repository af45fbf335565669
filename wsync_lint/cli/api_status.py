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
from wsync_lint.cli.options import emit_report, refuse_output_file
from wsync_lint.printable import counted, one_line


@click.command()
@click.argument("pipelines", nargs=-1, metavar="[PIPELINE]...")
@click.option(
    "--project",
    "project_path",
    type=click.Path(exists=True, path_type=Path),
    default=Path("."),
    help="A file or folder of the project [default: the current folder].",
)
@click.option(  # 50: the page size of R2's own runs example (EX-V2-35); a larger page is not documented
    "--runs",
    type=click.IntRange(1, 50),
    default=3,
    show_default=True,
    metavar="N",
    help="How many of each pipeline's latest runs to list (1 to 50).",
)
@api_options()
@click.option("--format", "output_format", type=click.Choice(("text", "json")), default="text", show_default=True)
@click.option("--output-file", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here.")
def status(
    pipelines: tuple[str, ...],
    project_path: Path,
    runs: int,
    workspace: str | None,
    timeout: float,
    config_path: Path | None,
    output_format: str,
    output_file: Path | None,
) -> None:
    """How each pipeline of the project is doing in its workspace (reads only).

    For each PIPELINE id (default: every pipeline of the project): its status, its connection's
    and data model's states, mParticle's error messages and its latest runs. A faulted connection,
    an invalid data model or a faulted pipeline is a finding on its payload file (rule LV05), with
    mParticle's message and the troubleshooting advice. A pipeline not in the workspace is a note.
    Exit 1 on a finding, 2 for a PIPELINE the project does not define, 3 when the API cannot be
    reached.
    """
    from wsync_lint.api.client import WarehouseSyncClient
    from wsync_lint.api.status import STATUS_RULE, gather_status, render_status_json, render_status_text
    from wsync_lint.engine.runner import Planner, RunOptions, load_project
    from wsync_lint.project.project import project_root

    refuse_output_file(output_file)  # before the API is asked
    root = project_root(project_path)
    planner = Planner(RunOptions(select=(STATUS_RULE,), config_path=config_path))
    project = load_project(root, planner)
    settings = settings_for_project(root, workspace, timeout, config_path)
    with api_failures_end_the_run(), WarehouseSyncClient(settings) as client:
        result = gather_status(client, project, planner, pipelines, runs)
    render = render_status_json if output_format == "json" else render_status_text
    report = settings.redact(render(result))
    emit_report(report, output_file)
    for note in result.notes:
        _say(f"note: {note}", settings.redact, err=True)
    sys.exit(int(ExitCode.FINDINGS if result.failed else ExitCode.CLEAN))


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
def import_workspace(
    out_dir: Path, overwrite: bool, workspace: str | None, timeout: float, config_path: Path | None
) -> None:
    """Write the workspace's connections, data models and pipelines as payload files (reads only).

    Under --out: connections/<id>.json, data-models/<id>.json with the SQL in models/<id>.sql
    (linked by `config.sql_file`, byte for byte) and pipelines/<id>.json. Read-only keys and
    secrets are left out (deploy takes secrets from the environment); a value holding a secret
    wsync-lint knows (a variable's) is written with `***` and named in a note. A file that exists with
    other content stops the import before anything is written, unless --overwrite. Without a
    configuration in the folder, a wsync-lint.toml naming the workspace is written too. Exit 2
    when a file is in the way, 3 when the API cannot be reached.
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
