"""The first sync window holds more rows than mParticle's record limit for the pipeline.

## What it does
With `wsync-lint preflight --count`, counts the rows of the model in the pipeline's first sync
window (the count query mParticle itself runs, as `wsync-lint render` prints it) and compares
them with the limit that applies: per interval for an interval schedule (hourly 1 million, daily
24 million, weekly and monthly 40 million), 40 million for a `once` run, 24 million per
on-demand request. For an interval pipeline with a `sync_mode.from` before its `schedule.start`,
the rows before the start are compared with the historical record limit of 24 million too.
Reported at the schedule key the limit comes from.

## Why is this bad?
A run above its limit does not sync the surplus: mParticle stops at the limit, so rows are
silently missing, or the run fails. Narrow the window (`from`, `schedule.start`), filter the
model, or pick a shorter interval.

## Example
```yaml
# 30 million rows changed per day in the model
pipeline_type: user_attributes
schedule: {type: interval, frequency: daily, start: "2024-01-01T00:00:00Z"}
```

## Use instead
```yaml
pipeline_type: user_attributes
schedule: {type: interval, frequency: hourly, start: "2024-01-01T00:00:00Z"}
```

## Known limitations
Needs the warehouse and `--count` (counting reads data: it costs warehouse time). The count is
of one window; later windows may hold more.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from wsync_lint.contract.rule import Finding, Needs, Rule

if TYPE_CHECKING:  # the live layer is not loaded by `check`, which never runs these rules
    from wsync_lint.contract.live_context import LiveContext


def check(ctx: LiveContext, options: dict) -> Iterator[Finding]:
    for count in ctx.counts:
        if count.rows <= count.limit:
            continue
        yield Finding(
            count.at,
            f"{count.what} of pipeline {ctx.pipeline} holds {count.rows:,} rows, above mParticle's "
            f"{count.limit_name} of {count.limit:,}",
            hint="narrow the window (sync_mode.from, schedule.start), filter the model or use a shorter interval",
        )


RULE = Rule(code="LV03", name="record-limit", check=check, doc=__doc__ or "", needs=Needs.LIVE)
