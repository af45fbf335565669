"""The model does not parse in its warehouse's dialect.

## What it does
Reports a data model that sqlglot cannot parse as SQL of the connection's warehouse
(Snowflake, BigQuery, Redshift or Databricks), at the first token it could not read. When the
text parses in another of the four dialects, the hint says which.

## Why is this bad?
mParticle passes the query to the warehouse as written and wraps it in its own `SELECT`. A
query the warehouse rejects makes the data model invalid or the pipeline fault at run time.

The parser is not the warehouse: a construct it does not know can still be valid SQL there.
The message says so, and the rules that work on tokens (ST03, ST05, PS04 ...) still run.

## Example
```sql
SELECT customer_id, FROM mp.crm.customers WHERE
```

## Use instead
```sql
SELECT customer_id FROM mp.crm.customers
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from wsync_lint.contract.rule import Finding, Needs, Rule
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.mparticle.warehouses import WAREHOUSES
from wsync_lint.sql.positions import Span

_MISSING_PART = re.compile(r"Required keyword: '(\w+)' missing for <class '[\w.]*?(\w+)'>")


def describe(description: str) -> str:
    """sqlglot's error description in the user's words.

    >>> describe("Required keyword: 'this' missing for <class 'sqlglot.expressions.query.Where'>")
    'incomplete WHERE clause'
    >>> describe("Invalid expression / Unexpected token")
    'unexpected token'
    """
    missing = _MISSING_PART.search(description)
    if missing:
        return f"incomplete {missing.group(2).upper()} clause"
    if description.startswith("Invalid expression / Unexpected token"):
        return "unexpected token"
    return description[:1].lower() + description[1:]


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
    shown = failure.token_text.splitlines()[0][:40] if failure.token_text.strip() else ""
    near = f" at '{shown}'" if shown else ""
    message = f"does not parse as {warehouse} SQL{near}: {describe(failure.description)}"
    others = [WAREHOUSES[name].display for name in ctx.other_dialects_parsing]
    if failure.unterminated:
        hint = "close the quote or comment that starts here"
    elif others:
        hint = f"it parses as {' and '.join(others)} SQL: is the connection's warehouse right?"
    else:
        hint = (
            f"if {warehouse} accepts this query, the parser lacks the construct: "
            "suppress with `-- wsync-lint: ignore PS01` and report it"
        )
    yield Finding(Span(failure.offset, failure.offset + max(len(shown), 1)), message, hint=hint)


RULE = Rule(code="PS01", name="parse-error", check=check, doc=__doc__, needs=Needs.TEXT)
