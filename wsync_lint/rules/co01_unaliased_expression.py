"""An output expression has no alias, so the warehouse invents the attribute name.

## What it does
Reports an item of the model's select list that is neither a bare column (`a.email`, or a
struct path such as `a.address.city`) nor a star, and has no alias: a function call, a cast,
arithmetic, a `CASE`, a literal, a subquery. The message gives the name the warehouse invents:

| Warehouse | Name of `COUNT(t.id)` |
|---|---|
| Snowflake | the expression text upper-cased: `COUNT(T.ID)` |
| BigQuery | `f0_`, `f1_` ... numbered among the unnamed columns from 0 |
| Redshift | the function name, `count` (PostgreSQL rules: a cast keeps its operand's name, a `CASE` its `ELSE` column's or `case`; literals and operators give `?column?`) |
| Databricks | a name generated from the expression text |

## Why is this bad?
mParticle turns each output column into an attribute named as the warehouse returns it
("you must specify how columns in the query will map to attributes ... by using column
aliasing"). Without an alias the attribute is called `COUNT(T.ID)`, `f0_` or `?column?`, and
it changes as soon as someone edits the expression.

## Example
```sql
SELECT u.email, COUNT(t.id)
FROM mp.demo_service.tickets t
JOIN mp.demo_service.users u ON u.id = t.requester_user_id
GROUP BY u.email
```

## Use instead
```sql
SELECT u.email, COUNT(t.id) AS count_of_open_tickets
FROM mp.demo_service.tickets t
JOIN mp.demo_service.users u ON u.id = t.requester_user_id
GROUP BY u.email
```

## Known limitations
Names are predicted from the SQL text; on Databricks and for the rarer Redshift expressions
the message does not spell the exact generated name. A parenthesised column, `(a)`, counts as
an expression.
"""

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.analysis.attributes import invented_name, is_unnamed, item_spans, item_text, shorten
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.contract.sql_context import SqlContext


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    warehouse = ctx.warehouse
    for query in ctx.queries:
        columns = ctx.outputs(query)
        if not any(is_unnamed(column) for column in columns):
            continue
        spans = item_spans(ctx, query)
        ordinal = 0
        for column in columns:
            if not is_unnamed(column):
                continue
            span = spans[column.index]
            text = item_text(ctx, span, column.expression, warehouse.name)
            shown = shorten(text)
            name = invented_name(warehouse, column.expression, text, ordinal, ctx.text)
            ordinal += 1
            if warehouse.name == "databricks":
                named_as = f"{warehouse.display} generates the column name from the expression text"
            elif name is None:
                named_as = f"{warehouse.display} derives the column name from the expression"
            else:
                named_as = f"{warehouse.display} names the column `{name}`"
            yield Finding(
                span if span is not None else column.expression,
                f"output expression `{shown}` has no alias: {named_as}, and mParticle uses that as the attribute name",
                hint=f"name it: `{shorten(text, 40)} AS <attribute_name>`",
            )


RULE = Rule(
    code="CO01",
    name="unaliased-expression",
    check=check,
    doc=__doc__,
    needs=Needs.TREE,
    default_severity=Severity.WARNING,
)
