"""A pipeline runs a `full` sync on a schedule that repeats, re-sending all its data every run.

## What it does
Warns about a pipeline (or `sync_mode`/`schedule` fragment) whose `sync_mode.type` is `full` and
whose schedule repeats:

- an `interval` schedule: every run re-sends every row;
- an `on_demand` schedule of an `events` pipeline: every trigger re-sends every row, so every
  event already sent is sent again.

`full` with `once` is not reported: a single full load (the reference's "once" example) is what
`full` is for. Nor is `full` on demand for `user_attributes` (a trigger re-writes the same
profiles, which is what a manual refresh is for), nor an on-demand fragment, whose pipeline
type is not known.

## Why is this bad?
The API reference describes `full` as "a full sync on each pipeline interval run" and says it is
"Not recommended as it may lead to repeated data and events": every hourly or daily run sends
every row of the model again, so events are duplicated and unchanged profiles are re-written,
which costs warehouse compute and mParticle data volume. Each trigger of an on-demand pipeline
is a run too. An `incremental` sync with an iterator sends only rows changed since the last run.

## Example
```yaml
id: users-daily
name: Users daily
pipeline_type: user_attributes
connection_id: snowflake-prod
data_model_id: users
state: active
environment: production
sync_mode: {type: full}
schedule: {type: interval, frequency: daily, start: "2024-01-01T00:00:00Z", delay: 5m}
```

## Use instead
```yaml
id: users-daily
name: Users daily
pipeline_type: user_attributes
connection_id: snowflake-prod
data_model_id: users
state: active
environment: production
sync_mode: {type: incremental, iterator_field: updated_at, iterator_data_type: timestamp_ltz}
schedule: {type: interval, frequency: daily, start: "2024-01-01T00:00:00Z", delay: 5m}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.contract.project_context import PayloadContext
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.mparticle import facts
from wsync_lint.project.pipeline_payload import schedule_type, sync_mode_type
from wsync_lint.project.resources import Kind


def check(ctx: PayloadContext, options: dict) -> Iterator[Finding]:
    for pipeline in ctx.of_kind(Kind.PIPELINE):
        if sync_mode_type(pipeline) != facts.SYNC_MODE_FULL:
            continue
        schedule = schedule_type(pipeline)
        if schedule == facts.SCHEDULE_INTERVAL:
            frequency = pipeline.get("schedule", "frequency")
            every = f"every {frequency} run" if frequency in facts.FREQUENCIES else "every run"
            yield Finding(
                pipeline.value_at("sync_mode", "type"),
                f"{pipeline.label} runs a `{facts.SYNC_MODE_FULL}` sync on an `{facts.SCHEDULE_INTERVAL}` schedule: "
                f"{every} sends every row of the model again, repeating data and events",
                hint=f"use `sync_mode.type: {facts.SYNC_MODE_INCREMENTAL}` with `iterator_field` and "
                f"`iterator_data_type`, or a `{facts.SCHEDULE_ONCE}` schedule for a one-off full load",
            )
        elif schedule == facts.SCHEDULE_ON_DEMAND and pipeline.data.get("pipeline_type") == facts.PIPELINE_TYPE_EVENTS:
            yield Finding(
                pipeline.value_at("sync_mode", "type"),
                f"{pipeline.label} is an `{facts.PIPELINE_TYPE_EVENTS}` pipeline with a `{facts.SYNC_MODE_FULL}` sync "
                f"on an `{facts.SCHEDULE_ON_DEMAND}` schedule: every trigger sends every row of the model again, "
                "so the events already sent are duplicated",
                hint=f"use `sync_mode.type: {facts.SYNC_MODE_INCREMENTAL}` with `iterator_field` and "
                f"`iterator_data_type`, or a `{facts.SCHEDULE_ONCE}` schedule for a one-off full load",
            )


RULE = Rule(
    code="SY08",
    name="full-sync-on-interval",
    check=check,
    doc=__doc__ or "",
    needs=Needs.PAYLOAD,
    default_severity=Severity.WARNING,
)
