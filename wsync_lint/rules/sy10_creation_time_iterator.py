"""A user-attributes pipeline's iterator is a creation time, so a changed profile is never synced again.

## What it does
For each `user_attributes` pipeline that filters on its iterator (an incremental sync, or a
sync with `from` or `until`), reports at the pipeline's `iterator_field` an iterator that is a
creation time:

- the output column's name says so (`created_at`, `creation_time`, `signup_date`,
  `registered_at`, `first_seen` ...; the list is `CREATION_TIME_NAMES` in
  `wsync_lint/mparticle/facts.py`), and the SQL computes it as a plain column or `MIN(...)`,
  or does not show how it is computed;
- or the SQL shows that it is a creation-time column under another name: `created_at AS
  updated_at`, also through a cast or truncation (`CAST(u.signup_date AS TIMESTAMP)`), a CTE or
  a derived table, in every branch of a `UNION`.

A name that says creation but a value that moves (`GREATEST(created_at, updated_at) AS
created_at`, `MAX(...)`) is not reported. Events pipelines are not checked: an event's time is
the right iterator for events, which never change once they happen.

## Why is this bad?
mParticle syncs the rows whose iterator lies in the window since the last run
(`WHERE <iterator> BETWEEN <last run> AND <now>`, WS-SM-01). A profile's creation time never
changes: the profile is synced once, in the run after it was created, and a later change to its
attributes (a new email, a new plan) never reaches mParticle.

## Example
```yaml
- id: snowflake-prod
  service_provider: Snowflake
- id: customers
  type: sql
  config:
    sql_query: SELECT c.customer_id, c.email, c.plan, c.created_at AS updated_at FROM analytics.crm.customers c
- id: customers-hourly
  pipeline_type: user_attributes
  connection_id: snowflake-prod
  data_model_id: customers
  sync_mode: {type: incremental, iterator_field: UPDATED_AT, iterator_data_type: timestamp_ntz}
```

## Use instead
```yaml
- id: snowflake-prod
  service_provider: Snowflake
- id: customers
  type: sql
  config:
    sql_query: SELECT c.customer_id, c.email, c.plan, c.updated_at FROM analytics.crm.customers c
- id: customers-hourly
  pipeline_type: user_attributes
  connection_id: snowflake-prod
  data_model_id: customers
  sync_mode: {type: incremental, iterator_field: UPDATED_AT, iterator_data_type: timestamp_ntz}
```

## Known limitations
Names are judged against a list: a creation time named otherwise (`dt`, `ts`) is not seen, and
an iterator returned by a `*` is not followed.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from wsync_lint.analysis.iterators import iterator_uses, related_paths, resolves
from wsync_lint.analysis.lineage import MAX_DEPTH, inner_items, source_of
from wsync_lint.analysis.query_shape import output_selects
from wsync_lint.contract.project_context import ProjectContext
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.mparticle import facts

# Functions whose value is their first argument's moment, in another type, unit or zone.
_SAME_MOMENT: tuple[type[exp.Expression], ...] = (
    exp.Cast,
    exp.TryCast,
    exp.Paren,
    exp.TimestampTrunc,
    exp.DateTrunc,
    exp.DatetimeTrunc,
    exp.AtTimeZone,
    exp.Timestamp,
    exp.Date,
    exp.TsOrDsToDate,
    exp.TsOrDsToTimestamp,
    exp.StrToTime,
    exp.UnixToTime,
    exp.TimeToUnix,
)

_PLAIN = "plain"
"""A column of a table, or MIN(...): nothing in the SQL says its value moves."""


def is_creation_name(name: str) -> bool:
    return name.casefold() in facts.CREATION_TIME_NAMES


def _trace(ctx: SqlContext, node: exp.Expression, depth: int = 0) -> str | None:
    """What the SQL says a value is: a creation-time column's name (as written), `_PLAIN`, or
    None when it is computed (or its origin cannot be told)."""
    if depth > MAX_DEPTH:
        return None
    if isinstance(node, exp.Alias):
        return _trace(ctx, node.this, depth + 1)
    if isinstance(node, exp.ConvertTimezone):
        value = node.args.get("timestamp")
        return _trace(ctx, value, depth + 1) if isinstance(value, exp.Expression) else None
    if isinstance(node, _SAME_MOMENT) or (isinstance(node, exp.Min) and not isinstance(node.parent, exp.Window)):
        return _trace(ctx, node.this, depth + 1) if isinstance(node.this, exp.Expression) else None
    if not isinstance(node, exp.Column) or not isinstance(node.this, exp.Identifier):
        return None
    source = source_of(ctx, node)
    if source is None:  # an unqualified column of one of several tables: only its name is known
        return None if node.table else _name_of(node)
    if source.join is not None:
        # A joined table's time is another entity's (the latest order's `created_at` moves with
        # every order): only the output column's name can still say creation.
        return _PLAIN
    items = inner_items(ctx, node, source)
    if not items:
        return _name_of(node)
    traced = {_trace(ctx, item, depth + 1) for item in items}
    if len(traced) == 1:
        return traced.pop()
    return None if None in traced else _PLAIN


def _name_of(column: exp.Column) -> str:
    return column.name if is_creation_name(column.name) else _PLAIN


def check(ctx: ProjectContext, options: dict) -> Iterator[Finding]:
    for use in iterator_uses(ctx):
        if use.pipeline.get("pipeline_type") != facts.PIPELINE_TYPE_USER_ATTRIBUTES:
            continue
        column = next((c for c, n in use.outputs if not c.is_star and resolves(use.warehouse, use.iterator, n)), None)
        if column is None:
            continue
        sql = use.view.context
        traced: set[str | None] = set()
        for select in output_selects(sql.queries[0]):  # every branch of a UNION feeds the column
            if column.index < len(select.expressions):
                traced.add(_trace(sql, select.expressions[column.index]))
        if len(traced) != 1 or None in traced:
            continue
        origin = traced.pop()
        iterator = use.iterator
        if origin != _PLAIN and not is_creation_name(iterator):
            what = f" (the model returns `{origin}` as `{iterator}`)"
        elif origin != _PLAIN or is_creation_name(iterator):
            what = ""
        else:
            continue
        yield Finding(
            use.pipeline.value_at("sync_mode", "iterator_field"),
            f"iterator `{iterator}` of user_attributes {use.pipeline.label} is a creation time{what}: it never "
            "changes, so mParticle syncs a profile once, in the run after it is created, and never syncs a later "
            "change to its attributes",
            hint="use as the iterator a timestamp that changes whenever the profile does (such as the table's own `updated_at` column)",
            related=related_paths(use.binding, use.view),
        )


RULE = Rule(
    code="SY10",
    name="creation-time-iterator",
    check=check,
    doc=__doc__ or "",
    needs=Needs.PROJECT,
    default_severity=Severity.WARNING,
)
