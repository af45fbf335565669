"""The queries mParticle runs around a data model, written for one warehouse.

mParticle "materializes your query by wrapping it in an outer SELECT statement"; the SQL
reference's troubleshooting section shows the three wrappers as they appear in the warehouse's
audit log (catalogue WS-ERR-12, EX-SQL-04..06):

- the number of rows in the sync window: ``SELECT COUNT(*) FROM (<model>) WHERE <iterator> BETWEEN <from> AND <until>``
- the number of columns: ``SELECT * FROM (<model>) LIMIT 0``
- the sync run: ``SELECT OBJECT_CONSTRUCT_KEEP_NULL(*) FROM (<model>) WHERE ...`` (Snowflake)

The model's text goes in verbatim, as mParticle does, so a trailing ``;`` breaks the wrapper
here exactly as it does in the warehouse. The iterator is written unquoted, as in the
documented wrappers (GAP-8), unless it cannot be a bare identifier. The window's bounds are
typed for the iterator's ``iterator_data_type``.

Everything here is pure (no I/O, no printing): ``wsync-lint render`` prints these queries, and
the live layer runs them.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlglot import exp
from sqlglot.tokens import TokenType

from wsync_lint.mparticle import facts
from wsync_lint.mparticle.warehouses import WAREHOUSES

TITLE_COUNT = "row count over the sync window"
TITLE_COUNT_ALL = "row count (every row: no sync window)"
TITLE_PROBE = "column probe: the model's column names and types, no rows"
TITLE_SYNC = "sync run over the sync window"
TITLE_SYNC_ALL = "sync run (every row: no sync window)"

# PostgreSQL-family engines reject a derived table without an alias; the documented wrappers
# (written for Snowflake) have none. The alias only names the wrapper's own FROM item.
DERIVED_TABLE_ALIAS: dict[str, str] = {"redshift": "m"}

# How a window bound is written for each `iterator_data_type` (catalogue WS-SM-04/06): the type
# to cast to, spelled as the warehouse documents it, and the literal's shape. `ntz`: wall-clock
# UTC time; `tz`: an instant with its offset; `date`: the day.
_TYPED_BOUNDS: dict[str, dict[str, tuple[str, str]]] = {
    "snowflake": {
        "timestamp_ltz": ("TIMESTAMP_LTZ", "tz"),
        "timestamp_ntz": ("TIMESTAMP_NTZ", "ntz"),
        "timestamp_tz": ("TIMESTAMP_TZ", "tz"),
        "datetime": ("DATETIME", "ntz"),
        "date": ("DATE", "date"),
    },
    "bigquery": {"datetime": ("DATETIME", "ntz"), "date": ("DATE", "date"), "timestamp": ("TIMESTAMP", "tz")},
    "redshift": {"date": ("DATE", "date"), "timestamp": ("TIMESTAMP", "ntz"), "timestamptz": ("TIMESTAMPTZ", "tz")},
    "databricks": {"date": ("DATE", "date"), "timestamp": ("TIMESTAMP", "tz")},
}
_EPOCH_UNITS: dict[str, int] = {"timestamp_unixtime_ms": 1000, "timestamp_unixtime_s": 1}
_LITERAL_FORMATS = {"ntz": "%Y-%m-%d %H:%M:%S", "tz": "%Y-%m-%d %H:%M:%S+00:00", "date": "%Y-%m-%d"}

# Identifiers every warehouse accepts unquoted (Snowflake also allows `$` after the first character).
_BARE_IDENTIFIER = {"snowflake": re.compile(r"[A-Za-z_][A-Za-z0-9_$]*\Z")}
_BARE_DEFAULT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


@dataclass(frozen=True)
class WrapperQuery:
    """One query mParticle runs, with a one-line title."""

    title: str
    sql: str
    """The query, without a final ``;``."""
    note: str | None = None
    """Where this query is our rendering rather than mParticle's documented text."""


# -- the queries --------------------------------------------------------------------------------


def iterator_sql(iterator_field: str, dialect: str) -> str:
    """The iterator as the wrappers reference it: bare, as mParticle writes it, unless the name
    cannot be written bare (then quoted for the warehouse).

    >>> iterator_sql("UPDATED_AT", "snowflake")
    'UPDATED_AT'
    >>> iterator_sql("updated at", "bigquery")
    '`updated at`'
    """
    if _BARE_IDENTIFIER.get(dialect, _BARE_DEFAULT).match(iterator_field):
        return iterator_field
    return exp.to_identifier(iterator_field, quoted=True).sql(dialect=dialect)


def bound_sql(moment: datetime, iterator_data_type: str | None, dialect: str) -> str:
    """A window bound typed for the iterator column: a cast for date and timestamp types, an
    integer for epoch types, a plain UTC string when the type is unknown.

    >>> moment = datetime(2023, 2, 1, 1, 0, tzinfo=UTC)
    >>> bound_sql(moment, "timestamp_ntz", "snowflake")
    "CAST('2023-02-01 01:00:00' AS TIMESTAMP_NTZ)"
    >>> bound_sql(moment, "timestamp", "bigquery")
    "CAST('2023-02-01 01:00:00+00:00' AS TIMESTAMP)"
    >>> bound_sql(moment, "timestamp_unixtime_ms", "redshift")
    '1675213200000'
    """
    return _bound(moment, iterator_data_type, dialect).sql(dialect=dialect)


def _bound(moment: datetime, iterator_data_type: str | None, dialect: str) -> exp.Expression:
    moment = as_utc(moment)
    kind = (iterator_data_type or "").lower()
    if kind in _EPOCH_UNITS:
        return exp.Literal.number(calendar.timegm(moment.timetuple()) * _EPOCH_UNITS[kind])
    typed = _TYPED_BOUNDS.get(dialect, {}).get(kind)
    if typed is None:
        return exp.Literal.string(moment.strftime(_LITERAL_FORMATS["tz"]))
    type_name, shape = typed
    exp.DataType.build(type_name, dialect=dialect)  # a type the dialect knows (raises otherwise)
    # Spelled as the warehouse documents it: sqlglot would write synonyms (TIMESTAMPNTZ,
    # TIMESTAMP WITH TIME ZONE) that are valid but do not match the iterator_data_type's name.
    data_type = exp.DataType(this=exp.DataType.Type.USERDEFINED, kind=type_name)
    return exp.cast(exp.Literal.string(moment.strftime(_LITERAL_FORMATS[shape])), data_type)


def bound_note(iterator_data_type: str | None, dialect: str) -> str | None:
    """Why the window's bounds are plain strings, when they are."""
    kind = (iterator_data_type or "").lower()
    if kind in _EPOCH_UNITS or kind in _TYPED_BOUNDS.get(dialect, {}):
        return None
    display = WAREHOUSES[dialect].display
    if not kind:
        return "the pipeline has no sync_mode.iterator_data_type: the window's bounds are left as UTC strings"
    return (
        f"`{iterator_data_type}` is not an iterator_data_type {display} accepts "
        f"({', '.join(facts.ITERATOR_DATA_TYPES[dialect])}; SY03): the window's bounds are left as UTC strings"
    )


def window_condition(
    iterator_field: str, iterator_data_type: str | None, dialect: str, start: datetime | None, until: datetime | None
) -> str | None:
    """``<iterator> BETWEEN <from> AND <until>`` (``>=`` or ``<=`` when one bound is open)."""
    if start is None and until is None:
        return None
    # The column's text is ours (bare, as mParticle writes it, unless it cannot be): sqlglot's
    # generator would quote names it considers reserved. A placeholder is swapped in afterwards.
    placeholder = "wsync_lint_iterator"
    column = exp.column(exp.to_identifier(placeholder, quoted=False))
    low = _bound(start, iterator_data_type, dialect) if start is not None else None
    high = _bound(until, iterator_data_type, dialect) if until is not None else None
    if low is not None and high is not None:
        condition: exp.Expression = exp.Between(this=column, low=low, high=high)
    elif low is not None:
        condition = exp.GTE(this=column, expression=low)
    else:
        condition = exp.LTE(this=column, expression=high)
    return condition.sql(dialect=dialect).replace(placeholder, iterator_sql(iterator_field, dialect), 1)


def _wrap(select_list: str, model_sql: str, dialect: str, tail: str | None) -> str:
    """mParticle's layout (EX-SQL-04..06): the model on its own lines between ``(`` and ``)``."""
    alias = DERIVED_TABLE_ALIAS.get(dialect)
    closing = f") AS {alias}" if alias else ")"
    lines = [f"SELECT {select_list}", "FROM", "(", model_sql.strip(), closing]
    if tail:
        lines.append(tail)
    return "\n".join(lines)


def count_query(model_sql: str, dialect: str, condition: str | None) -> WrapperQuery:
    """The row count mParticle takes before a run (EX-SQL-04)."""
    tail = f"WHERE {condition}" if condition else None
    return WrapperQuery(TITLE_COUNT if condition else TITLE_COUNT_ALL, _wrap("COUNT(*)", model_sql, dialect, tail))


def probe_query(model_sql: str, dialect: str) -> WrapperQuery:
    """The column probe (EX-SQL-05): the model's output names and types without reading rows."""
    return WrapperQuery(TITLE_PROBE, _wrap("*", model_sql, dialect, "LIMIT 0"))


def sync_query(model_sql: str, dialect: str, condition: str | None) -> WrapperQuery:
    """The sync run (EX-SQL-06). mParticle documents its select list for Snowflake only."""
    tail = f"WHERE {condition}" if condition else None
    title = TITLE_SYNC if condition else TITLE_SYNC_ALL
    if dialect == "snowflake":
        return WrapperQuery(title, _wrap("OBJECT_CONSTRUCT_KEEP_NULL(*)", model_sql, dialect, tail))
    note = (
        f"mParticle documents the sync run's select list for Snowflake only (OBJECT_CONSTRUCT_KEEP_NULL(*)); "
        f"for {WAREHOUSES[dialect].display} it is shown as SELECT *"
    )
    return WrapperQuery(title, _wrap("*", model_sql, dialect, tail), note)


def wrapper_queries(
    model_sql: str,
    dialect: str,
    iterator_field: str | None,
    iterator_data_type: str | None,
    sync_mode: str | None,
    start: datetime | None,
    until: datetime | None,
) -> list[WrapperQuery]:
    """The three queries of a pipeline's run: row count, column probe, sync run.

    The window applies through the iterator: without ``iterator_field``, or in a full sync
    without bounds, the count and the sync run read every row. An incremental run always has a
    window: decide it first (:func:`resolve_window`).
    """
    if sync_mode == "incremental" and iterator_field and start is None and until is None:
        raise ValueError("an incremental run covers a window: resolve its bounds first (resolve_window)")
    condition = None
    if iterator_field:
        condition = window_condition(iterator_field, iterator_data_type, dialect, start, until)
    return [
        count_query(model_sql, dialect, condition),
        probe_query(model_sql, dialect),
        sync_query(model_sql, dialect, condition),
    ]


def model_notes(model_sql: str, dialect: str) -> list[str]:
    """What in the model's own text breaks (or nearly breaks) the wrappers: a final ``;``
    (ST03), a final line comment (ST07)."""
    from wsync_lint.sql.lexicon import scan

    lexicon = scan(model_sql, dialect)
    notes = []
    tokens = lexicon.tokens
    if tokens and tokens[-1].token_type is TokenType.SEMICOLON:
        notes.append(
            "the model ends with `;`, which ends the wrapped query early: the warehouse rejects these queries "
            "(ST03 trailing-semicolon; `wsync-lint check --fix` removes it)"
        )
    comments = lexicon.comments
    if tokens and comments and comments[-1].is_line and comments[-1].span.start > tokens[-1].end:
        notes.append(
            "the model ends with a line comment: the wrappers survive it only because `)` starts a new line, "
            "as in mParticle's published wrappers (ST07 trailing-line-comment)"
        )
    return notes


# -- the sync window ----------------------------------------------------------------------------

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


# -- a rendering: the queries of one pipeline (or of a model no pipeline uses) -------------------


@dataclass
class Rendering:
    """The wrapper queries of one data model as one pipeline runs them."""

    data_model: str | None
    dialect: str
    queries: list[WrapperQuery]
    pipeline: str | None = None
    connection: str | None = None
    window: Window | None = None
    notes: list[str] = field(default_factory=list)

    def header(self) -> str:
        display = WAREHOUSES[self.dialect].display
        model = f"data model {self.data_model}" if self.data_model else "data model (no id)"
        if self.pipeline is None:
            return f"-- {model} (no pipeline uses it): {display}, no sync window"
        connection = f"{display} connection {self.connection}" if self.connection else f"{display} (no connection)"
        window = self.window.describe() if self.window is not None else "no sync window"
        return f"-- pipeline {self.pipeline}: {model}, {connection}, {window}"

    def as_text(self) -> str:
        lines = [self.header()]
        lines.extend(f"-- note: {note}" for note in self.notes)
        lines.append("")
        for query in self.queries:
            lines.append(f"-- {query.title}")
            if query.note:
                lines.append(f"-- note: {query.note}")
            lines.append(f"{query.sql};")
            lines.append("")
        return "\n".join(lines) + "\n"

    def as_json(self) -> dict[str, Any]:
        return {
            "pipeline": self.pipeline,
            "data_model": self.data_model,
            "connection": self.connection,
            "dialect": self.dialect,
            "window": self.window.as_json() if self.window is not None else None,
            "notes": list(self.notes),
            "queries": [{"title": q.title, "sql": q.sql, "note": q.note} for q in self.queries],
        }


def render_pipeline(
    pipeline: Mapping[str, Any],
    model_id: str | None,
    model_sql: str,
    dialect: str,
    connection: str | None,
    now: datetime,
    start_option: datetime | None = None,
    until_option: datetime | None = None,
) -> Rendering:
    """The queries a pipeline runs (``pipeline`` is its payload) for a model on a warehouse."""
    sync_mode = pipeline.get("sync_mode") if isinstance(pipeline.get("sync_mode"), Mapping) else {}
    iterator_field = _text(sync_mode.get("iterator_field"))
    iterator_data_type = _text(sync_mode.get("iterator_data_type"))
    mode = _text(sync_mode.get("type"))
    notes: list[str] = []
    if iterator_field is None:
        # The window applies through the iterator: without one, every run reads every row.
        bounded = any(
            v is not None for v in (start_option, until_option, sync_mode.get("from"), sync_mode.get("until"))
        )
        if mode != "full":
            notes.append(
                "the pipeline has no sync_mode.iterator_field, which an incremental pipeline needs (PL03): "
                "the queries read every row"
            )
        elif bounded:
            notes.append(
                "from and until apply through sync_mode.iterator_field, which the pipeline does not name: "
                "the queries read every row"
            )
        window = Window(None, None)
    else:
        window = resolve_window(sync_mode, pipeline.get("schedule"), now, start_option, until_option)
        notes.extend(window.notes)
        if window.start is None and window.until is None:
            notes.append("full sync without from or until: every run reads every row")
        else:
            note = bound_note(iterator_data_type, dialect)
            if note:
                notes.append(note)
    notes.extend(model_notes(model_sql, dialect))
    queries = wrapper_queries(model_sql, dialect, iterator_field, iterator_data_type, mode, window.start, window.until)
    pipeline_id = pipeline.get("id") if isinstance(pipeline.get("id"), str) else "(no id)"
    return Rendering(model_id, dialect, queries, pipeline_id, connection, window, notes)


def render_unused_model(model_id: str | None, model_sql: str, dialect: str) -> Rendering:
    """The queries of a model no pipeline uses: no iterator, so no window and no sync run."""
    notes = ["no pipeline uses this data model: without an iterator there is no sync window, so only the "
             "row count of every row and the column probe are shown"]  # fmt: skip
    notes.extend(model_notes(model_sql, dialect))
    queries = [count_query(model_sql, dialect, None), probe_query(model_sql, dialect)]
    return Rendering(model_id, dialect, queries, notes=notes)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
