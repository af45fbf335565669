"""The committed payload changes a field that the existing resource in mParticle cannot change.

## What it does
In `wsync-lint plan`, `deploy` and `preflight --api`, compares each connection and pipeline of
the project that already exists in the workspace (same kind and `id`) with the API's answer, and
reports a committed value that differs from the live one in a field the resource cannot change:

- a pipeline's `sync_mode.from` ("can't be modified for existing pipelines"), compared as an
  instant: `2024-01-01T00:00:00Z` and `2024-01-01T00:00:00.000+00:00` are the same value;
- a connection's `service_provider` and a pipeline's `pipeline_type`: not documented as
  changeable, so wsync-lint blocks them until mParticle's answer is known.

The finding is at the committed value, with the value mParticle has. A value absent on one side
is not a change of that value (the plan shows it as an added or removed key). `deploy` refuses
such a resource, and never replaces it (delete and create).

## Why is this bad?
mParticle refuses the update. The way around it, a new pipeline, is a different pipeline: it
starts with a full sync (up to 24 million historical records), has none of the old one's run
history, and the old one keeps running until it is paused or deleted. That must be a deliberate
choice, made under a new `id`, not a side effect of editing a date.

## Example
```yaml
# workspace 1234 has pipeline `customers-hourly` with sync_mode.from 2024-01-01T00:00:00Z
- id: customers-hourly
  pipeline_type: user_attributes
  connection_id: snowflake-prod
  data_model_id: customers
  sync_mode: {type: incremental, iterator_field: updated_at, iterator_data_type: timestamp_tz,
              from: "2023-01-01T00:00:00Z"}
```

## Use instead
```yaml
- id: customers-hourly
  pipeline_type: user_attributes
  connection_id: snowflake-prod
  data_model_id: customers
  sync_mode: {type: incremental, iterator_field: updated_at, iterator_data_type: timestamp_tz,
              from: "2024-01-01T00:00:00Z"}
```

## Known limitations
Needs the API. Only `sync_mode.from` is documented as unchangeable. Whether `service_provider`
and `pipeline_type` may change is UNKNOWN (blocked until verified); whether `connection_id`,
`data_model_id` and the iterator fields may change is UNKNOWN too, and they are not reported
(the plan warns that they change what the next incremental run reads). What status and message
the API gives for a refused change is not documented. Field transformations are not read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wsync_lint.analysis.immutable_fields import ImmutableChange, immutable_changes
from wsync_lint.contract.api_state import ApiContext
from wsync_lint.contract.messages import code
from wsync_lint.contract.rule import Finding, Needs, Rule
from wsync_lint.mparticle import facts
from wsync_lint.project.resources import Kind, Resource


def check(ctx: ApiContext, options: dict) -> Iterator[Finding]:
    for resource in ctx.project.resources:
        live = ctx.state.find(resource.kind, resource.id)
        if live is None:
            continue  # deploy creates it: every value is its first
        for change in immutable_changes(resource.kind, resource.data, live.body):
            yield Finding(
                resource.value_at(*change.pointer),
                _message(resource, change, ctx.state.workspace),
                hint=_hint(resource, change),
                related=(resource.path,),
            )


def _shown(value: Any) -> str:
    return code(value if isinstance(value, str) else repr(value))


def _message(resource: Resource, change: ImmutableChange, workspace: str) -> str:
    return (
        f"{resource.label} sets `{change.key}` to {_shown(change.committed)}, but mParticle has "
        f"{_shown(change.live)} in workspace `{workspace}`: {change.why}; deploy will not change it and never replaces "
        f"a {resource.kind.display}"
    )


def _hint(resource: Resource, change: ImmutableChange) -> str:
    keep = f"keep {_shown(change.live)}"
    if resource.kind is Kind.PIPELINE:
        return (
            f"{keep}, or create a new pipeline id knowingly: the new one starts with a full sync (up to "
            f"{facts.HISTORICAL_RECORD_LIMIT:,} historical records) and the old one keeps running"
        )
    return f"{keep}, or create a new {resource.kind.display} id knowingly and point its pipelines at it"


RULE = Rule(code="LV06", name="immutable-field-changed", check=check, doc=__doc__ or "", needs=Needs.API)
