"""``status``: how each of the project's pipelines is doing in its workspace (GET only).

Per pipeline: its status report (P7: the pipeline's status and errors, its connection's and data
model's states, the latest run) and its latest runs (P8). A faulted connection, an invalid data
model or a faulted pipeline is a finding placed on the resource's payload file, with mParticle's
own message and the troubleshooting guide's advice: exactly what rule LV05 says of it, so
``status``, ``plan`` and ``deploy`` never disagree about a fault.

A pipeline the workspace does not hold is a note, not a finding, and leaves the exit code alone:
``status`` watches what runs, and a pipeline that was never deployed (or was removed in
mParticle's UI) has nothing running to be unhealthy; ``plan --fail-on-changes`` is the gate for
a workspace that differs from the project. A report that answers Not Found for a pipeline the
workspace does hold is mParticle's documented delay of about a minute after creation (T2,
WS-ERR-05), also a note.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wsync_lint import __version__
from wsync_lint.analysis.api_values import as_instant
from wsync_lint.api.errors import ApiRefused
from wsync_lint.api.workspace import notes_about, read_workspace
from wsync_lint.contract.api_state import ApiContext, ApiState, error_messages
from wsync_lint.engine.api_rules import api_violations
from wsync_lint.engine.run_result import RunResult
from wsync_lint.engine.runner import Planner
from wsync_lint.errors import UsageError
from wsync_lint.printable import counted, json_text, one_line
from wsync_lint.project.project import Project
from wsync_lint.project.resources import Kind, Resource
from wsync_lint.report.json_format import finding_object
from wsync_lint.report.text import render_text

if TYPE_CHECKING:
    from wsync_lint.api.client import WarehouseSyncClient

STATUS_RULE = "LV05"
"""The rule whose findings ``status`` reports (faults, invalid models, missing references)."""


@dataclass
class PipelineStatus:
    """One pipeline of the project as its workspace reports it."""

    resource: Resource
    """The pipeline in the project."""
    in_workspace: bool
    body: Mapping[str, Any] = field(default_factory=dict)
    """The pipeline as the workspace holds it (its GET answer; empty when it holds none)."""
    report: Mapping[str, Any] | None = None
    """The status report (P7), None when there is none (yet)."""
    runs: list[Mapping[str, Any]] | None = None
    """The latest runs, newest first; None when they were not read."""
    notes: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.resource.id or ""


@dataclass
class StatusResult:
    """What ``status`` found: every pipeline asked about, the LV05 findings on their files."""

    state: ApiState
    """The workspace as read (every resource, and the reports read with it)."""
    pipelines: list[PipelineStatus]
    findings: RunResult
    notes: list[str] = field(default_factory=list)
    """What could not be checked (``ApiState.unchecked``)."""

    @property
    def failed(self) -> bool:
        """Whether any finding is at or above the configured ``fail-on`` severity."""
        return any(v.severity.rank >= self.findings.fail_on.rank for v in self.findings.violations)


def gather_status(
    client: WarehouseSyncClient, project: Project, planner: Planner, names: Sequence[str], runs: int
) -> StatusResult:
    """The status of the project's pipelines (``names``: only these), their latest ``runs`` runs
    and LV05's findings (``planner`` selects LV05 alone). A name the project does not define is a
    usage error, raised before any request."""
    pipelines = selected_pipelines(project, names)
    state = read_workspace(client, project)
    statuses = read_status(client, state, pipelines, runs)
    findings = status_findings(project, state, planner, pipelines)
    return StatusResult(state, statuses, findings, notes=notes_about(state, pipelines))


def selected_pipelines(project: Project, names: Sequence[str]) -> list[Resource]:
    """The project's pipelines with an id, in id order (``names``: only these, in the order
    given, each once); a name the project does not define is a usage error."""
    pipelines = {resource.id: resource for resource in project.of_kind(Kind.PIPELINE) if resource.id}
    if not names:
        return [pipelines[name] for name in sorted(pipelines)]
    unknown = [name for name in names if name not in pipelines]
    if unknown:
        raise UsageError(
            f"pipeline `{unknown[0]}` is not defined in the project at {project.root}; "
            "`wsync-lint import` brings a workspace's resources into files"
        )
    return [pipelines[name] for name in dict.fromkeys(names)]


def read_status(
    client: WarehouseSyncClient, state: ApiState, pipelines: Sequence[Resource], runs: int
) -> list[PipelineStatus]:
    """Each pipeline's report and latest ``runs`` runs, read from the workspace ``state`` was
    read from; a pipeline the workspace does not hold is not asked about."""
    found = []
    for resource in pipelines:
        live = state.find(Kind.PIPELINE, resource.id)
        if live is None:
            found.append(
                PipelineStatus(
                    resource,
                    in_workspace=False,
                    notes=[f"not in workspace {state.workspace} (run `wsync-lint deploy` to create it)"],
                )
            )
            continue
        status = PipelineStatus(resource, in_workspace=True, body=live.body)
        try:
            report = state.reports.get(live.id)
            status.report = report if report is not None else client.report(live.id)
            if status.report is None:
                status.notes.append(
                    "no status report yet: mParticle documents about a minute after creation before "
                    "it has one; try again in a few minutes"
                )
            status.runs = newest_first(client.latest_runs(live.id, runs))[:runs]
        except ApiRefused as refused:
            # A refused read leaves the pipeline's own answer (its status) and LV05's findings, which
            # come from the workspace's lists; what is missing is said, not guessed.
            status.notes.append(
                f"not all read: mParticle answered {refused.status} to {refused.method}: {refused.message}"
            )
        found.append(status)
    return found


def newest_first(runs: Sequence[Any]) -> list[Mapping[str, Any]]:
    """The runs newest first (by start, then id): R2 does not say in which order a page lists them.

    >>> [r["id"] for r in newest_first([{"id": 251, "started_on": "2023-10-25T18:11Z"}, {"id": 252,
    ...     "started_on": "2023-10-25T19:11Z"}, {"id": 250}])]
    [252, 251, 250]
    """

    def key(run: Mapping[str, Any]) -> tuple[float, float]:
        started = as_instant(run.get("started_on"))
        run_id = run.get("id")
        number = float(run_id) if isinstance(run_id, int | float) and not isinstance(run_id, bool) else float("-inf")
        return (started.timestamp() if started is not None else float("-inf"), number)

    return sorted((run for run in runs if isinstance(run, Mapping)), key=key, reverse=True)


def status_findings(project: Project, state: ApiState, planner: Planner, pipelines: Sequence[Resource]) -> RunResult:
    """LV05's findings on the files of ``pipelines`` and of the connections and data models they
    use (``planner`` selects LV05 alone), with the ``fail-on`` of those files' configuration."""
    paths: set[str] = set()
    for pipeline in pipelines:
        paths.add(pipeline.path)
        for kind, key in ((Kind.CONNECTION, "connection_id"), (Kind.DATA_MODEL, "data_model_id")):
            used = project.find(kind, pipeline.get(key))
            if used is not None:
                paths.add(used.path)
    violations = [v for v in api_violations(ApiContext(project, state), planner) if v.path in paths]
    result = RunResult(violations=violations, paths=sorted(paths))
    fail_ons = [planner.config_for(project.locations[path]).fail_on for path in sorted(paths)]
    if fail_ons:
        result.fail_on = min(fail_ons, key=lambda severity: severity.rank)
    return result


# -- rendering ---------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return "-" if value is None else one_line(str(value))


def _dependency(status: PipelineStatus, state: ApiState, kind: Kind) -> dict[str, Any]:
    """The connection's or data model's id, status and errors: from the report, else from the
    resource as the workspace holds it."""
    key, prefix = ("connection_id", "connection") if kind is Kind.CONNECTION else ("data_model_id", "data_model")
    resource_id = status.body.get(key, status.resource.get(key))
    live = state.find(kind, resource_id)
    report = status.report or {}
    if f"{prefix}_status" in report:
        found, errors = report.get(f"{prefix}_status"), error_messages(report.get(f"{prefix}_errors"))
    else:
        found, errors = (live.status, live.errors) if live is not None else (None, ())
    return {"id": resource_id, "status": found, "errors": list(errors)}


def _run(run: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("id", "type", "status", "started_on", "ended_on", "successful_records", "failed_records")
    return {**{key: run.get(key) for key in keys}, "errors": list(error_messages(run.get("errors")))}


def pipeline_document(status: PipelineStatus, state: ApiState) -> dict[str, Any]:
    """One pipeline as the JSON format gives it (see :func:`render_status_json`)."""
    report = status.report or {}
    return {
        "id": status.id,
        "path": status.resource.path,
        "in_workspace": status.in_workspace,
        "state": status.body.get("state"),
        "status": report.get("status", status.body.get("status")),
        "errors": list(error_messages(report.get("errors", status.body.get("errors")))),
        "connection": _dependency(status, state, Kind.CONNECTION),
        "data_model": _dependency(status, state, Kind.DATA_MODEL),
        "latest_successful_run_id": report.get("latest_successful_pipeline_run_id"),
        "runs": None if status.runs is None else [_run(run) for run in status.runs],
        "notes": list(status.notes),
    }


def _summary(result: StatusResult) -> dict[str, int]:
    return {
        "pipelines": len(result.pipelines),
        "not_in_workspace": sum(1 for status in result.pipelines if not status.in_workspace),
        "errors": result.findings.errors,
        "warnings": result.findings.warnings,
    }


def render_status_json(result: StatusResult) -> str:
    """The JSON format, a contract: ``{"version", "workspace", "pipelines": [{"id", "path",
    "in_workspace", "state", "status", "errors", "connection": {"id", "status", "errors"},
    "data_model": {...}, "latest_successful_run_id", "runs": [{"id", "type", "status",
    "started_on", "ended_on", "successful_records", "failed_records", "errors"}] (null: not read), "notes"}],
    "findings": [as check's JSON], "notes": [...], "summary": {"pipelines", "not_in_workspace",
    "errors", "warnings"}}``. Errors are mParticle's messages; values are as the API gave them."""
    findings = [finding_object(violation) for violation in result.findings.violations]
    document = {
        "version": __version__,
        "workspace": result.state.workspace,
        "pipelines": [pipeline_document(status, result.state) for status in result.pipelines],
        "findings": findings,
        "notes": list(result.notes),
        "summary": _summary(result),
    }
    return json_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def _run_line(run: Mapping[str, Any]) -> str:
    shown = _run(run)
    line = (
        f"run {_text(shown['id'])}: {_text(shown['status'])} ({_text(shown['type'])}), "
        f"started {_text(shown['started_on'])}, ended {_text(shown['ended_on'])}, "
        f"{_text(shown['successful_records'])} records synced, {_text(shown['failed_records'])} failed"
    )
    return line + "".join(f"; error: {one_line(message)}" for message in shown["errors"])


def render_status_text(result: StatusResult) -> str:
    """One block per pipeline, then the findings as ``check`` prints them, then a summary line
    (what could not be checked, ``result.notes``, is for the command to print as notes)."""
    lines = [f"workspace {one_line(result.state.workspace)}: {counted(len(result.pipelines), 'pipeline')}"]
    for status in result.pipelines:
        shown = pipeline_document(status, result.state)
        lines.append("")
        lines.append(f"pipeline `{one_line(status.id)}`  {one_line(status.resource.path)}")
        if status.in_workspace:
            lines.append(f"    state {_text(shown['state'])}, status {_text(shown['status'])}")
            lines.extend(f"    error: {one_line(message)}" for message in shown["errors"])
            for label, part in (("connection", shown["connection"]), ("data model", shown["data_model"])):
                lines.append(f"    {label} `{_text(part['id'])}`: {_text(part['status'])}")
                lines.extend(f"        error: {one_line(message)}" for message in part["errors"])
            if status.report is not None:
                lines.append(f"    latest successful run: {_text(shown['latest_successful_run_id'])}")
            lines.extend(f"    {_run_line(run)}" for run in status.runs or ())
            if status.runs == []:
                lines.append("    no runs yet")
        lines.extend(f"    note: {one_line(note)}" for note in status.notes)
    lines.append("")
    findings = render_text(result.findings, quiet=True)
    if findings:
        lines.append(findings.rstrip("\n"))
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"


def summary_line(result: StatusResult) -> str:
    """E.g. ``Status: 3 pipelines, 1 not in the workspace; 2 problems (2 errors, 0 warnings).``"""
    summary = _summary(result)
    missing = f", {summary['not_in_workspace']} not in the workspace" if summary["not_in_workspace"] else ""
    problems = summary["errors"] + summary["warnings"]
    if not problems:
        found = "no problems"
    else:
        counts = f"{counted(summary['errors'], 'error')}, {counted(summary['warnings'], 'warning')}"
        found = f"{counted(problems, 'problem')} ({counts})"
    return f"Status: {counted(summary['pipelines'], 'pipeline')}{missing}; {found}."
