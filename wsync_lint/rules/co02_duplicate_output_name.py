"""Two output columns come back with the same name.

## What it does
Reports an output column whose name, as the warehouse returns it, is already used by an
earlier output column of the same select list. Names are compared after the warehouse's case
folding, the way the warehouse resolves them:

- Snowflake: unquoted names are upper-cased, so `email` and `EMAIL` clash; a quoted `"email"`
  is a different column from `email` (which is `EMAIL`).
- Redshift: every name is lower-cased (quoted ones too), so `"Email"` and `email` clash.
- BigQuery and Databricks keep the case but resolve column names case-insensitively, so
  `Email` and `email` clash.

The names compared are the aliases and bare columns of the select list, and also:

- with a schema snapshot, the columns behind each `*` and `t.*` (modifiers applied): two stars
  over tables that share a column, or a `*` over a join whose tables share one, collide (a
  `USING` or `NATURAL` join returns its shared columns once). Without a snapshot, or when the
  snapshot cannot expand a star, its columns are not compared;
- on Redshift, the names it gives unaliased expressions itself (PostgreSQL's rules: two
  `COUNT(...)` are both `count`, two literals or sums both `?column?`).

The finding points at the later name (for a star, the `*` item; for an unaliased expression,
the expression) and says where the first one is. A star that repeats several names is one
finding.

## Why is this bad?
mParticle's sync query turns each row into one object keyed by column name
(`OBJECT_CONSTRUCT_KEEP_NULL(*)` on Snowflake): two columns with one name cannot both become
attributes, so one value is lost or the wrapper query fails with a duplicate or ambiguous
column.

## Example
```sql
SELECT a.customer_id, a.email, c.email
FROM mp.crm.accounts a
JOIN mp.crm.contacts c ON c.account_id = a.id
```

## Use instead
```sql
SELECT a.customer_id, a.email, c.email AS contact_email
FROM mp.crm.accounts a
JOIN mp.crm.contacts c ON c.account_id = a.id
```

## Known limitations
The names Snowflake, BigQuery and Databricks invent for unaliased expressions (CO01) are not
compared: they depend on the expression's text in ways not predicted exactly here.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from wsync_lint.analysis.attributes import written_name
from wsync_lint.analysis.output_collisions import repeats
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.sql.positions import Span, node_span


def _position(ctx: SqlContext, at: exp.Expression | Span) -> str:
    span = at if isinstance(at, Span) else node_span(at)
    if span is None:
        return "?"
    line, column = ctx.lines.position(span.start)
    return f"{line}:{column}"


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    warehouse = ctx.warehouse
    for query in ctx.queries:
        for pairs in repeats(ctx, query).values():  # by select item: one finding each
            name, first = pairs[0]
            if first.returned == name.returned:
                why = f"{warehouse.display} returns both as `{name.returned}`"
            else:
                why = (
                    f"{warehouse.display} returns `{first.returned}` and `{name.returned}`, "
                    "and resolves column names case-insensitively"
                )
            if first.column is name.column:  # one `*` over tables that share a column
                message = f"`{name.star}` returns two columns named `{name.returned}`: {why}"
            else:
                message = (
                    f"{name.later(written_name(name.column, warehouse))} repeats "
                    f"{first.earlier(written_name(first.column, warehouse))} at {_position(ctx, first.at)}: {why}"
                )
            if len(pairs) > 1:
                message += "; so do " + ", ".join(f"`{later.returned}`" for later, _ in pairs[1:])
            if name.star is not None:
                hint = (
                    "list the columns instead of the `*`, and give one of each pair another name with "
                    "`AS <other_name>` or leave it out"
                )
            elif name.expression is not None:
                hint = f"name the expression: `{name.expression} AS <attribute_name>`"
            else:
                hint = "give one of them another name with `AS <other_name>`, or drop the duplicate"
            yield Finding(name.at, message, hint=hint)


RULE = Rule(
    code="CO02",
    name="duplicate-output-name",
    check=check,
    doc=__doc__,
    needs=Needs.TREE,
    default_severity=Severity.ERROR,
)
