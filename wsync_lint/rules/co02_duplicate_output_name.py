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

The finding points at the later name and says where the first one is.

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
Only names written in the query are compared: the names a warehouse invents for unaliased
expressions (CO01) and the columns behind a `*` are not.
"""

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.analysis.attributes import named, position_text, written_name
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.sql.outputs import OutputColumn


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    warehouse = ctx.warehouse
    for query in ctx.queries:
        first_by_key: dict[str, OutputColumn] = {}
        for column in named(ctx.outputs(query)):
            key = warehouse.column_key(column.returned_name)
            first = first_by_key.setdefault(key, column)
            if first is column:
                continue
            if first.returned_name == column.returned_name:
                why = f"{warehouse.display} returns both as `{column.returned_name}`"
            else:
                why = (
                    f"{warehouse.display} returns `{first.returned_name}` and `{column.returned_name}`, "
                    "and resolves column names case-insensitively"
                )
            yield Finding(
                column.name_node,
                f"output name `{written_name(column, warehouse)}` repeats `{written_name(first, warehouse)}` at {position_text(ctx, first.name_node)}: {why}",
                hint="give one of them another name with `AS <other_name>`, or drop the duplicate",
            )


RULE = Rule(
    code="CO02",
    name="duplicate-output-name",
    check=check,
    doc=__doc__,
    needs=Needs.TREE,
    default_severity=Severity.ERROR,
)
