"""Which pipelines a live run checks, grouped by connection so each warehouse gets one session, and
which files belong to the one connection ``--connection`` names."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wsync_lint.engine.runner import Planner, display_path, load_project
from wsync_lint.errors import UsageError
from wsync_lint.project.project import Binding, Project
from wsync_lint.project.resources import Kind
from wsync_lint.project.roots import project_roots
from wsync_lint.sql.snapshots import snapshot_file_name


@dataclass
class Work:
    """The pipelines of one connection, with the project they belong to."""

    project: Project
    connection_id: str
    dialect: str
    config: Mapping[str, Any]
    bindings: list[Binding] = field(default_factory=list)


@dataclass
class Planned:
    """What a live run will do: the work per connection, notes on the pipelines it cannot check, and
    with ``--connection`` the files (as displayed) that connection's report is limited to."""

    works: list[Work] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    scope: frozenset[str] | None = None
    """None: every file under the paths is reported."""


def plan_work(paths: list[Path], planner: Planner, connection: str | None) -> Planned:
    """The pipelines to check, grouped by connection (only ``connection``'s, when given: an id no
    pipeline under the paths uses is a usage error naming those that are used)."""
    wanted = [path.resolve() for path in paths]

    def under_paths(location: Path) -> bool:
        resolved = location.resolve()
        return any(resolved == path or path in resolved.parents for path in wanted)

    works: dict[tuple[str, str], Work] = {}
    planned = Planned()
    used: set[str] = set()
    for root in project_roots(paths):
        project = load_project(root, planner)
        if connection is not None:
            planned.scope = (planned.scope or frozenset()) | connection_files(project, connection, planner)
        for binding in project.bindings():
            files = [project.locations[path] for path in binding.paths]
            sql = project.model_sql(binding.model)
            if sql is not None and sql.file is not None:
                files.append(sql.file)
            if not any(under_paths(location) for location in files):
                continue
            named = binding.pipeline.get("connection_id")
            if isinstance(named, str):
                used.add(named)
            if connection is not None and named != connection:
                continue
            label = binding.pipeline.label
            if binding.connection is None or binding.connection.id is None:
                planned.notes.append(f"{label}: its connection is not in the project (PL07): not preflighted")
                continue
            if binding.dialect is None:
                planned.notes.append(
                    f"{label}: connection `{binding.connection.id}` names no known warehouse: not preflighted"
                )
                continue
            config = binding.connection.get("config")
            key = (str(root), binding.connection.id)
            work = works.setdefault(
                key,
                Work(project, binding.connection.id, binding.dialect, config if isinstance(config, Mapping) else {}),
            )
            work.bindings.append(binding)
    if connection is not None and connection not in used:
        known = ", ".join(f"`{name}`" for name in sorted(used)) or "none"
        raise UsageError(
            f"--connection `{connection}`: no pipeline under the paths uses it (connections used: {known})"
        )
    # In connection id order, so that sessions open and reports list them the same way every run.
    planned.works = [works[key] for key in sorted(works)]
    return planned


def connection_files(project: Project, connection_id: str, planner: Planner) -> frozenset[str]:
    """The files of ``project`` that belong to the connection, as displayed: its payload file, the
    payload files of the pipelines that use it, their data models' payload and SQL files, their field
    transformations' payload files, and the connection's schema snapshot (where LV04 reports)."""
    found = {resource.path for resource in project.of_kind(Kind.CONNECTION) if resource.id == connection_id}
    for pipeline in project.of_kind(Kind.PIPELINE):
        if pipeline.get("connection_id") != connection_id:
            continue
        found.add(pipeline.path)
        for kind, key in ((Kind.DATA_MODEL, "data_model_id"), (Kind.FIELD_TRANSFORMATION, "field_transformation_id")):
            named = project.find(kind, pipeline.get(key))
            for resource in project.same_id(named) if named is not None else ():
                found.add(resource.path)
                sql = project.model_sql(resource) if kind is Kind.DATA_MODEL else None
                if sql is not None and sql.file is not None:
                    found.add(display_path(sql.file))
    try:
        snapshot = planner.config_for(project.root / "-").schema_folder(project.root) / snapshot_file_name(
            connection_id
        )
    except UsageError:  # an id no file may be named after (CN01 reports it): it has no snapshot
        return frozenset(found)
    return frozenset({*found, display_path(snapshot)})
