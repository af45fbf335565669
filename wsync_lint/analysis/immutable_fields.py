"""Which committed values an existing resource cannot take: the fields deploy refuses to change.

mParticle documents one field that an existing resource cannot change: a pipeline's
``sync_mode.from`` ("The from field in the sync mode settings can't be modified for existing
pipelines", WS-PIPE-16). Two more are not documented either way, and peers treat their equivalents
as needing a new resource (Census ``type`` ForceNew, Segment ``metadata.id`` RequiresReplace,
Knock ``target_type`` "Can't change after the sync is created"): a connection's
``service_provider`` and a pipeline's ``pipeline_type``. wsync-lint blocks those too until
mParticle's answer is known (design §2.4, open question Q-2), because the alternative a user would
reach for, replacing the resource, loses its run history and restarts it with a full sync.

Rule LV06 reports these changes and the plan marks their resources "blocked"; both call
:func:`immutable_changes`, so they never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from wsync_lint.analysis.api_values import same_instant
from wsync_lint.project.resources import Kind

_ABSENT: Any = object()
"""What :func:`_value_at` gives for a key that is not in the body."""


@dataclass(frozen=True)
class ImmutableChange:
    """A committed value that differs from the live value of a field the resource cannot change."""

    pointer: tuple[str, ...]
    """The keys from the resource's top level (``("sync_mode", "from")``)."""
    committed: Any
    """The value in the project's file."""
    live: Any
    """The value mParticle's API answered."""
    documented: bool
    """True when mParticle documents the field as unchangeable; False when wsync-lint blocks it
    only until mParticle's answer is known."""

    @property
    def key(self) -> str:
        """The field as users write it: ``sync_mode.from``."""
        return ".".join(self.pointer)

    @property
    def why(self) -> str:
        """Why deploy will not send the change, in one clause."""
        if self.documented:
            return f"mParticle documents that `{self.key}` can't be modified once the resource exists"
        return f"`{self.key}` is not documented as changeable; wsync-lint blocks it until mParticle's answer is known"


@dataclass(frozen=True)
class _Field:
    pointer: tuple[str, ...]
    documented: bool
    same: Callable[[Any, Any], bool]


def _same_text(committed: Any, live: Any) -> bool:
    # Enumerations are compared as written: mParticle's names are case-sensitive where it says
    # anything about case (a feed's `module_name`, WS-ERR-06), and CN01/PL01 report misspellings.
    return bool(committed == live)


_IMMUTABLE: dict[Kind, tuple[_Field, ...]] = {
    Kind.PIPELINE: (
        # WS-PIPE-16 (R2, "Update a pipeline"). The API may answer the instant in another notation
        # than the file's (`...Z` against `....000+00:00`): that is the same value, not a change.
        _Field(("sync_mode", "from"), documented=True, same=same_instant),
        # UNKNOWN (design §2.4, Q-2); Knock's warehouse syncs fix their `target_type`.
        _Field(("pipeline_type",), documented=False, same=_same_text),
    ),
    Kind.CONNECTION: (
        # UNKNOWN (design §2.4, Q-2); the model's dialect would change with it.
        _Field(("service_provider",), documented=False, same=_same_text),
    ),
}


def immutable_changes(kind: Kind, committed: Mapping[str, Any], live: Mapping[str, Any]) -> list[ImmutableChange]:
    """The changes the committed body makes to fields the existing live resource cannot change.

    A value absent (or null) on either side is not a change of an immutable value: there is no live value
    that the file would overwrite (a pipeline created without ``from``), or the file sends no
    value at all. The plan shows such a key as an ordinary addition or removal (design §2.3),
    and what the API does with it is not documented either way, so it is not blocked on a guess.

    >>> immutable_changes(Kind.PIPELINE, {"sync_mode": {"from": "2024-01-01T00:00:00Z"}},
    ...                   {"sync_mode": {"from": "2024-01-01T00:00:00.000+00:00"}})
    []
    >>> [(c.key, c.live, c.documented) for c in immutable_changes(
    ...     Kind.CONNECTION, {"service_provider": "BigQuery"}, {"service_provider": "Snowflake"})]
    [('service_provider', 'Snowflake', False)]
    """
    changes = []
    for immutable in _IMMUTABLE.get(kind, ()):
        before, after = _value_at(live, immutable.pointer), _value_at(committed, immutable.pointer)
        if before in (_ABSENT, None) or after in (_ABSENT, None):
            continue
        if not immutable.same(after, before):
            changes.append(ImmutableChange(immutable.pointer, after, before, immutable.documented))
    return changes


def _value_at(body: Mapping[str, Any], pointer: tuple[str, ...]) -> Any:
    value: Any = body
    for key in pointer:
        if not isinstance(value, Mapping) or key not in value:
            return _ABSENT
        value = value[key]
    return value
