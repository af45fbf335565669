"""The requests a plan turns into: what ``deploy --dry-run`` prints and ``deploy`` sends.

One mechanism for both (design §4.3): :func:`planned_writes` gives each pending change's request
with every secret replaced by :func:`~wsync_lint.api.secrets.placeholder` (``"<from
WSYNC_LINT_X_PASSWORD>"``), so the dry run is safe to paste into a pull request; at send time
:func:`fill_secrets` puts the values into the same body, in the same place. A create is a POST
to the collection, an update a PUT of the whole object to the resource ("Parameters are the same
as Create", R2), its body's ``id`` the path's. Nothing is ever deleted.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from wsync_lint.api.plan import Change, Plan
from wsync_lint.api.secrets import SecretSlot, placeholder, resolve_secret
from wsync_lint.contract.api_state import COLLECTIONS
from wsync_lint.project.resources import Kind


@dataclass(frozen=True)
class PlannedWrite:
    """One request deploy sends."""

    method: str
    """``POST`` (create) or ``PUT`` (update)."""
    url: str
    body: dict[str, Any]
    """The body, each secret replaced by its placeholder."""
    kind: Kind | None = None
    id: str | None = None
    """The resource the request writes (to find a change's requests again)."""


def planned_writes(plan: Plan, base_url: str) -> list[PlannedWrite]:
    """The requests that apply ``plan`` to the workspace at ``base_url``
    (``<endpoint>/platform/v2/workspaces/<id>``), in the order deploy sends them."""
    writes = []
    base = base_url.rstrip("/")
    for change in plan.pending:
        collection = f"{base}/{COLLECTIONS[change.kind]}"
        body = _with_values(change.body or {}, ((slot, placeholder(slot)) for slot in change.secrets))
        if change.action == "create":
            writes.append(PlannedWrite("POST", collection, body, change.kind, change.id))
        else:
            writes.append(
                PlannedWrite("PUT", f"{collection}/{quote(change.id, safe='')}", body, change.kind, change.id)
            )
    return writes


def fill_secrets(
    body: Mapping[str, Any], slots: Iterable[SecretSlot], environment: Mapping[str, str], config: Mapping[str, Any]
) -> dict[str, Any]:
    """``body`` with each of ``slots`` holding its value from ``environment`` (``config``: the
    connection's ``config``, which a BigQuery key is checked against). A missing value is a
    :class:`~wsync_lint.errors.UsageError` naming its variable."""
    return _with_values(body, ((slot, resolve_secret(slot, environment, config)) for slot in slots))


def filled_bodies(plan: Plan, environment: Mapping[str, str]) -> list[dict[str, Any]]:
    """The body of each of the plan's writes (``plan.pending``'s order), its secrets filled from
    ``environment``: deploy fills them all before its first request, so a missing variable stops it
    with nothing sent (design §4.3 step 3)."""
    bodies = []
    for change in plan.pending:
        config = change.body.get("config") if change.body else None
        bodies.append(
            fill_secrets(change.body or {}, change.secrets, environment, config if isinstance(config, Mapping) else {})
        )
    return bodies


def change_writes(change: Change, writes: Iterable[PlannedWrite]) -> list[PlannedWrite]:
    """The requests among ``writes`` that apply ``change``."""
    return [write for write in writes if write.kind is change.kind and write.id == change.id]


def _with_values(body: Mapping[str, Any], values: Iterable[tuple[SecretSlot, str]]) -> dict[str, Any]:
    filled = copy.deepcopy(dict(body))
    for slot, value in values:
        parent: dict[str, Any] = filled
        for key in slot.pointer[:-1]:
            child = parent.get(key)
            if not isinstance(child, dict):
                child = parent[key] = {}
            parent = child
        parent[slot.pointer[-1]] = value
    return filled
