"""``wsync-lint init``: write a small Warehouse Sync project to start from (wiring only).

What is written comes from :mod:`wsync_lint.commands.project_template`. Nothing is ever
overwritten: every target is checked before the first write, and one that exists (or a folder on
the way that is a link or a file) stops the command with one line, nothing written. Each file is
written atomically and only inside FOLDER (:func:`wsync_lint.files.write_atomically`).
"""

from __future__ import annotations

import difflib
import os
import shlex
import stat
from pathlib import Path

import click

from wsync_lint.cli.options import DIALECTS, quiet_option, selectors
from wsync_lint.errors import UsageError
from wsync_lint.printable import one_line


def _warehouses(values: tuple[str, ...]) -> tuple[str, ...]:
    """``--warehouse`` values, repeated or comma-separated, each once in the order given."""
    chosen: dict[str, None] = {}
    for value in selectors(values) or ("snowflake",):
        name = value.lower()
        if name not in DIALECTS:
            close = difflib.get_close_matches(name, DIALECTS, n=1)
            hint = f"did you mean `{close[0]}`? " if close else ""
            raise UsageError(f"--warehouse: unknown warehouse `{value}`; {hint}choose from {', '.join(DIALECTS)}")
        chosen[name] = None
    return tuple(chosen)


def _refuse_in_the_way(folder: Path, paths: list[str]) -> None:
    """A ``UsageError`` for the first thing that keeps the project from being written whole: FOLDER
    or a folder on the way that is a link or no folder, or a file that exists."""
    folders = sorted({parent for path in paths for parent in Path(path).parents if parent != Path(".")})
    for path in [folder, *(folder / part for part in folders)]:
        try:
            status = os.lstat(path)
        except FileNotFoundError:
            continue
        except OSError as error:
            raise UsageError(f"{path}: cannot write: {error.strerror}") from None
        if stat.S_ISLNK(status.st_mode):
            raise UsageError(f"{path}: is a symbolic link; wsync-lint never writes through one")
        if not stat.S_ISDIR(status.st_mode):
            raise UsageError(f"{path}: is not a folder; nothing written")
    for relative in paths:
        if os.path.lexists(folder / relative):
            raise UsageError(
                f"{folder / relative}: exists; `wsync-lint init` never overwrites a file (nothing written)"
            )


def _secret_source(connection_id: str, service_provider: str) -> str | None:
    """Where deploy and preflight read the connection's secret, as the plan says it."""
    from wsync_lint.api.secrets import secret_slots
    from wsync_lint.project.payload_files import PayloadFile
    from wsync_lint.project.resources import Kind, Resource

    data = {"id": connection_id, "service_provider": service_provider}
    slots = secret_slots(Resource(Kind.CONNECTION, data, PayloadFile(path="", text=""), 0, ()))
    return slots[0].source if slots else None


@click.command()
@click.argument("folder", required=False, default=".", type=click.Path(path_type=Path))
@click.option(
    "--warehouse",
    "warehouse_values",
    multiple=True,
    metavar="NAME",
    help=f"A warehouse to connect to: {', '.join(DIALECTS)}; repeated or comma-separated [default: snowflake].",
)
@click.option("--events", is_flag=True, help="Add an events pipeline, with its field transformation, per warehouse.")
@quiet_option
def init(folder: Path, warehouse_values: tuple[str, ...], events: bool, quiet: bool) -> None:
    """Write a small Warehouse Sync project to FOLDER (default: the current folder).

    Per warehouse: a connection, a data model with its .sql file and a user attributes pipeline
    (with --events, also an events model, its field transformation and an events pipeline), and a
    wsync-lint.toml. The payloads hold example values, with comments on what to replace; secrets
    stay out, read from the environment. An existing file is never overwritten: nothing is written.
    """
    from wsync_lint.commands.project_template import project_template
    from wsync_lint.files import write_atomically

    template = project_template(_warehouses(warehouse_values), events, _secret_source)
    paths = [file.path for file in template.files]
    _refuse_in_the_way(folder, paths)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"{folder}: cannot create the folder: {error.strerror}") from None
    for file in template.files:
        write_atomically(folder / file.path, file.text, inside=folder, exclusive=True)
    shown = [one_line(str(folder / path)) for path in paths]
    if quiet:
        click.echo("\n".join(shown))
        return
    where = shlex.quote(str(folder))
    target = "the current folder" if folder == Path(".") else one_line(str(folder))
    click.echo(f"Wrote a Warehouse Sync project to {target}:")
    click.echo("".join(f"  {path}\n" for path in shown), nl=False)
    click.echo("Replace the example values the comments point at, then:")
    click.echo(one_line(f"  wsync-lint check {where}"))
    click.echo(one_line(f"  wsync-lint render {template.pipelines[0]} --project {where}"))
    click.echo(one_line(f"  wsync-lint grants {where}"))
