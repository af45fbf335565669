"""The writing half of ``deploy``: the gate before the first write, and the writes themselves.

Order, and why:

1. **The gate** (:func:`gate`): lint, then preflight against the warehouse (or lint alone with
   ``--no-preflight``, which the plan then says). Any finding at or above ``fail-on``, or a
   warehouse that cannot be reached, stops the deploy before the API is even read.
2. The plan (:mod:`wsync_lint.api.planning`, GET only) with LV05 and LV06; a blocked change or a
   finding stops it too. The command line shows the plan and asks (or takes ``--auto-approve``).
3. **The writes** (:func:`apply`), in dependency order (connection, data model, field
   transformation, pipeline), each a PUT of the whole object or a POST. Every secret is resolved
   from the environment before the first write, so a missing variable stops nothing half-way.
   Before each write the resource is read again: one that changed since the plan was read (the
   API documents no ETag, so ``last_modified_on`` and the body are compared) stops the deploy, as
   does the first refused write, since later writes depend on earlier ones. Nothing is ever
   deleted or replaced.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wsync_lint.api.errors import ApiRefused, ApiUnreachable
from wsync_lint.api.plan import Change, Plan
from wsync_lint.api.settings import ApiSettings
from wsync_lint.api.writes import filled_bodies
from wsync_lint.contract.api_state import Refusal
from wsync_lint.engine.run_result import RunOptions, RunResult
from wsync_lint.engine.runner import display_path, lint_paths
from wsync_lint.mparticle import facts
from wsync_lint.project.resources import value_at


@dataclass
class GateResult:
    """What lint and preflight said before anything was read from the API."""

    result: RunResult
    unreachable: list[str] = field(default_factory=list)
    """One line per warehouse the preflight did not check (``not checked: connection `x`: why`` when
    nothing was tried, ``unreachable: connection `x`: why`` when it did not answer): exit 3."""
    notes: list[str] = field(default_factory=list)
    preflighted: bool = True

    @property
    def failing(self) -> bool:
        """Whether a finding at or above the failing severity stops the deploy."""
        return any(v.severity.rank >= self.result.fail_on.rank for v in self.result.violations)


def gate(files: Sequence[Path], options: RunOptions, preflight: bool, timeout: float) -> GateResult:
    """Lint ``files`` (what the deploy sends) and, with ``preflight``, check their pipelines against
    their warehouses. Only findings placed in these files count: linting a connection's file also
    reports what another pipeline of that connection gets wrong in its own model, which this deploy
    neither sends nor changes."""
    if not preflight:
        result = lint_paths(files, options)
        gated = GateResult(result, preflighted=False)
    else:
        from wsync_lint.live.preflight import PreflightOptions
        from wsync_lint.live.preflight import preflight as run_preflight

        outcome = run_preflight(list(files), options, PreflightOptions(timeout=timeout))
        gated = GateResult(outcome.result, [target.line for target in outcome.result.not_checked], outcome.notes)
    sent = {display_path(path) for path in files}
    gated.result.violations = [v for v in gated.result.violations if v.path in sent]
    return gated


@dataclass
class ApplyOutcome:
    """What a deploy wrote, and where and why it stopped."""

    applied: list[Change] = field(default_factory=list)
    not_applied: list[Change] = field(default_factory=list)
    refused: dict[tuple[Any, str], Refusal] = field(default_factory=dict)
    """The write mParticle refused, by (kind, id): LV05 reports it at the resource."""
    stopped: str | None = None
    """Why the deploy stopped before the end (a refused write, a resource changed meanwhile, the
    API unreachable); None when every write was made."""
    unreachable: bool = False


Say = Callable[[str], None]


def apply(
    plan: Plan, settings: ApiSettings, environment: Mapping[str, str], say: Say = lambda _line: None
) -> ApplyOutcome:
    """Make the plan's writes in order; stop at the first that cannot be made (see the module)."""
    from wsync_lint.api.client import WarehouseSyncClient

    pending = list(plan.pending)
    bodies = filled_bodies(plan, environment)  # every secret, before any write
    for change, body in zip(pending, bodies, strict=True):
        _register_secrets(change, body, settings)
    outcome = ApplyOutcome()
    with WarehouseSyncClient(settings) as client:
        for index, (change, body) in enumerate(zip(pending, bodies, strict=True)):
            try:
                current = client.get(change.kind, change.id)
                moved = _moved(change, current)
                if moved:
                    outcome.stopped = f"{change.kind.display} `{change.id}` {moved}; run `wsync-lint plan` again"
                elif change.action == "create":
                    client.create(change.kind, body)
                else:
                    client.update(change.kind, change.id, body)
            except ApiRefused as refused:
                outcome.refused[(change.kind, change.id)] = Refusal(change.action, refused.status, refused.message)
                outcome.stopped = (
                    f"mParticle refused to {change.action} {change.kind.display} `{change.id}` ({refused.status})"
                )
            except ApiUnreachable as error:
                outcome.stopped = str(error)
                outcome.unreachable = True
            if outcome.stopped:
                outcome.not_applied = pending[index:]
                break
            outcome.applied.append(change)
            say(f"{'created' if change.action == 'create' else 'updated'} {change.kind.display} `{change.id}`")
    return outcome


def _register_secrets(change: Change, body: Mapping[str, Any], settings: ApiSettings) -> None:
    """Redact the secrets ``body`` carries from now on: a service account key comes from a file,
    so no variable's value names it."""
    for slot in change.secrets:
        value = value_at(body, slot.pointer)
        if isinstance(value, str):
            settings.register_secret(value)


def _moved(change: Change, current: Mapping[str, Any] | None) -> str | None:
    """How the resource changed since the plan read it (None: it did not)."""
    if change.action == "create":
        return "was created in mParticle since the plan was read" if current is not None else None
    if current is None:
        return "was deleted in mParticle since the plan was read"
    before = change.live.body if change.live is not None else {}
    if _comparable(before) != _comparable(current):
        return "was changed in mParticle since the plan was read"
    return None


def _comparable(body: Mapping[str, Any]) -> dict[str, Any]:
    """The body without what a read may answer differently for an unchanged resource (its status
    and errors move as pipelines run; secrets are never answered the same way twice)."""
    volatile = {"status", "errors"}
    return {
        key: (
            {k: v for k, v in value.items() if k not in facts.SECRET_KEYS}
            if key == "config" and isinstance(value, Mapping)
            else value
        )
        for key, value in body.items()
        if key not in volatile
    }
