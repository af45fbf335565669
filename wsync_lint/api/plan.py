"""The plan: what deploying the project would do to the workspace, resource by resource.

Resources are matched by kind and client-chosen id (design §2.1: no state file). Each committed
resource of an API kind is one :class:`Change`:

- ``create``: the workspace has no resource of that kind and id;
- ``update``: it has one, and :func:`~wsync_lint.analysis.payload_diff.diff_bodies` finds a change;
- ``noop``: it has one, and nothing differs (secrets are never compared);
- ``blocked``: the change touches a field an existing resource cannot change
  (:func:`~wsync_lint.analysis.immutable_fields.immutable_changes`, which rule LV06 uses too);
  deploy refuses it and never replaces the resource;
- ``unchecked``: a field transformation. Its endpoints are not documented in any source found
  (design F1, Q-6), so the plan cannot read it and deploy does not send it; guessing a URL would
  be worse than saying so;
- ``unmanaged``: a live resource the project does not define. Listed, never touched: the API has
  no marker of what wsync-lint manages, so deploy never deletes (design §2.5).

Feeds and trigger request bodies are never sent: they are no resources of this API. The plan
carries the consequences the user should read before confirming (design §2.9): a ``once``
pipeline runs on creation, an incremental pipeline's first run is a full sync, an update clears
a fault, a ``state`` change pauses or resumes, a new id that looks like a renamed pipeline.
Pure: the workspace comes in as an :class:`~wsync_lint.contract.api_state.ApiState`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from wsync_lint.analysis.immutable_fields import ImmutableChange, immutable_changes
from wsync_lint.analysis.payload_diff import FieldChange, diff_bodies
from wsync_lint.api.desired import desired_body, sql_file_shown
from wsync_lint.api.secrets import SecretSlot, secret_slots
from wsync_lint.contract.api_state import API_KINDS, ApiState, LiveResource
from wsync_lint.contract.rule import Violation
from wsync_lint.errors import UsageError
from wsync_lint.mparticle import facts
from wsync_lint.printable import counted
from wsync_lint.project.project import Project
from wsync_lint.project.resources import Kind, Resource

Action = Literal["create", "update", "noop", "blocked", "unchecked", "unmanaged"]
ACTIONS: tuple[Action, ...] = ("create", "update", "blocked", "noop", "unchecked", "unmanaged")
"""Every action, in the order the summary counts them."""


@dataclass
class Change:
    """What deploy would do to one resource."""

    action: Action
    kind: Kind
    id: str
    path: str | None
    """The payload file as displayed (None for an unmanaged resource)."""
    resource: Resource | None
    live: LiveResource | None
    body: dict[str, Any] | None
    """The body deploy would send, without its secrets (None for an unmanaged resource)."""
    fields: list[FieldChange] = field(default_factory=list)
    blocked: list[ImmutableChange] = field(default_factory=list)
    secrets: list[SecretSlot] = field(default_factory=list)
    """The write-only keys sent with this create or update (empty when nothing is sent)."""
    notes: list[str] = field(default_factory=list)
    sql_file: str | None = None
    """For a data model: its ``config.sql_file`` as displayed (the SQL diff says ``from`` it)."""


@dataclass
class Plan:
    """Every change, the API rules' findings and what could not be checked."""

    workspace: str
    changes: list[Change]
    findings: list[Violation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    preflight: str | None = None
    """Set when the warehouse preflight did not run: what happened, as words that follow
    "Warehouse preflight" (``skipped (--no-preflight): the models were not compiled ...``)."""
    read: dict[Kind, int] = field(default_factory=dict)
    """How many live resources of each kind the workspace answered."""

    @property
    def summary(self) -> dict[str, int]:
        """How many changes of each action (every action named, zeros included)."""
        counts = Counter(change.action for change in self.changes)
        return {action: counts[action] for action in ACTIONS}

    @property
    def pending(self) -> list[Change]:
        """The creates and updates, in the order deploy makes them: connections, data models,
        field transformations, pipelines (design §2.2), then by id."""
        return sorted(
            (change for change in self.changes if change.action in ("create", "update")),
            key=lambda change: (API_KINDS.index(change.kind), change.id),
        )

    @property
    def has_changes(self) -> bool:
        """Whether deploying would change anything, or wants to and may not (``--fail-on-changes``)."""
        return any(change.action in ("create", "update", "blocked") for change in self.changes)


def build_plan(
    project: Project,
    state: ApiState,
    only: Sequence[tuple[Kind, str]] = (),
    *,
    keep_live_state: bool = False,
    rotate: Sequence[str] = (),
) -> Plan:
    """The plan of ``project`` against the workspace ``state``. ``only``: plan these resources
    and, for a pipeline, its connection, data model and field transformation (like Terraform's
    ``-target``); unmanaged live resources are then not listed. ``keep_live_state``
    (``--keep-live-state``): an existing resource keeps its live ``state`` (a pipeline paused during
    an incident stays paused). ``rotate`` (``--rotate-secrets``): connection ids sent again although
    nothing else changed, since a rotated secret cannot be seen (design §2.7)."""
    targets = planned_targets(project, only) if only else None
    changes: list[Change] = []
    defined: set[tuple[Kind, str]] = set()
    for resource in project.resources:
        key = (resource.kind, resource.id or "")
        if resource.kind not in API_KINDS or resource.id is None or key in defined:
            continue  # a second resource of the same id is PS06's; the first is the one planned
        defined.add(key)
        if targets is None or key in targets:
            changes.append(_change(project, resource, state.find(*key), keep_live_state, resource.id in rotate))
    if targets is None:
        changes.extend(
            Change("unmanaged", kind, live.id, None, None, live, None)
            for (kind, _), live in sorted(state.resources.items())
            if (kind, live.id) not in defined and kind in API_KINDS
        )
    _note_renames(changes)
    changes.sort(key=lambda change: (change.action == "unmanaged", API_KINDS.index(change.kind), change.id))
    read = Counter(kind for kind, _ in state.resources)
    return Plan(state.workspace, changes, notes=_project_notes(project) if targets is None else [], read=dict(read))


def planned_targets(project: Project, only: Sequence[tuple[Kind, str]]) -> set[tuple[Kind, str]]:
    """The resources a plan of ``only`` covers: those, and each pipeline's connection, data model and
    field transformation that the project defines (deploy's gate checks exactly these)."""
    targets: set[tuple[Kind, str]] = set()
    for kind, resource_id in only:
        resource = project.find(kind, resource_id)
        if resource is None:
            raise UsageError(f"the project defines no {kind.display} `{resource_id}`")
        targets.add((kind, resource_id))
        if kind is Kind.PIPELINE:
            for needed, key in _DEPENDENCIES:
                value = resource.get(key)
                if isinstance(value, str) and project.find(needed, value) is not None:
                    targets.add((needed, value))
    return targets


_DEPENDENCIES = (
    (Kind.CONNECTION, "connection_id"),
    (Kind.DATA_MODEL, "data_model_id"),
    (Kind.FIELD_TRANSFORMATION, "field_transformation_id"),
)


def _change(
    project: Project, resource: Resource, live: LiveResource | None, keep_live_state: bool, rotate: bool
) -> Change:
    assert resource.id is not None  # build_plan plans only resources with an id
    body = desired_body(project, resource)
    kept = None
    # Only a state mParticle documents for the kind is kept: a live value of another shape is no
    # state to send back.
    documented = facts.STATES.get(resource.kind.value, ())
    if (
        keep_live_state
        and live is not None
        and live.state in documented
        and body.get("state", live.state) != live.state
    ):
        kept, body["state"] = body["state"], live.state
    change = Change("noop", resource.kind, resource.id, resource.path, resource, live, body)
    change.sql_file = sql_file_shown(resource)
    if resource.kind is Kind.FIELD_TRANSFORMATION:
        change.action = "unchecked"
        change.notes.append(
            "not checked: mParticle documents no API endpoints for field transformations, so the plan "
            "cannot read it and deploy does not send it"
        )
        return change
    if live is None:
        change.action = "create"
        change.notes.extend(_creation_notes(resource))
    else:
        change.fields = diff_bodies(resource.kind, body, live.body)
        change.blocked = immutable_changes(resource.kind, body, live.body)
        if change.blocked:
            change.action = "blocked"
        elif change.fields:
            change.action = "update"
            change.notes.extend(_update_notes(change, live))
        elif rotate and resource.kind is Kind.CONNECTION and secret_slots(resource):
            change.action = "update"
            change.notes.append("--rotate-secrets: sent again to replace its secret, although nothing else changed")
        if kept is not None and change.action == "update":
            change.notes.append(f"`state` stays {live.state} as in mParticle (the file says {kept}): --keep-live-state")
    if change.action in ("create", "update"):
        change.secrets = secret_slots(resource)
    return change


def _creation_notes(pipeline: Resource) -> list[str]:
    if pipeline.kind is not Kind.PIPELINE:
        return []
    notes = []
    if pipeline.get("schedule", "type") == facts.SCHEDULE_ONCE:
        notes.append("`schedule.type` once: the pipeline runs immediately on creation")
    if pipeline.get("sync_mode", "type") == facts.SYNC_MODE_INCREMENTAL:
        notes.append(
            "the first run of an incremental pipeline is a full sync: it reads every row, up to the "
            f"historical limit of {_records(facts.HISTORICAL_RECORD_LIMIT)} records"
        )
    return notes


_MOVES_ITERATOR = (
    ("connection_id",),
    ("data_model_id",),
    ("sync_mode", "iterator_field"),
    ("sync_mode", "iterator_data_type"),
)
_STATE_CHANGES = {
    (facts.PIPELINE_STATE_ACTIVE, facts.PIPELINE_STATE_PAUSED): "this update pauses the pipeline",
    (facts.PIPELINE_STATE_PAUSED, facts.PIPELINE_STATE_ACTIVE): (
        "this update resumes syncing (if it was paused on purpose, keep `paused` in the file)"
    ),
}


def _update_notes(change: Change, live: LiveResource) -> list[str]:
    notes = []
    if live.status in ("faulted", "invalid"):
        said = "; ".join(f"`{message}`" for message in live.errors)
        notes.append(f"{live.status}{f' ({said})' if said else ''}: this update clears the fault (per R2)")
    if change.kind is not Kind.PIPELINE:
        return notes
    if live.status == "running":
        notes.append("status running: what an update does to a running sync is not documented")
    if (
        live.body.get("partner_feed_key") == facts.MASKED_SECRET
        and change.body
        and not change.body.get("partner_feed_key")
    ):
        # N-9: the masked key is no change in the diff, but a PUT without it may clear it.
        notes.append("mParticle masks `partner_feed_key`: the PUT will not send it unless the file sets it")
    for each in change.fields:
        transition = (each.before, each.after)
        if (
            each.pointer == ("state",)
            and all(isinstance(end, str) for end in transition)
            and transition in _STATE_CHANGES
        ):
            notes.append(f"`state` {each.before} -> {each.after}: {_STATE_CHANGES[transition]}")
        if each.pointer in _MOVES_ITERATOR:
            notes.append(
                f"`{each.key}` changes on an existing pipeline: this changes what the next incremental run "
                "reads (whether mParticle keeps the incremental position is not documented)"
            )
    return notes


def _note_renames(changes: list[Change]) -> None:
    # Design §2.1: a new id is not a rename; the old pipeline keeps running.
    unmanaged = [c for c in changes if c.action == "unmanaged" and c.kind is Kind.PIPELINE and c.live is not None]
    for created in changes:
        if created.action != "create" or created.kind is not Kind.PIPELINE or created.body is None:
            continue
        for old in unmanaged:
            assert old.live is not None
            if _same_binding(created.body, old.live.body):
                created.notes.append(
                    f"may be a rename of live pipeline `{old.id}` (same connection, data model and type): a new "
                    f"id creates a second pipeline, which starts with a full sync, and `{old.id}` keeps running"
                )
                old.notes.append(f"may be the old id of pipeline `{created.id}`, which this deploy creates")


def _same_binding(body: Mapping[str, Any], live: Mapping[str, Any]) -> bool:
    keys = ("connection_id", "data_model_id", "pipeline_type")
    return all(body.get(key) is not None and body.get(key) == live.get(key) for key in keys)


def _project_notes(project: Project) -> list[str]:
    counts = Counter(r.kind for r in project.resources if r.kind in (Kind.FEED, Kind.TRIGGER))
    if not counts:
        return []
    held = " and ".join(counted(counts[kind], kind.display) for kind in (Kind.FEED, Kind.TRIGGER) if counts[kind])
    return [f"{held} in the project not sent: they are no resources of the Warehouse Sync API"]


def _records(number: int) -> str:
    return f"{number // 1_000_000} million" if number % 1_000_000 == 0 else f"{number:,}"
