"""Which pipelines a live run checks, grouped by connection so each warehouse gets one session."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wsync_lint.engine.runner import Planner, load_project
from wsync_lint.project.project import Binding, Project
from wsync_lint.project.roots import project_roots


@dataclass
class Work:
    """The pipelines of one connection, with the project they belong to."""

    project: Project
    connection_id: str
    dialect: str
    config: Mapping[str, Any]
    bindings: list[Binding] = field(default_factory=list)


def plan_work(paths: list[Path], planner: Planner, connection: str | None) -> tuple[list[Work], list[str]]:
    """The pipelines to check, grouped by connection, and notes on those that cannot be."""
    wanted = [path.resolve() for path in paths]

    def under_paths(location: Path) -> bool:
        resolved = location.resolve()
        return any(resolved == path or path in resolved.parents for path in wanted)

    works: dict[tuple[str, str], Work] = {}
    notes: list[str] = []
    seen_connections: set[str] = set()
    for root in project_roots(paths):
        project = load_project(root, planner)
        for binding in project.bindings():
            files = [project.locations[path] for path in binding.paths]
            sql = project.model_sql(binding.model)
            if sql is not None and sql.file is not None:
                files.append(sql.file)
            if not any(under_paths(location) for location in files):
                continue
            label = binding.pipeline.label
            if binding.connection is None or binding.connection.id is None:
                notes.append(f"{label}: its connection is not in the project (PL07): not preflighted")
                continue
            seen_connections.add(binding.connection.id)
            if connection is not None and binding.connection.id != connection:
                continue
            if binding.dialect is None:
                notes.append(f"{label}: connection `{binding.connection.id}` names no known warehouse: not preflighted")
                continue
            config = binding.connection.get("config")
            key = (str(root), binding.connection.id)
            work = works.setdefault(
                key,
                Work(project, binding.connection.id, binding.dialect, config if isinstance(config, Mapping) else {}),
            )
            work.bindings.append(binding)
    if connection is not None and connection not in seen_connections:
        from wsync_lint.errors import UsageError

        known = ", ".join(sorted(seen_connections)) or "none"
        raise UsageError(f"--connection {connection}: no pipeline under the paths uses it (connections: {known})")
    return list(works.values()), notes
