"""The iterator column's type is not the one `iterator_data_type` declares.

## What it does
With a pipeline iterator (`sync_mode.iterator_field` and `iterator_data_type`, or the same
settings in the configuration or a `-- wsync-lint:` comment), finds the output column
mParticle's `WHERE <iterator> BETWEEN ...` names (compared as the warehouse folds the unquoted
iterator) and its type where the SQL or the schema snapshot proves it: a cast, a clock or date
function, an epoch function, `MAX`/`MIN` of a typed column, and with a snapshot a column read
from a snapshot table (also behind a `*`), through derived tables and CTEs (see
`wsync-lint columns`). It reports, pointing at the output column:

- a type `iterator_data_type` does not describe (catalogue WS-SM-06):
  - Snowflake: `TIMESTAMP_LTZ` is `timestamp_ltz`; `TIMESTAMP_NTZ` (also written `DATETIME`, and
    plain `TIMESTAMP` under the default `TIMESTAMP_TYPE_MAPPING`) is `timestamp_ntz` or
    `datetime`; `TIMESTAMP_TZ` is `timestamp_tz`; `DATE` is `date`;
  - BigQuery: `TIMESTAMP`, `DATETIME` and `DATE` are `timestamp`, `datetime` and `date`;
  - Redshift: `TIMESTAMPTZ` (`timestamp with time zone`), `TIMESTAMP` and `DATE` are
    `timestamptz`, `timestamp` and `date`;
  - Databricks: `TIMESTAMP` and `DATE` are `timestamp` and `date`;
  - a number (`NUMBER`, `INT64`, `BIGINT` ...) is `timestamp_unixtime_ms` or
    `timestamp_unixtime_s`;

  so a timestamp declared `timestamp_unixtime_*`, a number declared a timestamp type and a
  `CAST(... AS DATE)` declared `timestamp_ntz` are errors, and so is a text, boolean, time,
  array or struct column, which no value describes;
- epoch seconds against milliseconds, as an error when the model computes the number with a
  unit (`UNIX_MILLIS`, `UNIX_SECONDS`, Snowflake `DATE_PART(EPOCH_MILLISECOND, ...)`,
  `EXTRACT(EPOCH FROM ...)` (seconds), Databricks `UNIX_TIMESTAMP(...)` (seconds) and
  `UNIX_MILLIS(...)`, `... * 1000`);
- as a warning, a column whose type is not proven (or is a number of unknown unit) but whose
  name suggests an epoch unit (`_ms`, `_millis`, `_milliseconds` against `_s`, `_sec`, `_secs`,
  `_seconds`, `_epoch`; WS-SM-07) other than the declared one, or an epoch number where a
  timestamp type is declared (mParticle's own tutorial pairs `SCANNED_TIMESTAMP_MS` with
  `timestamp_ntz`).

It stays silent when the type is unknown and the name says nothing, when the iterator is no
output column (SY01, SY02), when `iterator_data_type` is not a value of the warehouse (SY03),
and for a Databricks `TIMESTAMP_NTZ` iterator, which no value describes because the integration
does not support the type (TY01).

## Why is this bad?
mParticle types its sync window's bounds by `iterator_data_type`: a cast to that timestamp
type, or a number of epoch milliseconds or seconds. Bounds of another type are converted by the
warehouse, in the session's time zone, or not at all: rows land in the wrong window, are synced
again and again, or never, and epoch seconds compared with millisecond bounds select nothing.

## Example
```sql
-- wsync-lint: iterator_field=UPDATED_AT iterator_data_type=timestamp_unixtime_s
SELECT c.customer_id, c.email, DATE_PART(EPOCH_MILLISECOND, c.updated_at) AS updated_at
FROM analytics.crm.customers c
```

## Use instead
```sql
-- wsync-lint: iterator_field=UPDATED_AT iterator_data_type=timestamp_unixtime_ms
SELECT c.customer_id, c.email, DATE_PART(EPOCH_MILLISECOND, c.updated_at) AS updated_at
FROM analytics.crm.customers c
```

## Known limitations
mParticle publishes no table of column types for `iterator_data_type` values: the one above
is inferred from the value names. Without a schema snapshot only the types the SQL proves are
checked (a plain table column is unknown, and only its name is read). A column whose type is
unknown (a snapshot without the table, an expression sqlglot cannot type, a `*` the snapshot
cannot expand) is not checked beyond its name, and the unit of an epoch number is known only
from the functions above or its name; a sample of its values is the live check.
"""

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.analysis.column_types import ColumnType, epoch_unit_of_name
from wsync_lint.analysis.iterator_type import iterator_output
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.mparticle import facts, type_facts

# Column kinds no `iterator_data_type` describes.
_NO_ITERATOR_KINDS = frozenset({"string", "boolean", "time", "array", "struct"})
_EPOCH_TYPES = tuple(type_facts.EPOCH_ITERATOR_TYPES)


def _expected(column: ColumnType, dialect: str) -> tuple[str, ...] | None:
    """The values that describe the column's type; None when its type says nothing."""
    table = type_facts.ITERATOR_TYPES_FOR_COLUMN_TYPE.get(dialect, {})
    if column.name in table:
        return table[column.name]
    if column.kind == "number":
        return _EPOCH_TYPES
    if column.kind in _NO_ITERATOR_KINDS:
        return ()
    return None


def _for_what(declared: str, dialect: str) -> str:
    """What a declared value describes, in words."""
    unit = type_facts.EPOCH_ITERATOR_TYPES.get(declared)
    if unit is not None:
        return f"epoch {type_facts.EPOCH_UNIT_NAMES[unit]} in a number column"
    names = [name for name, values in type_facts.ITERATOR_TYPES_FOR_COLUMN_TYPE[dialect].items() if declared in values]
    return " or ".join(f"`{name}`" for name in names) + " columns" if names else "another type"


def _epoch_value(unit: str | None) -> str | None:
    return next((value for value, known in type_facts.EPOCH_ITERATOR_TYPES.items() if known == unit), None)


def _named_unit(name: str, declared: str, at: object) -> Iterator[Finding]:
    """A warning where the column's name suggests an epoch unit the declared value contradicts."""
    hinted = epoch_unit_of_name(name)
    unit = type_facts.EPOCH_ITERATOR_TYPES.get(declared)
    if hinted is None or hinted == unit:
        return
    hinted_name = type_facts.EPOCH_UNIT_NAMES[hinted]
    declared_as = f"epoch {type_facts.EPOCH_UNIT_NAMES[unit]}" if unit is not None else "a timestamp or date type"
    yield Finding(
        at,
        f"iterator column `{name}` is named like epoch {hinted_name}, but `iterator_data_type` is `{declared}` "
        f"({declared_as}): if the name is right, the sync window's bounds miss its values",
        hint=f"if its values are epoch {hinted_name}, set `iterator_data_type: {_epoch_value(hinted)}`; "
        "otherwise the name misleads: rename the column (and `iterator_field`)",
        severity=Severity.WARNING,
    )


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    declared = (ctx.settings.iterator_data_type or "").strip()
    dialect = ctx.warehouse.name
    if not declared or declared not in facts.ITERATOR_DATA_TYPES.get(dialect, ()):
        return  # none, or not a value of this warehouse (SY03)
    found = iterator_output(ctx)
    if found is None or found.name is None:
        return
    kind, name, at = found.type, found.name, found.item
    if kind is None:  # a type neither the SQL nor a snapshot proves: only its name speaks
        yield from _named_unit(name, declared, at)
        return
    expected = _expected(kind, dialect)
    if expected is None:
        return
    display = ctx.warehouse.display
    if not expected:
        if kind.kind not in _NO_ITERATOR_KINDS:
            return  # a type the integration does not support: TY01
        wanted = [n for n, values in type_facts.ITERATOR_TYPES_FOR_COLUMN_TYPE[dialect].items() if declared in values]
        target = wanted[0] if wanted else "TIMESTAMP"
        yield Finding(
            at,
            f"iterator column `{name}` is {kind.shown}, which no `iterator_data_type` describes: mParticle's "
            f"iterator must be a timestamp, a date or an epoch number (`iterator_data_type` is `{declared}`)",
            hint=f"convert it in the model (`CAST(... AS {target})`), or use a timestamp column as the iterator",
        )
        return
    unit = type_facts.EPOCH_ITERATOR_TYPES.get(declared)
    if declared not in expected:
        if expected == _EPOCH_TYPES:
            unit_known = kind.epoch_unit or epoch_unit_of_name(name)
            value = _epoch_value(unit_known)
            hint = (
                f"set `iterator_data_type: {value}`"
                if value
                else "set `iterator_data_type` to `timestamp_unixtime_ms` or `timestamp_unixtime_s`, by the unit "
                "of its values"
            )
        else:
            hint = f"set `iterator_data_type: {expected[0]}`" + (f" (or `{expected[1]}`)" if len(expected) > 1 else "")
        yield Finding(
            at,
            f"iterator column `{name}` is {kind.shown} in {display}, but `iterator_data_type` is `{declared}`, "
            f"which is for {_for_what(declared, dialect)}: mParticle types its sync window's bounds by it",
            hint=hint,
        )
        return
    if unit is None:
        return
    if kind.epoch_unit is None:
        yield from _named_unit(name, declared, at)
        return
    if kind.epoch_unit == unit:
        return
    value = _epoch_value(kind.epoch_unit)
    yield Finding(
        at,
        f"iterator column `{name}` holds epoch {type_facts.EPOCH_UNIT_NAMES[kind.epoch_unit]} (as the model computes "
        f"it), but `iterator_data_type` is `{declared}` (epoch {type_facts.EPOCH_UNIT_NAMES[unit]}): the sync "
        "window's bounds are off by a factor of 1000 or more",
        hint=f"set `iterator_data_type: {value}`"
        if value
        else "convert it to epoch milliseconds or seconds in the model",
    )


RULE = Rule(
    code="SY04",
    name="iterator-type-mismatch",
    check=check,
    doc=__doc__ or "",
    needs=Needs.TREE,
    reads_pipeline=True,
)
