"""The iterator is a timestamp without time zone that the model does not convert to UTC.

## What it does
With a schema snapshot and a pipeline iterator, finds the output column mParticle's
`WHERE <iterator> BETWEEN ...` names and reports it when its type has no time zone: Snowflake
`TIMESTAMP_NTZ` (also written `DATETIME`, or plain `TIMESTAMP` under the default
`TIMESTAMP_TYPE_MAPPING`), BigQuery `DATETIME`, Redshift `TIMESTAMP` (without time zone) and
Databricks `TIMESTAMP_NTZ`, unless the model converts the value to UTC on its way out (through
derived tables and CTEs too):

- `CONVERT_TIMEZONE(..., 'UTC', ...)` (Snowflake, Redshift, Databricks), Redshift
  `... AT TIME ZONE 'UTC'`, Databricks `to_utc_timestamp(...)`, BigQuery `DATETIME(ts, 'UTC')`,
  or any of these with a zone that is not a literal;
- a conversion to a named zone other than UTC does not count. A type with a time zone
  (`TIMESTAMP_LTZ`, BigQuery `TIMESTAMP`, `TIMESTAMPTZ` ...) is never reported, so
  `TIMESTAMP(dt, 'America/New_York')` on BigQuery passes too.

A value read from the clock is SY05's business and is not reported here. The rule is off by
default: a zone-less column that already holds UTC times is fine, and only its owner knows.
Enable it with `--extend-select SY06` (or `extend-select` in the configuration).

## Why is this bad?
mParticle's sync window is in UTC (its bounds are written like `2022-10-30T11:00:16Z`) and the
docs ask to "normalize your timestamps to UTC timestamps". A zone-less value is compared as if it
were UTC: when it holds local time, each row is synced hours early or late, and rows changed
around the window's edges are missed or synced twice.

## Example
```sql
-- wsync-lint: schema=schemas/example.json iterator_field=UPDATED_AT
SELECT c.customer_id, c.email, c.updated_at
FROM analytics.crm.customers c
```

## Use instead
```sql
-- wsync-lint: schema=schemas/example.json iterator_field=UPDATED_AT
SELECT c.customer_id, c.email, CONVERT_TIMEZONE('America/New_York', 'UTC', c.updated_at) AS updated_at
FROM analytics.crm.customers c
```

## Known limitations
The rule cannot know whether a zone-less column already holds UTC times (then the finding is a
false alarm: suppress it with `-- wsync-lint: ignore SY06`). It needs the column's type, so it
runs only with a schema snapshot.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from wsync_lint.analysis.attributes import shorten
from wsync_lint.analysis.iterator_type import iterator_output
from wsync_lint.analysis.lineage import lineage
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.contract.sql_context import SqlContext

# Zone names that mean UTC (upper case).
_UTC_NAMES = frozenset(
    {"UTC", "ETC/UTC", "GMT", "ETC/GMT", "Z", "ZULU", "UNIVERSAL", "+00:00", "+0000", "+00", "UTC+0"}
)
# Calls sqlglot leaves anonymous that convert to UTC whatever their arguments.
_UTC_CALLS = frozenset({"SYS_EXTRACT_UTC", "TO_UTC_TIMESTAMP"})
_CLOCKS = (
    exp.CurrentTimestamp,
    exp.CurrentTimestampLTZ,
    exp.CurrentDatetime,
    exp.CurrentDate,
    exp.Localtimestamp,
    exp.Systimestamp,
)
# How to convert a zone-less value to UTC, per warehouse (`{column}`: the value).
_CONVERSIONS = {
    "snowflake": "CONVERT_TIMEZONE('<its time zone>', 'UTC', {column})",
    "bigquery": "DATETIME(TIMESTAMP({column}, '<its time zone>'), 'UTC')",
    "redshift": "CONVERT_TIMEZONE('<its time zone>', 'UTC', {column})",
    "databricks": "to_utc_timestamp({column}, '<its time zone>')",
}


def _is_utc(zone: object) -> bool:
    """A zone argument that names UTC, or is not a literal (then it may)."""
    if not isinstance(zone, exp.Expression):
        return False
    if isinstance(zone, exp.Literal) and zone.is_string:
        return zone.name.strip().upper() in _UTC_NAMES
    return True


def _target_zone(node: exp.Expression) -> str | None:
    """The literal zone a conversion converts to, when it names one."""
    zone = None
    if isinstance(node, exp.ConvertTimezone):
        zone = node.args.get("target_tz")
    elif isinstance(node, exp.AtTimeZone):
        zone = node.args.get("zone")
    elif isinstance(node, exp.Datetime):
        zone = node.args.get("expression")
    return zone.name if isinstance(zone, exp.Literal) and zone.is_string else None


def _converts(node: exp.Expression) -> bool:
    """Whether ``node`` converts a value to UTC or reads the clock."""
    if isinstance(node, (exp.FromTimeZone, *_CLOCKS)):
        return True
    if isinstance(node, exp.ConvertTimezone):
        return _is_utc(node.args.get("target_tz"))
    if isinstance(node, exp.AtTimeZone):
        return _is_utc(node.args.get("zone"))
    if isinstance(node, exp.Datetime):
        return _is_utc(node.args.get("expression"))
    if isinstance(node, exp.Anonymous) and isinstance(node.this, str):
        return node.this.upper() in _UTC_CALLS
    return False


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    found = iterator_output(ctx)
    if found is None or found.type is None or found.name is None:
        return
    kind, name = found.type, found.name
    if not kind.is_zoneless(ctx.warehouse):
        return
    elsewhere = None  # a zone the model converts to instead of UTC
    if not found.expanded:
        for expression in lineage(ctx, found.column.expression):
            for node in expression.walk():
                if _converts(node):
                    return
                elsewhere = elsewhere or _target_zone(node)
    expression = found.column.expression
    if found.expanded:
        value = name
    elif isinstance(expression, exp.Column):
        value = shorten(expression.sql(dialect=ctx.warehouse.name), 40)
    else:
        value = "..."
    conversion = _CONVERSIONS[ctx.warehouse.name].format(column=value)
    how = f"the model converts it to `{elsewhere}`, not to UTC" if elsewhere else "the model does not convert it to UTC"
    yield Finding(
        found.item,
        f"iterator column `{name}` is {kind.shown}, a timestamp without time zone, and {how}: mParticle's sync "
        "window is in UTC, so values stored in another zone are synced hours early or late",
        hint=f"convert it in the model: `{conversion}` (or suppress this if it already holds UTC times)",
    )


RULE = Rule(
    code="SY06",
    name="naive-timestamp-iterator",
    check=check,
    doc=__doc__ or "",
    needs=Needs.TREE,
    default_severity=Severity.WARNING,
    default_enabled=False,
    needs_schema=True,
    reads_pipeline=True,
)
