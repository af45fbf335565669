"""Two output columns map to the same identity.

## What it does
Reports an output column that maps to a reserved identity another output column of the same
select list already maps to: `customerid` and `customer_id` (two documented spellings of the
customer id), or the same reserved name in two cases that the warehouse returns as two columns
(`email` and a quoted `"email"` in Snowflake: `EMAIL` and `email`). Reserved names are matched
case-insensitively, as mParticle does. The finding points at the later column and names the
first.

Two columns the warehouse returns under one name (`email` and `"EMAIL"` in Snowflake, `Email`
and `email` in BigQuery) are one name twice, not two identities: CO02 reports them.

Not reported in `events` pipelines, where a field transformation maps identities.

## Why is this bad?
mParticle maps both columns to one identity, so one value wins and the other is dropped, or
the row carries two conflicting values of one identity for identity resolution.

## Example
```sql
SELECT a.customerid, c.customer_id, c.propensity_to_buy
FROM mp.demo.attr a
JOIN mp.demo.calc c ON c.account_id = a.id
```

## Use instead
```sql
SELECT c.customer_id, c.propensity_to_buy
FROM mp.demo.attr a
JOIN mp.demo.calc c ON c.account_id = a.id
```
"""

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.analysis.attributes import identity_candidate, named, position_text, written_name
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.mparticle.facts import identity_of
from wsync_lint.sql.outputs import OutputColumn


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    if ctx.settings.pipeline_type == "events":
        return
    warehouse = ctx.warehouse
    for query in ctx.queries:
        first_by_identity: dict[str, OutputColumn] = {}
        for column in named(ctx.outputs(query)):
            identity = identity_of(identity_candidate(column, warehouse, ctx.text) or "")
            if identity is None:
                continue
            first = first_by_identity.setdefault(identity, column)
            if first is column:
                continue
            if warehouse.column_key(first.returned_name or "") == warehouse.column_key(column.returned_name or ""):
                continue  # one name twice: CO02's finding, not a second identity
            yield Finding(
                column.name_node,
                f"`{written_name(column, warehouse)}` and `{written_name(first, warehouse)}` "
                f"(at {position_text(ctx, first.name_node)}) both map to the `{identity}` identity",
                hint="keep one of them, or give the other a name that is not a reserved identity",
            )


RULE = Rule(
    code="ID03",
    name="duplicate-identity",
    check=check,
    doc=__doc__,
    needs=Needs.TREE,
    default_severity=Severity.WARNING,
)
