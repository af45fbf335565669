"""A pipeline payload misses a required field, has a wrong type or an invalid value.

## What it does
Checks the shape of each pipeline (`POST/PUT /inputs/data-pipelines`) in a payload file:

- the required fields `id`, `name`, `pipeline_type`, `connection_id`, `data_model_id`,
  `sync_mode`, `schedule`, `state` and `environment` (one finding per missing field);
- `id` is a slug (letters, digits, `_` and `-`);
- `pipeline_type` is `user_attributes` or `events`; `environment` is `development` or
  `production`; `state` is `new`, `active` or `paused` (`inactive` is the state of connections
  and data models, not of pipelines: use `paused`);
- `sync_mode` and `schedule` are objects, and `sync_mode.type` is given and is `incremental` or
  `full`;
- the types of `name`, `connection_id`, `data_model_id`, `sync_mode.iterator_field`,
  `partner_feed_id` (a whole number) and `partner_feed_key`.

Warnings (the API accepts the request, but it is not what was meant):

- both `partner_feed_id` and `partner_feed_key` are given (the API takes either), or
  `partner_feed_id` is `0`, the API reference's placeholder;
- response-only fields are sent: `status`, `errors`, `created_on`, `created_by`,
  `last_modified_on`, `last_modified_by` (a copied API response is not a request).

The other parts of a pipeline have their own rules: the iterator (PL03, SY03), the schedule
(PL04), timestamps (PL05), the data plan (PL06), v1 field names (PL08) and
`field_transformation_id` (PL02).

## Why is this bad?
The API rejects a pipeline with a missing field or an invalid value with a 400, and the
message does not always say which field is wrong. `inactive` is a valid state for connections
and data models, so it is easy to copy onto a pipeline, where it is not.

## Example
```json
{
  "id": "users hourly",
  "name": "Users hourly",
  "pipeline_type": "user_attributes",
  "connection_id": "snowflake-prod",
  "data_model_id": "users",
  "state": "inactive",
  "environment": "production",
  "sync_mode": {"type": "incremental", "iterator_field": "updated_at", "iterator_data_type": "timestamp_ltz"},
  "schedule": {"type": "interval", "frequency": "hourly", "start": "2024-01-01T00:00:00Z", "delay": "5m"}
}
```

## Use instead
```json
{
  "id": "users-hourly",
  "name": "Users hourly",
  "pipeline_type": "user_attributes",
  "connection_id": "snowflake-prod",
  "data_model_id": "users",
  "state": "paused",
  "environment": "production",
  "sync_mode": {"type": "incremental", "iterator_field": "updated_at", "iterator_data_type": "timestamp_ltz"},
  "schedule": {"type": "interval", "frequency": "hourly", "start": "2024-01-01T00:00:00Z", "delay": "5m"}
}
```

## Known limitations
An object holding only `sync_mode` and/or `schedule` (the shape of the API reference's schedule
examples) is read as a fragment of a pipeline: its own fields are checked, the pipeline's other
fields are not asked for. A v1 key that PL08 reports with its v2 replacement (`is_active` ->
`state`, `schedule_interval` -> `schedule`) stands for that field here, so the field is not
reported missing twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wsync_lint.analysis.payload_schema import ID_SCHEMA, choices, read_only_findings, schema_findings
from wsync_lint.analysis.payload_schema import required as schema_required
from wsync_lint.contract.project_context import PayloadContext
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.mparticle import facts
from wsync_lint.project.pipeline_payload import is_fragment, v1_stand_ins
from wsync_lint.project.resources import Kind, Resource

# WS-PIPE-01..03, 04, 05, 10, 11 ("Required"); WS-SM-01 and WS-SCH-01 (the two objects).
REQUIRED = (
    "id",
    "name",
    "pipeline_type",
    "connection_id",
    "data_model_id",
    "sync_mode",
    "schedule",
    "state",
    "environment",
)
PIPELINE_STATES = facts.STATES["pipeline"]
# `inactive` is a state of the other resources (C-06): reported with its own hint, not by the schema.
OTHER_STATES = tuple(
    dict.fromkeys(state for states in facts.STATES.values() for state in states if state not in PIPELINE_STATES)
)


def _schema(required: tuple[str, ...]) -> dict[str, Any]:
    name = {"type": "string", "minLength": 1}
    return {
        "type": "object",
        "allOf": schema_required(required, WHAT),
        "properties": {
            "id": ID_SCHEMA,
            "name": name,
            "pipeline_type": {"enum": list(facts.PIPELINE_TYPES)},
            "connection_id": name,
            "data_model_id": name,
            "state": {"enum": list(PIPELINE_STATES)},
            "environment": {"enum": list(facts.ENVIRONMENTS)},
            "partner_feed_id": {"type": "integer"},
            "partner_feed_key": {"type": "string", "minLength": 1},
            "sync_mode": {
                "type": "object",
                "required": ["type"],
                "description": choices(facts.SYNC_MODE_TYPES),
                "properties": {
                    "type": {"enum": list(facts.SYNC_MODE_TYPES)},
                    # null and absence are PL03's (required when incremental).
                    "iterator_field": {"type": ["string", "null"], "minLength": 1},
                },
            },
            "schedule": {"type": "object"},
        },
    }


# What the hint of a missing field says it holds.
WHAT = {
    "id": "a slug: letters, digits, `_` and `-`",
    "pipeline_type": choices(facts.PIPELINE_TYPES),
    "state": choices(PIPELINE_STATES),
    "environment": choices(facts.ENVIRONMENTS),
    "sync_mode": f"an object with `type`: {choices(facts.SYNC_MODE_TYPES)}",
    "schedule": f"an object with `type`: {choices(facts.SCHEDULE_TYPES)}",
}


def check(ctx: PayloadContext, options: dict) -> Iterator[Finding]:
    for pipeline in ctx.of_kind(Kind.PIPELINE):
        if is_fragment(pipeline):
            required: tuple[str, ...] = ()
        else:
            stand_ins = v1_stand_ins(pipeline)
            required = tuple(key for key in REQUIRED if key not in stand_ins)
        other_state = list(_other_state(pipeline))
        for finding in schema_findings(pipeline, _schema(required)):
            if not (other_state and finding.at == other_state[0].at):
                yield finding
        yield from other_state
        yield from _partner_feed(pipeline)
        yield from read_only_findings(pipeline)


def _other_state(pipeline: Resource) -> Iterator[Finding]:
    state = pipeline.data.get("state")
    if isinstance(state, str) and state in OTHER_STATES:
        yield Finding(
            pipeline.value_at("state"),
            f"`state` of {pipeline.label} is `{state}`, a state of connections and data models; "
            f"pipelines take {choices(PIPELINE_STATES)}",
            hint=f"use `{facts.PIPELINE_STATE_PAUSED}` to stop the pipeline syncing",
        )


def _partner_feed(pipeline: Resource) -> Iterator[Finding]:
    """WS-PIPE-08 (C-09): either `partner_feed_id` or `partner_feed_key`, and no placeholder `0`."""
    data = pipeline.data
    feed_id = data.get("partner_feed_id")
    has_key = data.get("partner_feed_key") is not None
    if "partner_feed_id" not in data or feed_id is None:
        return
    if feed_id == 0 and not isinstance(feed_id, bool):
        yield Finding(
            pipeline.value_at("partner_feed_id"),
            f"`partner_feed_id` of {pipeline.label} is `0`, the API reference's placeholder, not a feed"
            + (" (`partner_feed_key` names the feed)" if has_key else ""),
            hint="remove `partner_feed_id`" + (" and keep `partner_feed_key`" if has_key else " or give the feed's id"),
            severity=Severity.WARNING,
        )
    elif has_key:
        yield Finding(
            pipeline.key_at("partner_feed_id"),
            f"{pipeline.label} gives both `partner_feed_id` and `partner_feed_key`; the API takes either one",
            hint="keep `partner_feed_id` (from the Feeds API) or `partner_feed_key` (from the UI), not both",
            severity=Severity.WARNING,
        )


RULE = Rule(
    code="PL01",
    name="invalid-pipeline",
    check=check,
    doc=__doc__ or "",
    needs=Needs.PAYLOAD,
)
