"""An incremental sync has no `iterator_field` or `iterator_data_type`.

## What it does
For each pipeline (or `sync_mode` fragment) whose `sync_mode.type` is `incremental`, reports a
missing (or `null`) `sync_mode.iterator_field` and a missing (or `null`)
`sync_mode.iterator_data_type`, one finding for each.

As a warning, it also reports a sync window (`sync_mode.from` / `sync_mode.until`) on a `full`
sync mode that has no `iterator_field`: the window can only be applied
through the iterator column, so it filters nothing. (An incremental sync without an iterator is
already an error.)

The value of `iterator_data_type` is checked by SY03, the iterator column against the model by
SY01/SY02.

## Why is this bad?
Both fields are "Required if incremental": mParticle remembers the largest `iterator_field`
value it has synced and, on the next run, reads only rows past it, comparing them as
`iterator_data_type`. Without them the API rejects the pipeline. A `from`/`until` window
without an iterator (the reference's "once" example gives a `full` sync one together with its
iterator) has no column to filter on.

## Example
```yaml
id: users-hourly
name: Users hourly
pipeline_type: user_attributes
connection_id: snowflake-prod
data_model_id: users
state: active
environment: production
sync_mode:
  type: incremental
  iterator_field: updated_at
schedule: {type: interval, frequency: hourly, start: "2024-01-01T00:00:00Z", delay: 5m}
```

## Use instead
```yaml
id: users-hourly
name: Users hourly
pipeline_type: user_attributes
connection_id: snowflake-prod
data_model_id: users
state: active
environment: production
sync_mode:
  type: incremental
  iterator_field: updated_at
  iterator_data_type: timestamp_ltz
schedule: {type: interval, frequency: hourly, start: "2024-01-01T00:00:00Z", delay: 5m}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.contract.project_context import PayloadContext
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.mparticle import facts
from wsync_lint.project.pipeline_payload import section, sync_mode_type
from wsync_lint.project.resources import Kind

# WS-SM-02, WS-SM-03: "Required if incremental".
INCREMENTAL = facts.SYNC_MODE_INCREMENTAL
ITERATOR_KEYS = ("iterator_field", "iterator_data_type")
WINDOW_KEYS = ("from", "until")


def check(ctx: PayloadContext, options: dict) -> Iterator[Finding]:
    for pipeline in ctx.of_kind(Kind.PIPELINE):
        sync_mode = section(pipeline, "sync_mode")
        if sync_mode is None:
            continue
        sync_type = sync_mode_type(pipeline)
        if sync_type == INCREMENTAL:
            for key in ITERATOR_KEYS:
                if key not in sync_mode:
                    yield Finding(
                        pipeline.key_at("sync_mode"),
                        f"the incremental `sync_mode` of {pipeline.label} has no `{key}`, which an "
                        "incremental sync requires",
                        hint=_hint(key),
                    )
                elif sync_mode[key] is None:
                    yield Finding(
                        pipeline.value_at("sync_mode", key),
                        f"`sync_mode.{key}` of {pipeline.label} is `null`, and an incremental sync requires it",
                        hint=_hint(key),
                    )
            continue
        window = [key for key in WINDOW_KEYS if sync_mode.get(key) is not None]
        if window and sync_type == facts.SYNC_MODE_FULL and sync_mode.get("iterator_field") is None:
            named = " and ".join(f"`sync_mode.{key}`" for key in window)
            yield Finding(
                pipeline.key_at("sync_mode", window[0]),
                f"{named} of {pipeline.label} filter nothing without `sync_mode.iterator_field`: the window "
                "is applied to the iterator column"
                if len(window) > 1
                else f"{named} of {pipeline.label} filters nothing without `sync_mode.iterator_field`: the "
                "window is applied to the iterator column",
                hint="add `iterator_field` and `iterator_data_type` to `sync_mode`, or remove the window",
                severity=Severity.WARNING,
            )


def _hint(key: str) -> str:
    if key == "iterator_field":
        return "set `sync_mode.iterator_field` to the model's column that records when a row last changed"
    return "set `sync_mode.iterator_data_type` to the warehouse type of the iterator column"


RULE = Rule(
    code="PL03",
    name="incremental-without-iterator",
    check=check,
    doc=__doc__ or "",
    needs=Needs.PAYLOAD,
)
