"""What API rules see: the Warehouse Sync workspace as mParticle's API answered for it.

``plan``, ``deploy`` and ``preflight --api`` read the workspace (GET only,
:mod:`wsync_lint.api.workspace`); this module holds the answers as plain data, keyed like the
project's own resources (kind and client-chosen id), so rules LV05 and LV06 can hold the committed
payloads against them without talking to the API. Their case tables give the answers as recorded
data (``api:`` in ``rules/LV05.yaml``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from wsync_lint.project.project import Project
from wsync_lint.project.resources import Kind, value_at

API_KINDS: tuple[Kind, ...] = (Kind.CONNECTION, Kind.DATA_MODEL, Kind.FIELD_TRANSFORMATION, Kind.PIPELINE)
"""The kinds the API holds, in the order they are created (O2: connection, data model, field
transformation, pipeline). Feeds and trigger bodies are never sent."""


_HEALTH = ("status", "errors")
"""The keys of a resource's answer that say how it is doing, not what it is."""


COLLECTIONS: dict[Kind, str] = {
    Kind.CONNECTION: "connections",
    Kind.DATA_MODEL: "data-models",
    Kind.PIPELINE: "inputs/data-pipelines",
}
"""Each kind's collection below the workspace's base URL, as R2 spells it (design §1.2). Field
transformations have none: their endpoints are not documented."""


@dataclass(frozen=True)
class LiveResource:
    """One resource as the workspace holds it (the body of its GET answer)."""

    kind: Kind
    id: str
    body: Mapping[str, Any]

    def get(self, *keys: str) -> Any:
        """The value at ``keys`` (None when any step is missing or not an object)."""
        return value_at(self.body, keys)

    @property
    def status(self) -> str | None:
        """``healthy``/``faulted`` (connection), ``valid``/``invalid`` (data model),
        ``idle``/``running``/``faulted``/``stopped`` (pipeline); None when the answer has none."""
        value = self.body.get("status")
        return value if isinstance(value, str) else None

    @property
    def errors(self) -> tuple[str, ...]:
        """mParticle's own messages for a fault (``errors[].message``)."""
        return error_messages(self.body.get("errors"))

    @property
    def state(self) -> str | None:
        value = self.body.get("state")
        return value if isinstance(value, str) else None


def error_messages(value: Any) -> tuple[str, ...]:
    """The messages of an ``errors`` list as mParticle spells it (``[{"message": ...}]``).

    >>> error_messages([{"message": "role does not exist"}, {"code": 1}, "x"])
    ('role does not exist',)
    """
    if not isinstance(value, list):
        return ()
    return tuple(
        item["message"] for item in value if isinstance(item, Mapping) and isinstance(item.get("message"), str)
    )


@dataclass(frozen=True)
class DataPlanVersion:
    """What the Data Planning API says of one data plan version a pipeline names."""

    plan_id: str
    version: str
    exists: bool
    """False: the plan or this version does not exist (the API answered 404)."""
    activated_environment: str | None = None
    """``production``, ``development`` or ``none`` as the answer gives it."""


@dataclass(frozen=True)
class Refusal:
    """mParticle refused to create or update a resource."""

    action: str
    """``create`` or ``update``."""
    status: int
    """The HTTP status (400, 404, or 505 when mParticle could not reach the warehouse)."""
    message: str
    """mParticle's own words."""


@dataclass
class ApiState:
    """Everything read from one workspace, for one project."""

    workspace: str
    resources: dict[tuple[Kind, str], LiveResource] = field(default_factory=dict)
    """Every connection, data model and pipeline of the workspace, by (kind, id)."""
    data_plans: dict[tuple[str, str], DataPlanVersion] = field(default_factory=dict)
    """The data plan versions the project's pipelines name, by (plan id, version as text); a
    version that is absent here was not checked (see ``unchecked``)."""
    reports: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    """Pipeline status reports by pipeline id, for the pipelines they were read for."""
    unchecked: list[str] = field(default_factory=list)
    """What could not be checked, and why (``data plans: the credential has no Data Planning API
    access``); reported as notes, never as findings."""
    refused: dict[tuple[Kind, str], Refusal] = field(default_factory=dict)
    """Writes mParticle refused during a ``deploy``, by the resource they were for."""

    def find(self, kind: Kind, resource_id: object) -> LiveResource | None:
        if not isinstance(resource_id, str):
            return None
        return self.resources.get((kind, resource_id))

    def of_kind(self, kind: Kind) -> list[LiveResource]:
        return [resource for (each, _), resource in sorted(self.resources.items()) if each is kind]

    def without_health(self) -> ApiState:
        """The workspace with every resource's ``status`` and ``errors`` left out: what ``deploy``
        holds the project against. A fault is the workspace's health, not something a write would be
        refused for (an update even clears it, R2), so it must not stop the deploy that fixes it."""
        bodies = {
            key: LiveResource(live.kind, live.id, {k: v for k, v in live.body.items() if k not in _HEALTH})
            for key, live in self.resources.items()
        }
        return replace(self, resources=bodies)

    def data_plan(self, plan_id: object, version: object) -> DataPlanVersion | None:
        if not isinstance(plan_id, str) or isinstance(version, bool) or not isinstance(version, int | str):
            return None
        return self.data_plans.get((plan_id, str(version)))


@dataclass(frozen=True)
class ApiContext:
    """What an API rule checks: the project's committed payloads and the workspace's answers."""

    project: Project
    state: ApiState
