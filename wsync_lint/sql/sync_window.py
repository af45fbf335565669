"""The sync window of a pipeline's run, and timestamps in the mParticle API's format.

The window is decided from the pipeline's payload and the command line, and assumed where
neither gives a bound. Everything here is pure (no I/O, no printing).
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from wsync_lint.mparticle import facts

_TIMESTAMP = re.compile(facts.TIMESTAMP_PATTERN)
_INTERVAL_NAMES = {"hourly": "one hour", "daily": "one day", "weekly": "one week", "monthly": "one month"}


def parse_timestamp(text: str) -> datetime | None:
    """A timestamp in the API's format (``2022-10-30T11:00:16Z``), or None.

    >>> parse_timestamp("2022-10-30T11:00:16Z")
    datetime.datetime(2022, 10, 30, 11, 0, 16, tzinfo=datetime.timezone.utc)
    >>> parse_timestamp("2023-03-01T:12:00:00Z") is None
    True
    """
    if not isinstance(text, str) or not _TIMESTAMP.match(text):
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:  # 2023-02-30T00:00:00Z has the right shape but is no date
        return None


def format_timestamp(moment: datetime) -> str:
    """``moment`` in the API's format."""
    return as_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive datetime is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def shift(moment: datetime, frequency: str | None, steps: int) -> datetime:
    """``moment`` moved by ``steps`` schedule intervals (one day for once and on-demand pipelines).

    >>> shift(datetime(2023, 3, 31, tzinfo=UTC), "monthly", -1).date()
    datetime.date(2023, 2, 28)
    """
    if frequency == "hourly":
        return moment + timedelta(hours=steps)
    if frequency == "weekly":
        return moment + timedelta(days=7 * steps)
    if frequency == "monthly":
        months = moment.year * 12 + moment.month - 1 + steps
        year, month = divmod(months, 12)
        month += 1
        return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))
    return moment + timedelta(days=steps)


@dataclass(frozen=True)
class Window:
    """The sync window a run covers."""

    start: datetime | None
    """``from``: the first record's iterator value (None: no lower bound)."""
    until: datetime | None
    assumed: bool = False
    """True when a bound is not in the pipeline or on the command line."""
    notes: tuple[str, ...] = ()
    """How the window was decided, where that was not from the payload or the options."""

    def describe(self) -> str:
        if self.start is None and self.until is None:
            return "no sync window"
        start = format_timestamp(self.start) if self.start else "(open)"
        until = format_timestamp(self.until) if self.until else "(open)"
        return f"window {start} .. {until}"

    def as_json(self) -> dict[str, Any] | None:
        if self.start is None and self.until is None:
            return None
        return {
            "from": format_timestamp(self.start) if self.start else None,
            "until": format_timestamp(self.until) if self.until else None,
            "assumed": self.assumed,
        }


def resolve_window(
    sync_mode: Mapping[str, Any] | None,
    schedule: Mapping[str, Any] | None,
    now: datetime,
    start_option: datetime | None = None,
    until_option: datetime | None = None,
) -> Window:
    """The window of a pipeline's run.

    ``from`` is ``--from``, else ``sync_mode.from``, else (incremental) ``schedule.start``;
    ``until`` is ``--until``, else ``sync_mode.until``, else (incremental) ``schedule.end``.
    A bound still unknown is assumed: ``until`` the current time (to the second), ``from`` one
    schedule interval before ``until`` (one day for once and on-demand pipelines). A full sync
    with neither bound reads every row: no window.
    """
    sync_mode = sync_mode if isinstance(sync_mode, Mapping) else {}
    schedule = schedule if isinstance(schedule, Mapping) else {}
    full = sync_mode.get("type") == "full"
    notes: list[str] = []

    def payload_bound(keys: tuple[tuple[str, Mapping[str, Any]], ...]) -> datetime | None:
        for name, holder in keys:
            value = holder.get(name.split(".")[1])
            if value is None:
                continue
            parsed = parse_timestamp(value)
            if parsed is not None:
                return parsed
            notes.append(f"{name} {json.dumps(value)} is not a timestamp like {facts.TIMESTAMP_EXAMPLE}: ignored")
        return None

    start_keys: tuple[tuple[str, Mapping[str, Any]], ...] = (("sync_mode.from", sync_mode),)
    until_keys: tuple[tuple[str, Mapping[str, Any]], ...] = (("sync_mode.until", sync_mode),)
    if not full:
        start_keys += (("schedule.start", schedule),)
        until_keys += (("schedule.end", schedule),)
    start = start_option or payload_bound(start_keys)
    until = until_option or payload_bound(until_keys)
    if full and start is None and until is None:
        return Window(None, None, notes=tuple(notes))

    frequency = schedule.get("frequency") if schedule.get("type") == "interval" else None
    frequency = frequency if frequency in facts.FREQUENCIES else None
    interval = _INTERVAL_NAMES.get(frequency or "", "one day")
    interval_reason = f"{frequency} schedule" if frequency else "no interval schedule"
    assumed = False
    if until is None:
        assumed = True
        until = as_utc(now).replace(microsecond=0)
        if start is not None and start >= until:
            until = shift(start, frequency, 1)
            notes.append(f"until assumed: {interval} after from ({interval_reason}; from is in the future)")
        else:
            notes.append("until assumed: the current time (no until in the pipeline; set --until)")
    if start is None:
        assumed = True
        start = shift(until, frequency, -1)
        notes.append(f"from assumed: {interval} before until ({interval_reason}; set --from)")
    if start > until:
        notes.append("from is after until: the window is empty")
    return Window(start, until, assumed, tuple(notes))
