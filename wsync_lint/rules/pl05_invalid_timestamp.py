"""A sync window or schedule timestamp is not of the form `2022-10-30T11:00:16Z`, or out of order.

## What it does
Checks `sync_mode.from`, `sync_mode.until`, `schedule.start` and `schedule.end` of each pipeline
(or `sync_mode`/`schedule` fragment):

- each one is a string of exactly the documented form `2022-10-30T11:00:16Z`: date, `T`,
  time to the second, `Z` (UTC). Fractions of a second, zone offsets, a space instead of `T`
  and a date alone are reported, with the timestamp to write when it is clear;
- it is a real date and time (`2023-02-30T00:00:00Z` is not);
- `from` is before `until`, and `start` is before `end`;
- on an `incremental` pipeline with an `interval` schedule, `until` is not before
  `schedule.start` (with a `full` sync every run re-sends the window instead: SY08 reports
  `full` on an interval).

`null` is left alone (an interval schedule without `start` is PL04's).

## Why is this bad?
The API reference gives one format for all four fields ("Format: 2022-10-30T11:00:16Z"), and its
own Example 3 breaks it (`2023-03-01T:12:00:00Z`, a stray `:`). A window whose end is not after
its start selects nothing, and a schedule that ends before it starts never runs. A window that
closes before the schedule starts leaves every run after the first with nothing to sync: the
pipeline keeps running, and its runs keep costing warehouse queries, for no data.

## Example
```json
{
  "id": "users-february",
  "name": "Users, February",
  "pipeline_type": "user_attributes",
  "connection_id": "snowflake-prod",
  "data_model_id": "users",
  "state": "new",
  "environment": "production",
  "sync_mode": {
    "type": "incremental",
    "iterator_field": "updated_at",
    "iterator_data_type": "timestamp_ltz",
    "from": "2023-02-01T12:00:00Z",
    "until": "2023-03-01T:12:00:00Z"
  },
  "schedule": {"type": "interval", "frequency": "daily", "start": "2023-02-01 12:00:00", "delay": "5m"}
}
```

## Use instead
```json
{
  "id": "users-february",
  "name": "Users, February",
  "pipeline_type": "user_attributes",
  "connection_id": "snowflake-prod",
  "data_model_id": "users",
  "state": "new",
  "environment": "production",
  "sync_mode": {
    "type": "incremental",
    "iterator_field": "updated_at",
    "iterator_data_type": "timestamp_ltz",
    "from": "2023-02-01T12:00:00Z",
    "until": "2023-03-01T12:00:00Z"
  },
  "schedule": {"type": "interval", "frequency": "daily", "start": "2023-02-01T12:00:00Z", "delay": "5m"}
}
```
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator
from datetime import UTC, datetime, timedelta

from wsync_lint.analysis.payload_schema import shown, type_name
from wsync_lint.contract.project_context import PayloadContext
from wsync_lint.contract.rule import Finding, Needs, Rule
from wsync_lint.mparticle import facts
from wsync_lint.project.pipeline_payload import schedule_type, section, sync_mode_type
from wsync_lint.project.resources import Kind, Resource

# WS-SM-08/09 and WS-SCH-05/06: (object, first, last): each pair must be in order.
PAIRS = (("sync_mode", "from", "until"), ("schedule", "start", "end"))
FORM = f"a timestamp of the form `{facts.TIMESTAMP_EXAMPLE}` (UTC, to the second)"

# What people write instead: a date, optionally a time (with fractions), optionally a zone.
_LOOSE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[Tt ]+:?(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(?:(Z|z|UTC|GMT)|([+-])(\d{2}):?(\d{2}))?$"
)


def check(ctx: PayloadContext, options: dict) -> Iterator[Finding]:
    for pipeline in ctx.of_kind(Kind.PIPELINE):
        moments: dict[tuple[str, str], datetime] = {}  # the valid timestamps, not yet reported
        for name, first, last in PAIRS:
            values = section(pipeline, name)
            if values is None:
                continue
            parsed: dict[str, datetime] = {}
            for key in (first, last):
                value = values.get(key)
                if value is None:
                    continue
                moment = yield from _timestamp(pipeline, name, key, value)
                if moment is not None:
                    parsed[key] = moments[name, key] = moment
            if len(parsed) == 2 and parsed[first] >= parsed[last]:
                del moments[name, last]
                yield Finding(
                    pipeline.value_at(name, last),
                    f"`{name}.{last}` of {pipeline.label} ({shown(values[last])}) is not after its `{name}.{first}` "
                    f"({shown(values[first])})"
                    + (": the sync window is empty" if name == "sync_mode" else ": the schedule never runs"),
                    hint=f"make `{last}` later than `{first}`",
                )
        until, start = moments.get(("sync_mode", "until")), moments.get(("schedule", "start"))
        if until is not None and start is not None and until < start and _repeats_incrementally(pipeline):
            yield Finding(
                pipeline.value_at("sync_mode", "until"),
                f"`sync_mode.until` of {pipeline.label} ({shown(pipeline.get('sync_mode', 'until'))}) is before its "
                f"`schedule.start` ({shown(pipeline.get('schedule', 'start'))}): the sync window closes before the "
                "schedule starts, so every run after the first syncs nothing",
                hint="make `until` later than `schedule.start`, or use a `once` schedule for a one-off load of the window",
            )


def _repeats_incrementally(pipeline: Resource) -> bool:
    """Whether ``pipeline`` syncs `incremental`ly on an `interval` schedule (a `full` sync re-sends
    its window on every run instead: SY08's)."""
    return (
        schedule_type(pipeline) == facts.SCHEDULE_INTERVAL and sync_mode_type(pipeline) == facts.SYNC_MODE_INCREMENTAL
    )


def _timestamp(pipeline: Resource, name: str, key: str, value: object) -> Generator[Finding, None, datetime | None]:
    """The moment ``value`` names, after a finding when it is not a documented timestamp."""
    at = pipeline.value_at(name, key)
    field = f"`{name}.{key}` of {pipeline.label}"
    if not isinstance(value, str):
        yield Finding(at, f"{field} is {type_name(value)}, not {FORM}", hint=f"write `{facts.TIMESTAMP_EXAMPLE}`")
        return None
    if re.fullmatch(facts.TIMESTAMP_PATTERN, value):
        try:
            return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            yield Finding(
                at,
                f"{field} is {shown(value)}, which is no real date and time",
                hint="check the month, the day and the time (hours 00-23, minutes and seconds 00-59)",
            )
            return None
    meant, assumed_utc = _meant(value)
    if meant is None:
        hint = f"write it as `{facts.TIMESTAMP_EXAMPLE}`"
    else:
        hint = f"write `{meant}`" + (" (if the time is UTC)" if assumed_utc else "")
    yield Finding(at, f"{field} is {shown(value)}, not {FORM}", hint=hint)
    return None


def _meant(text: str) -> tuple[str | None, bool]:
    """The documented form of a loosely written timestamp, and whether UTC had to be assumed.

    >>> _meant("2023-03-01T:12:00:00Z")
    ('2023-03-01T12:00:00Z', False)
    >>> _meant("2023-03-01 13:00:00+01:00")
    ('2023-03-01T12:00:00Z', False)
    >>> _meant("2023-02-01")
    ('2023-02-01T00:00:00Z', True)
    >>> _meant("yesterday")
    (None, False)
    """
    match = _LOOSE.match(text.strip())
    if match is None:
        return None, False
    year, month, day, hour, minute, second, utc, sign, zone_hours, zone_minutes = match.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return None, False
    if sign is not None:
        offset = timedelta(hours=int(zone_hours), minutes=int(zone_minutes))
        moment -= offset if sign == "+" else -offset
    naive = utc is None and sign is None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ"), naive


RULE = Rule(
    code="PL05",
    name="invalid-timestamp",
    check=check,
    doc=__doc__ or "",
    needs=Needs.PAYLOAD,
)
