"""An events pipeline has no field transformation, or a user attributes pipeline has one.

## What it does
Checks `field_transformation_id` against the pipeline's `pipeline_type`:

- a pipeline with `pipeline_type: events` must name a field transformation in
  `field_transformation_id` (absent, `null` or empty is reported);
- a pipeline with `pipeline_type: user_attributes` must not have a `field_transformation_id`
  (`null` is accepted: it names nothing).

A pipeline without a valid `pipeline_type` is left to PL01.

## Why is this bad?
The API reference says a field transformation is "Required for event pipelines": mParticle needs
it to map the model's columns to its event schema. For user data pipelines, "including a field
transformation ID with a user data pipeline request results in an error". The reference's own
"Get all pipelines" and "Get a specific pipeline" examples show a user attributes pipeline with
one, so copying them fails.

## Example
```yaml
id: orders-events
name: Orders as events
pipeline_type: events
connection_id: snowflake-prod
data_model_id: orders
state: active
environment: production
sync_mode: {type: incremental, iterator_field: updated_at, iterator_data_type: timestamp_ltz}
schedule: {type: interval, frequency: hourly, start: "2024-01-01T00:00:00Z", delay: 5m}
```

## Use instead
```yaml
id: orders-events
name: Orders as events
pipeline_type: events
connection_id: snowflake-prod
data_model_id: orders
field_transformation_id: orders-to-events
state: active
environment: production
sync_mode: {type: incremental, iterator_field: updated_at, iterator_data_type: timestamp_ltz}
schedule: {type: interval, frequency: hourly, start: "2024-01-01T00:00:00Z", delay: 5m}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.analysis.payload_schema import shown
from wsync_lint.contract.project_context import PayloadContext
from wsync_lint.contract.rule import Finding, Needs, Rule
from wsync_lint.mparticle import facts
from wsync_lint.project.resources import Kind

KEY = "field_transformation_id"
# WS-PIPE-06 / WS-PIPE-07: the pipeline type that needs a field transformation, and the one that forbids it.
EVENTS, USER_ATTRIBUTES = facts.PIPELINE_TYPE_EVENTS, facts.PIPELINE_TYPE_USER_ATTRIBUTES


def check(ctx: PayloadContext, options: dict) -> Iterator[Finding]:
    for pipeline in ctx.of_kind(Kind.PIPELINE):
        pipeline_type = pipeline.data.get("pipeline_type")
        value = pipeline.data.get(KEY)
        if pipeline_type == EVENTS:
            if KEY not in pipeline.data:
                yield Finding(
                    pipeline.start,
                    f"{pipeline.label} is an `{EVENTS}` pipeline without a `{KEY}`; event pipelines need a field "
                    "transformation to map the model's columns to mParticle's event schema",
                    hint=f"add `{KEY}` naming the field transformation to use",
                )
            elif not isinstance(value, str) or not value.strip():
                yield Finding(
                    pipeline.value_at(KEY),
                    f"`{KEY}` of {pipeline.label} is {'empty' if isinstance(value, str) else shown(value)}, and an `{EVENTS}` pipeline needs a field "
                    "transformation",
                    hint=f"set `{KEY}` to the id of the field transformation to use",
                )
        elif pipeline_type == USER_ATTRIBUTES and KEY in pipeline.data and value is not None:
            yield Finding(
                pipeline.key_at(KEY),
                f"{pipeline.label} is a `{USER_ATTRIBUTES}` pipeline with a `{KEY}`; the API rejects a field "
                "transformation on a user data pipeline",
                hint=f"remove `{KEY}` (or make the pipeline `pipeline_type: {EVENTS}`)",
            )


RULE = Rule(
    code="PL02",
    name="field-transformation-mismatch",
    check=check,
    doc=__doc__ or "",
    needs=Needs.PAYLOAD,
)
