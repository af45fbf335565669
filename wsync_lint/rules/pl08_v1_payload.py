"""A payload uses a field name of the v1 (Early Access) API, with the v2 field to use instead.

## What it does
Reports each key of the retired v1 ("experimental") Warehouse Sync API in a pipeline, data
model or connection, one finding per key, with what v2 takes instead:

- pipelines: `workspace_id`, `is_active` and `is_draft` (-> `state`), `faulted_reason` and
  `is_faulted` (-> the read-only `status`), `schedule_interval` (-> `schedule.type` and
  `schedule.frequency`), `schedule_start_time` (-> `schedule.start`), `schedule_end_time`
  (-> `schedule.end`);
- data models: `workspace_id`, `is_active`, a top-level `sql_query` (-> `config.sql_query`), and
  the `load_timestamp_field_*` keys (the iterator moved to the pipeline's `sync_mode`);
- connections: `type` (-> `service_provider`), `source_account_id`,
  `snowflake_aws_iam_user_arn`, `snowflake_aws_external_id` (at the top level or inside
  `config`), `workspace_id`, `is_faulted`, and warehouse settings written at the top level
  (`region`, `warehouse`, `user`, `password`, ...), which v2 takes inside `config`.

Values are quoted in hints only when they help (`service_provider: Snowflake`) and never for
secret keys.

## Why is this bad?
v2 replaced the Early Access API on October 31, 2023, with new paths and new shapes: the
iterator moved from the data model to the pipeline, scheduling became a `schedule` object,
warehouse settings moved into `config`. A v1 body sent to v2 misses the fields v2 requires,
and its v1 fields are not read.

## Example
```json
{
  "id": "users-hourly",
  "name": "Users hourly",
  "workspace_id": 5328,
  "is_active": true,
  "connection_id": "snowflake-prod",
  "data_model_id": "users",
  "schedule_interval": "hourly",
  "environment": "production"
}
```

## Use instead
```json
{
  "id": "users-hourly",
  "name": "Users hourly",
  "pipeline_type": "user_attributes",
  "state": "active",
  "connection_id": "snowflake-prod",
  "data_model_id": "users",
  "sync_mode": {"type": "incremental", "iterator_field": "updated_at", "iterator_data_type": "timestamp_ltz"},
  "schedule": {"type": "interval", "frequency": "hourly", "start": "2024-01-01T00:00:00Z", "delay": "5m"},
  "environment": "production"
}
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from wsync_lint.contract.project_context import PayloadContext
from wsync_lint.contract.rule import Finding, Needs, Rule
from wsync_lint.mparticle import facts
from wsync_lint.project.resources import Kind, Resource

KINDS = (Kind.PIPELINE, Kind.DATA_MODEL, Kind.CONNECTION)
# A field name inside a replacement text of facts.V1_FIELDS (`schedule.type`, `service_provider`, `state`).
_FIELD = re.compile(r"(?<![\w`])([a-z][a-z0-9]*(?:[._][a-z0-9]+)+|state|status)(?![\w`'])")
_PROVIDERS = {name.lower(): name for name in facts.SERVICE_PROVIDERS}
_SECRET = frozenset(facts.SECRET_KEYS)


def check(ctx: PayloadContext, options: dict) -> Iterator[Finding]:
    for resource in ctx.resources:
        if resource.kind not in KINDS:
            continue
        renamed = facts.V1_FIELDS[resource.kind.value]
        for key, value in resource.data.items():
            if key in renamed:
                yield Finding(
                    resource.key_at(key),
                    f"`{key}` of {resource.label} is a v1 (Early Access) field; the v2 API does not take it",
                    hint=_hint(resource, key, value, renamed[key]),
                )
            elif resource.kind is Kind.CONNECTION and key == "config" and isinstance(value, dict):
                yield from _v1_in_config(resource, value, renamed)
            elif resource.kind is Kind.CONNECTION and key in facts.V1_FLAT_CONNECTION_KEYS:
                yield Finding(
                    resource.key_at(key),
                    f"`{key}` is written at the top level of {resource.label}, as in v1; v2 takes warehouse "
                    "settings inside `config`",
                    hint=(
                        f"remove `{key}`: a secret is not committed, deploy takes it from the environment"
                        if key in _SECRET
                        else f"move `{key}` into `config`"
                    ),
                )


def _v1_in_config(resource: Resource, config: dict, renamed: dict[str, str]) -> Iterator[Finding]:
    """v1 names inside a v2 `config` (the reference's own update response returns `source_account_id`)."""
    for key, value in config.items():
        replacement = renamed.get(key)
        if replacement is not None and replacement.startswith("config."):
            yield Finding(
                resource.key_at("config", key),
                f"`config.{key}` of {resource.label} is a v1 (Early Access) field; the v2 API does not take it",
                hint=_hint(resource, key, value, replacement),
            )


def _hint(resource: Resource, key: str, value: Any, replacement: str) -> str:
    """One line: what v2 takes instead of ``key`` (with its value when that helps)."""
    shown = value if isinstance(value, str | bool | int) and key not in _SECRET else None
    special = _with_value(resource, key, shown)
    if special:
        return special
    if replacement.startswith("nothing"):
        reason = replacement.removeprefix("nothing").strip().strip("()")
        return f"remove `{key}`" + (f" ({_quoted(reason)})" if reason else "")
    if replacement.endswith("(read-only)"):
        field = replacement.removesuffix("(read-only)").strip()
        return f"remove `{key}`: v2 reports it in the read-only `{field}`"
    return f"use {_quoted(replacement)} instead"


def _with_value(resource: Resource, key: str, value: Any) -> str | None:
    """Hints that carry the value over (`type: snowflake` -> `service_provider: Snowflake`)."""
    if value is None:
        return None
    if resource.kind is Kind.CONNECTION and key == "type" and isinstance(value, str):
        provider = _PROVIDERS.get(value.lower())
        return f"use `service_provider: {provider}` instead" if provider else None
    if key == "is_active" and isinstance(value, bool):
        states = facts.STATES[resource.kind.value]
        state = facts.PIPELINE_STATE_ACTIVE if value else states[-1]  # paused / inactive
        return f"use `state: {state}` instead"
    if key in ("schedule_interval", "scheduled_interval") and isinstance(value, str):
        if value in facts.FREQUENCIES:
            return f"use `schedule` with `type: {facts.SCHEDULE_INTERVAL}` and `frequency: {value}` instead"
        if value in facts.SCHEDULE_TYPES:
            return f"use `schedule` with `type: {value}` instead"
        return None
    if key in ("load_timestamp_field_name", "load_timestamp_field_type") and isinstance(value, str):
        target = facts.V1_FIELDS["data_model"][key].removeprefix("the pipeline's ")
        return f"set the pipeline's `{target}: {value}` instead (v2 keeps the iterator on the pipeline)"
    return None


def _quoted(text: str) -> str:
    """Back-quote the field names in a replacement text of facts.V1_FIELDS."""
    return _FIELD.sub(r"`\1`", text)


RULE = Rule(
    code="PL08",
    name="v1-payload",
    check=check,
    doc=__doc__ or "",
    needs=Needs.PAYLOAD,
)
