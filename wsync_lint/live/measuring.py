"""``preflight --sample`` and ``--cost`` for one pipeline: the queries sent, their answers as figures.

The sample is two queries of aggregates (:mod:`wsync_lint.sql.sample_queries`), each over at most
N rows: the identity columns over the first sync window (over the model's rows when that window
holds none, so that an empty window still says something), and the iterator over the model's rows,
since a window filter would leave out the very values LV09 looks for (NULL, in the future, or of
the wrong unit, which match no window). The cost is the warehouse's estimate of what the sync
query scans over the first window and, to tell whether the iterator filter prunes anything, over
every row (:meth:`~wsync_lint.live.backend.Session.scan`). Every query is a
:class:`~wsync_lint.live.statements.ReadOnlyQuery`, sent like the other live statements.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlglot import exp

from wsync_lint.contract.live_context import LiveTable, ResultColumn
from wsync_lint.contract.live_figures import IdentitySample, IteratorSample, Sample, ScanCost
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.live.backend import ScanEstimate, Session, WarehouseRejected
from wsync_lint.live.statements import NotReadOnly, read_only
from wsync_lint.live.windows import CountWindow, first_windows, window_filter
from wsync_lint.mparticle import facts
from wsync_lint.mparticle.facts import identity_of
from wsync_lint.mparticle.identity_forms import IDENTITY_FORMS
from wsync_lint.mparticle.warehouses import WAREHOUSES
from wsync_lint.project.project import Binding
from wsync_lint.sql.positions import Span, node_span
from wsync_lint.sql.sample_queries import SampledIdentity, identity_sample_query, iterator_sample_query
from wsync_lint.sql.wrappers import sync_query

BIGQUERY_ON_DEMAND_PER_TIB = 6.25
BIGQUERY_PRICE_SOURCE = "BigQuery on-demand list price, https://cloud.google.com/bigquery/pricing#on_demand_pricing"
"""The only price wsync-lint knows without configuration: BigQuery bills on-demand queries by the
bytes they scan. Snowflake, Redshift and Databricks bill compute time, which no plan predicts."""
RUNS_PER_MONTH: dict[str, float] = {"hourly": 720.0, "daily": 30.0, "weekly": 30 / 7, "monthly": 1.0}
"""Runs of an interval schedule in a 30-day month."""


@dataclass(frozen=True)
class Measures:
    """What the command line asks measured: ``--sample N`` (rows at most per query) and ``--cost``."""

    sample: int | None = None
    cost: bool = False


@dataclass(frozen=True)
class Price:
    """What a TiB scanned costs on a warehouse, and where that figure comes from."""

    per_tib: float
    source: str


def price_for(dialect: str, configured: Mapping[str, float], config_file: str | None) -> Price | None:
    """The configured price (``scan-price-per-tib``), else BigQuery's documented on-demand price."""
    if dialect in configured:
        return Price(configured[dialect], f"scan-price-per-tib in {config_file or 'the configuration'}")
    if dialect == "bigquery":
        return Price(BIGQUERY_ON_DEMAND_PER_TIB, BIGQUERY_PRICE_SOURCE)
    return None


class Measurer:
    """Samples and prices the pipelines of one session; what it could not measure goes to ``missed``."""

    def __init__(
        self,
        session: Session,
        dialect: str,
        ask: Callable[[Callable[[], Any]], Any],
        now: datetime,
        redact: Callable[[str], str],
    ) -> None:
        """``ask``: runs one call on the session within the statement timeout; ``redact``: removes
        the connection's secrets from a warehouse's message."""
        self.session = session
        self.redact = redact
        self.dialect = dialect
        self.ask = ask
        self.now = now
        self.missed: list[str] = []
        """What was asked and not measured for the pipeline last measured, and why."""

    # -- the sample

    def sample(
        self,
        binding: Binding,
        text: str,
        columns: Sequence[ResultColumn],
        places: Mapping[str, Span],
        model_at: Span,
        limit: int,
    ) -> Sample | None:
        """The identity and iterator figures of at most ``limit`` rows (None when neither can be read).
        ``columns``: the model's result as the warehouse described it; ``places``: where the model
        writes each output name (:func:`output_places`); ``model_at``: the model's first line."""
        identities = [
            (column.name, identity)
            for column in columns
            if (identity := identity_of(column.name)) is not None and identity in IDENTITY_FORMS
        ]
        iterator = self._iterator_column(binding, columns)
        if not identities and iterator is None:
            self.missed.append("sample: the model has no identity column and the pipeline no iterator")
            return None
        if not identities:
            self.missed.append("identities: the model has no identity column")
        window = next(first_windows(binding, self.now), None)
        found = None
        if identities:
            found = self._identity_figures(binding, text, identities, places, model_at, window, limit)
        iterator_figures = None
        if iterator is not None:
            iterator_figures = self._iterator_figures(binding, text, iterator, places, model_at, limit)
        if found is None and iterator_figures is None:
            return None
        what, rows, unidentified, sampled = found or (None, 0, 0, [])
        return Sample(limit, what, rows, unidentified, tuple(sampled), iterator_figures, model_at)

    def _identity_figures(
        self,
        binding: Binding,
        text: str,
        identities: list[tuple[str, str]],
        places: Mapping[str, Span],
        model_at: Span,
        window: CountWindow | None,
        limit: int,
    ) -> tuple[str, int, int, list[IdentitySample]] | None:
        wanted = [SampledIdentity(name, IDENTITY_FORMS[identity]) for name, identity in identities]
        condition = window_filter(binding, window, self.dialect)
        what = window.what if condition and window else "the model (no sync window)"
        row = self._one_row(identity_sample_query(text, self.dialect, wanted, condition, limit).sql, "sample")
        if row is not None and condition and _count(row[0]) == 0:
            # An empty window says nothing of the data: read the model's rows instead, and say so.
            what = f"the model ({window.what if window else 'the sync window'} holds no rows)"
            row = self._one_row(identity_sample_query(text, self.dialect, wanted, None, limit).sql, "sample")
        if row is None:
            return None
        figures = [
            IdentitySample(
                name,
                identity,
                IDENTITY_FORMS[identity].words,
                _count(row[1 + 2 * index]),
                _count(row[2 + 2 * index]),
                place_of(places, name, model_at),
            )
            for index, (name, identity) in enumerate(identities)
        ]
        return what, _count(row[0]), _count(row[-1]), figures

    def _iterator_figures(
        self, binding: Binding, text: str, iterator: str, places: Mapping[str, Span], model_at: Span, limit: int
    ) -> IteratorSample | None:
        data_type = binding.pipeline.get("sync_mode", "iterator_data_type")
        # A type the warehouse does not take (SY03 says so) gives no typed bound for "in the future".
        known = facts.ITERATOR_DATA_TYPES.get(self.dialect, ())
        data_type = data_type if isinstance(data_type, str) and data_type in known else None
        # Its minimum and maximum are the only values shown: only of a column that holds moments,
        # never of one named as an identity (an `mpid` made the iterator) or of an unknown type.
        withheld = None
        if data_type is None:
            withheld = "its iterator_data_type is not one the warehouse takes"
        elif identity_of(iterator) is not None:
            withheld = f"the column is the identity `{identity_of(iterator)}`"
        query = iterator_sample_query(text, self.dialect, iterator, data_type, self.now, limit, withheld is None)
        row = self._one_row(query.sql, "iterator sample")
        if row is None:
            return None
        values = dict(zip(query.values, row, strict=True))
        magnitudes = None
        if "seconds" in values:
            magnitudes = (_count(values["seconds"]), _count(values["milliseconds"]), _count(values["microseconds"]))
        return IteratorSample(
            iterator,
            data_type,
            _count(values["rows"]),
            _count(values["nulls"]),
            _text(values.get("minimum")),
            _text(values.get("maximum")),
            _count(values["future"]) if "future" in values else None,
            magnitudes,
            place_of(places, iterator, model_at),
            withheld,
        )

    def _iterator_column(self, binding: Binding, columns: Sequence[ResultColumn]) -> str | None:
        """The iterator's column as the warehouse returns it (matched ignoring case, as mParticle's
        bare reference resolves in every warehouse for a name of one case)."""
        iterator = binding.pipeline.get("sync_mode", "iterator_field")
        if not isinstance(iterator, str) or not iterator:
            return None
        for column in columns:
            if column.name.casefold() == iterator.casefold():
                return column.name
        self.missed.append(f"iterator sample: `{iterator}` is not a column of the model's result")
        return None

    def _one_row(self, sql: str, what: str) -> tuple[Any, ...] | None:
        try:
            query = read_only(sql, self.dialect)
            return tuple(self.ask(lambda: self.session.aggregate(query)))
        except (NotReadOnly, WarehouseRejected) as error:
            self.missed.append(f"{what}: {self.redact(without_values(_reason(error), sql))}")
            return None

    # -- the cost

    def cost(self, binding: Binding, text: str, tables: Sequence[LiveTable], price: Price | None) -> ScanCost | None:
        """What one run scans over the first window, what it would over every row, and per month."""
        window = next(first_windows(binding, self.now), None)
        schedule = binding.pipeline.get("schedule")
        schedule = schedule if isinstance(schedule, Mapping) else {}
        kind = schedule.get("type")
        frequency = schedule.get("frequency")
        if kind == facts.SCHEDULE_INTERVAL and isinstance(frequency, str) and frequency in RUNS_PER_MONTH:
            label, runs, key = frequency, RUNS_PER_MONTH[frequency], ("schedule", "frequency")
        elif isinstance(kind, str) and kind in (facts.SCHEDULE_ONCE, facts.SCHEDULE_ON_DEMAND):
            label, runs, key = kind, (1.0 if kind == facts.SCHEDULE_ONCE else None), ("schedule", "type")
        else:
            self.missed.append("cost: the pipeline's schedule is not one wsync-lint can count runs of")
            return None
        condition = window_filter(binding, window, self.dialect)
        estimate = self._scan(sync_query(text, self.dialect, condition).sql, tables)
        every_row = None
        if condition is not None and estimate.scanned is not None:
            # Only its bytes are read: the tables' layout came with the first estimate.
            every_row = self._scan(sync_query(text, self.dialect, None).sql, ()).scanned
        return ScanCost(
            window.what if window and condition else "every row (no sync window)",
            estimate.scanned,
            estimate.source,
            estimate.unavailable,
            every_row,
            estimate.pruning_keys,
            label,
            runs,
            price.per_tib if price else None,
            price.source if price else None,
            binding.pipeline.key_at(*key),
        )

    def _scan(self, sql: str, tables: Sequence[LiveTable]) -> ScanEstimate:
        try:
            query = read_only(sql, self.dialect)
            return self.ask(lambda: self.session.scan(query, tables))
        except (NotReadOnly, WarehouseRejected) as error:
            source = f"the {WAREHOUSES[self.dialect].display} estimate"
            return ScanEstimate(None, source, unavailable=self.redact(_reason(error)))


def output_places(model: SqlContext) -> dict[str, Span]:
    """Each output column's name as the warehouse returns it -> where the model writes it (a column
    a ``*`` brings has none: its findings go to the model's first line)."""
    statement = model.statements[0]
    if not isinstance(statement, exp.Query):
        return {}
    places: dict[str, Span] = {}
    for column in model.outputs(statement):
        span = node_span(column.name_node)
        if column.returned_name and span is not None:
            places.setdefault(column.returned_name, span)
    return places


def place_of(places: Mapping[str, Span], name: str, otherwise: Span) -> Span:
    """Where the model writes the output column the warehouse named ``name``: by its exact name,
    else ignoring case (a warehouse may fold it otherwise than predicted), else ``otherwise``."""
    if name in places:
        return places[name]
    return next((span for written, span in places.items() if written.casefold() == name.casefold()), otherwise)


_QUOTED = re.compile(r"\"([^\"]*)\"|'([^']*)'")


def without_values(message: str, sent: str) -> str:
    """A warehouse's message with every quoted text that is not in the statement sent masked: a
    query that reads rows fails on values too (PostgreSQL's ``invalid input syntax for type bigint:
    "ana@example.com"``), and no value leaves the warehouse through wsync-lint. Names the
    statement holds (a column, a table) stay.

    >>> without_values('invalid input syntax for type bigint: "ana@example.com"', 'SELECT CAST(email AS bigint)')
    'invalid input syntax for type bigint: "…"'
    >>> without_values('column "nope" does not exist', 'SELECT "nope" FROM t')
    'column "nope" does not exist'
    """

    def masked(match: re.Match[str]) -> str:
        inner = match.group(1) if match.group(1) is not None else match.group(2)
        return match.group(0) if inner and inner in sent else match.group(0)[0] + "…" + match.group(0)[-1]

    return _QUOTED.sub(masked, message)


def _reason(error: Exception) -> str:
    if isinstance(error, WarehouseRejected):
        return f"the warehouse refused it: {error.message}"
    return f"not sent: {error}"


def _count(value: Any) -> int:
    """A count as the driver gives it (int, Decimal, or None for a SUM over no rows)."""
    return int(value) if value is not None else 0


def _text(value: Any) -> str | None:
    """A minimum or maximum as the report shows it."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | float) and math.isfinite(value) and value == int(value):
        return str(int(value))  # an epoch value read as a decimal or a float: its whole number
    return str(value)
