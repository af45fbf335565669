"""The printing commands of the command line: ``render``, ``columns`` and ``grants`` (wiring only).

What they print quotes the project's files, which may be hostile: the queries of ``render`` and
the statements of ``grants`` are many lines by design, so they keep their newlines but every other
control character, bidirectional control and lone surrogate is printed escaped
(:func:`~wsync_lint.printable.many_lines`): an escape sequence in a model cannot drive the
terminal, nor a lone surrogate fail the command. The ``columns`` table escapes each of its cells
itself (:meth:`~wsync_lint.commands.columns.ColumnsReport.as_text`). The JSON forms are ASCII.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from wsync_lint.errors import UsageError
from wsync_lint.printable import many_lines

if TYPE_CHECKING:  # annotations only: the commands import these when they run
    from wsync_lint.project.project import Binding, Project
    from wsync_lint.project.resources import Resource
    from wsync_lint.sql.reading import ReadProblem

from wsync_lint.cli.options import (
    config_option,
    dialect_option,
    emit_report,
    format_option,
    output_file_option,
    project_option,
    refuse_missing_paths,
    refuse_output_file,
    stacked,
)
from wsync_lint.cli.targets import (
    configured_dialect,
    load_targets,
    model_context,
    model_text,
    no_warehouse_note,
    standalone_sql,
    timestamp_option,
)

_model_options = stacked(dialect_option, config_option, format_option("text", "json"), output_file_option)
"""``--dialect``, ``--config``, ``--format`` and ``-o``, shared by ``render`` and ``columns``."""


@click.command()
@click.argument("target", metavar="TARGET")
@project_option
@click.option("--from", "start", metavar="TS", help="Start of the sync window, e.g. 2022-10-30T11:00:16Z.")
@click.option("--until", metavar="TS", help="End of the sync window, e.g. 2022-10-30T12:00:16Z.")
@_model_options
def render(
    target: str,
    project_path: Path | None,
    start: str | None,
    until: str | None,
    dialect: str | None,
    config_path: Path | None,
    output_format: str,
    output_file: Path | None,
) -> None:
    """Print the queries mParticle runs for a pipeline or data model, in its warehouse's SQL.

    TARGET is a pipeline id, a data model id (`pipeline:ID` or `model:ID` when both
    share the id), a payload file holding one pipeline or data model, or a .sql file a data
    model links. A model is rendered once per pipeline that uses it: the row count over the
    sync window, the LIMIT 0 column probe and the sync run.
    """
    import json
    from datetime import UTC, datetime

    from wsync_lint.sql.rendering import render_pipeline, render_standalone_sql, render_unused_model

    start_at = timestamp_option("--from", start)
    until_at = timestamp_option("--until", until)
    if start_at is not None and until_at is not None and start_at > until_at:
        raise UsageError(f"--from {start} is after --until {until}")
    refuse_output_file(output_file)
    planner, project, targets = load_targets(target, project_path, dialect, config_path, standalone_sql=True)
    now = datetime.now(UTC)
    renderings = []
    if not targets:  # a .sql file no data model links: rendered alone, in its own settings' warehouse
        text, shown = standalone_sql(target, planner)
        renderings.append(render_standalone_sql(shown, text, configured_dialect(text, shown, Path(target), planner)))
    for model, bindings in targets:
        text, shown, location = model_text(project, model, planner)
        if not bindings:
            renderings.append(render_unused_model(model.id, text, configured_dialect(text, shown, location, planner)))
            continue
        for binding in bindings:
            model_dialect = binding.dialect or configured_dialect(text, shown, location, planner)
            rendering = render_pipeline(
                binding.pipeline.data,
                model.id,
                text,
                model_dialect,
                binding.connection.id if binding.connection is not None else None,
                now,
                start_at,
                until_at,
            )
            if binding.dialect is None:
                rendering.notes.insert(0, no_warehouse_note(binding, model_dialect))
            renderings.append(rendering)
    if output_format == "json":
        emit_report(json.dumps([r.as_json() for r in renderings], indent=2) + "\n", output_file)
    else:
        emit_report(many_lines("".join(r.as_text() for r in renderings).rstrip("\n")) + "\n", output_file)


@click.command()
@click.argument("target", metavar="TARGET")
@project_option
@_model_options
def columns(
    target: str,
    project_path: Path | None,
    dialect: str | None,
    config_path: Path | None,
    output_format: str,
    output_file: Path | None,
) -> None:
    """Print what mParticle makes of each output column of a data model: name, type and role.

    TARGET is a data model id, a pipeline id (`model:ID` or `pipeline:ID` when both
    share the id), a payload file holding one pipeline or data model, or a .sql file (a data
    model's, else shown alone with its directive comment). A model is shown once per pipeline that
    uses it: each column's name after the
    warehouse's case folding, its type where the schema snapshot (the connection's
    <schema-dir>/<connection-id>.json, or the model's `schema=` directive) or the SQL tells it, and
    its role: user or device identity, iterator, custom attribute, or for an events pipeline the
    field transformation's mapping.
    """
    import json

    from wsync_lint.commands.columns import ColumnsReport, column_rows
    from wsync_lint.engine.runner import display_path, snapshot_path
    from wsync_lint.mparticle.facts import PIPELINE_TYPE_EVENTS
    from wsync_lint.project.resources import Kind

    refuse_output_file(output_file)
    planner, project, targets = load_targets(target, project_path, dialect, config_path, standalone_sql=True)
    config = planner.config_for(project.root / "-")
    reports = []
    if not targets:  # a .sql file no data model links: checked with its own settings
        text, shown = standalone_sql(target, planner)
        context = model_context(text, shown, Path(target), planner, None)
        report = ColumnsReport(None, context.settings.dialect, sql_file=shown)
        report.pipeline_type = context.settings.pipeline_type
        report.iterator_field = context.settings.iterator_field
        report.iterator_data_type = context.settings.iterator_data_type
        notes = []
        if context.settings.schema is not None:
            report.schema = display_path(Path(context.settings.schema))
        else:
            notes.append(
                "no schema snapshot (a `-- wsync-lint: schema=...` comment in the model names one): types are "
                "known only where the SQL tells them (casts, functions)"
            )
        report.rows, row_notes = column_rows(context, None)
        report.notes = notes + row_notes
        reports.append(report)
    for model, bindings in targets:
        text, shown, location = model_text(project, model, planner)
        for binding in bindings or [None]:
            notes = []
            if binding is None:
                context = model_context(text, shown, location, planner, None)
                report = ColumnsReport(model.id, context.settings.dialect)
                missing = "no schema snapshot (a `-- wsync-lint: schema=...` comment in the model names one)"
            else:
                model_dialect = binding.dialect or configured_dialect(text, shown, location, planner)
                bound = binding.settings(model_dialect, snapshot_path(project.root, config, binding))
                context = model_context(text, shown, location, planner, bound)
                connection = binding.connection.id if binding.connection is not None else None
                report = ColumnsReport(model.id, model_dialect, binding.pipeline.id, connection)
                if binding.dialect is None:
                    notes.append(no_warehouse_note(binding, model_dialect))
                expected = config.schema_folder(project.root) / f"{connection}.json"
                missing = (
                    f"no schema snapshot {display_path(expected)}"
                    if connection is not None
                    else "no schema snapshot (the connection is not in the project)"
                )
            settings = context.settings
            report.pipeline_type = settings.pipeline_type
            report.iterator_field = settings.iterator_field
            report.iterator_data_type = settings.iterator_data_type
            mappings = None
            if binding is not None and settings.pipeline_type == PIPELINE_TYPE_EVENTS:
                wanted = binding.pipeline.get("field_transformation_id")
                transformation = project.find(Kind.FIELD_TRANSFORMATION, wanted)
                found = transformation.get("mappings") if transformation is not None else None
                if isinstance(found, list):
                    mappings = found
                else:
                    notes.append(
                        f"field transformation {wanted!r} is not in the project: the columns' mappings are unknown"
                        if isinstance(wanted, str)
                        else "the pipeline names no field_transformation_id: the columns are not mapped"
                    )
            if settings.schema is not None:
                report.schema = display_path(Path(settings.schema))
            else:
                notes.append(f"{missing}: types are known only where the SQL tells them (casts, functions)")
            rows, row_notes = column_rows(context, mappings)
            report.rows = rows
            report.notes = notes + row_notes
            reports.append(report)
    if output_format == "json":
        emit_report(json.dumps([r.as_json() for r in reports], indent=2) + "\n", output_file)
    else:
        emit_report("\n".join(r.as_text() for r in reports).rstrip("\n") + "\n", output_file)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--databricks-share",
    metavar="NAME",
    help="The Delta Sharing share for mParticle [default: the documented pattern, to be replaced].",
)
@config_option
@format_option("text", "json")
@output_file_option
def grants(
    paths: tuple[Path, ...],
    databricks_share: str | None,
    config_path: Path | None,
    output_format: str,
    output_file: Path | None,
) -> None:
    """Print the GRANT, IAM and share statements each connection needs for the tables its models read.

    The projects of PATHS (default: the current folder) are loaded whole; one block per connection
    that a pipeline uses, with the role, user or service account from the connection's config.
    """
    import json

    from wsync_lint.commands.grants import grant_report
    from wsync_lint.engine.run_result import RunOptions
    from wsync_lint.engine.runner import Planner, load_project, read_model
    from wsync_lint.project.roots import project_roots

    if databricks_share is not None and not databricks_share.strip():
        raise UsageError("--databricks-share: the share name is empty")
    refuse_missing_paths(paths)
    refuse_output_file(output_file)
    planner = Planner(RunOptions(config_path=config_path))
    owners: dict[int, Project] = {}
    bindings: list[Binding] = []
    for root in project_roots(paths or (Path("."),)):
        project = load_project(root, planner)
        for binding in project.bindings():
            owners[id(binding.model)] = project
            bindings.append(binding)

    def read_sql(model: Resource) -> tuple[str, str | ReadProblem] | None:
        project = owners[id(model)]
        sql = project.model_sql(model)
        if sql is None:
            return None
        text, shown, _ = read_model(project, sql, planner)
        return (shown if sql.file is not None else f"{shown} (config.sql_query)"), text

    report = grant_report(bindings, read_sql, databricks_share.strip() if databricks_share else None)
    if not report.blocks:
        shown = " ".join(str(path) for path in paths) or "."
        reason = report.notes[0] if report.notes else "no pipeline names a data model of the project"
        raise UsageError(f"nothing to grant in {shown}: {reason}")
    if output_format == "json":
        emit_report(json.dumps(report.as_json(), indent=2) + "\n", output_file)
    else:
        emit_report(many_lines(report.as_text()), output_file)
