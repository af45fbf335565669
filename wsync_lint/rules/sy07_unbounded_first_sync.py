"""A new interval pipeline has no `sync_mode.from`, so its first run reads the model's whole history.

## What it does
Warns about a pipeline that

- is not created yet: its `state` is `new`, or it has no `state`;
- runs on an `interval` schedule;
- syncs `incremental`ly (a `full` sync on an interval is SY08's);
- and has no `sync_mode.from`.

A `sync_mode`/`schedule` fragment (no pipeline around it) is not reported: whether its pipeline
is new cannot be told.

## Why is this bad?
"The first run for incremental sync modes will be a full sync": without `from`, it reads every
row of the model up to `schedule.start`. For new interval pipelines mParticle allows at most
24 million records "while retrieving records before the schedule start time" (the Historical
Record Limit), and points to `from` and `until` "to filter data to load". `from` cannot be
changed once the pipeline exists, so it has to be right when the pipeline is created.

## Example
```yaml
id: users-hourly
name: Users hourly
pipeline_type: user_attributes
connection_id: snowflake-prod
data_model_id: users
state: new
environment: production
sync_mode: {type: incremental, iterator_field: updated_at, iterator_data_type: timestamp_ltz}
schedule: {type: interval, frequency: hourly, start: "2024-01-01T00:00:00Z", delay: 5m}
```

## Use instead
```yaml
id: users-hourly
name: Users hourly
pipeline_type: user_attributes
connection_id: snowflake-prod
data_model_id: users
state: new
environment: production
sync_mode:
  type: incremental
  iterator_field: updated_at
  iterator_data_type: timestamp_ltz
  from: "2023-01-01T00:00:00Z"
schedule: {type: interval, frequency: hourly, start: "2024-01-01T00:00:00Z", delay: 5m}
```

## Known limitations
The payload alone does not say whether the model has more than 24 million rows before
`schedule.start`; counting them needs the warehouse (LV03). A pipeline that is already
`active` or `paused` is not reported, as its `from` can no longer change.
"""

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.contract.project_context import PayloadContext
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.mparticle import facts
from wsync_lint.project.pipeline_payload import is_fragment, million, schedule_type, section, sync_mode_type
from wsync_lint.project.resources import Kind

LIMIT = million(facts.HISTORICAL_RECORD_LIMIT)


def check(ctx: PayloadContext, options: dict) -> Iterator[Finding]:
    for pipeline in ctx.of_kind(Kind.PIPELINE):
        if is_fragment(pipeline) or pipeline.data.get("state") not in (None, facts.PIPELINE_STATE_NEW):
            continue
        if schedule_type(pipeline) != facts.SCHEDULE_INTERVAL:
            continue
        if sync_mode_type(pipeline) != facts.SYNC_MODE_INCREMENTAL:
            continue
        sync_mode = section(pipeline, "sync_mode")
        if sync_mode is None or "from" in sync_mode:
            continue  # a `from` that is null or malformed is PL05's
        yield Finding(
            pipeline.key_at("sync_mode"),
            f"{pipeline.label} is a new interval pipeline without `sync_mode.from`: its first run syncs every row "
            f"of the model before `schedule.start`, and mParticle allows at most {LIMIT} such historical records",
            hint="set `sync_mode.from` to the earliest change to sync (it cannot be changed once the pipeline exists)",
        )


RULE = Rule(
    code="SY07",
    name="unbounded-first-sync",
    check=check,
    doc=__doc__ or "",
    needs=Needs.PAYLOAD,
    default_severity=Severity.WARNING,
)
