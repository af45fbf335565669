"""An output expression has no alias, so the warehouse invents the attribute name.

## What it does
Reports an item of the model's select list that is neither a bare column (`a.email`, or a
struct path such as `a.address.city`) nor a star, and has no alias: a function call, a cast,
arithmetic, a `CASE`, a literal, a subquery. The message gives the name the warehouse invents:

| Warehouse | Name of `COUNT(t.id)` |
|---|---|
| Snowflake | the expression text upper-cased: `COUNT(T.ID)` |
| BigQuery | `f0_`, `f1_` ... numbered among the unnamed columns from 0 |
| Redshift | the function name, `count` (PostgreSQL rules: a `CASE` takes its `ELSE` column's name or `case`; literals and operators give `?column?`; `DATEADD`, `DATEDIFF` and `NVL` give `date_add`, `date_diff` and `coalesce`) |
| Databricks | a name generated from the expression text |

A cast of a plain column (`CAST(c.score AS INT)`, `c.updated_at::date`) is not reported on
Redshift and Databricks: both return it under the column's own name (`score`, `updated_at`),
as for a bare column. Snowflake and BigQuery invent a name for it. Nor is a BigQuery field of a
computed value (`f(x).total`), which BigQuery names after the field.

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
the message does not spell the exact generated name. A Redshift function is predicted to give
its own name unless it is one of the documented exceptions above. A parenthesised column,
`(a)`, counts as an expression.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from wsync_lint.analysis.attributes import invented_name, is_unnamed, item_spans, item_text, shorten
from wsync_lint.analysis.output_collisions import repeats
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.contract.sql_context import SqlContext


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    warehouse = ctx.warehouse
    for query in ctx.queries:
        columns = ctx.outputs(query)
        if not any(is_unnamed(column) for column in columns):
            continue
        spans = item_spans(ctx, query)
        repeated = repeats(ctx, query)
        ordinal = 0
        for column in columns:
            if not is_unnamed(column) or _keeps_column_name(warehouse.name, column.expression):
                continue
            if column.index in repeated:
                ordinal += 1
                continue  # its name repeats an earlier one: CO02's error says so, and its hint names it
            if warehouse.name == "bigquery" and _field_access(column.expression):
                continue  # BigQuery names `f(x).field` after the field, and numbers only unnamed columns
            span = spans[column.index]
            text = item_text(ctx, span, column.expression, warehouse.name)
            shown = shorten(text)
            name = invented_name(warehouse, column.expression, text, ordinal, ctx.text)
            ordinal += 1
            if name is not None and any(char in name for char in _TYPOGRAPHIC_QUOTES):
                name = None  # such text does not parse in the warehouse (PS04): no name to predict
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


# Typographic quotes, which PS04 reports: text holding them is no name the warehouse returns.
_TYPOGRAPHIC_QUOTES = "\u201c\u201d\u2018\u2019"


def _field_access(expression: exp.Expression) -> bool:
    """`f(x).field`, `STRUCT(1 AS a).a`: a field of a computed value (struct paths of columns
    are not unnamed at all)."""
    return isinstance(expression, exp.Dot) and isinstance(expression.expression, exp.Identifier)


def _keeps_column_name(dialect: str, expression: exp.Expression) -> bool:
    """A cast of a plain column, which Redshift (PostgreSQL's naming: a cast takes its operand's
    name, through nested casts) and Databricks (Spark names `Cast(column)` after the column)
    return under the column's name."""
    if dialect not in ("redshift", "databricks") or type(expression) is not exp.Cast:
        return False
    inner = expression.this
    while isinstance(inner, exp.Paren) or (dialect == "redshift" and type(inner) is exp.Cast):
        inner = inner.this
    return isinstance(inner, exp.Column) and not isinstance(inner.this, exp.Star)


RULE = Rule(
    code="CO01",
    name="unaliased-expression",
    check=check,
    doc=__doc__,
    needs=Needs.TREE,
    default_severity=Severity.WARNING,
)
