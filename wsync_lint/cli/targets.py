"""What ``render`` and ``columns`` are pointed at: a pipeline or model of a project, its SQL and
its warehouse, and the sync window they are given."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from wsync_lint.errors import UsageError
from wsync_lint.files import resolved_or_none

if TYPE_CHECKING:  # annotations only: the commands import these when they run
    from datetime import datetime

    from wsync_lint.contract.sql_context import SqlContext
    from wsync_lint.engine.directives import DirectiveProblem
    from wsync_lint.engine.runner import Planner
    from wsync_lint.project.project import Binding, Project
    from wsync_lint.project.resources import Resource
    from wsync_lint.sql.file_settings import FileSettings


def timestamp_option(name: str, value: str | None) -> datetime | None:
    if value is None:
        return None
    from wsync_lint.mparticle.facts import TIMESTAMP_EXAMPLE
    from wsync_lint.sql.sync_window import parse_timestamp

    parsed = parse_timestamp(value.strip())
    if parsed is None:
        raise UsageError(f"{name}: expected a UTC timestamp like {TIMESTAMP_EXAMPLE}, got {value!r}")
    return parsed


def load_targets(
    target: str,
    project_path: Path | None,
    dialect: str | None,
    config_path: Path | None,
    standalone_sql: bool = False,
) -> tuple[Planner, Project, list[tuple[Resource, list[Binding]]]]:
    """The project a TARGET argument belongs to (``--project``, else the file's folder,
    else the current folder) and the data models it names, each with the pipelines that run it.
    With ``standalone_sql``, a .sql file no data model links names nothing (an empty list)
    instead of being an error."""
    from wsync_lint.engine.run_result import RunOptions
    from wsync_lint.engine.runner import Planner, load_project
    from wsync_lint.project.project import project_root

    planner = Planner(RunOptions(dialect=dialect, config_path=config_path))
    named = Path(target)
    anchor = project_path if project_path is not None else (named if named.is_file() else Path("."))
    project = load_project(project_root(anchor), planner)
    return planner, project, targets_of(project, target, standalone_sql)


def targets_of(project: Project, target: str, standalone_sql: bool = False) -> list[tuple[Resource, list[Binding]]]:
    """The data models TARGET names, each with the pipelines that run it."""
    from wsync_lint.project.project import Binding
    from wsync_lint.project.resources import Kind

    pipelines = project.of_kind(Kind.PIPELINE)
    models = project.of_kind(Kind.DATA_MODEL)

    def of_model(model: Resource) -> tuple[Resource, list[Binding]]:
        return model, [b for b in project.bindings() if b.model is model]

    def of_pipeline(pipeline: Resource) -> tuple[Resource, list[Binding]]:
        model = project.find(Kind.DATA_MODEL, pipeline.get("data_model_id"))
        if model is None:
            wanted = pipeline.get("data_model_id")
            raise UsageError(
                f"pipeline {pipeline.id or '(no id)'} runs data model {wanted!r}, which is not in the project at "
                f"{project.root}"
                if isinstance(wanted, str)
                else f"pipeline {pipeline.id or '(no id)'} names no data_model_id"
            )
        connection = project.find(Kind.CONNECTION, pipeline.get("connection_id"))
        return model, [Binding(pipeline, model, connection)]

    path = Path(target)
    if path.is_symlink() or (path.exists() and not path.is_dir()):  # a FIFO or a loop too: reading says why
        resolved = resolved_or_none(path) or path
        # A data model's `sql_file` may have any name; a `.sql` file no model links is standalone.
        linked = [m for m in models if (sql := project.model_sql(m)) is not None and sql.file == resolved]
        if linked:
            return [of_model(model) for model in linked]
        if path.suffix.lower() == ".sql":
            if standalone_sql:
                return []
            raise UsageError(
                f"{target}: no data model of the project at {project.root} links this file (config.sql_file)"
            )
        shown = next((s for s, location in project.locations.items() if resolved_or_none(location) == resolved), None)
        if shown is None:
            raise UsageError(f"{target} is no payload file of the project at {project.root}")
        inside = [r for r in (*pipelines, *models) if r.path == shown]
        if len(inside) != 1:
            held = (
                f"{sum(r.kind is Kind.PIPELINE for r in inside)} pipelines and "
                f"{sum(r.kind is Kind.DATA_MODEL for r in inside)} data models"
            )
            raise UsageError(f"{target} holds {held}, not exactly one: name a pipeline or data model by id")
        return [of_pipeline(inside[0]) if inside[0].kind is Kind.PIPELINE else of_model(inside[0])]

    if path.suffix.lower() in (".sql", ".json", ".yaml", ".yml") or "/" in target or os.sep in target:
        raise UsageError(f"{target}: no such file")
    kind, _, wanted = target.partition(":") if ":" in target else ("", "", target)
    if kind not in ("", "pipeline", "model", "data_model", "data-model"):
        kind, wanted = "", target
    found_pipelines = [p for p in pipelines if p.id == wanted] if kind in ("", "pipeline") else []
    found_models = [m for m in models if m.id == wanted] if kind in ("", "model", "data_model", "data-model") else []
    found = found_pipelines + found_models
    if len(found) == 1:
        return [of_pipeline(found[0]) if found_pipelines else of_model(found[0])]
    if found_pipelines and found_models:
        raise UsageError(f"{wanted!r} is both a pipeline and a data model: write pipeline:{wanted} or model:{wanted}")
    if found:
        files = ", ".join(sorted({r.path for r in found}))
        raise UsageError(
            f"{len(found)} {found[0].kind.display}s have the id {wanted!r} ({files}): name the payload file"
        )
    known_pipelines = ", ".join(sorted({p.id for p in pipelines if p.id})) or "none"
    known_models = ", ".join(sorted({m.id for m in models if m.id})) or "none"
    raise UsageError(
        f"no pipeline or data model {wanted!r} in the project at {project.root} "
        f"(pipelines: {known_pipelines}; data models: {known_models})"
    )


def model_text(project: Project, model: Resource, planner: Planner) -> tuple[str, str, Path]:
    """The model's SQL, where it is shown as, and the file whose configuration applies to it."""
    from wsync_lint.engine.runner import read_model
    from wsync_lint.sql.reading import ReadProblem

    sql = project.model_sql(model)
    if sql is None:
        raise UsageError(
            f"data model {model.id or '(no id)'} ({model.path}) has no config.sql_query or config.sql_file"
        )
    text, shown, location = read_model(project, sql, planner)
    if isinstance(text, ReadProblem):
        raise UsageError(f"{shown} (config.sql_file of data model {model.id or '(no id)'}): {text.message}")
    return text, shown, location


def standalone_sql(target: str, planner: Planner) -> tuple[str, str]:
    """The text of a .sql file no data model links, and how it is shown."""
    from wsync_lint.engine.runner import display_path
    from wsync_lint.sql.reading import ReadProblem

    path = Path(target)
    shown = display_path(path)
    text = planner.read(path)
    if isinstance(text, ReadProblem):
        raise UsageError(f"{shown}: {text.message}")
    return text, shown


def configured_dialect(text: str, shown: str, location: Path, planner: Planner) -> str:
    """The warehouse of a model that no connection decides: --dialect, its directive comment, configuration."""
    return model_context(text, shown, location, planner, None).settings.dialect


def model_context(text: str, shown: str, location: Path, planner: Planner, bound: FileSettings | None) -> SqlContext:
    """The model parsed as the engine parses it: for the pipeline that runs it (``bound``), else with
    its directive comment and configuration."""
    from wsync_lint.engine.model_check import FilePlan, analyse

    plan = planner.plan_for(location)
    analysis = analyse(text, shown, FilePlan(frozenset(), plan.settings, plan.forced_dialect, {}, bound))
    _note_unapplied_settings(shown, text, analysis.directive_problems)
    return analysis.context


def _note_unapplied_settings(shown: str, text: str, problems: tuple[DirectiveProblem, ...]) -> None:
    """A note on standard error, once per run, for each setting of the model's wsync-lint comment that
    was not applied: these commands run no rules, so WL02 cannot say it."""
    import click

    from wsync_lint.printable import one_line
    from wsync_lint.sql.positions import LineIndex

    said: set[str] = click.get_current_context().meta.setdefault("wsync_lint.unapplied", set())
    lines = LineIndex(text)
    for problem in problems:
        line, column = lines.position(problem.span.start)
        note = f"note: {shown}:{line}:{column}: not applied: {problem.message} (WL02; `wsync-lint check` reports it)"
        if note not in said:
            said.add(note)
            click.echo(f"wsync-lint: {one_line(note)}", err=True)


def no_warehouse_note(binding: Binding, model_dialect: str) -> str:
    from wsync_lint.mparticle.warehouses import WAREHOUSES

    display = WAREHOUSES[model_dialect].display
    if binding.connection is None:
        wanted = binding.pipeline.get("connection_id")
        return f"connection {wanted!r} is not in the project: shown as {display} SQL (--dialect, directive or config)"
    provider = binding.connection.get("service_provider")
    return f"service_provider {provider!r} names no known warehouse: shown as {display} SQL"
