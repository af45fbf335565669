"""The windows ``preflight --count`` counts, and the record limit each is held to (WS-LIM-02..09)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from wsync_lint.mparticle import facts
from wsync_lint.project.project import Binding
from wsync_lint.sql.sync_window import format_timestamp, parse_timestamp, shift
from wsync_lint.sql.window_filter import window_condition


@dataclass(frozen=True)
class CountWindow:
    """A window whose rows are counted, and the limit they are held to."""

    what: str
    start: datetime | None
    until: datetime | None
    limit: int
    limit_name: str
    key: tuple[str, ...]
    """The pipeline key the limit comes from."""


def first_windows(binding: Binding, now: datetime) -> Iterator[CountWindow]:
    """The windows of a pipeline's first runs and their limits (WS-LIM-02..09).

    An interval pipeline: its first interval from ``schedule.start`` (else the last whole
    interval before now), and the history from ``sync_mode.from`` to ``schedule.start``. A once or
    on-demand pipeline: its ``from``..``until`` window (every row without one).
    """
    pipeline = binding.pipeline
    schedule = pipeline.get("schedule") if isinstance(pipeline.get("schedule"), Mapping) else {}
    sync_mode = pipeline.get("sync_mode") if isinstance(pipeline.get("sync_mode"), Mapping) else {}
    kind = schedule.get("type")

    def moment(value: object) -> datetime | None:
        return parse_timestamp(value) if isinstance(value, str) else None

    def shown(start: datetime | None, until: datetime | None) -> str:
        if start is None and until is None:
            return "every row"
        return f"{format_timestamp(start) if start else '(open)'} .. {format_timestamp(until) if until else '(open)'}"

    start, until = moment(sync_mode.get("from")), moment(sync_mode.get("until"))
    if kind == facts.SCHEDULE_INTERVAL:
        frequency = schedule.get("frequency")
        if not isinstance(frequency, str) or frequency not in facts.RECORD_LIMITS_PER_INTERVAL:
            return
        begin = moment(schedule.get("start"))
        first = begin or shift(now.replace(minute=0, second=0, microsecond=0), frequency, -1)
        end = shift(first, frequency, 1)
        yield CountWindow(
            f"the first {frequency} sync window ({shown(first, end)})",
            first,
            end,
            facts.RECORD_LIMITS_PER_INTERVAL[frequency],
            f"record count limit per {frequency} interval",
            ("schedule", "frequency"),
        )
        if begin is not None and start is not None and start < begin:
            yield CountWindow(
                f"the history before schedule.start ({shown(start, begin)})",
                start,
                begin,
                facts.HISTORICAL_RECORD_LIMIT,
                "historical record limit",
                ("schedule", "start"),
            )
    elif kind in (facts.SCHEDULE_ONCE, facts.SCHEDULE_ON_DEMAND):
        limit = facts.RECORD_LIMIT_ONCE if kind == facts.SCHEDULE_ONCE else facts.RECORD_LIMIT_ON_DEMAND
        name = (
            "record count limit per once request"
            if kind == facts.SCHEDULE_ONCE
            else ("record count limit per on-demand request")
        )
        yield CountWindow(
            f"the {kind} run's window ({shown(start, until)})", start, until, limit, name, ("schedule", "type")
        )


def window_filter(binding: Binding, window: CountWindow | None, dialect: str) -> str | None:
    """The WHERE condition that keeps ``window``'s rows, as mParticle's wrappers write it: the
    pipeline's iterator between the window's bounds. None without a window, an iterator or a bound
    (the query then reads every row)."""
    iterator = binding.pipeline.get("sync_mode", "iterator_field")
    data_type = binding.pipeline.get("sync_mode", "iterator_data_type")
    if window is None or not isinstance(iterator, str) or not iterator or not (window.start or window.until):
        return None
    kind = data_type if isinstance(data_type, str) else None
    return window_condition(iterator, kind, dialect, window.start, window.until)
