"""``check --show-files``: what a run over PATHS would check, one file a line, and what each is.

Each file is listed with what the run makes of it: a ``model`` (the ``sql_file`` of a data model,
checked for each pipeline that uses it, or a standalone one), or a ``payload`` (with the resources
it holds). JSON and YAML files under PATHS that the run reads but does not check are listed as
``skipped`` with why (they name no Warehouse Sync key; a schema snapshot). Files and folders that
are never looked at (hidden, virtual environments, configured ``exclude``) are not listed.
"""

from __future__ import annotations

from pathlib import Path

from wsync_lint.engine.discovery import discover, resolved
from wsync_lint.engine.run_result import RunOptions
from wsync_lint.engine.runner import Planner, display_path, is_snapshot, load_project
from wsync_lint.project.model_files import SQL_SUFFIXES
from wsync_lint.project.payload_files import PAYLOAD_SUFFIXES, PayloadFile
from wsync_lint.project.project import Project
from wsync_lint.project.resources import Kind
from wsync_lint.project.roots import RootFinder, project_roots


def file_listing(paths: list[Path], options: RunOptions) -> list[str]:
    """One line per file under ``paths``, sorted by path: ``path  what it is``."""
    planner = Planner(options)
    projects = [load_project(root, planner) for root in project_roots(paths)]
    models: dict[Path, list[str]] = {}
    for project in projects:
        models_of_project(project, models)
    payloads = {payload.path: (project, payload) for project in projects for payload in project.files}
    linked = frozenset(path for path in models if path.suffix.lower() not in (*SQL_SUFFIXES, *PAYLOAD_SUFFIXES))
    found = list(discover(paths, planner.finder, (*SQL_SUFFIXES, *PAYLOAD_SUFFIXES), linked))
    entries: dict[str, str] = {}
    roots = RootFinder()
    for path in found:
        shown = display_path(path)
        if path.suffix.lower() in PAYLOAD_SUFFIXES:
            root = roots.root_of(path).folder
            if is_snapshot(path, planner.config_for(path), root):
                entries[shown] = "skipped (a schema snapshot)"
            else:
                entries[shown] = _payload_entry(shown, payloads)
        else:
            named = models.get(resolved(path))
            entries[shown] = f"model ({'; '.join(named)})" if named else "model (standalone: no data model links it)"
    width = max((len(shown) for shown in entries), default=0)
    return [f"{shown:<{width}}  {what}" for shown, what in sorted(entries.items())]


def models_of_project(project: Project, models: dict[Path, list[str]]) -> None:
    """Add to ``models`` each model file of ``project`` (resolved) with the data models that link
    it, each saying whether a pipeline uses it."""
    used = {id(binding.model) for binding in project.bindings()}
    for model in project.of_kind(Kind.DATA_MODEL):
        sql = project.model_sql(model)
        if sql is None or sql.file is None or sql.problem is not None:
            continue
        said = f"sql_file of data model `{model.id}`"
        models.setdefault(resolved(sql.file), []).append(said if id(model) in used else f"{said}, no pipeline uses it")


def _payload_entry(shown: str, payloads: dict[str, tuple[Project, PayloadFile]]) -> str:
    found = payloads.get(shown)
    if found is None:
        return "skipped (names no Warehouse Sync key: not a payload)"
    project, payload = found
    if payload.problem is not None:
        return "payload (cannot be read: PS05 says why)"
    held = [
        f"{resource.kind.display} `{resource.id}`" if resource.id else resource.kind.display
        for resource in project.resources
        if resource.file is payload
    ]
    return f"payload ({', '.join(held)})" if held else "payload"
