"""Sampled iterator values contradict the pipeline: NULL, in the future, or in the wrong epoch unit.

## What it does
With `wsync-lint preflight --sample N`, the warehouse counts, over at most N rows of the model
(not of the sync window: a window filter would leave out exactly these values), the iterator's
NULL values, the values after the moment of the run, and for `timestamp_unixtime_ms` and
`timestamp_unixtime_s` the values that have the size of epoch seconds (under 10^11), of
milliseconds (10^11 to 10^14) or of microseconds (above). Reports, at the iterator's output
column in the model:

- values of another unit than `iterator_data_type` declares (seconds where milliseconds are
  declared, or the reverse), above `max-wrong-unit-rate` (default 0) of the values that are set;
- NULL iterators above `max-null-rate` (default 0) of the rows;
- values in the future above `max-future-rate` (default 0) of the values that are set (not
  reported beside a wrong unit, which explains them: seconds read as milliseconds lie in 1970,
  milliseconds read as seconds thousands of years ahead).

## Why is this bad?
An incremental run selects `iterator BETWEEN <window start> AND <window end>` (WS-SM-06): a NULL
iterator is in no window, so its row is never synced; a value in the future is skipped until the
clock passes it, then lands in a later window; epoch seconds compared with millisecond bounds
(WS-SM-07) put every row in January 1970, so every window is empty and nothing syncs, silently.

## Example
```yaml
# the column holds epoch seconds (10 digits)
sync_mode: {type: incremental, iterator_field: updated_epoch, iterator_data_type: timestamp_unixtime_ms}
```

## Use instead
```yaml
sync_mode: {type: incremental, iterator_field: updated_epoch, iterator_data_type: timestamp_unixtime_s}
```

## Known limitations
Needs the warehouse and `--sample` (the sample reads data). The first N rows the warehouse
returns are not a random sample. "The future" is the moment `preflight` runs, read in the type the
pipeline declares (wall-clock UTC for a type without a time zone).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from wsync_lint.contract.rule import SHARE, Finding, Needs, Option, Rule
from wsync_lint.printable import share_text

if TYPE_CHECKING:  # the live layer is not loaded by `check`, which never runs these rules
    from wsync_lint.contract.live_context import LiveContext
    from wsync_lint.contract.live_figures import IteratorSample

OPTIONS = {
    "max_null_rate": Option(float, 0.0, "share of rows with a NULL iterator above which it is reported", SHARE),
    "max_future_rate": Option(float, 0.0, "share of iterator values in the future above which it is reported", SHARE),
    "max_wrong_unit_rate": Option(
        float, 0.0, "share of epoch values of another unit above which it is reported", SHARE
    ),
}
UNITS = ("seconds", "milliseconds", "microseconds")
HINTS = {
    "seconds": "declare `iterator_data_type: timestamp_unixtime_s`, the unit the column holds",
    "milliseconds": "declare `iterator_data_type: timestamp_unixtime_ms`, the unit the column holds",
    "microseconds": "divide the values by 1000 in the model (no iterator type reads microseconds) and declare "
    "`timestamp_unixtime_ms`",
}
DECLARED_UNIT = {"timestamp_unixtime_s": 0, "timestamp_unixtime_ms": 1}
"""The index in :data:`UNITS` of the unit each epoch type declares."""


def _wrong_unit(iterator: IteratorSample, present: int, limit: float) -> tuple[int, str] | None:
    """How many values have another unit than declared, and the unit most of them have."""
    declared = DECLARED_UNIT.get(iterator.data_type or "")
    if iterator.magnitudes is None or declared is None or not present:
        return None
    wrong = present - iterator.magnitudes[declared]
    if wrong / present <= limit:
        return None
    others = [(count, UNITS[index]) for index, count in enumerate(iterator.magnitudes) if index != declared]
    return wrong, max(others)[1]


def check(ctx: LiveContext, options: dict) -> Iterator[Finding]:
    sample = ctx.sample
    iterator = sample.iterator if sample is not None else None
    if iterator is None or iterator.rows == 0:
        return
    of = f"sampled rows of the model of pipeline {ctx.pipeline}"
    present = iterator.rows - iterator.nulls
    wrong = _wrong_unit(iterator, present, options["max_wrong_unit_rate"])
    if wrong is not None:
        count, unit = wrong
        span = f" (from {iterator.minimum} to {iterator.maximum})" if iterator.minimum is not None else ""
        declared = UNITS[DECLARED_UNIT[iterator.data_type or ""]]
        yield Finding(
            iterator.at,
            f"{share_text(count, present)} values of the iterator `{iterator.column}` in the {of} have the size of "
            f"epoch {unit}{span}, but `iterator_data_type` "
            f"`{iterator.data_type}` declares {declared}: the sync windows will not select them",
            hint=HINTS[unit],
        )
    if iterator.nulls / iterator.rows > options["max_null_rate"]:
        yield Finding(
            iterator.at,
            f"the iterator `{iterator.column}` is NULL in {share_text(iterator.nulls, iterator.rows)} {of}: "
            "no sync window selects those rows, so they are never synced",
            hint="give every row an iterator value (COALESCE it with a creation time), or filter those rows out",
        )
    latest = f" (the latest: {iterator.maximum})" if iterator.maximum is not None else ""
    if wrong is None and present and iterator.future and iterator.future / present > options["max_future_rate"]:
        yield Finding(
            iterator.at,
            f"{share_text(iterator.future, present)} values of the iterator `{iterator.column}` in the {of} are in "
            f"the future{latest}: each is skipped until the clock passes it",
            hint="check the column's time zone (a local time read as UTC lies hours ahead) and the values' source",
        )


RULE = Rule(code="LV09", name="iterator-values", check=check, doc=__doc__ or "", needs=Needs.LIVE, options=OPTIONS)
