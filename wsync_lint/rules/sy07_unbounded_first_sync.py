"""A new incremental pipeline has no `sync_mode.from`, so its first run reads the model's whole history.

## What it does
Warns about a pipeline that

- is not created yet: its `state` is `new`, or it has no `state`;
- syncs `incremental`ly (a `full` sync on an interval is SY08's);
- runs on any schedule: `interval`, `on_demand` or `once`;
- and has no `sync_mode.from`.

A `sync_mode`/`schedule` fragment (no pipeline around it) is not reported: whether its pipeline
is new cannot be told. A pipeline without a known `schedule.type` is PL04's.

## Why is this bad?
"The first run for incremental sync modes will be a full sync": without `from`, it reads every
row of the model. For new interval pipelines mParticle allows at most 24 million records "while
retrieving records before the schedule start time" (the Historical Record Limit), and points to
`from` and `until` "to filter data to load"; an on-demand run is limited to 24 million records
and a once run to 40 million. `from` cannot be changed once the pipeline exists, so it has to be
right when the pipeline is created.

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
The payload alone does not say how many rows the model holds; counting them needs the
warehouse (LV03). A pipeline that is already `active` or `paused` is not reported, as its `from`
can no longer change.
"""

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.contract.project_context import PayloadContext
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.mparticle import facts
from wsync_lint.project.pipeline_payload import is_fragment, million, schedule_type, section, sync_mode_type
from wsync_lint.project.resources import Kind

# WS-SM-12, WS-LIM-02, WS-LIM-04..09: what the first (full) run of each schedule reads, and its limit.
_FIRST_RUN = {
    facts.SCHEDULE_INTERVAL: (
        "its first run syncs every row of the model before `schedule.start`, and mParticle allows at most "
        f"{million(facts.HISTORICAL_RECORD_LIMIT)} such historical records"
    ),
    facts.SCHEDULE_ON_DEMAND: (
        "its first trigger syncs every row of the model{until}, and mParticle allows at most "
        f"{million(facts.RECORD_LIMIT_ON_DEMAND)} records per on-demand run"
    ),
    facts.SCHEDULE_ONCE: (
        "its only run syncs every row of the model{until}, and mParticle allows at most "
        f"{million(facts.RECORD_LIMIT_ONCE)} records per once run"
    ),
}


def check(ctx: PayloadContext, options: dict) -> Iterator[Finding]:
    for pipeline in ctx.of_kind(Kind.PIPELINE):
        if is_fragment(pipeline) or pipeline.data.get("state") not in (None, facts.PIPELINE_STATE_NEW):
            continue
        schedule = schedule_type(pipeline)
        if schedule not in _FIRST_RUN or sync_mode_type(pipeline) != facts.SYNC_MODE_INCREMENTAL:
            continue
        sync_mode = section(pipeline, "sync_mode")
        if sync_mode is None or "from" in sync_mode:
            continue  # a `from` that is null or malformed is PL05's
        yield Finding(
            pipeline.key_at("sync_mode"),
            f"{pipeline.label} is a new incremental `{schedule}` pipeline without `sync_mode.from`: "
            + _FIRST_RUN[schedule].replace("{until}", " up to `sync_mode.until`" if "until" in sync_mode else ""),
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
