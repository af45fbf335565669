"""What ``preflight --sample`` and ``preflight --cost`` measured for one pipeline: aggregates only.

The warehouse computes every figure here itself (counts, a minimum, a maximum); no row leaves it.
LV07-LV09 turn the figures into findings and the reports print them (a table in ``text``, an
object per pipeline in ``json``). Every figure is plain data, placed in the project's files like
the other live answers (:mod:`wsync_lint.contract.live_context`).
"""

from __future__ import annotations

from dataclasses import dataclass

from wsync_lint.sql.positions import FileSpan, Span

TIB = 1024**4
"""Bytes in a tebibyte: BigQuery's on-demand price is per TiB."""


@dataclass(frozen=True)
class IdentitySample:
    """One identity column of the model in the sample: how many values are missing or malformed."""

    column: str
    """The output column, as the warehouse names it."""
    identity: str
    """The reserved identity it maps to (``email``, ``mpid``, ``customer_id``)."""
    form: str
    """The form its values must have, in words (``an email address: one @, a dot after it, no spaces``)."""
    nulls: int
    malformed: int
    """Values that are not NULL and do not have the form."""
    at: Span
    """The output column in the model."""


@dataclass(frozen=True)
class IteratorSample:
    """The iterator's values in the sample."""

    column: str
    data_type: str | None
    """The pipeline's ``iterator_data_type``."""
    rows: int
    nulls: int
    minimum: str | None
    """The smallest value, as text (an epoch value as its number); None when every value is NULL."""
    maximum: str | None
    future: int | None
    """Values after the moment of the run (for an epoch type, read in the declared unit); None when
    the declared type is not one the warehouse takes (no bound to compare with)."""
    magnitudes: tuple[int, int, int] | None
    """For ``timestamp_unixtime_*``: how many values have the size of epoch seconds (under 10^11),
    of milliseconds (10^11 to 10^14) and of microseconds (10^14 and above)."""
    at: Span
    """The iterator's output column in the model (its start when the column cannot be found)."""
    bounds_withheld: str | None = None
    """Why the minimum and maximum were not read (they are then None): the column is named as an
    identity, or its declared type is unknown, so its values may be personal data."""


@dataclass(frozen=True)
class Sample:
    """What ``--sample N`` read of one pipeline: two reads of at most ``limit`` rows each."""

    limit: int
    what: str | None
    """None when no identity figures were read (no identity column, or the query was refused: the
    pipeline's ``not_measured`` says which); else which rows the identity figures are of (``the first hourly sync window (...)``, or
    ``the model (the first hourly sync window (...) holds no rows)``)."""
    rows: int
    """Rows the identity sample holds."""
    unidentified: int
    """Rows of it with no identity value at all (every identity column NULL)."""
    identities: tuple[IdentitySample, ...]
    iterator: IteratorSample | None
    """Of the model's rows, not of the window: a window filter would leave out the very values
    LV09 looks for (NULL, future, or of the wrong unit)."""
    model_at: Span
    """The model's first line (for a finding about every identity column together)."""


@dataclass(frozen=True)
class ScanCost:
    """What one sync run of the pipeline scans, and what its schedule makes of it in a month."""

    window: str
    """The window the scan is of (``the first hourly sync window (...)``)."""
    scanned: int | None
    """Bytes one run scans; None when the warehouse does not say (``unavailable`` says why)."""
    source: str
    """Where the figure comes from (``BigQuery dry run``, ``Snowflake EXPLAIN``)."""
    unavailable: str | None
    every_row: int | None
    """Bytes the sync query scans with no window at all (None when not asked or not known)."""
    pruning_keys: tuple[str, ...]
    """How the tables it reads are partitioned or clustered, as the warehouse reports it
    (``analytics.events: partitioned by event_date``)."""
    schedule: str
    """``hourly``, ``daily``, ``weekly``, ``monthly``, ``once`` or ``on_demand``."""
    runs_per_month: float | None
    """Runs in a 30-day month (hourly 720); None for ``on_demand`` (runs when asked)."""
    price_per_tib: float | None
    price_source: str | None
    at: FileSpan
    """The schedule key the runs come from."""

    @property
    def prunes_nothing(self) -> bool:
        """A windowed run scans as much as a run over every row: the iterator filter prunes nothing."""
        return self.scanned is not None and self.every_row is not None and 0 < self.every_row <= self.scanned

    @property
    def monthly(self) -> float | None:
        """Bytes scanned in a month at this schedule."""
        if self.scanned is None or self.runs_per_month is None:
            return None
        return self.scanned * self.runs_per_month

    @property
    def monthly_cost(self) -> float | None:
        """The month's scans at the configured price per TiB."""
        monthly = self.monthly
        if monthly is None or self.price_per_tib is None:
            return None
        return monthly / TIB * self.price_per_tib


@dataclass(frozen=True)
class PipelineFigures:
    """One pipeline's sample and cost, as the reports show them."""

    pipeline: str
    """Its id (its file when it has none)."""
    path: str
    """The pipeline's file, as displayed."""
    connection: str
    warehouse: str
    """The warehouse's display name."""
    sample: Sample | None = None
    cost: ScanCost | None = None
    not_measured: tuple[str, ...] = ()
    """What was asked and not measured, and why (``sample: the model was not sent``)."""
