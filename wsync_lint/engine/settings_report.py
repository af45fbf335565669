"""What applies to a file, said out loud: ``check --show-settings PATH`` and the note printed
when a model's warehouse had to be assumed."""

from __future__ import annotations

from pathlib import Path

from wsync_lint.engine.directives import Directives
from wsync_lint.engine.file_listing import models_of_project
from wsync_lint.engine.model_check import DEFAULT_DIALECT, FilePlan, analyse, choose_dialect
from wsync_lint.engine.run_result import RunOptions, RunResult
from wsync_lint.engine.runner import Planner, display_path, is_snapshot, load_project, read_model, snapshot_path
from wsync_lint.engine.stdin import STDIN_NAME, StdinFile
from wsync_lint.files import resolved_or_none
from wsync_lint.mparticle.warehouses import WAREHOUSES
from wsync_lint.project.model_files import SQL_SUFFIXES
from wsync_lint.project.payload_files import PAYLOAD_SUFFIXES
from wsync_lint.project.project import Binding, Project
from wsync_lint.project.resources import Resource
from wsync_lint.project.roots import Root, RootFinder
from wsync_lint.sql.reading import ReadProblem

_LISTED = 5


def dialect_note(result: RunResult) -> str | None:
    """One line naming the models under the paths checked in the default warehouse (nothing
    named theirs), or None when there is none."""
    reported = set(result.paths)
    paths = sorted(p for p, plans in result.analysed.items() if p in reported and any(o == "default" for _, o in plans))
    if not paths:
        return None
    shown = ", ".join(paths[:_LISTED]) + (f" and {len(paths) - _LISTED} more" if len(paths) > _LISTED else "")
    their = "its" if len(paths) == 1 else "their"
    line = (
        f"note: {shown}: checked as {WAREHOUSES[DEFAULT_DIALECT].display} SQL by default: no pipeline's "
        f"connection names {their} warehouse"
    )
    if result.unread_payloads:
        line += f" ({', '.join(sorted(set(result.unread_payloads)))} cannot be read and may hold the pipeline)"
    return line + "; set `dialect` in wsync-lint.toml or write `-- wsync-lint: dialect=<warehouse>` before the query."


def show_settings(path: Path | None, options: RunOptions, stdin: StdinFile | None = None) -> str:
    """What ``--show-settings`` prints for ``path``: its project root, the configuration that
    applies, what the file is, and the pipelines that involve it, each with its model's warehouse
    (and where that comes from) and schema snapshot; for a model no pipeline uses, its warehouse.
    With ``stdin`` (``check -``), for the file it stands in for (``path`` None: a standalone
    model ``-`` in the current folder, with no project)."""
    if stdin is not None:
        path = stdin.location
    assert path is not None
    if stdin is None and not path.exists():
        from wsync_lint.errors import UsageError

        raise UsageError(f"{path}: no such file or folder")
    planner = Planner(options, stdin)
    root = RootFinder().root_of(path)
    config = planner.config_for(path if path.is_file() or stdin is not None else path / "-")
    standalone = stdin is not None and stdin.path is None
    lines = [
        f"file: {STDIN_NAME} (standard input)" if standalone else f"file: {display_path(path)}",
        f"project root: {root.folder} ({_root_reason(root)})" if not standalone else "project root: none",
        f"configuration: {_config_line(options, config.path)}",
    ]
    if config.read_only_functions:
        lines.append(
            f"read-only functions: {', '.join(sorted(config.read_only_functions))} (preflight sends models calling them)"
        )
    if config.api.workspace:
        lines.append(f"workspace: {config.api.workspace} (plan, deploy, status and import)")
    if config.cache_dir is not None and config.path is not None:
        lines.append(f"cache: {display_path(config.path.parent / config.cache_dir)} (cache-dir; --cache-dir beats it)")
    if path.is_dir() and stdin is None:
        return "\n".join(lines) + "\n"
    if standalone:
        plan = planner.plan_for(path)
        lines.append("checked as: a standalone model (no project: give --stdin-filename PATH to check it as that file)")
        lines.append(f"dialect: {_dialect_line(planner.read(path), STDIN_NAME, plan, None, config.path)}")
        lines.append("schema snapshot: none (a `-- wsync-lint: schema=...` comment in the model names one)")
        return "\n".join(lines) + "\n"
    project = load_project(root.folder, planner)
    shown = display_path(path)
    bindings = _bindings_of(project, resolved_or_none(path) or path, shown)
    is_payload = path.suffix.lower() in PAYLOAD_SUFFIXES
    lines.append(f"checked as: {_what_it_is(project, path, shown, is_payload, planner)}")
    if not bindings and not is_payload:
        plan = planner.plan_for(path)
        source = planner.read(path)
        lines.append(f"dialect: {_dialect_line(source, shown, plan, None, config.path)}")
        snapshot = "none (a `-- wsync-lint: schema=...` comment in the model names one)"
        if isinstance(source, str):
            analysed = analyse(source, shown, FilePlan(frozenset(), plan.settings, plan.forced_dialect, {}, None))
            if analysed.context.settings.schema is not None:
                snapshot = f"{display_path(Path(analysed.context.settings.schema))} (from the file's `schema=` comment)"
        lines.append(f"schema snapshot: {snapshot}")
    if not bindings:
        lines.append("pipelines: none (no pipeline of the project involves this file)")
    for binding in bindings:
        lines.extend(_binding_lines(project, binding, planner, options))
    return "\n".join(lines) + "\n"


def _binding_lines(project: Project, binding: Binding, planner: Planner, options: RunOptions) -> list[str]:
    def named(resource: Resource) -> str:
        return f"`{resource.id}` ({resource.path})" if resource.id else resource.path

    lines = [f"pipeline {named(binding.pipeline)}:", f"  data model: {named(binding.model)}"]
    sql = project.model_sql(binding.model)
    if sql is not None:
        source, shown, location = read_model(project, sql, planner)
        config = planner.config_for(location)
        dialect = _dialect_line(source, shown, planner.plan_for(location), binding, config.path)
        lines.append(f"  dialect: {dialect}")
    root_config = planner.config_for(project.root / "-")
    snapshot = snapshot_path(project.root, root_config, binding, options.schema_override)
    lines.append(f"  schema snapshot: {display_path(Path(snapshot)) if snapshot else 'none'}")
    return lines


def _what_it_is(project: Project, path: Path, shown: str, is_payload: bool, planner: Planner) -> str:
    """What the run makes of the file, as ``--show-files`` says it."""
    if is_payload:
        payload = next((payload for payload in project.files if payload.path == shown), None)
        if payload is None and is_snapshot(path, planner.config_for(path), project.root):
            return "skipped (a schema snapshot)"
        if payload is None:
            return "skipped (names no Warehouse Sync key: not a payload)"
        held = [f"{r.kind.display} `{r.id}`" for r in project.resources if r.file is payload and r.id]
        return f"payload ({', '.join(held)})" if held else "payload"
    models: dict[Path, list[str]] = {}
    models_of_project(project, models)
    named = models.get(resolved_or_none(path) or path)
    if named:
        return f"model ({'; '.join(named)})"
    if path.suffix.lower() not in SQL_SUFFIXES:
        return "skipped (neither a .sql file nor a data model's sql_file)"
    return "model (standalone: no data model links it)"


def _root_reason(root: Root) -> str:
    if root.why == "root-config" and root.config is not None:
        return f"{display_path(root.config)} says root = true"
    return {
        "git": "the nearest folder holding .git",
        "top-config": "the top-most folder with a configuration file; no .git or root = true above",
        "folder": "no .git or configuration file above: the folder itself",
    }[root.why]


def _config_line(options: RunOptions, found: Path | None) -> str:
    if options.config_path is not None:
        return f"{display_path(options.config_path)} (--config)"
    return display_path(found) if found is not None else "none (the defaults)"


def _bindings_of(project: Project, file: Path, shown: str) -> list[Binding]:
    """The pipelines that involve ``file``: its model's SQL, or a payload file of theirs."""
    found = []
    for binding in project.bindings():
        sql = project.model_sql(binding.model)
        if (sql is not None and sql.file is not None and sql.file == file) or shown in binding.paths:
            found.append(binding)
    return found


def _dialect_line(
    source: str | ReadProblem, shown: str, plan: FilePlan, binding: Binding | None, config: Path | None
) -> str:
    bound = binding.settings(None) if binding is not None else None
    analysis = analyse(source, shown, FilePlan(frozenset(), plan.settings, plan.forced_dialect, {}, bound))
    dialect, origin = analysis.context.settings.dialect, analysis.dialect_origin
    unread = ""
    if origin == "unread" and analysis.context.read_problem is not None:
        # Nothing in the file was read (it is empty, or could not be read): what decides is what
        # decides without its comment.
        _, origin = choose_dialect(FilePlan(frozenset(), plan.settings, plan.forced_dialect, {}, bound), Directives())
        unread = f"; the file itself is not read: {analysis.context.read_problem.message}"
    if origin == "connection" and binding is not None and binding.connection is not None:
        return f"{dialect} (from connection `{binding.connection.id}`, {binding.connection.path}{unread})"
    why = ""
    if binding is not None:
        wanted = binding.pipeline.get("connection_id")
        if binding.connection is None:
            why = f"connection `{wanted}` is not in the project; "
        else:
            provider = binding.connection.get("service_provider")
            why = f"connection `{wanted}` names no known warehouse ({provider!r}); "
    where = {
        "--dialect": "from --dialect",
        "directive": "from the file's `-- wsync-lint: dialect=...` comment",
        "configuration": f"from `dialect` in {display_path(config) if config else 'the configuration'}",
        "default": "the default: nothing names this model's warehouse",
    }[origin]
    return f"{dialect} ({why}{where}{unread})"
