"""The read-only half of ``deploy``: one project against its workspace, as ``plan`` shows it.

``plan``, ``deploy`` and ``preflight --api`` all come through here, so what the plan shows is what
deploy applies (braze-sync's rule: "they cannot disagree about what would be applied"). Only GET
requests are made.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from wsync_lint.api.plan import Plan, build_plan, planned_targets
from wsync_lint.api.settings import ApiSettings
from wsync_lint.api.workspace import notes_about
from wsync_lint.contract.api_state import API_KINDS, ApiContext, ApiState, Refusal
from wsync_lint.contract.rule import Violation
from wsync_lint.engine.api_rules import api_violations
from wsync_lint.engine.run_result import RunOptions
from wsync_lint.engine.runner import Planner, load_project
from wsync_lint.errors import UsageError
from wsync_lint.files import is_within
from wsync_lint.project.project import Project
from wsync_lint.project.resources import Kind
from wsync_lint.project.roots import RootFinder


@dataclass(frozen=True)
class PlanOptions:
    """What the command line says about the plan (``plan`` and ``deploy`` take the same)."""

    keep_live_state: bool = False
    """``--keep-live-state``: an existing resource keeps mParticle's ``state`` (a pipeline paused in an
    incident stays paused)."""
    rotate: tuple[str, ...] = ()
    """``--rotate-secrets ID``: connections sent again for their secret although nothing else changed
    (a rotated secret cannot be seen: it is never read back)."""


@dataclass
class ProjectPlan:
    """A project, its workspace as read, the API rules' findings and the plan."""

    project: Project
    planner: Planner
    state: ApiState
    plan: Plan
    selection: tuple[tuple[Kind, str], ...]
    """The resources the paths select (empty: the whole project)."""
    options: PlanOptions = PlanOptions()

    def blockers(self) -> list[Violation]:
        """The API rules' findings that stop a deploy: those about the project against the workspace,
        not about the workspace's health (:meth:`ApiState.without_health`)."""
        findings = api_violations(ApiContext(self.project, self.state.without_health()), self.planner)
        return _about_selection(findings, self.plan, self.selection)


def the_project(paths: Sequence[Path], planner: Planner) -> tuple[Project, tuple[tuple[Kind, str], ...]]:
    """The one project ``paths`` belong to, loaded whole, and the resources the paths select
    (empty when a path is the project's root: everything). A project maps to one workspace, so
    paths in two projects are a usage error."""
    finder = RootFinder()
    roots = {finder.root_of(path.resolve()).folder for path in paths}
    if len(roots) != 1:
        shown = ", ".join(sorted(str(root) for root in roots))
        raise UsageError(
            f"the paths belong to {len(roots)} projects ({shown}); a project maps to one workspace: "
            "run the command once per project"
        )
    root = roots.pop()
    project = load_project(root, planner)
    folders = [path.resolve() for path in paths]
    if any(folder == root for folder in folders):
        return project, ()
    selected = []
    for resource in project.resources:
        location = project.locations[resource.path]
        if resource.kind in API_KINDS and resource.id and any(is_within(location, folder) for folder in folders):
            selected.append((resource.kind, resource.id))
    if not selected:
        raise UsageError(f"no connection, data model or pipeline in {', '.join(map(str, paths))}")
    return project, tuple(dict.fromkeys(selected))


def deploy_files(project: Project, selection: tuple[tuple[Kind, str], ...]) -> list[Path]:
    """The files of everything a deploy of ``selection`` (empty: the whole project) writes: each
    resource's payload file and each data model's SQL file. Deploy's gate lints and preflights
    exactly these, so nothing is written that was not checked."""
    everything = {(r.kind, r.id) for r in project.resources if r.kind in API_KINDS and r.id is not None}
    files: list[Path] = []
    # Each file is named, never a folder: a folder's walk skips hidden folders, virtual environments
    # and `exclude` globs, but a resource loaded from there, or a model's `sql_file` there, is still sent.
    for kind, resource_id in sorted(planned_targets(project, selection) if selection else everything):
        resource = project.find(kind, resource_id)
        if resource is None:
            continue
        files.append(project.locations[resource.path])
        sql = project.model_sql(resource) if kind is Kind.DATA_MODEL else None
        if sql is not None and sql.file is not None and sql.problem is None:
            files.append(sql.file)
    return list(dict.fromkeys(files))


def read_state(project: Project, settings: ApiSettings) -> ApiState:
    """The workspace as the API answers for ``project`` (GET only)."""
    from wsync_lint.api.client import WarehouseSyncClient
    from wsync_lint.api.workspace import read_workspace

    with WarehouseSyncClient(settings) as client:
        return read_workspace(client, project)


def plan_against(
    project: Project,
    planner: Planner,
    state: ApiState,
    selection: tuple[tuple[Kind, str], ...],
    options: PlanOptions = PlanOptions(),
) -> Plan:
    """The plan of ``project`` against ``state``, with the API rules' findings (LV05, LV06) about
    the selected resources' files, and what could not be read as notes."""
    covered = planned_targets(project, selection) if selection else None
    for connection_id in options.rotate:
        if project.find(Kind.CONNECTION, connection_id) is None:
            raise UsageError(f"--rotate-secrets {connection_id}: the project defines no connection `{connection_id}`")
        if covered is not None and (Kind.CONNECTION, connection_id) not in covered:
            raise UsageError(
                f"--rotate-secrets {connection_id}: connection `{connection_id}` is not among what the paths "
                "select: name its file, or a pipeline that uses it"
            )
    plan = build_plan(project, state, selection, keep_live_state=options.keep_live_state, rotate=options.rotate)
    plan.findings = _about_selection(api_violations(ApiContext(project, state), planner), plan, selection)
    plan.notes = [*plan.notes, *notes_about(state, (c.resource for c in plan.changes if c.resource is not None))]
    return plan


RUNNING = "running"
"""A pipeline's ``status`` while a sync runs (WS-PIPE-18)."""


def running_pipelines_touched(plan: Plan, state: ApiState) -> list[str]:
    """The live pipelines with status ``running`` that the plan's updates touch: the pipeline
    itself, or the connection or data model it uses. What an update does to a running sync is not
    documented (design §2.9), so deploy waits for them unless told otherwise."""
    touched: set[str] = set()
    running = [live for live in state.of_kind(Kind.PIPELINE) if live.status == RUNNING]
    for change in plan.pending:
        if change.action != "update":
            continue
        for live in running:
            uses = {Kind.PIPELINE: live.id, Kind.CONNECTION: live.get("connection_id")}
            uses[Kind.DATA_MODEL] = live.get("data_model_id")
            if uses.get(change.kind) == change.id:
                touched.add(live.id)
    return sorted(touched)


def _about_selection(findings: list[Violation], plan: Plan, selection: tuple[tuple[Kind, str], ...]) -> list[Violation]:
    """The findings about the files of the plan's changes when the paths select part of the project."""
    if not selection:
        return findings
    files = {change.path for change in plan.changes if change.path}
    return [v for v in findings if v.path in files or not files.isdisjoint(v.related)]


def plan_project(
    paths: Sequence[Path],
    options: RunOptions,
    settings_for: Callable[[Path], ApiSettings],
    plan_options: PlanOptions = PlanOptions(),
) -> ProjectPlan:
    """Load the project of ``paths``, read its workspace (``settings_for(project root)`` says
    which, and how to reach it) and plan."""
    planner = Planner(options)
    project, selection = the_project(paths, planner)
    return plan_loaded(project, planner, selection, settings_for(project.root), plan_options)


def plan_loaded(
    project: Project,
    planner: Planner,
    selection: tuple[tuple[Kind, str], ...],
    settings: ApiSettings,
    plan_options: PlanOptions = PlanOptions(),
    refused: Mapping[tuple[Kind, str], Refusal] | None = None,
) -> ProjectPlan:
    """Read the workspace of a loaded project and plan (``refused``: writes a deploy had refused,
    which LV05 reports at their resources)."""
    state = read_state(project, settings)
    state.refused.update(refused or {})
    plan = plan_against(project, planner, state, selection, plan_options)
    return ProjectPlan(project, planner, state, plan, selection, plan_options)
