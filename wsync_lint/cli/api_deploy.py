"""``wsync-lint plan`` and ``wsync-lint deploy`` (wiring only: the work is in :mod:`wsync_lint.api`).

``plan`` only reads (GET); ``deploy`` writes only after lint, preflight and the plan pass, and
only when asked: a confirmation on a terminal, ``--auto-approve`` off one. ``--dry-run`` prints
the exact requests and sends none.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from wsync_lint.cli.api_options import api_failures_end_the_run, api_options, settings_for_project
from wsync_lint.cli.exit_codes import ExitCode
from wsync_lint.cli.options import (
    emit_report,
    exit_zero_option,
    format_option,
    output_file_option,
    quiet_option,
    refuse_missing_paths,
    refuse_output_file,
    stacked,
)
from wsync_lint.printable import counted, one_line

if TYPE_CHECKING:
    from wsync_lint.api.deploy import ApplyOutcome
    from wsync_lint.api.plan import Change, Plan
    from wsync_lint.api.planning import PlanOptions, ProjectPlan
    from wsync_lint.api.settings import ApiSettings
    from wsync_lint.contract.api_state import Refusal
    from wsync_lint.contract.rule import Violation
    from wsync_lint.engine.run_result import RunOptions
    from wsync_lint.project.resources import Kind

_plan_options = stacked(
    click.option(
        "--keep-live-state",
        is_flag=True,
        help="Leave each existing resource's `state` as mParticle has it (a pipeline paused in an incident stays paused).",
    ),
    click.option(
        "--rotate-secrets",
        "rotate",
        multiple=True,
        metavar="CONNECTION",
        help="Send this connection again for its secret, although nothing else changed (repeatable).",
    ),
)


class _Run:
    """One command's API settings, made once per project root, so that every secret registered on
    the way (a token, a service account key read from its file) is redacted from all it prints."""

    def __init__(
        self,
        workspace: str | None,
        timeout: float,
        options: RunOptions,
        plan_options: PlanOptions,
        output_file: Path | None = None,
        quiet: bool = False,
    ) -> None:
        self.workspace, self.timeout, self.options, self.plan_options = workspace, timeout, options, plan_options
        self.output_file, self.quiet = output_file, quiet
        self._made: dict[Path, ApiSettings] = {}
        self._shown: list[str] = []

    def settings_for(self, root: Path) -> ApiSettings:
        if root not in self._made:
            self._made[root] = settings_for_project(root, self.workspace, self.timeout, self.options.config_path)
        return self._made[root]

    def redact(self, text: str) -> str:
        for settings in self._made.values():
            text = settings.redact(text)
        return text

    def say(self, line: str, err: bool = False) -> None:
        click.echo(self.redact(one_line(line)), err=err)

    def tell(self, line: str) -> None:
        """A note, progress or closing line on standard error, which --quiet leaves out."""
        if not self.quiet:
            self.say(line, err=True)

    def show(self, text: str) -> None:
        """Part of the command's report: on standard output, or with ``-o`` the report so far
        written to that file (whole and atomically each time, so that it is there to read before a
        confirmation, and complete at the end)."""
        if self.output_file is None:
            click.echo(self.redact(text), nl=False)
            return
        self._shown.append(self.redact(text))
        emit_report("".join(self._shown), self.output_file)

    def plan(self, paths: tuple[Path, ...]) -> ProjectPlan:
        from wsync_lint.api.planning import plan_project

        with api_failures_end_the_run():
            return plan_project(list(paths) or [Path(".")], self.options, self.settings_for, self.plan_options)

    def plan_again(
        self, planned: ProjectPlan, refused: Mapping[tuple[Kind, str], Refusal] | None = None
    ) -> ProjectPlan:
        """The same project and selection against the workspace as it is now."""
        from wsync_lint.api.planning import plan_loaded

        with api_failures_end_the_run():
            return plan_loaded(
                planned.project,
                planned.planner,
                planned.selection,
                self.settings_for(planned.project.root),
                self.plan_options,
                refused,
            )


def _render(plan: Plan, output_format: str, with_writes: str | None = None, quiet: bool = False) -> str:
    from wsync_lint.api.plan_json import plan_json
    from wsync_lint.api.plan_text import plan_text
    from wsync_lint.api.writes import planned_writes

    writes = planned_writes(plan, with_writes) if with_writes is not None else None
    if output_format == "json":
        return plan_json(plan, writes)
    if not quiet:
        return plan_text(plan, writes)
    # --quiet: the changes, requests and findings only. The header, the notes, the "No changes"
    # line and the summary are cut by position, never by what a line says (a line quotes files).
    lines = plan_text(replace(plan, notes=[], preflight=None), writes).splitlines()
    body = lines[2:-1]  # after the header and its blank line; before the summary
    if not any(change.action != "noop" for change in plan.changes):
        body = body[2:]  # "No changes: ..." and its blank line
    text = "\n".join(body).strip("\n")
    return f"{text}\n" if text else ""


def _stops(planned: ProjectPlan, findings: list[Violation]) -> bool:
    """Whether the plan holds a blocked change, or ``findings`` one at or above the failing severity."""
    fail_on = planned.planner.config_for(planned.project.root / "-").fail_on
    blocked = any(change.action == "blocked" for change in planned.plan.changes)
    return blocked or any(v.severity.rank >= fail_on.rank for v in findings)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@api_options()
@format_option("text", "json")
@output_file_option
@quiet_option
@exit_zero_option
@click.option("--fail-on-changes", is_flag=True, help="Exit 1 when anything would be created or updated.")
@_plan_options
def plan(
    paths: tuple[Path, ...],
    workspace: str | None,
    timeout: float,
    config_path: Path | None,
    output_format: str,
    output_file: Path | None,
    quiet: bool,
    exit_zero: bool,
    fail_on_changes: bool,
    keep_live_state: bool,
    rotate: tuple[str, ...],
) -> None:
    """Show what `deploy` would change in the workspace (reads only).

    The payloads under PATHS (default: the current folder; a data model's `sql_file` inlined as
    deploy sends it) against what the workspace holds, matched by kind and id: `+` create, `~`
    update (field by field, the SQL as a unified diff), `!` blocked, `?` in the workspace and not in
    the project (listed, never touched) or not checked (field transformations). Plan does not lint:
    `check` and `deploy` do. Secrets are never read back or compared: the plan says
    where each would be sent from. Rules LV05 and LV06 report what mParticle would refuse or has
    faulted.
    """
    from wsync_lint.api.planning import PlanOptions
    from wsync_lint.engine.run_result import RunOptions

    refuse_missing_paths(paths)
    refuse_output_file(output_file)  # before the API is asked
    run = _Run(workspace, timeout, RunOptions(config_path=config_path), PlanOptions(keep_live_state, rotate))
    planned = run.plan(paths)
    text = run.redact(_render(planned.plan, output_format, quiet=quiet))
    emit_report(text, output_file)
    failing = _stops(planned, planned.plan.findings) or (fail_on_changes and planned.plan.has_changes)
    sys.exit(int(ExitCode.FINDINGS if failing and not exit_zero else ExitCode.CLEAN))


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@api_options("each call to the API (a few of them for its retries) and each warehouse login and statement")
@click.option("--dry-run", is_flag=True, help="Print the exact requests deploy would send, and send none.")
@click.option("--auto-approve", is_flag=True, help="Write without asking (needed off a terminal).")
@click.option(
    "--allow-running",
    is_flag=True,
    help="Update a pipeline (or its connection or data model) while it syncs; what that does is not documented.",
)
@click.option(
    "--no-preflight",
    is_flag=True,
    help="Skip the warehouse preflight (a CI job with API credentials but no warehouse login); the plan says so.",
)
@_plan_options
@format_option("text", "json")
@output_file_option
@quiet_option
def deploy(
    paths: tuple[Path, ...],
    workspace: str | None,
    timeout: float,
    config_path: Path | None,
    dry_run: bool,
    auto_approve: bool,
    allow_running: bool,
    no_preflight: bool,
    keep_live_state: bool,
    rotate: tuple[str, ...],
    output_format: str,
    output_file: Path | None,
    quiet: bool,
) -> None:
    """Create or update the workspace's resources from the payloads under PATHS.

    Lint, then preflight against each warehouse (unless --no-preflight), then the plan with LV05
    and LV06: a finding at or above `fail-on` (by default any finding) in a file the deploy sends
    stops it before the first write; a pipeline named alone brings its connection and data model.
    Then, after a confirmation (or --auto-approve), connections, data models and pipelines are
    written in that order, each re-read first (one changed since the plan stops the deploy),
    stopping at the first refused write; the plan is then read again to show what is left. Never
    deletes, never replaces. Secrets come from the environment (`WSYNC_LINT_<ID>_PASSWORD`,
    `WSYNC_LINT_<ID>_CREDENTIALS_FILE`). The report (the checks' findings, the plan, and after
    the writes the plan again) goes to standard output or -o; notes and progress to standard error.
    """
    from wsync_lint.api.deploy import apply, gate
    from wsync_lint.api.planning import (
        PlanOptions,
        deploy_files,
        plan_loaded,
        running_pipelines_touched,
        the_project,
    )
    from wsync_lint.engine.run_result import RunOptions
    from wsync_lint.engine.runner import Planner
    from wsync_lint.errors import UsageError
    from wsync_lint.report import REPORTERS

    refuse_missing_paths(paths)
    refuse_output_file(output_file)  # before anything is checked or sent
    if not dry_run and not auto_approve and not sys.stdin.isatty():
        raise UsageError("deploy writes to mParticle: off a terminal it needs --auto-approve (or --dry-run)")
    run = _Run(
        workspace,
        timeout,
        RunOptions(config_path=config_path),
        PlanOptions(keep_live_state, rotate),
        output_file,
        quiet,
    )
    planner = Planner(run.options)
    project, selection = the_project(list(paths) or [Path(".")], planner)
    # The gate checks every file the deploy writes: a pipeline named alone brings its connection,
    # data model and the model's SQL file with it.
    checked = gate(deploy_files(project, selection), run.options, preflight=not no_preflight, timeout=timeout)
    for note in checked.notes:
        run.tell(f"note: {note}")
    if checked.unreachable:
        for line in checked.unreachable:
            run.say(f"wsync-lint: {line}", err=True)
        run.say("wsync-lint: deploy stopped before reading the workspace; nothing was sent", err=True)
        sys.exit(int(ExitCode.UNREACHABLE))
    if checked.failing:
        run.show(REPORTERS["text"](checked.result, quiet))
        failing = sum(1 for v in checked.result.violations if v.severity.rank >= checked.result.fail_on.rank)
        run.say(
            f"wsync-lint: deploy stopped: the checks found {counted(failing, 'problem')} at or above "
            f"fail-on ({checked.result.fail_on.value}); nothing was sent",
            err=True,
        )
        sys.exit(int(ExitCode.FINDINGS))
    with api_failures_end_the_run():
        planned = plan_loaded(project, planner, selection, run.settings_for(project.root), run.plan_options)
    if not checked.preflighted:
        planned.plan.preflight = "skipped (--no-preflight): the models were not compiled against their warehouses"
    settings = run.settings_for(planned.project.root)
    run.show(_render(planned.plan, output_format, settings.base_url if dry_run else None, quiet))
    # A fault is shown, but does not stop the deploy that may clear it (ProjectPlan.blockers).
    if _stops(planned, planned.blockers()):
        run.say("wsync-lint: deploy stopped: the plan has a blocked change or a finding; nothing was sent", err=True)
        sys.exit(int(ExitCode.FINDINGS))
    running = [] if allow_running else running_pipelines_touched(planned.plan, planned.state)
    if running and not dry_run:
        names = ", ".join(f"`{pipeline}`" for pipeline in running)
        run.say(
            f"wsync-lint: deploy stopped: pipeline {names} is running in mParticle and this deploy updates it or "
            "what it uses; what an update does to a running sync is not documented: deploy again once it is "
            "idle (`wsync-lint status`), or pass --allow-running; nothing was sent",
            err=True,
        )
        sys.exit(int(ExitCode.FINDINGS))
    pending = planned.plan.pending
    if dry_run or not pending:
        run.tell("dry run: nothing was sent" if dry_run else "nothing to deploy")
        sys.exit(int(ExitCode.CLEAN))
    question = _question(planned.plan, settings.workspace, output_file)
    if not auto_approve and not click.confirm(question, default=False, err=True):
        run.say("wsync-lint: cancelled; nothing was sent", err=True)
        sys.exit(int(ExitCode.FINDINGS))
    with api_failures_end_the_run():
        outcome = apply(planned.plan, settings, os.environ, say=run.tell)
    _after(run, planned, outcome, output_format)


def _question(plan: Plan, workspace: str, output_file: Path | None) -> str:
    creates = sum(1 for change in plan.pending if change.action == "create")
    updates = len(plan.pending) - creates
    where = f" (the plan is in {one_line(str(output_file))})" if output_file is not None else ""
    return f"Deploy {counted(creates, 'create')} and {counted(updates, 'update')} to workspace {workspace}{where}?"


def _after(run: _Run, before: ProjectPlan, outcome: ApplyOutcome, output_format: str) -> None:
    """Say what was and was not applied, then read the workspace again to show what is left (a
    refused write is reported by LV05 at the resource, with mParticle's words)."""
    if outcome.stopped:
        run.say(f"wsync-lint: deploy stopped: {outcome.stopped}", err=True)
        run.say(f"applied: {_names(outcome.applied)}", err=True)
        run.say(f"not applied: {_names(outcome.not_applied)}", err=True)
        if outcome.unreachable:
            sys.exit(int(ExitCode.UNREACHABLE))
    # What is left to change: a rotated secret was sent, so it is no longer asked for.
    run.plan_options = replace(run.plan_options, rotate=())
    planned = run.plan_again(before, outcome.refused)
    run.show(_render(planned.plan, output_format, quiet=run.quiet))
    if outcome.stopped:
        sys.exit(int(ExitCode.FINDINGS))
    left = planned.plan.pending
    if left:
        run.say(
            f"wsync-lint: {len(left)} change(s) still pending after the deploy: mParticle stores a value "
            "differently from the file (see the plan above)",
            err=True,
        )
        sys.exit(int(ExitCode.FINDINGS))
    run.tell(f"deployed: {_names(outcome.applied)}; nothing left to change")
    sys.exit(int(ExitCode.CLEAN))


def _names(changes: list[Change]) -> str:
    return ", ".join(f"{change.kind.display} `{change.id}`" for change in changes) or "nothing"
