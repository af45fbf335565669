"""The model does not parse in its warehouse's dialect.

## What it does
Reports a data model that sqlglot cannot parse as SQL of the connection's warehouse
(Snowflake, BigQuery, Redshift or Databricks), at the mistake: a misspelt keyword
(`SELCT`, `FORM`, `GROUPBY`) with the keyword it is likely meant to be, two select items with
no comma between them, a query that ends too early, a quote or comment never closed; otherwise
the first word the parser could not read. A fix is only suggested when the fixed query parses.
When the text parses in another of the four dialects, the hint says which.

Templating (PS03) and names quoted the way another database quotes them (ST05) are reported by
those rules: PS01 stays silent when they explain the failure.

## Why is this bad?
mParticle passes the query to the warehouse as written and wraps it in its own `SELECT`. A
query the warehouse rejects makes the data model invalid or the pipeline fault at run time.

The parser is not the warehouse: a construct it does not know can still be valid SQL there.
The hint says so when no mistake is found, and the rules that work on tokens (ST03, ST05,
PS04 ...) still run.

## Example
```sql
SELECT customer_id, email
FORM mp.crm.customers
```

## Use instead
```sql
SELECT customer_id, email
FROM mp.crm.customers
```
"""

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.analysis.parse_failure import diagnose
from wsync_lint.contract.rule import Finding, Needs, Rule
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.mparticle.warehouses import WAREHOUSES
from wsync_lint.sql.positions import Span


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    failure = ctx.parse_failure
    if failure is None:
        return
    warehouse = ctx.warehouse.display
    if failure.too_deep:
        yield Finding(
            Span(0, 0),
            f"the query nests too deeply to be parsed as {warehouse} SQL",
            hint="flatten the nesting (subqueries, parentheses); warehouses limit nesting too",
        )
        return
    diagnosis = diagnose(ctx)
    if diagnosis is None:
        return  # templating (PS03) or a quote style (ST05) explains it, where it happens
    others = [WAREHOUSES[name].display for name in ctx.other_dialects_parsing]
    if diagnosis.fix is not None:
        hint = diagnosis.fix
    elif others:
        hint = f"it parses as {' and '.join(others)} SQL: is the connection's warehouse right?"
    else:
        hint = (
            f"if {warehouse} accepts this SQL, the parser lacks the construct: "
            "suppress with `-- wsync-lint: ignore PS01` and report it"
        )
    yield Finding(diagnosis.at, f"does not parse as {warehouse} SQL: {diagnosis.problem}", hint=hint)


RULE = Rule(code="PS01", name="parse-error", check=check, doc=__doc__, needs=Needs.TEXT)
