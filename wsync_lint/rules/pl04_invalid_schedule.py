"""A pipeline's `schedule` has an invalid or missing type, frequency, start or delay.

## What it does
Checks the `schedule` object of each pipeline (or `sync_mode`/`schedule` fragment):

- `type` is given and is `interval`, `once` or `on_demand`. `on-demand`, the spelling of the
  reference's parameter table, is a warning (the API's prose and examples, the tutorial and v1
  all write `on_demand`); a frequency written as the type (`type: hourly`) gets a hint;
- an `interval` schedule has a `frequency` (`hourly`, `daily`, `weekly` or `monthly`) and a
  `start`;
- `delay` is a number followed immediately by a unit: `s`, `m`, `h`, `d`, `w` or `y`
  (`15m`, `5d`);
- warnings: a schedule without `delay` (the reference's table marks it Required, but its own
  examples omit it), and `frequency`, `start` or `end` on a `once` or `on_demand` schedule,
  where the reference does not document them.

The format and order of `start` and `end` are checked by PL05.

## Why is this bad?
The API rejects a schedule with an unknown type or frequency, or an interval schedule without
`frequency` or `start` ("Required if interval"). A malformed `delay` such as `15 minutes` or
`1H` is rejected too. The reference's parameter table marks `delay` Required, while its own
examples leave it out: whether the API accepts a schedule without one is not documented.

## Example
```yaml
id: users-hourly
name: Users hourly
pipeline_type: user_attributes
connection_id: snowflake-prod
data_model_id: users
state: active
environment: production
sync_mode: {type: incremental, iterator_field: updated_at, iterator_data_type: timestamp_ltz}
schedule:
  type: hourly
  start: "2024-01-01T00:00:00Z"
  delay: 15 minutes
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
sync_mode: {type: incremental, iterator_field: updated_at, iterator_data_type: timestamp_ltz}
schedule:
  type: interval
  frequency: hourly
  start: "2024-01-01T00:00:00Z"
  delay: 15m
```

## Known limitations
The reference marks `delay` Required for every schedule type and its verdicts want the warning
for its `once` and `on_demand` examples too, so a missing `delay` is reported on every schedule
and a `delay` on a `once` or `on_demand` schedule is not reported as undocumented.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator, Mapping
from typing import Any

from wsync_lint.analysis.payload_schema import choices, schema_findings, shown
from wsync_lint.contract.project_context import PayloadContext
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.mparticle import facts
from wsync_lint.project.pipeline_payload import section
from wsync_lint.project.resources import Kind, Resource

INTERVAL = facts.SCHEDULE_INTERVAL
# WS-SCH-02, WS-SCH-04: "Required if interval".
INTERVAL_REQUIRED = ("frequency", "start")
# WS-SCH-09: fields the reference documents only for interval schedules. `delay` is not among
# them: the reference marks it Required for every schedule (WS-SCH-08, C-05).
INTERVAL_ONLY = ("frequency", "start", "end")
DELAY = "a number followed immediately by a unit (" + choices(tuple(facts.DELAY_UNITS)) + "), such as `15m`"
# Unit words people write for each delay unit; a lone capital `M` (months or minutes?) is none of them.
_ABBREVIATIONS = {"sec": "s", "secs": "s", "min": "m", "mins": "m", "hr": "h", "hrs": "h", "wk": "w", "wks": "w",
                  "yr": "y", "yrs": "y"}  # fmt: skip
_DELAY_WORDS = re.compile(r"^\s*(\d+)\s*([A-Za-z]+)\s*$")

# `frequency` values (the schema's enum message names them).
SCHEMA = {"properties": {"schedule": {"properties": {"frequency": {"enum": list(facts.FREQUENCIES)}}}}}


def check(ctx: PayloadContext, options: dict) -> Iterator[Finding]:
    for pipeline in ctx.of_kind(Kind.PIPELINE):
        schedule = section(pipeline, "schedule")
        if schedule is None:
            continue  # absent or not an object: PL01
        kind = yield from _type(pipeline, schedule)
        if schedule.get("frequency") is not None:
            yield from schema_findings(pipeline, SCHEMA)
        if kind == INTERVAL:
            for key in INTERVAL_REQUIRED:
                if schedule.get(key) is None:
                    yield Finding(
                        pipeline.key_at("schedule", key) if key in schedule else pipeline.key_at("schedule"),
                        f"the interval `schedule` of {pipeline.label} has no `{key}`, which interval schedules require",
                        hint=f"add `schedule.{key}`"
                        + (
                            f" ({choices(facts.FREQUENCIES)})"
                            if key == "frequency"
                            else f", such as `{facts.TIMESTAMP_EXAMPLE}`"
                        ),
                    )
        elif kind in facts.SCHEDULE_TYPES:
            for key in INTERVAL_ONLY:
                if key in schedule:
                    yield Finding(
                        pipeline.key_at("schedule", key),
                        f"`schedule.{key}` of {pipeline.label} has no documented meaning on a schedule of type `{kind}`",
                        hint=f"remove `{key}`, or use `type: {INTERVAL}` for a repeated sync",
                        severity=Severity.WARNING,
                    )
        yield from _delay(pipeline, schedule)


def _type(pipeline: Resource, schedule: Mapping[str, Any]) -> Generator[Finding, None, str | None]:
    """`schedule.type` (WS-SCH-01, C-01); returns the type the API will read, or None."""
    value = schedule.get("type")
    if value is None:
        yield Finding(
            pipeline.value_at("schedule", "type") if "type" in schedule else pipeline.key_at("schedule"),
            f"the `schedule` of {pipeline.label} has no `type`, which the API requires",
            hint=f"add `schedule.type`: {choices(facts.SCHEDULE_TYPES)}",
        )
        return None
    if value in facts.SCHEDULE_TYPES:
        return value
    at = pipeline.value_at("schedule", "type")
    meant = facts.SCHEDULE_TYPE_MISSPELLINGS.get(value) if isinstance(value, str) else None
    if meant is not None:
        yield Finding(
            at,
            f"`schedule.type` of {pipeline.label} is `{value}`, the spelling of the reference's parameter "
            f"table; the API's examples and the tutorial write `{meant}`",
            hint=f"write `{meant}`",
            severity=Severity.WARNING,
        )
        return meant
    lowered = value.lower() if isinstance(value, str) else None
    if lowered in facts.FREQUENCIES:
        hint = f"use `type: {INTERVAL}` with `frequency: {lowered}`"
    elif lowered in facts.SCHEDULE_TYPES:
        hint = f"write `{lowered}` (values are case-sensitive)"
    else:
        hint = f"use one of {choices(facts.SCHEDULE_TYPES)}"
    yield Finding(
        at,
        f"`schedule.type` of {pipeline.label} is {shown(value)}; schedules take {choices(facts.SCHEDULE_TYPES)}",
        hint=hint,
    )
    return None


def _delay(pipeline: Resource, schedule: Mapping[str, Any]) -> Iterator[Finding]:
    """WS-SCH-07 (format) and WS-SCH-08 / C-05 (missing: a warning)."""
    if schedule.get("delay") is None:
        yield Finding(
            pipeline.value_at("schedule", "delay") if "delay" in schedule else pipeline.key_at("schedule"),
            f"the `schedule` of {pipeline.label} has no `delay`, which the API reference marks Required "
            "(its own examples leave it out; whether the API accepts that is not documented)",
            hint="add `delay`, such as `15m` (or `0s` for none)",
            severity=Severity.WARNING,
        )
        return
    value = schedule["delay"]
    if isinstance(value, str) and re.fullmatch(facts.DELAY_PATTERN, value):
        return
    meant = _meant_delay(value)
    yield Finding(
        pipeline.value_at("schedule", "delay"),
        f"`schedule.delay` of {pipeline.label} is {shown(value)}, not {DELAY}",
        hint=f"write `{meant}`" if meant else "write the delay as a number and a unit, such as `15m` or `1h`",
    )


def _meant_delay(value: Any) -> str | None:
    """The delay ``value`` most likely means (`15 minutes` -> `15m`), when that is clear."""
    if not isinstance(value, str):
        return None
    match = _DELAY_WORDS.match(value)
    if match is None:
        return None
    number, word = match.groups()
    if word == "M":
        return None  # months (no such unit) or minutes
    word = word.lower()
    for unit, name in facts.DELAY_UNITS.items():
        if word in (unit, name, name[:-1]) or _ABBREVIATIONS.get(word) == unit:
            return f"{number}{unit}"
    return None


RULE = Rule(
    code="PL04",
    name="invalid-schedule",
    check=check,
    doc=__doc__ or "",
    needs=Needs.PAYLOAD,
)
