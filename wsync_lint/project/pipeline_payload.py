"""What several pipeline payload rules (PL01-PL08, SY07, SY08) need to agree on.

- A *fragment*: an object holding only `sync_mode` and/or `schedule`, the shape of the API
  reference's schedule examples (EX-V2-19..24). It is part of a pipeline, not a whole one, so the
  rules check its own fields and do not ask for the pipeline's other fields or guess its state.
- The v2 fields a v1 pipeline's keys stand for (`is_active` -> `state`, `schedule_interval` ->
  `schedule`): PL08 reports the v1 key with the v2 field to use, so PL01 does not also report that
  v2 field as missing.
- The schedule type as the API means it: `on-demand` (the parameter table's spelling, C-01) is
  `on_demand`; PL04 warns about the spelling, the other rules read it as meant.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from wsync_lint.mparticle import facts
from wsync_lint.project.resources import Resource

FRAGMENT_KEYS = frozenset({"sync_mode", "schedule"})


def is_fragment(pipeline: Resource) -> bool:
    """Whether ``pipeline`` is only a `sync_mode`/`schedule` fragment of a pipeline."""
    keys = set(pipeline.data)
    return bool(keys) and keys <= FRAGMENT_KEYS


def section(pipeline: Resource, key: str) -> Mapping[str, Any] | None:
    """The pipeline's `sync_mode` or `schedule` object (None when absent or not an object)."""
    value = pipeline.data.get(key)
    return value if isinstance(value, Mapping) else None


def schedule_type(pipeline: Resource) -> str | None:
    """`schedule.type` as the API means it (`on-demand` read as `on_demand`), or None."""
    schedule = section(pipeline, "schedule")
    value = schedule.get("type") if schedule is not None else None
    if not isinstance(value, str):
        return None
    return facts.SCHEDULE_TYPE_MISSPELLINGS.get(value, value)


def sync_mode_type(pipeline: Resource) -> str | None:
    """`sync_mode.type` when it is a string, else None."""
    sync_mode = section(pipeline, "sync_mode")
    value = sync_mode.get("type") if sync_mode is not None else None
    return value if isinstance(value, str) else None


_FIELD_NAME = re.compile(r"^[a-z_]+")


def v1_stand_ins(resource: Resource) -> dict[str, str]:
    """v2 top-level field -> the v1 key of ``resource`` that stands for it (`state` -> `is_active`).

    Only v2 fields a v1 key is replaced by (facts.V1_FIELDS); keys removed in v2 stand for nothing.
    """
    replaced: dict[str, str] = {}
    for key, replacement in facts.V1_FIELDS.get(resource.kind.value, {}).items():
        if key not in resource.data or replacement.startswith(("nothing", "the ")):
            continue
        match = _FIELD_NAME.match(replacement)
        if match:
            replaced.setdefault(match.group(0), key)
    return replaced


def million(count: int) -> str:
    """``24_000_000`` -> ``24 million``."""
    return f"{count // 1_000_000} million" if count % 1_000_000 == 0 else f"{count:,}"
