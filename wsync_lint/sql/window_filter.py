"""The sync window as the wrappers' WHERE condition: the iterator and the bounds, spelled per warehouse.

The iterator is written unquoted, as in the documented wrappers (GAP-8), unless it cannot be a
bare identifier. The window's bounds are typed for the iterator's ``iterator_data_type``.
Everything here is pure (no I/O, no printing).
"""

from __future__ import annotations

import calendar
import re
from datetime import datetime

from sqlglot import exp

from wsync_lint.mparticle import facts
from wsync_lint.mparticle.warehouses import WAREHOUSES
from wsync_lint.sql.sync_window import as_utc

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

    >>> from datetime import UTC
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
